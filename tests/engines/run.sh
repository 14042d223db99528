#!/bin/bash
# The engines suite: engines as Debian 12 installs them — Podman 4.3
# (through conmon, stock containers.conf), Docker 20.10 (dockerd on
# containerd, through containerd-shim-runc-v2), buildah 1.28 and containerd
# 1.6's ctr — drive an OCI runtime over the same scenarios, once with runc
# and once with nexcage, side by side. Scenarios are in scenarios.sh (with
# NEXCAGE_PENDING, the nexcage scenarios that do not pass yet). Closes with
# "engines: N passed, N failed, N pending".
#
#   NEXCAGE=build/nexcage tests/engines/run.sh [scenario-substring]
#   RUNTIMES="runc" ...      only one side (default: "runc nexcage")
#   ENGINES_TRACE=1 ...      timestamped engine calls, shown for passing scenarios too
#   ENGINES_NXLOG=1 ...      nexcage --debug --log into the scenario's directory
#   NEXCAGE_LUA_PATH=DIR ... site Lua for nexcage (diagnostics: e.g. a site.lua that drops a rule)
#   ENGINES_KEEP=1 ...       keep each scenario's directory and log (/tmp/nexcage-eng-*)
#   STEP_TIMEOUT, PENDING_STEP_TIMEOUT   seconds per engine command (40; 15 when pending)
#
# Nothing is downloaded: the image is Debian's busybox-static, imported into
# a Podman storage of the suite's own (shared with buildah), saved and
# loaded into containerd and Docker; containerd and dockerd run as daemons
# of the suite's own (state and sockets in the suite's directory).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${NEXCAGE:?set NEXCAGE to the nexcage binary}"
NEXCAGE=$(cd "$(dirname "$NEXCAGE")" && pwd)/$(basename "$NEXCAGE")
export NEXCAGE
RUNTIMES=${RUNTIMES:-runc nexcage}
RUNC=${RUNC:-$(command -v runc)}
filter=${1:-}
STEP_TIMEOUT=${STEP_TIMEOUT:-40}                 # seconds for one engine command
PENDING_STEP_TIMEOUT=${PENDING_STEP_TIMEOUT:-15} # the same in a pending scenario
export ENGINES_NXLOG=${ENGINES_NXLOG:-}

if [ "$(id -u)" != 0 ]; then
	echo "engines: the suite needs root (real containers)"
	echo "engines: 0 passed, 1 failed, 0 pending"
	exit 1
fi
for tool in podman buildah containerd ctr /usr/sbin/dockerd /usr/bin/docker busybox "$RUNC"; do
	if ! command -v "$tool" >/dev/null; then
		echo "engines: $tool is missing (tests/deps.sh installs Debian's packages)"
		echo "engines: 0 passed, 1 failed, 0 pending"
		exit 1
	fi
done

S=$(mktemp -d /tmp/nexcage-engines-XXXXXX)
chmod 0755 "$S"
export S
. "$here/lib.sh"
. "$here/scenarios.sh"

started=$(date +%s)
trap 'suite_teardown; rm -rf "$S"' EXIT
trap 'exit 130' INT TERM

if ! suite_setup >"$S/setup.log" 2>&1; then
	cat "$S/setup.log"
	echo "engines: 0 passed, 1 failed, 0 pending"
	exit 1
fi

pass=0
failed=0
pending=0
in_list() { # word list
	case " $(echo $2) " in *" $1 "*) return 0 ;; esac
	return 1
}
is_pending() { [ "$1" = nexcage ] && in_list "$2" "$NEXCAGE_PENDING"; }

# run_body SCENARIO RT: the scenario itself, in its own directory $T (named
# in $S/T.SCENARIO.RT); status in $T.rc, output in $T.log.
run_body() {
	local s=$1 rt=$2 T
	T=$(mktemp -d /tmp/nexcage-eng-XXXXXX)
	chmod 0755 "$T"
	echo "$T" >"$S/T.$s.$rt"
	date +%s%N >"$T.t0"
	(
		export T RT=$rt SCENARIO=$s
		# A pending scenario may hang where a runtime does not deliver yet.
		is_pending "$rt" "$s" && STEP_TIMEOUT=$PENDING_STEP_TIMEOUT
		cd "$T" || exit 1
		scenario_setup || exit 1
		("scenario_$s")
	) >"$T.log" 2>&1
	echo $? >"$T.rc"
	echo $((($(date +%s%N) - $(cat "$T.t0")) / 1000000)) >"$T.ms"
}

