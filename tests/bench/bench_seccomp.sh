#!/bin/sh
# What linux.seccomp adds to create, beside runc in the same run: Podman's
# default profile (containers-common's seccomp.json as Podman resolves it
# for amd64, ~440 rules) against the same config without linux.seccomp.
#  1. translate, whole process (task-clock, perf stat -r N): create builds
#     its plan through the same plan_build (the rule, the plan's check, the
#     libseccomp compile, all before any pct call), so the difference is
#     the CPU the profile adds to create (create then writes one file);
#  2. in process (tests/bench/bench_seccomp.c on build/'s objects): the
#     plan's check and the compile alone, and the program's size;
#  3. the rule alone (lua5.4 over lua/, os.clock);
#  4. runc: the create/start/delete cycle of the same two bundles, in
#     task-clock (runc compiles and loads the profile in its init, at create
#     or at start); its difference is what the profile costs runc, and the
#     ratio compares the two additions.
set -u
cd "$(dirname "$0")/../.."
. tests/bench/lib.sh
NEXCAGE=${NEXCAGE:-$PWD/build/nexcage}
N=${BENCH_RUNS:-300}
CYCLES=${BENCH_CYCLES:-20}
PROFILE=/usr/share/containers/seccomp.json
[ -r "$PROFILE" ] || { echo "  $PROFILE missing (golang-github-containers-common)"; exit 0; }
T=$(mktemp -d)
chmod 0755 "$T"
cleanup() {
	runc --root "$T/runc" delete --force bench >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
export NEXCAGE_LUA_PATH=/nonexistent
unset NEXCAGE_CONFIG
for b in plain seccomp; do
	mkdir -p "$T/$b/rootfs/bin" "$T/$b/rootfs/proc" "$T/$b/rootfs/dev" "$T/$b/rootfs/tmp"
	cp /bin/busybox "$T/$b/rootfs/bin/"
	ln -s busybox "$T/$b/rootfs/bin/sh"
	ln -s busybox "$T/$b/rootfs/bin/sleep"
done
"$NEXCAGE" spec --bundle "$T/plain" >/dev/null
lua5.4 tests/e2e/podman_seccomp.lua "$PROFILE" amd64 >"$T/profile.json"
lua5.4 -e "
local c = require 'cjson'
local s = c.decode(assert(io.open('$T/plain/config.json')):read('a'))
s.process.terminal = false
s.process.args = { 'sleep', '600' }
assert(io.open('$T/plain/config.json', 'w')):write(c.encode(s))
s.linux.seccomp = c.decode(assert(io.open('$T/profile.json')):read('a'))
assert(io.open('$T/seccomp/config.json', 'w')):write(c.encode(s))"
for b in plain seccomp; do
	"$NEXCAGE" translate --bundle "$T/$b" >/dev/null || { echo "  translate $b failed"; exit 1; }
done
"$NEXCAGE" translate --bundle "$T/seccomp" --format json | lua5.4 -e "
	local s = require('cjson').decode(io.read('a')).seccomp
	assert(io.open('$T/filter.txt', 'w')):write(table.concat(s.filter, '\n') .. '\n')"
lines=$(wc -l <"$T/filter.txt")

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
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

# 1. whole processes
plain=$(task_ms "$T/plain")
full=$(task_ms "$T/seccomp")
nx_added=$(sub "$full" "$plain")
printf '  translate, no seccomp                   %8s ms task-clock (mean of %s)\n' "$plain" "$N"
printf '  translate, Podman default profile       %8s ms task-clock (%s filter lines)\n' "$full" "$lines"
printf '  added to create by the profile          %8s ms cpu (rule + check + compile, before pct)\n' "$nx_added"

# 2. in process, against the objects `make` built (the Makefile's CORE_OBJS
# that the compile needs)
objs="build/obj/plan/seccomp_bpf.o build/obj/plan/seccomp_plan.o build/obj/util/error.o build/obj/util/fsutil.o build/obj/util/strv.o build/obj/util/xalloc.o"
if ${CC:-cc} -std=gnu17 -O2 -Isrc -o "$T/bench_seccomp" tests/bench/bench_seccomp.c $objs \
	build/libseccomp-x.a 2>"$T/cc.log"; then
	set -- $("$T/bench_seccomp" "$T/filter.txt" "${BENCH_COMPILES:-500}")
	printf '  in process: plan check %s ms, compile %s ms cpu (%s BPF instructions)\n' "$1" "$2" "$3"
else
	echo "  in process: not built ($(head -n 1 "$T/cc.log"))"
fi

# 3. the rule alone, in process (lua5.4 over lua/, os.clock: CPU time)
lua5.4 -e "
package.path = 'lua/?.lua;' .. package.path
local cjson = require 'cjson'
local oci = cjson.decode(assert(io.open('$T/profile.json')):read('a'))
local rule = require 'rules.seccomp'
local n = 500
local t0 = os.clock()
for _ = 1, n do rule.profile(oci) end
print(string.format('  rules.seccomp alone, in process          %8.3f ms cpu (mean of %d)', (os.clock() - t0) * 1000 / n, n))"

# 4. runc, the named peer
if ! ensure_runc; then
	echo "  runc: not installed, no ratio"
	exit 0
fi
# cycle_ms DIR: mean task-clock ms of runc create + start + delete --force
# (runc's init included: perf counts the children, which the delete reaps),
# or mean wall ms when perf cannot count here.
cycle_ms() {
	cycle="runc --root $T/runc create --bundle $1 bench </dev/null >/dev/null 2>&1 &&
		runc --root $T/runc start bench >/dev/null 2>&1; runc --root $T/runc delete --force bench >/dev/null 2>&1"
	if perf stat -x, -e task-clock -r "$CYCLES" sh -c "$cycle" >/dev/null 2>"$T/perf" &&
		grep -q task-clock "$T/perf"; then
		awk -F, '/task-clock/ { printf "%.3f", $1 }' "$T/perf"
		return
	fi
	start=$(now_ns)
	i=0
	while [ $i -lt "$CYCLES" ]; do
		sh -c "$cycle"
		i=$((i + 1))
	done
	awk -v s="$start" -v e="$(now_ns)" -v n="$CYCLES" 'BEGIN { printf "%.3f", (e - s) / n / 1e6 }'
}
runc --root "$T/runc" create --bundle "$T/seccomp" bench </dev/null >/dev/null 2>"$T/runc.err" ||
	{ echo "  runc create failed: $(head -n 1 "$T/runc.err")"; exit 0; }
runc --root "$T/runc" delete --force bench >/dev/null 2>&1
# interleaved halves, so a drift of the machine hits both bundles alike
r1=$(cycle_ms "$T/plain")
s1=$(cycle_ms "$T/seccomp")
s2=$(cycle_ms "$T/seccomp")
r2=$(cycle_ms "$T/plain")
rplain=$(awk -v a="$r1" -v b="$r2" 'BEGIN { printf "%.3f", (a + b) / 2 }')
rfull=$(awk -v a="$s1" -v b="$s2" 'BEGIN { printf "%.3f", (a + b) / 2 }')
runc_added=$(sub "$rfull" "$rplain")
printf '  runc create/start/delete, no seccomp    %8s ms task-clock (mean of %s)\n' "$rplain" "$((2 * CYCLES))"
printf '  runc create/start/delete, Podman profile %7s ms task-clock\n' "$rfull"
printf '  added to runc by the profile            %8s ms cpu (its compile and load)\n' "$runc_added"
echo "  ratio of the additions nexcage/runc: $(ratio "$nx_added" "$runc_added")"
