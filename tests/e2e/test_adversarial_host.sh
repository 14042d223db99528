# Adversarial, host resource class: what a container (or its image) does
# must not fill or change the host's files: neither nexcage's state
# directory (a small tmpfs in /run on most hosts) nor the engine's root
# filesystem, which nexcage uses in place. Beside runc where it applies.

# A busybox with the applets these tests need beyond make_bundle's.
more_applets() { # DIR applet...
	d=$1
	shift
	for a in "$@"; do
		ln -sf busybox "$d/rootfs/bin/$a"
	done
}

# tree DIR: every entry of DIR with its type, mode and size (no times):
# what `podman diff` would see changed.
tree() {
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | sort)
}

# Issue 21 row 2: what the container writes to /dev/console went to
# <root>/<id>/console.log without bound (/run is a small tmpfs).
test_a_console_flood_leaves_the_state_directory_small() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "head -c 52428800 /dev/zero > /dev/console; echo $? > /out/done; exec sleep 60"]'
	more_applets "$T/b" head
	nx create --bundle "$T/b" flood
	assert_ok
	nx start flood
	assert_ok
	wait_for 60 test -s "$T/out/done" || fail "the program did not finish writing 50 MB to /dev/console"
	assert_eq "$(cat "$T/out/done")" 0
	kb=$(du -sk "$ROOT" | cut -f1)
	[ "$kb" -lt 2048 ] || fail "the state root holds ${kb} KB after 50 MB on the console: $(du -ak "$ROOT" | sort -n | tail -3)"
	# nor anywhere else of the simulated node
	big=$(find "$T" -xdev -type f -size +10M 2>/dev/null | grep -v "/b/rootfs/" || true)
	assert_eq "$big" ""
	nx delete --force flood
	assert_ok
}

# The console log was where create read an init failure's reason (after
# waiting the whole 60 s for a report that never came); the init now says
# it on the socket create waits on. A site rule's rlimit the init does not
# know (the plan takes any RLIMIT_* name) ends it before it greets.
test_an_init_failure_shows_its_reason_in_creates_error() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	write_file "$T/site/site.lua" "return function(rules)
	rules.add('bad', function(s, c, p) table.insert(p.process.rlimits, { type = 'RLIMIT_BOGUS', soft = 1, hard = 1 }) end)
end"
	t0=$(date +%s)
	NEXCAGE_LUA_PATH="$T/site" nx create --bundle "$T/b" badinit
	took=$(($(date +%s) - t0))
	assert_fails
	assert_contains "$ERR" "the container's init failed: unknown rlimit"
	[ "$took" -lt 30 ] || fail "create took ${took}s to learn the init had failed"
	nx state badinit
	assert_contains "$ERR" "container does not exist"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
	# a setup failure the init answers with names its reason too
	make_bundle "$T/c" '["sleep", "60"]'
	edit_config "$T/c" "s.linux.sysctl = { ['kernel.msgmax'] = 'not-a-number' }"
	nx create --bundle "$T/c" nosysctl
	assert_fails
	assert_contains "$ERR" "linux.sysctl kernel.msgmax: cannot be set in the container"
}

# Issue 21 row 7: a rootfs on a read-only filesystem (a read-only bind
# mount here) runs under runc; create used to mkdir the init's mount point
# in it.
test_a_rootfs_on_a_read_only_filesystem_runs_beside_runc() {
	sim_setup
	mkdir -p "$T/ro"
	trap 'sim_teardown; umount "$T/ro/rootfs" 2>/dev/null' EXIT
	make_bundle "$T/b" '["sh", "-c", "echo ran > /out/ran; (touch /x) 2>/dev/null || echo ro > /out/ro; exec sleep 60"]'
	# runc needs a /dev it can write (nexcage: LXC's autodev, the same tmpfs)
	edit_config "$T/b" "table.insert(s.mounts, 1, { destination = '/dev', type = 'tmpfs', source = 'tmpfs', options = { 'nosuid', 'mode=755' } })"
	mkdir -p "$T/ro/rootfs"
	mount --bind "$T/b/rootfs" "$T/ro/rootfs" && mount -o remount,bind,ro "$T/ro/rootfs" ||
		fail "cannot make a read-only bind mount"
	cp "$T/b/config.json" "$T/ro/config.json"
	touch "$T/ro/rootfs/probe" 2>/dev/null && fail "the bind mount is writable"
	before=$(tree "$T/b/rootfs")
	nx create --bundle "$T/ro" rofs
	assert_ok
	nx start rofs
	assert_ok
	wait_for 20 test -s "$T/out/ro" || fail "the program did not run on the read-only rootfs"
	assert_eq "$(cat "$T/out/ran")" ran
	nx delete --force rofs
	assert_ok
	rm -f "$T/out/ran" "$T/out/ro"
	edit_config "$T/ro" "s.process.args = { 'sh', '-c', 'echo ran > /out/ran; (touch /x) 2>/dev/null || echo ro > /out/ro' }"
	timeout 60 runc --root "$T/runc" run --bundle "$T/ro" rofs </dev/null >"$T/runc.out" 2>&1 ||
		fail "runc run failed: $(cat "$T/runc.out")"
	assert_eq "$(cat "$T/out/ran") $(cat "$T/out/ro")" "ran ro"
	assert_eq "$(tree "$T/b/rootfs")" "$before"
}

