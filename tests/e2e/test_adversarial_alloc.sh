# Memory exhaustion, adversarially (issue 21 row 13): each heap allocation
# of a `nexcage translate` fails in turn (an LD_PRELOAD shim fails the Nth,
# only that one, as a transient shortage would), and every run must give
# either the same plan as without the shim or no plan at all with an error
# that says memory ran out (nexcage's one line, or a Lua or library memory
# error). Never a plan that differs (say, one without its seccomp filter),
# a crash, partial output, or an error about something else.

SHIM="$REPO/build/tools/failalloc.so"

# Every file of the core, the bridge and the host is converted: a bad run
# anywhere fails. (ALLOC_PENDING stays for a conversion in progress: a bad
# run whose failed allocation is in a file listed there counts as pending.)
ALLOC_PENDING=""

# A sanitized binary cannot take an allocator shim (ASan owns malloc): the
# optimised build of the same tree stands in for it.
plain_nexcage() {
	if ldd "$NEXCAGE" 2>/dev/null | grep -q libasan; then
		echo "$REPO/build/nexcage"
	else
		echo "$NEXCAGE"
	fi
}

# The first frame in src/ of the failed allocation: file:line.
failed_at() { # trace-file
	while read -r obj off; do
		loc=$(addr2line -e "$obj" "$off" 2>/dev/null)
		case $loc in */src/*) echo "${loc##*/src/}" | sed 's/ .*//' && return ;; esac
	done <"$1"
	echo "?"
}

# An outcome that is not a silent wrong result: the same plan, or no plan
# and an exit (not a signal) with an error naming memory.
acceptable() { # rc stdout-file stderr-file reference
	if [ "$1" = 0 ]; then
		cmp -s "$2" "$4"
		return
	fi
	[ "$1" -lt 128 ] || [ "$1" = 255 ] || return 1
	[ ! -s "$2" ] || return 1
	grep -qiE 'out of memory|not enough memory|cannot allocate memory' "$3"
}

# walk_allocations WHAT ARGS...: nexcage ARGS once as the reference, then
# once per allocation it makes with that one failing; fails on any run that
# is not acceptable and not in a pending file.
walk_allocations() {
	what=$1
	shift
	"$bin" --root "$ROOT" "$@" >"$T/ref" 2>"$T/ref.err" || fail "$what: $(cat "$T/ref.err")"
	# set for every run: the shim allocates to write it
	export NX_FAIL_ALLOC_TRACE="$T/trace"
	NX_FAIL_ALLOC_COUNT="$T/count" LD_PRELOAD="$SHIM" "$bin" --root "$ROOT" "$@" >"$T/o.txt" 2>&1
	cmp -s "$T/o.txt" "$T/ref" || fail "$what: the shim changed a run that it did not fail"
	total=$(cat "$T/count")
	[ "$total" -gt 2 ] || fail "$what: only $total allocations counted: the shim is not in effect"
	n=0 bad=0 pending=0 died=0 errors=0
	: >"$T/bad" && : >"$T/pending"
	while [ "$n" -lt "$total" ]; do
		n=$((n + 1))
		rm -f "$T/trace"
		NX_FAIL_ALLOC_AT=$n LD_PRELOAD="$SHIM" "$bin" --root "$ROOT" "$@" >"$T/o.txt" 2>"$T/err"
		rc=$?
		if acceptable "$rc" "$T/o.txt" "$T/err" "$T/ref"; then
			[ "$rc" = 0 ] && continue
			grep -q '^nexcage: out of memory (allocating' "$T/err" && died=$((died + 1)) || errors=$((errors + 1))
			continue
		fi
		at=$(failed_at "$T/trace")
		line="$what: allocation $n failed at $at: exit $rc, $(wc -c <"$T/o.txt") bytes out, $(head -c 160 "$T/err" | tr '\n' ' ')"
		[ "$rc" = 0 ] && line="$line; the output differs: $(diff "$T/ref" "$T/o.txt" | grep '^[<>]' | head -2 | tr '\n' ' ')"
		case " $(echo $ALLOC_PENDING) " in
		*" ${at%%:*} "*) pending=$((pending + 1)) && echo "$line" >>"$T/pending" ;;
		*) bad=$((bad + 1)) && echo "$line" >>"$T/bad" ;;
		esac
	done
	echo "$what: $total allocations failed in turn: $died ended with nexcage's line, $errors with another memory error, $pending bad in files pending conversion ($(sed 's/.* failed at \([^:]*\):.*/\1/' "$T/pending" | sort | uniq -c | tr '\n' ' '))"
	[ "$bad" = 0 ] || fail "$what: $bad runs gave a wrong or silent result:
