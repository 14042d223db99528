# Engine scenarios ("Every engine as Debian ships it"). Each runs once under
# runc and once under nexcage with the same assertions; helpers in lib.sh,
# e2e asserts from tests/e2e/lib.sh (fail, assert_*). After each, run.sh
# checks that nothing is left in the engines, the runtimes' state roots,
# buildah's bundles, the mounts, the simulator or LXC.

# The nexcage scenarios that do not pass yet. The suite runs them and
# reports them as "pending" (not passed, not failed) and says
# PASS-PENDING when one passes: remove it from here then. runc passes all.
NEXCAGE_PENDING=""

# Scenarios run first, all at once, each with its runc and nexcage sides
# (they mostly wait); the names of their containers carry $RT.
PARALLEL_SCENARIOS="podman_idle_60s docker_idle_60s"

SCENARIOS="
podman_idle_60s
docker_idle_60s
podman_run_echo
podman_run_exit_status
podman_runtime_by_name
podman_detached_lifecycle
podman_stop_sigkill_after_timeout
podman_run_tty
podman_run_stdin
podman_cp_out_of_stopped
podman_default_network
podman_pod_namespaces
podman_publish
podman_read_only
podman_bind_volume
podman_user
podman_cap_drop_all
podman_sysctl
podman_device
podman_privileged
podman_stats
podman_network_none
podman_network_host
docker_run_output_status
docker_detached_lifecycle
docker_publish
docker_bind_volume
docker_network_host
docker_init
buildah_bud
buildah_bud_failing_run
buildah_run
ctr_run_rm_output
ctr_run_exit_status
ctr_task_lifecycle
"

# A program that says it started, then waits; on SIGTERM it says so and exits 0.
TERM_HONOURED='trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 1 & wait $!; done'
# One that ignores SIGTERM.
TERM_IGNORED='trap "" TERM; echo started; while :; do sleep 1 & wait $!; done'
# One that waits in silence (exits 0 on SIGTERM).
SILENT='trap "exit 0" TERM; while :; do sleep 5 & wait $!; done'

# A port of the host for -p (not a fixed one: other tests on the machine
# may publish ports too).
PORT=$((20000 + $$ % 5000))

# pm_logs_wait / dk_logs_wait CONTAINER TEXT: until the logs show TEXT.
pm_logs_wait() { logs_wait pm "$@"; }
dk_logs_wait() { logs_wait dk "$@"; }
logs_wait() {
	local n=50
	while [ $n -gt 0 ]; do
		"$1" logs "$2"
		case "$OUT$ERR" in *"$3"*) return 0 ;; esac
		sleep 0.2
		n=$((n - 1))
	done
	fail "$1 logs of $2 never showed [$3]: [$OUT] [$ERR]"
}

# program_pid TOKEN: the host pid of the container's program, found by
# itself: the `sh -c` whose script holds TOKEN (whatever the runtime and
# engine report).
program_pid() {
	ps -eo pid=,args= | awk -v t="$1" '$2 == "sh" && $3 == "-c" && index($0, t) { print $1; exit }'
}

# assert_pid_is_container PID TOKEN: PID (what the engine reports as the
# container's) is in the namespaces and cgroups of the program, and those
# are not the host's. Engines rely on it: nsenter, `podman top`, pods and
# CRI join /proc/PID/ns/*, stats read /proc/PID/cgroup.
# The pid namespace: the one PID leads into (pid_for_children) must be the
# program's. (PID's own may differ: runc's pid is the program itself, but a
# stand-in inside the CT's pid namespace would be killed with the CT's init
# before it could report the exit status.)
assert_pid_is_container() {
	local pid=$1 prog ns
	prog=$(program_pid "$2")
	[ -n "$prog" ] || fail "no host process runs the program [$2]"
	[ "$pid" -gt 0 ] 2>/dev/null || fail "engine's pid: [$pid]"
	[ -d "/proc/$pid" ] || fail "the engine's pid $pid is no process on the host"
	assert_own_ns "$prog" net ipc uts pid mnt
	for ns in net ipc uts mnt cgroup; do
		[ "$(ns_of "$pid" "$ns")" = "$(ns_of "$prog" "$ns")" ] ||
			fail "the engine's pid $pid is not in the program's (pid $prog) $ns namespace: $(ns_of "$pid" "$ns") vs $(ns_of "$prog" "$ns")"
	done
	[ "$(ns_of "$pid" pid_for_children)" = "$(ns_of "$prog" pid)" ] ||
		fail "the engine's pid $pid does not lead into the program's (pid $prog) pid namespace: $(ns_of "$pid" pid_for_children) vs $(ns_of "$prog" pid)"
	[ "$(cat "/proc/$pid/cgroup")" = "$(cat "/proc/$prog/cgroup")" ] ||
		fail "the engine's pid $pid is not in the program's cgroups: [$(tr '\n' ' ' <"/proc/$pid/cgroup")] vs [$(tr '\n' ' ' <"/proc/$prog/cgroup")]"
}

