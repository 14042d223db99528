/* update: new linux.resources for a running or created container, through
 * the site's "resources" rule (the one create used, site edits included)
 * and one `pct set` of only what the given fields lead to, which Proxmox
 * applies to a running CT at once. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "commands.h"
#include "container.h"
#include "fsutil.h"
#include "pct.h"
#include "log.h"
#include "lua_bridge.h"
#include "plan.h"

#define RESOURCES_MAX (1u << 20)

static int read_resources(const char *file, char **out, nx_err *err)
{
	size_t len;
	if (strcmp(file, "-"))
		return fs_read_file(file, RESOURCES_MAX, out, &len, err);
	nx_buf b = {0};
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0 && b.len <= RESOURCES_MAX)
		buf_append(&b, chunk, n);
	if (b.len > RESOURCES_MAX || b.oom) {
		buf_free(&b);
		return nx_err_set(err, "update: resources too large (limit %u bytes)", RESOURCES_MAX);
	}
	*out = b.data ? b.data : strdup("");
	return 0;
}

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
	nx_state st;
	nx_status status;
	if (container_load(ctx, argv[optind], &st, &status, err) < 0)
		return -1;
	int rc = -1;
	cleanup_free char *json = NULL;
	nx_plan plan = {0};
	if (status == NX_STOPPED) {
		nx_err_set(err, "container not running");
		goto out;
	}
	if (read_resources(file, &json, err) < 0 || bridge_update_plan(ctx, json, &plan, err) < 0)
		goto out;
	if (plan.n_lxc)
		log_warn("update: cpuset and pids limits take effect at the next start only");
	rc = 0;
	if (!plan.n_options)
		goto out;
	const char *pct_path;
	double timeout;
	container_pct(&st, &pct_path, &timeout);
	nx_pct pct = {.path = pct_path, .timeout = timeout};
	char vmid[32];
	snprintf(vmid, sizeof vmid, "%ld", st.vmid);
	const char *head[] = {"set", vmid, NULL};
	rc = pct_call_options(&pct, head, plan.options, plan.n_options, err);
out:
	plan_free(&plan);
	state_free(&st);
	return rc;
}
