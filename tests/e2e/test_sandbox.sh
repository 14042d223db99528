# The sandbox's promises through the binary: every way out of the time
# limit ends within the limit + 1 s, rules have no side effects, and a
# finalizer cannot outlive its operation.

# elapsed_since START: seconds (float) since START (from now_s)
now_s() { date +%s.%N; }
within() { # start limit: fail when more than limit seconds have passed
	awk -v s="$1" -v e="$(now_s)" -v l="$2" 'BEGIN { exit !(e - s <= l) }' ||
		fail "took longer than ${2}s"
}

limit_config() { # seconds
	write_file "$T/config.lua" "$(sed "s/^}$/  lua_time_limit = $1,\n}/" "$T/config.lua")"
}

site_rule() { # lua body of a rule function(spec, ctx, plan)
	write_file "$T/site/site.lua" "local nx = require 'nexcage'
return function(rules)
  rules.add('hostile', function(spec, ctx, plan)
$1
  end)
end"
	export NEXCAGE_LUA_PATH="$T/site"
}

test_each_time_limit_escape_in_a_rule_ends_within_the_limit() {
	sim_setup
	make_bundle "$T/b" '["true"]'
	limit_config 2
	for body in \
		"while true do pcall(function() while true do end end) end" \
		"while true do xpcall(function() while true do end end, function() while true do end end) end" \
		"return ('a'):rep(28):find(('a*'):rep(28) .. 'b')" \
		"for i = 1, 1e9 do pcall(string.rep, 'x', 1e9) end" \
		"setmetatable({}, { __gc = function() while true do end end })" \
		"setmetatable(plan.lxc, { __len = function() while true do end end })" \
		"setmetatable(plan, { __index = function() while true do end end }) plan.options = nil"; do
		site_rule "$body"
		start=$(now_s)
		nx translate --bundle "$T/b"
		assert_fails
		within "$start" 3
		case "$body" in
		*string.rep*) assert_contains "$ERR" "out of memory" ;;
		*__gc*) assert_contains "$ERR" "__gc is not allowed" ;;
		*find*) assert_contains "$ERR" "pattern too costly" ;;
		*) assert_contains "$ERR" "site/site.lua:4: script ran past its time limit of 2.0s" ;;
		esac
	done
}

test_a_huge_sysctl_key_is_refused_at_once() {
	sim_setup
	make_bundle "$T/b" '["true"]'
	limit_config 2
	edit_config "$T/b" "s.linux.sysctl = { [('a'):rep(80000) .. '!'] = '1' }"
	start=$(now_s)
	nx translate --bundle "$T/b"
	assert_fails
	within "$start" 1
	assert_contains "$ERR" "linux.sysctl: invalid key"
}

test_a_hostile_rule_can_neither_run_a_program_nor_write_a_file() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["true"]'
	site_rule "nx.run({ '/bin/touch', '$T/ran' })"
	nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "nexcage.run: not allowed here"
	nx create --bundle "$T/b" pure
	assert_fails
	assert_contains "$ERR" "nexcage.run: not allowed here"
	site_rule "nx.write_file('$T/written', 'x')"
	nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "nexcage.write_file: not allowed here"
	[ ! -e "$T/ran" ] && [ ! -e "$T/written" ] || fail "a rule changed the host"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
}

test_a_finalizer_in_a_pre_create_hook_cannot_hang_create() {
	sim_setup
	trap sim_teardown EXIT
	limit_config 2
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	write_file "$T/sitehooks/pre-create.d/10-gc.lua" "return function(h)
  setmetatable({}, { __gc = function() while true do end end })
end"
	make_bundle "$T/b" '["sleep", "60"]'
	start=$(now_s)
	nx create --bundle "$T/b" gc
	assert_fails
	within "$start" 3
	assert_contains "$ERR" "__gc is not allowed"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
}

test_a_hook_that_breaks_its_context_gets_an_error_not_a_crash() {
	sim_setup
	trap sim_teardown EXIT
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	make_bundle "$T/b" '["sleep", "60"]'
	write_file "$T/sitehooks/pre-create.d/10-tags.lua" "return function(h)
  h.tags = setmetatable({}, { __len = function() error('len') end, __index = function() error('index') end })
end"
	nx translate --bundle "$T/b"
	assert_ok
	write_file "$T/sitehooks/pre-create.d/10-tags.lua" "return function(h) h.tags = 5; h.add_tag('x') end"
	nx create --bundle "$T/b" tags
	assert_fails
	assert_contains "$ERR" "add_tag: the context's tags are no longer a list"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
}

# What nexcage reads from a table Lua returned (a hook file's table, a site
# module) it reads raw, outside any protected call: a metamethod there
# would run with no time limit and no error handler.
test_a_looping_metatable_on_a_returned_table_is_never_run() {
	sim_setup
	make_bundle "$T/b" '["true"]'
	limit_config 2
	loop='setmetatable({}, { __index = function() while true do end end })'
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	write_file "$T/sitehooks/pre-translate.d/10-loop.lua" "return $loop"
	start=$(now_s)
	nx translate --bundle "$T/b"
	assert_fails
	within "$start" 3
	assert_contains "$ERR" "must return a function"
	rm -r "$T/sitehooks"
	write_file "$T/site/vmid.lua" "return $loop"
	export NEXCAGE_LUA_PATH="$T/site"
	start=$(now_s)
	nx create --bundle "$T/b" loop
	assert_fails
	within "$start" 3
	assert_contains "$ERR" "module 'vmid' has no function choose"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
}
