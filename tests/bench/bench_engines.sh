#!/bin/sh
# What engines see: create time against the image size (the rootfs is used
# in place, so it must not grow with it), beside runc and beside the copy
# mode; and `podman run --rm IMG true` through nexcage and through runc.
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
. tests/bench/lib.sh
NEXCAGE=${NEXCAGE:-$REPO/build/nexcage}
RUNS=${BENCH_CREATES:-5}
bench_sim_env || exit 1
cleanup() {
	for b in small big; do
		"$NEXCAGE" --root "$ROOT" delete --force "$b" >/dev/null 2>&1
		runc --root "$T/runc" delete --force "$b" >/dev/null 2>&1
	done
	tests/sim/svcmgr stop
	rm -rf "$T"
}
trap cleanup EXIT
# bundle DIR MB: busybox plus MB of incompressible data
bundle() {
	mkdir -p "$1/rootfs/bin" "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/data"
	cp /bin/busybox "$1/rootfs/bin/"
	ln -s busybox "$1/rootfs/bin/sh"
	ln -s busybox "$1/rootfs/bin/sleep"
	head -c "$(($2 * 1024 * 1024))" /dev/urandom >"$1/rootfs/data/blob"
	cat >"$1/config.json" <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": { "user": { "uid": 0, "gid": 0 }, "args": ["sleep", "600"], "env": ["PATH=/bin"], "cwd": "/" },
  "root": { "path": "rootfs" },
  "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ],
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "uts" }, { "type": "ipc" } ] }
}
JSON
}
bundle "$T/small" 2
bundle "$T/big" 200
config() { # rootfs_mode
	cat >"$T/config.lua" <<LUA
return {
  pct = '$REPO/tests/sim/pct', pvesh = '$REPO/tests/sim/pvesh', node = 'pve',
  pve_etc = '$SIM/etc/pve', pve_lock_dir = '$SIM/run/lock/lxc',
  storage = 'local', template_storage = 'local', template_dir = '$SIM/var/lib/vz/template/cache',
  rootfs_mode = '$1',
}
LUA
	chmod 0644 "$T/config.lua"
}
export NEXCAGE_CONFIG="$T/config.lua"
have_runc=0
ensure_runc && have_runc=1

# create_ms TOOL NAME: mean ms of create (each followed by an untimed delete)
create_ms() {
	total=0
	i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(now_ns)
		if [ "$1" = runc ]; then
			runc --root "$T/runc" create --bundle "$T/$2" "$2" >/dev/null 2>&1 </dev/null
		else
			"$NEXCAGE" --root "$ROOT" create --bundle "$T/$2" "$2" >/dev/null 2>&1 </dev/null
		fi
		e=$(now_ns)
		total=$((total + e - s))
		if [ "$1" = runc ]; then
			runc --root "$T/runc" delete --force "$2" >/dev/null 2>&1
		else
			"$NEXCAGE" --root "$ROOT" delete --force "$2" >/dev/null 2>&1
		fi
		i=$((i + 1))
	done
	awk -v t="$total" -v n="$RUNS" 'BEGIN { printf "%.1f", t / n / 1e6 }'
}

echo "== create time against the rootfs size, mean of $RUNS creates"
config bind
nb_s=$(create_ms nexcage small)
nb_b=$(create_ms nexcage big)
config copy
nc_s=$(create_ms nexcage small)
nc_b=$(create_ms nexcage big)
if [ $have_runc = 1 ]; then
	rc_s=$(create_ms runc small)
	rc_b=$(create_ms runc big)
else
	rc_s=0 rc_b=0
fi
printf '  %-34s %10s %10s %10s\n' "" "2 MB" "200 MB" "200/2"
printf '  %-34s %10s %10s %10s\n' "nexcage (rootfs in place)" "$nb_s" "$nb_b" "$(ratio "$nb_b" "$nb_s")"
printf '  %-34s %10s %10s %10s\n' "nexcage (rootfs_mode copy)" "$nc_s" "$nc_b" "$(ratio "$nc_b" "$nc_s")"
printf '  %-34s %10s %10s %10s\n' "runc" "$rc_s" "$rc_b" "$(ratio "$rc_b" "$rc_s")"
echo "  (ms; target for rootfs in place: 200/2 within 1.2)"

if command -v podman >/dev/null 2>&1 && [ $have_runc = 1 ]; then
	# Podman as Debian ships it (its stock containers.conf, default
	# network); the only change is the ulimits this sandbox's hard limits
	# force, for both runtimes alike. The storage is the bench's own.
	echo "== podman run --rm IMG true (stock Podman), mean of $RUNS runs"
	config bind
	P="$T/podman"
	mkdir -p "$P"
	pod() { podman --root "$P/root" --runroot "$P/run" --tmpdir "$P/tmp" "$@"; }
	ulimits="--ulimit nofile=20000:20000 --ulimit nproc=1000:1000"
	tar -C "$T/small/rootfs" -c bin | pod import - localhost/nexcage-bench >/dev/null 2>&1
	cat >"$P/nexcage" <<SH
#!/bin/sh
export PVE_SIM_ROOT='$SIM' PVE_SIM_NODE=pve NEXCAGE_STATE_DIR='$T/lib' NEXCAGE_CONFIG='$T/config.lua'
exec '$NEXCAGE' "\$@"
SH
	chmod 0755 "$P/nexcage"
	# shellcheck disable=SC2086
	nx_run=$(mean_ms "$RUNS" pod --runtime "$P/nexcage" run --rm $ulimits localhost/nexcage-bench /bin/sh -c true)
	# shellcheck disable=SC2086
	rc_run=$(mean_ms "$RUNS" pod --runtime "$(command -v runc)" run --rm $ulimits localhost/nexcage-bench /bin/sh -c true)
	printf '  nexcage %8s ms   runc %8s ms   nexcage/runc %s\n' "$nx_run" "$rc_run" "$(ratio "$nx_run" "$rc_run")"
	pod rmi -f localhost/nexcage-bench >/dev/null 2>&1
	grep -o " $P/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
fi
