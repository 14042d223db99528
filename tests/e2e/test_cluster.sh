# Three simulated nodes over one shared /etc/pve (PVE_SIM_NODE per
# process, .vmlist and nodes/*/lxc shared), each with its own nexcage
# state: concurrent creates never lose or double a VMID, and list, gc and
# delete --force on one node never touch another node's CTs.

NODES="na nb nc"

cluster_setup() {
	sim_setup
	for n in $NODES; do
		sed "s/node = 'pve'/node = '$n'/" "$T/config.lua" >"$T/$n.lua"
		chmod 0644 "$T/$n.lua"
	done
}

cluster_teardown() {
	for n in $NODES; do
		for conf in "$SIM"/etc/pve/nodes/$n/lxc/*.conf; do
			[ -f "$conf" ] || continue
			v=$(basename "$conf" .conf)
			(lxc-stop -P "$SIM/var/lib/lxc" -n "$v" -k >/dev/null 2>&1
			PVE_SIM_NODE=$n "$REPO/tests/sim/pct" destroy "$v" --force 1 --purge 1 >/dev/null 2>&1) &
		done
	done
	wait
}

on() { # node args...: nexcage as run on that node
	node=$1
	shift
	# through files: a created program holds create's stdout (see nx)
	PVE_SIM_NODE=$node NEXCAGE_CONFIG="$T/$node.lua" NEXCAGE_STATE_DIR="$T/lib-$node" \
		"$NEXCAGE" --root "$T/root-$node" "$@" >"$T/.stdout" 2>"$T/.stderr"
	RC=$?
	OUT=$(cat "$T/.stdout")
	ERR=$(cat "$T/.stderr")
}

confs() { ls "$SIM"/etc/pve/nodes/$1/lxc/ 2>/dev/null | sed 's/\.conf$//' | sort -n | tr '\n' ' '; }

test_three_nodes_ten_concurrent_creates_each() {
	cluster_setup
	trap cluster_teardown EXIT
	make_bundle "$T/b" '["sleep", "300"]'
	for n in $NODES; do
		i=0
		while [ $i -lt 10 ]; do
			(PVE_SIM_NODE=$n NEXCAGE_CONFIG="$T/$n.lua" NEXCAGE_STATE_DIR="$T/lib-$n" \
				"$NEXCAGE" --root "$T/root-$n" create --bundle "$T/b" "c$i" >"$T/$n-c$i.log" 2>&1
			echo $? >"$T/$n-c$i.rc") &
			i=$((i + 1))
		done
	done
	wait
	: >"$T/all"
	for n in $NODES; do
		i=0
		while [ $i -lt 10 ]; do
			[ "$(cat "$T/$n-c$i.rc")" = 0 ] || fail "create c$i on $n: $(cat "$T/$n-c$i.log")"
			on "$n" state "c$i"
			assert_ok
			v=$(json_field "$OUT" vmid)
			echo "$v" >>"$T/all"
			# the mapping, the CT config and the .vmlist agree on the node
			[ -f "$SIM/etc/pve/nodes/$n/lxc/$v.conf" ] || fail "CT $v of $n/c$i is not on $n"
			grep -q "\"vmid\":$v," "$T/lib-$n/map/"*"/c$i.json" || fail "mapping of $n/c$i is not $v"
			i=$((i + 1))
		done
	done
	assert_eq "$(sort -u "$T/all" | grep -c .)" 30
	assert_eq "$(lua5.4 -e "local c = require 'cjson'; local n = 0
		for _ in pairs(c.decode(io.read('a')).ids) do n = n + 1 end; print(n)" <"$SIM/etc/pve/.vmlist")" 30
	for n in $NODES; do
		assert_eq "$(find "$T/lib-$n/map" -name '*.json' | wc -l)" 10
	done
	before_b=$(confs nb)
	before_c=$(confs nc)
	# na: list shows its own, gc finds nothing of the others to collect
	on na list -q
	assert_eq "$(echo $OUT)" "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9"
	rm -rf "$T/root-na/c9" # one real orphan on na
	on na gc
	assert_ok
	assert_eq "$(echo "$OUT" | grep -c removing)" 1
	assert_contains "$OUT" "removing c9"
	# a mapping on na that names a CT of nb (restored from a backup, say):
	# pct on na refuses nb's CT, and nothing of nb goes
	vb=$(json_field "$(PVE_SIM_NODE=nb NEXCAGE_CONFIG="$T/nb.lua" NEXCAGE_STATE_DIR="$T/lib-nb" \
		"$NEXCAGE" --root "$T/root-nb" state c0)" vmid)
	mapdir=$(dirname "$(find "$T/lib-na/map" -name c0.json)")
	printf '{"id":"stray","vmid":%s,"node":"na","bundle":"%s","created":"","root":"%s"}\n' \
		"$vb" "$T/b" "$T/root-na" >"$mapdir/stray.json"
	on na delete --force stray
	assert_ok
	for i in 0 1 2 3 4 5 6 7 8; do
		(PVE_SIM_NODE=na NEXCAGE_CONFIG="$T/na.lua" NEXCAGE_STATE_DIR="$T/lib-na" \
			"$NEXCAGE" --root "$T/root-na" delete --force "c$i" >"$T/del-c$i.log" 2>&1
		echo $? >"$T/del-c$i.rc") &
	done
	wait
	for i in 0 1 2 3 4 5 6 7 8; do
		[ "$(cat "$T/del-c$i.rc")" = 0 ] || fail "delete c$i on na: $(cat "$T/del-c$i.log")"
	done
	assert_eq "$(confs na)" ""
	assert_eq "$(confs nb)" "$before_b"
	assert_eq "$(confs nc)" "$before_c"
	for n in nb nc; do
		on "$n" list -q
		assert_eq "$(echo $OUT)" "c0 c1 c2 c3 c4 c5 c6 c7 c8 c9"
	done
}
