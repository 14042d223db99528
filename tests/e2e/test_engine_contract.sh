# What an engine (conmon, containerd's shim) relies on beyond the argv,
# checked the way they see it: the caller's descriptors, a terminal on the
# console socket, a pid it can reap for the program's status, namespaces
# given by path, exact capabilities, sysctls applied or a clear error.
TOOLS="$REPO/build/tools"

test_the_program_has_the_callers_stdin_stdout_and_stderr() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "cat; echo to-out; echo to-err >&2"]'
	echo from-stdin >"$T/in"
	"$NEXCAGE" --root "$ROOT" create --bundle "$T/b" io <"$T/in" >"$T/o" 2>"$T/e" || fail "create: $(cat "$T/e")"
	nx start io
	assert_ok
	wait_for 10 grep -q to-err "$T/e" || fail "no stderr from the program: $(cat "$T/e")"
	wait_for 10 grep -q to-out "$T/o" || fail "no stdout"
	assert_eq "$(cat "$T/o")" "from-stdin
to-out"
	assert_not_contains "$(cat "$T/e")" "to-out"
	nx delete --force io
	# a caller whose stdin is closed: the program reads /dev/null there
	make_bundle "$T/b" '["sh", "-c", "cat > /out/in; echo done > /out/done"]'
	"$NEXCAGE" --root "$ROOT" create --bundle "$T/b" io2 <&- >/dev/null 2>"$T/e" || fail "create without stdin: $(cat "$T/e")"
	nx start io2
	wait_for 10 test -s "$T/out/done" || fail "the program did not run"
	assert_eq "$(cat "$T/out/in")" ""
	nx delete --force io2
}

test_preserve_fds_reach_the_program() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "echo via-fd3 >&3; echo via-fd4 >&4"]'
	"$NEXCAGE" --root "$ROOT" create --preserve-fds 2 --bundle "$T/b" pf 3>"$T/fd3" 4>"$T/fd4" </dev/null \
		>/dev/null 2>"$T/e" || fail "create: $(cat "$T/e")"
	nx start pf
	wait_for 10 grep -q via-fd4 "$T/fd4" || fail "fd 4 did not reach the program"
	assert_eq "$(cat "$T/fd3")" "via-fd3"
	nx delete --force pf
}

test_a_subreaper_reaps_the_programs_exit_status_from_the_pid_file() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "read x < /out/go; exit 7"]'
	mkfifo "$T/out/go"
	"$TOOLS/subreaper" "$T/pid" "$NEXCAGE" --root "$ROOT" create --bundle "$T/b" --pid-file "$T/pid" st \
		</dev/null >"$T/reap" 2>&1 &
	reaper=$!
	wait_for 30 grep -q '^pid ' "$T/reap" || fail "create did not finish: $(cat "$T/reap")"
	nx start st
	assert_ok
	echo go >"$T/out/go"
	wait "$reaper"
	assert_contains "$(cat "$T/reap")" "exit 7"
	# a program killed by a signal: the stand-in dies of the same signal
	nx delete --force st
	make_bundle "$T/b" '["sleep", "600"]'
	"$TOOLS/subreaper" "$T/pid" "$NEXCAGE" --root "$ROOT" create --bundle "$T/b" --pid-file "$T/pid" sk \
		</dev/null >"$T/reap" 2>&1 &
	reaper=$!
	wait_for 30 grep -q '^pid ' "$T/reap" || fail "create did not finish: $(cat "$T/reap")"
	nx start sk
	nx kill sk KILL
	assert_ok
	wait "$reaper"
	assert_contains "$(cat "$T/reap")" "signal 9"
	nx delete sk
	assert_ok
}

