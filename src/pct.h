/* The only way nexcage touches Proxmox: fork/exec of pct with an argv
 * (never a shell), a timeout, pct's own message kept in the error. Every
 * call costs a Perl start-up on a real node, so callers count them. */
#ifndef NX_PCT_H
#define NX_PCT_H

#include <stdbool.h>

#include "error.h"
#include "state.h"
#include "spawn.h"

typedef struct nx_pct {
	const char *path;
	double timeout;
} nx_pct;

/* args: NULL-terminated, without the program name. On success *res (if
 * given) holds the output; the caller frees it. */
int pct_call(const nx_pct *pct, const char *const *args, spawn_result *res, nx_err *err);
/* pct <head...> --<key> <value>... : the rendering of a plan's options
 * (create, set), in one place. */
int pct_call_options(const nx_pct *pct, const char *const *head, const nx_kv *opts, size_t n, nx_err *err);
/* pct's message says the VMID is taken (by this or another node). */
bool pct_error_vmid_taken(const char *msg);
/* pct's message says the CT does not exist. */
bool pct_error_no_such_ct(const char *msg);

#endif
