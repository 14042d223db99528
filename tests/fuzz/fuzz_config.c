/* libFuzzer target: config.json checking, decoding, normalising and
 * validating (bundle_decode) on arbitrary bytes, in a bundle directory
 * with an empty rootfs/ so valid configs reach the end. Besides what the
 * sanitizers catch, it asserts the invariants callers rely on: the Lua
 * stack is left as it was, a success yields a spec table, a failure a
 * message whose every line starts with "config.json: " and holds no
 * control character (hostile values are escaped).
 * Run with `make fuzz` (FUZZ_SECONDS, default 60). */
#define _GNU_SOURCE
#include <lauxlib.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bundle_load.h"
#include "luahost/lua_host_internal.h"
#include "bridge/lua_bridge_internal.h"
#include "luahost/lua_host.h"

static nx_lua *host;
static char bundle[PATH_MAX], rootfs[PATH_MAX + 8];

static void cleanup(void)
{
	rmdir(rootfs);
	rmdir(bundle);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char tmp[] = "/tmp/nexcage-fuzz-XXXXXX";
	if (!mkdtemp(tmp) || !realpath(tmp, bundle))
		abort();
	snprintf(rootfs, sizeof rootfs, "%s/rootfs", bundle);
	if (mkdir(rootfs, 0755) < 0)
		abort();
	atexit(cleanup);
	nx_err err = {0};
	nx_lua_settings s = {.mem_limit = 256u << 20, .time_limit = 5};
	host = nxlua_new(&s, &err);
	if (!host)
		abort();
	return 0;
}

static void check_message(const char *msg)
{
	if (strncmp(msg, "config.json: ", 13))
		abort();
	for (const char *p = msg; *p; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\n')
			abort();
		if (*p == '\n' && strncmp(p + 1, "config.json: ", 13))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lua_State *L = nxlua_state(host);
	nx_err err = {0};
	nx_bundle b;
	spec_report report = {0};
	if (bundle_decode(host, (const char *)data, size, bundle, &b, &report, &err) == 0) {
		if (report.count || !b.spec || !b.oci_version || b.rootfs[0] != '/')
			abort();
		bridge_spec_push(L, b.spec);
		if (!lua_istable(L, -1))
			abort();
		lua_pop(L, 1);
		bundle_free(&b);
	} else {
		check_message(err.msg);
	}
	spec_report_free(&report);
	if (lua_gettop(L) != 0)
		abort();
	/* A full collection after each input returns Lua's memory, so
	 * libFuzzer's per-input leak check (malloc/free balance, then LSan)
	 * stays on: a leaked registry ref or C allocation shows. */
	lua_gc(L, LUA_GCCOLLECT, 0);
	return 0;
}
