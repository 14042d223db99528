# Helpers of the engines suite (sourced by run.sh). $S is the suite's
# directory (image, storage, daemons); each scenario runs in a subshell with
# its own $T and $RT (runc or nexcage).
#
# The engines run as Debian 12 installs them: Podman 4.3 with the stock
# /usr/share/containers/containers.conf (no CONTAINERS_CONF), Docker 20.10
# (docker.io) on containerd 1.6 as Debian's docker.service starts it,
# buildah 1.28, containerd's ctr. What differs from a stock machine is said
# where it is done: storage and daemon state live in $S (location only), and
# the ulimits this sandbox forces on Podman (ULIMITS below). Docker and
# buildah need none (Docker's containers keep dockerd's limits, buildah's
# RUN steps ask for none above them). This sandbox has no systemd: Podman
# picks the cgroupfs cgroup manager and the file events backend by itself,
# nothing is set for it; Docker's stock bridge and iptables rules work.

IMG=localhost/nexcage-busybox:latest
CTR_NS=nexcage-engines-$$ # the shim keeps runtime state per namespace, machine-wide
CTRD=$S/containerd
CTR_SOCK=$CTRD/containerd.sock
DKD=$S/docker
DK_SOCK=$DKD/docker.sock
# Debian's docker.io: the daemon is /usr/sbin/dockerd, the client
# /usr/bin/docker (/usr/local/bin/docker on this machine is another client).
DOCKERD=/usr/sbin/dockerd
DOCKER=/usr/bin/docker
# The runtime wrapper each engine is given for nexcage: $NXWRAP.<engine>
# (podman, buildah, docker, ctr; see suite_setup). Docker registers its
# one at daemon start.
NXWRAP=$S/nexcage-runtime

# The sandbox's hard limits (nofile 20000) are below what Podman asks for
# by default (nofile 1048576 for root), and runc then fails to start
# anything ("error setting rlimit type 7"). This is the only change to
# Podman's behaviour: given on the command line of every `podman run` and
# `podman create`, under runc and nexcage alike.
ULIMITS=(--ulimit nofile=20000:20000 --ulimit nproc=1000:1000)

# --- the image ---------------------------------------------------------------

# A busybox rootfs from Debian's busybox-static, every applet a symlink,
# a page for httpd under /www; imported into Podman, saved for containerd
# and Docker.
image_build() {
	local r=$S/rootfs
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root" "$r/www" "$r/proc" "$r/sys" "$r/dev" "$r/mnt"
	cp /bin/busybox "$r/bin/busybox"
	chroot "$r" /bin/busybox --install -s /bin || return 1
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	echo "hello from the pod" >"$r/www/index.html"
	chmod 1777 "$r/tmp"
	chmod 0700 "$r/root"
	tar --numeric-owner -C "$r" -cf "$S/rootfs.tar" . || return 1
	podman "${PODMAN_BASE[@]}" import --change 'CMD ["/bin/sh"]' "$S/rootfs.tar" "$IMG" || return 1
	podman "${PODMAN_BASE[@]}" save --format docker-archive -o "$S/image.tar" "$IMG"
}

# --- Podman and buildah --------------------------------------------------------

# The suite's own storage and run directories (a location, not behaviour:
# nothing else of Podman's configuration changes). buildah shares the
# storage, so it builds FROM the imported image.
PODMAN_BASE=(--root "$S/podman/root" --runroot "$S/podman/run" --tmpdir "$S/podman/tmp")
BUILDAH_BASE=(--root "$S/podman/root" --runroot "$S/podman/run")

# `podman pod create` has no --ulimit flag, and a pod's infra container
# takes Podman's default ulimits, which this sandbox refuses (see ULIMITS).
# For that one command CONTAINERS_CONF names a copy of Debian's stock
# containers.conf with one line added: default_ulimits, the same values.
# (CONTAINERS_CONF replaces the stock file, hence the copy.)
POD_CONF=$S/containers-pod.conf
sed '/^\[containers\]$/a default_ulimits = ["nofile=20000:20000", "nproc=1000:1000"]' \
	/usr/share/containers/containers.conf >"$POD_CONF"

podman_suite_cleanup() {
	[ -d "$S/podman" ] || return 0
	podman "${PODMAN_BASE[@]}" pod rm -a -f -t 0 >/dev/null 2>&1
	podman "${PODMAN_BASE[@]}" rm -a -f -t 0 >/dev/null 2>&1
	buildah "${BUILDAH_BASE[@]}" rm -a >/dev/null 2>&1
	# Not `podman system reset`: it would also remove the CNI networks of
	# the machine's other Podman users (the network config is shared).
	grep -o " $S/podman/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
}

