/* gc's front end: --dry-run, and a line per container as gc_collect
 * reaches it (before a removal, which may take a while). */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/gc.h"

static void say(const gc_item *item, bool dry_run, void *data)
{
	(void)data;
	if (item->vmid < 0)
		printf("%s %s (no CT)\n", dry_run ? "would remove" : "removing", item->id);
	else
		printf("%s %s (CT %ld)\n", dry_run ? "would remove" : "removing", item->id, item->vmid);
	fflush(stdout);
}

static void say_file(const char *dir, const char *name, long pid, bool dry_run, void *data)
{
	(void)data;
	printf("%s %s/%s (left by pid %ld)\n", dry_run ? "would remove" : "removed", dir, name, pid);
}

int cmd_gc(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	bool dry_run;
	if (cli_bool_flag("gc", argc, argv, "dry-run", 'n', &dry_run, err) < 0)
		return -1;
	if (optind != argc)
		return cli_usage_error("gc", err, "takes no arguments");
	gc_opts o = {.dry_run = dry_run, .notify = say, .file_notify = say_file};
	gc_report rep;
	int rc = gc_collect(ctx, &o, &rep, err);
	gc_report_free(&rep);
	return rc;
}
