# Hostile and unlucky conditions: hooks that misbehave, ids that collide
# across roots, commands killed midway, files planted in nexcage's way.
# After each, nothing of the container may remain anywhere.

# big_annotation DIR: a state document larger than a pipe's buffer, so a
# hook that does not read stdin surely breaks the pipe.
big_annotation() {
	edit_config "$1" "s.annotations = { ['com.example.big'] = string.rep('x', 300000) }"
}

add_hook() { # bundle kind hook-json
	edit_config "$1" "s.hooks = s.hooks or {}; s.hooks['$2'] = { c.decode('$3') }"
}

test_hooks_that_do_not_read_stdin_do_not_kill_nexcage() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	big_annotation "$T/b"
	for kind in prestart createRuntime poststart; do
		add_hook "$T/b" "$kind" '{"path": "/bin/sh", "args": ["sh", "-c", "exit 0"]}'
	done
	nx create --bundle "$T/b" pipe
	assert_ok
	nx start pipe
	assert_ok
	nx list -q
	assert_contains "$OUT" pipe
	nx delete --force pipe
	assert_ok
	leaves_nothing
}

test_run_on_an_existing_id_leaves_it_alone() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" taken
	assert_ok
	nx start taken
	assert_ok
	pid=$(json_field "$("$NEXCAGE" --root "$ROOT" state taken)" pid)
	nx run --bundle "$T/b" taken
	assert_fails
	assert_contains "$ERR" "already exists"
	nx state taken
	assert_ok
	assert_eq "$(json_field "$OUT" status)" running
	assert_eq "$(json_field "$OUT" pid)" "$pid"
	nx delete --force taken
	assert_ok
	leaves_nothing
}

test_a_destroy_failing_with_other_words_keeps_the_container_known() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	# a root disk on the storage (a rootfs in place has no volume to free)
	edit_config "$T/b" "s.annotations = { ['org.nexcage.rootfs'] = 'copy' }"
	nx create --bundle "$T/b" st
	assert_ok
	# pct destroy now fails with "storage 'local' does not exist": the CT stays
	cp "$SIM/etc/pve/storage.cfg" "$T/storage.cfg"
	sed -i 's/^dir: local$/dir: elsewhere/' "$SIM/etc/pve/storage.cfg"
	nx delete --force st
	assert_fails
	assert_contains "$ERR" "storage 'local' does not exist"
	nx list -q
	assert_contains "$OUT" st
	cp "$T/storage.cfg" "$SIM/etc/pve/storage.cfg"
	nx delete --force st
	assert_ok
	leaves_nothing
}

ct_count() { ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null | wc -l; }

# The simulator's HANG blocks pct on a FIFO named after its pid.
hung_pct() { ls "$SIM"/run/pve-sim-hang.* 2>/dev/null | sed 's/.*\.//'; }
wait_hung() { # what
	wait_for 90 sh -c "ls '$SIM'/run/pve-sim-hang.* >/dev/null 2>&1" || fail "never hung at $1: $(cat "$T/killed.out" 2>/dev/null)"
	HUNG=$(hung_pct)
}
# after kill -9 of nexcage: the hung pct must die with it
pct_died() {
	wait_for 10 sh -c "! kill -0 $HUNG 2>/dev/null" || fail "pct $HUNG outlived nexcage"
	rm -f "$SIM"/run/pve-sim-hang.*
}

test_an_id_is_per_root_and_other_roots_never_touch_it() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" web
	assert_ok
	nx start web
	assert_ok
	other() { # through files: a created program holds create's stdout (see nx)
		"$NEXCAGE" --root "$T/other/" "$@" >"$T/.stdout" 2>"$T/.stderr"
		RC=$?
		OUT=$(cat "$T/.stdout")
		ERR=$(cat "$T/.stderr")
	}
	other delete web
	assert_fails
	assert_contains "$ERR" "container does not exist"
	other delete --force web
	assert_ok
	other gc
	assert_ok
	nx state web
	assert_eq "$(json_field "$OUT" status)" running
	# the same id in another root is another container
	other create --bundle "$T/b" web
	assert_ok
	assert_eq "$(ct_count)" 2
	a=$(json_field "$("$NEXCAGE" --root "$ROOT" state web)" vmid)
	b=$(json_field "$("$NEXCAGE" --root "$T/other" state web)" vmid)
	[ "$a" != "$b" ] || fail "both roots got CT $a"
	other list -q
	assert_eq "$OUT" web
	other delete --force web
	assert_ok
	nx state web
	assert_eq "$(json_field "$OUT" status)" running
	assert_eq "$(json_field "$OUT" vmid)" "$a"
	nx delete --force web
	assert_ok
	leaves_nothing
}

