# The OCI lifecycle on the Proxmox simulator with real LXC containers.

test_full_cycle_leaves_nothing_behind() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "echo in place > /written; echo $GREETING from $(hostname) > /out/started; exec sleep 60"]'
	before=$(pct_calls)
	nx create --bundle "$T/b" --pid-file "$T/pid" c1
	assert_ok
	create_calls=$(($(pct_calls) - before))
	[ "$create_calls" -le 2 ] || fail "create made $create_calls pct calls"
	nx state c1
	assert_ok
	assert_eq "$(json_field "$OUT" status)" created
	pid=$(json_field "$OUT" initPid)
	[ -d "/proc/$pid" ] || fail "pid $pid is not alive"
	# the pid file and state's pid name the stand-in a caller can wait for,
	# beside the CT's init (initPid)
	standin=$(cat "$T/pid")
	assert_eq "$(json_field "$OUT" pid)" "$standin"
	[ "$standin" != "$pid" ] && [ -d "/proc/$standin" ] || fail "no stand-in ($standin) beside the init ($pid)"
	sleep 0.3
	[ ! -e "$T/out/started" ] || fail "the program ran before start"
	before=$(pct_calls)
	nx start c1
	assert_ok
	wait_for 10 test -s "$T/out/started" || fail "no output after start"
	assert_eq "$(cat "$T/out/started")" "hello from e2e"
	# the rootfs is used in place: the bundle's directory has what the program wrote
	assert_eq "$(cat "$T/b/rootfs/written")" "in place"
	nx state c1
	assert_eq "$(json_field "$OUT" status)" running
	nx kill c1 KILL
	assert_ok
	wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' state c1 | grep -q '\"stopped\"'" || fail "not stopped after kill"
	wait_for 10 test ! -d "/proc/$standin" || fail "the stand-in outlived the program"
	assert_eq "$(($(pct_calls) - before))" 0
	before=$(pct_calls)
	nx delete c1
	assert_ok
	[ "$(($(pct_calls) - before))" -le 2 ] || fail "delete made too many pct calls"
	nx state c1
	assert_contains "$ERR" "container does not exist"
	left=$(find "$SIM/etc/pve/nodes" "$SIM/var/lib/vz" "$SIM/var/lib/lxc" -mindepth 1 \
		! -type d 2>/dev/null | grep -v '\.vmlist' || true)
	assert_eq "$left" ""
	assert_eq "$(ls -A "$ROOT" | grep -v '^\.nexcage:locks$' || true)" ""
	assert_eq "$(ls -A "$T/lib/map" 2>/dev/null || true)" ""
	# the bundle's rootfs stays, as the engine left it (the mount point gone)
	[ -x "$T/b/rootfs/bin/busybox" ] && [ ! -e "$T/b/rootfs/.nexcage" ] || fail "rootfs not left as it was"
}

test_create_of_a_used_id_fails_and_changes_nothing() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" dup
	assert_ok
	calls=$(pct_calls)
	nx create --bundle "$T/b" dup
	assert_fails
	assert_contains "$ERR" "container with given ID already exists"
	assert_eq "$(pct_calls)" "$calls"
	nx state dup
	assert_eq "$(json_field "$OUT" status)" created
	nx delete --force dup
	assert_ok
}

test_failed_pct_start_rolls_back_everything() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	PVE_SIM_FAIL=start:lxc-start nx create --bundle "$T/b" rb
	assert_fails
	assert_contains "$ERR" "pct start"
	nx state rb
	assert_contains "$ERR" "container does not exist"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
	assert_eq "$(ls -A "$SIM/var/lib/vz/template/cache" 2>/dev/null)" ""
	assert_eq "$(ls -A "$T/lib/map" 2>/dev/null || true)" ""
}

test_hung_pct_is_killed_after_the_timeout() {
	PCT_TIMEOUT=2 sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	start=$(date +%s)
	PVE_SIM_HANG=start:lxc-start nx create --bundle "$T/b" hang
	assert_fails
	assert_contains "$ERR" "no answer within 2s"
	[ $(($(date +%s) - start)) -lt 30 ] || fail "timeout not enforced"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
}

test_vmid_of_another_node_is_skipped() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	mkdir -p "$SIM/etc/pve"
	printf '{"version": 3, "ids": {"100": {"node": "other", "type": "lxc", "version": 1}}}\n' >"$SIM/etc/pve/.vmlist"
	nx create --bundle "$T/b" skip
	assert_ok
	nx state skip
	assert_eq "$(json_field "$OUT" vmid)" 101
	nx delete --force skip
	assert_ok
}

