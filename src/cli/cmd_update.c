/* update's front end: the id and --resources; the work is container_update. */
#define _GNU_SOURCE
#include <getopt.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/container_update.h"

int cmd_update(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option longopts[] = {{"resources", required_argument, NULL, 'r'},
						 {NULL, 0, NULL, 0}};
	const char *file = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:", longopts, NULL)) != -1) {
		if (c != 'r')
			return cli_usage_error("update", err, "unknown flag '%s'", argv[optind - 1]);
		file = optarg;
	}
	if (argc - optind != 1)
		return cli_usage_error("update", err, "requires a container id");
	if (!file)
		return cli_usage_error("update", err, "--resources FILE|- is required");
	return container_update(ctx, argv[optind], file, err);
}
