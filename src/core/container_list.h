/* The read-only views list and ps need, as rows: from the state files,
 * the mappings, /proc and cgroupfs; no pct call and no Lua. */
#ifndef NX_CONTAINER_LIST_H
#define NX_CONTAINER_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/context.h"
#include "util/error.h"
#include "core/state_store.h"

typedef struct list_row {
	nx_state st;
	nx_status status;
	bool orphaned; /* a CT nexcage made whose state is gone (reboot) */
} list_row;

/* Every container of ctx's root, sorted by id: those with state (an
 * unreadable state file as NX_UNKNOWN, so that it can be deleted) and the
 * orphans this root's mappings know. */
int container_list(nx_ctx *ctx, list_row **rows, size_t *n, nx_err *err);
void container_list_free(list_row *rows, size_t n);

typedef struct ps_row {
	pid_t pid;
	unsigned uid;
	char *cmd; /* the command line, spaces between arguments; NULL if unreadable */
} ps_row;

/* The processes of a running (or created, paused) container. */
int container_ps(nx_ctx *ctx, const char *id, ps_row **rows, size_t *n, nx_err *err);
void container_ps_free(ps_row *rows, size_t n);

#endif
