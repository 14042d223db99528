# Confinement checked from inside the container, nexcage side by side with
# runc on the same config.json: Podman's default seccomp profile,
# maskedPaths and readonlyPaths.

# Podman's default capability set, so both runtimes grant the same.
PODMAN_CAPS='{"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_NET_BIND_SERVICE",
	"CAP_SETFCAP","CAP_SETGID","CAP_SETPCAP","CAP_SETUID","CAP_SYS_CHROOT"}'

# security_bundle DIR SCRIPT: a busybox bundle running `sh -c SCRIPT` with
# Podman's capabilities, the syscall probe at /bin/sysprobe, and the
# output directory $T/out at /out.
security_bundle() {
	make_bundle "$1" '["true"]'
	gcc -static -O1 -o "$1/rootfs/bin/sysprobe" "$REPO/tests/e2e/sysprobe.c" || fail "cannot build the probe"
	edit_config "$1" "s.process.args = { 'sh', '-c', [[$2]] }
		local caps = $PODMAN_CAPS
		s.process.capabilities = { bounding = caps, effective = caps, permitted = caps }"
}

with_podman_seccomp() { # DIR
	lua5.4 "$REPO/tests/e2e/podman_seccomp.lua" /usr/share/containers/seccomp.json amd64 >"$T/seccomp.json" ||
		fail "cannot resolve Podman's profile"
	edit_config "$1" "local f = assert(io.open('$T/seccomp.json')); s.linux.seccomp = c.decode(f:read('a')); f:close()"
}

# run_nexcage DIR ID: create + start, wait for /out/done, then delete.
run_nexcage() {
	rm -f "$T/out/result" "$T/out/done"
	nx create --bundle "$1" "$2"
	assert_ok
	[ -z "${ON_CREATED:-}" ] || $ON_CREATED "$2"
	nx start "$2"
	assert_ok
	wait_for 20 test -e "$T/out/done" || fail "the container did not finish"
	cp "$T/out/result" "$T/nexcage.result"
	nx delete --force "$2"
	assert_ok
}

# run_runc DIR ID: the same bundle under runc, with its own state root.
run_runc() {
	rm -f "$T/out/result" "$T/out/done"
	timeout 60 runc --root "$T/runc" run --bundle "$1" "$2" </dev/null >"$T/runc.out" 2>&1 ||
		fail "runc run failed: $(cat "$T/runc.out")"
	cp "$T/out/result" "$T/runc.result"
}

# bpf_written ID: create left the compiled filter for the init in the
# container's directory (/dev/.nexcage inside): whole instructions, at most the
# kernel's 4096, the CT root's and readable; and the process file names its
# seccomp(2) flags.
bpf_written() {
	f="$ROOT/$1/ctr/seccomp.bpf"
	[ -f "$f" ] || fail "create wrote no $f"
	size=$(stat -c %s "$f")
	[ "$size" -gt 0 ] && [ $((size % 8)) = 0 ] && [ "$size" -le 32768 ] || fail "$f: $size bytes"
	assert_eq "$(stat -c '%a %u %g' "$f")" "644 0 0"
	assert_eq "$(tr '\0' '\n' <"$ROOT/$1/ctr/process" | sed -n '/^seccomp$/{n;p}')" "0"
}

PODMAN_PROBE="seccomp=2 getpid=0 personality=38 personality_query=0 audit_socket=22 add_key=38 chroot=0"

test_podman_default_seccomp_profile_denies_what_runc_denies() {
	sim_setup
	trap sim_teardown EXIT
	security_bundle "$T/b" 'sysprobe > /out/result; touch /out/done'
	with_podman_seccomp "$T/b"
	ON_CREATED=bpf_written run_nexcage "$T/b" sec1
	run_runc "$T/b" sec1
	nexcage=$(cat "$T/nexcage.result")
	runc=$(cat "$T/runc.result")
	echo "    nexcage: $nexcage"
	echo "    runc:    $runc"
	# ENOSYS (38) is the profile's defaultErrnoRet, EINVAL (22) its audit
	# socket rule's errnoRet; chroot is allowed with CAP_SYS_CHROOT.
	assert_eq "$runc" "$PODMAN_PROBE"
	assert_eq "$nexcage" "$runc"
}

