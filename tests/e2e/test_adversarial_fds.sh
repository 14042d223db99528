# Descriptor leaks (issue 21, row 5): the program gets 0-2 and the
# descriptors its caller named with --preserve-fds, nothing nexcage opened
# for itself (the id's lock file, the host-wide process-event socket, the
# report socket). --preserve-fds N with fewer than N descriptors passed
# fails before anything is made. (runc 1.1.5 here hands its own
# /sys/fs/cgroup and epoll descriptors on in that case; runc 1.2 refuses.)

# fds_of FILE: the descriptor numbers in an `ls -l /proc/self/fd` listing,
# without the one ls opened to read that directory
fds_of() {
	grep -- '->' "$1" | grep -v ' -> /proc/[0-9]*/fd$' | sed 's/.* \([0-9][0-9]*\) -> .*/\1/' | sort -n | tr '\n' ' ' |
		sed 's/ $//'
}

# nothing of the id pf: no CT, no state, no lock held or left
no_trace_of_pf() {
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
	assert_eq "$(ls -A "$ROOT" 2>/dev/null | grep -v '^\.nexcage:locks$' || true)" ""
	assert_eq "$(ls -A "$ROOT/.nexcage:locks" 2>/dev/null)" ""
	assert_eq "$(find "$T/lib/map" -type f 2>/dev/null)" ""
}

test_preserve_fds_beyond_the_callers_fail_on_create_and_leave_nothing() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "600"]'
	# only 0-2 passed (the runner's own descriptors closed)
	"$NEXCAGE" --root "$ROOT" create --preserve-fds 3 --bundle "$T/b" pf </dev/null >"$T/o" 2>"$T/e" \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	RC=$?
	OUT=$(cat "$T/o")
	ERR=$(cat "$T/e")
	assert_fails
	assert_contains "$ERR" "--preserve-fds 3: descriptor 3 was not open when nexcage started"
	no_trace_of_pf
	# one passed, two asked for: descriptor 4 is named
	"$NEXCAGE" --root "$ROOT" run -d --preserve-fds 2 --bundle "$T/b" pf </dev/null >"$T/o" 2>"$T/e" \
		3>"$T/fd3" 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	RC=$?
	OUT=$(cat "$T/o")
	ERR=$(cat "$T/e")
	assert_fails
	assert_contains "$ERR" "descriptor 4 was not open"
	no_trace_of_pf
	# the id is free (no lock held): create, start and delete it at once
	make_bundle "$T/b" '["sh", "-c", "echo ran > /out/ran; sleep 600"]'
	nx create --bundle "$T/b" pf
	assert_ok
	timeout 60 "$NEXCAGE" --root "$ROOT" start pf || fail "start blocked or failed"
	wait_for 10 test -s "$T/out/ran" || fail "the program did not run"
	timeout 60 "$NEXCAGE" --root "$ROOT" delete --force pf || fail "delete blocked or failed"
	no_trace_of_pf
}

test_the_program_holds_only_0_2_and_the_preserved_descriptors() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["ls", "-l", "/proc/self/fd"]'
	# 3 and 4 preserved; 5 is the caller's too but not preserved
	"$NEXCAGE" --root "$ROOT" create --preserve-fds 2 --bundle "$T/b" pf </dev/null >"$T/create-fds" 2>"$T/e" \
		3>"$T/fd3" 4>"$T/fd4" 5>"$T/fd5" 6>&- 7>&- 8>&- 9>&- || fail "create: $(cat "$T/e")"
	nx start pf
	assert_ok
	wait_for 10 grep -q ' 2 -> ' "$T/create-fds" || fail "the program did not list its fds: $(cat "$T/e")"
	sleep 0.5
	assert_eq "$(fds_of "$T/create-fds")" "0 1 2 3 4"
	nx delete --force pf
	assert_ok
	make_bundle "$T/b" '["sleep", "600"]'
	nx create --bundle "$T/b" px
	assert_ok
	nx start px
	assert_ok
	# none preserved: 0-2 only, whatever else the caller holds
	"$NEXCAGE" --root "$ROOT" exec px ls -l /proc/self/fd </dev/null >"$T/exec0-fds" 2>"$T/e" \
		3>"$T/fd3" 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- || fail "exec: $(cat "$T/e")"
	assert_eq "$(fds_of "$T/exec0-fds")" "0 1 2"
	"$NEXCAGE" --root "$ROOT" exec --preserve-fds 1 px ls -l /proc/self/fd </dev/null >"$T/exec1-fds" \
		2>"$T/e" 3>"$T/fd3" 4>"$T/fd4" 5>&- 6>&- 7>&- 8>&- 9>&- || fail "exec: $(cat "$T/e")"
	assert_eq "$(fds_of "$T/exec1-fds")" "0 1 2 3"
	nx delete --force px
	assert_ok
}

test_preserve_fds_beyond_the_callers_fail_on_exec_and_leave_nothing() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "600"]'
	nx create --bundle "$T/b" pf
	assert_ok
	nx start pf
	assert_ok
	# before, the process got the host-wide process-event socket as fd 3
	"$NEXCAGE" --root "$ROOT" exec --preserve-fds 1 pf sh -c 'ls -l /proc/$$/fd > /out/leak; true' \
		</dev/null >"$T/o" 2>"$T/e" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	RC=$?
	OUT=$(cat "$T/o")
	ERR=$(cat "$T/e")
	assert_fails
	assert_contains "$ERR" "descriptor 3 was not open"
	[ ! -e "$T/out/leak" ] || fail "the process ran: $(cat "$T/out/leak")"
	assert_eq "$(ls "$ROOT/pf" | grep 'exec-' || true)" ""
	# the container is untouched: exec and delete work at once
	timeout 60 "$NEXCAGE" --root "$ROOT" exec pf true || fail "exec after the refused one"
	timeout 60 "$NEXCAGE" --root "$ROOT" delete --force pf || fail "delete blocked or failed"
}

# A program in another pid namespace is started by the stand-in, which
# keeps create's descriptors for it: the same rule there.
test_a_program_in_a_pods_pid_namespace_holds_only_0_2_and_the_preserved() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/a" '["sleep", "600"]'
	nx create --bundle "$T/a" --pid-file "$T/a.pid" pod
	assert_ok
	nx start pod
	assert_ok
	make_bundle "$T/b" '["ls", "-l", "/proc/self/fd"]'
	edit_config "$T/b" "for _, ns in ipairs(s.linux.namespaces) do
			if ns.type == 'pid' then ns.path = '/proc/$(cat "$T/a.pid")/ns/pid' end end"
	"$NEXCAGE" --root "$ROOT" create --preserve-fds 2 --bundle "$T/b" peer </dev/null >"$T/peer-fds" 2>"$T/e" \
		3>"$T/fd3" 4>"$T/fd4" 5>"$T/fd5" 6>&- 7>&- 8>&- 9>&- || fail "create: $(cat "$T/e")"
	nx start peer
	assert_ok
	wait_for 10 grep -q ' 2 -> ' "$T/peer-fds" || fail "the program did not list its fds: $(cat "$T/e")"
	sleep 0.5
	assert_eq "$(fds_of "$T/peer-fds")" "0 1 2 3 4"
	"$NEXCAGE" --root "$ROOT" create --preserve-fds 1 --bundle "$T/b" peer2 </dev/null >/dev/null 2>"$T/e" \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	RC=$?
	OUT=""
	ERR=$(cat "$T/e")
	assert_fails
	assert_contains "$ERR" "descriptor 3 was not open"
	nx delete --force peer
	assert_ok
	nx delete --force pod
	assert_ok
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
}
