/* update: new linux.resources for a running or created container, through
 * the site's "resources" rule (the one create used, site edits included)
 * and one `pct set` of only what the given fields lead to, which Proxmox
 * applies to a running CT at once. */
#define _GNU_SOURCE
#include "core/container_update.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/cleanup.h"
#include "core/container.h"
#include "util/fsutil.h"
#include "util/log.h"
#include "bridge/lua_bridge.h"
#include "pve/pct.h"
#include "plan/plan.h"
#include "util/xalloc.h"

#define RESOURCES_MAX (1u << 20)

/* Read that JSON (at most 1 MiB) into *out. */
static int update_read_resources(const char *file, char **out, nx_err *err)
{
	size_t len;
	if (strcmp(file, "-"))
		return fs_read_file(file, RESOURCES_MAX, out, &len, err);
	nx_buf b = {0};
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0 && b.len <= RESOURCES_MAX)
		buf_append(&b, chunk, n);
	if (b.len > RESOURCES_MAX) {
		buf_free(&b);
		return nx_err_set(err, "update: resources too large (limit %u bytes)", RESOURCES_MAX);
	}
	*out = b.data ? b.data : xstrdup("");
	return 0;
}

/* One pct set of the plan's options; a plan without any sets nothing. */
static int update_apply(const nx_state *st, const nx_plan *plan, nx_err *err)
{
	if (!plan->n_options)
		return 0;
	nx_pct pct = container_pct(st);
	return pct_set(&pct, st->vmid, plan->options, plan->n_options, err);
}

int container_update(nx_ctx *ctx, const char *id, const char *resources, nx_err *err)
{
	nx_state st;
	nx_status status;
	if (container_load(ctx, id, &st, &status, err) < 0)
		return -1;
	int rc = -1;
	cleanup_free char *json = NULL;
	nx_plan plan = {0};
	const nx_config *cfg;
	nx_lua *h;
	if (status == NX_STOPPED) {
		nx_err_set(err, "container not running");
		goto out;
	}
	if (update_read_resources(resources, &json, err) < 0 || !(cfg = ctx_config(ctx, err)) ||
	    !(h = ctx_lua(ctx, err)) || bridge_update_plan(h, cfg, json, &plan, err) < 0)
		goto out;
	if (plan.n_lxc)
		log_warn("update: cpuset and pids limits take effect at the next start only");
	rc = update_apply(&st, &plan, err);
out:
	plan_free(&plan);
	state_free(&st);
	return rc;
}