test_start_only_from_created() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" s1
	nx start s1
	assert_ok
	nx start s1
	assert_fails
	assert_contains "$ERR" "cannot start an already running container"
	nx delete s1
	assert_fails
	assert_contains "$ERR" "that is not stopped: running"
	nx kill s1 9
	wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' state s1 | grep -q '\"stopped\"'"
	nx start s1
	assert_contains "$ERR" "cannot start a container that has stopped"
	nx kill s1
	assert_contains "$ERR" "container not running"
	nx delete s1
	assert_ok
}

test_delete_force_of_a_missing_id_succeeds() {
	sim_setup
	nx delete --force never-was
	assert_ok
	nx delete never-was
	assert_fails
	assert_contains "$ERR" "container does not exist"
}

test_run_exits_with_the_container_status() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "echo run-output; exit 7"]'
	nx run --bundle "$T/b" r1
	assert_rc 7
	assert_contains "$OUT" "run-output"
	nx state r1
	assert_contains "$ERR" "container does not exist"
}

test_exec_runs_in_the_container_with_its_env() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" ex
	nx start ex
	nx exec ex sh -c 'echo $GREETING $(hostname) $(pwd)'
	assert_ok
	assert_eq "$OUT" "hello e2e /"
	nx exec --env GREETING=bye --cwd /tmp ex sh -c 'echo $GREETING $(pwd); exit 3'
	assert_rc 3
	assert_eq "$OUT" "bye /tmp"
	nx delete --force ex
	assert_ok
}

test_ps_and_pause_resume() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" pp
	nx start pp
	nx state pp
	pid=$(json_field "$OUT" pid)
	nx ps --format json pp
	assert_ok
	assert_contains "$OUT" "$pid"
	nx pause pp
	assert_ok
	nx state pp
	assert_eq "$(json_field "$OUT" status)" paused
	nx resume pp
	assert_ok
	nx state pp
	assert_eq "$(json_field "$OUT" status)" running
	nx delete --force pp
	assert_ok
}

test_list_shows_orphans_and_gc_removes_them() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" keep
	nx create --bundle "$T/b" lost
	nx list --format json
	assert_ok
	assert_contains "$OUT" '"id": "keep"'
	# a reboot empties /run: the state of "lost" is gone, its CT is not
	lxc-stop -P "$SIM/var/lib/lxc" -n 101 -k >/dev/null 2>&1
	rm -rf "$ROOT/lost"
	nx list
	assert_ok
	assert_contains "$OUT" "stopped(orphan)"
	nx gc --dry-run
	assert_contains "$OUT" "would remove lost (CT 101)"
	nx gc
	assert_ok
	[ ! -e "$SIM/etc/pve/nodes/pve/lxc/101.conf" ] || fail "CT 101 still there"
	nx list -q
	assert_eq "$OUT" "keep"
	nx delete --force keep
}

test_state_does_not_trust_a_reused_pid() {
	sim_setup
	mkdir -p "$ROOT/ghost"
	cat >"$ROOT/ghost/state.json" <<JSON
{"ociVersion": "1.3.0", "id": "ghost", "pid": $$, "pid_start": 1, "vmid": 150,
 "bundle": "/nonexistent", "rootfs": "/nonexistent/rootfs", "created": "2026-01-01T00:00:00Z",
 "owner": "root", "annotations": {}}
JSON
	nx state ghost
	assert_ok
	assert_eq "$(json_field "$OUT" status)" stopped
	assert_eq "$(json_field "$OUT" pid)" 0
}

test_twenty_concurrent_creates_get_distinct_vmids() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	i=1
	while [ $i -le 20 ]; do
		"$NEXCAGE" --root "$ROOT" create --bundle "$T/b" "par$i" >"$T/par$i.log" 2>&1 &
		i=$((i + 1))
	done
	wait
	i=1
	: >"$T/vmids"
	while [ $i -le 20 ]; do
		nx state "par$i"
		assert_ok
		json_field "$OUT" vmid >>"$T/vmids"
		echo >>"$T/vmids"
		i=$((i + 1))
	done
	assert_eq "$(sort -u "$T/vmids" | grep -c .)" 20
	i=1
	while [ $i -le 20 ]; do
		nx delete --force "par$i"
		assert_ok
		i=$((i + 1))
	done
}

test_two_creates_of_one_id_one_wins() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	"$NEXCAGE" --root "$ROOT" create --bundle "$T/b" same >"$T/a.log" 2>&1 &
	"$NEXCAGE" --root "$ROOT" create --bundle "$T/b" same >"$T/b.log" 2>&1 &
	wait
	wins=$(grep -c . "$T/a.log" "$T/b.log" | grep -c ':0$')
	assert_eq "$wins" 1
	assert_contains "$(cat "$T/a.log" "$T/b.log")" "container with given ID already exists"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" | grep -c conf)" 1
	nx delete --force same
	assert_ok
}

