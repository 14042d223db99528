# Numbers and sizes (issue 21, rows 10-12), each beside runc where runc
# runs it: seccomp arguments past 2^53 match exactly (and values past
# 2^64-1 are refused); a program's env and args are bounded only by the
# kernel's execve; lists of rlimits, sysctls, hooks and site drop-ins have
# no silent cut-off.

# raw_seccomp DIR JSON: linux.seccomp written as text (edit_config would
# send the numbers through cjson's doubles)
raw_seccomp() {
	edit_config "$1" "s.linux.seccomp = 'SECCOMP_PROFILE'"
	printf '%s' "$2" >"$T/seccomp.json"
	lua5.4 -e "
local f = assert(io.open('$1/config.json')); local s = f:read('a'); f:close()
local g = assert(io.open('$T/seccomp.json')); local p = g:read('a'); g:close()
s = s:gsub('\"SECCOMP_PROFILE\"', function() return p end)
f = assert(io.open('$1/config.json', 'w')); f:write(s); f:close()"
}

# argprobe: getppid(2) with each argument as its first argument, printing
# value=errno (0: allowed)
build_argprobe() {
	cat >"$T/argprobe.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		errno = 0;
		long rc = syscall(SYS_getppid, strtoull(argv[i], NULL, 10));
		printf("%s%s=%d", i > 1 ? " " : "", argv[i], rc < 0 ? errno : 0);
	}
	printf("\n");
	return 0;
}
EOF
	gcc -static -O1 -o "$1/rootfs/bin/argprobe" "$T/argprobe.c" || fail "cannot build the probe"
}

PROBE_VALUES="9007199254740992 9007199254740993 9007199254740994 18446744073709551614 18446744073709551615"
PROBE_EXPECTED="9007199254740992=0 9007199254740993=42 9007199254740994=0 18446744073709551614=0 18446744073709551615=43"

test_seccomp_arguments_past_2_53_match_exactly_beside_runc() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" "[\"sh\", \"-c\", \"argprobe $PROBE_VALUES > /out/result; touch /out/done\"]"
	build_argprobe "$T/b"
	raw_seccomp "$T/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
		 "args": [{"index": 0, "value": 9007199254740993, "op": "SCMP_CMP_EQ"}]},
		{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 43,
		 "args": [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"}]}]}'
	nx create --bundle "$T/b" sx
	assert_ok
	nx start sx
	assert_ok
	wait_for 20 test -e "$T/out/done" || fail "the probe did not run: $(cat "$ROOT/sx/console.log" 2>/dev/null)"
	nexcage=$(cat "$T/out/result")
	nx delete --force sx
	assert_ok
	rm -f "$T/out/result" "$T/out/done"
	timeout 60 runc --root "$T/runc" run --bundle "$T/b" sx </dev/null >"$T/runc.out" 2>&1 ||
		fail "runc run failed: $(cat "$T/runc.out")"
	runc=$(cat "$T/out/result")
	echo "    nexcage: $nexcage"
	echo "    runc:    $runc"
	assert_eq "$runc" "$PROBE_EXPECTED"
	assert_eq "$nexcage" "$runc"
}

test_seccomp_arguments_past_2_64_minus_1_are_refused_and_leave_nothing() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["true"]'
	for v in 18446744073709551616 18446744073709551614 1.8446744073709552e19; do
		raw_seccomp "$T/b" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
			{"names": ["getppid"], "action": "SCMP_ACT_ERRNO",
			 "args": [{"index": 0, "value": '"$v"', "op": "SCMP_CMP_EQ"}]}]}'
		nx create --bundle "$T/b" sx
		assert_fails
		assert_contains "$ERR" "linux.seccomp.syscalls[0].args[0].value: "
		leaves_nothing
		make_bundle "$T/b" '["true"]'
	done
}

