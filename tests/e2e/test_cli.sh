# The command line: version, help, logging, errors, site Lua trust.

test_version_prints_runc_style_lines() {
	nx --version
	assert_ok
	assert_contains "$OUT" "nexcage version "
	assert_contains "$OUT" "spec: 1."
}

test_help_lists_every_command_and_flag() {
	nx help
	assert_ok
	for c in create start state kill delete list run exec ps pause resume spec features; do
		assert_contains "$OUT" "  $c "
	done
	assert_contains "$OUT" "--log-format"
	nx create --help
	assert_ok
	assert_contains "$OUT" "--pid-file"
	assert_contains "$OUT" "--console-socket"
	nx help delete
	assert_contains "$OUT" "--force"
}

test_unknown_command_and_flag_fail() {
	nx frobnicate
	assert_fails
	assert_contains "$ERR" "unknown command 'frobnicate'"
	nx --frob state x
	assert_fails
	assert_contains "$ERR" "unknown global flag '--frob'"
	nx --log-format yaml state x
	assert_fails
	assert_contains "$ERR" "invalid log format"
}

test_state_of_unknown_id_says_does_not_exist() {
	nx state nosuch
	assert_rc 1
	assert_contains "$ERR" "container does not exist"
	nx state '../etc'
	assert_rc 1
	assert_contains "$ERR" "invalid container ID format"
}

test_json_log_records_the_error_for_containerd() {
	nx --log "$T/log.json" --log-format json state nosuch
	assert_rc 1
	# the error also reaches stderr when logging goes to a file
	assert_contains "$ERR" "container does not exist"
	line=$(tail -n 1 "$T/log.json")
	assert_contains "$line" '"level":"error"'
	assert_contains "$line" '"msg":"container does not exist"'
	assert_contains "$line" '"time":"'
	lua5.4 -e "local c = require 'cjson'; local l = c.decode(io.read('l')); assert(l.msg == 'container does not exist')" <"$T/log.json" ||
		fail "log line is not valid JSON"
}

test_journald_log_never_breaks_the_command() {
	nx --log journald state nosuch
	assert_rc 1
}
