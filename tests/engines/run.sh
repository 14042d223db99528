#!/bin/bash
# The engines suite: Podman (through conmon) and containerd (through `ctr`
# and containerd-shim-runc-v2) drive an OCI runtime over the same scenarios,
# once with runc and once with nexcage, side by side. Scenarios are in
# scenarios.sh (with NEXCAGE_PENDING, the nexcage scenarios that do not pass
# yet). Closes with "engines: N passed, N failed, N pending".
#
#   NEXCAGE=build/nexcage tests/engines/run.sh [scenario-substring]
#   RUNTIMES="runc" ...      only one side (default: "runc nexcage")
#   ENGINES_TRACE=1 ...      timestamped podman calls, shown for passing scenarios too
#   STEP_TIMEOUT, PENDING_STEP_TIMEOUT   seconds per engine command (40; 12 when pending)
#
# Nothing is downloaded: the image is Debian's busybox-static, imported into
# a Podman storage of the suite's own; containerd runs as a daemon of the
# suite's own (root, state and socket in the suite's directory).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${NEXCAGE:?set NEXCAGE to the nexcage binary}"
NEXCAGE=$(cd "$(dirname "$NEXCAGE")" && pwd)/$(basename "$NEXCAGE")
export NEXCAGE
RUNTIMES=${RUNTIMES:-runc nexcage}
RUNC=${RUNC:-$(command -v runc)}
filter=${1:-}
STEP_TIMEOUT=${STEP_TIMEOUT:-40}                 # seconds for one engine command
PENDING_STEP_TIMEOUT=${PENDING_STEP_TIMEOUT:-12} # the same in a pending scenario

if [ "$(id -u)" != 0 ]; then
	echo "engines: the suite needs root (real containers)"
	echo "engines: 0 passed, 1 failed, 0 pending"
	exit 1
fi

S=$(mktemp -d /tmp/nexcage-engines-XXXXXX)
chmod 0755 "$S"
export S
. "$here/lib.sh"
. "$here/scenarios.sh"

started=$(date +%s)
suite_cleanup() {
	containerd_stop
	podman_suite_cleanup
	rm -rf "$S"
}
trap suite_cleanup EXIT
trap 'exit 130' INT TERM

if ! suite_setup >"$S/setup.log" 2>&1; then
	cat "$S/setup.log"
	echo "engines: 0 passed, 1 failed, 0 pending"
	exit 1
fi

pass=0
failed=0
pending=0
is_pending() { # scenario
	case " $(echo $NEXCAGE_PENDING) " in *" $1 "*) return 0 ;; esac
	return 1
}

for s in $SCENARIOS; do
	case $s in *"$filter"*) ;; *) continue ;; esac
	for rt in $RUNTIMES; do
		T=$(mktemp -d /tmp/nexcage-eng-XXXXXX)
		chmod 0755 "$T"
		t0=$(date +%s%N)
		(
			export T RT=$rt ENGINE=${s%%_*}
			# A pending scenario may hang where a runtime does not deliver yet.
			[ "$rt" = nexcage ] && is_pending "$s" && STEP_TIMEOUT=$PENDING_STEP_TIMEOUT
			cd "$T" || exit 1
			scenario_setup || exit 1
			("scenario_$s")
			rc=$?
			if [ "$rc" = 0 ]; then
				(assert_nothing_left)
				rc=$?
			fi
			[ "$rc" = 0 ] || scenario_teardown
			[ "$RT" = nexcage ] && sim_teardown
			exit "$rc"
		) >"$T.log" 2>&1
		rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		name="$rt/$s"
		if [ "$rt" = nexcage ] && is_pending "$s"; then
			pending=$((pending + 1))
			if [ "$rc" = 0 ]; then
				echo "   PASS-PENDING $name (${ms} ms): passes now, remove $s from NEXCAGE_PENDING"
			else
				echo "   pending $name (${ms} ms): $(grep -m1 'FAIL:' "$T.log" | sed 's/^ *FAIL: //' | cut -c1-200)"
			fi
		elif [ "$rc" = 0 ]; then
			pass=$((pass + 1))
			echo "   ok   $name (${ms} ms)"
			[ -n "${ENGINES_TRACE:-}" ] && sed 's/^/        /' "$T.log"
		else
			failed=$((failed + 1))
			echo "   FAIL $name (${ms} ms)"
			sed 's/^/        /' "$T.log"
		fi
		rm -rf "$T" "$T.log"
	done
done
echo "($(($(date +%s) - started)) s)"
echo "engines: $pass passed, $failed failed, $pending pending"
[ "$failed" = 0 ]
