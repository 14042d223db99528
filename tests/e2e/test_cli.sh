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

test_a_usage_error_fails_with_a_json_log_line() {
	nx --log "$T/log.json" --log-format json update x
	assert_rc 1
	assert_contains "$ERR" "update: --resources FILE|- is required"
	assert_contains "$(tail -n 1 "$T/log.json")" '"msg":"update: --resources FILE|- is required'
}

test_spec_writes_a_config_nexcage_accepts_and_refuses_to_overwrite() {
	mkdir -p "$T/b/rootfs"
	nx spec --bundle "$T/b"
	assert_ok
	nx validate --bundle "$T/b"
	assert_ok
	assert_contains "$OUT" "valid (ociVersion 1.3.0)"
	nx spec --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "config.json exists. Remove it first"
	rm "$T/b/config.json"
	nx spec --bundle "$T/b" --rootless
	nx translate --bundle "$T/b"
	assert_contains "$OUT" '"unprivileged": "0"'
	assert_contains "$OUT" '["lxc.idmap", "u 0 100000 65536"]'
}

test_features_tells_what_this_runtime_runs() {
	nx features
	assert_ok
	printf '%s' "$OUT" | lua5.4 -e "local f = require('cjson').decode(io.read('a'))
		assert(f.ociVersionMin == '1.0.0' and f.ociVersionMax == '1.3.0')
		assert(#f.hooks == 6 and f.linux.seccomp.enabled == true and f.linux.selinux.enabled == false)" ||
		fail "features document"
}