# Issue 21 row 8: an image that has /.nexcage of its own (a file, a
# symlink) runs, and nothing of nexcage is left in (or ever shows in) the
# rootfs: the engine's diff and commit see only the program's changes.
test_an_image_with_its_own_nexcage_entry_runs_and_is_left_as_it_was() {
	sim_setup
	trap sim_teardown EXIT
	for kind in file symlink; do
		make_bundle "$T/$kind" '["sh", "-c", "ls /dev/.nexcage/init > /out/seen; cat /.nexcage > /out/own 2>&1; exec sleep 60"]'
		if [ "$kind" = file ]; then
			echo "the image's own" >"$T/$kind/rootfs/.nexcage"
		else
			echo "the image's own" >"$T/$kind/rootfs/etc/marker"
			ln -s etc/marker "$T/$kind/rootfs/.nexcage"
		fi
		before=$(tree "$T/$kind/rootfs")
		rm -f "$T/out/seen" "$T/out/own"
		nx create --bundle "$T/$kind" "own-$kind"
		assert_ok
		assert_eq "$(tree "$T/$kind/rootfs")" "$before"
		nx start "own-$kind"
		assert_ok
		wait_for 20 test -s "$T/out/own" || fail "$kind: the program did not run"
		assert_eq "$(cat "$T/out/own")" "the image's own"
		assert_eq "$(cat "$T/out/seen")" "/dev/.nexcage/init"
		assert_eq "$(tree "$T/$kind/rootfs")" "$before"
		nx exec "own-$kind" cat /.nexcage
		assert_ok
		assert_eq "$OUT" "the image's own"
		nx delete --force "own-$kind"
		assert_ok
		assert_eq "$(tree "$T/$kind/rootfs")" "$before"
	done
}

# Issue 21 row 9 (a part): a bundle moved while its container runs kept
# rootfs/.nexcage after delete (delete removed it at the old path).
test_a_bundle_moved_while_running_leaves_nothing_in_its_rootfs() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "echo up > /out/up; exec sleep 60"]'
	before=$(tree "$T/b/rootfs")
	nx create --bundle "$T/b" moved
	assert_ok
	nx start moved
	assert_ok
	wait_for 20 test -s "$T/out/up" || fail "the program did not run"
	mv "$T/b" "$T/elsewhere"
	nx delete --force moved
	assert_ok
	[ ! -e "$T/elsewhere/rootfs/.nexcage" ] || fail "rootfs/.nexcage left in the moved bundle"
	assert_eq "$(tree "$T/elsewhere/rootfs")" "$before"
}

# A bundle mount where nexcage-init's directory is (or over all of /dev)
# is refused with a clear error, before any pct call.
test_a_mount_on_the_init_directory_is_refused() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	edit_config "$T/b" "table.insert(s.mounts, { destination = '/dev/.nexcage', type = 'bind', source = '$T/out', options = { 'rbind' } })"
	nx create --bundle "$T/b" hide
	assert_fails
	assert_contains "$ERR" "mounts[2].destination: /dev/.nexcage is reserved: nexcage-init's directory is mounted at /dev/.nexcage"
	assert_eq "$(pct_calls)" 0
	# a site rule's raw entry meets the core's check
	make_bundle "$T/c" '["sleep", "60"]'
	write_file "$T/site/site.lua" "local util = require 'nexcage.util'
return function(rules)
	rules.add('hide', function(s, c, p) util.raw(p, 'lxc.mount.entry', 'tmpfs dev tmpfs rw 0 0') end)
end"
	NEXCAGE_LUA_PATH="$T/site" nx create --bundle "$T/c" hide2
	assert_fails
	assert_contains "$ERR" "would hide nexcage-init's directory"
	assert_eq "$(pct_calls)" 0
}