# A GET from the host, with Debian's busybox (the image's, so no other tool).
http_get() { timeout 3 busybox wget -q -O - "$1" 2>/dev/null; }

# --- Podman --------------------------------------------------------------------

scenario_podman_run_echo() {
	pm_run --rm "$IMG" echo hello
	assert_ok
	assert_eq "$OUT" "hello"
}

scenario_podman_run_exit_status() {
	pm_run --rm "$IMG" sh -c 'echo out; echo err >&2; exit 3'
	assert_rc 3
	assert_eq "$OUT" "out"
	assert_contains "$ERR" "err"
}

# The runtime registered by name in containers.conf's [engine.runtimes],
# as the README tells users (Debian's file with that one line added;
# CONTAINERS_CONF stands for /etc/containers/containers.conf here).
scenario_podman_runtime_by_name() {
	sed "/^\[engine.runtimes\]\$/a $RT = [\"$RTBIN\"]" /usr/share/containers/containers.conf >"$T/containers.conf"
	OUT=$(CONTAINERS_CONF=$T/containers.conf timeout -k 2 "$STEP_TIMEOUT" podman "${PODMAN_BASE[@]}" --runtime "$RT" \
		run --rm "${ULIMITS[@]}" "$IMG" sh -c 'echo by-name; exit 4' 2>"$T/.stderr")
	RC=$?
	ERR=$(cat "$T/.stderr")
	assert_rc 4
	assert_eq "$OUT" "by-name"
}