# finish SCENARIO RT: nothing left behind (or, after a failure, remove what
# is), then the verdict line.
finish() {
	local s=$1 rt=$2 T rc ms name
	T=$(cat "$S/T.$s.$rt")
	rc=$(cat "$T.rc")
	local f0
	f0=$(date +%s%N)
	(
		export T RT=$rt SCENARIO=$s
		is_pending "$rt" "$s" && STEP_TIMEOUT=$PENDING_STEP_TIMEOUT
		scenario_env
		if [ "$rc" = 0 ]; then
			(assert_nothing_left)
			rc=$?
		fi
		[ "$rc" = 0 ] || scenario_teardown
		[ "$RT" = nexcage ] && sim_teardown
		exit "$rc"
	) >>"$T.log" 2>&1
	rc=$?
	ms=$(($(cat "$T.ms") + ($(date +%s%N) - f0) / 1000000)) # (the scenario and its checks)
	name="$rt/$s"
	if is_pending "$rt" "$s"; then
		pending=$((pending + 1))
		if [ "$rc" = 0 ]; then
			echo "   PASS-PENDING $name (${ms} ms): passes now, remove $s from NEXCAGE_PENDING"
		else
			# the first failure, and the first error line under it if the
			# failure's first line does not show it (warnings come first)
			local msg err
			msg=$(sed -n '/FAIL:/,$p' "$T.log" | head -4 | sed 's/^ *FAIL: //' | sed '1!s/^/\\n/' | tr -d '\n' | sed -E 's/[0-9a-f]{64}/<id>/g' |
				tr -s ' \t' ' ' | cut -c1-260)
			err=$(sed -n '/FAIL:/,$p' "$T.log" | grep -m1 -E 'nexcage(-init)?: error|error:|Error:|level=error' |
				sed 's/^ *//; s/^FAIL: //' | tr -s ' \t' ' ' | cut -c1-260)
			case $msg in *"$err"*) err= ;; esac
			echo "   pending $name (${ms} ms): $msg${err:+ ... $err}"
		fi
	elif [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		echo "   ok   $name (${ms} ms)"
		[ -n "${ENGINES_TRACE:-}" ] && sed 's/^/        /' "$T.log"
	else
		failed=$((failed + 1))
		echo "   FAIL $name (${ms} ms)"
		sed 's/^/        /' "$T.log"
		[ -f "$T/runtime-calls.log" ] && { echo "        runtime calls:"; tail -20 "$T/runtime-calls.log" | sed 's/^/          /'; }
	fi
	if [ -n "${ENGINES_KEEP:-}" ]; then
		echo "        (kept: $T $T.log)"
	else
		rm -rf "$T" "$T.log"
	fi
	rm -f "$T.rc" "$T.t0" "$T.ms" "$S/T.$s.$rt"
}

selected() { case $1 in *"$filter"*) return 0 ;; esac; return 1; }

# The parallel scenarios first, every side of every one at once, then their
# checks (a side's nothing-left check must not see the other sides'
# containers: each checks its own, by name).
pids=
for s in $PARALLEL_SCENARIOS; do
	selected "$s" || continue
	for rt in $RUNTIMES; do
		run_body "$s" "$rt" &
		pids="$pids $!"
	done
done
[ -z "$pids" ] || wait $pids # (never a bare wait: the daemons are children too)
for s in $PARALLEL_SCENARIOS; do
	selected "$s" || continue
	for rt in $RUNTIMES; do finish "$s" "$rt"; done
done

for s in $SCENARIOS; do
	selected "$s" || continue
	in_list "$s" "$PARALLEL_SCENARIOS" && continue
	for rt in $RUNTIMES; do
		run_body "$s" "$rt"
		finish "$s" "$rt"
	done
done
echo "($(($(date +%s) - started)) s)"
echo "engines: $pass passed, $failed failed, $pending pending"
[ "$failed" = 0 ]
