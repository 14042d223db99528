# Site edits side by side: site.lua, then site.d/*.lua in name order, each
# value's origin shown by translate; nexcage's helpers are not the site's.

dropin() { # name lua-body-of-function(rules)
	write_file "$T/site/site.d/$1" "return function(rules)
$2
end"
}

test_two_dropins_apply_in_order_and_translate_names_the_file() {
	sim_setup
	make_bundle "$T/b" '["true"]'
	export NEXCAGE_LUA_PATH="$T/site"
	dropin 10-a.lua "rules.add('a', function(s, c, p) p.options.hostname = 'from-a'; p.options.description = 'a' end)"
	dropin 20-b.lua "rules.add('b', function(s, c, p) p.options.hostname = 'from-b' end)
  rules.replace('identity', rules.get('identity'))"
	nx translate --bundle "$T/b"
	assert_ok
	assert_contains "$OUT" '"hostname": "from-b"'
	assert_contains "$OUT" "\"hostname\": \"b ($T/site/site.d/20-b.lua)\""
	assert_contains "$OUT" "\"description\": \"a ($T/site/site.d/10-a.lua)\""
	assert_contains "$OUT" '"ostype": "identity ('"$T/site/site.d/20-b.lua"')"'
	assert_contains "$OUT" '"cmode": "identity ('
	mv "$T/site/site.d/20-b.lua" "$T/site/site.d/05-b.lua"
	nx translate --bundle "$T/b"
	assert_ok
	assert_contains "$OUT" '"hostname": "from-a"'
	assert_contains "$OUT" "\"hostname\": \"a ($T/site/site.d/10-a.lua)\""
	# site.lua comes before the drop-ins
	write_file "$T/site/site.lua" "return function(rules) rules.drop('annotations') end"
	dropin 30-c.lua "rules.add('annotations', function() end)"
	nx translate --bundle "$T/b"
	assert_ok
	write_file "$T/site/site.d/30-c.lua" "return 42"
	nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "30-c.lua"
}

test_a_site_file_cannot_replace_a_helper() {
	sim_setup
	make_bundle "$T/b" '["true"]'
	export NEXCAGE_LUA_PATH="$T/site"
	for f in nexcage/util.lua nexcage/registry.lua; do
		write_file "$T/site/$f" "return {}"
		nx translate --bundle "$T/b"
		assert_fails
		assert_contains "$ERR" "is one of nexcage's helpers and cannot be replaced"
		rm "$T/site/$f"
	done
	nx translate --bundle "$T/b"
	assert_ok
}

# The helpers have one name each: rules.util and rules.registry, their names
# from when they lived among the rules, are no longer answered.
test_the_helpers_old_names_are_gone() {
	sim_setup
	make_bundle "$T/b" '["true"]'
	export NEXCAGE_LUA_PATH="$T/site"
	for m in rules.util rules.registry; do
		write_file "$T/site/site.lua" "local h = require '$m'
return function(rules) end"
		nx translate --bundle "$T/b"
		assert_fails
		assert_contains "$ERR" "module '$m' not found"
	done
	write_file "$T/site/site.lua" "local util = require 'nexcage.util'
return function(rules) rules.add('x', function(s, c, p) util.set(p, 'memory', '77') end) end"
	nx translate --bundle "$T/b"
	assert_ok
	assert_contains "$OUT" '"memory": "77"'
}