test_the_program_gets_exactly_the_process_settings() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "cat /proc/self/status > /out/status; cat /proc/self/oom_score_adj > /out/oom; cat /proc/sys/net/ipv4/ip_forward > /out/fwd; env > /out/env; ls /proc/self/fd > /out/fds; pwd > /out/cwd; ulimit -n > /out/nofile; exec sleep 60"]'
	edit_config "$T/b" "s.process.user = { uid = 1000, gid = 1000, additionalGids = { 27 } }
s.process.cwd = '/tmp'
s.process.noNewPrivileges = true
s.process.oomScoreAdj = 123
s.process.rlimits = { { type = 'RLIMIT_NOFILE', soft = 321, hard = 654 } }
table.insert(s.linux.namespaces, { type = 'network' })
s.linux.sysctl = { ['net.ipv4.ip_forward'] = '1' }"
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	nx create --bundle "$T/b" exact
	assert_ok
	nx start exact
	assert_ok
	wait_for 10 test -s "$T/out/nofile" || fail "the program did not run"
	assert_contains "$(cat "$T/out/status")" "NoNewPrivs:	1"
	assert_contains "$(cat "$T/out/status")" "Uid:	1000	1000	1000	1000"
	assert_contains "$(cat "$T/out/status")" "Groups:	27"
	assert_eq "$(cat "$T/out/oom")" 123
	assert_eq "$(cat "$T/out/fwd")" 1
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd"
	assert_eq "$(cat "$T/out/cwd")" /tmp
	assert_eq "$(cat "$T/out/nofile")" 321
	# exactly config.json's environment (busybox sh adds PWD and SHLVL
	# itself), and HOME as runc sets it when the config has none: the
	# user's home in /etc/passwd, here "/" (uid 1000 has no entry)
	assert_eq "$(grep -v -e '^PWD=' -e '^SHLVL=' -e '^_=' "$T/out/env" | sort | tr '\n' ' ')" "GREETING=hello HOME=/ PATH=/bin "
	# 0, 1, 2 and the directory ls itself opens
	assert_eq "$(cat "$T/out/fds" | tr '\n' ' ')" "0 1 2 3 "
	nx delete --force exact
	assert_ok
}

test_a_create_killed_midway_is_cleaned_by_gc_and_the_id_reusable() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	# nexcage dies while pct start hangs: CT and mapping exist, no state.json
	PVE_SIM_HANG=start:lxc-start "$NEXCAGE" --root "$ROOT" create --bundle "$T/b" killed >/dev/null 2>&1 &
	pid=$!
	wait_for 20 test -e "$SIM/etc/pve/nodes/pve/lxc/100.conf" || fail "create did not get to pct create"
	sleep 0.5
	kill -9 $pid
	wait $pid 2>/dev/null
	pkill -9 -f "pct start 100" 2>/dev/null
	nx state killed
	assert_contains "$ERR" "container does not exist"
	nx gc
	assert_ok
	assert_contains "$OUT" "removing killed (CT 100)"
	[ ! -e "$SIM/etc/pve/nodes/pve/lxc/100.conf" ] || fail "CT 100 left behind"
	nx create --bundle "$T/b" killed
	assert_ok
	nx delete --force killed
	assert_ok
}

test_exec_detach_writes_the_host_pid_of_the_new_process() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" ed
	nx start ed
	nx exec --detach --pid-file "$T/exec.pid" ed sh -c 'echo detached > /out/detached; exec sleep 30'
	assert_ok
	# the pid file names the stand-in an engine reaps; it exits as the process does
	standin=$(cat "$T/exec.pid")
	wait_for 10 test -s "$T/out/detached" || fail "the detached process did not run"
	assert_eq "$(cat /proc/$standin/comm)" "nx:ed"
	nx ps --format json ed
	found=""
	for p in $(echo "$OUT" | tr -d '[]' | tr ',' ' '); do
		case "$(tr '\0' ' ' </proc/$p/cmdline)" in "sleep 30"*) found=$p ;; esac
	done
	[ -n "$found" ] || fail "ps does not list the exec'd process: $OUT"
	kill -TERM "$found"
	wait_for 10 test ! -d "/proc/$standin" || fail "the stand-in outlived the exec'd process"
	nx exec --pid-file "$T/fg.pid" ed sh -c 'exit 4'
	assert_rc 4
	[ -s "$T/fg.pid" ] || fail "no pid file in the foreground"
	[ -z "$(ls "$ROOT/ed/ctr" | grep exec-)" ] || fail "report socket left behind"
	nx delete --force ed
	assert_ok
}

