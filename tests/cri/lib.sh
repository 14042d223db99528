# Helpers of the CRI suite (sourced by run.sh): the suite's containerd with
# its CRI plugin, the images, the CNI network, the nexcage wrapper and the
# simulator of each nexcage scenario. $S is the suite's directory.
#
# containerd 1.6 (Debian's, CRI plugin built in) runs as a daemon of the
# suite's own: root, state, sockets, CNI config and IPAM under $S, network
# namespaces under its state directory (netns_mounts_under_state_dir), the
# CRI plugin's stream server on a free port of 127.0.0.1. Two runtime
# handlers, both the runc v2 shim: `runc` (Debian's runc) and `nexcage`
# (BinaryName = the wrapper $NXWRAP, which hands nexcage the simulator of
# the current scenario). The shim keeps runtime state in
# /run/containerd/runc/<namespace> machine-wide, whatever containerd's
# state directory (and CRI's namespace is always k8s.io): each handler gets
# a Root of the suite's own instead ($CTRD/root-<handler>/k8s.io).

CTRD=$S/containerd
CRI_SOCK=$CTRD/containerd.sock
export CRI_SOCK
NS=k8s.io
PAUSE_IMG=localhost/nexcage-cri-pause:1
BUSYBOX_IMG=localhost/nexcage-cri-busybox:1
export PAUSE_IMG BUSYBOX_IMG
NXWRAP=$S/nexcage-runtime
CNI_NET=nexcage-cri
CNI_BRIDGE=nxcri0
CNI_SUBNET=10.213.0.0/24
# The pods' cgroups (what a kubelet gives as cgroup_parent), one directory
# per pod under this one in every hierarchy; removed with the suite.
CGROUP_BASE=/nexcage-cri-$$
export CGROUP_BASE
PY=/usr/bin/python3 # Debian's (python3-grpcio, python3-grpc-tools), whatever PATH says
CRI_PY_DIR=$S/py    # the stubs generated from cri.proto
export CRI_PY_DIR

ctr_() { ctr --address "$CRI_SOCK" -n "$NS" "$@"; }

# --- images ----------------------------------------------------------------

# The pause image (tests/cri/pause.c, static) and a busybox image (Debian's
# busybox-static, every applet a symlink, a page for httpd under /www), as
# docker archives imported into containerd's k8s.io namespace.
images_build() {
	local r=$S/pause-rootfs b=$S/busybox-rootfs
	mkdir -p "$r"
	gcc -static -O2 -Wall -Wextra -Werror -o "$r/pause" "$here/pause.c" || return 1
	strip "$r/pause"
	tar --numeric-owner -C "$r" -cf "$S/pause-rootfs.tar" . || return 1
	"$PY" "$here/cri.py" image-archive "$S/pause-rootfs.tar" "$PAUSE_IMG" "$S/pause.tar" \
		'{"Entrypoint": ["/pause"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}' || return 1
	mkdir -p "$b/bin" "$b/etc" "$b/tmp" "$b/root" "$b/www" "$b/proc" "$b/sys" "$b/dev" "$b/mnt"
	cp /bin/busybox "$b/bin/busybox"
	chroot "$b" /bin/busybox --install -s /bin || return 1
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$b/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$b/etc/group"
	echo "hello from the pod" >"$b/www/index.html"
	chmod 1777 "$b/tmp"
	chmod 0700 "$b/root"
	tar --numeric-owner -C "$b" -cf "$S/busybox-rootfs.tar" . || return 1
	"$PY" "$here/cri.py" image-archive "$S/busybox-rootfs.tar" "$BUSYBOX_IMG" "$S/busybox.tar" \
		'{"Cmd": ["/bin/sh"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}' || return 1
}

images_import() {
	ctr_ images import "$S/pause.tar" || return 1
	ctr_ images import "$S/busybox.tar" || return 1
}

# --- containerd with CRI -----------------------------------------------------

free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The nexcage handler's lines are the README's ("Engines", containerd),
# with the wrapper as BinaryName; both handlers get a Root of the suite's.
# restrict_oom_score_adj: this sandbox withholds CAP_SYS_RESOURCE, so no
# runtime may lower a process's oom_score_adj below containerd's own (runc
# fails the pod's sandbox on the -998 CRI asks for); containerd then asks
# for no less than its own. The only change to CRI's behaviour.
containerd_config() {
	cat <<EOF
version = 2
root = "$CTRD/root"
state = "$CTRD/state"
[grpc]
  address = "$CRI_SOCK"
[ttrpc]
  address = "$CRI_SOCK.ttrpc"
[debug]
  address = "$CTRD/debug.sock"
  level = "${CRI_DEBUG_LEVEL:-info}"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMG"
  stream_server_address = "127.0.0.1"
  stream_server_port = "$STREAM_PORT"
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CTRD/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$RUNC"
        Root = "$CTRD/root-runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nexcage]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nexcage.options]
        BinaryName = "$NXWRAP"
        Root = "$CTRD/root-nexcage"
EOF
}

# A bridge network for the pods: bridge + host-local (its allocations under
# $CTRD), no masquerading and no port mappings, so no iptables rule
# (isGateway turns on the host's net.ipv4.ip_forward, as Podman's and
# Docker's default networks do).
cni_config() {
	cat <<EOF
{
  "cniVersion": "0.4.0",
  "name": "$CNI_NET",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$CNI_SUBNET" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$CTRD/cni-ipam"
      }
    }
  ]
}
EOF
}