# create_killed_at STEP ID: start a create whose pct hangs at STEP, wait
# until it hangs there, kill -9 nexcage (only nexcage: its children must
# die with it).
create_killed_at() {
	PVE_SIM_HANG=$1 "$NEXCAGE" --root "$ROOT" create --bundle "$T/b" "$2" >"$T/killed.out" 2>&1 &
	kpid=$!
	wait_hung "$1"
	kill -9 $kpid
	wait $kpid 2>/dev/null
	pct_died
}

test_gc_skips_a_create_in_flight_and_collects_the_rest_past_a_failure() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	# two orphans: one whose CT refuses to go (protected), one that goes
	nx create --bundle "$T/b" stuck
	nx create --bundle "$T/b" lost
	assert_ok
	vs=$(json_field "$("$NEXCAGE" --root "$ROOT" state stuck)" vmid)
	vl=$(json_field "$("$NEXCAGE" --root "$ROOT" state lost)" vmid)
	rm -rf "$ROOT/stuck" "$ROOT/lost"
	"$REPO/tests/sim/pct" stop "$vs" >/dev/null 2>&1
	"$REPO/tests/sim/pct" set "$vs" --protection 1 >/dev/null 2>&1
	PVE_SIM_HANG=start:lxc-start "$NEXCAGE" --root "$ROOT" create --bundle "$T/b" busy >"$T/busy.out" 2>&1 &
	bpid=$!
	wait_hung start
	nx gc
	assert_fails
	assert_contains "$ERR" "protection mode"
	assert_contains "$OUT" "removing lost (CT $vl)"
	assert_not_contains "$OUT" "busy"
	[ ! -e "$SIM/etc/pve/nodes/pve/lxc/$vl.conf" ] || fail "gc stopped at the first failure"
	assert_eq "$(ct_count)" 2
	kill -9 $bpid
	wait $bpid 2>/dev/null
	"$REPO/tests/sim/pct" set "$vs" --protection 0 >/dev/null 2>&1
	pct_died
	nx gc
	assert_ok
	assert_contains "$OUT" "removing busy"
	leaves_nothing
}

test_a_hung_pct_create_leaves_no_locked_ct() {
	PCT_TIMEOUT=3 sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	PVE_SIM_HANG=create:extract nx create --bundle "$T/b" hung
	assert_fails
	assert_contains "$ERR" "no answer within 3s"
	assert_contains "$ERR" "left locked (create)"
	leaves_nothing
}

test_delete_killed_midway_is_finished_by_delete_force() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" half
	assert_ok
	v=$(json_field "$("$NEXCAGE" --root "$ROOT" state half)" vmid)
	PVE_SIM_HANG=destroy:purge "$NEXCAGE" --root "$ROOT" delete --force half >/dev/null 2>&1 &
	dpid=$!
	wait_hung destroy
	grep -q "^lock: destroyed" "$SIM/etc/pve/nodes/pve/lxc/$v.conf" || fail "destroy did not get midway"
	kill -9 $dpid
	wait $dpid 2>/dev/null
	pct_died
	nx list -q
	assert_eq "$OUT" half
	nx delete --force half
	assert_ok
	assert_contains "$ERR" "CT $v was left locked (destroyed)"
	leaves_nothing
}

