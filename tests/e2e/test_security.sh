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
	nx start "$2"
	assert_ok
	wait_for 20 test -e "$T/out/done" || fail "the container did not finish (console: $(cat "$ROOT/$2/console.log" 2>/dev/null))"
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

test_podman_default_seccomp_profile_denies_what_runc_denies() {
	sim_setup
	trap sim_teardown EXIT
	security_bundle "$T/b" 'sysprobe > /out/result; touch /out/done'
	with_podman_seccomp "$T/b"
	run_nexcage "$T/b" sec1
	run_runc "$T/b" sec1
	nexcage=$(cat "$T/nexcage.result")
	runc=$(cat "$T/runc.result")
	echo "    nexcage: $nexcage"
	echo "    runc:    $runc"
	# ENOSYS (38) is the profile's defaultErrnoRet, EINVAL (22) its audit
	# socket rule's errnoRet; chroot is allowed with CAP_SYS_CHROOT.
	assert_eq "$nexcage" "getpid=0 personality=38 personality_query=0 audit_socket=22 add_key=38 chroot=0"
	assert_eq "$runc" "$nexcage"
}

test_exec_runs_under_the_same_seccomp_profile() {
	sim_setup
	trap sim_teardown EXIT
	security_bundle "$T/b" 'exec sleep 60'
	with_podman_seccomp "$T/b"
	nx create --bundle "$T/b" sec3
	assert_ok
	nx start sec3
	assert_ok
	nx exec sec3 /bin/sysprobe
	assert_ok
	assert_eq "$OUT" "getpid=0 personality=38 personality_query=0 audit_socket=22 add_key=38 chroot=0"
	nx delete --force sec3
	assert_ok
}

test_translate_shows_the_seccomp_profile_and_its_path() {
	sim_setup
	security_bundle "$T/b" 'true'
	with_podman_seccomp "$T/b"
	nx translate --bundle "$T/b" --format pct sec2
	assert_ok
	assert_contains "$OUT" "lxc.seccomp.profile: $ROOT/sec2/seccomp"
	nx translate --bundle "$T/b" --format json sec2
	assert_ok
	profile=$(printf '%s' "$OUT" | lua5.4 -e "io.write(require('cjson').decode(io.read('a')).seccomp)")
	assert_contains "$profile" "2
allowlist errno 38
[all]
"
	assert_contains "$profile" "
socket errno 22 [0,16,SCMP_CMP_EQ] [2,9,SCMP_CMP_EQ]
"
	# what LXC cannot apply is refused with the JSON path, nothing created
	edit_config "$T/b" "s.linux.seccomp.defaultAction = 'SCMP_ACT_KILL_PROCESS'; s.linux.seccomp.defaultErrnoRet = nil"
	nx create --bundle "$T/b" sec2
	assert_fails
	assert_contains "$ERR" "linux.seccomp.defaultAction: SCMP_ACT_KILL_PROCESS cannot be applied: LXC kills only the calling thread"
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
		package.preload['rules.util'] = function() return require 'nexcage.util' end
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
