#include "core/context.h"

#include <string.h>

#include "bridge/lua_bridge.h"

nx_lua *ctx_lua(nx_ctx *ctx, nx_err *err)
{
	if (ctx->lua)
		return ctx->lua;
	/* Site limits come from the config, which is itself Lua: the
	 * interpreter starts with the defaults and config.lua runs under them. */
	nx_lua_settings s = {
	    .site_dir = ctx->opts->site_lua_dir,
	    .installed_dir = NX_INSTALLED_LUA,
	    .debug = ctx->opts->debug,
	};
	ctx->lua = nxlua_new(&s, err);
	return ctx->lua;
}

int ctx_config_load(nx_lua *h, const char *path, bool explicit_path, nx_config *cfg, nx_err *err)
{
	if (config_defaults(cfg, err) < 0)
		return -1;
	const char *p;
	int found = config_find(path, explicit_path, &p, err);
	if (found <= 0)
		return found;
	config_entry *entries;
	size_t n;
	int rc = bridge_config_read(h, p, &entries, &n, err);
	if (rc == 0)
		rc = config_apply(cfg, entries, n, err);
	config_entries_free(entries, n);
	if (rc < 0 || config_check(cfg, err) < 0)
		return nx_err_wrap(err, "config %s", p);
	return 0;
}

const nx_config *ctx_config(nx_ctx *ctx, nx_err *err)
{
	if (ctx->config_loaded)
		return &ctx->config;
	nx_lua *h = ctx_lua(ctx, err);
	if (!h)
		return NULL;
	if (ctx_config_load(h, ctx->opts->config_path, ctx->opts->config_explicit, &ctx->config, err) < 0) {
		config_free(&ctx->config);
		return NULL;
	}
	nxlua_set_limits(h, (size_t)ctx->config.script_memory_limit << 20, ctx->config.script_time_limit);
	ctx->config_loaded = true;
	return &ctx->config;
}

void ctx_free(nx_ctx *ctx)
{
	if (ctx->config_loaded)
		config_free(&ctx->config);
	nxlua_exit(ctx->lua);
	memset(ctx, 0, sizeof *ctx);
}
