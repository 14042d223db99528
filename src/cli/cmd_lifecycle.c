/* Front ends of the commands that take one container id and little else:
 * create, start, state, kill, delete, pause, resume. Each parses its flags
 * and calls one function of container.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/container.h"
#include "util/signals.h"

/* The one positional id, nothing more. */
static int single_id(const char *cmd, int argc, char **argv, const char **id, nx_err *err)
{
	if (argc - optind != 1)
		return cli_usage_error(cmd, err, "%s",
				       argc - optind < 1 ? "requires a container id" : "too many arguments");
	*id = argv[optind];
	return 0;
}

static int no_flags(const char *cmd, int argc, char **argv, nx_err *err)
{
	static const struct option none[] = {{NULL, 0, NULL, 0}};
	opterr = 0;
	if (getopt_long(argc, argv, "+", none, NULL) != -1)
		return cli_usage_error(cmd, err, "unknown flag '%s'", argv[optind - 1]);
	return 0;
}

enum { OPT_PID_FILE = 300, OPT_CONSOLE_SOCKET, OPT_NO_PIVOT, OPT_NO_NEW_KEYRING, OPT_PRESERVE_FDS };

static const struct option create_longopts[] = {
    {"bundle", required_argument, NULL, 'b'},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
    {"no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
    {NULL, 0, NULL, 0},
};

int cmd_parse_create(const char *cmd, int argc, char **argv, create_opts *o, const struct option *extra,
		     int (*on_extra)(int c, void *data), void *data, nx_err *err)
{
	struct option longopts[16];
	size_t n = 0;
	for (const struct option *p = create_longopts; p->name; p++)
		longopts[n++] = *p;
	for (const struct option *p = extra; p && p->name && n < 15; p++)
		longopts[n++] = *p;
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "b:d", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': o->bundle = optarg; break;
		case OPT_PID_FILE: o->pid_file = optarg; break;
		case OPT_CONSOLE_SOCKET: o->console_socket = optarg; break;
		case OPT_NO_PIVOT:
		case OPT_NO_NEW_KEYRING: break; /* runc flags with no meaning for an LXC container */
		case OPT_PRESERVE_FDS:
			if (cli_preserve_fds(cmd, optarg, &o->preserve_fds, err) < 0)
				return -1;
			break;
		default:
			if (on_extra && on_extra(c, data) == 0)
				break;
			return cli_usage_error(cmd, err, "unknown flag '%s'", argv[optind - 1]);
		}
	}
	int left = argc - optind;
	if (left < 1 || left > 2)
		return cli_usage_error(cmd, err, "%s",
				       left < 1 ? "requires a container id" : "too many arguments");
	o->id = argv[optind];
	if (left == 2) {
		if (o->bundle && strcmp(o->bundle, argv[optind + 1]))
			return cli_usage_error(cmd, err, "bundle given twice");
		o->bundle = argv[optind + 1];
	}
	return 0;
}

int cmd_create(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	create_opts o = {0};
	if (cmd_parse_create("create", argc, argv, &o, NULL, NULL, NULL, err) < 0)
		return -1;
	return container_create(ctx, &o, err) < 0 ? -1 : 0;
}

int cmd_start(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	const char *id = NULL;
	if (no_flags("start", argc, argv, err) < 0 || single_id("start", argc, argv, &id, err) < 0)
		return -1;
	return container_start(ctx, id, err) < 0 ? -1 : 0;
}

int cmd_state(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	const char *id = NULL;
	if (no_flags("state", argc, argv, err) < 0 || single_id("state", argc, argv, &id, err) < 0)
		return -1;
	nx_state st;
	nx_status status;
	if (container_load(ctx, id, &st, &status, err) < 0)
		return -1;
	nx_buf b = {0};
	state_render(&st, status, &b);
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	state_free(&st);
	return 0;
}

int cmd_kill(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	bool all;
	if (cli_bool_flag("kill", argc, argv, "all", 'a', &all, err) < 0)
		return -1;
	int left = argc - optind;
	if (left < 1 || left > 2)
		return cli_usage_error("kill", err, "%s",
				       left < 1 ? "requires a container id" : "too many arguments");
	int sig = SIGTERM;
	if (left == 2 && signal_parse(argv[optind + 1], &sig, err) < 0)
		return -1;
	return container_kill(ctx, argv[optind], sig, all, err) < 0 ? -1 : 0;
}

int cmd_delete(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	bool force;
	if (cli_bool_flag("delete", argc, argv, "force", 'f', &force, err) < 0)
		return -1;
	const char *id = NULL;
	if (single_id("delete", argc, argv, &id, err) < 0)
		return -1;
	return container_delete(ctx, id, force, err) < 0 ? -1 : 0;
}

int cmd_pause(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	const char *id = NULL;
	bool pause = !strcmp(argv[0], "pause");
	if (no_flags(argv[0], argc, argv, err) < 0 || single_id(argv[0], argc, argv, &id, err) < 0)
		return -1;
	return container_pause(ctx, id, pause, err) < 0 ? -1 : 0;
}
