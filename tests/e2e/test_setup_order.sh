# The container as engines and runc users depend on it: the pid engines get
# is in the container's namespaces and cgroup for as long as the program
# runs, and the CT is finished in runc's order (namespaces joined, then
# sysctls, read-only and masked paths, devices; the program's credentials
# last), checked from inside, side by side with runc where runc runs it.
TOOLS="$REPO/build/tools"

ns_of() { # pid ns
	readlink "/proc/$1/ns/$2"
}

# VMIDs of this test's own: LXC names a CT's cgroups after its VMID (the
# simulator's roots have cgroup directories of their own, but a VMID no
# other test uses keeps what is checked here this test's alone).
own_vmids() {
	base=$((20000 + $$ % 5000 * 10))
	write_file "$T/config.lua" "$(sed "s/^}\$/  vmid_min = $base, vmid_max = $((base + 9)),\n}/" "$T/config.lua")"
}

# The CT's cgroup directories in every hierarchy, from its init's
# /proc/<pid>/cgroup (pve-container's layout: .../lxc/<vmid>/ns).
ct_cgroup_dirs() { # pid
	while IFS=: read -r _ ctl path; do
		case $ctl in
		"") echo "/sys/fs/cgroup/unified$path" ;;
		name=systemd) echo "/sys/fs/cgroup/systemd$path" ;;
		*) echo "/sys/fs/cgroup/${ctl%%,*}$path" ;;
		esac
	done <"/proc/$1/cgroup"
}

test_the_pid_file_stands_in_the_containers_namespaces_and_cgroup() {
	sim_setup
	own_vmids
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "600"]'
	edit_config "$T/b" "table.insert(s.linux.namespaces, { type = 'network' })
		table.insert(s.linux.namespaces, { type = 'cgroup' })"
	nx create --bundle "$T/b" --pid-file "$T/pid" sc </dev/null
	assert_ok
	nx start sc
	assert_ok
	nx state sc
	standin=$(cat "$T/pid")
	init=$(json_field "$OUT" initPid)
	# state and the pid file agree (runtime-tools checks it)
	assert_eq "$(json_field "$OUT" pid)" "$standin"
	for ns in net ipc uts cgroup mnt; do
		assert_eq "$(ns_of "$standin" $ns)" "$(ns_of "$init" $ns)"
		[ "$(ns_of "$standin" $ns)" != "$(ns_of $$ $ns)" ] || fail "the stand-in is in the host's $ns namespace"
	done
	# its children's pid namespace is the CT's (its own stays the host's)
	assert_eq "$(ns_of "$standin" pid_for_children)" "$(ns_of "$init" pid)"
	assert_eq "$(cat "/proc/$standin/cgroup")" "$(cat "/proc/$init/cgroup")"
	assert_eq "$(nsenter -t "$standin" -u hostname)" e2e
	# out of the OOM killer's reach where nexcage may lower a score (this
	# sandbox's root lacks CAP_SYS_RESOURCE)
	if sh -c 'echo -1 > /proc/self/oom_score_adj' 2>/dev/null; then
		assert_eq "$(cat "/proc/$standin/oom_score_adj")" -1000
	fi
	# quiet for longer than the stand-in used to live without events
	sleep 8
	[ -d "/proc/$standin" ] || fail "the stand-in died while the program ran"
	nx state sc
	assert_eq "$(json_field "$OUT" status)" running
	cgroups=$(ct_cgroup_dirs "$init")
	nx kill sc KILL
	assert_ok
	wait_for 10 test ! -d "/proc/$standin" || fail "the stand-in outlived the program"
	nx delete sc
	assert_ok
	# LXC removed the CT's cgroups: the stand-in had left them (stop hook)
	for d in $cgroups; do [ ! -d "$d" ] || fail "$d is left"; done
}