# exec_probe ID: sysprobe run by nexcage exec; its output in $OUT.
exec_probe() {
	nx create --bundle "$T/b" "$1"
	assert_ok
	bpf_written "$1"
	nx start "$1"
	assert_ok
	nx exec "$1" /bin/sysprobe
}

pct_execs() { grep -c '^\["pct","exec"' "$SIM/pct-calls.log" || true; }

test_exec_runs_under_the_same_seccomp_profile() {
	sim_setup
	trap sim_teardown EXIT
	security_bundle "$T/b" 'exec sleep 60'
	with_podman_seccomp "$T/b"
	# no_new_privileges: the init loads the filter right before execve
	edit_config "$T/b" "s.process.noNewPrivileges = true"
	exec_probe sec3
	assert_ok
	assert_eq "$OUT" "$PODMAN_PROBE"
	nx delete --force sec3
	assert_ok
}

# Without no_new_privileges seccomp(2) wants CAP_SYS_ADMIN, which runc's
# exec has before it drops privileges, and so has nexcage's: it enters the
# container itself (no pct call) as root of the host, and the exec'd process
# keeps no_new_privileges off with or without CAP_SYS_ADMIN, as under runc.
# Through pct exec (a site that keeps LXC's own filter, lxc_seccomp =
# "proxmox"), lxc-attach starts it with the CT init's capabilities: without
# CAP_SYS_ADMIN it gets no_new_privileges to load the filter (never no
# filter), the known limit the README names.
test_exec_without_no_new_privileges_is_filtered_with_or_without_cap_sys_admin() {
	sim_setup
	trap sim_teardown EXIT
	security_bundle "$T/b" 'exec sleep 60'
	with_podman_seccomp "$T/b"
	rm -f "$SIM/pct-calls.log"
	exec_probe sec6
	assert_ok
	assert_eq "$OUT" "$PODMAN_PROBE"
	assert_eq "$(pct_execs)" 0
	nx exec sec6 cat /proc/self/status
	assert_ok
	assert_contains "$OUT" "NoNewPrivs:	0"
	assert_contains "$OUT" "Seccomp:	2"
	nx delete --force sec6
	assert_ok
	edit_config "$T/b" "for _, set in ipairs({ 'bounding', 'effective', 'permitted' }) do
			table.insert(s.process.capabilities[set], 'CAP_SYS_ADMIN')
		end"
	exec_probe sec6
	assert_ok
	assert_eq "$OUT" "$PODMAN_PROBE"
	nx exec sec6 cat /proc/self/status
	assert_ok
	assert_contains "$OUT" "NoNewPrivs:	0"
	assert_contains "$OUT" "Seccomp:	2"
	nx delete --force sec6
	assert_ok
	# through pct exec
	sed -i "s/^}\$/  lxc_seccomp = 'proxmox',\n}/" "$T/config.lua"
	security_bundle "$T/b" 'exec sleep 60'
	with_podman_seccomp "$T/b"
	rm -f "$SIM/pct-calls.log"
	exec_probe sec7
	assert_ok
	assert_eq "$OUT" "$PODMAN_PROBE"
	assert_eq "$(pct_execs)" 1
	assert_contains "$(grep '"exec"' "$SIM/pct-calls.log")" '"--no-new-privileges","1"'
	nx exec sec7 cat /proc/self/status
	assert_ok
	assert_contains "$OUT" "NoNewPrivs:	1"
	assert_contains "$OUT" "Seccomp:	2"
	nx delete --force sec7
	assert_ok
}

