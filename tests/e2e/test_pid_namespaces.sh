# Pid namespaces a CT's init cannot enter: a pod's (given by path, as
# containerd and Podman pass the sandbox's) and the host's (config.json
# has none, --pid host). The stand-in starts the program there; checked by
# namespace identity, by what the program sees, and by its exit status as
# an engine reaps it. Also the ipc and uts namespaces a config leaves out,
# which are the caller's, as under runc.
TOOLS="$REPO/build/tools"

ns_of() { # pid ns
	readlink "/proc/$1/ns/$2"
}

program_of() { # id: the program's host pid (state's initPid, or the stand-in's child)
	if [ -f "$ROOT/$1/program" ]; then
		cut -d' ' -f1 "$ROOT/$1/program"
	else
		json_field "$("$NEXCAGE" --root "$ROOT" state "$1")" initPid
	fi
}

without_ns() { # DIR TYPE...: drop these namespaces from the config
	dir=$1
	shift
	for t in "$@"; do
		edit_config "$dir" "local out = {}
			for _, ns in ipairs(s.linux.namespaces) do if ns.type ~= '$t' then out[#out + 1] = ns end end
			s.linux.namespaces = out"
	done
}

test_a_container_joins_another_containers_pid_namespace() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/a" '["sleep", "600"]'
	nx create --bundle "$T/a" --pid-file "$T/a.pid" pod </dev/null
	assert_ok
	nx start pod
	assert_ok
	sandbox=$(cat "$T/a.pid")
	make_bundle "$T/b" '["sh", "-c", "read x < /out/go; ps -o pid,args > /out/ps; exit 7"]'
	for c in ps; do ln -sf busybox "$T/b/rootfs/bin/$c"; done
	mkfifo "$T/out/go"
	# the sandbox's pid namespace by path, as containerd's CRI gives it
	edit_config "$T/b" "for _, ns in ipairs(s.linux.namespaces) do
			if ns.type == 'pid' then ns.path = '/proc/$sandbox/ns/pid' end end"
	"$TOOLS/subreaper" "$T/b.pid" "$NEXCAGE" --root "$ROOT" create --bundle "$T/b" --pid-file "$T/b.pid" peer \
		</dev/null >"$T/reap" 2>&1 &
	reaper=$!
	wait_for 30 grep -q '^pid ' "$T/reap" || fail "create did not finish: $(cat "$T/reap")"
	nx start peer
	assert_ok
	wait_for 10 test -f "$ROOT/peer/program" || fail "no program recorded"
	pod_init=$(json_field "$("$NEXCAGE" --root "$ROOT" state pod)" initPid)
	assert_eq "$(ns_of "$(program_of peer)" pid)" "$(ns_of "$pod_init" pid)"
	# the stand-in leads into it, as the sandbox's does
	assert_eq "$(ns_of "$(cat "$T/b.pid")" pid_for_children)" "$(ns_of "$pod_init" pid)"
	# exec lands there too, and sees the pod's processes
	nx exec peer sh -c 'cat /proc/1/cmdline | tr "\0" " "; readlink /proc/self/ns/pid'
	assert_ok
	assert_contains "$OUT" "sleep 600"
	assert_contains "$OUT" "$(ns_of "$pod_init" pid)"
	echo go >"$T/out/go"
	wait "$reaper"
	# the exact status, reaped as an engine reaps the pid file's process
	assert_contains "$(cat "$T/reap")" "exit 7"
	assert_contains "$(cat "$T/out/ps")" "sleep 600"
	wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' state peer | grep -q '\"stopped\"'" || fail "peer still runs"
	nx state pod
	assert_eq "$(json_field "$OUT" status)" running
	nx delete peer
	assert_ok
	nx delete --force pod
	assert_ok
}

# What the program leaves behind in a pid namespace that is not the CT's
# does not die with the CT's init: it is ended with the program, as runc's
# delete ends a container's processes when it has no pid namespace of its
# own; and `kill` reaches the program, not the CT's init (which, as pid 1,
# ignores it).
# start_in_pods_pid_namespace POD PEER SCRIPT: POD (bundle $T/a, pid file
# $T/a.pid) running, and PEER (sh -c SCRIPT, bundle $T/b, pid file
# $T/b.pid) started in POD's pid namespace.
start_in_pods_pid_namespace() {
	make_bundle "$T/a" '["sleep", "600"]'
	nx create --bundle "$T/a" --pid-file "$T/a.pid" "$1" </dev/null
	nx start "$1"
	sandbox=$(cat "$T/a.pid")
	make_bundle "$T/b" "[\"sh\", \"-c\", \"$3\"]"
	edit_config "$T/b" "for _, ns in ipairs(s.linux.namespaces) do
			if ns.type == 'pid' then ns.path = '/proc/$sandbox/ns/pid' end end"
	nx create --bundle "$T/b" --pid-file "$T/b.pid" "$2" </dev/null
	assert_ok
	nx start "$2"
	assert_ok
}

