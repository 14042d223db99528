#!/bin/sh
# translate of a config carrying Podman's full default seccomp profile
# (containers-common's seccomp.json as Podman resolves it for amd64):
# process time (task-clock) per run, the target being < 3 ms. Beside it
# the same config without linux.seccomp, so the profile's own cost shows.
set -u
cd "$(dirname "$0")/../.."
NEXCAGE=${NEXCAGE:-$PWD/build/nexcage}
N=${BENCH_RUNS:-300}
PROFILE=/usr/share/containers/seccomp.json
[ -r "$PROFILE" ] || { echo "  $PROFILE missing (golang-github-containers-common)"; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export NEXCAGE_LUA_PATH=/nonexistent
unset NEXCAGE_CONFIG
mkdir -p "$T/plain/rootfs" "$T/seccomp/rootfs"
"$NEXCAGE" spec --bundle "$T/plain" >/dev/null
lua5.4 tests/e2e/podman_seccomp.lua "$PROFILE" amd64 >"$T/profile.json"
lua5.4 -e "
local c = require 'cjson'
local s = c.decode(assert(io.open('$T/plain/config.json')):read('a'))
s.linux.seccomp = c.decode(assert(io.open('$T/profile.json')):read('a'))
assert(io.open('$T/seccomp/config.json', 'w')):write(c.encode(s))"
for b in plain seccomp; do
	"$NEXCAGE" translate --bundle "$T/$b" >/dev/null || { echo "  translate $b failed"; exit 1; }
done
lines=$("$NEXCAGE" translate --bundle "$T/seccomp" --format json | lua5.4 -e \
	"local p = require('cjson').decode(io.read('a')).seccomp; local n = 0; for _ in p:gmatch('\n') do n = n + 1 end; io.write(n)")

# task_ms DIR: mean task-clock ms of N translate runs (perf stat), or of
# user+sys from the shell's times when perf cannot count here.
task_ms() {
	if perf stat -x, -e task-clock -r "$N" "$NEXCAGE" translate --bundle "$1" >/dev/null 2>"$T/perf" &&
		grep -q task-clock "$T/perf"; then
		awk -F, '/task-clock/ { printf "%.3f", $1 }' "$T/perf"
		return
	fi
	out=$( (
		i=0
		while [ $i -lt "$N" ]; do "$NEXCAGE" translate --bundle "$1" >/dev/null 2>&1; i=$((i + 1)); done
		times
	) | tail -n 1)
	echo "$out" | awk -v n="$N" '{ split($1, u, "m"); split($2, s, "m"); sub("s", "", u[2]); sub("s", "", s[2]);
		printf "%.3f", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * 1000 / n }'
}
plain=$(task_ms "$T/plain")
full=$(task_ms "$T/seccomp")
printf '  translate, no seccomp                   %8s ms task-clock (mean of %s)\n' "$plain" "$N"
printf '  translate, Podman default profile       %8s ms task-clock (%s profile lines; target < 3 ms)\n' \
	"$full" "$lines"
# the rule alone, in process (lua5.4 over lua/, os.clock: CPU time)
lua5.4 -e "
package.path = 'lua/?.lua;' .. package.path
package.preload['rules.util'] = function() return require 'nexcage.util' end
local cjson = require 'cjson'
local oci = cjson.decode(assert(io.open('$T/profile.json')):read('a'))
local rule = require 'rules.seccomp'
local n = 500
local t0 = os.clock()
for _ = 1, n do rule.profile(oci, { options = {} }) end
print(string.format('  rules.seccomp alone, in process          %8.3f ms cpu (mean of %d)', (os.clock() - t0) * 1000 / n, n))"
