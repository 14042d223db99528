#!/bin/sh
# The C<->Lua boundary, checked: every source file outside the bridge
# (src/lua_bridge*.c) and the Lua host (lua_host.c, lua_sandbox.c,
# lua_api.c) must compile without Lua's headers on the include path, so
# none of them can call the Lua API or hold a Lua value. Closes with
# "boundary: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
CC=${CC:-gcc}
B=${B:-build}
[ -f "$B/paths.h" ] || { echo "boundary: run make first ($B/paths.h missing)"; exit 1; }
sd=$(pkg-config --cflags libsystemd 2>/dev/null)
pass=0
failed=0
for f in src/*.c; do
	case $(basename "$f") in
	lua_bridge*.c | lua_host.c | lua_sandbox.c | lua_api.c) continue ;;
	esac
	if out=$($CC -std=gnu17 -fsyntax-only -Isrc -I"$B" $sd "$f" 2>&1); then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "   FAIL $f needs Lua:"
		echo "$out" | grep -m3 -E 'error' | sed 's/^/        /'
	fi
done
echo "boundary: $pass passed, $failed failed"
[ "$failed" = 0 ]
