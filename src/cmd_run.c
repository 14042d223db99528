/* run: create + start, then (in the foreground) wait for the program, which
 * has run's own stdio, and exit with its status, deleting it unless --keep. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "container.h"
#include "log.h"

int cmd_parse_create(const char *cmd, int argc, char **argv, create_opts *o, const struct option *extra,
		     int (*on_extra)(int c, void *data), void *data, nx_err *err);

typedef struct run_flags {
	bool detach, keep;
} run_flags;

enum { OPT_KEEP = 400 };

static int run_flag(int c, void *data)
{
	run_flags *f = data;
	if (c == 'd')
		f->detach = true;
	else if (c == OPT_KEEP)
		f->keep = true;
	else
		return -1;
	return 0;
}

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

int cmd_run(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option extra[] = {
	    {"detach", no_argument, NULL, 'd'},
	    {"keep", no_argument, NULL, OPT_KEEP},
	    {NULL, 0, NULL, 0},
	};
	create_opts o = {0};
	run_flags f = {0};
	if (cmd_parse_create("run", argc, argv, &o, extra, run_flag, &f, err) < 0)
		return -1;
	if (f.detach && f.keep)
		return cli_usage_error("run", err, "--keep makes no sense with --detach");
	pid_t standin = -1;
	o.standin_pid = &standin;
	int rc = container_create(ctx, &o, err);
	if (rc == 0)
		rc = container_start(ctx, o.id, err);
	if (rc < 0 || f.detach) {
		/* Only what this run created may be removed: a create that failed
		 * (an id already in use) rolled back itself and touched nothing. */
		if (rc < 0 && standin > 0) { /* a failed start leaves a CT */
			nx_err cleanup = {0};
			container_delete(ctx, o.id, true, &cleanup);
		}
		return rc;
	}
	/* The program has create's stdio: its output reaches ours directly. */
	rc = wait_standin(standin, err);
	if (!f.keep) {
		nx_err derr = {0};
		if (container_delete(ctx, o.id, true, &derr) < 0)
			log_warn("run: delete after exit: %s", derr.msg);
	}
	return rc;
}
