# Benchmark helpers: mean wall time of a command over N runs, in ms.
# Benchmarks print figures and ratios; they never pass or fail on time.

now_ns() { date +%s%N; }

# mean_ms N CMD...: run CMD N times (output discarded), print mean ms.
mean_ms() {
	n=$1
	shift
	"$@" >/dev/null 2>&1 # warm the page cache
	start=$(now_ns)
	i=0
	while [ $i -lt "$n" ]; do
		"$@" >/dev/null 2>&1
		i=$((i + 1))
	done
	end=$(now_ns)
	awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "%.3f", (e - s) / n / 1e6 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

ensure_runc() {
	command -v runc >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc >/dev/null 2>&1 || true
	fi
	command -v runc >/dev/null 2>&1
}

# bench_sim_env: a fresh simulator root for one benchmark: sets T, SIM and
# ROOT, exports what pct and nexcage read, starts the service manager.
bench_sim_env() {
	T=$(mktemp -d /tmp/nexcage-bench-XXXXXX)
	chmod 0755 "$T"
	SIM="$T/pve"
	ROOT="$T/run"
	mkdir -p "$SIM"
	export PVE_SIM_ROOT="$SIM" PVE_SIM_NODE=pve NEXCAGE_STATE_DIR="$T/lib"
	# pct start asks the simulator's service manager to run lxc-start
	# (docs/simulator.md); stop it in the benchmark's cleanup
	tests/sim/svcmgr start
}
