#define _GNU_SOURCE
#include "bundle.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "fsutil.h"

int bundle_load(nx_ctx *ctx, const char *dir, nx_bundle *b, nx_err *err)
{
	memset(b, 0, sizeof *b);
	char abs[PATH_MAX];
	if (!realpath(dir, abs))
		return nx_err_sys(err, errno, "bundle %s", dir);
	nx_lua *h = ctx_lua(ctx, err);
	if (!h)
		return -1;
	char *cfgpath = fs_join(abs, "config.json"), *data = NULL;
	size_t len;
	int rc = fs_read_file(cfgpath, 4 << 20, &data, &len, err);
	free(cfgpath);
	if (rc < 0)
		return -1;
	lua_State *L = lua_host_state(h);
	if (lua_host_require(h, "cjson", err) < 0) {
		free(data);
		return -1;
	}
	lua_getfield(L, -1, "decode");
	lua_remove(L, -2);
	lua_pushlstring(L, data, len);
	free(data);
	if (lua_host_pcall(h, 1, 1, err) < 0)
		return nx_err_wrap(err, "config.json");
	lua_getfield(L, -1, "root");
	lua_getfield(L, -1, "path");
	const char *rp = lua_tostring(L, -1);
	char rootfs[PATH_MAX];
	snprintf(rootfs, sizeof rootfs, "%s/%s", abs, rp ? rp : "rootfs");
	lua_pop(L, 2);
	b->spec_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	b->path = strdup(abs);
	b->rootfs = realpath(rootfs, NULL);
	b->oci_version = strdup("1.3.0");
	if (!b->rootfs)
		return nx_err_sys(err, errno, "root.path %s", rootfs);
	return 0;
}

bool bundle_has_process(nx_ctx *ctx, const nx_bundle *b)
{
	lua_State *L = lua_host_state(ctx->lua);
	lua_rawgeti(L, LUA_REGISTRYINDEX, b->spec_ref);
	lua_getfield(L, -1, "process");
	bool has = lua_istable(L, -1);
	lua_pop(L, 2);
	return has;
}

void bundle_free(nx_ctx *ctx, nx_bundle *b)
{
	free(b->path);
	free(b->rootfs);
	free(b->oci_version);
	memset(b, 0, sizeof *b);
}