# Five CTs in a row, each stopped right after start: the stand-in is a
# member of the CT's cgroups until the init's exit reaches it, and LXC
# removes them at once; none may be left behind (LXC refuses to start the
# next CT of that VMID in a cgroup directory that exists).
test_no_cgroup_is_left_when_the_ct_stops() {
	sim_setup
	own_vmids
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "600"]'
	for i in 1 2 3 4 5; do
		nx create --bundle "$T/b" --pid-file "$T/pid" cg </dev/null
		assert_ok
		nx start cg
		nx state cg
		cgroups=$(ct_cgroup_dirs "$(json_field "$OUT" initPid)")
		[ -n "$cgroups" ] || fail "no cgroups"
		nx kill cg KILL
		wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' state cg | grep -q '\"stopped\"'" || fail "not stopped"
		nx delete cg
		assert_ok
		for d in $cgroups; do [ ! -d "$d" ] || fail "round $i: $d is left"; done
	done
}

# LXC removes the CT's cgroups only after the stop hook saw the stand-in
# leave them: a stand-in held up (here: stopped) when the program dies
# still leaves nothing behind once it runs again.
test_lxc_waits_for_the_stand_in_before_removing_the_cgroups() {
	sim_setup
	own_vmids
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "600"]'
	nx create --bundle "$T/b" --pid-file "$T/pid" held </dev/null
	assert_ok
	nx start held
	nx state held
	init=$(json_field "$OUT" initPid)
	standin=$(cat "$T/pid")
	cgroups=$(ct_cgroup_dirs "$init")
	kill -STOP "$standin"
	nx kill held KILL
	sleep 1
	kill -CONT "$standin"
	wait_for 10 test ! -d "/proc/$standin" || fail "the stand-in did not exit"
	wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' state held | grep -q '\"stopped\"'" || fail "not stopped"
	nx delete held
	assert_ok
	for d in $cgroups; do [ ! -d "$d" ] || fail "$d is left"; done
}

# The exit status arrives through the kernel's process events, filtered
# to the one pid: a host busy forking and exiting cannot crowd it out.
test_the_status_reaches_the_engine_on_a_busy_host() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "read x < /out/go; exit 7"]'
	mkfifo "$T/out/go"
	"$TOOLS/subreaper" "$T/pid" "$NEXCAGE" --root "$ROOT" create --bundle "$T/b" --pid-file "$T/pid" busy \
		</dev/null >"$T/reap" 2>&1 &
	reaper=$!
	wait_for 30 grep -q '^pid ' "$T/reap" || fail "create did not finish: $(cat "$T/reap")"
	nx start busy
	assert_ok
	i=0
	while [ $i -lt 3000 ]; do
		/bin/true
		i=$((i + 1))
	done
	echo go >"$T/out/go"
	wait "$reaper"
	assert_contains "$(cat "$T/reap")" "exit 7"
	nx delete busy
	assert_ok
}

