#!/bin/sh
# The include directions of src/, checked: each layer may include its own
# headers and those of the layers listed for it, all of them below it, so
# data and calls flow one way (cli -> core -> bridge -> luahost, and down
# to plan, pve, site, oci, util). Nothing includes cli/; util/ includes
# only util/; nothing below the bridge reaches up into core/; the host
# side shares exactly one header with nexcage-init (init/protocol.h), and
# nexcage-init one with the host side (util/scm_rights.h). Every quoted
# include names its layer ("core/state_store.h"): a bare name would be
# found beside the including file first and hide a crossing. Lua's own
# headers are tests/boundary.sh's (only bridge/ and luahost/ see them).
# The check is tried on two planted crossings before it is believed.
# Closes with "layers: N passed, N failed".
set -u
cd "$(dirname "$0")/.."

allowed() {
	case $1 in
	cli) echo "cli core bridge luahost plan pve site oci util" ;;
	core) echo "core bridge luahost plan pve site oci util init/protocol.h" ;;
	bridge) echo "bridge luahost plan site oci util" ;;
	luahost) echo "luahost site util" ;;
	plan) echo "plan site oci util init/protocol.h" ;;
	pve) echo "pve util" ;;
	site) echo "site util" ;;
	oci) echo "oci util" ;;
	util) echo "util" ;;
	init) echo "init util/scm_rights.h" ;;
	tools) echo "" ;;
	*) echo "?" ;;
	esac
}

# The includes of file $2, as layer $1, that cross; empty when none.
crossings() {
	layer=$1
	f=$2
	ok=$(allowed "$layer")
	bad=""
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		if [ "$layer" = init ]; then
			# nexcage-init is built from its own directory
			case $inc in
			*/*) target=$(realpath -m --relative-to=src "src/init/$inc") ;;
			*) target=init/$inc ;;
			esac
		else
			target=$inc
		fi
		# paths.h is generated in the build directory (the install prefix)
		[ "$target" = paths.h ] && [ "$layer" != tools ] && continue
		fine=false
		for a in $ok; do
			if [ "$a" = "${target%%/*}" ] || [ "$a" = "$target" ]; then fine=true; fi
		done
		case $target in */*) ;; *) fine=false ;; esac
		[ -f "src/$target" ] || fine=false
		$fine || bad="$bad $inc"
	done
	echo "$bad"
}

pass=0
failed=0
for dir in src/*/; do
	layer=$(basename "$dir")
	if [ "$(allowed "$layer")" = "?" ]; then
		failed=$((failed + 1))
		echo "   FAIL src/$layer/ is no layer this check knows (add it here and to the Makefile's LAYERS)"
		continue
	fi
	for f in "$dir"*.c "$dir"*.h; do
		[ -f "$f" ] || continue
		bad=$(crossings "$layer" "$f")
		if [ -z "$bad" ]; then
			pass=$((pass + 1))
		else
			failed=$((failed + 1))
			echo "   FAIL $f ($layer/ may include: $(allowed "$layer")) includes:$bad"
		fi
	done
done
# pct is called through pve/pct.h's typed calls only: the untyped one
# (pve/pct_internal.h) stays inside pve/.
for f in $(grep -l '#include "pve/pct_internal.h"' src/*/*.c src/*/*.h); do
	case $f in
	src/pve/*) pass=$((pass + 1)) ;;
	*)
		failed=$((failed + 1))
		echo "   FAIL $f calls pct untyped (pve/pct_internal.h): add a typed call to pve/pct.h"
		;;
	esac
done

for f in src/*.c src/*.h; do
	[ -f "$f" ] || continue
	failed=$((failed + 1))
	echo "   FAIL $f is in no layer (src/ holds only the layers' directories)"
done

# The check itself: a bridge file reaching up to the core, a core file
# naming a header without its layer, and a util file reaching the plan.
planted=$(mktemp)
trap 'rm -f "$planted"' EXIT
for plant in 'bridge #include "core/context.h"' 'core #include "plan.h"' 'util #include "plan/plan.h"'; do
	printf '%s\n' "${plant#* }" >"$planted"
	if [ -n "$(crossings "${plant%% *}" "$planted")" ]; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "   FAIL the check lets pass, in ${plant%% *}/: ${plant#* }"
	fi
done
echo "layers: $pass passed, $failed failed"
[ "$failed" = 0 ]