# Why the filter is the init's to load, last: a profile that denies
# setns(2) (Docker's and containerd's defaults without CAP_SYS_ADMIN) must
# not keep the runtime from joining the engine's network namespace; it
# governs the program alone, as under runc.
test_a_profile_denying_setns_governs_the_program_not_the_namespace_join() {
	sim_setup
	ns="nxsec$$"
	trap 'ip netns del "$ns" 2>/dev/null; sim_teardown' EXIT
	ip netns add "$ns" || fail "ip netns add"
	ip -n "$ns" link add nxsec0 type veth peer name nxsec1 || fail "veth link in $ns"
	security_bundle "$T/b" 'cat /proc/net/dev > /out/dev; sysprobe > /out/result; touch /out/done'
	edit_config "$T/b" "table.insert(s.linux.namespaces, { type = 'network', path = '/run/netns/$ns' })
		s.linux.seccomp = { defaultAction = 'SCMP_ACT_ALLOW', syscalls = {
			{ names = { 'setns' }, action = 'SCMP_ACT_ERRNO' },
			{ names = { 'personality' }, action = 'SCMP_ACT_ERRNO', errnoRet = 38 } } }"
	run_nexcage "$T/b" sec7
	assert_contains "$(cat "$T/out/dev")" "nxsec0"
	case "$(cat "$T/nexcage.result")" in
	"seccomp=2 getpid=0 personality=38 personality_query=38 "*) ;;
	*) fail "the program ran without its filter: $(cat "$T/nexcage.result")" ;;
	esac
}

test_no_linux_seccomp_runs_unfiltered_as_under_runc() {
	sim_setup
	trap sim_teardown EXIT
	security_bundle "$T/b" 'sysprobe > /out/result; touch /out/done'
	run_nexcage "$T/b" sec4
	run_runc "$T/b" sec4
	echo "    nexcage: $(cat "$T/nexcage.result")"
	echo "    runc:    $(cat "$T/runc.result")"
	case "$(cat "$T/runc.result")" in
	"seccomp=0 getpid=0 personality=0 "*) ;;
	*) fail "runc filtered a config without linux.seccomp: $(cat "$T/runc.result")" ;;
	esac
	assert_eq "$(cat "$T/nexcage.result")" "$(cat "$T/runc.result")"
	# a site that wants Proxmox's baseline keeps LXC's profile
	sed -i 's/^}$/  lxc_seccomp = "proxmox",\n}/' "$T/config.lua"
	nx translate --bundle "$T/b" --format pct sec4
	assert_ok
	assert_not_contains "$OUT" "lxc.seccomp"
	run_nexcage "$T/b" sec4
	case "$(cat "$T/nexcage.result")" in
	seccomp=2\ *) ;;
	*) fail "lxc_seccomp = proxmox: LXC's profile is missing: $(cat "$T/nexcage.result")" ;;
	esac
}

test_translate_shows_the_seccomp_filter() {
	sim_setup
	security_bundle "$T/b" 'true'
	with_podman_seccomp "$T/b"
	nx translate --bundle "$T/b" --format pct sec2
	assert_ok
	# LXC loads nothing: the filter is the init's, for the program alone
	assert_contains "$OUT" "
lxc.seccomp.profile: 
"
	assert_contains "$OUT" "# seccomp filter nexcage-init loads for the program: $ROOT/sec2/ctr/seccomp.bpf, "
	assert_contains "$OUT" "
#   default errno 38
#   arch x86_64
#   arch x86
#   arch x32
"
	nx translate --bundle "$T/b" --format json sec2
	assert_ok
	printf '%s' "$OUT" | lua5.4 -e "
		local s = require('cjson').decode(io.read('a')).seccomp
		local n = s.bpf_instructions
		assert(n > 100 and n <= 4096, 'instructions: ' .. tostring(n))
		assert(s.flags == 0)
		local text = table.concat(s.filter, '\n')
		assert(text:find('^nexcage%-seccomp 1\ndefault errno 38\n'), text)
		assert(text:find('\nsocket errno 22 %[0,eq,16%] %[2,eq,9%]\n'), text)" ||
		fail "translate's seccomp: $OUT"
	# runc's actions LXC had no word for are applied now
	edit_config "$T/b" "s.linux.seccomp.defaultAction = 'SCMP_ACT_KILL_PROCESS'; s.linux.seccomp.defaultErrnoRet = nil
		s.linux.seccomp.flags = { 'SECCOMP_FILTER_FLAG_LOG' }"
	nx translate --bundle "$T/b" --format pct sec2
	assert_ok
	assert_contains "$OUT" "seccomp(2) flags 2, compiled from:
#   nexcage-seccomp 1
#   default kill_process
"
}

