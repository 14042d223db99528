# What a Proxmox node does that nexcage depends on (issue 20), through the
# simulator that now answers as pve-container does: pause without pct, pct's
# real exit codes and streams, an empty cluster's .vmlist, resource limits
# enforced inside the CT, user namespaces with the rootfs in place, the
# storage local, and a CT's signal dispositions.

ct_state() { # id: its status
	"$NEXCAGE" --root "$ROOT" state "$1" >"$T/.st" 2>/dev/null
	json_field "$(cat "$T/.st")" status
}

# The cgroup v1 freezer (or v2 cgroup.freeze) state of a pid's cgroup.
frozen_of() { # pid
	while IFS=: read -r _ ctl path; do
		case $ctl in
		freezer) cat "/sys/fs/cgroup/freezer$path/freezer.state"; return ;;
		esac
	done <"/proc/$1/cgroup"
	grep '^frozen' "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$1/cgroup")/cgroup.events"
}

test_pause_freezes_the_ct_without_pct_and_resume_keeps_its_pids() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /out/n; sleep 0.1; done"]'
	nx create --bundle "$T/b" --pid-file "$T/pid" pz
	assert_ok
	nx start pz
	assert_ok
	wait_for 10 test -s "$T/out/n" || fail "the program did not run"
	nx state pz
	init=$(json_field "$OUT" initPid)
	standin=$(json_field "$OUT" pid)
	before=$(pct_calls)
	nx pause pz
	assert_ok
	assert_eq "$(ct_state pz)" paused
	# the program, and the stand-in beside it in the CT's cgroup, are frozen
	assert_eq "$(frozen_of "$init")" FROZEN
	assert_eq "$(frozen_of "$standin")" FROZEN
	n=$(cat "$T/out/n")
	sleep 1
	assert_eq "$(cat "$T/out/n")" "$n"
	nx pause pz
	assert_fails
	assert_contains "$ERR" "container already paused"
	nx resume pz
	assert_ok
	assert_eq "$(ct_state pz)" running
	wait_for 10 sh -c "[ \"\$(cat '$T/out/n')\" != '$n' ]" || fail "the program did not go on after resume"
	# the same processes: CRIU's pct suspend/resume would have stopped the CT
	nx state pz
	assert_eq "$(json_field "$OUT" initPid)" "$init"
	assert_eq "$(json_field "$OUT" pid)" "$standin"
	assert_eq "$(cat "$T/pid")" "$standin"
	assert_eq "$(($(pct_calls) - before))" 0
	nx resume pz
	assert_fails
	assert_contains "$ERR" "container not paused"
	nx delete --force pz
	assert_ok
}

# runc kills a paused container and thaws it; on cgroup v1 a frozen task
# dies only once thawed, and LXC's stop thaws only on v2 (without the thaw,
# delete waited 10 s for the init to die).
test_a_paused_container_is_deleted_with_force() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "600"]'
	nx create --bundle "$T/b" --pid-file "$T/pid" pd
	nx start pd
	nx pause pd
	assert_ok
	standin=$(cat "$T/pid")
	start=$(date +%s)
	nx delete pd
	assert_fails
	assert_contains "$ERR" "that is not stopped: paused"
	nx delete --force pd
	assert_ok
	[ $(($(date +%s) - start)) -lt 5 ] || fail "delete of a paused container took $(($(date +%s) - start)) s"
	wait_for 10 test ! -d "/proc/$standin" || fail "the stand-in outlived delete"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/")" ""
}

# A config on another node the .vmlist does not list yet (the cluster race):
# pct create answers exit 2 there, and nexcage takes the next VMID.
test_a_vmid_configured_on_another_node_is_retried() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	mkdir -p "$SIM/etc/pve/nodes/other/lxc"
	printf 'memory: 512\n' >"$SIM/etc/pve/nodes/other/lxc/100.conf"
	nx create --bundle "$T/b" race
	assert_ok
	assert_contains "$ERR" "VMID 100 was taken before pct create"
	assert_contains "$ERR" "already exists on node 'other'"
	nx state race
	assert_eq "$(json_field "$OUT" vmid)" 101
	nx delete --force race
	assert_ok
}

# On a node LXC's reasons are on the start task's stdout; stderr has only
# "startup for container 'N' failed".
test_a_failed_start_says_why() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	PVE_SIM_FAIL=start:lxc-start nx create --bundle "$T/b" why
	assert_fails
	assert_contains "$ERR" "startup for container '100' failed"
	assert_contains "$ERR" "Failed to spawn container \"100\""
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/")" ""
}

# pmxcfs writes {"version": N} alone for a cluster without guests: that is
# a readable .vmlist, no reason to ask pvesh (≈1 s on a node).
test_an_empty_cluster_needs_no_pvesh() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	mkdir -p "$SIM/etc/pve"
	printf '{"version": 5}\n' >"$SIM/etc/pve/.vmlist"
	nx create --bundle "$T/b" e1
	assert_ok
	grep -q '^\["pvesh"' "$SIM/pct-calls.log" && fail "pvesh was asked: $(cat "$SIM/pct-calls.log")"
	nx delete --force e1
	assert_ok
	# the simulator writes it the same way once the last guest is gone
	assert_eq "$(lua5.4 -e "local c = require 'cjson'; print(c.decode(io.read('a')).ids)" <"$SIM/etc/pve/.vmlist")" nil
	nx create --bundle "$T/b" e2
	assert_ok
	grep -q '^\["pvesh"' "$SIM/pct-calls.log" && fail "pvesh was asked"
	nx delete --force e2
}

