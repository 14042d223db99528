#!/bin/bash
# The CRI suite: Kubernetes pods through containerd 1.6's CRI plugin
# (Debian's containerd), driven by a CRI client of our own (cri.py, over
# the runtime.v1 messages of cri.proto), each scenario once with the
# runtime handler `runc` and once with `nexcage` (over the simulator), with
# the same assertions. Scenarios are in scenarios.py (with NEXCAGE_PENDING,
# the nexcage scenarios that do not pass yet). Closes with
# "cri: N passed, N failed, N pending".
#
#   NEXCAGE=build/nexcage tests/cri/run.sh [regex]   the scenarios whose name matches
#   RUNTIMES="runc" ...      only one side (default: "runc nexcage")
#   CRI_NXLOG=1 ...          nexcage --debug, its log copied to the scenario's nexcage.log
#   CRI_DEBUG_LEVEL=debug    containerd's log level (its log: $S/containerd/log)
#   NEXCAGE_LUA_PATH=DIR ... site Lua for nexcage
#   CRI_KEEP=1 ...           keep each scenario's directory and log (/tmp/nexcage-cri-t-*)
#                            and the suite's ($S, containerd's log) after it
#   CRI_STEP_TIMEOUT         seconds per CRI call (60; 15 in a pending scenario)
#   CRI_SCENARIO_TIMEOUT     seconds per scenario side (240)
#
# Nothing is downloaded: the pause image is tests/cri/pause.c built static,
# the busybox image Debian's busybox-static; both imported with
# `ctr -n k8s.io images import`. containerd runs as a daemon of the suite's
# own (lib.sh says what it is given).
#
# Order: the parallel scenario (a pod left alone 2 minutes) starts first,
# its runc and nexcage sides at once; the runc sides of the other scenarios
# run meanwhile, one after the other; then, once the parallel one is done
# (the nexcage wrapper serves one simulator at a time), their nexcage sides.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${NEXCAGE:?set NEXCAGE to the nexcage binary}"
NEXCAGE=$(cd "$(dirname "$NEXCAGE")" && pwd)/$(basename "$NEXCAGE")
export NEXCAGE
RUNTIMES=${RUNTIMES:-runc nexcage}
RUNC=${RUNC:-$(command -v runc)}
filter=${1:-}
export CRI_NXLOG=${CRI_NXLOG:-}

bail() {
	echo "cri: $*"
	echo "cri: 0 passed, 1 failed, 0 pending"
	exit 1
}
[ "$(id -u)" = 0 ] || bail "the suite needs root (real containers)"
for tool in containerd ctr containerd-shim-runc-v2 /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/loopback \
	gcc busybox lxc-ls ip "$RUNC"; do
	command -v "$tool" >/dev/null || bail "$tool is missing (tests/deps.sh installs Debian's packages)"
done
/usr/bin/python3 -c 'import grpc, grpc_tools.protoc' 2>/dev/null ||
	bail "python3-grpcio and python3-grpc-tools are missing (tests/deps.sh installs Debian's packages)"

S=$(mktemp -d /tmp/nexcage-cri-XXXXXX)
chmod 0755 "$S"
export S
. "$here/lib.sh"
export CTRD

started=$(date +%s)
cleanup() {
	containerd_stop
	if [ -n "${CRI_KEEP:-}" ]; then echo "(kept: $S)"; else rm -rf "$S"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

suite_setup() {
	"$PY" "$here/cri.py" gen "$CRI_PY_DIR" || return 1
	images_build || return 1
	nxwrap_write
	containerd_start || return 1
	images_import || return 1
	"$PY" "$here/cri.py" --sock "$CRI_SOCK" call Version '{}' || return 1
	# both images as CRI's image service sees them (it learns of an import
	# from containerd's events)
	local img n
	for img in "$PAUSE_IMG" "$BUSYBOX_IMG"; do
		for n in $(seq 50); do
			"$PY" "$here/cri.py" --sock "$CRI_SOCK" call ImageStatus "{\"image\": {\"image\": \"$img\"}}" |
				grep -q '"repo_tags"' && continue 2
			sleep 0.1
		done
		echo "CRI does not see the image $img"
		return 1
	done
}
if ! suite_setup >"$S/setup.log" 2>&1; then
	cat "$S/setup.log"
	bail "setup failed"
fi

pass=0
failed=0
pending=0
in_list() { # word list
	case " $(echo $2) " in *" $1 "*) return 0 ;; esac
	return 1
}
NEXCAGE_PENDING=$("$PY" "$here/scenarios.py" pending)
SCENARIOS=$("$PY" "$here/scenarios.py" list)
PARALLEL_SCENARIOS=$("$PY" "$here/scenarios.py" parallel)
is_pending() { [ "$1" = nexcage ] && in_list "$2" "$NEXCAGE_PENDING"; }
selected() { [ -z "$filter" ] || [[ $1 =~ $filter ]]; }
has_rt() { in_list "$1" "$RUNTIMES"; }

