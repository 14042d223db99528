/* spec's front end: --bundle and --rootless; the document and its
 * careful write are spec_default.c's. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdbool.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "oci/spec_default.h"

int cmd_spec(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	(void)ctx;
	static const struct option longopts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"rootless", no_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = ".";
	bool rootless = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "b:", longopts, NULL)) != -1) {
		if (c == 'b')
			dir = optarg;
		else if (c == 'r')
			rootless = true;
		else
			return cli_usage_error("spec", err, "unknown flag '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_error("spec", err, "takes no arguments");
	return spec_default_write(dir, rootless, err);
}
