# Adversarial, hang class: no command may wait out a timeout because of
# what another container, the engine or the image did. Each wait here is
# bounded well below nexcage's own timeouts, so a hang fails the test
# instead of stalling the suite.

# Issue 21 row 4: two containers on one rootfs (an engine may run one
# image directory twice). Deleting one removed <rootfs>/.nexcage, which
# detached the survivor's init directory: exec into it then hung.
test_deleting_one_of_two_containers_on_one_rootfs_keeps_exec_into_the_other() {
	PCT_TIMEOUT=20
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "echo up >> /out/up; exec sleep 120"]'
	for id in first second; do
		nx create --bundle "$T/b" "$id"
		assert_ok
		nx start "$id"
		assert_ok
	done
	wait_for 20 sh -c "[ \$(wc -l < '$T/out/up') = 2 ]" || fail "both programs did not start"
	nx delete --force first
	assert_ok
	t0=$(date +%s)
	"$NEXCAGE" --root "$ROOT" exec second sh -c 'echo exec works; ls /dev/.nexcage/init' \
		>"$T/exec.out" 2>"$T/exec.err" </dev/null &
	pid=$!
	wait_for 15 sh -c "! kill -0 $pid 2>/dev/null" || {
		kill "$pid"
		fail "exec into the survivor did not return within 15s: $(cat "$T/exec.err")"
	}
	wait "$pid" || fail "exec into the survivor failed after $(($(date +%s) - t0))s: $(cat "$T/exec.err")"
	assert_eq "$(cat "$T/exec.out")" "exec works
/dev/.nexcage/init"
	# and the survivor is still whole: kill, delete
	nx kill second KILL
	assert_ok
	nx delete --force second
	assert_ok
	[ ! -e "$T/b/rootfs/.nexcage" ] || fail "rootfs/.nexcage left behind"
}

# exec: nexcage never waits out a timeout for a process that can no longer
# come, never leaves a file or a process of a killed exec behind, and a
# SIGKILL to the pid it gave an engine ends that process, as under runc
# (the pid there is the process itself).

# the exec'd processes of ID whose command line starts with WHAT
exec_pids() { # id what
	"$NEXCAGE" --root "$ROOT" ps --format json "$1" 2>/dev/null | tr -d '[]' | tr ',' '\n' | while read -r p; do
		[ -n "$p" ] && case "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" in "$2"*) echo "$p" ;; esac
	done
}
has_exec() { [ -n "$(exec_pids "$1" "$2")" ]; }
no_exec() { [ -z "$(exec_pids "$1" "$2")" ]; }

# gone_exec ID: a container whose root unmounted nexcage's directory (the
# init it starts an exec with); exec into it must fail within seconds,
# saying why, with the timeout at 40 s.
gone_exec() {
	make_bundle "$T/$1" '["sh", "-c", "umount -l /.nexcage 2>/dev/null || umount -l /dev/.nexcage; touch /out/gone; sleep 60"]'
	ln -sf busybox "$T/$1/rootfs/bin/umount"
	rm -f "$T/out/gone"
	nx create --bundle "$T/$1" "$1"
	assert_ok
	nx start "$1"
	assert_ok
	wait_for 10 test -f "$T/out/gone" || fail "the program did not run"
	t0=$(date +%s)
	nx exec "$1" true
	t1=$(date +%s)
	assert_fails
	[ $((t1 - t0)) -lt 15 ] || fail "exec took $((t1 - t0)) s to fail (the timeout is 40 s)"
	[ -z "$(ls "$ROOT/$1/ctr" | grep exec-)" ] || fail "report socket left behind"
}