scenario_podman_detached_lifecycle() {
	pm_run -d --name life "$IMG" sh -c ": life; $TERM_HONOURED"
	assert_ok
	pm_logs_wait life started
	pm ps --format '{{.Names}} {{.Status}}'
	assert_contains "$OUT" "life Up"
	local st pid
	st=$(pm_field life '{{.State.Status}} {{.State.Pid}}')
	pid=${st#* }
	assert_eq "${st% *}" running
	assert_pid_is_container "$pid" ": life;"
	pm exec life sh -c 'echo exec-ok; cat /proc/1/cmdline | tr "\0" " "'
	assert_ok
	assert_contains "$OUT" "exec-ok"
	assert_contains "$OUT" "trap"
	pm exec life sh -c 'exit 7'
	assert_rc 7
	pm top life
	assert_ok
	assert_contains "$OUT" "sleep"
	pm pause life
	assert_ok
	assert_eq "$(pm_field life '{{.State.Status}}')" paused
	pm unpause life
	assert_ok
	assert_eq "$(pm_field life '{{.State.Status}}')" running
	local t0=$SECONDS
	pm stop -t 20 life
	assert_ok
	[ $((SECONDS - t0)) -lt 10 ] || fail "stop took $((SECONDS - t0)) s: SIGTERM was not honoured"
	assert_eq "$(pm_field life '{{.State.Status}} {{.State.ExitCode}}')" "exited 0"
	pm logs life
	assert_contains "$OUT" "got-term"
	pm rm life
	assert_ok
}

scenario_podman_stop_sigkill_after_timeout() {
	pm_run -d --name stubborn "$IMG" sh -c "$TERM_IGNORED"
	assert_ok
	pm_logs_wait stubborn started
	local t0=$SECONDS
	pm stop -t 2 stubborn
	assert_ok
	[ $((SECONDS - t0)) -ge 2 ] || fail "stop returned before the 2 s timeout"
	assert_eq "$(pm_field stubborn '{{.State.Status}} {{.State.ExitCode}}')" "exited 137"
	pm rm stubborn
	assert_ok
}

scenario_podman_run_tty() {
	pm_run --rm -t "$IMG" sh -c '[ -t 0 ] && [ -t 1 ] && echo "tty: $(tty)"'
	assert_ok
	assert_contains "$OUT" "tty: /dev/pts/"
}

scenario_podman_run_stdin() {
	pm_in "line from stdin" run "${ULIMITS[@]}" -i --rm "$IMG" cat
	assert_ok
	assert_eq "$OUT" "line from stdin"
}

scenario_podman_cp_out_of_stopped() {
	pm_run --name writer "$IMG" sh -c 'echo written-inside > /result.txt'
	assert_ok
	assert_eq "$(pm_field writer '{{.State.Status}}')" exited
	pm cp writer:/result.txt "$T/result.txt"
	assert_ok
	assert_eq "$(cat "$T/result.txt" 2>/dev/null)" "written-inside"
	pm rm writer
	assert_ok
}

scenario_podman_default_network() {
	pm_run --rm "$IMG" sh -c 'ip -o -4 addr show dev eth0; ip route; readlink /proc/self/ns/net'
	assert_ok
	assert_contains "$OUT" "eth0"
	assert_contains "$OUT" "inet 10.88."
	assert_contains "$OUT" "default via 10.88.0.1"
	assert_not_contains "$OUT" "$(ns_of self net)"
}

# A pod: its containers are in the infra container's uts, ipc and network
# namespaces (read from /proc/<pid>/ns of the pids Podman reports), not the
# host's, and see one hostname, one address and one localhost.
scenario_podman_pod_namespaces() {
	pm_pod_create --name duo
	assert_ok
	pm_run -d --pod duo --name web "$IMG" httpd -f -p 127.0.0.1:8080 -h /www
	assert_ok
	pm_run -d --pod duo --name side "$IMG" sh -c ": side; $SILENT"
	assert_ok
	pm pod inspect --format '{{.InfraContainerID}}' duo
	assert_ok
	local infra=$OUT pinfra pweb pside ns
	pinfra=$(pm_field "$infra" '{{.State.Pid}}')
	pweb=$(pm_field web '{{.State.Pid}}')
	pside=$(pm_field side '{{.State.Pid}}')
	assert_pid_is_container "$pside" ": side;"
	for p in "$pinfra" "$pweb"; do
		[ "$p" -gt 0 ] 2>/dev/null && [ -d "/proc/$p" ] || fail "a pod container's pid [$p] is no host process"
	done
	for ns in net ipc uts; do
		[ "$(ns_of "$pinfra" "$ns")" != "$(ns_of self "$ns")" ] || fail "the infra container (pid $pinfra) is in the host's $ns namespace"
		[ "$(ns_of "$pweb" "$ns")" = "$(ns_of "$pinfra" "$ns")" ] ||
			fail "web (pid $pweb) is not in the infra container's $ns namespace: $(ns_of "$pweb" "$ns") vs $(ns_of "$pinfra" "$ns")"
		[ "$(ns_of "$pside" "$ns")" = "$(ns_of "$pinfra" "$ns")" ] ||
			fail "side (pid $pside) is not in the infra container's $ns namespace: $(ns_of "$pside" "$ns") vs $(ns_of "$pinfra" "$ns")"
	done
	# From inside: one hostname (the pod's), one eth0 address, one localhost.
	local inside
	pm exec web sh -c 'hostname; ip -o -4 addr show dev eth0 | awk "{print \$4}"'
	assert_ok
	inside=$OUT
	pm exec side sh -c 'hostname; ip -o -4 addr show dev eth0 | awk "{print \$4}"'
	assert_ok
	assert_eq "$OUT" "$inside"
	assert_eq "$(printf '%s\n' "$OUT" | head -1)" duo
	assert_contains "$OUT" "10.88."
	pm exec side sh -c 'ip -o link' # the host's interfaces are not there
	assert_not_contains "$OUT" " eth0: " # (inside, eth0 is eth0@ifN: the pod's veth)
	pm_run --rm --pod duo "$IMG" sh -c \
		'for i in $(seq 50); do wget -q -O - http://127.0.0.1:8080/ 2>/dev/null && exit 0; sleep 0.1; done; exit 1'
	assert_ok
	assert_eq "$OUT" "hello from the pod"
	pm pod rm -f -t 0 duo
	assert_ok
}

# -p: a port of the host reaches the container's server.
scenario_podman_publish() {
	pm_run -d --name web -p "$PORT:80" "$IMG" httpd -f -p 80 -h /www
	assert_ok
	wait_until 10 http_get "http://127.0.0.1:$PORT/" >/dev/null || fail "nothing answers on the host's port $PORT"
	assert_eq "$(http_get "http://127.0.0.1:$PORT/")" "hello from the pod"
	pm rm -f -t 0 web
	assert_ok
}

scenario_podman_read_only() {
	pm_run --rm --read-only "$IMG" sh -c \
		'if touch /probe 2>/tmp/err; then echo wrote-root; else cat /tmp/err; fi; touch /tmp/probe && echo wrote-tmp'
	assert_ok
	assert_eq "$OUT" "touch: /probe: Read-only file system
wrote-tmp"
}

scenario_podman_bind_volume() {
	mkdir -p "$T/vol"
	echo from-host >"$T/vol/in.txt"
	pm_run --rm -v "$T/vol:/data" "$IMG" sh -c 'cat /data/in.txt; echo from-container > /data/out.txt'
	assert_ok
	assert_eq "$OUT" "from-host"
	assert_eq "$(cat "$T/vol/out.txt" 2>/dev/null)" "from-container"
	pm_run --rm -v "$T/vol:/data:ro" "$IMG" sh -c 'cat /data/in.txt; (echo x > /data/ro.txt) 2>/dev/null || echo ro-refused'
	assert_ok
	assert_eq "$OUT" "from-host
ro-refused"
	[ ! -e "$T/vol/ro.txt" ] || fail "a :ro volume was written"
}

scenario_podman_user() {
	mkdir -p "$T/vol"
	chmod 0777 "$T/vol"
	pm_run --rm --user 1000:1000 -v "$T/vol:/data" "$IMG" sh -c \
		'id -u; id -g; touch /data/mine; touch /root/x 2>/dev/null || echo denied'
	assert_ok
	assert_eq "$OUT" "1000
1000
denied"
	assert_eq "$(stat -c %u:%g "$T/vol/mine" 2>/dev/null)" "1000:1000"
}

scenario_podman_cap_drop_all() {
	pm_run -d --cap-drop all --name nocap "$IMG" sh -c ": nocap; $SILENT"
	assert_ok
	local pid
	pid=$(program_pid ": nocap;")
	[ -n "$pid" ] || fail "no host process runs the program"
	assert_eq "$(awk '/^CapEff/ { print $2 }' "/proc/$pid/status")" 0000000000000000
	pm exec nocap sh -c 'grep -E "^Cap(Prm|Eff|Bnd)" /proc/self/status | cut -f2 | sort -u
		grep CapEff /proc/1/status | cut -f2; chown 1:1 /tmp 2>/dev/null && echo chowned || echo chown-refused'
	assert_ok
	assert_eq "$OUT" "0000000000000000
0000000000000000
chown-refused"
	pm rm -f -t 0 nocap
	assert_ok
}

scenario_podman_sysctl() {
	local ttl
	ttl=$(cat /proc/sys/net/ipv4/ip_default_ttl)
	pm_run --rm --sysctl net.ipv4.ip_forward=1 --sysctl net.ipv4.ip_default_ttl=42 "$IMG" \
		cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/ip_default_ttl /proc/sys/net/ipv4/ping_group_range
	assert_ok
	# ping_group_range: Debian's containers.conf sets "0 0" (default_sysctls)
	assert_eq "$OUT" "1
42
0	0"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_default_ttl)" "$ttl"
}

scenario_podman_device() {
	pm_run --rm --device /dev/null:/dev/mynull "$IMG" sh -c \
		'stat -c "%F %t:%T" /dev/mynull; echo data > /dev/mynull && echo write-ok; wc -c < /dev/mynull'
	assert_ok
	assert_eq "$OUT" "character special file 1:3
write-ok
0"
}

scenario_podman_privileged() {
	local bnd dev
	bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	for dev in /dev/loop0 /dev/kmsg /dev/fuse; do [ -e "$dev" ] && break; done
	pm_run --rm --privileged "$IMG" sh -c \
		"grep CapEff /proc/self/status | cut -f2; [ -e $dev ] && echo has-host-device; mount -t tmpfs none /mnt && echo mounted"
	assert_ok
	assert_eq "$OUT" "$bnd
has-host-device
mounted"
}

# The memory of a container holding 50 MB (in its /dev/shm) as
# `podman stats` reports it.
scenario_podman_stats() {
	pm_run -d --name hog "$IMG" sh -c ": hog; dd if=/dev/zero of=/dev/shm/fill bs=1M count=50 2>/dev/null; echo filled; $SILENT"
	assert_ok
	pm_logs_wait hog filled
	pm stats --no-stream --format '{{.MemUsage}}' hog
	assert_ok
	local mb
	mb=$(printf '%s\n' "$OUT" | awk '{ v = $1 + 0; u = $1; sub(/^[0-9.]+/, "", u)
		if (u == "kB") v /= 1000; else if (u == "GB") v *= 1000; else if (u == "B") v /= 1e6
		printf "%d", v }')
	echo "    podman stats: $OUT" >&2
	[ "${mb:-0}" -ge 45 ] && [ "$mb" -le 200 ] || fail "podman stats: memory [$OUT], expected 45..200 MB for 50 MB held"
	pm rm -f -t 0 hog
	assert_ok
}

scenario_podman_network_none() {
	pm_run -d --network none --name iso "$IMG" sh -c ": iso; $SILENT"
	assert_ok
	assert_pid_is_container "$(pm_field iso '{{.State.Pid}}')" ": iso;"
	pm exec iso sh -c 'ip -o link | cut -d: -f2'
	assert_ok
	assert_eq "$(echo $OUT)" "lo"
	pm rm -f -t 0 iso
	assert_ok
}

scenario_podman_network_host() {
	pm_run -d --network host --name hostnet "$IMG" sh -c ": hostnet; $SILENT"
	assert_ok
	local pid
	pid=$(pm_field hostnet '{{.State.Pid}}')
	[ -d "/proc/$pid" ] || fail "inspect pid [$pid] is no host process"
	assert_eq "$(ns_of "$pid" net)" "$(ns_of self net)"
	assert_eq "$(ns_of "$(program_pid ": hostnet;")" net)" "$(ns_of self net)"
	pm exec hostnet ip -o link
	assert_ok
	assert_contains "$OUT" " eth0: "
	pm rm -f -t 0 hostnet
	assert_ok
}

# --- Docker --------------------------------------------------------------------

scenario_docker_run_output_status() {
	dk_run --rm "$IMG" echo hello
	assert_ok
	assert_eq "$OUT" "hello"
	dk_run --rm "$IMG" sh -c 'echo out; echo err >&2; exit 3'
	assert_rc 3
	assert_eq "$OUT" "out"
	assert_contains "$ERR" "err"
}

scenario_docker_detached_lifecycle() {
	dk_run -d --name life "$IMG" sh -c ": dlife; $TERM_HONOURED"
	assert_ok
	dk_logs_wait life started
	local st
	dk inspect -f '{{.State.Status}} {{.State.Pid}}' life
	st=$OUT
	assert_eq "${st% *}" running
	assert_pid_is_container "${st#* }" ": dlife;"
	dk exec life sh -c 'echo exec-ok; exit 7'
	assert_rc 7
	assert_eq "$OUT" "exec-ok"
	dk top life
	assert_ok
	assert_contains "$OUT" "sleep"
	local t0=$SECONDS
	dk stop -t 20 life
	assert_ok
	[ $((SECONDS - t0)) -lt 10 ] || fail "stop took $((SECONDS - t0)) s: SIGTERM was not honoured"
	dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' life
	assert_eq "$OUT" "exited 0"
	dk logs life
	assert_contains "$OUT" "got-term"
	dk rm life
	assert_ok
}

scenario_docker_publish() {
	dk_run -d --name web -p "$PORT:80" "$IMG" httpd -f -p 80 -h /www
	assert_ok
	wait_until 10 http_get "http://127.0.0.1:$PORT/" >/dev/null || fail "nothing answers on the host's port $PORT"
	assert_eq "$(http_get "http://127.0.0.1:$PORT/")" "hello from the pod"
	dk rm -f web
	assert_ok
}

scenario_docker_bind_volume() {
	mkdir -p "$T/vol"
	echo from-host >"$T/vol/in.txt"
	dk_run --rm -v "$T/vol:/data" "$IMG" sh -c 'cat /data/in.txt; echo from-container > /data/out.txt'
	assert_ok
	assert_eq "$OUT" "from-host"
	assert_eq "$(cat "$T/vol/out.txt" 2>/dev/null)" "from-container"
}

scenario_docker_network_host() {
	dk_run -d --network host --name hostnet "$IMG" sh -c ": dhostnet; $SILENT"
	assert_ok
	dk inspect -f '{{.State.Pid}}' hostnet
	[ -d "/proc/$OUT" ] || fail "inspect pid [$OUT] is no host process"
	assert_eq "$(ns_of "$OUT" net)" "$(ns_of self net)"
	assert_eq "$(ns_of "$(program_pid ": dhostnet;")" net)" "$(ns_of self net)"
	dk exec hostnet ip -o link
	assert_ok
	assert_contains "$OUT" " eth0: "
	dk rm -f hostnet
	assert_ok
}

# --init: Docker's docker-init (tini) is pid 1, the program its child, the
# exit status and SIGTERM passed through.
scenario_docker_init() {
	dk_run --rm --init "$IMG" sh -c 'tr "\0" " " < /proc/1/cmdline; echo; echo "pid=$$"; exit 4'
	assert_rc 4
	assert_contains "$OUT" "docker-init -- sh -c"
	assert_not_contains "$OUT" "pid=1
"
	dk_run -d --init --name tini "$IMG" sh -c "$TERM_HONOURED"
	assert_ok
	dk_logs_wait tini started
	local t0=$SECONDS
	dk stop -t 20 tini
	assert_ok
	[ $((SECONDS - t0)) -lt 10 ] || fail "stop took $((SECONDS - t0)) s: docker-init did not pass SIGTERM on"
	dk inspect -f '{{.State.ExitCode}}' tini
	assert_eq "$OUT" 0
	dk logs tini
	assert_contains "$OUT" "got-term"
	dk rm tini
	assert_ok
}

# --- buildah -------------------------------------------------------------------

# RUN steps see the base image (buildah mounts the rootfs in a mount
# namespace of its own: the runtime must see it there), their output is
# shown, what one writes is there in the next step and in the image.
scenario_buildah_bud() {
	mkdir -p "$T/ctx"
	cat >"$T/ctx/Containerfile" <<EOF
FROM $IMG
RUN echo step-one; test -x /bin/busybox && grep -q '^root:' /etc/passwd && echo base-image-visible
RUN echo built-by-run > /built.txt && mkdir -p /opt/app && echo two > /opt/app/f
RUN cat /built.txt /opt/app/f
EOF
	bh bud --runtime "$RTBIN" -t "localhost/built-$RT" -f "$T/ctx/Containerfile" "$T/ctx"
	assert_ok
	assert_contains "$OUT" "step-one"
	assert_contains "$OUT" "base-image-visible"
	assert_contains "$OUT" "built-by-run
two"
	bh from --name check "localhost/built-$RT"
	assert_ok
	bh mount check
	assert_ok
	assert_eq "$(cat "$OUT/built.txt" 2>/dev/null)" "built-by-run"
	bh umount check
	bh rm check
	assert_ok
	bh rmi "localhost/built-$RT"
	assert_ok
}

scenario_buildah_bud_failing_run() {
	mkdir -p "$T/ctx"
	cat >"$T/ctx/Containerfile" <<EOF
FROM $IMG
RUN echo before-failure
RUN echo failing; exit 7
RUN echo never
EOF
	bh bud --runtime "$RTBIN" -t "localhost/fails-$RT" -f "$T/ctx/Containerfile" "$T/ctx"
	assert_fails
	assert_contains "$ERR" "exit status 7"
	assert_contains "$OUT" "before-failure"
	assert_contains "$OUT" "failing"
	assert_not_contains "$OUT" "never"
	bh images -q "localhost/fails-$RT"
	assert_eq "$OUT" ""
}

# buildah run, with the runtime from BUILDAH_RUNTIME and from --runtime.
scenario_buildah_run() {
	bh from --name work "$IMG"
	assert_ok
	BUILDAH_RUNTIME=$RTBIN bh run work -- sh -c 'echo run-output; echo x > /from-run.txt; exit 3'
	assert_fails
	assert_contains "$ERR" "exit status 3"
	assert_contains "$OUT" "run-output"
	bh run --runtime "$RTBIN" work -- cat /from-run.txt
	assert_ok
	assert_eq "$OUT" "x"
	bh rm work
	assert_ok
}

# --- containerd's ctr ----------------------------------------------------------

ctr_run() { # ARGS...: ctr run with the scenario's runtime
	cr run --runc-binary "$RTBIN" "$@"
}

scenario_ctr_run_rm_output() {
	ctr_run --rm "$IMG" "echo-$$" echo hello
	assert_ok
	assert_eq "$OUT" "hello"
}

scenario_ctr_run_exit_status() {
	ctr_run --rm "$IMG" "exit-$$" sh -c 'exit 3'
	assert_rc 3
}

scenario_ctr_task_lifecycle() {
	local id=task-$$
	ctr_run -d "$IMG" "$id" sh -c ": ctrtask; $TERM_HONOURED"
	assert_ok
	cr tasks ls
	assert_contains "$OUT" "RUNNING"
	# the task's pid (the shim's, from --pid-file) and the pids `tasks ps` lists
	local pid
	pid=$(printf '%s\n' "$OUT" | awk -v i="$id" '$1 == i { print $2 }')
	assert_pid_is_container "$pid" ": ctrtask;"
	cr tasks ps "$id"
	assert_ok
	pid=$(printf '%s\n' "$OUT" | awk 'NR == 2 { print $1 }')
	assert_pid_is_container "$pid" ": ctrtask;"
	cr tasks exec --exec-id probe "$id" sh -c 'echo exec-ok; exit 5'
	assert_rc 5
	assert_eq "$OUT" "exec-ok"
	cr tasks kill "$id"
	assert_ok
	local n=50
	while [ $n -gt 0 ]; do
		cr tasks ls
		case $OUT in *"$id"*STOPPED*) break ;; esac
		sleep 0.1
		n=$((n - 1))
	done
	assert_contains "$OUT" "STOPPED"
	# ctr exits with the task's exit status: 0 is the program's own exit on TERM.
	cr tasks delete "$id"
	assert_ok
	cr containers delete "$id"
	assert_ok
}

