#!/bin/sh
# Install the Debian packages nexcage's build, tests and demo need, when any
# is missing. Quiet and fast when everything is there.
set -eu
# runc and golang-github-containers-common (Debian's containers-common: Podman's
# seccomp.json) for the side-by-side security tests.
PKGS="gcc make pkg-config liblua5.4-dev lua5.4 lua-cjson-dev lua-cjson lua-busted
libsystemd-dev lxc busybox-static tar zstd xz-utils util-linux procps libc6-dev
podman conmon golang-github-containers-common containernetworking-plugins catatonit containerd runc"
# make fuzz also needs clang (libFuzzer); installed on demand by FUZZ=1
[ "${FUZZ:-0}" = 1 ] && PKGS="$PKGS clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