test_update_changes_the_limits_through_pct_set() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" up
	nx start up
	vmid=$(json_field "$("$NEXCAGE" --root "$ROOT" state up)" vmid)
	before=$(pct_calls)
	echo '{"memory": {"limit": 268435456}, "cpu": {"quota": 50000, "period": 100000}}' >"$T/res.json"
	nx update --resources "$T/res.json" up
	assert_ok
	assert_eq "$(($(pct_calls) - before))" 1
	conf=$(cat "$SIM/etc/pve/nodes/pve/lxc/$vmid.conf")
	assert_contains "$conf" "memory: 256"
	assert_contains "$conf" "cpulimit: 0.5"
	# a 1-byte limit would be raised to pct's 16 MiB on the running CT: refused
	echo '{"memory": {"limit": 1}}' | "$NEXCAGE" --root "$ROOT" update -r - up 2>"$T/err" && fail "1-byte limit accepted"
	assert_contains "$(cat "$T/err")" "linux.resources.memory.limit: 1 is out of range"
	assert_contains "$(cat "$SIM/etc/pve/nodes/pve/lxc/$vmid.conf")" "memory: 256"
	echo 'not json' >"$T/res.json"
	nx update --resources "$T/res.json" up
	assert_fails
	assert_contains "$ERR" "resources are not valid JSON"
	nx delete --force up
}

test_a_read_only_root_still_gets_the_init_mount_point() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "touch /x 2>/out/ro-err; ls -d /dev/.nexcage > /out/mp; exec sleep 60"]'
	edit_config "$T/b" "s.root.readonly = true"
	nx create --bundle "$T/b" ro
	assert_ok
	# read-only through the init, once its mount points are made (not
	# Proxmox's ro=1, which comes before them)
	vmid=$(json_field "$("$NEXCAGE" --root "$ROOT" state ro)" vmid)
	assert_not_contains "$(cat "$SIM/etc/pve/nodes/pve/lxc/$vmid.conf")" ",ro=1"
	# the mount point is in the CT's /dev (autodev's tmpfs), not the rootfs
	[ ! -e "$T/b/rootfs/.nexcage" ] && [ ! -e "$T/b/rootfs/dev/.nexcage" ] || fail "create wrote into the rootfs"
	nx start ro
	wait_for 10 test -s "$T/out/mp" || fail "the program did not run"
	assert_contains "$(cat "$T/out/ro-err")" "Read-only file system"
	nx delete --force ro
	assert_ok
}

test_rootfs_mode_copy_puts_the_root_on_the_storage() {
	sim_setup
	trap sim_teardown EXIT
	write_file "$T/config.lua" "$(sed 's/^}$/  rootfs_mode = "copy",\n}/' "$T/config.lua")"
	make_bundle "$T/b" '["sh", "-c", "echo copied > /written; exec sleep 60"]'
	nx create --bundle "$T/b" cp1
	assert_ok
	vmid=$(json_field "$("$NEXCAGE" --root "$ROOT" state cp1)" vmid)
	# a sized disk on a dir storage: a raw ext4 image (loop-mounted at start)
	assert_contains "$(cat "$SIM/etc/pve/nodes/pve/lxc/$vmid.conf")" "rootfs: local:$vmid/vm-$vmid-disk-0.raw,size=8G"
	img="$SIM/var/lib/vz/images/$vmid/vm-$vmid-disk-0.raw"
	debugfs -R 'ls -l /bin' "$img" 2>/dev/null | grep -q busybox || fail "the rootfs was not copied into the image"
	nx start cp1
	wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' exec cp1 cat /written 2>/dev/null | grep -qx copied" ||
		fail "the program did not write its root disk"
	[ ! -e "$T/b/rootfs/written" ] || fail "a copied root wrote into the bundle"
	[ ! -e "$T/b/rootfs/.nexcage" ] || fail "a copied root changed the bundle"
	assert_eq "$(ls "$SIM/var/lib/vz/template/cache")" ""
	nx delete --force cp1
	assert_ok
	[ ! -e "$SIM/var/lib/vz/images/$vmid" ] || fail "the root disk outlived delete"
}

# Podman's --init binds a file (catatonit) at /run/podman-init: a Proxmox
# mount point would be refused at start, an LXC file entry runs it.
test_a_bind_of_a_host_file_starts_and_is_readable() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "cat /run/tool; exit 3"]'
	printf 'tool-content\n' >"$T/tool"
	chmod 0644 "$T/tool"
	edit_config "$T/b" "table.insert(s.mounts, { destination = '/run/tool', type = 'bind', source = '$T/tool', options = { 'bind', 'ro' } })"
	nx translate --bundle "$T/b" --format pct
	assert_contains "$OUT" "lxc.mount.entry: $T/tool run/tool none bind,create=file,ro 0 0"
	assert_not_contains "$OUT" "mp=/run/tool"
	nx run --bundle "$T/b" f1
	assert_rc 3
	assert_contains "$OUT" "tool-content"
}
