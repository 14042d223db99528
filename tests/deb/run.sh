#!/bin/sh
# The Debian package, as a user gets it: `make deb`, its metadata and file
# list, an install into a scratch root (the machine's own dpkg database and
# /usr are never touched), then the installed binary, man page and demo, and
# Podman finding the runtime through the shipped drop-in. Lintian too, when
# installed (tests/deps.sh installs it). Closes with "deb: N passed, N failed".
#
#   sh tests/deb/run.sh             builds the package with make deb
#   DEB=path.deb sh tests/deb/run.sh   tests that one
set -u
cd "$(dirname "$0")/../.." || exit 1
pass=0
failed=0
ok() {
	pass=$((pass + 1))
	echo "   ok   $1"
}
bad() {
	failed=$((failed + 1))
	echo "   FAIL $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | head -20 | sed 's/^/        /'
}
# check NAME COMMAND...: one verdict, the command's output shown on failure.
check() {
	name=$1
	shift
	if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}
finish() {
	echo "deb: $pass passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

T=$(mktemp -d /tmp/nexcage-deb-XXXXXX)
chmod 0755 "$T"
trap 'rm -rf "$T"' EXIT
started=$(date +%s)

if [ -z "${DEB:-}" ]; then
	if ! out=$(make --no-print-directory deb 2>&1); then
		bad "make deb" "$out"
		finish
	fi
	DEB=$(printf '%s\n' "$out" | tail -n 1)
fi
[ -f "$DEB" ] || { bad "package $DEB exists"; finish; }
ok "make deb: $DEB ($(du -k "$DEB" | cut -f1) KiB)"

version=$(sed -n 's/^#define NX_VERSION "\(.*\)"$/\1/p' src/util/version.h)
field() { dpkg-deb -f "$DEB" "$1"; }
check "Package: nexcage" test "$(field Package)" = nexcage
check "Version: $version-1 (src/util/version.h)" test "$(field Version)" = "$version-1"
check "Architecture: $(dpkg --print-architecture)" test "$(field Architecture)" = "$(dpkg --print-architecture)"
# The binary links Lua, lua-cjson and libseccomp statically and dlopen()s
# libsystemd: the C library is all it needs; pct is the node's, never a
# dependency (a Proxmox package would make it uninstallable elsewhere).
deps=$(field Depends)
case $deps in
libc6*) case $deps in *lua* | *seccomp* | *systemd* | *pve* | *lxc*) bad "Depends: libc6 only" "$deps" ;; *) ok "Depends: $deps" ;; esac ;;
*) bad "Depends: libc6 only" "$deps" ;;
esac
check "conffile: the Podman drop-in" sh -c "dpkg-deb --ctrl-tarfile '$DEB' | tar -xOf - ./conffiles | grep -qx /etc/containers/containers.conf.d/nexcage.conf"

list=$(dpkg-deb -c "$DEB")
missing=
for f in ./usr/bin/nexcage ./usr/share/man/man1/nexcage.1.gz ./usr/share/nexcage/lua/translate.lua \
	./usr/share/nexcage/hooks/examples/audit.lua ./usr/share/doc/nexcage/copyright \
	./usr/share/doc/nexcage/changelog.Debian.gz ./usr/share/doc/nexcage/README.md \
	./usr/share/doc/nexcage/README.Debian ./etc/containers/containers.conf.d/nexcage.conf; do
	printf '%s\n' "$list" | awk '{ print $6 }' | grep -qx "$f" || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "file list: binary, Lua, hooks, man page, docs, drop-in"; else bad "file list" "missing:$missing"; fi
odd=$(printf '%s\n' "$list" | awk '$2 != "root/root" || ($1 !~ /^d/ && $1 != "-rw-r--r--" && $1 != "-rwxr-xr-x") || ($1 ~ /^d/ && $1 != "drwxr-xr-x")')
if [ -z "$odd" ]; then ok "every file root:root, 0644/0755"; else bad "owners and modes" "$odd"; fi

if command -v lintian >/dev/null; then
	# Errors fail; warnings and below are shown (the package ships its
	# overrides, each with its reason).
	lout=$(lintian --pedantic "$DEB" 2>&1 | grep -v 'running with root privileges')
	if printf '%s\n' "$lout" | grep -q '^E:'; then bad "lintian: no errors" "$lout"; else ok "lintian: no errors${lout:+ ($(printf '%s\n' "$lout" | wc -l) other tags)}"; fi
	[ -z "$lout" ] || printf '%s\n' "$lout" | sed 's/^/        /'
