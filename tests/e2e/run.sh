#!/bin/sh
# Run tests/e2e/test_*.sh (or the files given): every test_* function in its
# own subshell with a fresh temporary directory. Closes with
# "e2e: N passed, N failed". E2E_ONLY=substring runs only the tests whose
# name has it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${NEXCAGE:?set NEXCAGE to the nexcage binary}"
export NEXCAGE
pass=0
failed=0
files=${*:-$(ls "$here"/test_*.sh)}
for f in $files; do
	echo "-- $(basename "$f")"
	for t in $(grep -oE '^test_[A-Za-z0-9_]+' "$f"); do
		case $t in *"${E2E_ONLY:-}"*) ;; *) continue ;; esac
		T=$(mktemp -d /tmp/nexcage-e2e-XXXXXX)
		chmod 0755 "$T"
		(
			export T ROOT="$T/root"
			. "$here/lib.sh"
			. "$f"
			cd "$T" || exit 1
			"$t"
		) >"$T.log" 2>&1
		rc=$?
		if [ "$rc" = 0 ]; then
			pass=$((pass + 1))
			echo "   ok   $t"
		else
			failed=$((failed + 1))
			echo "   FAIL $t"
			sed 's/^/        /' "$T.log"
		fi
		# Tests clean their own Proxmox/LXC state; this only drops files.
		rm -rf "$T" "$T.log"
	done
done
echo "e2e: $pass passed, $failed failed"
[ "$failed" = 0 ]