# The order that matters, in one bundle: an engine's network namespace
# joined by path (with an interface of its own), sysctls written there and
# in the CT's ipc namespace although /proc/sys is a read-only path, masked
# paths inside a masked directory, a device at a path the host does not
# have, a working directory the image lacks, HOME, a multi-line script, and
# a seccomp profile that denies setns, umount2 and sethostname, which the
# setup itself uses (joining, /dev/ptmx, a joined uts namespace's name).
order_bundle() { # DIR NETNS
	make_bundle "$1" '["true"]'
	for c in grep readlink mkdir stat tr wc; do ln -sf busybox "$1/rootfs/bin/$c"; done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$1/rootfs/etc/passwd"
	edit_config "$1" "s.process.args = { 'sh', '-c', [[
echo first line
echo second line
{
  echo fwd=\$(cat /proc/sys/net/ipv4/ip_forward) ping=\$(cat /proc/sys/net/ipv4/ping_group_range)
  echo shm=\$(cat /proc/sys/kernel/shm_rmid_forced)
  (echo 0 > /proc/sys/net/ipv4/ip_forward) 2>/dev/null; echo procsys_write=\$?
  echo net=\$(ls /sys/class/net | tr '\\n' ' ')
  echo acpi=\$(ls -A /proc/acpi | wc -l)
  echo ptmx=\$(readlink /dev/ptmx)
  echo mynull=\$(stat -c '%t:%T %F' /dev/mynull) write=\$(echo x > /dev/mynull && echo ok)
  echo cwd=\$(pwd) home=\$HOME
  echo seccomp=\$(grep '^Seccomp:' /proc/self/status | tr -d '[:space:]') \
    sethostname=\$(hostname renamed 2>/dev/null && echo allowed || echo denied)
} > /out/result
touch /out/done]] }
		table.insert(s.mounts, { destination = '/sys', type = 'sysfs', source = 'sysfs',
			options = { 'nosuid', 'noexec', 'nodev', 'ro' } })
		s.process.cwd = '/does/not/exist'
		s.process.env = { 'PATH=/bin' }
		table.insert(s.linux.namespaces, { type = 'network', path = '/run/netns/$2' })
		s.linux.sysctl = { ['net.ipv4.ip_forward'] = '1', ['net.ipv4.ping_group_range'] = '0 0',
			['kernel.shm_rmid_forced'] = '1' }
		s.linux.readonlyPaths = { '/proc/sys' }
		s.linux.maskedPaths = { '/proc/acpi', '/proc/acpi/button', '/proc/kcore' }
		s.linux.devices = { { path = '/dev/mynull', type = 'c', major = 1, minor = 3, fileMode = 438 } }
		-- denies what the runtime's own setup needs: it governs the program only
		s.linux.seccomp = { defaultAction = 'SCMP_ACT_ALLOW', architectures = { 'SCMP_ARCH_X86_64' },
			syscalls = { { names = { 'setns', 'umount2', 'sethostname' }, action = 'SCMP_ACT_ERRNO' } } }"
}

test_the_container_is_set_up_in_runcs_order() {
	sim_setup
	ns=nx-e2e-$$
	ip netns add "$ns" || fail "cannot make a network namespace"
	trap 'sim_teardown; ip netns del "$ns"' EXIT
	ip -n "$ns" link add probe0 type veth peer name probe1 || fail "cannot add an interface"
	order_bundle "$T/b" "$ns"
	rm -f "$T/out/done"
	"$NEXCAGE" --root "$ROOT" create --bundle "$T/b" ord </dev/null >"$T/ord.out" 2>"$T/ord.err" ||
		fail "create: $(cat "$T/ord.err")"
	nx start ord
	assert_ok
	wait_for 20 test -e "$T/out/done" || fail "the program did not finish"
	cp "$T/out/result" "$T/nexcage.result"
	nx delete --force ord
	rm -f "$T/out/done" "$T/out/result"
	timeout 60 runc --root "$T/runc" run --bundle "$T/b" ord </dev/null >"$T/runc.out" 2>&1 ||
		fail "runc run failed: $(cat "$T/runc.out")"
	echo "    nexcage: $(tr '\n' ' ' <"$T/nexcage.result")"
	echo "    runc:    $(tr '\n' ' ' <"$T/out/result")"
	assert_eq "$(cat "$T/nexcage.result")" "fwd=1 ping=0 0
shm=1
procsys_write=1
net=lo probe0 probe1
acpi=0
ptmx=pts/ptmx
mynull=1:3 character special file write=ok
cwd=/does/not/exist home=/root
seccomp=Seccomp:2 sethostname=denied"
	assert_eq "$(cat "$T/out/result")" "$(cat "$T/nexcage.result")"
	# the script's two lines ran as two commands (its output is on
	# create's stdout, which the program inherited)
	assert_eq "$(cat "$T/ord.out")" "first line
second line"
}

