#!/bin/sh
# Parsing + validating a full config.json, the target being < 1 ms of
# process time:
#  1. in process (tests/bench/bench_bundle.c on build/'s objects):
#     bundle_decode alone, first call and steady state;
#  2. whole processes: `nexcage validate` beside the process floor
#     (`nexcage state` on a missing id: no Lua), user+sys time;
#  and translating it (validate + the Lua rules).
# The config is BENCH_CONFIG, default tests/fixtures/config/good/every-field.json
# (every runtime-spec field; point BENCH_CONFIG at the spec's own example
# to measure that one).
set -u
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
NEXCAGE=${NEXCAGE:-$PWD/build/nexcage}
N=${BENCH_RUNS:-300}
CONFIG=${BENCH_CONFIG:-tests/fixtures/config/good/every-field.json}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/b/rootfs"
cp "$CONFIG" "$T/b/config.json"
# the shipped rules and defaults only
export NEXCAGE_LUA_PATH=/nonexistent
unset NEXCAGE_CONFIG

# 1. in process, against the objects `make` built
# (the Makefile's CORE_OBJS: one object per .c of the layers below cli/)
objs="build/obj/embedded.o build/obj/init_blob.o"
for c in src/*/*.c; do
	case $c in src/cli/* | src/init/* | src/tools/*) continue ;; esac
	c=${c#src/}
	objs="$objs build/obj/${c%.c}.o"
done
libdir=$(pkg-config --variable=libdir lua5.4)
if [ -n "$objs" ] && ${CC:-cc} -std=gnu17 -O2 $(pkg-config --cflags lua5.4) -Isrc -Ibuild \
	-o "$T/bench_bundle" tests/bench/bench_bundle.c $objs \
	"$libdir/liblua5.4-cjson.a" "$libdir/liblua5.4.a" "$(pkg-config --variable=libdir libseccomp)/libseccomp.a" \
	-lm -ldl 2>"$T/cc.log"; then
	printf '  in process, %s\n    ' "$(basename "$CONFIG")"
	"$T/bench_bundle" "$T/b/config.json" "${BENCH_DECODES:-5000}"
else
	echo "  in process: not built ($(head -n 1 "$T/cc.log"))"
fi

# cpu_ms N CMD...: mean user+sys ms per run, from the shell's own times
cpu_ms() {
	n=$1
	shift
	out=$( (
		i=0
		while [ $i -lt "$n" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
		times
	) | tail -n 1)
	echo "$out" | awk -v n="$n" '{
		split($1, u, "m"); split($2, s, "m");
		sub("s", "", u[2]); sub("s", "", s[2]);
		printf "%.3f", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * 1000 / n }'
}

# 2. whole processes
"$NEXCAGE" validate --bundle "$T/b" >/dev/null || exit 1
floor=$(cpu_ms "$N" "$NEXCAGE" --root "$T/r" state missing)
validate=$(cpu_ms "$N" "$NEXCAGE" validate --bundle "$T/b")
translate=$(cpu_ms "$N" "$NEXCAGE" translate --bundle "$T/b")
printf '  process floor (state, no Lua)          %8s ms cpu\n' "$floor"
printf '  validate full config                   %8s ms cpu  (minus floor: %s ms; target < 1 ms)\n' "$validate" \
	"$(awk -v a="$validate" -v b="$floor" 'BEGIN { printf "%.3f", a - b }')"
printf '  translate full config (validate + rules) %6s ms cpu  (minus validate: %s ms; target < 2 ms)\n' \
	"$translate" "$(awk -v a="$translate" -v b="$validate" 'BEGIN { printf "%.3f", a - b }')"