else
	echo "   (lintian not installed: skipped)"
fi

# dpkg itself, into a database of the scratch root's own: what dpkg -i on a
# node does (conffiles recorded, files unpacked), without the machine's
# database. --force-depends: the scratch root has no libc6 registered (the
# binary runs on the machine's). The package has no maintainer scripts.
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
: >"$R/var/lib/dpkg/status"
check "dpkg --root=<scratch> -i" dpkg --root="$R" --log=/dev/null --force-depends -i "$DEB"
check "dpkg -s: installed" sh -c "dpkg --root='$R' -s nexcage | grep -qx 'Status: install ok installed'"
check "dpkg --verify: files as shipped" dpkg --root="$R" --verify nexcage

NX=$R/usr/bin/nexcage
check "nexcage --version ($version)" sh -c "'$NX' --version | grep -qF '$version'"
man_out=$(man -l "$R/usr/share/man/man1/nexcage.1.gz" 2>/dev/null)
case $man_out in *nexcage*) ok "man -l nexcage.1.gz renders ($(printf '%s\n' "$man_out" | wc -l) lines)" ;; *) bad "man page renders" "$man_out" ;; esac
# The installed Lua is the one PREFIX=/usr compiled in.
check "installed Lua dir compiled in" grep -qa /usr/share/nexcage/lua "$NX"

# The demo, run by the installed binary (it sets up the simulator itself).
d0=$(date +%s)
out=$(NEXCAGE="$NX" sh examples/demo.sh 2>&1)
rc=$?
if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q '^output: Hello from busybox-demo' &&
	printf '%s\n' "$out" | grep -qx 'CT configs left in the simulator: 0'; then
	ok "demo from the installed binary ($(($(date +%s) - d0)) s)"
else
	bad "demo from the installed binary" "$(printf '%s\n' "$out" | tail -20)"
fi

# Podman through the shipped drop-in, in a mount namespace of the test's
# own where the scratch root appears over /etc and /usr/bin
# (tests/deb/podman-ns.sh): first what `--runtime nexcage` resolves to,
# then a real `podman run` of a local image under the installed nexcage,
# on the simulator. Podman 4.3 reads drop-ins from
# /etc/containers/containers.conf.d/ only.
if command -v podman >/dev/null && command -v unshare >/dev/null; then
	out=$(unshare -m sh tests/deb/podman-ns.sh "$R" "$T/info" info 2>&1 | tr '\n' ' ')
	case $out in
	"nexcage /usr/bin/nexcage "*"$version"*) ok "podman --runtime nexcage: $out" ;;
	*) bad "podman --runtime nexcage resolves to /usr/bin/nexcage via the drop-in" "$out" ;;
	esac
	# and without the drop-in Podman knows no such runtime (so the test
	# proves the drop-in, not some other configuration)
	if out=$(unshare -m podman --root "$T/bare/root" --runroot "$T/bare/run" --storage-driver vfs \
		--runtime nexcage info 2>&1); then
		bad "without the drop-in, podman knows no runtime nexcage" "$out"
	else
		ok "without the drop-in, podman knows no runtime nexcage"
	fi
	p0=$(date +%s)
	out=$(timeout -k 5 90 unshare -m sh tests/deb/podman-ns.sh "$R" "$T/run" run 2>&1)
	calls=$(grep -c '^\["pct","\(create\|start\|destroy\)"' "$T/run/sim/pve/pct-calls.log" 2>/dev/null)
	case $out in
	*"hello from "*)
		if [ "${calls:-0}" -ge 3 ]; then
			ok "podman --runtime nexcage run --rm, through the drop-in ($calls pct calls, $(($(date +%s) - p0)) s)"
		else
			bad "podman run went through nexcage (pct create, start, destroy)" "$(cat "$T/run/sim/pve/pct-calls.log" 2>&1)"
		fi
		;;
	*) bad "podman --runtime nexcage run --rm" "$out" ;;
	esac
else
	bad "podman and unshare installed (tests/deps.sh)"
fi

echo "($(($(date +%s) - started)) s)"
finish