test_nexcage_files_are_outside_the_id_namespace() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" web
	assert_ok
	# ids runc accepts, among them the name nexcage used for its locks
	for id in .locks .hidden a..b; do
		nx create --bundle "$T/b" "$id"
		assert_ok
	done
	for id in .. . "a/b" "a:b" ""; do
		nx create --bundle "$T/b" "$id"
		assert_fails
	done
	nx delete --force .locks
	assert_ok
	nx list -q
	assert_eq "$(echo $OUT)" ".hidden a..b web"
	# web's lock file is still there: a second create of web must wait for it
	[ -e "$ROOT/.nexcage:locks/web" ] || fail "web's lock file is gone"
	for id in .hidden a..b web; do
		nx delete --force "$id"
		assert_ok
	done
	leaves_nothing
}

# a pid that surely belongs to no process
dead_pid() { sh -c 'echo $$'; }

test_gc_sweeps_what_a_killed_nexcage_left_and_nothing_live() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" live
	assert_ok
	dead=$(dead_pid)
	mapdir=$(dirname "$(find "$T/lib/map" -name live.json)")
	cache="$SIM/var/lib/vz/template/cache"
	mkdir -p "$cache"
	touch "$mapdir/x.json.tmp.$dead.AbC123" "$ROOT/live/state.json.tmp.$dead.zzzzzz" \
		"$cache/nexcage-pve-x.$dead.tar.zst" "$cache/nexcage-pve-x.tar.zst.tmp.$dead.q1w2e3" \
		"$mapdir/y.json.tmp.$$.AbC123" "$cache/nexcage-pve-y.$$.tar.zst" "$cache/other.tar.zst"
	mkdir -p "$ROOT/halfmade"
	nx gc
	assert_ok
	assert_contains "$OUT" "removing halfmade (no CT)"
	assert_contains "$OUT" "removed $cache/nexcage-pve-x.$dead.tar.zst (left by pid $dead)"
	assert_contains "$OUT" "removed $mapdir/x.json.tmp.$dead.AbC123 (left by pid $dead)"
	for f in "$mapdir/x.json.tmp.$dead.AbC123" "$ROOT/live/state.json.tmp.$dead.zzzzzz" \
		"$cache/nexcage-pve-x.$dead.tar.zst" "$cache/nexcage-pve-x.tar.zst.tmp.$dead.q1w2e3" "$ROOT/halfmade"; do
		[ ! -e "$f" ] || fail "gc left $f"
	done
	for f in "$mapdir/y.json.tmp.$$.AbC123" "$cache/nexcage-pve-y.$$.tar.zst" "$cache/other.tar.zst" "$mapdir/live.json"; do
		[ -e "$f" ] || fail "gc removed $f (its writer lives, or it is not ours)"
	done
	rm -f "$mapdir/y.json.tmp.$$.AbC123" "$cache/nexcage-pve-y.$$.tar.zst" "$cache/other.tar.zst"
	nx state live
	assert_ok
	nx delete --force live
	assert_ok
	leaves_nothing
}

test_fifo_and_corrupt_state_hang_nothing_and_are_removable() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" fifo
	assert_ok
	nx create --bundle "$T/b" junk
	assert_ok
	rm "$ROOT/fifo/state.json"
	mkfifo "$ROOT/fifo/state.json"
	echo '{"id": "junk", "vmid": ' >"$ROOT/junk/state.json"
	OUT=$(timeout 20 "$NEXCAGE" --root "$ROOT" list 2>&1)
	RC=$?
	assert_ok
	assert_contains "$OUT" "unknown"
	assert_eq "$(timeout 20 "$NEXCAGE" --root "$ROOT" list -q | tr '\n' ' ')" "fifo junk "
	timeout 20 "$NEXCAGE" --root "$ROOT" state fifo >/dev/null 2>&1
	[ $? != 124 ] || fail "state hung on a FIFO"
	nx delete junk
	assert_fails
	assert_contains "$ERR" "delete --force junk"
	# a FIFO planted as a mapping record hangs nothing either
	mapdir=$(dirname "$(find "$T/lib/map" -name junk.json)")
	mkfifo "$mapdir/planted.json"
	timeout 20 "$NEXCAGE" --root "$ROOT" create --bundle "$T/b" third >"$T/.stdout" 2>&1
	RC=$?
	OUT=$(cat "$T/.stdout")
	assert_ok
	rm "$mapdir/planted.json"
	for id in fifo junk third; do
		timeout 30 "$NEXCAGE" --root "$ROOT" delete --force "$id"
		[ $? = 0 ] || fail "delete --force $id"
	done
	leaves_nothing
}