$(head -n 20 "$T/bad")"
}

walk_setup() {
	command -v addr2line >/dev/null || fail "addr2line (binutils) is needed"
	bin=$(plain_nexcage)
	[ -x "$bin" ] || fail "$bin: build it (make B=build build/nexcage)"
	[ -f "$SHIM" ] || fail "$SHIM: build it (make test-tools)"
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
}

test_every_allocation_failing_in_turn_gives_the_plan_or_a_memory_error() {
	walk_setup
	edit_config "$T/b" "s.linux.seccomp = { defaultAction = 'SCMP_ACT_ALLOW', architectures = { 'SCMP_ARCH_X86_64' },
  syscalls = { { names = { 'mkdir', 'chroot' }, action = 'SCMP_ACT_ERRNO', errnoRet = 1 } } }"
	walk_allocations translate translate --bundle "$T/b"
	grep -q '"mkdir errno 1"' "$T/ref" || fail "the reference plan has no seccomp filter"
}

# What list, state, ps and features report, with allocations failing: the
# same, or an error (before: an empty list when opendir's failed).
test_reports_with_allocations_failing_are_the_same_or_fail() {
	walk_setup
	nx create --bundle "$T/b" c1
	assert_ok
	walk_allocations list list
	assert_contains "$(cat "$T/ref")" c1
	walk_allocations state state c1
	walk_allocations ps ps c1
	walk_allocations features features
	nx delete --force c1
	assert_ok
}

# The policy's premise (src/util/xalloc.h): a create that exhaustion ends midway
# is what kill -9 leaves, and gc alone collects it, the CT included. Its
# last allocations (after pct create: the CT exists) fail in turn, every
# 20th; 20 is less than that window, so some run leaves a CT for gc.
test_a_create_ended_by_exhaustion_is_collected_by_gc() {
	bin=$(plain_nexcage)
	[ -x "$bin" ] || fail "$bin: build it (make B=build build/nexcage)"
	[ -f "$SHIM" ] || fail "$SHIM: build it (make test-tools)"
	sim_setup
	trap sim_teardown EXIT
	make_bundle "$T/b" '["sleep", "60"]'
	export NX_FAIL_ALLOC_TRACE="$T/trace"
	NX_FAIL_ALLOC_COUNT="$T/count" LD_PRELOAD="$SHIM" "$bin" --root "$ROOT" create --bundle "$T/b" c0 \
		>"$T/o.txt" 2>&1 || fail "create under the shim: $(cat "$T/o.txt")"
	nx delete --force c0
	assert_ok
	total=$(cat "$T/count")
	n=$((total - total / 10)) with_ct=0
	while [ "$n" -le "$total" ]; do
		NX_FAIL_ALLOC_AT=$n LD_PRELOAD="$SHIM" "$bin" --root "$ROOT" create --bundle "$T/b" "c$n" \
			>"$T/o.txt" 2>&1
		rc=$?
		if [ "$rc" = 0 ]; then
			nx delete --force "c$n"
			assert_ok
		else
			[ -n "$(ls "$SIM/etc/pve/nodes/pve/lxc/")" ] && grep -q '^nexcage: out of memory' "$T/o.txt" &&
				with_ct=$((with_ct + 1))
			nx gc
			assert_ok
		fi
		leaves_nothing
		n=$((n + 20))
	done
	[ "$with_ct" -gt 0 ] || fail "no create died of exhaustion while its CT existed: lower the step"
}
