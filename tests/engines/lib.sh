# Helpers of the engines suite (sourced by run.sh). $S is the suite's
# directory (image, Podman storage, containerd daemon); each scenario runs in
# a subshell with its own $T and $RT (runc or nexcage).

IMG=localhost/nexcage-busybox:latest
CTR_NS=nexcage-engines-$$ # the shim keeps runtime state per namespace, machine-wide
CTRD=$S/containerd
CTR_SOCK=$CTRD/containerd.sock

# --- the image ---------------------------------------------------------------

# A busybox rootfs from Debian's busybox-static, every applet a symlink,
# a page for httpd under /www; imported into Podman, saved for containerd.
image_build() {
	local r=$S/rootfs
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root" "$r/www" "$r/proc" "$r/sys" "$r/dev"
	cp /bin/busybox "$r/bin/busybox"
	chroot "$r" /bin/busybox --install -s /bin || return 1
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	echo "hello from the pod" >"$r/www/index.html"
	chmod 1777 "$r/tmp"
	tar --numeric-owner -C "$r" -cf "$S/rootfs.tar" . || return 1
	podman "${PODMAN_BASE[@]}" import --change 'CMD ["/bin/sh"]' "$S/rootfs.tar" "$IMG" || return 1
	podman "${PODMAN_BASE[@]}" save --format docker-archive -o "$S/image.tar" "$IMG"
}

# --- Podman ------------------------------------------------------------------

# The suite's own storage and run directories: nothing is shared with other
# Podman users of the machine but the CNI network config.
PODMAN_BASE=(--root "$S/podman/root" --runroot "$S/podman/run" --tmpdir "$S/podman/tmp"
	--cgroup-manager cgroupfs --events-backend file)
export CONTAINERS_CONF=$S/containers.conf
# The sandbox's hard limits are lower than Podman's defaults (nofile 1M);
# pods' infra containers take these too.
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=1000:1000"]
EOF

podman_suite_cleanup() {
	[ -d "$S/podman" ] || return 0
	podman "${PODMAN_BASE[@]}" pod rm -a -f -t 0 >/dev/null 2>&1
	podman "${PODMAN_BASE[@]}" rm -a -f -t 0 >/dev/null 2>&1
	# Not `podman system reset`: it would also remove the CNI networks of
	# the machine's other Podman users (the network config is shared).
	grep -o " $S/podman/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
}

# pm ARGS...: podman with the suite's storage and the scenario's runtime;
# output in $OUT/$ERR, status in $RC.
pm() {
	[ -n "${ENGINES_TRACE:-}" ] && echo "$(date +%T.%N | cut -c1-12) podman $*" >&2
	OUT=$(timeout -k 2 "$STEP_TIMEOUT" podman "${PODMAN_BASE[@]}" --runtime "$RTBIN" "$@" 2>"$T/.stderr")
	RC=$?
	ERR=$(cat "$T/.stderr")
}

# pm_in INPUT ARGS...: the same with INPUT on stdin.
pm_in() {
	local input=$1
	shift
	OUT=$(printf '%s\n' "$input" | timeout -k 2 "$STEP_TIMEOUT" podman "${PODMAN_BASE[@]}" --runtime "$RTBIN" "$@" 2>"$T/.stderr")
	RC=$?
	ERR=$(cat "$T/.stderr")
}

pm_field() { # container go-template
	pm inspect --format "$2" "$1"
	printf '%s' "$OUT"
}

# --- containerd --------------------------------------------------------------

containerd_start() {
	mkdir -p "$CTRD"
	cat >"$CTRD/config.toml" <<EOF
version = 2
root = "$CTRD/root"
state = "$CTRD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTR_SOCK"
[ttrpc]
  address = "$CTR_SOCK.ttrpc"
[debug]
  address = "$CTRD/debug.sock"
[metrics]
  address = ""
EOF
	containerd --config "$CTRD/config.toml" >"$CTRD/log" 2>&1 &
	echo $! >"$CTRD/pid"
	for _ in $(seq 100); do
		ctr --address "$CTR_SOCK" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "containerd did not come up:" >&2
	cat "$CTRD/log" >&2
	return 1
}

# Stop the daemon and any shim it left (found by our socket's path in their
# command line), then unmount what they left mounted.
containerd_stop() {
	[ -f "$CTRD/pid" ] || return 0
	local pid shims
	pid=$(cat "$CTRD/pid")
	ctr --address "$CTR_SOCK" -n "$CTR_NS" tasks ls -q 2>/dev/null | while read -r id; do
		ctr --address "$CTR_SOCK" -n "$CTR_NS" tasks kill -s KILL "$id" >/dev/null 2>&1
		sleep 0.2
		ctr --address "$CTR_SOCK" -n "$CTR_NS" tasks delete -f "$id" >/dev/null 2>&1
	done
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do
		[ -d "/proc/$pid" ] || break
		sleep 0.1
	done
	shims=$(ps -eo pid=,args= | awk -v a="$CTR_SOCK" 'index($0, "containerd-shim") && index($0, "-address " a) { print $1 }')
	[ -n "$shims" ] && kill $shims 2>/dev/null
	rm -rf "/run/containerd/runc/$CTR_NS"
	grep -o " $CTRD/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -f "$CTRD/pid"
}