test_lua_run_without_options_runs() {
	sim_setup
	trap sim_teardown EXIT
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	write_file "$T/sitehooks/pre-create.d/10-run.lua" "local nx = require 'nexcage'
return function(h)
  local r = assert(nx.run({ '/bin/sh', '-c', 'echo ran' }))
  assert(r.status == 0 and r.stdout == 'ran\n', 'unexpected result')
  h.add_tag('ran-' .. r.status)
end"
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" lr
	assert_ok
	vmid=$(json_field "$("$NEXCAGE" --root "$ROOT" state lr)" vmid)
	assert_contains "$(cat "$SIM/etc/pve/nodes/pve/lxc/$vmid.conf")" "ran-0"
	nx delete --force lr
	assert_ok
	leaves_nothing
}

test_symlinks_in_the_image_create_nothing_on_the_host() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	mkdir -p "$T/hostetc" "$T/hostdata" "$T/src"
	echo "127.0.0.1 x" >"$T/src/hosts"
	# the image's /etc and /srv point at host paths
	rm -rf "$T/b/rootfs/etc"
	ln -s "$T/hostetc" "$T/b/rootfs/etc"
	ln -s "$T/hostdata" "$T/b/rootfs/srv"
	edit_config "$T/b" "table.insert(s.mounts, { destination = '/etc/hosts', type = 'bind', source = '$T/src/hosts', options = { 'rbind', 'ro' } })
table.insert(s.mounts, { destination = '/srv/data', type = 'bind', source = '$T/src', options = { 'rbind', 'ro' } })"
	nx create --bundle "$T/b" sl
	assert_ok
	nx start sl
	assert_ok
	assert_eq "$(ls -A "$T/hostetc" "$T/hostdata" | tr -d '\n')" "$T/hostdata:$T/hostetc:"
	nx delete --force sl
	assert_ok
	leaves_nothing
}

test_create_container_hooks_may_be_scripts_or_dynamically_linked() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	mkdir -p "$T/hooks"
	printf '#!/bin/sh\necho "script $(hostname)" >> %s/out/cc.log\n' "$T" >"$T/hooks/cc.sh"
	chmod 0755 "$T/hooks" "$T/hooks/cc.sh"
	edit_config "$T/b" "s.hooks = { createContainer = {
  { path = '$T/hooks/cc.sh' },
  { path = '/bin/sh', args = { 'sh', '-c', 'echo dynamic \$(hostname) >> $T/out/cc.log' } } } }"
	nx create --bundle "$T/b" cc
	assert_ok
	assert_eq "$(cat "$T/out/cc.log" | tr '\n' ' ')" "script e2e dynamic e2e "
	nx delete --force cc
	assert_ok
	leaves_nothing
}