# step ARGS...: run an engine command under $STEP_TIMEOUT; output in
# $OUT/$ERR, status in $RC.
step() {
	[ -n "${ENGINES_TRACE:-}" ] && echo "$(date +%T.%N | cut -c1-12) $*" >&2
	OUT=$(timeout -k 2 "$STEP_TIMEOUT" "$@" 2>"$T/.stderr")
	RC=$?
	ERR=$(cat "$T/.stderr")
	[ "$RC" = 124 ] && ERR="$ERR (timed out after $STEP_TIMEOUT s: $*)"
	return 0
}

# pm ARGS...: podman with the suite's storage and the scenario's runtime.
pm() { step podman "${PODMAN_BASE[@]}" --runtime "$RTBIN" "$@"; }
pm_run() { pm run "${ULIMITS[@]}" "$@"; }
pm_pod_create() { CONTAINERS_CONF=$POD_CONF pm pod create "$@"; }

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

# bh ARGS...: buildah with the suite's storage (the runtime is given by
# each scenario: --runtime or BUILDAH_RUNTIME).
bh() { step buildah "${BUILDAH_BASE[@]}" "$@"; }

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

# cr ARGS...: ctr on the suite's daemon and namespace.
cr() { step ctr --address "$CTR_SOCK" -n "$CTR_NS" "$@"; }

# --- Docker ------------------------------------------------------------------

# A daemon of the suite's own, as Debian's docker.service starts it
# (`dockerd --containerd=/run/containerd/containerd.sock`: on the suite's
# containerd here), with its own data root, exec root, socket and pidfile,
# and nexcage registered in a daemon.json of its own (`runtimes`, as the
# README tells an admin to write /etc/docker/daemon.json). Networking is
# Docker's stock docker0 bridge with its iptables rules.
docker_start() {
	mkdir -p "$DKD"
	[ -e /sys/class/net/docker0 ] || touch "$DKD/made-docker0"
	printf '{"runtimes": {"nexcage": {"path": "%s"}}}\n' "$NXWRAP.docker" >"$DKD/daemon.json"
	"$DOCKERD" --config-file "$DKD/daemon.json" --data-root "$DKD/data" --exec-root "$DKD/exec" \
		-H "unix://$DK_SOCK" --pidfile "$DKD/pid" --containerd "$CTR_SOCK" >"$DKD/log" 2>&1 &
	echo $! >"$DKD/daemon.pid"
	for _ in $(seq 150); do
		"$DOCKER" -H "unix://$DK_SOCK" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "dockerd did not come up:" >&2
	tail -30 "$DKD/log" >&2
	return 1
}

docker_stop() {
	[ -f "$DKD/daemon.pid" ] || return 0
	local pid
	pid=$(cat "$DKD/daemon.pid")
	"$DOCKER" -H "unix://$DK_SOCK" ps -a -q 2>/dev/null | while read -r id; do
		timeout 20 "$DOCKER" -H "unix://$DK_SOCK" rm -f "$id" >/dev/null 2>&1
	done
	kill "$pid" 2>/dev/null
	for _ in $(seq 100); do
		[ -d "/proc/$pid" ] || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	grep -o " $DKD/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	# Docker leaves its bridge and iptables rules behind; remove them if
	# the suite made them (no Docker had set up this machine before).
	if [ -f "$DKD/made-docker0" ]; then
		ip link del docker0 2>/dev/null
		docker_iptables_remove
	fi
	rm -f "$DKD/daemon.pid"
}

docker_iptables_remove() {
	local table rule chain
	for table in filter nat; do
		iptables -t "$table" -S 2>/dev/null | grep '^-A' | grep -E -- '-j DOCKER|docker0' | sed 's/^-A/-D/' |
			while read -r rule; do iptables -t "$table" $rule 2>/dev/null; done
		for chain in DOCKER DOCKER-USER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do
			iptables -t "$table" -F "$chain" 2>/dev/null && iptables -t "$table" -X "$chain" 2>/dev/null
		done
	done
}

# dk ARGS...: the Debian docker client on the suite's daemon; dk_run runs
# with the scenario's runtime (Docker's own "runc", or "nexcage" as
# registered in its daemon.json).
dk() { step "$DOCKER" -H "unix://$DK_SOCK" "$@"; }
dk_run() { dk run --runtime "$DK_RUNTIME" "$@"; }

# --- suite and scenarios -------------------------------------------------------

