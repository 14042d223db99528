# Helpers for end-to-end tests that drive the nexcage binary. A test file
# defines functions named test_*; run.sh runs each in its own subshell
# with a fresh $T (temporary directory) and $ROOT (state root).

: "${NEXCAGE:?NEXCAGE must point at the binary under test}"

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

# nx ARGS...: run nexcage with the test's state root; output in $OUT/$ERR,
# status in $RC.
# Output goes through files, never a pipe: as under runc, the program a
# create leaves behind holds create's stdout and stderr, so $(nexcage
# create) would wait for the container to exit.
nx() {
	"$NEXCAGE" --root "$ROOT" "$@" >"$T/.stdout" 2>"$T/.stderr"
	RC=$?
	OUT=$(cat "$T/.stdout")
	ERR=$(cat "$T/.stderr")
}

assert_rc() {
	[ "$RC" = "$1" ] || fail "expected exit $1, got $RC (stdout: $OUT) (stderr: $ERR)"
}

assert_ok() {
	assert_rc 0
}

assert_fails() {
	[ "$RC" != 0 ] || fail "expected failure, got exit 0 (stdout: $OUT)"
}

assert_contains() { # haystack needle
	case "$1" in
	*"$2"*) ;;
	*) fail "expected to find [$2] in [$1]" ;;
	esac
}

assert_not_contains() {
	case "$1" in
	*"$2"*) fail "did not expect [$2] in [$1]" ;;
	*) ;;
	esac
}

assert_eq() {
	[ "$1" = "$2" ] || fail "expected [$2], got [$1]"
}

# Write a root-owned, mode 0644 file (site Lua files must be trusted).
write_file() { # path content
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" >"$1"
	chmod 0644 "$1"
}

# --- the Proxmox simulator -------------------------------------------------
REPO=$(cd "$(dirname "$NEXCAGE")/.." && pwd)

# sim_setup: a fresh simulator root and a site config pointing nexcage at it.
sim_setup() {
	SIM="$T/pve"
	mkdir -p "$SIM"
	export PVE_SIM_ROOT="$SIM" PVE_SIM_NODE=pve
	export NEXCAGE_STATE_DIR="$T/lib"
	write_file "$T/config.lua" "return {
  pct = '$REPO/tests/sim/pct', pvesh = '$REPO/tests/sim/pvesh', node = 'pve',
  pve_etc = '$SIM/etc/pve', pve_lock_dir = '$SIM/run/lock/lxc',
  lxc_mount_ns = '$SIM/run/pve-sim/svc/mntns',
  storage = 'local', template_storage = 'local',
  template_dir = '$SIM/var/lib/vz/template/cache',
  pct_timeout = ${PCT_TIMEOUT:-60},
}"
	export NEXCAGE_CONFIG="$T/config.lua"
	# The systemd stand-in: pct start has it run lxc-start, so CTs never
	# descend from the caller (docs/simulator.md, "Service manager").
	"$REPO/tests/sim/svcmgr" start || fail "cannot start the simulator's service manager"
}

# sim_teardown: stop and destroy whatever the test left (never fails).
sim_teardown() {
	[ -n "${SIM:-}" ] || return 0
	for conf in "$SIM"/etc/pve/nodes/pve/lxc/*.conf; do
		[ -f "$conf" ] || continue
		v=$(basename "$conf" .conf)
		lxc-stop -P "$SIM/var/lib/lxc" -n "$v" -k >/dev/null 2>&1
		"$REPO/tests/sim/pct" destroy "$v" --force 1 --purge 1 >/dev/null 2>&1
	done
	PVE_SIM_ROOT="$SIM" "$REPO/tests/sim/svcmgr" stop
}

# make_bundle DIR ARGS_JSON: a busybox bundle whose process is ARGS_JSON
# (a JSON array), with $T/out bind-mounted at /out.
make_bundle() {
	dir=$1
	args=$2
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" "$dir/rootfs/tmp" \
		"$dir/rootfs/etc" "$dir/rootfs/out" "$T/out"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	for c in sh echo cat sleep env hostname id ls pwd true false touch; do
		ln -sf busybox "$dir/rootfs/bin/$c"
	done
	chmod 0777 "$T/out"
	cat >"$dir/config.json" <<JSON
{
  "ociVersion": "1.3.0",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": $args,
    "env": ["PATH=/bin", "GREETING=hello"],
    "cwd": "/"
  },
  "root": { "path": "rootfs" },
  "hostname": "e2e",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/out", "type": "bind", "source": "$T/out", "options": ["rbind", "rw"] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "uts" }, { "type": "ipc" } ]
  }
}
JSON
}

# leaves_nothing: no CT in the simulator, nothing in the state root but
# nexcage's own (empty) lock directory, no mapping, no template archive.
leaves_nothing() {
	assert_eq "$(ls "$SIM/etc/pve/nodes/pve/lxc/" 2>/dev/null)" ""
	assert_eq "$(ls -A "$ROOT" 2>/dev/null | grep -v '^\.nexcage:locks$' || true)" ""
	assert_eq "$(ls -A "$ROOT/.nexcage:locks" 2>/dev/null)" ""
	assert_eq "$(find "$T/lib/map" -type f 2>/dev/null)" ""
	assert_eq "$(ls -A "$SIM/var/lib/vz/template/cache" 2>/dev/null)" ""
}

pct_calls() { # count of pct invocations so far (pvesh calls are logged too)
	[ -f "$SIM/pct-calls.log" ] && grep -c '^\["pct"' "$SIM/pct-calls.log" || echo 0
}

json_field() { # json field
	printf '%s' "$1" | lua5.4 -e "local c = require 'cjson'; local v = c.decode(io.read('a'))['$2']
		io.write(tostring(math.type(v) == 'float' and math.tointeger(v) or v))"
}

wait_for() { # seconds command...: poll until the command succeeds
	n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# edit_config DIR LUA: run LUA with `s` bound to DIR/config.json's table,
# then write it back (JSON). E.g. edit_config "$T/b" "s.hostname = 'x'"
edit_config() {
	lua5.4 -e "
local c = require 'cjson'; local f = assert(io.open('$1/config.json')); local s = c.decode(f:read('a')); f:close()
$2
f = assert(io.open('$1/config.json', 'w')); f:write(c.encode(s)); f:close()"
}
