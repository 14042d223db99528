/* nexcage validate [--bundle DIR]: parse and validate config.json and
 * report every problem, for site admins and image builders. The problems
 * are the command's output (stdout, one per line, like a linter); the
 * error says how many there are. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>

#include "core/bundle_load.h"
#include "cli/cli.h"
#include "cli/commands.h"

int cmd_validate(nx_ctx *ctx, int argc, char **argv, nx_err *err)
{
	static const struct option longopts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = ".";
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "b:", longopts, NULL)) != -1) {
		if (c != 'b')
			return cli_usage_error("validate", err, "unknown flag '%s'", argv[optind - 1]);
		dir = optarg;
	}
	if (optind != argc)
		return cli_usage_error("validate", err, "takes no arguments");

	spec_report report = {0};
	nx_bundle b;
	nx_lua *h = ctx_lua(ctx, err);
	if (!h)
		return -1;
	if (bundle_load_report(h, dir, &b, &report, err) < 0) {
		if (report.count) {
			fputs(report.lines.data ? report.lines.data : "", stdout);
			if (report.count > SPEC_REPORT_MAX)
				printf("config.json: %u more problems not listed\n",
				       report.count - SPEC_REPORT_MAX);
			fflush(stdout);
			nx_err_set(err, "config.json: %u problem%s", report.count,
				   report.count == 1 ? "" : "s");
		}
		spec_report_free(&report);
		return -1;
	}
	printf("%s/config.json: valid (ociVersion %s%s)\n", b.path, b.oci_version,
	       b.has_process ? "" : "; no process: it cannot be started");
	bundle_free(&b);
	spec_report_free(&report);
	return 0;
}
