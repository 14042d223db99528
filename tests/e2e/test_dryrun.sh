# One plan for create, translate and update: the dry run prints what create
# runs (hooks included, their side effects listed instead of made), a site
# override reaches all three, and update changes only what it is given.

# translate_argv ID: translate --format pct's command as one argument per
# line ("pct" for the program, VMID for the VMID)
translate_argv() {
	nx translate --bundle "$T/b" --format pct "$1"
	assert_ok
	cmd=$(printf '%s\n' "$OUT" | sed '/^#/,$d; s/<vmid>/VMID/')
	eval "set -- $cmd"
	shift
	printf '%s\n' pct "$@"
}

# logged_argv VERB: the simulator's record of the last `pct VERB`, one
# argument per line, a create's VMID as VMID
logged_argv() {
	grep "^\[\"pct\",\"$1\"" "$SIM/pct-calls.log" | tail -n 1 | lua5.4 -e "
local a = require('cjson').decode(io.read('a'))
if a[2] == 'create' then a[3] = 'VMID' end
io.write(table.concat(a, '\n'), '\n')"
}

hooks_with_effects() {
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	write_file "$T/sitehooks/pre-translate.d/10-effects.lua" "local nx = require 'nexcage'
return function(h)
  local r = assert(nx.run({ '/bin/sh', '-c', 'echo ran >> $T/ran' }, {}))
  assert(nx.write_file('$T/written', h.id))
  h.spec.hostname = 'from-hook'
end"
	write_file "$T/sitehooks/pre-create.d/10-tag.lua" "return function(h) h.add_tag('hooked') end"
}

test_translate_pct_is_the_argv_create_passes_to_pct() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	want=$(translate_argv plain)
	nx create --bundle "$T/b" plain
	assert_ok
	assert_eq "$(logged_argv create)" "$want"
	nx delete --force plain

	hooks_with_effects
	want=$(translate_argv hooked)
	assert_contains "$want" "from-hook"
	assert_contains "$want" "hooked;nexcage"
	nx translate --bundle "$T/b" --format pct hooked
	assert_contains "$OUT" "# hook would call: nexcage.run /bin/sh -c echo ran >> $T/ran"
	assert_contains "$OUT" "# hook would call: nexcage.write_file $T/written"
	[ ! -e "$T/ran" ] && [ ! -e "$T/written" ] || fail "the dry run ran a hook's program or wrote its file"
	nx translate --bundle "$T/b" hooked
	assert_contains "$OUT" "\"hooks_would_call\": ["
	nx create --bundle "$T/b" hooked
	assert_ok
	assert_eq "$(logged_argv create)" "$want"
	[ -e "$T/ran" ] && [ "$(cat "$T/written")" = hooked ] || fail "create did not run the hook's effects"
	# the hook edited its copy of the spec, not the one the core keeps
	assert_eq "$(json_field "$(cat "$ROOT/hooked/state.json")" id)" hooked
	nx delete --force hooked
}

site_resources() {
	mkdir -p "$T/site"
	write_file "$T/site/site.lua" "return function(rules)
  rules.replace('resources', function(spec, ctx, plan)
    local mem = spec.linux and spec.linux.resources and spec.linux.resources.memory or {}
    plan.options.memory = 1000 + (mem.limit and mem.limit // 1048576 or 0)
    plan.options.swap = 0
  end)
end"
	export NEXCAGE_LUA_PATH="$T/site"
}

test_a_site_override_of_resources_reaches_translate_create_and_update() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	site_resources
	nx translate --bundle "$T/b" --format pct site
	assert_contains "$OUT" "--memory 1000 "
	nx translate --bundle "$T/b" site
	assert_contains "$OUT" "\"memory\": \"resources ($T/site/site.lua)\""
	nx create --bundle "$T/b" site
	assert_ok
	assert_contains "$(logged_argv create)" "$(printf -- '--memory\n1000')"
	echo '{"memory": {"limit": 1073741824}}' >"$T/res.json"
	nx update --resources "$T/res.json" site
	assert_ok
	assert_eq "$(logged_argv set | tail -n +4 | tr '\n' ' ')" "--memory 2024 "
	nx delete --force site
}

test_update_changes_only_the_given_fields() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	edit_config "$T/b" "s.linux.resources = { memory = { limit = 2147483648 } }"
	nx create --bundle "$T/b" up
	assert_ok
	vmid=$(json_field "$("$NEXCAGE" --root "$ROOT" state up)" vmid)
	conf="$SIM/etc/pve/nodes/pve/lxc/$vmid.conf"
	assert_contains "$(cat "$conf")" "memory: 2048"
	echo '{"cpu": {"shares": 2048}}' >"$T/res.json"
	nx update --resources "$T/res.json" up
	assert_ok
	assert_eq "$(logged_argv set | tr '\n' ' ')" "pct set $vmid --cpuunits 79 "
	assert_contains "$(cat "$conf")" "memory: 2048"
	before=$(pct_calls)
	for bad in '{"memory": {"limit": -5}}' '{"cpu": {"shares": -1}}' '{"cpu": {"shares": 1e12}}' \
		'{"memory": {"limit": 1e18}}' '{"cpu": {"quota": 5, "period": 100000}}' \
		'{"memory": {"swap": 4294967296}}' '{"pids": {"limit": "many"}}'; do
		echo "$bad" >"$T/res.json"
		nx update --resources "$T/res.json" up
		assert_fails
		assert_contains "$ERR" "linux.resources."
	done
	assert_eq "$(pct_calls)" "$before"
	assert_contains "$(cat "$conf")" "memory: 2048"
	# nothing pct can change now: no pct call at all
	echo '{"pids": {"limit": 100}}' >"$T/res.json"
	nx update --resources "$T/res.json" up
	assert_ok
	assert_eq "$(pct_calls)" "$before"
	nx delete --force up
}

test_a_hook_cannot_change_the_oci_hooks_or_the_recorded_annotations() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	edit_config "$T/b" "s.annotations = { owner = 'alice' }"
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	write_file "$T/sitehooks/pre-translate.d/10-edit.lua" "return function(h)
  h.spec.hooks = { createRuntime = { { path = '/bin/touch', args = { 'touch', '$T/planted' } } } }
  h.spec.annotations.owner = 'mallory'
  h.spec.hostname = 'edited'
end"
	write_file "$T/sitehooks/pre-create.d/10-edit.lua" "return function(h)
  h.spec.hooks = { createRuntime = { { path = '/bin/touch', args = { 'touch', '$T/planted' } } } }
end"
	nx create --bundle "$T/b" frozen
	assert_ok
	[ ! -e "$T/planted" ] || fail "a Lua hook added an OCI hook"
	state=$(cat "$ROOT/frozen/state.json")
	assert_contains "$state" '"owner": "alice"'
	assert_not_contains "$state" mallory
	vmid=$(json_field "$state" vmid)
	# the edit still reached the rules, as documented
	assert_contains "$(cat "$SIM/etc/pve/nodes/pve/lxc/$vmid.conf")" "hostname: edited"
	nx delete --force frozen
}
