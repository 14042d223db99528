#!/bin/sh
# The lifecycle beside runc on the same busybox bundle, in one run: wall time
# of `state` and of a full create/start/kill/delete cycle, and the pct calls
# each operation makes (each costs hundreds of ms on a real Proxmox node).
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
. tests/bench/lib.sh
NEXCAGE=${NEXCAGE:-$REPO/build/nexcage}
N=${BENCH_RUNS:-300}
CYCLES=${BENCH_CYCLES:-5}
bench_sim_env || exit 1
cleanup() {
	"$NEXCAGE" --root "$ROOT" delete --force bench >/dev/null 2>&1
	runc --root "$T/runc" delete --force bench >/dev/null 2>&1
	tests/sim/svcmgr stop
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/b/rootfs/bin" "$T/b/rootfs/proc" "$T/b/rootfs/dev" "$T/b/rootfs/tmp"
cp /bin/busybox "$T/b/rootfs/bin/"
ln -s busybox "$T/b/rootfs/bin/sh"
ln -s busybox "$T/b/rootfs/bin/sleep"
cat >"$T/b/config.json" <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": { "terminal": false, "user": { "uid": 0, "gid": 0 }, "args": ["sleep", "600"],
               "env": ["PATH=/bin"], "cwd": "/" },
  "root": { "path": "rootfs" },
  "hostname": "bench",
  "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ],
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "uts" }, { "type": "ipc" } ] }
}
JSON
cat >"$T/config.lua" <<LUA
return {
  pct = '$REPO/tests/sim/pct', pvesh = '$REPO/tests/sim/pvesh', node = 'pve',
  pve_etc = '$SIM/etc/pve', pve_lock_dir = '$SIM/run/lock/lxc',
  storage = 'local', template_storage = 'local', template_dir = '$SIM/var/lib/vz/template/cache',
}
LUA
chmod 0644 "$T/config.lua"
export NEXCAGE_CONFIG="$T/config.lua"
have_runc=0
ensure_runc && have_runc=1

# the simulator logs pvesh calls too; only pct ones are counted (the first
# create in an empty cluster asks pvesh for the VMIDs once: no .vmlist yet)
calls() { [ -f "$SIM/pct-calls.log" ] && grep -c '^\["pct"' "$SIM/pct-calls.log" || echo 0; }
nxc() { "$NEXCAGE" --root "$ROOT" "$@" >/dev/null 2>&1; }

echo "== pct calls per operation (simulator call log)"
c0=$(calls); nxc create --bundle "$T/b" bench; c1=$(calls)
nxc state bench; c2=$(calls)
nxc start bench; c3=$(calls)
nxc kill bench KILL; c4=$(calls)
sleep 0.5
nxc delete bench; c5=$(calls)
printf '  create %s   start %s   state %s   kill %s   delete %s   (targets: <=2, <=1, 0, 0, <=2)\n' \
	$((c1 - c0)) $((c3 - c2)) $((c2 - c1)) $((c4 - c3)) $((c5 - c4))

echo "== state of a created container, mean of $N runs"
nxc create --bundle "$T/b" bench
nx_state=$(mean_ms "$N" "$NEXCAGE" --root "$ROOT" state bench)
nxc delete --force bench
if [ $have_runc = 1 ]; then
	runc --root "$T/runc" create --bundle "$T/b" bench >/dev/null 2>&1 </dev/null
	rc_state=$(mean_ms "$N" runc --root "$T/runc" state bench)
	runc --root "$T/runc" delete --force bench >/dev/null 2>&1
else
	rc_state=0
fi
printf '  nexcage %8s ms   runc %8s ms   nexcage/runc %s (target <= 0.33)\n' "$nx_state" "$rc_state" "$(ratio "$nx_state" "$rc_state")"

cycle_nexcage() {
	nxc create --bundle "$T/b" bench && nxc start bench && nxc kill bench KILL && nxc delete --force bench
}
cycle_runc() {
	runc --root "$T/runc" create --bundle "$T/b" bench >/dev/null 2>&1 </dev/null &&
		runc --root "$T/runc" start bench && runc --root "$T/runc" kill bench KILL &&
		runc --root "$T/runc" delete --force bench >/dev/null 2>&1
}
echo "== create/start/kill/delete cycle, mean of $CYCLES cycles"
nx_cycle=$(mean_ms "$CYCLES" cycle_nexcage)
[ $have_runc = 1 ] && rc_cycle=$(mean_ms "$CYCLES" cycle_runc) || rc_cycle=0
printf '  nexcage %8s ms   runc %8s ms   nexcage/runc %s\n' "$nx_cycle" "$rc_cycle" "$(ratio "$nx_cycle" "$rc_cycle")"
echo "  (nexcage's cycle includes the simulator's pct, which forks LXC tools; a real pct adds a Perl start per call)"
