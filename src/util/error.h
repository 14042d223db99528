/* Errors are values: a function that can fail returns -1 (or NULL) and fills
 * an nx_err the caller owns. Context is prepended as the error travels up, so
 * the one place that prints it shows the whole chain
 * ("create: config.json: process.cwd: must be an absolute path"). */
#ifndef NX_ERROR_H
#define NX_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define NX_ERR_MSG_MAX 4096

/* What went wrong, for callers that act on it: set where the error is
 * raised (never derived from the message text, which is for people). */
typedef enum nx_err_kind {
	NX_ERR_OTHER = 0,
	NX_ERR_NOT_FOUND,  /* no such container here (no state, no mapping) */
	NX_ERR_EXISTS,	   /* the container id is in use */
	NX_ERR_VMID_TAKEN, /* pct create: another guest of the cluster has the VMID */
	NX_ERR_CT_GONE,	   /* pct: the CT's config does not exist (on this node) */
	NX_ERR_LOCKED,	   /* pct: the CT carries a Proxmox lock; err->detail names it */
	NX_ERR_TIMED_OUT,  /* a program or a lock did not answer in time */
	NX_ERR_CORRUPT,	   /* a state or mapping file that cannot be read as one */
	NX_ERR_BUSY,	   /* another nexcage holds the container's lock */
	NX_ERR_CT_RUNNING, /* pct: the CT runs where the command needs it stopped */
	NX_ERR_CT_STOPPED, /* pct: the CT is stopped where the command needs it running */
	NX_ERR_NO_TEMPLATE, /* pct create: the template volume is not on its storage */
	NX_ERR_NOT_OURS,    /* the CT is not the one nexcage made for this id and root */
	/* From Lua, with what kind of failure it was (set by the host and the
	 * bridge where they see it, never read back from a message): */
	NX_ERR_LUA_SYNTAX,  /* a chunk that does not compile */
	NX_ERR_LUA_RUNTIME, /* a script raised an error */
	NX_ERR_LUA_LIMIT,   /* a script ran past its time or memory limit; detail: "time" or "memory" */
	NX_ERR_INVALID,	    /* a value that failed validation (spec, plan, config.lua's keys) */
	NX_ERR_NOT_JSON,    /* text the JSON decoder rejects */
} nx_err_kind;

typedef struct nx_err {
	int errnum;    /* errno-like cause, 0 when not from a syscall */
	nx_err_kind kind;
	char detail[32]; /* the kind's object, e.g. the lock's name for NX_ERR_LOCKED */
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
/* Like nx_err_set, with a kind callers may act on. */
int nx_err_kind_set(nx_err *err, nx_err_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Tag an error already set with its kind (and detail, may be NULL). */
int nx_err_set_kind(nx_err *err, nx_err_kind kind, const char *detail);
static inline bool nx_err_is(const nx_err *err, nx_err_kind kind)
{
	return err && err->kind == kind;
}

#endif