test_a_seccomp_filter_nexcage_cannot_apply_fails_create_before_pct() {
	sim_setup
	security_bundle "$T/b" 'true'
	with_podman_seccomp "$T/b"
	# no notify agent takes a listener: refused, naming the path
	edit_config "$T/b" "s.linux.seccomp.listenerPath = '/run/agent.sock'"
	nx create --bundle "$T/b" sec5
	assert_fails
	assert_contains "$ERR" "linux.seccomp.listenerPath: a seccomp notify listener cannot be applied"
	# more than the kernel's 4096 instructions: refused by the compile
	edit_config "$T/b" "s.linux.seccomp = { defaultAction = 'SCMP_ACT_ERRNO', syscalls = {} }
		for i = 1, 5000 do
			s.linux.seccomp.syscalls[i] =
				{ names = { 'ioctl' }, action = 'SCMP_ACT_ALLOW', args = { { index = 1, value = i, op = 'SCMP_CMP_EQ' } } }
		end"
	nx create --bundle "$T/b" sec5
	assert_fails
	assert_contains "$ERR" "linux.seccomp: the filter compiles to "
	assert_contains "$ERR" "more than the kernel's limit of 4096"
	assert_eq "$(pct_calls)" "0"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc" 2>/dev/null)" ""
}

# A root filesystem with what masks and read-only paths act on.
masks_rootfs() { # DIR
	r=$1/rootfs
	mkdir -p "$r/etc" "$r/srv/private" "$r/data/ro" "$r/data/rw" "$r/run"
	echo s3cret >"$r/etc/secret"
	echo key >"$r/srv/private/key"
	ln -s ../../../../srv/private "$r/link"
	ln -sf busybox "$r/bin/wc"
	ln -sf busybox "$r/bin/head"
}

MASKS_SCRIPT='secret=$(cat /etc/secret); private=$(ls -A /srv/private);'\
' kcore=$(head -c 16 /proc/kcore | wc -c);'\
' (echo x > /data/ro/f) 2>/dev/null; ro=$?; (echo x > /data/rw/f) 2>/dev/null; rw=$?;'\
' (echo 1 > /proc/sys/kernel/ns_last_pid) 2>/dev/null; procsys=$?;'\
' echo "secret=[$secret] private=[$private] kcore=$kcore ro_write=$ro rw_write=$rw procsys_write=$procsys" > /out/result;'\
' touch /out/done'

test_masked_and_readonly_paths_hold_inside_as_under_runc() {
	sim_setup
	trap sim_teardown EXIT
	security_bundle "$T/b" "$MASKS_SCRIPT"
	masks_rootfs "$T/b"
	edit_config "$T/b" "s.linux.maskedPaths = { '/proc/kcore', '/etc/secret', '/link', '/not/there' }
		s.linux.readonlyPaths = { '/proc/sys', '/data/ro', '/missing' }"
	run_nexcage "$T/b" mask1
	[ ! -e "$ROOT/mask1" ] || fail "delete left $ROOT/mask1"
	run_runc "$T/b" mask1
	nexcage=$(cat "$T/nexcage.result")
	echo "    nexcage: $nexcage"
	echo "    runc:    $(cat "$T/runc.result")"
	# a masked file reads empty, a masked directory (here through a
	# symlink resolved inside the root) is empty, read-only paths refuse
	assert_eq "$nexcage" "secret=[] private=[] kcore=0 ro_write=1 rw_write=0 procsys_write=1"
	assert_eq "$(cat "$T/runc.result")" "$nexcage"
}

