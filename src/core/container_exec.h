/* exec: a new process in a running (or created) container. */
#ifndef NX_CONTAINER_EXEC_H
#define NX_CONTAINER_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/context.h"
#include "util/error.h"
#include "plan/plan.h"

typedef struct exec_opts {
	const char *id;
	const char *process_file; /* an OCI process object; NULL: none */
	char *const *args;	  /* the command (NULL-terminated); NULL or empty: the process's */
	const char *const *env;	  /* NAME=value, each replacing that NAME */
	size_t nenv;
	const char *cwd; /* NULL: the process's */
	bool set_uid, set_gid;
	unsigned long uid, gid;
	bool tty; /* a terminal even when the process does not ask for one */
	bool detach;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds; /* fds 3 .. 3+n-1 go to the process too */
} exec_opts;

/* The process's exit status (128+signal when killed; 0 when detached),
 * or -1 with err set. Defaults come from the container's own process. */
int container_exec(nx_ctx *ctx, const exec_opts *o, nx_err *err);

/* Overlay an OCI process object read from path (args, env, cwd, user,
 * terminal, capabilities) on p; fields the file lacks stay as they are. */
int exec_process_load(const char *path, nx_process *p, nx_err *err);
/* Free what a process read or loaded for exec holds. */
void exec_process_free(nx_process *p);

#endif