containerd_start() {
	mkdir -p "$CTRD/net.d"
	STREAM_PORT=$(free_port)
	containerd_config >"$CTRD/config.toml"
	cni_config >"$CTRD/net.d/10-$CNI_NET.conflist"
	[ -e "/sys/class/net/$CNI_BRIDGE" ] || touch "$CTRD/made-bridge"
	containerd --config "$CTRD/config.toml" >"$CTRD/log" 2>&1 &
	echo $! >"$CTRD/pid"
	local n
	for n in $(seq 150); do
		if ctr --address "$CRI_SOCK" version >/dev/null 2>&1 &&
			"$PY" "$here/cri.py" --sock "$CRI_SOCK" call Version '{}' >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "containerd (with CRI) did not come up:" >&2
	tail -40 "$CTRD/log" >&2
	return 1
}

# Remove every pod the suite made (through CRI), stop the daemon and the
# shims it left (found by our socket's path in their command line), unmount
# what is left under $CTRD, then the bridge, the pods' cgroups, the
# handlers' state roots.
containerd_stop() {
	[ -f "$CTRD/pid" ] || return 0
	local pid shims
	pid=$(cat "$CTRD/pid")
	timeout 120 "$PY" "$here/scenarios.py" teardown all >>"$CTRD/teardown.log" 2>&1
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do
		[ -d "/proc/$pid" ] || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	shims=$(ps -eo pid=,args= | awk -v a="$CRI_SOCK" 'index($0, "containerd-shim") && index($0, "-address " a " ") { print $1 }')
	[ -n "$shims" ] && kill -9 $shims 2>/dev/null
	grep -o " $CTRD/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	if [ -f "$CTRD/made-bridge" ]; then
		ip link del "$CNI_BRIDGE" 2>/dev/null
	fi
	cgroups_remove
	rm -f "$CTRD/pid"
}

# The pods' cgroup directories (deepest first), in every hierarchy.
cgroups_remove() {
	local h
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -d "$h${CGROUP_BASE#/}" ] || continue
		find "$h${CGROUP_BASE#/}" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
}

# --- nexcage ---------------------------------------------------------------

# The wrapper the nexcage handler runs (BinaryName): it reads the current
# scenario's simulator from $S/nexcage.env, logs the call in
# $NX_T/runtime-calls.log and runs nexcage with the shim's arguments.
# CRI_NXLOG=1: nexcage runs with --debug, and what it logged (to the
# --log file the shim gives, the bundle's log.json) is copied to
# $NX_T/nexcage.log after each call.
nxwrap_write() {
	cat >"$NXWRAP" <<EOF
#!/bin/sh
. '$S/nexcage.env'
echo "\$(date +%T.%N | cut -c1-12) \$*" >>"\$NX_T/runtime-calls.log"
if [ -z "\${CRI_NXLOG:-}" ]; then
	exec '$NEXCAGE' "\$@"
fi
log=
prev=
for a in "\$@"; do
	[ "\$prev" = --log ] && log=\$a
	prev=\$a
done
size=0
[ -n "\$log" ] && [ -f "\$log" ] && size=\$(stat -c %s "\$log")
'$NEXCAGE' --debug "\$@"
rc=\$?
if [ -n "\$log" ] && [ -f "\$log" ]; then
	{ echo "== \$*"; tail -c +\$((size + 1)) "\$log"; } >>"\$NX_T/nexcage.log"
fi
exit \$rc
EOF
	chmod 0755 "$NXWRAP"
	: >"$S/nexcage.env"
}

# scenario_env: the side's variables (no side effects). For nexcage, a
# simulator root like the e2e tests' in $T.
scenario_env() {
	. "$here/../e2e/lib.sh"
	if [ "$RT" = nexcage ]; then
		SIM="$T/pve"
		export PVE_SIM_ROOT="$SIM" PVE_SIM_NODE=pve NEXCAGE_STATE_DIR="$T/lib" NEXCAGE_CONFIG="$T/config.lua"
	fi
}

scenario_setup() {
	scenario_env
	[ "$RT" = nexcage ] || return 0
	sim_setup
	cat >"$S/nexcage.env" <<EOF
export PVE_SIM_ROOT='$PVE_SIM_ROOT' PVE_SIM_NODE=pve NEXCAGE_CONFIG='$NEXCAGE_CONFIG' NEXCAGE_STATE_DIR='$NEXCAGE_STATE_DIR'
NX_T='$T'
EOF
	[ -n "${NEXCAGE_LUA_PATH:-}" ] && echo "export NEXCAGE_LUA_PATH='$NEXCAGE_LUA_PATH'" >>"$S/nexcage.env"
	[ -n "${CRI_NXLOG:-}" ] && echo "CRI_NXLOG=1" >>"$S/nexcage.env"
	return 0
}

# nothing_left_sim: no CT, LXC container or volume left in the scenario's
# simulator.
nothing_left_sim() {
	local left
	left=$(ls "$SIM/etc/pve/nodes/pve/lxc" 2>/dev/null)
	[ -z "$left" ] || fail "CT configs left in the simulator: $left"
	left=$(lxc-ls -P "$SIM/var/lib/lxc" 2>/dev/null)
	[ -z "$left" ] || fail "LXC containers left: $left"
	left=$(ls "$SIM/var/lib/vz/images" 2>/dev/null)
	[ -z "$left" ] || fail "volumes left: $left"
	return 0
}