# A v2 node enforces the lxc.cgroup2.* limits; the simulator applies them
# through this host's v1 controllers, so they are proven from inside.
test_memory_cpus_and_pids_limits_are_enforced_inside() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "dd if=/dev/zero of=/dev/null bs=32M count=1 && echo 32 > /out/fit; dd if=/dev/zero of=/dev/null bs=100M count=1; echo $? > /out/big; (while :; do :; done) & p=$!; sleep 2; set -- $(cat /proc/$p/stat); kill $p; echo $((${14} + ${15})) > /out/ticks; (i=0; while [ $i -lt 30 ]; do sleep 3 & i=$((i+1)); done) 2>/out/fork; echo done > /out/done"]'
	cp /bin/busybox "$T/b/rootfs/bin/dd"
	edit_config "$T/b" "s.linux.resources = { memory = { limit = 67108864 }, cpu = { quota = 20000, period = 100000 }, pids = { limit = 20 } }"
	nx run --bundle "$T/b" lim
	assert_ok
	assert_eq "$(cat "$T/out/fit")" 32
	# the 100 MiB buffer is past the 64 MiB limit: the OOM killer's SIGKILL
	assert_eq "$(cat "$T/out/big")" 137
	ticks=$(cat "$T/out/ticks")
	[ "$ticks" -gt 0 ] && [ "$ticks" -le 60 ] || fail "a busy loop under 0.2 CPU used $ticks ticks in 2 s"
	assert_contains "$(cat "$T/out/fork")" "can't fork"
	assert_eq "$(cat "$T/out/done")" done
}

# linux.uidMappings with the rootfs in place: created as runc creates it
# (the bundle is not re-owned; its root's files are the overflow uid
# inside), the CT in a user namespace with exactly the config's map.
test_a_user_namespace_runs_on_the_rootfs_in_place() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "cat /proc/self/uid_map > /out/map; id -u > /out/uid; stat -c %u /bin/busybox > /out/owner"]'
	ln -sf busybox "$T/b/rootfs/bin/stat"
	edit_config "$T/b" "table.insert(s.linux.namespaces, { type = 'user' })
		s.linux.uidMappings = { { containerID = 0, hostID = 100000, size = 65536 } }
		s.linux.gidMappings = { { containerID = 0, hostID = 100000, size = 65536 } }"
	owner=$(stat -c %u:%g "$T/b/rootfs/bin/busybox")
	nx run --bundle "$T/b" userns
	assert_ok
	assert_eq "$(tr -s ' ' <"$T/out/map" | sed 's/^ //')" "0 100000 65536"
	assert_eq "$(cat "$T/out/uid")" 0
	assert_eq "$(cat "$T/out/owner")" 65534
	assert_eq "$(stat -c %u:%g "$T/b/rootfs/bin/busybox")" "$owner"
	grep -q '"--unprivileged","0"' "$SIM/pct-calls.log" || fail "pct create not privileged: $(cat "$SIM/pct-calls.log")"
}

# A shell traps SIGINT only where it was not ignored when it started: a
# node's CT starts with every signal at its default (the simulator's
# service manager used to hand SIGINT and SIGQUIT down ignored).
test_sigint_and_sigquit_reach_the_program() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "trap \"echo INT > /out/sig; exit 3\" INT; trap \"echo QUIT > /out/sig; exit 4\" QUIT; echo > /out/ready; while :; do sleep 0.1; done"]'
	for sig in INT QUIT; do
		rm -f "$T/out/ready" "$T/out/sig"
		nx create --bundle "$T/b" --pid-file "$T/pid" s$sig
		nx start s$sig
		wait_for 10 test -e "$T/out/ready" || fail "the program did not start"
		nx kill s$sig $sig
		assert_ok
		wait_for 10 test -s "$T/out/sig" || fail "SIG$sig did not reach the program's trap"
		assert_eq "$(cat "$T/out/sig")" $sig
		nx delete --force s$sig
	done
}

# Proxmox keeps the storage local's templates in /var/lib/vz whatever
# storage.cfg says: an archive written elsewhere is not found, and the
# error says which setting to change.
test_a_template_dir_off_the_storage_is_named() {
	sim_setup
	trap sim_teardown EXIT
	write_file "$T/config.lua" "$(sed -e 's/^}$/  rootfs_mode = "copy",\n}/' \
		-e "s|template_dir = '[^']*'|template_dir = '$T/elsewhere'|" "$T/config.lua")"
	mkdir -p "$T/elsewhere"
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" td
	assert_fails
	assert_contains "$ERR" "can't find file 'local:vztmpl/"
	assert_contains "$ERR" "config template_dir must be that storage's template/cache directory"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/")" ""
	assert_eq "$(ls -A "$T/elsewhere")" ""
}