# run_body SCENARIO RT: the scenario in its own directory $T (named in
# $S/T.SCENARIO.RT); status in $T.rc, output in $T.log.
run_body() {
	local s=$1 rt=$2 T
	T=$(mktemp -d /tmp/nexcage-cri-t-XXXXXX)
	chmod 0755 "$T"
	echo "$T" >"$S/T.$s.$rt"
	date +%s%N >"$T.t0"
	wc -l <"$CTRD/log" >"$T.logline"
	(
		export T RT=$rt SCENARIO=$s
		cd "$T" || exit 1
		scenario_setup || exit 1
		timeout -k 5 "${CRI_SCENARIO_TIMEOUT:-240}" "$PY" "$here/scenarios.py" run "$s" "$rt" ||
			{ rc=$?; [ "$rc" = 124 ] && echo "FAIL: the scenario ran past ${CRI_SCENARIO_TIMEOUT:-240} s" >&2; exit "$rc"; }
	) >"$T.log" 2>&1
	echo $? >"$T.rc"
	echo $((($(date +%s%N) - $(cat "$T.t0")) / 1000000)) >"$T.ms"
}

# finish SCENARIO RT: nothing left behind (or, after a failure, remove what
# is), then the verdict line.
finish() {
	local s=$1 rt=$2 T rc ms name f0
	T=$(cat "$S/T.$s.$rt")
	rc=$(cat "$T.rc")
	f0=$(date +%s%N)
	(
		export T RT=$rt SCENARIO=$s
		scenario_env
		if [ "$rc" = 0 ]; then
			"$PY" "$here/scenarios.py" left "$s" "$rt"
			rc=$?
		fi
		if [ "$rc" != 0 ]; then
			timeout -k 5 120 "$PY" "$here/scenarios.py" teardown "$s" "$rt"
			# what containerd said meanwhile
			tail -n +"$(($(cat "$T.logline") + 1))" "$CTRD/log" | grep 'level=error' | head -8 |
				sed 's/^/    containerd: /' | cut -c1-600
		fi
		[ "$RT" = nexcage ] && sim_teardown
		exit "$rc"
	) >>"$T.log" 2>&1
	rc=$?
	ms=$(($(cat "$T.ms") + ($(date +%s%N) - f0) / 1000000))
	name="$rt/$s"
	if is_pending "$rt" "$s"; then
		pending=$((pending + 1))
		if [ "$rc" = 0 ]; then
			echo "   PASS-PENDING $name (${ms} ms): passes now, remove $s from NEXCAGE_PENDING"
		else
			local msg
			msg=$(grep -m1 'FAIL:' "$T.log" | sed 's/^ *FAIL: //' | sed -E 's/[0-9a-f]{64}/<id>/g' | tr -s ' \t' ' ' | cut -c1-400)
			echo "   pending $name (${ms} ms): $msg"
		fi
	elif [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		echo "   ok   $name (${ms} ms)"
		[ -n "${CRI_TRACE:-}" ] && sed 's/^/        /' "$T.log"
		grep -h -e '^    RunPodSandbox to a running container' -e '^    ContainerStats (working set' "$T.log" | sed 's/^ */        /'
	else
		failed=$((failed + 1))
		echo "   FAIL $name (${ms} ms)"
		sed 's/^/        /' "$T.log"
		[ -f "$T/runtime-calls.log" ] && { echo "        runtime calls:"; tail -20 "$T/runtime-calls.log" | cut -c1-300 | sed 's/^/          /'; }
	fi
	if [ -n "${CRI_KEEP:-}" ]; then
		echo "        (kept: $T $T.log)"
	else
		rm -rf "$T" "$T.log"
	fi
	rm -f "$T.rc" "$T.t0" "$T.ms" "$T.logline" "$S/T.$s.$rt"
}

# The parallel scenarios: every side at once, in the background.
ppids=
for s in $PARALLEL_SCENARIOS; do
	selected "$s" || continue
	for rt in $RUNTIMES; do
		run_body "$s" "$rt" &
		ppids="$ppids $!"
	done
done
sequential() { # RT: its side of every other scenario, one after the other
	local s
	for s in $SCENARIOS; do
		selected "$s" || continue
		in_list "$s" "$PARALLEL_SCENARIOS" && continue
		run_body "$s" "$1"
		finish "$s" "$1"
	done
}
# runc's sides meanwhile (they need no simulator: the parallel nexcage side
# keeps the wrapper's), then nexcage's once the parallel ones are done.
has_rt runc && sequential runc
[ -z "$ppids" ] || wait $ppids # (never a bare wait: the daemon is a child too)
for s in $PARALLEL_SCENARIOS; do
	selected "$s" || continue
	for rt in $RUNTIMES; do finish "$s" "$rt"; done
done
has_rt nexcage && sequential nexcage

if [ -f "$S/startup-runc" ] || [ -f "$S/startup-nexcage" ]; then
	echo "RunPodSandbox to a running container (median of 3, the same daemon): runc $(cat "$S/startup-runc" 2>/dev/null || echo -) ms, nexcage $(cat "$S/startup-nexcage" 2>/dev/null || echo -) ms"
fi
echo "($(($(date +%s) - started)) s)"
echo "cri: $pass passed, $failed failed, $pending pending"
[ "$failed" = 0 ]
