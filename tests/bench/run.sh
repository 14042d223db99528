#!/bin/sh
# make bench: nexcage beside runc, measured in the same run.
set -u
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
NEXCAGE=${NEXCAGE:-$PWD/build/nexcage}
N=${BENCH_RUNS:-300}
ensure_runc || echo "bench: runc not installable here; its columns are empty"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== state on a missing id (no Lua, no pct), mean of $N runs"
nx=$(mean_ms "$N" "$NEXCAGE" --root "$tmp/nx" state missing-id)
if command -v runc >/dev/null 2>&1; then
	rc=$(mean_ms "$N" runc --root "$tmp/runc" state missing-id)
else
	rc=0
fi
base=$(mean_ms "$N" /bin/true)
printf '  %-28s %8s ms\n' "nexcage state" "$nx" "runc state" "$rc" "/bin/true (fork+exec floor)" "$base"
echo "  ratio nexcage/runc: $(ratio "$nx" "$rc")"

for b in tests/bench/bench_*.sh; do
	[ -f "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	NEXCAGE="$NEXCAGE" sh "$b"
done
