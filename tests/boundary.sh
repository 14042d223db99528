#!/bin/sh
# The C<->Lua boundary, checked: every source file outside the bridge
# (src/lua_bridge*.c) and the Lua host (lua_host.c, lua_sandbox.c,
# lua_api.c) must compile without Lua's headers on the include path, so
# none of them can call the Lua API or hold a Lua value. And the one
# allocation policy (src/xalloc.h): no file of src/ calls the C library's
# allocators itself. Closes with "boundary: N passed, N failed".
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

# The allocation policy. xalloc.c is the one caller; a line may be exempt
# with the comment "xalloc: exempt" and its reason (Lua's allocator in
# lua_host.c returns NULL to Lua: a Lua memory error is a Lua error).
# PENDING: the files that were being edited elsewhere when the rest was
# converted (issue 21 row 13); the lead converts them after merging and
# deletes them here (and in tests/e2e/test_adversarial_alloc.sh). Until
# then they are skipped, and counted as skipped.
ALLOC_PENDING="translate.c init_spec.c init_spec.h container_create.c container_ops.c
container_exec.c container_run.c gc.c standin.c ct_enter.c mount_check.c seccomp_plan.c
seccomp_bpf.c lua_bridge_hooks.c lua_host.c lua_bridge_plan.c json.c init/*"
alloc_calls='(^|[^A-Za-z0-9_.>])(malloc|calloc|realloc|reallocarray|strdup|strndup|asprintf|vasprintf)[[:space:]]*\('
skipped=0
for f in src/*.c src/*.h src/init/*.c src/init/*.h; do
	rel=${f#src/}
	[ "$rel" = xalloc.c ] && continue
	pending=false
	for p in $ALLOC_PENDING; do
		# shellcheck disable=SC2254 # p is a pattern (init/*)
		case $rel in $p) pending=true ;; esac
	done
	if $pending; then
		skipped=$((skipped + 1))
		continue
	fi
	# comment lines (" * ...", "// ...") are prose, not calls
	calls=$(grep -nE "$alloc_calls" "$f" | grep -vE '^[0-9]+:[[:space:]]*(\*|//|/\*)' | grep -v 'xalloc: exempt')
	if [ -z "$calls" ]; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "   FAIL $f allocates outside src/xalloc.h (use the x-function):"
		echo "$calls" | head -n 5 | sed 's/^/        /'
	fi
done
echo "   allocation policy: $skipped files pending conversion skipped (ALLOC_PENDING)"
echo "boundary: $pass passed, $failed failed"
[ "$failed" = 0 ]