test_a_terminal_goes_to_the_console_socket() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "tty; [ -t 0 ] && [ -t 1 ] && echo is-a-tty"]'
	edit_config "$T/b" "s.process.terminal = true"
	"$TOOLS/recvtty" "$T/console.sock" >"$T/tty.out" 2>&1 &
	wait_for 5 test -S "$T/console.sock" || fail "recvtty did not listen"
	nx create --bundle "$T/b" --console-socket "$T/console.sock" tt
	assert_ok
	nx start tt
	wait_for 10 grep -q is-a-tty "$T/tty.out" || fail "no terminal output: $(cat "$T/tty.out")"
	assert_eq "$(head -n 1 "$T/tty.out")" "/dev/pts/ptmx"
	sed -n 2p "$T/tty.out" | grep -q '^/dev/pts/[0-9]' || fail "tty is not a pts: $(cat "$T/tty.out")"
	nx delete --force tt
	# runc's rules: a terminal needs the socket, the socket needs a terminal
	nx create --bundle "$T/b" tt2
	assert_fails
	assert_contains "$ERR" "--console-socket"
	edit_config "$T/b" "s.process.terminal = false"
	nx create --bundle "$T/b" --console-socket "$T/console.sock" tt3
	assert_fails
	assert_contains "$ERR" "process.terminal is false"
}

test_network_namespace_by_path_is_joined_and_one_without_path_is_empty() {
	sim_setup
	ns="nxe2e$$"
	trap 'ip netns del "$ns" 2>/dev/null; sim_teardown' EXIT
	ip netns add "$ns" || fail "ip netns add"
	ip -n "$ns" link add nxdummy0 type veth peer name nxdummy1 || fail "veth link in $ns"
	make_bundle "$T/b" '["sh", "-c", "cat /proc/net/dev > /out/dev"]'
	edit_config "$T/b" "table.insert(s.linux.namespaces, { type = 'network', path = '/run/netns/$ns' })"
	nx create --bundle "$T/b" nj
	assert_ok
	assert_not_contains "$(cat "$SIM"/etc/pve/nodes/pve/lxc/*.conf)" "net0"
	nx start nj
	wait_for 10 test -s "$T/out/dev" || fail "the program did not run"
	assert_contains "$(cat "$T/out/dev")" "nxdummy0"
	nx delete --force nj
	rm -f "$T/out/dev"
	make_bundle "$T/b" '["sh", "-c", "cat /proc/net/dev > /out/dev"]'
	edit_config "$T/b" "table.insert(s.linux.namespaces, { type = 'network' })"
	nx create --bundle "$T/b" ne
	assert_ok
	nx start ne
	wait_for 10 test -s "$T/out/dev" || fail "the program did not run"
	assert_eq "$(grep -c ':' "$T/out/dev")" 1
	assert_contains "$(cat "$T/out/dev")" "lo:"
	nx delete --force ne
	# a path that is not a network namespace is refused before anything is made
	edit_config "$T/b" "s.linux.namespaces[#s.linux.namespaces].path = '/proc/self/ns/ipc'"
	nx create --bundle "$T/b" nbad
	assert_fails
	assert_contains "$ERR" "is not a network namespace"
	nx state nbad
	assert_contains "$ERR" "does not exist"
}

test_the_five_capability_sets_are_exactly_the_specs() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "grep ^Cap /proc/self/status > /out/caps"]'
	edit_config "$T/b" "s.process.capabilities = { bounding = { 'CAP_CHOWN', 'CAP_KILL' },
		effective = { 'CAP_KILL' }, permitted = { 'CAP_KILL', 'CAP_CHOWN' }, inheritable = { 'CAP_KILL' },
		ambient = { 'CAP_KILL' } }"
	nx create --bundle "$T/b" caps
	assert_ok
	nx start caps
	wait_for 10 test -s "$T/out/caps" || fail "the program did not run"
	# the program is root: execve gives it its bounding set as permitted and
	# effective (as under runc); inheritable and ambient stay as given
	assert_contains "$(cat "$T/out/caps")" "CapBnd:	0000000000000021"
	assert_contains "$(cat "$T/out/caps")" "CapInh:	0000000000000020"
	assert_contains "$(cat "$T/out/caps")" "CapAmb:	0000000000000020"
	nx delete --force caps
}

