/* run: create + start, then (in the foreground) wait for the program, which
 * has run's own stdio, and return its status, deleting it unless keep. */
#define _GNU_SOURCE
#include "core/container_run.h"

#include "core/fg_wait.h"
#include "util/log.h"

int container_run(nx_ctx *ctx, run_opts *o, nx_err *err)
{
	pid_t standin = -1;
	o->create.standin_pid = &standin;
	fg_signals sigs = {.fd = -1};
	if (!o->detach && fg_signals_block(&sigs, err) < 0)
		return -1;
	int rc = container_create(ctx, &o->create, err);
	if (rc == 0)
		rc = container_start(ctx, o->create.id, err);
	if (rc < 0 || o->detach) {
		/* Only what this run created may be removed: a create that failed
		 * (an id already in use) rolled back itself and touched nothing. */
		if (rc < 0 && standin > 0) { /* a failed start leaves a CT */
			nx_err cleanup = {0};
			container_delete(ctx, o->create.id, true, &cleanup);
		}
		fg_signals_restore(&sigs);
		return rc;
	}
	/* The program has create's stdio: its output reaches ours directly.
	 * A signal to run goes to the program; run ends when the program has
	 * ended and removes the container, as runc does. */
	rc = fg_wait(&sigs, standin, err);
	fg_signals_restore(&sigs);
	if (!o->keep) {
		nx_err derr = {0};
		if (container_delete(ctx, o->create.id, true, &derr) < 0)
			log_warn("run: delete after exit: %s", derr.msg);
	}
	return rc;
}
