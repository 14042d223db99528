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
nx() {
	OUT=$("$NEXCAGE" --root "$ROOT" "$@" 2>"$T/.stderr")
	RC=$?
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
