/* libFuzzer target: config.json decoding and validation (bundle_decode)
 * on arbitrary bytes. Run with `make fuzz` (FUZZ_SECONDS, default 60). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundle.h"
#include "lua_host.h"

static nx_lua *host;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nx_err err = {0};
	if (!host) {
		nx_lua_settings s = {.mem_limit = 256u << 20, .time_limit = 5};
		host = lua_host_new(&s, &err);
		if (!host)
			abort();
	}
	lua_State *L = lua_host_state(host);
	char rootfs[4096];
	if (bundle_decode(host, (const char *)data, size, "/tmp", rootfs, sizeof rootfs, &err) == 0)
		lua_pop(L, 1);
	/* Any way through must leave the stack as it was. */
	if (lua_gettop(L) != 0)
		abort();
	lua_gc(L, LUA_GCCOLLECT, 0);
	return 0;
}
