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
