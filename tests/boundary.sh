#!/bin/sh
# The C<->Lua boundary, checked: every source file outside the bridge
# (src/bridge/) and the Lua host (src/luahost/) must compile without Lua's
# headers on the include path, so none of them can call the Lua API or
# hold a Lua value. (Which layer may include which is tests/layers.sh.)
# And the one allocation policy (src/util/xalloc.h): no file of src/
# calls the C library's allocators itself. Closes with
# "boundary: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
CC=${CC:-gcc}
B=${B:-build}
[ -f "$B/paths.h" ] || { echo "boundary: run make first ($B/paths.h missing)"; exit 1; }
sd=$(pkg-config --cflags libsystemd 2>/dev/null)
pass=0
failed=0
for f in src/*/*.c; do
	case $f in
	src/bridge/* | src/luahost/* | src/init/* | src/tools/*) continue ;;
	esac
	if out=$($CC -std=gnu17 -fsyntax-only -Isrc -I"$B" $sd "$f" 2>&1); then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "   FAIL $f needs Lua:"
		echo "$out" | grep -m3 -E 'error' | sed 's/^/        /'
	fi
done

# The allocation policy. xalloc.c is the one caller; a line may be exempt
# with the comment "xalloc: exempt" and its reason (Lua's allocator in
# luahost/lua_host.c returns NULL to Lua: a Lua memory error is a Lua error).
# nexcage-init is a static program of its own, with its own policy
# (die_msg("out of memory")), and links no xalloc.c: skipped, and counted.
alloc_calls='(^|[^A-Za-z0-9_.>])(malloc|calloc|realloc|reallocarray|strdup|strndup|asprintf|vasprintf)[[:space:]]*\('
skipped=0
for f in src/*/*.c src/*/*.h; do
	rel=${f#src/}
	case $rel in util/xalloc.c | tools/*) continue ;; esac
	case $rel in init/*)
		skipped=$((skipped + 1))
		continue
		;;
	esac
	# comment lines (" * ...", " */", "// ...") are prose, not calls; a
	# line that starts with a dereference ("*fds = calloc(") is code
	calls=$(grep -nE "$alloc_calls" "$f" | grep -vE '^[0-9]+:[[:space:]]*(\*([[:space:]/]|$)|//|/\*)' | grep -v 'xalloc: exempt')
	if [ -z "$calls" ]; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "   FAIL $f allocates outside src/util/xalloc.h (use the x-function):"
		echo "$calls" | head -n 5 | sed 's/^/        /'
	fi
done
echo "   allocation policy: $skipped files of nexcage-init skipped (its own policy)"
echo "boundary: $pass passed, $failed failed"
[ "$failed" = 0 ]