suite_setup() {
	image_build || return 1
	containerd_start || return 1
	ctr --address "$CTR_SOCK" -n "$CTR_NS" images import "$S/image.tar" || return 1
	docker_start || return 1
	"$DOCKER" -H "unix://$DK_SOCK" load -i "$S/image.tar" || return 1
	# A wrapper per engine: it hands nexcage the simulator of the engine's
	# current nexcage scenario (conmon passes PATH only, containerd's shim
	# has the daemon's environment, and dockerd registered the path once;
	# one per engine, as the parallel scenarios run one engine each).
	# Each call is logged in $T/runtime-calls.log with the caller's mount
	# namespace (the host's is readlink /proc/self/ns/mnt). ENGINES_NXLOG=1:
	# nexcage logs with --debug to $T/nexcage.log unless the engine passes
	# its own --log.
	local e
	for e in podman buildah docker ctr; do
		cat >"$NXWRAP.$e" <<EOF
#!/bin/sh
. '$S/nexcage.$e.env'
echo "\$(date +%T.%N | cut -c1-12) [\$(readlink /proc/self/ns/mnt)] \$*" >>"\$NX_T/runtime-calls.log"
[ -n "\${ENGINES_NXLOG:-}" ] && set -- --debug --log "\$NX_T/nexcage.log" "\$@"
exec '$NEXCAGE' --root "\$NXROOT" "\$@"
EOF
		chmod 0755 "$NXWRAP.$e"
	done
}

suite_teardown() {
	docker_stop
	containerd_stop
	podman_suite_cleanup
}

# The engines a scenario uses (from its name's prefix).
scenario_engines() {
	case $1 in
	podman_*) echo podman ;;
	buildah_*) echo podman buildah ;;
	docker_*) echo docker ;;
	ctr_*) echo ctr ;;
	*) echo podman docker buildah ctr ;;
	esac
}

# The scenario's variables (no side effects): RTBIN is what Podman,
# buildah and ctr run as the OCI runtime, DK_RUNTIME the Docker runtime's
# name. For nexcage, a simulator root like the e2e tests'.
scenario_env() {
	. "$here/../e2e/lib.sh"
	ENGINE=${SCENARIO%%_*} # the one whose runtime calls this scenario makes
	ENGINES=$(scenario_engines "$SCENARIO")
	# Both sides of a parallel scenario share the engines: each side
	# checks and removes only the containers whose names carry its $RT.
	MINE=()
	case " $(echo $PARALLEL_SCENARIOS) " in *" $SCENARIO "*) MINE=(--filter "name=-$RT") ;; esac
	if [ "$RT" = runc ]; then
		RTBIN=$RUNC
		DK_RUNTIME=runc
		return 0
	fi
	SIM="$T/pve"
	export PVE_SIM_ROOT="$SIM" PVE_SIM_NODE=pve NEXCAGE_STATE_DIR="$T/lib" NEXCAGE_CONFIG="$T/config.lua"
	NXROOT=$T/state
	RTBIN=$NXWRAP.$ENGINE
	DK_RUNTIME=nexcage
}

scenario_setup() {
	scenario_env
	ls -d /var/tmp/buildah* >"$T/.buildah-before" 2>/dev/null
	[ "$RT" = runc ] && return 0
	sim_setup
	cat >"$S/nexcage.$ENGINE.env" <<EOF
export PVE_SIM_ROOT='$PVE_SIM_ROOT' PVE_SIM_NODE=pve NEXCAGE_CONFIG='$NEXCAGE_CONFIG' NEXCAGE_STATE_DIR='$NEXCAGE_STATE_DIR'
NXROOT='$NXROOT' NX_T='$T'
EOF
	# Site rules and logging for a diagnostic run reach nexcage however the
	# engine filters its environment (conmon passes PATH only).
	[ -n "${NEXCAGE_LUA_PATH:-}" ] && echo "export NEXCAGE_LUA_PATH='$NEXCAGE_LUA_PATH'" >>"$S/nexcage.$ENGINE.env"
	[ -n "${ENGINES_NXLOG:-}" ] && echo "ENGINES_NXLOG=1" >>"$S/nexcage.$ENGINE.env"
	return 0
}

uses() { case " $ENGINES " in *" $1 "*) return 0 ;; esac; return 1; }

