#!/bin/sh
# Run every suite of `make check` and close with one "N passed, N failed"
# line summing them. Each suite prints its own "<name>: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
total_pass=0
total_fail=0
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() {
	name=$1
	shift
	echo "== $name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -nE 's/^(.*[^0-9])?([0-9]+) passed.*/\2/p')
		f=$(echo "$line" | sed -nE 's/.*passed, ([0-9]+) failed.*/\1/p')
	else # busted: "N successes / N failures / N errors / N pending"
		line=$(grep -E '[0-9]+ successes / [0-9]+ failures / [0-9]+ errors' "$log" | tail -n 1)
		p=$(echo "$line" | sed -nE 's/^([0-9]+) successes.*/\1/p')
		f=$(echo "$line" | awk -F' / ' '{ split($2, a, " "); split($3, b, " "); print a[1] + b[1] }')
	fi
	p=${p:-0}
	f=${f:-0}
	# A suite that failed without saying so still counts as a failure.
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$rc" != 0 ] && status=1
	return 0
}

run_suite unit build/unit-tests
run_suite unit-asan build-asan/unit-tests
run_suite boundary sh tests/boundary.sh
run_suite layers sh tests/layers.sh
run_suite spec lua5.4 /usr/bin/busted -o utfTerminal spec
[ -x tests/sim/run-tests ] && run_suite sim tests/sim/run-tests
run_suite corpus env NEXCAGE="$PWD/build-asan/nexcage" lua5.4 tests/corpus/podman.lua
[ -f tests/e2e/run.sh ] && run_suite e2e env NEXCAGE="$PWD/build-asan/nexcage" sh tests/e2e/run.sh
[ -x tests/engines/run.sh ] && run_suite engines env NEXCAGE="$PWD/build-asan/nexcage" tests/engines/run.sh
# The package make deb builds (optimised, PREFIX=/usr), installed into a
# scratch root; the demo and Podman run from it.
[ -f tests/deb/run.sh ] && run_suite deb sh tests/deb/run.sh
[ -x tests/cri/run.sh ] && run_suite cri env NEXCAGE="$PWD/build-asan/nexcage" tests/cri/run.sh

echo "check: $total_pass passed, $total_fail failed"
exit $status
