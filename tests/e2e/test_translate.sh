# translate (the admin's dry run), site overrides, and the refusal of
# untrusted or injected input, through the binary.

setup_bundle() {
	make_bundle "$T/b" '["sleep", "60"]'
}

test_translate_prints_the_plan_and_the_pct_command() {
	sim_setup
	setup_bundle
	nx translate --bundle "$T/b"
	assert_ok
	assert_contains "$OUT" '"hostname": "e2e"'
	assert_contains "$OUT" '"args": ["sleep", "60"]'
	nx translate --bundle "$T/b" --format pct web
	assert_ok
	assert_contains "$OUT" "create <vmid> $T/lib/empty.tar"
	assert_contains "$OUT" "--hostname e2e"
	assert_contains "$OUT" "--tags nexcage"
	assert_contains "$OUT" "lxc.mount.entry: $ROOT/web/ctr dev/.nexcage none bind,ro,create=dir 0 0"
	assert_not_contains "$OUT" "lxc.console.logfile"
	[ ! -e "$SIM/pct-calls.log" ] || fail "translate called pct"
}

test_a_site_override_changes_the_plan() {
	sim_setup
	setup_bundle
	edit_config "$T/b" "s.annotations = { ['com.example.tier'] = 'gold' }
table.insert(s.linux.namespaces, { type = 'network' })"
	mkdir -p "$T/site"
	cp "$REPO/examples/overrides/storage_bridge.lua" "$T/site/site.lua"
	chmod 0644 "$T/site/site.lua"
	nx translate --bundle "$T/b"
	assert_contains "$OUT" "\"rootfs\": \"$T/b/rootfs\""
	assert_not_contains "$OUT" '"net0"'
	NEXCAGE_LUA_PATH="$T/site" nx translate --bundle "$T/b"
	assert_ok
	assert_contains "$OUT" '"rootfs": "nvme-pool:8"'
	assert_contains "$OUT" '"net0": "name=eth0,bridge=vmbr10,ip=dhcp"'
}

test_group_or_world_writable_site_lua_is_refused() {
	sim_setup
	setup_bundle
	mkdir -p "$T/site"
	cp "$REPO/examples/overrides/storage_bridge.lua" "$T/site/site.lua"
	chmod 0664 "$T/site/site.lua"
	NEXCAGE_LUA_PATH="$T/site" nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "site.lua: refusing site file: writable by group or others (mode 0664)"
	chmod 0644 "$T/site/site.lua"
	chmod 0777 "$T/site"
	NEXCAGE_LUA_PATH="$T/site" nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "refusing site file"
}

test_a_rule_returning_garbage_is_named() {
	sim_setup
	setup_bundle
	write_file "$T/site/site.lua" "return function(rules)
  rules.add('broken', function(spec, ctx, plan)
    plan.options.hostname = 'x\nlxc.apparmor.profile: unconfined'
    plan.origin.hostname = 'broken'
    plan.options.memory = 'lots'
  end)
end"
	NEXCAGE_LUA_PATH="$T/site" nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "plan.options.hostname (set by rule 'broken'): contains a control character"
	assert_contains "$ERR" "plan.options.memory (set by rule 'broken'): type check ('integer') failed - got 'lots'"
}

