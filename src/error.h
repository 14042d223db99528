/* Errors are values: a function that can fail returns -1 (or NULL) and fills
 * an nx_err the caller owns. Context is prepended as the error travels up, so
 * the one place that prints it shows the whole chain
 * ("create: config.json: process.cwd: must be an absolute path"). */
#ifndef NX_ERROR_H
#define NX_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define NX_ERR_MSG_MAX 4096

typedef struct nx_err {
	int errnum;    /* errno-like cause, 0 when not from a syscall */
	int exit_code; /* process exit status the CLI should use (0 = 1) */
	char msg[NX_ERR_MSG_MAX];
} nx_err;

/* Fill err with a formatted message; always returns -1 so callers can
 * `return nx_err_set(err, ...)`. err may be NULL. */
int nx_err_set(nx_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like nx_err_set, appending ": strerror(errnum)". */
int nx_err_sys(nx_err *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prepend "context: " to the existing message. */
int nx_err_wrap(nx_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nx_err_clear(nx_err *err);

#endif
