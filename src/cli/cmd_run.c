/* run's front end: create's flags plus --detach and --keep; the work is
 * container_run. */
#define _GNU_SOURCE
#include <getopt.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/container_run.h"

enum { OPT_KEEP = 400 };

static int run_flag(int c, void *data)
{
	run_opts *o = data;
	if (c == 'd')
		o->detach = true;
	else if (c == OPT_KEEP)
		o->keep = true;
	else
		return -1;
	return 0;
}

int cmd_run(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option extra[] = {
	    {"detach", no_argument, NULL, 'd'},
	    {"keep", no_argument, NULL, OPT_KEEP},
	    {NULL, 0, NULL, 0},
	};
	run_opts o = {0};
	if (cmd_parse_create("run", argc, argv, &o.create, extra, run_flag, &o, err) < 0)
		return -1;
	if (o.detach && o.keep)
		return cli_usage_error("run", err, "--keep makes no sense with --detach");
	return container_run(ctx, &o, err);
}