test_a_sysctl_that_cannot_be_set_fails_create_with_the_reason() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["true"]'
	edit_config "$T/b" "table.insert(s.linux.namespaces, { type = 'network' })
		s.linux.sysctl = { ['net.ipv4.no_such_knob'] = '1' }"
	nx create --bundle "$T/b" sy
	assert_fails
	assert_contains "$ERR" "linux.sysctl net.ipv4.no_such_knob: cannot be set in the container"
	nx state sy
	assert_contains "$ERR" "does not exist"
	assert_eq "$(ls "$SIM"/etc/pve/nodes/pve/lxc/ 2>/dev/null)" ""
	# a valid one is set in the program's namespace
	make_bundle "$T/b" '["sh", "-c", "cat /proc/sys/net/ipv4/ping_group_range > /out/range"]'
	edit_config "$T/b" "table.insert(s.linux.namespaces, { type = 'network' })
		s.linux.sysctl = { ['net.ipv4.ping_group_range'] = '0 0' }"
	nx create --bundle "$T/b" sy2
	assert_ok
	nx start sy2
	wait_for 10 test -s "$T/out/range" || fail "the program did not run"
	assert_eq "$(tr -s '\t ' ' ' <"$T/out/range")" "0 0"
	nx delete --force sy2
}

test_the_default_mounts_of_an_engine_config_are_there_and_ptmx_is_a_symlink() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "cat /proc/mounts > /out/mounts; ls -l /dev/ptmx > /out/ptmx; umask > /out/umask; hostname > /out/hostname"]'
	# the mounts `runc spec` and the engines put in every config.json
	edit_config "$T/b" "s.mounts = {
		{ destination = '/proc', type = 'proc', source = 'proc' },
		{ destination = '/dev', type = 'tmpfs', source = 'tmpfs', options = { 'nosuid', 'strictatime', 'mode=755', 'size=65536k' } },
		{ destination = '/dev/pts', type = 'devpts', source = 'devpts', options = { 'nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5' } },
		{ destination = '/dev/shm', type = 'tmpfs', source = 'shm', options = { 'nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k' } },
		{ destination = '/dev/mqueue', type = 'mqueue', source = 'mqueue', options = { 'nosuid', 'noexec', 'nodev' } },
		{ destination = '/sys', type = 'sysfs', source = 'sysfs', options = { 'nosuid', 'noexec', 'nodev', 'ro' } },
		{ destination = '/out', type = 'bind', source = '$T/out', options = { 'rbind', 'rw' } } }
		s.process.user.umask = 23
		s.hostname = 'engine-host'"
	nx create --bundle "$T/b" dm
	assert_ok
	nx start dm
	wait_for 10 test -s "$T/out/hostname" || fail "the program did not run"
	m=$(cat "$T/out/mounts")
	for want in " /proc proc " " /dev tmpfs " " /dev/pts devpts " " /dev/shm tmpfs " " /dev/mqueue mqueue " " /sys sysfs "; do
		assert_contains "$m" "$want"
	done
	assert_contains "$(cat "$T/out/ptmx")" "/dev/ptmx -> pts/ptmx"
	assert_eq "$(cat "$T/out/umask")" "0027"
	assert_eq "$(cat "$T/out/hostname")" "engine-host"
	nx delete --force dm
}

test_a_long_state_root_and_a_64_character_id_work_as_engines_use_them() {
	sim_setup
	trap sim_teardown EXIT
	# containerd: --root /run/containerd/runc/k8s.io and 64-hex ids; the
	# init's socket path then passes sun_path's 108 bytes
	ROOT="$T/run/containerd/runc/a-namespace-with-a-long-name"
	id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	make_bundle "$T/b" '["sh", "-c", "echo long > /out/long"]'
	nx create --bundle "$T/b" "$id"
	assert_ok
	nx start "$id"
	assert_ok
	wait_for 10 test -s "$T/out/long" || fail "the program did not run"
	nx delete --force "$id"
	assert_ok
}

test_a_fifo_device_is_made_in_the_ct_by_the_init() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "[ -p /dev/myfifo ] && ls -ln /dev/myfifo > /out/fifo"]'
	edit_config "$T/b" "s.linux.devices = { { path = '/dev/myfifo', type = 'p', fileMode = 4516, uid = 7, gid = 8 } }"
	nx translate --bundle "$T/b" --format pct
	assert_ok
	assert_contains "$OUT" "#   device: /dev/myfifo fifo mode 0644 owner 7:8"
	nx create --bundle "$T/b" ff
	assert_ok
	nx start ff
	wait_for 10 test -s "$T/out/fifo" || fail "no FIFO at /dev/myfifo in the CT"
	assert_contains "$(cat "$T/out/fifo")" "prw-r--r--"
	assert_contains "$(tr -s ' ' <"$T/out/fifo")" " 7 8 "
	nx delete --force ff
}