# --- several engines -----------------------------------------------------------

# A detached container that prints nothing, left alone for 60 s: still
# running, the same pid alive and the container's, then stopped cleanly by
# SIGTERM. (Both run at the same time, each with its runc and nexcage
# sides: PARALLEL_SCENARIOS.)
scenario_podman_idle_60s() {
	local t0=$SECONDS pid
	pm_run -d --name "idle-$RT" "$IMG" sh -c ": idle-pm-$RT; $SILENT"
	assert_ok
	pid=$(pm_field "idle-$RT" '{{.State.Pid}}')
	assert_pid_is_container "$pid" ": idle-pm-$RT;"
	sleep $((60 - (SECONDS - t0)))
	assert_eq "$(pm_field "idle-$RT" '{{.State.Status}} {{.State.Pid}}')" "running $pid"
	assert_pid_is_container "$pid" ": idle-pm-$RT;"
	pm logs "idle-$RT"
	assert_eq "$OUT$ERR" ""
	pm exec "idle-$RT" echo still-here
	assert_eq "$OUT" "still-here"
	t0=$SECONDS
	pm stop -t 20 "idle-$RT"
	assert_ok
	[ $((SECONDS - t0)) -lt 10 ] || fail "stop took $((SECONDS - t0)) s: SIGTERM was not honoured"
	assert_eq "$(pm_field "idle-$RT" '{{.State.Status}} {{.State.ExitCode}}')" "exited 0"
	[ ! -d "/proc/$pid" ] || fail "podman's pid $pid still lives after stop"
	pm rm "idle-$RT"
	assert_ok
}

