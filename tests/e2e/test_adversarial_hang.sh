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
