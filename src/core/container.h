/* The OCI lifecycle on Proxmox, below the command front ends: create
 * (with rollback), start, kill, delete, pause/resume, and the lookups
 * state/list/ps need. Every mutating operation holds the container's lock. */
#ifndef NX_CONTAINER_H
#define NX_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/context.h"
#include "util/error.h"
#include "pve/pct.h"
#include "core/state_store.h"

typedef struct create_opts {
	const char *id;
	const char *bundle; /* directory; NULL: the current directory */
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;   /* fds 3 .. 3+n-1 go to the program too */
	pid_t *standin_pid; /* out (may be NULL): the process the caller can wait for */
} create_opts;

int container_create(nx_ctx *ctx, const create_opts *o, nx_err *err);
int container_start(nx_ctx *ctx, const char *id, nx_err *err);
int container_kill(nx_ctx *ctx, const char *id, int sig, bool all, nx_err *err);
int container_delete(nx_ctx *ctx, const char *id, bool force, nx_err *err);
/* pause/resume: the cgroup freezer of the CT's cgroup, as runc (no pct) */
int container_pause(nx_ctx *ctx, const char *id, bool pause, nx_err *err);
/* Read state and derive the status; "container does not exist" if none. */
int container_load(nx_ctx *ctx, const char *id, nx_state *st, nx_status *status, nx_err *err);
/* The pct handle recorded at create. */
nx_pct container_pct(const nx_state *st);
/* pct destroy of a CT nexcage made. A CT already gone is success. With
 * recover, a CT stuck in a lock an interrupted nexcage leaves (create,
 * destroyed) is unlocked first, with a warning saying so. */
typedef struct ct_destroy {
	const nx_config *cfg;
	nx_pct pct;
	long vmid;
	const char *root, *id; /* whose the CT must be (src/pve/ct_owner.h) */
	bool recover;	       /* clear a lock an interrupted pct left */
} ct_destroy;

/* pct destroy --purge of the CT, only if it is the one nexcage made for id
 * under root: a CT that is gone, or is now someone else's, is left alone
 * and counts as destroyed (ours is gone either way). */
int container_destroy_ct(const ct_destroy *d, nx_err *err);
/* Take the id's lock without waiting: NX_ERR_BUSY when another nexcage
 * holds it (a create or delete in flight). */
int container_try_lock(const char *root, const char *id, nx_err *err);
/* The template archive file name for a container. */
char *container_template_name(const char *node, const char *id);

#endif
