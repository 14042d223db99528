#include "context.h"

#include <string.h>

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

const nx_config *ctx_config(nx_ctx *ctx, nx_err *err)
{
	if (ctx->config_loaded)
		return &ctx->config;
	nx_lua *h = ctx_lua(ctx, err);
	if (!h)
		return NULL;
	if (config_load(h, ctx->opts->config_path, ctx->opts->config_explicit, &ctx->config, err) < 0) {
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
