/* exec's front end: flags into exec_opts; the work is container_exec. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/container_exec.h"
#include "util/xalloc.h"

/* --user UID[:GID], numbers only */
static int parse_user(const char *user, exec_opts *o, nx_err *err)
{
	char *end;
	o->set_uid = true;
	o->uid = strtoul(user, &end, 10);
	if (*end == ':') {
		o->set_gid = true;
		o->gid = strtoul(end + 1, &end, 10);
	}
	if (*end || !*user)
		return nx_err_set(err, "exec: --user takes UID[:GID] (numbers)");
	return 0;
}

int cmd_exec(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option longopts[] = {
	    {"process", required_argument, NULL, 'p'},	    {"detach", no_argument, NULL, 'd'},
	    {"pid-file", required_argument, NULL, 'P'},	    {"cwd", required_argument, NULL, 'c'},
	    {"env", required_argument, NULL, 'e'},	    {"tty", no_argument, NULL, 't'},
	    {"user", required_argument, NULL, 'u'},	    {"console-socket", required_argument, NULL, 'C'},
	    {"preserve-fds", required_argument, NULL, 'F'}, {NULL, 0, NULL, 0},
	};
	const char *user = NULL;
	/* each --env takes an argument: argc bounds their count (no limit of
	 * our own; execve's are checked on the whole command line) */
	cleanup_free const char **envs = xcalloc((size_t)argc + 1, sizeof *envs);
	exec_opts o = {.env = envs};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:de:tu:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': o.process_file = optarg; break;
		case 'd': o.detach = true; break;
		case 'P': o.pid_file = optarg; break;
		case 'C': o.console_socket = optarg; break;
		case 'F':
			if (cli_preserve_fds("exec", optarg, &o.preserve_fds, err) < 0)
				return -1;
			break;
		case 'c': o.cwd = optarg; break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return cli_usage_error("exec", err, "--env takes NAME=value");
			envs[o.nenv++] = optarg;
			break;
		case 't': o.tty = true; break;
		case 'u': user = optarg; break;
		default: return cli_usage_error("exec", err, "unknown flag '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind < 1)
		return cli_usage_error("exec", err, "requires a container id");
	o.id = argv[optind++];
	if (!o.process_file && optind >= argc)
		return cli_usage_error("exec", err, "requires a command (or --process)");
	o.args = argv + optind; /* argv is NULL-terminated */
	if (user && parse_user(user, &o, err) < 0)
		return -1;
	return container_exec(ctx, &o, err);
}
