#!/bin/sh
# The main job: the busybox example bundle through the whole OCI lifecycle
# with nexcage, on the Proxmox simulator (tests/sim) where no Proxmox runs,
# or on the real node when `pct` is there and NEXCAGE_DEMO_REAL=1.
set -eu
cd "$(dirname "$0")/.."
REPO=$PWD
NEXCAGE=${NEXCAGE:-$REPO/build/nexcage}
work=$(mktemp -d /tmp/nexcage-demo-XXXXXX)
chmod 0755 "$work"
SIM="$work/pve"
ROOT="$work/run"
OUT=/tmp/nexcage-demo-out
cleanup() {
	"$NEXCAGE" --root "$ROOT" delete --force demo >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
nx() { echo "\$ nexcage $*"; "$NEXCAGE" --root "$ROOT" "$@"; }

step "bundle: examples/busybox/config.json + a busybox root filesystem"
mkdir -p "$work/bundle/rootfs/bin" "$OUT"
chmod 0777 "$OUT"
rm -f "$OUT/hello.txt"
for d in proc sys dev tmp etc out; do mkdir -p "$work/bundle/rootfs/$d"; done
cp /bin/busybox "$work/bundle/rootfs/bin/"
for c in sh echo cat sleep hostname ls ps env; do ln -s busybox "$work/bundle/rootfs/bin/$c"; done
cp examples/busybox/config.json "$work/bundle/"

if [ "${NEXCAGE_DEMO_REAL:-0}" != 1 ]; then
	step "Proxmox: the simulator in $SIM (pct/pvesh backed by real LXC)"
	mkdir -p "$SIM"
	export PVE_SIM_ROOT="$SIM" PVE_SIM_NODE=pve NEXCAGE_STATE_DIR="$work/lib"
	# the simulator's systemd: pct start has it run lxc-start (docs/simulator.md);
	# it exits by itself once $SIM is removed
	"$REPO/tests/sim/svcmgr" start || exit 1
	cat >"$work/config.lua" <<LUA
return {
  pct = '$REPO/tests/sim/pct', pvesh = '$REPO/tests/sim/pvesh', node = 'pve',
  pve_etc = '$SIM/etc/pve', pve_lock_dir = '$SIM/run/lock/lxc',
  storage = 'local', template_storage = 'local',
  template_dir = '$SIM/var/lib/vz/template/cache',
}
LUA
	chmod 0644 "$work/config.lua"
	export NEXCAGE_CONFIG="$work/config.lua"
fi

step "the plan the Lua rules make of the bundle (dry run)"
nx translate --bundle "$work/bundle" --format pct demo

step "create: the CT exists, its process is held, the program has not run"
nx create --bundle "$work/bundle" --pid-file "$work/demo.pid" demo
nx state demo
echo "pid file: $(cat "$work/demo.pid")"
[ ! -e "$OUT/hello.txt" ] && echo "no output yet: the program waits for start"

step "start: the program runs as the container's pid 1"
nx start demo
i=0
while [ ! -s "$OUT/hello.txt" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
echo "output: $(cat "$OUT/hello.txt")"
nx exec demo sh -c 'echo "exec sees: hostname=$(hostname) GREETING=$GREETING"'
nx list

step "kill, then delete: nothing is left behind"
nx kill demo KILL
sleep 1
nx state demo | grep '"status"'
nx delete demo
if [ "${NEXCAGE_DEMO_REAL:-0}" != 1 ]; then
	echo "CT configs left in the simulator: $(ls "$SIM/etc/pve/nodes/pve/lxc" | wc -l)"
	echo "pct calls made (create, start, exec, destroy): $(grep -c '^\["pct"' "$SIM/pct-calls.log")"
fi
step "done"
