/* run: create + start, then (in the foreground) stream the container's
 * console and exit with its process's status, deleting it unless --keep. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "container.h"
#include "exitwatch.h"
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

typedef struct console_tail {
	int fd;
	char path[PATH_MAX];
} console_tail;

/* Copy what the console log gained since the last look to stdout. */
static size_t console_copy(console_tail *t)
{
	if (t->fd < 0)
		t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0)
		return 0;
	char buf[65536];
	ssize_t n;
	size_t total = 0;
	while ((n = read(t->fd, buf, sizeof buf)) > 0) {
		total += (size_t)n;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	}
	fflush(stdout);
	return total;
}

static void console_tick(void *data)
{
	console_copy(data);
}

/* LXC writes the console log from its monitor, after the program wrote
 * it: once the program has exited, read until the log stops growing. */
static void console_drain(console_tail *t)
{
	int quiet = 0;
	for (int i = 0; i < 40 && quiet < 4; i++) {
		quiet = console_copy(t) ? 0 : quiet + 1;
		usleep(50000);
	}
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
	int watch = -1;
	int rc = container_create(ctx, &o, err);
	/* Only what this run created may be removed: a create that failed
	 * (an id already in use) rolled back itself and touched nothing. */
	bool created = rc == 0;
	/* Subscribe only now: the program is held until start, so its exit
	 * cannot be missed, and the host's other events during create do not
	 * fill the socket's buffer. */
	if (rc == 0 && !f.detach && (watch = exitwatch_open(err)) < 0)
		rc = nx_err_wrap(err, "run");
	if (rc == 0)
		rc = container_start(ctx, o.id, err);
	if (rc < 0 || f.detach) {
		if (watch >= 0)
			close(watch);
		if (rc < 0 && created) { /* a failed start leaves a CT */
			nx_err cleanup = {0};
			container_delete(ctx, o.id, true, &cleanup);
		}
		return rc;
	}
	nx_state st;
	nx_status status;
	rc = container_load(ctx, o.id, &st, &status, err);
	if (rc == 0) {
		console_tail tail = {.fd = -1};
		snprintf(tail.path, sizeof tail.path, "%s/%s/console.log", ctx->opts->root, o.id);
		rc = exitwatch_wait(watch, st.pid, st.pid_start, console_tick, &tail, err);
		console_drain(&tail);
		if (tail.fd >= 0)
			close(tail.fd);
		state_free(&st);
	}
	close(watch);
	if (!f.keep) {
		nx_err derr = {0};
		if (container_delete(ctx, o.id, true, &derr) < 0)
			log_warn("run: delete after exit: %s", derr.msg);
	}
	return rc;
}