# cr ARGS...: ctr on the suite's daemon and namespace; $OUT/$ERR/$RC.
cr() {
	OUT=$(timeout -k 2 "$STEP_TIMEOUT" ctr --address "$CTR_SOCK" -n "$CTR_NS" "$@" 2>"$T/.stderr")
	RC=$?
	ERR=$(cat "$T/.stderr")
}

# --- suite and scenarios -------------------------------------------------------

suite_setup() {
	image_build || return 1
	containerd_start || return 1
	ctr --address "$CTR_SOCK" -n "$CTR_NS" images import "$S/image.tar" || return 1
}

# Per scenario: RTBIN is what the engine runs as its OCI runtime. For
# nexcage, a simulator root like the e2e tests' and a wrapper that hands
# nexcage the simulator's environment and the scenario's state root
# (conmon passes podman's environment on, but containerd's shim has the
# daemon's environment, not ctr's: the wrapper works for both).
scenario_setup() {
	. "$here/../e2e/lib.sh"
	if [ "$RT" = runc ]; then
		RTBIN=$RUNC
		return 0
	fi
	sim_setup
	NXROOT=$T/state
	RTBIN=$T/nexcage-runtime
	cat >"$RTBIN" <<EOF
#!/bin/sh
export PVE_SIM_ROOT='$PVE_SIM_ROOT' PVE_SIM_NODE=pve NEXCAGE_CONFIG='$NEXCAGE_CONFIG' NEXCAGE_STATE_DIR='$NEXCAGE_STATE_DIR'
exec '$NEXCAGE' --root '$NXROOT' "\$@"
EOF
	chmod 0755 "$RTBIN"
}

# After a failed scenario: remove whatever it left, so the next one starts
# clean.
scenario_teardown() {
	if [ "$ENGINE" = podman ]; then
		pm pod rm -a -f -t 0
		pm rm -a -f -t 0
		return
	fi
	# A shim blocked in a runtime call would make every ctr call on its
	# task wait: end the shims first (and the runtime processes under them).
	cr containers ls -q
	local ids=$OUT id
	for id in $ids; do
		for pid in $(ps -eo pid=,args= | awk -v a="$CTR_SOCK" -v i="$id" \
			'index($0, "containerd-shim") && index($0, "-address " a) && index($0, "-id " i " ") { print $1 }'); do
			kill_tree "$pid"
		done
	done
	for id in $ids; do
		cr tasks delete -f "$id"
		cr containers delete "$id"
	done
}

kill_tree() { # pid: SIGKILL it and every descendant
	local child
	for child in $(ps -o pid= --ppid "$1"); do kill_tree "$child"; done
	kill -9 "$1" 2>/dev/null
}

# After a scenario: no container left in the engine, the runtime's state
# root, or (nexcage) the simulator and LXC.
assert_nothing_left() {
	local left
	if [ "$ENGINE" = podman ]; then
		pm ps -a -q --external
		[ -z "$OUT" ] || fail "podman containers left: $OUT"
		pm pod ps -q
		[ -z "$OUT" ] || fail "podman pods left: $OUT"
	else
		cr containers ls -q
		[ -z "$OUT" ] || fail "containerd containers left: $OUT"
		# nexcage's lock directory stays, empty (its files are outside the id namespace)
		left=$(ls -A "/run/containerd/runc/$CTR_NS" 2>/dev/null | grep -v '^\.nexcage:locks$')
		[ -z "$(ls -A "/run/containerd/runc/$CTR_NS/.nexcage:locks" 2>/dev/null)" ] || left="$left lock files"
		[ -z "$left" ] || fail "runtime state left under the shim's root: $left"
	fi
	if [ "$RT" = nexcage ]; then
		left=$(ls -A "$NXROOT" 2>/dev/null | grep -v '^\.nexcage:locks$')
		[ -z "$(ls -A "$NXROOT/.nexcage:locks" 2>/dev/null)" ] || left="$left lock files"
		[ -z "$left" ] || fail "nexcage state root not empty: $left"
		left=$(ls "$SIM/etc/pve/nodes/pve/lxc" 2>/dev/null)
		[ -z "$left" ] || fail "CT configs left in the simulator: $left"
		left=$(lxc-ls -P "$SIM/var/lib/lxc" 2>/dev/null)
		[ -z "$left" ] || fail "LXC containers left: $left"
		left=$(ls "$SIM/var/lib/vz/images" 2>/dev/null)
		[ -z "$left" ] || fail "volumes left: $left"
	fi
}