scenario_docker_idle_60s() {
	local t0=$SECONDS pid
	dk_run -d --name "idle-$RT" "$IMG" sh -c ": idle-dk-$RT; $SILENT"
	assert_ok
	dk inspect -f '{{.State.Pid}}' "idle-$RT"
	pid=$OUT
	assert_pid_is_container "$pid" ": idle-dk-$RT;"
	sleep $((60 - (SECONDS - t0)))
	dk inspect -f '{{.State.Status}} {{.State.Pid}}' "idle-$RT"
	assert_eq "$OUT" "running $pid"
	assert_pid_is_container "$pid" ": idle-dk-$RT;"
	dk logs "idle-$RT"
	assert_eq "$OUT$ERR" ""
	dk exec "idle-$RT" echo still-here
	assert_eq "$OUT" "still-here"
	t0=$SECONDS
	dk stop -t 20 "idle-$RT"
	assert_ok
	[ $((SECONDS - t0)) -lt 10 ] || fail "stop took $((SECONDS - t0)) s: SIGTERM was not honoured"
	dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' "idle-$RT"
	assert_eq "$OUT" "exited 0"
	[ ! -d "/proc/$pid" ] || fail "docker's pid $pid still lives after stop"
	dk rm "idle-$RT"
	assert_ok
}
