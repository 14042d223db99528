#!/bin/sh
# pct calls per operation, and what an operation would cost on a real
# Proxmox node: the simulator's wall time without its own pct time, plus
# each pct call at what one costs on a node (issue 20's measurements of
# pve-container's real code: pct create ≈ 1 s, pct start ≈ 1.5–2 s, any
# other call ≈ 1 s of Perl start-up and work, pvesh ≈ 1.7 s). A derived
# figure, not a measurement of a node.
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
. tests/bench/lib.sh
NEXCAGE=${NEXCAGE:-$REPO/build/nexcage}
RUNS=${BENCH_NODE_RUNS:-3}
bench_sim_env || exit 1
cleanup() {
	"$NEXCAGE" --root "$ROOT" delete --force nodebench >/dev/null 2>&1
	tests/sim/svcmgr stop
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/b/rootfs/bin" "$T/b/rootfs/proc" "$T/b/rootfs/dev" "$T/b/rootfs/tmp"
cp /bin/busybox "$T/b/rootfs/bin/"
for c in sh sleep true; do ln -s busybox "$T/b/rootfs/bin/$c"; done
cat >"$T/b/config.json" <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": { "terminal": false, "user": { "uid": 0, "gid": 0 }, "args": ["sleep", "600"],
               "env": ["PATH=/bin"], "cwd": "/" },
  "root": { "path": "rootfs" },
  "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ],
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "uts" }, { "type": "ipc" } ] }
}
JSON
echo '{"memory": {"limit": 268435456}}' >"$T/res.json"
# pct and pvesh through a wrapper that logs each call's subcommand and wall
# time, so the simulator's own share can be taken out
for tool in pct pvesh; do
	cat >"$T/$tool" <<SH
#!/bin/sh
s=\$(date +%s%N)
"$REPO/tests/sim/$tool" "\$@"
rc=\$?
echo "$tool \${1:-} \$(( (\$(date +%s%N) - s) / 1000 ))" >>"$T/calls"
exit \$rc
SH
	chmod 0755 "$T/$tool"
done
cat >"$T/config.lua" <<LUA
return {
  pct = '$T/pct', pvesh = '$T/pvesh', node = 'pve',
  pve_etc = '$SIM/etc/pve', pve_lock_dir = '$SIM/run/lock/lxc',
  lxc_mount_ns = '$SIM/run/pve-sim/svc/mntns',
  storage = 'local', template_storage = 'local', template_dir = '$SIM/var/lib/vz/template/cache',
}
LUA
chmod 0644 "$T/config.lua"
export NEXCAGE_CONFIG="$T/config.lua"
# a node has its /etc/pve (.vmlist included) before anything runs
PVE_SIM_ROOT="$SIM" tests/sim/pct list >/dev/null
: >"$T/calls"

# a node's cost of one call, in ms
node_ms() { # tool subcommand
	case "$1 $2" in
	"pct create") echo 1000 ;;
	"pct start") echo 1750 ;;
	"pvesh "*) echo 1700 ;;
	*) echo 1000 ;;
	esac
}

# run OP ARGS...: one nexcage operation; adds its wall time, its pct calls
# (and their simulator time, and a node's) to the OP's totals
run() {
	op=$1
	shift
	n0=$(wc -l <"$T/calls")
	s=$(now_ns)
	"$NEXCAGE" --root "$ROOT" "$@" >/dev/null 2>&1 </dev/null
	e=$(now_ns)
	tail -n +$((n0 + 1)) "$T/calls" >"$T/new"
	calls=$(grep -c . "$T/new")
	sim_us=$(awk '{ s += $3 } END { print s + 0 }' "$T/new")
	node=0
	while read -r tool sub _; do node=$((node + $(node_ms "$tool" "$sub"))); done <"$T/new"
	names=$(awk '{ printf "%s%s", (NR > 1 ? "," : ""), ($1 == "pvesh" ? "pvesh" : $2) }' "$T/new")
	echo "$op $(((e - s) / 1000)) $calls $sim_us $node ${names:--}" >>"$T/ops"
}

: >"$T/ops"
i=0
while [ $i -lt "$RUNS" ]; do
	run create create --bundle "$T/b" nodebench
	run start start nodebench
	run state state nodebench
	run pause pause nodebench
	run resume resume nodebench
	run exec exec nodebench true
	run update update --resources "$T/res.json" nodebench
	run kill kill nodebench KILL
	sleep 0.3
	run delete delete --force nodebench
	i=$((i + 1))
done

echo "== per operation, mean of $RUNS: pct calls, simulator, a real node (derived)"
printf '  %-8s %-24s %12s %14s %16s\n' op "pct calls" "sim ms" "sim pct ms" "node ≈ ms"
awk -v runs="$RUNS" '
	{ op[NR] = $1; wall[$1] += $2; n[$1] = $3; sim[$1] += $4; node[$1] += $5; names[$1] = $6
	  if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
	END {
		for (i = 1; i <= k; i++) {
			o = order[i]; w = wall[o] / runs / 1000; s = sim[o] / runs / 1000; d = node[o] / runs
			printf "  %-8s %-24s %12.1f %14.1f %16.0f\n", o, n[o] " (" names[o] ")", w, s, w - s + d
			tw += w; ts += s; td += w - s + d
		}
		printf "  %-8s %-24s %12.1f %14.1f %16.0f\n", "all", "", tw, ts, td
	}' "$T/ops"
echo "  (node ≈ = sim ms - sim pct ms + each call at a node's cost: create 1000, start 1750, others 1000, pvesh 1700)"
