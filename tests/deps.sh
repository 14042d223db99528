#!/bin/sh
# Install the Debian packages nexcage's build, tests and demo need, when any
# is missing. Quiet and fast when everything is there.
set -eu
# runc and golang-github-containers-common (Debian's containers-common: Podman's
# seccomp.json) for the side-by-side security tests.
PKGS="gcc make pkg-config liblua5.4-dev lua5.4 lua-cjson-dev lua-cjson lua-busted
libsystemd-dev lxc busybox-static tar zstd xz-utils util-linux procps libc6-dev
podman conmon golang-github-containers-common containernetworking-plugins catatonit containerd runc
libseccomp-dev docker.io buildah uidmap python3-grpcio python3-grpc-tools
dpkg-dev lintian man-db"
# make deb: dpkg-dev (dpkg-shlibdeps for Depends:); its test: lintian and
# man-db (man -l renders the installed page).
# make fuzz also needs clang (libFuzzer); installed on demand by FUZZ=1
[ "${FUZZ:-0}" = 1 ] && PKGS="$PKGS clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
# A Proxmox node gives root the subordinate ids its unprivileged CTs map to
# (root:100000:65536); Debian's base image leaves /etc/subuid empty, and
# LXC then cannot map an unprivileged CT's ids at all.
ensure_subids() {
	[ "$(id -u)" = 0 ] || return 0
	for f in /etc/subuid /etc/subgid; do
		grep -q '^root:' "$f" 2>/dev/null || echo "root:100000:65536" >>"$f"
	done
}
if [ -z "$missing" ]; then
	ensure_subids
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
ensure_subids