test_kill_reaches_a_program_in_another_pid_namespace_and_nothing_is_left() {
	sim_setup
	trap sim_teardown EXIT
	start_in_pods_pid_namespace pod2 peer2 "sleep 500 & sleep 501"
	wait_for 10 sh -c 'pgrep -f "sleep 50[01]" | wc -l | grep -qx 2' || fail "the program's processes did not start"
	nx kill peer2 TERM
	assert_ok
	wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' state peer2 | grep -q '\"stopped\"'" || fail "TERM did not reach the program"
	wait_for 10 sh -c '! pgrep -f "sleep 50[01]" >/dev/null' || fail "the program left processes: $(pgrep -af 'sleep 50')"
	nx delete peer2
	assert_ok
	nx delete --force pod2
}

# SIGKILL to the pid-file pid is meant for the container (runc's pid is
# the program): for a program in another pid namespace too, the CT ends,
# state says stopped and nothing of the program is left.
test_sigkill_to_the_pid_file_pid_ends_a_program_in_another_pid_namespace() {
	sim_setup
	trap sim_teardown EXIT
	start_in_pods_pid_namespace pod3 peer3 "sleep 502 & sleep 503"
	wait_for 10 sh -c 'pgrep -f "sleep 50[23]" | wc -l | grep -qx 2' || fail "the program's processes did not start"
	kill -KILL "$(cat "$T/b.pid")"
	wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' state peer3 | grep -q '\"stopped\"'" ||
		fail "the CT outlived a SIGKILL to its pid-file pid: $("$NEXCAGE" --root "$ROOT" state peer3)"
	wait_for 10 sh -c '! pgrep -f "sleep 50[23]" >/dev/null' || fail "the program left processes: $(pgrep -af 'sleep 50')"
	nx delete peer3
	assert_ok
	nx delete --force pod3
}

test_a_config_without_a_pid_namespace_runs_among_the_hosts_processes() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "readlink /proc/self/ns/pid > /out/pidns; ls /proc | grep -c \"^[0-9]\" > /out/count; sleep 600"]'
	for c in readlink grep; do ln -sf busybox "$T/b/rootfs/bin/$c"; done
	without_ns "$T/b" pid
	nx create --bundle "$T/b" --pid-file "$T/pid" hostpid </dev/null
	assert_ok
	nx start hostpid
	assert_ok
	wait_for 10 test -s "$T/out/count" || fail "the program did not run"
	assert_eq "$(cat "$T/out/pidns")" "$(ns_of $$ pid)"
	[ "$(cat "$T/out/count")" -gt 20 ] || fail "the program sees $(cat "$T/out/count") processes, not the host's"
	nx kill hostpid KILL
	assert_ok
	wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' state hostpid | grep -q '\"stopped\"'" || fail "not stopped"
	nx delete hostpid
	assert_ok
}

test_an_ipc_or_uts_namespace_left_out_is_the_callers() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "readlink /proc/self/ns/ipc > /out/ns; readlink /proc/self/ns/uts >> /out/ns; hostname > /out/hn; sleep 600"]'
	for c in readlink; do ln -sf busybox "$T/b/rootfs/bin/$c"; done
	without_ns "$T/b" ipc uts
	edit_config "$T/b" "s.hostname = nil"
	nx create --bundle "$T/b" hostipc </dev/null
	assert_ok
	nx start hostipc
	assert_ok
	wait_for 10 test -s "$T/out/hn" || fail "the program did not run"
	assert_eq "$(cat "$T/out/ns")" "$(ns_of $$ ipc)
$(ns_of $$ uts)"
	assert_eq "$(cat "$T/out/hn")" "$(hostname)"
	nx delete --force hostipc
	assert_ok
	# runc refuses a hostname without a uts namespace of the container's own
	edit_config "$T/b" "s.hostname = 'other'"
	nx create --bundle "$T/b" hostipc2 </dev/null
	assert_fails
	assert_contains "$ERR" "hostname is set without a uts namespace"
}

test_a_terminal_for_a_program_in_another_pid_namespace() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "tty; [ -t 0 ] && [ -t 1 ] && echo is-a-tty"]'
	for c in tty; do ln -sf busybox "$T/b/rootfs/bin/$c"; done
	without_ns "$T/b" pid
	edit_config "$T/b" "s.process.terminal = true"
	"$TOOLS/recvtty" "$T/console.sock" >"$T/tty.out" 2>&1 &
	wait_for 5 test -S "$T/console.sock" || fail "recvtty did not listen"
	nx create --bundle "$T/b" --console-socket "$T/console.sock" ptt
	assert_ok
	nx start ptt
	assert_ok
	wait_for 10 grep -q is-a-tty "$T/tty.out" || fail "no terminal: $(cat "$T/tty.out")"
	assert_contains "$(cat "$T/tty.out")" "/dev/pts/"
	nx delete --force ptt
}