# 5000 variables, one of 100 KiB, and 4097 arguments: create and exec run
# them as runc does
test_env_and_args_past_4096_entries_and_64k_run_beside_runc() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sh", "-c", "echo $(env | wc -l) ${#BIG} $# > /out/result; touch /out/done; sleep 600"]'
	edit_config "$T/b" "for i = 1, 5000 do s.process.env[#s.process.env + 1] = 'V' .. i .. '=x' end
		s.process.env[#s.process.env + 1] = 'BIG=' .. string.rep('y', 102400)
		for i = 1, 4097 do s.process.args[#s.process.args + 1] = tostring(i) end"
	nx create --bundle "$T/b" big
	assert_ok
	nx start big
	assert_ok
	wait_for 20 test -e "$T/out/done" || fail "the program did not run: $(cat "$ROOT/big/console.log" 2>/dev/null)"
	nexcage=$(cat "$T/out/result")
	# exec: the process file's 5003 variables, 4097 arguments, 300 --env flags
	envs=$(seq 1 300 | sed 's/^/--env E/; s/$/=z/' | tr '\n' ' ')
	# shellcheck disable=SC2086
	"$NEXCAGE" --root "$ROOT" exec $envs --env "HUGE=$(head -c 102400 /dev/zero | tr '\0' z)" big \
		sh -c 'echo $(env | wc -l) ${#BIG} ${#HUGE} $#' $(seq 1 4097) </dev/null >"$T/exec.out" 2>"$T/e" ||
		fail "exec: $(cat "$T/e")"
	# the create's variables, the 300 and HUGE
	assert_eq "$(cat "$T/exec.out")" "$((${nexcage%% *} + 301)) 102400 102400 4096"
	nx delete --force big
	assert_ok
	edit_config "$T/b" "s.process.args[3] = 'echo \$(env | wc -l) \${#BIG} \$# > /out/result; touch /out/done'"
	rm -f "$T/out/result" "$T/out/done"
	timeout 60 runc --root "$T/runc" run --bundle "$T/b" big </dev/null >"$T/runc.out" 2>&1 ||
		fail "runc run failed: $(cat "$T/runc.out")"
	runc=$(cat "$T/out/result")
	echo "    nexcage: $nexcage"
	echo "    runc:    $runc"
	assert_eq "$nexcage" "$runc"
}

# past the kernel's own bounds: a clear error naming it, nothing left
test_env_past_the_kernels_bounds_is_refused_and_leaves_nothing() {
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["true"]'
	edit_config "$T/b" "s.process.env[#s.process.env + 1] = 'BIG=' .. string.rep('y', 200000)"
	nx create --bundle "$T/b" big
	assert_fails
	assert_contains "$ERR" "plan.process.env[2]: 200004 bytes; the kernel's execve takes at most 131071 in one string (MAX_ARG_STRLEN)"
	leaves_nothing
	make_bundle "$T/b" '["true"]'
	edit_config "$T/b" "for i = 1, 40 do s.process.env[#s.process.env + 1] = 'V' .. i .. '=' .. string.rep('y', 100000) end"
	nx create --bundle "$T/b" big
	assert_fails
	assert_contains "$ERR" "the kernel's execve takes at most"
	assert_contains "$ERR" "(ARG_MAX"
	leaves_nothing
}

# 300 site drop-ins and 300 hook files of one phase: every one runs (the
# 257th never ran before)
test_300_site_dropins_and_300_hook_files_all_run() {
	sim_setup
	trap sim_teardown EXIT
	export NEXCAGE_LUA_PATH="$T/site" NEXCAGE_HOOKS_PATH="$T/sitehooks"
	i=1
	while [ $i -le 300 ]; do
		n=$(printf '%03d' $i)
		write_file "$T/site/site.d/$n.lua" "return function(rules)
  rules.add('r$n', function(s, c, p) p.options.description = (p.options.description or '') .. 'x' end)
end"
		write_file "$T/sitehooks/pre-create.d/$n.lua" "local nx = require 'nexcage'
return function(h) assert(nx.write_file('$T/ran/$n', 'ran')) end"
		i=$((i + 1))
	done
	mkdir -p "$T/ran"
	chmod 0777 "$T/ran"
	make_bundle "$T/b" '["true"]'
	nx translate --bundle "$T/b"
	assert_ok
	xs=$(printf '%s' "$OUT" | lua5.4 -e "local c = require 'cjson'; local d = c.decode(io.read('a'))
		local o = d.options or d.plan and d.plan.options or {}; io.write(#(o.description or ''))")
	assert_eq "$xs" 300
	nx create --bundle "$T/b" many
	assert_ok
	assert_eq "$(ls "$T/ran" | wc -l)" 300
	nx delete --force many
	assert_ok
}
