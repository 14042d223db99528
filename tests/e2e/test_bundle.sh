# Bundles through the binary: validate on every fixture of
# tests/fixtures/config (good ones pass, each bad one prints exactly the
# lines of its .err), spec, features, and hostile files.

FIXTURES="$REPO/tests/fixtures/config"

bundle_with() { # fixture.json: $T/b with that config.json and an empty rootfs/
	rm -rf "$T/b"
	mkdir -p "$T/b/rootfs"
	cp "$1" "$T/b/config.json"
}

test_validate_accepts_every_good_fixture() {
	n=0
	for f in "$FIXTURES"/good/*.json; do
		bundle_with "$f"
		nx validate --bundle "$T/b"
		[ "$RC" = 0 ] || fail "$(basename "$f"): $OUT $ERR"
		assert_contains "$OUT" "$T/b/config.json: valid (ociVersion "
		n=$((n + 1))
	done
	[ "$n" -ge 10 ] || fail "only $n good fixtures"
}

test_validate_prints_each_bad_fixture_exact_lines() {
	n=0
	for f in "$FIXTURES"/bad/*.json; do
		bundle_with "$f"
		nx validate --bundle "$T/b"
		[ "$RC" = 1 ] || fail "$(basename "$f"): exit $RC, expected 1 ($OUT)"
		# report lines on stdout, one per problem; text errors on stderr
		while IFS= read -r line; do
			case "$OUT
$ERR" in
			*"$line"*) ;;
			*) fail "$(basename "$f"): expected [$line] in [$OUT] [$ERR]" ;;
			esac
		done <"${f%.json}.err"
		lines=$(wc -l <"${f%.json}.err")
		if [ -n "$OUT" ]; then
			[ "$(printf '%s\n' "$OUT" | wc -l)" = "$lines" ] || fail "$(basename "$f"): extra lines: $OUT"
			assert_contains "$ERR" "config.json: $lines problem"
		fi
		n=$((n + 1))
	done
	[ "$n" -ge 100 ] || fail "only $n bad fixtures"
}

test_create_names_every_problem_too() {
	bundle_with "$FIXTURES/bad/many-problems.json"
	nx create --bundle "$T/b" many
	assert_fails
	while IFS= read -r line; do
		assert_contains "$ERR" "$line"
	done <"$FIXTURES/bad/many-problems.err"
	[ ! -e "$ROOT/many" ] || fail "state left behind"
}

test_validate_lists_a_thousand_problems_and_counts_the_rest() {
	mkdir -p "$T/b/rootfs"
	lua5.4 -e "
		local env = {}
		for i = 1, 2500 do env[i] = '\"X' .. i .. '\"' end
		io.write('{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, \"process\": {\"cwd\": \"/\",',
			' \"args\": [\"sh\"], \"user\": {\"uid\": 0, \"gid\": 0}, \"env\": [', table.concat(env, ','), ']}}')" \
		>"$T/b/config.json"
	nx validate --bundle "$T/b"
	assert_rc 1
	assert_eq "$(printf '%s\n' "$OUT" | wc -l)" 1001
	assert_contains "$OUT" 'config.json: process.env[999]: must be NAME=value (got "X1000")'
	assert_contains "$OUT" "config.json: 1500 more problems not listed"
	assert_contains "$ERR" "config.json: 2500 problems"
	nx translate --bundle "$T/b"
	assert_contains "$ERR" "more problems ('nexcage validate' lists the first 1000)"
}

test_hostile_files_fail_fast_and_clearly() {
	mkdir -p "$T/b/rootfs"
	truncate -s 100M "$T/b/config.json"
	nx validate --bundle "$T/b"
	assert_rc 1
	assert_contains "$ERR" "config.json: file too large (104857600 bytes; the limit is 4194304)"
	rm "$T/b/config.json"
	mkfifo "$T/b/config.json"
	OUT=$(timeout 10 "$NEXCAGE" --root "$ROOT" validate --bundle "$T/b" 2>&1)
	RC=$?
	assert_rc 1
	assert_contains "$OUT" "config.json: not a regular file"
	rm "$T/b/config.json"
	ln -s /dev/zero "$T/b/config.json"
	OUT=$(timeout 10 "$NEXCAGE" --root "$ROOT" validate --bundle "$T/b" 2>&1)
	assert_contains "$OUT" "config.json: not a regular file"
	rm "$T/b/config.json"
	nx validate --bundle "$T/b"
	assert_contains "$ERR" "$T/b/config.json: No such file or directory"
	nx validate --bundle "$T/nowhere"
	assert_contains "$ERR" "bundle $T/nowhere: No such file or directory"
}

test_spec_is_valid_translatable_and_never_replaces_a_file() {
	mkdir -p "$T/b/rootfs"
	nx spec --bundle "$T/b"
	assert_ok
	assert_eq "$(stat -c %a "$T/b/config.json")" 644
	assert_eq "$(ls -A "$T/b" | tr '\n' ' ')" "config.json rootfs "
	nx validate --bundle "$T/b"
	assert_ok
	nx translate --bundle "$T/b"
	assert_ok
	assert_contains "$OUT" '"unprivileged": "0"'
	# a network namespace without a path is an empty one: no Proxmox NIC
	assert_not_contains "$OUT" '"net0"'
	assert_contains "$OUT" '"entrypoint": "sh"'
	# a dangling symlink is a file too: never written through
	rm "$T/b/config.json"
	ln -s "$T/elsewhere.json" "$T/b/config.json"
	nx spec --bundle "$T/b"
	assert_fails
	assert_eq "$ERR" "nexcage: error: File config.json exists. Remove it first"
	[ ! -e "$T/elsewhere.json" ] || fail "wrote through the symlink"
	rm "$T/b/config.json"
	nx spec --bundle "$T/b" --rootless
	assert_ok
	nx validate --bundle "$T/b"
	assert_ok
	nx translate --bundle "$T/b"
	assert_contains "$OUT" '"unprivileged": "0"'
	assert_contains "$OUT" '["lxc.idmap", "g 0 100000 65536"]'
	nx spec --bundle "$T/missing"
	assert_fails
	assert_contains "$ERR" "bundle $T/missing: No such file or directory"
	nx spec --bundle "$T/b" extra
	assert_fails
}

test_features_is_the_truth_about_this_runtime() {
	nx features
	assert_ok
	printf '%s' "$OUT" >"$T/features.json"
	lua5.4 -e "
		package.path = '$REPO/lua/?.lua'
		local f = require('cjson').decode(assert(io.open('$T/features.json')):read('a'))
		assert(f.ociVersionMin == '1.0.0' and f.ociVersionMax == '1.3.0')
		-- the capabilities are the translation rules' own list
		local rules = require 'rules.security'
		local n = 0
		for _, c in ipairs(f.linux.capabilities) do
			assert(rules.capabilities[c:match('^CAP_(.+)$'):lower()], c)
			n = n + 1
		end
		for _ in pairs(rules.capabilities) do n = n - 1 end
		assert(n == 0, 'capability lists differ')
		local ns = table.concat(f.linux.namespaces, ' ')
		assert(ns == 'cgroup ipc mount network pid user uts', ns)
		assert(f.linux.seccomp.enabled == true and f.linux.selinux.enabled == false)
		assert(f.linux.mountExtensions.idmap.enabled == false)
		assert(f.potentiallyUnsafeConfigAnnotations[1] == 'org.nexcage.')
		for _, o in ipairs(f.mountOptions) do assert(not o:find('=')) end" ||
		fail "features document: $OUT"
	nx features extra
	assert_fails
}
