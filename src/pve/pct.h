/* The only way nexcage touches Proxmox: fork/exec of pct with an argv
 * (never a shell), a timeout, pct's own message kept in the error. Every
 * argv is built here, one function per subcommand, and every failure is
 * classified here (pve-facts.md). Every call costs a Perl start-up on a
 * real node, so callers count them. */
#ifndef NX_PCT_H
#define NX_PCT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "util/kv.h"

typedef struct nx_pct {
	const char *path;
	double timeout;
} nx_pct;

/* A failure's kind says NX_ERR_CT_GONE, NX_ERR_VMID_TAKEN (create),
 * NX_ERR_LOCKED (detail: the lock), NX_ERR_TIMED_OUT, NX_ERR_CT_RUNNING,
 * NX_ERR_CT_STOPPED or NX_ERR_NO_TEMPLATE (create) when pct said exactly
 * that for this VMID; NX_ERR_OTHER otherwise, with pct's message. */

/* pct create <vmid> <ostemplate> --<key> <value>... (the plan's options) */
int pct_create(const nx_pct *pct, long vmid, const char *ostemplate, const nx_kv *opts, size_t n, nx_err *err);
/* The argv pct_create runs, program first, with `vmid` as given (the dry
 * run shows "<vmid>": the VMID is chosen at create). Free with strv_free. */
char **pct_create_argv(const char *path, const char *vmid, const char *ostemplate, const nx_kv *opts, size_t n);
/* pct set <vmid> --<key> <value>... */
int pct_set(const nx_pct *pct, long vmid, const nx_kv *opts, size_t n, nx_err *err);
int pct_start(const nx_pct *pct, long vmid, nx_err *err);
/* pct destroy <vmid> --force 1 --purge 1: the CT, its volumes, and its
 * entries in jobs and HA */
int pct_destroy(const nx_pct *pct, long vmid, nx_err *err);
int pct_unlock(const nx_pct *pct, long vmid, nx_err *err);
/* pct status <vmid>: *running says "status: running" */
int pct_status(const nx_pct *pct, long vmid, bool *running, nx_err *err);
/* Push "pct exec <vmid> --" onto a string vector (util/strv.h); the
 * caller appends the command and runs it (exec streams its stdio, so it
 * is spawned by the core, not here). */
void pct_exec_argv(const nx_pct *pct, long vmid, char ***v, size_t *n);

#endif
