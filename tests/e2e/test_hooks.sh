# OCI hooks from config.json and the site's Lua lifecycle hooks, on the
# simulator with real LXC.

# A hook that records: its kind, the status it read on stdin, the hostname
# and mount namespace it ran in. Inside the container /out is $T/out.
rec_script='s=$(cat); st=$(echo "$s" | grep -o "\"status\": \"[a-z]*\"" | cut -d\" -f4); d=/out; [ -d /out ] || d=OUTDIR; echo "$0 $st $(hostname) $(readlink /proc/self/ns/mnt) $HOOKVAR" >> $d/hooks.log'

add_hooks() { # bundle-dir extra-createRuntime-json
	rec=$(printf '%s' "$rec_script" | sed "s|OUTDIR|$T/out|")
	lua5.4 - "$1/config.json" "$rec" "${2:-}" <<'LUA'
local cjson = require "cjson"
local path, rec, extra = arg[1], arg[2], arg[3]
local f = assert(io.open(path)); local spec = cjson.decode(f:read("a")); f:close()
local env = { "PATH=/bin:/usr/bin", "HOOKVAR=exact" }
local function host(kind) return { path = "/bin/busybox", args = { "busybox", "sh", "-c", rec, kind }, env = env } end
spec.hooks = {
  prestart = { host("prestart") },
  createRuntime = { host("createRuntime") },
  createContainer = { host("createContainer") },
  startContainer = { { path = "/bin/sh", args = { "sh", "-c", rec, "startContainer" }, env = env } },
  poststart = { host("poststart") },
  poststop = { host("poststop") },
}
if extra ~= "" then table.insert(spec.hooks.createRuntime, cjson.decode(extra)) end
f = assert(io.open(path, "w")); f:write(cjson.encode(spec)); f:close()
LUA
}

test_every_oci_hook_runs_in_order_with_its_status_and_place() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	add_hooks "$T/b"
	host_ns=$(readlink /proc/self/ns/mnt)
	nx create --bundle "$T/b" hk
	assert_ok
	nx start hk
	assert_ok
	nx kill hk KILL
	wait_for 10 sh -c "'$NEXCAGE' --root '$ROOT' state hk | grep -q '\"stopped\"'"
	nx delete hk
	assert_ok
	kinds=$(cut -d' ' -f1 "$T/out/hooks.log" | tr '\n' ' ')
	assert_eq "$kinds" "prestart createRuntime createContainer startContainer poststart poststop "
	assert_eq "$(grep '^createRuntime' "$T/out/hooks.log" | cut -d' ' -f2)" creating
	assert_eq "$(grep '^startContainer' "$T/out/hooks.log" | cut -d' ' -f2)" created
	assert_eq "$(grep '^poststart' "$T/out/hooks.log" | cut -d' ' -f2)" running
	assert_eq "$(grep '^poststop' "$T/out/hooks.log" | cut -d' ' -f2)" stopped
	for inside in createContainer startContainer; do
		line=$(grep "^$inside" "$T/out/hooks.log")
		assert_eq "$(echo "$line" | cut -d' ' -f3)" e2e
		[ "$(echo "$line" | cut -d' ' -f4)" != "$host_ns" ] || fail "$inside ran in the host mount namespace"
	done
	[ "$(grep '^createRuntime' "$T/out/hooks.log" | cut -d' ' -f4)" = "$host_ns" ] || fail "createRuntime not on the host"
	assert_eq "$(grep -c ' exact$' "$T/out/hooks.log")" 6
}

