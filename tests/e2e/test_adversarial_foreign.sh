# Foreign CTs: nothing nexcage does may destroy a CT it did not make for
# that id and root. A mapping outlives its CT (a reboot empties /run, the
# admin removes the orphan), Proxmox gives the freed VMID to the next
# guest, and gc or `delete --force` (which create suggests for a stale id)
# then act on that VMID.

# admin_ct VMID: an unrelated CT of the admin's, made with pct as an admin
# makes one (its own template, its own hostname, no nexcage marker).
admin_ct() {
	tdir="$T/admin-tpl"
	mkdir -p "$tdir/bin" "$SIM/var/lib/vz/template/cache"
	cp /bin/busybox "$tdir/bin/busybox"
	ln -sf busybox "$tdir/bin/sh"
	tar -C "$tdir" -czf "$SIM/var/lib/vz/template/cache/admin.tar.gz" .
	"$REPO/tests/sim/pct" create "$1" local:vztmpl/admin.tar.gz --hostname admins-db \
		--rootfs local:1 >"$T/admin.out" 2>&1 || fail "admin's pct create: $(cat "$T/admin.out")"
}

# reboot_forgets ID: what a reboot does to a created container: /run (the
# state root) is emptied, the persistent mapping stays.
reboot_forgets() {
	v=$(json_field "$("$NEXCAGE" --root "$ROOT" state "$1")" vmid)
	lxc-stop -P "$SIM/var/lib/lxc" -n "$v" -k >/dev/null 2>&1
	rm -rf "${ROOT:?}/$1"
	echo "$v"
}

test_gc_and_delete_force_leave_a_ct_that_reused_the_vmid_alone() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" old
	assert_ok
	v=$(reboot_forgets old)
	# the admin removes the orphan CT and makes one of their own: same VMID
	"$REPO/tests/sim/pct" destroy "$v" --force 1 --purge 1 >/dev/null 2>&1 || fail "admin's destroy"
	admin_ct "$v"
	nx gc
	assert_ok
	[ -f "$SIM/etc/pve/nodes/pve/lxc/$v.conf" ] || fail "gc destroyed the admin's CT $v"
	assert_contains "$ERR" "CT $v is not a nexcage container"
	assert_contains "$(cat "$SIM/etc/pve/nodes/pve/lxc/$v.conf")" "hostname: admins-db"
	# the mapping is gone: the id is free again, nothing points at CT $v
	assert_eq "$(find "$T/lib/map" -type f)" ""
	nx list -q
	assert_eq "$OUT" ""

	# the same through delete --force, the command create suggests
	nx create --bundle "$T/b" second
	assert_ok
	w=$(reboot_forgets second)
	"$REPO/tests/sim/pct" destroy "$w" --force 1 --purge 1 >/dev/null 2>&1 || fail "admin's destroy"
	admin_ct "$w"
	nx delete --force second
	assert_ok
	[ -f "$SIM/etc/pve/nodes/pve/lxc/$w.conf" ] || fail "delete --force destroyed the admin's CT $w"
	assert_eq "$(find "$T/lib/map" -type f)" ""
}

test_another_roots_container_with_the_same_id_is_left_alone() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" web
	assert_ok
	v=$(reboot_forgets web)
	"$REPO/tests/sim/pct" destroy "$v" --force 1 --purge 1 >/dev/null 2>&1 || fail "admin's destroy"
	# another root's container of the same id; nexcage's VMID rule skips
	# VMIDs a mapping still names, so the stale mapping is made to point at
	# it as a damaged or hostile file on disk would
	"$NEXCAGE" --root "$T/other" create --bundle "$T/b" web >/dev/null 2>&1 || fail "other root's create"
	b=$(json_field "$("$NEXCAGE" --root "$T/other" state web)" vmid)
	assert_contains "$(cat "$SIM/etc/pve/nodes/pve/lxc/$b.conf")" "nexcage-root%3A $T/other"
	ours=$(grep -l "\"root\":\"$ROOT\"" $(find "$T/lib/map" -type f))
	sed -i "s/\"vmid\":$v,/\"vmid\":$b,/" "$ours"
	grep -q "\"vmid\":$b," "$ours" || fail "could not point the mapping at CT $b"
	nx delete --force web
	assert_ok
	assert_contains "$ERR" "of another root"
	"$NEXCAGE" --root "$T/other" state web >"$T/st" 2>&1 || fail "the other root's web is gone: $(cat "$T/st")"
	assert_eq "$(json_field "$(cat "$T/st")" status)" created
	"$NEXCAGE" --root "$T/other" delete --force web >/dev/null 2>&1 || fail "other root's delete"
	[ ! -f "$SIM/etc/pve/nodes/pve/lxc/$b.conf" ] || fail "the other root could not delete its own CT"
}