# exec into a container started with every capability dropped (Podman's
# --cap-drop all): nothing is left to drop, and no CAP_SETPCAP to drop with.
test_exec_into_a_container_without_capabilities() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "600"]'
	edit_config "$T/b" "s.process.capabilities = { bounding = {}, effective = {}, permitted = {}, inheritable = {}, ambient = {} }"
	nx create --bundle "$T/b" nocap </dev/null
	assert_ok
	nx start nocap
	assert_ok
	nx exec nocap sh -c 'grep CapBnd /proc/self/status; id -u'
	assert_ok
	assert_contains "$OUT" "CapBnd:	0000000000000000"
	# a non-root exec into it (Kubernetes' runAsNonRoot with drop ALL):
	# runc's exec changes the user before it drops the capabilities
	nx exec --user 1000:1000 nocap sh -c 'id -u; id -g; grep -E "^Cap(Bnd|Eff)" /proc/self/status'
	assert_ok
	assert_eq "$OUT" "1000
1000
CapEff:	0000000000000000
CapBnd:	0000000000000000"
	nx delete --force nocap
}

# buildah keeps each build container's rootfs mounted in a mount namespace
# of its own; the CT starts in the node's (the service manager's), where
# the directory is empty. create attaches a clone of the rootfs there.
test_a_rootfs_mounted_in_the_callers_private_namespace_runs() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/img" '["true"]'
	mkdir -p "$T/b/rootfs"
	cp "$T/img/config.json" "$T/b/config.json"
	edit_config "$T/b" "s.process.args = { 'sh', '-c', 'echo from-the-image > /out/ran; echo written > /note' }"
	unshare -m --propagation private sh -c "
		mount -t tmpfs image '$T/b/rootfs' && cp -a '$T/img/rootfs/.' '$T/b/rootfs/' &&
		'$NEXCAGE' --root '$ROOT' run --bundle '$T/b' priv </dev/null >'$T/run.out' 2>&1
		echo \$? > '$T/rc'; cat '$T/b/rootfs/note' > '$T/note' 2>&1"
	assert_eq "$(cat "$T/rc")" 0
	assert_eq "$(cat "$T/out/ran")" from-the-image
	# what the program wrote is in the caller's mount, not in the empty
	# directory beneath it
	assert_eq "$(cat "$T/note")" written
	assert_eq "$(ls -A "$T/b/rootfs")" ""
	# nothing stays attached in the node's namespace
	svc=$(cat "$SIM/run/pve-sim/svc/pid")
	assert_not_contains "$(cat "/proc/$svc/mountinfo")" "$ROOT"
}

# root.readonly as runc applies it: / read-only once everything is mounted,
# so a bind onto a file the image lacks (Podman's /run/.containerenv) still
# gets its mount point; beside runc.
test_a_read_only_root_cannot_be_written_and_its_mounts_work() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["true"]'
	echo marker >"$T/marker"
	edit_config "$T/b" "s.root.readonly = true
		s.process.args = { 'sh', '-c', [[(echo x > /written) 2>/dev/null; root=\$?; echo x > /out/w; out=\$?;
			echo \"root_write=\$root out_write=\$out marker=\$(cat /run/marker)\" > /out/result; touch /out/done]] }
		table.insert(s.mounts, { destination = '/run/marker', type = 'bind', source = '$T/marker', options = { 'bind', 'ro' } })"
	rm -f "$T/out/done"
	nx create --bundle "$T/b" ro </dev/null
	assert_ok
	nx start ro
	wait_for 20 test -e "$T/out/done" || fail "the program did not finish"
	cp "$T/out/result" "$T/nexcage.result"
	nx delete --force ro
	rm -f "$T/out/done" "$T/out/result"
	timeout 60 runc --root "$T/runc" run --bundle "$T/b" ro </dev/null >"$T/runc.out" 2>&1 ||
		fail "runc run failed: $(cat "$T/runc.out")"
	assert_eq "$(cat "$T/nexcage.result")" "root_write=1 out_write=0 marker=marker"
	assert_eq "$(cat "$T/out/result")" "$(cat "$T/nexcage.result")"
	[ ! -e "$T/b/rootfs/written" ] || fail "/ was written"
}
