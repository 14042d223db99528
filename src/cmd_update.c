/* update: new linux.resources for a running or created container, through
 * the same Lua rule that translated them at create (rules.resources) and
 * one `pct set`, which Proxmox applies to a running CT at once. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "cleanup.h"
#include "cli.h"
#include "commands.h"
#include "container.h"
#include "fsutil.h"
#include "pct.h"
#include "log.h"
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

/* spec = { linux = { resources = <decoded> } } through rules.resources.apply;
 * leaves the plan table on the stack. */
static int resources_plan(nx_ctx *ctx, const char *json, nx_err *err)
{
	const nx_config *cfg = ctx_config(ctx, err);
	if (!cfg)
		return -1;
	nx_lua *h = ctx->lua;
	lua_State *L = lua_host_state(h);
	if (lua_host_require(h, "cjson", err) < 0)
		return -1;
	lua_getfield(L, -1, "decode"); /* cjson decode */
	lua_remove(L, -2);
	lua_pushstring(L, json);
	if (lua_host_pcall(h, 1, 1, err) < 0) /* res */
		return nx_err_wrap(err, "update: resources are not valid JSON");
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return nx_err_set(err, "update: resources must be a JSON object");
	}
	if (lua_host_require(h, "rules.resources", err) < 0) {
		lua_pop(L, 1);
		return -1;
	}
	lua_getfield(L, -1, "apply"); /* res mod apply */
	lua_remove(L, -2);	      /* res apply */
	lua_createtable(L, 0, 1);     /* res apply spec */
	lua_createtable(L, 0, 1);     /* res apply spec linux */
	lua_pushvalue(L, -4);
	lua_setfield(L, -2, "resources");
	lua_setfield(L, -2, "linux");
	lua_createtable(L, 0, 1); /* res apply spec ctx */
	lua_rawgeti(L, LUA_REGISTRYINDEX, cfg->lua_ref);
	lua_setfield(L, -2, "config");
	lua_createtable(L, 0, 4); /* res apply spec ctx plan */
	lua_newtable(L);
	lua_setfield(L, -2, "options");
	lua_newtable(L);
	lua_setfield(L, -2, "lxc");
	lua_newtable(L);
	lua_setfield(L, -2, "warnings");
	lua_newtable(L);
	lua_setfield(L, -2, "origin");
	lua_pushvalue(L, -1);
	lua_insert(L, -5);		       /* res plan apply spec ctx plan */
	int rc = lua_host_pcall(h, 3, 0, err); /* res plan */
	lua_remove(L, -2);		       /* plan */
	if (rc < 0) {
		lua_pop(L, 1);
		return nx_err_wrap(err, "update: rule 'resources'");
	}
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
	if (read_resources(file, &json, err) < 0 || resources_plan(ctx, json, err) < 0)
		goto out;
	lua_State *L = lua_host_state(ctx->lua);
	rc = plan_from_lua(L, -1, &plan, err);
	lua_pop(L, 1);
	if (rc < 0)
		goto out;
	if (plan.n_lxc)
		log_warn("update: cpuset and pids limits take effect at the next start only");
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
