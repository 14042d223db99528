# Hostile and unlucky conditions: hooks that misbehave, ids that collide
# across roots, commands killed midway, files planted in nexcage's way.
# After each, nothing of the container may remain anywhere.

# leaves_nothing: no CT in the simulator, nothing in the state root but
# nexcage's own lock directory, no mapping, no template archive.
leaves_nothing() {
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
	assert_eq "$(ls -A "$ROOT" 2>/dev/null | grep -v '^\.locks$' || true)" ""
	assert_eq "$(find "$T/lib/map" -type f 2>/dev/null)" ""
	assert_eq "$(ls -A "$SIM/var/lib/vz/template/cache" 2>/dev/null)" ""
}

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