# runc passes a hook's args and env whole; nexcage cut both at 1024
# entries without a word.
test_a_hook_gets_every_arg_and_env_entry() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["true"]'
	extra=$(lua5.4 -e '
local a, e = {}, { "PATH=/bin" }
for i = 1, 1500 do a[#a + 1] = "a" .. i; e[#e + 1] = "V" .. i .. "=1" end
local script = "echo $# $(env | grep -c ^V) $1 $1500 > '"$T"'/out/argc"
local args = { "busybox", "sh", "-c", script, "x" }
for _, v in ipairs(a) do args[#args + 1] = v end
print(require("cjson").encode({ path = "/bin/busybox", args = args, env = e }))')
	add_hooks "$T/b" "$extra"
	nx create --bundle "$T/b" hargs
	assert_ok
	assert_eq "$(cat "$T/out/argc")" "1500 1500 a1 a1500"
	nx delete --force hargs
	assert_ok
}

test_a_hook_past_its_timeout_is_killed_and_create_rolls_back() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	add_hooks "$T/b" '{"path": "/bin/busybox", "args": ["busybox", "sleep", "30"], "timeout": 1}'
	start=$(date +%s)
	nx create --bundle "$T/b" slow
	assert_fails
	assert_contains "$ERR" "createRuntime hook #1 (/bin/busybox): hook ran past specified timeout of 1.0s"
	[ $(($(date +%s) - start)) -lt 20 ] || fail "the hook was not killed"
	nx state slow
	assert_contains "$ERR" "container does not exist"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
}

test_a_failing_create_runtime_hook_leaves_no_ct_and_no_state() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	add_hooks "$T/b" '{"path": "/bin/busybox", "args": ["busybox", "sh", "-c", "echo no >&2; exit 3"]}'
	nx create --bundle "$T/b" bad
	assert_fails
	assert_contains "$ERR" "createRuntime hook #1 (/bin/busybox) failed with exit status 3"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
	assert_eq "$(ls -A "$ROOT" | grep -v '^\.nexcage:locks$' || true)" ""
	assert_eq "$(ls -A "$T/lib/map" 2>/dev/null || true)" ""
}

site_hook() { # phase name lua-body
	write_file "$T/sitehooks/$1.d/$2.lua" "$3"
}

test_lua_phases_run_in_order() {
	sim_setup
	trap sim_teardown EXIT
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	for phase in pre-translate pre-create post-create pre-start post-start pre-delete post-delete; do
		site_hook "$phase" 10-record "local nx = require 'nexcage'
return function(h)
  local old = nx.read_file('$T/phases') or ''
  assert(nx.write_file('$T/phases', old .. h.phase .. ' ' .. tostring(h.vmid) .. '\n'))
end"
	done
	site_hook pre-create 20-tag "return function(h) h.add_tag('from-hook') end"
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" lp
	assert_ok
	vmid=$(json_field "$("$NEXCAGE" --root "$ROOT" state lp)" vmid)
	assert_contains "$(cat "$SIM/etc/pve/nodes/pve/lxc/$vmid.conf")" "from-hook"
	nx start lp
	nx delete --force lp
	assert_ok
	assert_eq "$(cut -d' ' -f1 "$T/phases" | tr '\n' ' ')" \
		"pre-translate pre-create post-create pre-start post-start pre-delete post-delete "
}

test_a_lua_abort_in_pre_create_fails_with_file_and_line() {
	sim_setup
	trap sim_teardown EXIT
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	site_hook pre-create 50-policy "return function(h)
  error('no bundles on fridays')
end"
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" ab
	assert_fails
	assert_contains "$ERR" "50-policy.lua:2: no bundles on fridays"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
}

test_a_lua_abort_in_post_create_rolls_back() {
	sim_setup
	trap sim_teardown EXIT
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	site_hook post-create 10-no "return function(h) error('refused after the fact', 0) end"
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" pc
	assert_fails
	assert_contains "$ERR" "refused after the fact"
	nx state pc
	assert_contains "$ERR" "container does not exist"
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
}

test_a_runaway_lua_hook_is_stopped() {
	sim_setup
	trap sim_teardown EXIT
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	write_file "$T/config.lua" "$(sed 's/^}$/  lua_time_limit = 0.5,\n}/' "$T/config.lua")"
	site_hook pre-create 10-spin "return function(h) while true do end end"
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" spin
	assert_fails
	assert_contains "$ERR" "time limit"
}

test_a_group_writable_hook_is_refused() {
	sim_setup
	export NEXCAGE_HOOKS_PATH="$T/sitehooks"
	site_hook pre-create 10-x "return function(h) end"
	chmod 0664 "$T/sitehooks/pre-create.d/10-x.lua"
	make_bundle "$T/b" '["sleep", "60"]'
	nx create --bundle "$T/b" gw
	assert_fails
	assert_contains "$ERR" "10-x.lua: refusing site file: writable by group or others (mode 0664)"
}