# The fault matrix: nexcage killed (-9) at every step of create, start and
# delete that waits on pct or a hook, then delete --force or gc recovers
# the id and nothing remains. Creates in flight are killed while their pct
# hangs (the simulator's HANG), so the kill lands exactly at that step.
test_kill_9_at_every_step_then_recovery_leaves_nothing() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	step_no=0
	for step in create:lock create:extract create:setup create:config start:pre-start start:lxc-start; do
		step_no=$((step_no + 1))
		create_killed_at "$step" "k$step_no"
		# gc and delete --force each recover, alternately
		if [ $((step_no % 2)) = 0 ]; then
			nx gc
		else
			nx delete --force "k$step_no"
		fi
		assert_ok
		leaves_nothing
	done
	nx create --bundle "$T/b" k1 # a recovered id is usable again
	assert_ok
	nx delete --force k1
	assert_ok
	# start: killed while a poststart hook hangs (start calls no pct)
	cp -r "$T/b" "$T/bh"
	add_hook "$T/bh" poststart '{"path": "/bin/sh", "args": ["sh", "-c", "touch '"$T"'/hook.ran; sleep 60"]}'
	nx create --bundle "$T/bh" ks
	assert_ok
	"$NEXCAGE" --root "$ROOT" start ks >/dev/null 2>&1 &
	spid=$!
	wait_for 20 test -e "$T/hook.ran" || fail "poststart never ran"
	kill -9 $spid
	wait $spid 2>/dev/null
	pgrep -f "touch $T/hook.ran" >/dev/null && fail "the hook outlived nexcage"
	nx delete --force ks
	assert_ok
	leaves_nothing
	# delete: killed at each step of pct destroy
	for step in destroy:lock destroy:remove destroy:purge; do
		step_no=$((step_no + 1))
		nx create --bundle "$T/b" "k$step_no"
		assert_ok
		nx start "k$step_no"
		assert_ok
		PVE_SIM_HANG=$step "$NEXCAGE" --root "$ROOT" delete --force "k$step_no" >/dev/null 2>&1 &
		dpid=$!
		wait_hung "$step"
		kill -9 $dpid
		wait $dpid 2>/dev/null
		pct_died
		nx delete --force "k$step_no"
		assert_ok
		leaves_nothing
	done
}

test_planted_temp_names_and_fifos_change_nothing() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	# another user plants every temp name a pid-file writer could have used
	mkdir -p "$T/sticky"
	chmod 1777 "$T/sticky"
	me=$$
	i=0
	while [ $i -lt 200 ]; do
		su nobody -s /bin/sh -c "touch '$T/sticky/pid.tmp.$((me + i))'" 2>/dev/null ||
			{ touch "$T/sticky/pid.tmp.$((me + i))"; chown nobody "$T/sticky/pid.tmp.$((me + i))"; }
		i=$((i + 1))
	done
	nx create --bundle "$T/b" --pid-file "$T/sticky/pid" pf
	assert_ok
	assert_eq "$(stat -c '%U %a' "$T/sticky/pid")" "root 644"
	# the pid file names the container's stand-in (see docs/decisions.md)
	assert_eq "$(cat "/proc/$(cat "$T/sticky/pid")/comm")" "nx:pf"
	# a FIFO at a future container's state.json hangs neither create nor list
	mkdir -p "$ROOT/ff"
	mkfifo "$ROOT/ff/state.json"
	OUT=$(timeout 20 "$NEXCAGE" --root "$ROOT" list -q 2>&1)
	assert_eq "$(echo $OUT)" "ff pf"
	timeout 30 "$NEXCAGE" --root "$ROOT" delete --force ff
	[ $? = 0 ] || fail "delete --force of a FIFO state"
	nx delete --force pf
	assert_ok
	leaves_nothing
}

test_a_rollback_that_cannot_destroy_keeps_the_ct_known() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	PVE_SIM_FAIL=start:lxc-start,destroy:remove nx create --bundle "$T/b" rb
	assert_fails
	assert_contains "$ERR" "could not destroy CT 100"
	nx list -q
	assert_eq "$OUT" rb
	nx delete --force rb
	assert_ok
	leaves_nothing
}

# A config.lua broken while a container exists: delete --force fails before
# it touches anything (the CT, its state and mapping stay together), and
# once the file is mended one delete removes it all.
test_delete_force_with_a_broken_config_lua_loses_nothing() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" cfg
	assert_ok
	v=$(json_field "$("$NEXCAGE" --root "$ROOT" state cfg)" vmid)
	cp "$T/config.lua" "$T/config.good"
	printf 'return {\n' >"$T/config.lua"
	nx delete --force cfg
	assert_fails
	assert_contains "$ERR" "config.lua"
	[ -f "$SIM/etc/pve/nodes/pve/lxc/$v.conf" ] || fail "CT $v destroyed by a delete that failed"
	[ -f "$ROOT/cfg/state.json" ] || fail "the state went"
	assert_eq "$(find "$T/lib/map" -type f | wc -l)" 1
	cp "$T/config.good" "$T/config.lua"
	nx delete --force cfg
	assert_ok
	leaves_nothing
}