# After a failed scenario: remove whatever it left, so the next one starts
# clean.
scenario_teardown() {
	local id
	if uses podman; then
		if [ ${#MINE[@]} = 0 ]; then
			pm pod rm -a -f -t 0
			pm rm -a -f -t 0
		else
			pm ps -a -q "${MINE[@]}"
			for id in $OUT; do pm rm -f -t 0 "$id"; done
		fi
	fi
	if uses buildah; then
		bh rm -a
	fi
	if uses docker; then
		dk ps -a -q "${MINE[@]}"
		for id in $OUT; do dk rm -f "$id"; done
	fi
	uses ctr && ctr_teardown
	return 0
}

ctr_teardown() {
	# A shim blocked in a runtime call would make every ctr call on its
	# task wait: end the shims first (and the runtime processes under them).
	cr containers ls -q
	local ids=$OUT id pid
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

# state_left DIR: what a runtime state root holds but nexcage's (empty)
# lock directory.
state_left() {
	local left
	left=$(ls -A "$1" 2>/dev/null | grep -v '^\.nexcage:locks$')
	[ -z "$(ls -A "$1/.nexcage:locks" 2>/dev/null)" ] || left="$left lock files"
	echo $left
}

# After a scenario: no container left in the engines it used, the
# runtime's state roots, or (nexcage) the simulator and LXC.
assert_nothing_left() {
	local left d
	if uses podman; then
		pm ps -a -q --external "${MINE[@]}"
		[ -z "$OUT" ] || fail "podman (or buildah) containers left: $OUT"
		pm pod ps -q "${MINE[@]}"
		[ -z "$OUT" ] || fail "podman pods left: $OUT"
	fi
	if uses buildah; then
		bh containers -q
		[ -z "$OUT" ] || fail "buildah containers left: $OUT"
	fi
	if uses docker; then
		dk ps -a -q "${MINE[@]}"
		[ -z "$OUT" ] || fail "docker containers left: $OUT"
		# (the runtimes' state under Docker is shared by the sides of a
		# parallel scenario: checked in the others only)
		for d in "$DKD"/exec/runtime-*/moby; do
			[ -d "$d" ] && [ ${#MINE[@]} = 0 ] || continue
			left=$(state_left "$d")
			[ -z "$left" ] || fail "runtime state left under Docker's $d: $left"
		done
	fi
	if uses ctr; then
		cr containers ls -q
		[ -z "$OUT" ] || fail "containerd containers left: $OUT"
		left=$(state_left "/run/containerd/runc/$CTR_NS")
		[ -z "$left" ] || fail "runtime state left under the shim's root: $left"
	fi
	if uses buildah; then
		left=$(ls -d /var/tmp/buildah* 2>/dev/null | grep -v -x -F -f "$T/.buildah-before")
		[ -z "$left" ] || fail "buildah's bundles left: $left"
	fi
	# no container's root filesystem still mounted (in the host's mount
	# namespace), nothing mounted under the scenario's directory
	if [ ${#MINE[@]} = 0 ]; then
		left=$(awk -v s="$S/" '$5 ~ "/merged$" && index($5, s) == 1 { print $5 }' /proc/self/mountinfo)
		[ -z "$left" ] || fail "root filesystems still mounted: $left"
	fi
	left=$(awk -v t="$T/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo)
	[ -z "$left" ] || fail "mounts left under $T: $left"
	if [ "$RT" = nexcage ]; then
		left=$(state_left "$NXROOT")
		[ -z "$left" ] || fail "nexcage state root not empty: $left"
		left=$(ls "$SIM/etc/pve/nodes/pve/lxc" 2>/dev/null)
		[ -z "$left" ] || fail "CT configs left in the simulator: $left"
		left=$(lxc-ls -P "$SIM/var/lib/lxc" 2>/dev/null)
		[ -z "$left" ] || fail "LXC containers left: $left"
		left=$(ls "$SIM/var/lib/vz/images" 2>/dev/null)
		[ -z "$left" ] || fail "volumes left: $left"
	fi
	return 0
}

# --- what users depend on ------------------------------------------------------

# ns_of PID NS: the namespace PID is in, as /proc shows it ("net:[4026...]").
ns_of() { readlink "/proc/$1/ns/$2" 2>/dev/null; }

# assert_own_ns PID NS...: PID is in namespaces of its own, not the host's.
assert_own_ns() {
	local pid=$1 ns mine
	shift
	[ -d "/proc/$pid" ] || fail "pid $pid is no process on the host"
	for ns in "$@"; do
		mine=$(ns_of "$pid" "$ns")
		[ -n "$mine" ] || fail "cannot read /proc/$pid/ns/$ns"
		[ "$mine" != "$(ns_of self "$ns")" ] || fail "pid $pid is in the host's $ns namespace ($mine)"
	done
}

# wait_until SECONDS COMMAND...: poll (0.2 s) until COMMAND succeeds.
wait_until() {
	local n=$(($1 * 5))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}