# nexcage-init masks inside the CT with mount(2), which never opens its
# target: a FIFO is covered like a file, without blocking. A mount entry
# LXC makes is still refused over a FIFO (LXC opens its target).
test_a_masked_fifo_is_covered_without_hanging() {
	sim_setup
	trap sim_teardown EXIT
	security_bundle "$T/b" '[ -c /fifo ] && echo covered > /out/result; touch /out/done'
	mkfifo "$T/b/rootfs/fifo"
	mkdir -p "$T/b/rootfs/dev"
	edit_config "$T/b" "s.linux.maskedPaths = { '/fifo' }"
	start=$(date +%s)
	run_nexcage "$T/b" fifo1
	assert_eq "$(cat "$T/nexcage.result")" covered
	[ $(($(date +%s) - start)) -lt 30 ] || fail "create took too long"
	edit_config "$T/b" "s.linux.maskedPaths = nil
		s.mounts[#s.mounts + 1] = { destination = '/fifo', type = 'tmpfs', source = 'tmpfs' }"
	nx create --bundle "$T/b" fifo2
	assert_fails
	assert_contains "$ERR" "lxc.mount.entry tmpfs fifo tmpfs"
	assert_contains "$ERR" "the target /fifo is a FIFO in the root filesystem"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc" 2>/dev/null)" ""
	[ $(($(date +%s) - start)) -lt 30 ] || fail "create took too long"
}

test_translate_shows_the_masks_the_init_applies() {
	sim_setup
	security_bundle "$T/b" 'true'
	masks_rootfs "$T/b"
	edit_config "$T/b" "s.linux.maskedPaths = { '/proc/kcore', '/etc/secret', '/link', '/nope' }
		s.linux.readonlyPaths = { '/data/ro' }"
	nx translate --bundle "$T/b" --format pct m1
	assert_ok
	assert_contains "$OUT" "#   read-only: /data/ro
#   masked: /proc/kcore
#   masked: /etc/secret
#   masked: /link
#   masked: /nope"
	assert_not_contains "$OUT" "rootfs-mount"
	assert_not_contains "$OUT" "lxc.mount.entry: /dev/null"
}

test_features_lists_what_the_seccomp_rule_applies() {
	nx features
	assert_ok
	printf '%s' "$OUT" >"$T/features.json"
	aa=false
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && aa=true
	lua5.4 -e "
		package.path = '$REPO/lua/?.lua'
		local f = require('cjson').decode(assert(io.open('$T/features.json')):read('a'))
		local rule = require 'rules.seccomp'
		local function same(list, set, what)
			local n = 0
			for _, v in ipairs(list) do assert(set[v], what .. ': ' .. v); n = n + 1 end
			for _ in pairs(set) do n = n - 1 end
			assert(n == 0, what .. ' lists differ')
		end
		local s = f.linux.seccomp
		assert(s.enabled == true)
		same(s.actions, rule.actions, 'actions')
		same(s.operators, rule.operators, 'operators')
		same(s.archs, rule.architectures, 'archs')
		same(s.supportedFlags, rule.flags, 'flags')
		assert(#s.knownFlags == 4)
		assert(f.linux.apparmor.enabled == $aa, 'apparmor')
		assert(f.linux.selinux.enabled == false)
		assert(f.annotations['org.nexcage.linux.maskedPaths']:find('^applied'))
		assert(f.annotations['org.nexcage.linux.readonlyPaths']:find('^applied'))" ||
		fail "features document: $OUT"
}

test_an_apparmor_profile_without_apparmor_is_an_error() {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && return 0
	sim_setup
	security_bundle "$T/b" 'true'
	edit_config "$T/b" "s.process.apparmorProfile = 'nexcage-default'"
	nx translate --bundle "$T/b" aa1
	assert_fails
	assert_contains "$ERR" 'process.apparmorProfile: AppArmor profile "nexcage-default" requested, but AppArmor is not enabled on this host'
	nx create --bundle "$T/b" aa1
	assert_fails
	assert_contains "$ERR" "AppArmor is not enabled on this host"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc" 2>/dev/null)" ""
	# without one, Proxmox's generated profile stays: no raw key
	edit_config "$T/b" "s.process.apparmorProfile = nil"
	nx translate --bundle "$T/b" --format pct aa1
	assert_ok
	assert_not_contains "$OUT" "lxc.apparmor"
}
