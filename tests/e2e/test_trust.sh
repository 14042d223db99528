# Site files run as root: the file and every directory above it must be
# root's alone, checked on the descriptor that is then read.

test_a_file_swapped_during_translate_never_runs() {
	sim_setup
	make_bundle "$T/b" '["true"]'
	mkdir -p "$T/site"
	write_file "$T/good.lua" "return function(rules) end"
	write_file "$T/evil.lua" "return function(rules)
  rules.add('evil', function(s, c, p) p.options.hostname = 'swapped-in' end)
end"
	chown 65534:65534 "$T/evil.lua"
	cp -p "$T/good.lua" "$T/site/site.lua"
	cp -p "$T/evil.lua" "$T/site/.evil"
	# renames as fast as a process can make them: the good file moves
	# aside, the other takes its name, and back
	lua5.4 -e "
local d, n = '$T/site/', 0
while true do
  os.rename(d .. 'site.lua', d .. '.good')
  os.rename(d .. '.evil', d .. 'site.lua')
  os.rename(d .. 'site.lua', d .. '.evil')
  os.rename(d .. '.good', d .. 'site.lua')
  n = n + 1
  if n % 1000 == 0 and io.open('$T/stop') then break end
end" &
	swapper=$!
	ok=0 refused=0 i=0
	while [ $i -lt 200 ]; do
		NEXCAGE_LUA_PATH="$T/site" nx translate --bundle "$T/b"
		case "$OUT$ERR" in
		*swapped-in*) touch "$T/stop"; wait $swapper; fail "try $i ran the swapped-in file" ;;
		esac
		if [ "$RC" = 0 ]; then ok=$((ok + 1)); else refused=$((refused + 1)); fi
		i=$((i + 1))
	done
	touch "$T/stop"
	wait $swapper
	echo "good: $ok, refused: $refused"
	[ "$refused" -gt 0 ] || fail "the swapped-in file was never seen"
}

test_a_world_writable_directory_above_a_site_file_is_refused() {
	sim_setup
	make_bundle "$T/b" '["true"]'
	mkdir -p "$T/open/site" "$T/open/hooks/pre-translate.d"
	write_file "$T/open/site/site.lua" "return function(rules) end"
	write_file "$T/open/config.lua" "$(cat "$T/config.lua")"
	write_file "$T/open/hooks/pre-translate.d/10-x.lua" "return function(h) end"
	NEXCAGE_LUA_PATH="$T/open/site" nx translate --bundle "$T/b"
	assert_ok
	chmod 0777 "$T/open"
	NEXCAGE_LUA_PATH="$T/open/site" nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "$T/open: refusing site file: writable by group or others (mode 0777)"
	NEXCAGE_CONFIG="$T/open/config.lua" nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "$T/open: refusing site file"
	NEXCAGE_HOOKS_PATH="$T/open/hooks" nx create --bundle "$T/b" hk
	assert_fails
	assert_contains "$ERR" "$T/open: refusing site file"
	chmod 0755 "$T/open"
	ln -s "$T/good.lua" "$T/open/site/site.lua.link" 2>/dev/null
	rm -f "$T/open/site/site.lua"
	write_file "$T/target.lua" "return function(rules) end"
	ln -s "$T/target.lua" "$T/open/site/site.lua"
	NEXCAGE_LUA_PATH="$T/open/site" nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "site.lua: refusing site file: a symbolic link"
}
