/* The only way nexcage touches Proxmox: fork/exec of pct with an argv
 * (never a shell), a timeout, pct's own message kept in the error. Every
 * call costs a Perl start-up on a real node, so callers count them. */
#ifndef NX_PCT_H
#define NX_PCT_H

#include <stdbool.h>

#include "util/error.h"
#include "util/kv.h"
#include "util/spawn.h"

typedef struct nx_pct {
	const char *path;
	double timeout;
} nx_pct;

/* args: NULL-terminated, without the program name. On success *res (if
 * given) holds the output; the caller frees it. A failure's kind says
 * NX_ERR_CT_GONE, NX_ERR_VMID_TAKEN, NX_ERR_LOCKED (detail: the lock) or
 * NX_ERR_TIMED_OUT when pct said exactly that for this VMID. */
int pct_call(const nx_pct *pct, const char *const *args, spawn_result *res, nx_err *err);
/* pct <head...> --<key> <value>... : the rendering of a plan's options
 * (create, set), in one place. */
int pct_call_options(const nx_pct *pct, const char *const *head, const nx_kv *opts, size_t n, nx_err *err);
/* head, then "--<key>" and the value of each option: the arguments
 * pct_call_options passes (and the dry run shows). NULL-terminated, every
 * string a copy. Free with strv_free. */
char **pct_options_argv(const char *const *head, const nx_kv *opts, size_t n);

#endif
