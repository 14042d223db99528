#!/bin/sh
# Parsing + validating, and translating, the full config fixture: whole
# process time (user+sys) of `nexcage validate` / `nexcage translate`,
# beside the process floor (`nexcage state` on a missing id, no Lua).
set -u
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
NEXCAGE=${NEXCAGE:-$PWD/build/nexcage}
N=${BENCH_RUNS:-300}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/b/rootfs"
cp spec/fixtures/full-config.json "$T/b/config.json"
# the shipped rules and defaults only
export NEXCAGE_LUA_PATH=/nonexistent
unset NEXCAGE_CONFIG

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

floor=$(cpu_ms "$N" "$NEXCAGE" --root "$T/r" state missing)
validate=$(cpu_ms "$N" "$NEXCAGE" validate --bundle "$T/b")
translate=$(cpu_ms "$N" "$NEXCAGE" translate --bundle "$T/b")
printf '  process floor (state, no Lua)          %8s ms cpu\n' "$floor"
printf '  validate full config                   %8s ms cpu  (minus floor: %s ms; target < 1 ms)\n' "$validate" \
	"$(awk -v a="$validate" -v b="$floor" 'BEGIN { printf "%.3f", a - b }')"
printf '  translate full config (validate + rules) %6s ms cpu  (minus validate: %s ms; target < 2 ms)\n' \
	"$translate" "$(awk -v a="$translate" -v b="$validate" 'BEGIN { printf "%.3f", a - b }')"
