/* translate's front end: the bundle, the format and the id; the dry run
 * itself is translate_dry_run (dry_run.c). */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "oci/container_id.h"
#include "core/dry_run.h"

int cmd_translate(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option longopts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	const char *bundle_dir = ".", *format = "json";
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "b:f:", longopts, NULL)) != -1) {
		if (c == 'b')
			bundle_dir = optarg;
		else if (c == 'f')
			format = optarg;
		else
			return cli_usage_error("translate", err, "unknown flag '%s'", argv[optind - 1]);
	}
	if (argc - optind > 1)
		return cli_usage_error("translate", err, "too many arguments");
	const char *id = argc - optind == 1 ? argv[optind] : "dry-run";
	/* the id's complaint before the format's, as ever */
	if (container_id_validate(id, err) < 0)
		return -1;
	if (strcmp(format, "json") && strcmp(format, "pct"))
		return nx_err_set(err, "invalid format option \"%s\" (json or pct)", format);
	nx_buf b = {0};
	int rc = translate_dry_run(ctx, bundle_dir, id, strcmp(format, "json") ? DRY_RUN_PCT : DRY_RUN_JSON, &b,
				   err);
	if (rc == 0)
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	return rc;
}