test_injection_through_annotations_and_env_is_refused() {
	sim_setup
	setup_bundle
	for field in "annotations={['org.nexcage.net0']='name=eth0\nlxc.apparmor.profile: unconfined'}" \
		"hostname='h\nlxc.hook.pre-start: /bin/sh'"; do
		mkdir -p "$T/inj/rootfs"
		cp "$T/b/config.json" "$T/inj/config.json"
		edit_config "$T/inj" "local t = s; local k, v = ([[$field]]):match('^([%w.]+)=(.*)$')
local path = {}; for p in k:gmatch('[^.]+') do path[#path+1] = p end
for i = 1, #path - 1 do t = t[path[i]] end
t[path[#path]] = load('return ' .. v)()"
		nx create --bundle "$T/inj" inj
		assert_fails
		assert_contains "$ERR" "control character"
		assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
	done
	# the environment reaches only the init's process file: a newline in
	# a value (a PEM key) is the program's, never a config line
	edit_config "$T/b" "s.process.env = { 'A=1\nlxc.cap.keep: sys_admin' }"
	nx create --bundle "$T/b" inj2
	assert_ok
	assert_not_contains "$(cat "$SIM"/etc/pve/nodes/pve/lxc/*.conf)" "lxc.cap.keep"
	nx delete --force inj2
}

test_config_errors_name_the_key() {
	write_file "$T/config.lua" "return { storge = 'tank' }"
	mkdir -p "$T/b/rootfs"
	nx --config "$T/config.lua" translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "storge: unknown setting"
}

test_a_vmid_policy_by_tenant() {
	sim_setup
	trap sim_teardown EXIT
	setup_bundle
	edit_config "$T/b" "s.annotations = { ['com.example.tenant'] = 'b' }"
	mkdir -p "$T/site"
	cp "$REPO/examples/overrides/vmid_by_tenant.lua" "$T/site/vmid.lua"
	chmod 0644 "$T/site/vmid.lua"
	NEXCAGE_LUA_PATH="$T/site" nx create --bundle "$T/b" tenant
	assert_ok
	nx state tenant
	assert_eq "$(json_field "$OUT" vmid)" 20000
	nx delete --force tenant
	assert_ok
}

test_bundle_errors_are_all_reported_with_their_json_path() {
	mkdir -p "$T/bad"
	cat >"$T/bad/config.json" <<'JSON'
{"ociVersion": "0.9.0", "root": {"path": "missing"}, "process": {"cwd": "tmp", "args": [], "user": {"uid": 0}},
 "linux": {"namespaces": [{"type": "pid"}, {"type": "pid"}]}}
JSON
	nx create --bundle "$T/bad" bad
	assert_fails
	assert_contains "$ERR" "config.json: ociVersion: must be a SemVer version with major 1 (got \"0.9.0\")"
	assert_contains "$ERR" "config.json: root.path: must be an existing directory (got \"missing\")"
	assert_contains "$ERR" "config.json: process.cwd: must be an absolute path (got \"tmp\")"
	assert_contains "$ERR" "config.json: process.args: must be a non-empty array of strings"
	assert_contains "$ERR" "config.json: process.user.gid: required"
	assert_contains "$ERR" "config.json: linux.namespaces[1].type: duplicate namespace type pid"
	printf '{"ociVersion": "1.0.0", "a": "\377"}' >"$T/bad/config.json"
	nx create --bundle "$T/bad" bad
	assert_contains "$ERR" "config.json: invalid UTF-8"
	: >"$T/bad/config.json"
	nx create --bundle "$T/bad" bad
	assert_contains "$ERR" "config.json: empty file"
	head -c 5000000 /dev/zero | tr '\0' ' ' >"$T/bad/config.json"
	nx create --bundle "$T/bad" bad
	assert_contains "$ERR" "file too large"
}

test_raw_process_mode_uses_lxc_init_keys_and_still_runs() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "echo raw-mode $(id -u) > /out/raw; exec sleep 60"]'
	write_file "$T/config.lua" "$(sed 's/^}$/  process_mode = "raw",\n}/' "$T/config.lua")"
	nx translate --bundle "$T/b"
	assert_contains "$OUT" '["lxc.init.cmd", "sh -c '\''echo raw-mode $(id -u) > /out/raw; exec sleep 60'\''"]'
	nx create --bundle "$T/b" raw
	assert_ok
	vmid=$(json_field "$("$NEXCAGE" --root "$ROOT" state raw)" vmid)
	assert_contains "$(cat "$SIM/etc/pve/nodes/pve/lxc/$vmid.conf")" "lxc.init.cmd: /dev/.nexcage/init"
	nx start raw
	wait_for 10 test -s "$T/out/raw" || fail "no output in raw mode"
	assert_eq "$(cat "$T/out/raw")" "raw-mode 0"
	nx delete --force raw
	assert_ok
}

test_keys_proxmox_would_drop_are_refused() {
	sim_setup
	make_bundle "$T/b" '["sleep", "60"]'
	write_file "$T/site/site.lua" "return function(rules)
  rules.add('bad', function(spec, ctx, plan) plan.lxc[#plan.lxc + 1] = { 'lxc.proc.oom_score_adj', '5' } end)
end"
	NEXCAGE_LUA_PATH="$T/site" nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "Proxmox drops raw key lxc.proc.oom_score_adj"
}

test_a_bad_raw_key_names_its_rule() {
	sim_setup
	make_bundle "$T/b" '["sleep", "60"]'
	write_file "$T/site/site.lua" "return function(rules)
  rules.add('leaky', function(spec, ctx, plan) plan.lxc[#plan.lxc + 1] = { 'lxc.hook.start', '/bin/sh' } end)
end"
	NEXCAGE_LUA_PATH="$T/site" nx translate --bundle "$T/b"
	assert_fails
	assert_contains "$ERR" "lxc.hook.start (set by rule 'leaky'): raw key lxc.hook.start is reserved to the core"
}

test_a_1gb_hugepage_limit_passes_the_core() {
	sim_setup
	setup_bundle
	edit_config "$T/b" "s.linux.resources = { hugepageLimits = { { pageSize = '1GB', limit = 1073741824 } } }"
	nx translate --bundle "$T/b" --format pct
	assert_ok
	assert_contains "$OUT" "lxc.cgroup2.hugetlb.1GB.max: 1073741824"
}

test_the_dry_run_shows_what_the_init_applies() {
	sim_setup
	setup_bundle
	edit_config "$T/b" "s.process.oomScoreAdj = 300; s.process.user.umask = 23
s.process.user.additionalGids = { 5, 7 }; s.process.noNewPrivileges = true
s.process.rlimits = { { type = 'RLIMIT_NOFILE', soft = 1024, hard = 4096 } }
table.insert(s.linux.namespaces, { type = 'network' }); s.linux.sysctl = { ['net.ipv4.ip_forward'] = '1' }"
	nx translate --bundle "$T/b"
	assert_ok
	assert_contains "$OUT" '"umask": 23'
	assert_contains "$OUT" '"oom_score_adj": 300'
	assert_contains "$OUT" '"sysctl": {"net.ipv4.ip_forward": "1"}'
	nx translate --bundle "$T/b" --format pct
	assert_ok
	for line in "#   args: sleep 60" "#   user: 0:0" "#   additional groups: 5,7" "#   env: GREETING=hello" \
		"#   umask: 0027" "#   no_new_privileges: true" "#   oom_score_adj: 300" \
		"#   rlimit: RLIMIT_NOFILE 1024:4096" "#   sysctl: net.ipv4.ip_forward = 1"; do
		assert_contains "$OUT" "
$line"
	done
}
