/* run: create + start, then (in the foreground) wait for the program, which
 * has run's own stdio, and return its status, deleting it unless keep. */
#define _GNU_SOURCE
#include "container_run.h"

#include <errno.h>
#include <sys/wait.h>

#include "log.h"

/* The program's status, from the stand-in create left as our child: it
 * exits as the program did (see standin.h). */
static int wait_standin(pid_t pid, nx_err *err)
{
	int status;
	pid_t r;
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return nx_err_sys(err, errno, "wait for the container");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int container_run(nx_ctx *ctx, run_opts *o, nx_err *err)
{
	pid_t standin = -1;
	o->create.standin_pid = &standin;
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
		return rc;
	}
	/* The program has create's stdio: its output reaches ours directly. */
	rc = wait_standin(standin, err);
	if (!o->keep) {
		nx_err derr = {0};
		if (container_delete(ctx, o->create.id, true, &derr) < 0)
			log_warn("run: delete after exit: %s", derr.msg);
	}
	return rc;
}
