# Engine scenarios (issue 12, "Engines in the test suite"). Each runs once
# under runc and once under nexcage; helpers in lib.sh, e2e asserts from
# tests/e2e/lib.sh (fail, assert_*). Each ends with nothing left in the
# engines, the runtime's state root, the simulator or LXC (run.sh checks).

# The nexcage scenarios that do not pass yet. The suite runs them and
# reports them as "pending" (not passed, not failed) and says
# PASS-PENDING when one passes: remove it from here then. runc passes all.
NEXCAGE_PENDING=""

SCENARIOS="
podman_run_echo
podman_run_exit_status
podman_detached_lifecycle
podman_stop_sigkill_after_timeout
podman_run_tty
podman_run_stdin
podman_cp_out_of_stopped
podman_default_network
podman_pod_shares_localhost
ctr_run_rm_output
ctr_run_exit_status
ctr_task_lifecycle
"

# A program that says it started, then waits; on SIGTERM it says so and exits 0.
TERM_HONOURED='trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 1 & wait $!; done'
# One that ignores SIGTERM.
TERM_IGNORED='trap "" TERM; echo started; while :; do sleep 1 & wait $!; done'

wait_logs() { # container text
	local n=50
	while [ $n -gt 0 ]; do
		pm logs "$1"
		case $OUT in *"$2"*) return 0 ;; esac
		sleep 0.2
		n=$((n - 1))
	done
	fail "logs of $1 never showed [$2]: [$OUT] [$ERR]"
}

scenario_podman_run_echo() {
	pm run --rm "$IMG" echo hello
	assert_ok
	assert_eq "$OUT" "hello"
}

scenario_podman_run_exit_status() {
	pm run --rm "$IMG" sh -c 'echo out; echo err >&2; exit 3'
	assert_rc 3
	assert_eq "$OUT" "out"
	assert_contains "$ERR" "err"
}

scenario_podman_detached_lifecycle() {
	pm run -d --name life "$IMG" sh -c "$TERM_HONOURED"
	assert_ok
	wait_logs life started
	pm ps --format '{{.Names}} {{.Status}}'
	assert_contains "$OUT" "life Up"
	local st pid
	st=$(pm_field life '{{.State.Status}} {{.State.Pid}}')
	pid=${st#* }
	assert_eq "${st% *}" running
	[ "$pid" -gt 0 ] 2>/dev/null || fail "inspect pid: [$st]"
	[ -d "/proc/$pid" ] || fail "inspect pid $pid is no process on the host"
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
	pm ps -a -q
	assert_eq "$OUT" ""
}

scenario_podman_stop_sigkill_after_timeout() {
	pm run -d --name stubborn "$IMG" sh -c "$TERM_IGNORED"
	assert_ok
	wait_logs stubborn started
	local t0=$SECONDS
	pm stop -t 2 stubborn
	assert_ok
	[ $((SECONDS - t0)) -ge 2 ] || fail "stop returned before the 2 s timeout"
	assert_eq "$(pm_field stubborn '{{.State.Status}} {{.State.ExitCode}}')" "exited 137"
	pm rm stubborn
	assert_ok
}

scenario_podman_run_tty() {
	pm run --rm -t "$IMG" sh -c '[ -t 0 ] && [ -t 1 ] && echo "tty: $(tty)"'
	assert_ok
	assert_contains "$OUT" "tty: /dev/pts/"
}

scenario_podman_run_stdin() {
	pm_in "line from stdin" run -i --rm "$IMG" cat
	assert_ok
	assert_eq "$OUT" "line from stdin"
}

scenario_podman_cp_out_of_stopped() {
	pm run --name writer "$IMG" sh -c 'echo written-inside > /result.txt'
	assert_ok
	assert_eq "$(pm_field writer '{{.State.Status}}')" exited
	pm cp writer:/result.txt "$T/result.txt"
	assert_ok
	assert_eq "$(cat "$T/result.txt" 2>/dev/null)" "written-inside"
	pm rm writer
	assert_ok
}

scenario_podman_default_network() {
	pm run --rm "$IMG" sh -c 'ip -o -4 addr show dev eth0; ip route'
	assert_ok
	assert_contains "$OUT" "eth0"
	assert_contains "$OUT" "inet "
	assert_contains "$OUT" "default via"
}

scenario_podman_pod_shares_localhost() {
	pm pod create --name duo
	assert_ok
	pm run -d --pod duo --name web "$IMG" httpd -f -p 127.0.0.1:8080 -h /www
	assert_ok
	pm run --rm --pod duo "$IMG" sh -c \
		'for i in $(seq 50); do wget -q -O - http://127.0.0.1:8080/ 2>/dev/null && exit 0; sleep 0.1; done; exit 1'
	assert_ok
	assert_eq "$OUT" "hello from the pod"
	pm pod rm -f -t 0 duo
	assert_ok
}

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
	ctr_run -d "$IMG" "$id" sh -c "$TERM_HONOURED"
	assert_ok
	cr tasks ls
	assert_contains "$OUT" "RUNNING"
	cr tasks ps "$id"
	assert_ok
	local pid
	pid=$(printf '%s\n' "$OUT" | awk 'NR == 2 { print $1 }')
	[ -d "/proc/$pid" ] || fail "task ps: no host process [$OUT]"
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