test_exec_fails_at_once_with_the_reason_when_the_process_cannot_start() {
	PCT_TIMEOUT=40 sim_setup
	trap sim_teardown EXIT
	# entered directly: the reason is the kernel's
	gone_exec gone
	assert_contains "$ERR" "No such file or directory"
	nx delete --force gone
	assert_ok
	# through pct exec (a site keeping LXC's seccomp profile): pct's words
	sed -i "s/^}\$/  lxc_seccomp = 'proxmox',\n}/" "$T/config.lua"
	gone_exec viapct
	assert_contains "$ERR" "could not be started in the container (exit "
	assert_contains "$(grep -c '^\["pct","exec"' "$SIM/pct-calls.log")" 1
	nx delete --force viapct
	assert_ok
}

test_a_killed_exec_leaves_no_socket_and_sigkill_to_its_pid_ends_the_process() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "120"]'
	nx create --bundle "$T/b" kx
	assert_ok
	nx start kx
	assert_ok
	# a foreground exec killed -9 while its process runs
	"$NEXCAGE" --root "$ROOT" exec kx sleep 101 >/dev/null 2>&1 &
	epid=$!
	wait_for 20 has_exec kx 'sleep 101' || fail "the exec'd process did not start"
	kill -9 $epid
	wait $epid 2>/dev/null
	# whatever it left is gone with the next exec; nothing is visible inside
	nx exec kx true
	assert_ok
	[ -z "$(ls "$ROOT/kx/ctr" | grep exec-)" ] || fail "a killed exec's socket is left: $(ls "$ROOT/kx/ctr")"
	nx exec kx sh -c 'ls /.nexcage /dev/.nexcage 2>/dev/null | grep exec- || true'
	assert_eq "$OUT" ""
	# an engine's kill -9 of the pid it was given (containerd's shim on a
	# timed-out ExecSync) ends the process it stands for
	nx exec --detach --pid-file "$T/x.pid" kx sleep 102
	assert_ok
	wait_for 10 has_exec kx 'sleep 102' || fail "the detached process did not start"
	kill -9 "$(cat "$T/x.pid")"
	wait_for 10 no_exec kx 'sleep 102' || fail "SIGKILL to the pid-file pid left the process running"
	# the container itself: kill -9 of its pid-file pid ends it, as under runc
	sp=$(json_field "$("$NEXCAGE" --root "$ROOT" state kx)" pid)
	kill -9 "$sp"
	wait_for 15 sh -c "\"$NEXCAGE\" --root \"$ROOT\" state kx | grep -q '\"status\": *\"stopped\"'" ||
		fail "the container runs on after SIGKILL to its pid: $("$NEXCAGE" --root "$ROOT" state kx)"
	nx delete kx
	assert_ok
}

# SIGTERM to a foreground run or exec goes to the program, which decides;
# run returns its status and removes the container (runc's run and exec
# pass signals on the same way), so nothing keeps running unseen.
test_signals_to_a_foreground_run_or_exec_reach_the_program() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "trap \"echo term >/out/run; exit 7\" TERM; touch /out/up; while :; do sleep 1; done"]'
	"$NEXCAGE" --root "$ROOT" run --bundle "$T/b" fg >"$T/run.out" 2>&1 &
	rpid=$!
	wait_for 30 test -f "$T/out/up" || fail "the program did not start: $(cat "$T/run.out")"
	kill -TERM $rpid
	wait $rpid
	rc=$?
	assert_eq "$rc" 7
	assert_eq "$(cat "$T/out/run")" term
	nx state fg
	assert_fails
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/")" ""

	make_bundle "$T/c" '["sleep", "60"]'
	nx create --bundle "$T/c" ex
	assert_ok
	nx start ex
	assert_ok
	"$NEXCAGE" --root "$ROOT" exec ex sh -c 'trap "echo term >/out/exec; exit 9" INT; touch /out/exec-up; while :; do sleep 1; done' >/dev/null 2>&1 &
	xpid=$!
	wait_for 20 test -f "$T/out/exec-up" || fail "the exec'd process did not start"
	kill -INT $xpid
	wait $xpid
	rc=$?
	assert_eq "$rc" 9
	assert_eq "$(cat "$T/out/exec")" term
	nx delete --force ex
	assert_ok
}
