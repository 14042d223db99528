#!/bin/sh
# podman-ns.sh SCRATCH-ROOT DIR MODE: run as `unshare -m sh podman-ns.sh …`
# by tests/deb/run.sh. In this private mount namespace the scratch root's
# /etc and /usr/bin are overlaid on the real ones, so Podman finds the
# package's drop-in and /usr/bin/nexcage where dpkg -i on a node puts them;
# the machine's own directories are never written (each overlay's upper
# layer is in DIR, and the mounts die with the namespace).
#   MODE info: print what `--runtime nexcage` resolves to
#   MODE run:  `podman run --rm` of a local busybox image under nexcage,
#              on the pct simulator (tests/sim), print the container's output
set -eu
R=$1
D=$2
mode=$3
REPO=$(cd "$(dirname "$0")/../.." && pwd)
mount --make-rprivate /

overlay() { # dir lowers...: the lowers, then the real dir, over the real dir
	dir=$1
	shift
	lower=
	for l in "$@"; do lower="$lower$l:"; done
	up=$D/ovl$(echo "$dir" | tr / _)
	mkdir -p "$up/upper" "$up/work"
	mount -t overlay overlay -o "lowerdir=$lower$dir,upperdir=$up/upper,workdir=$up/work" "$dir"
}

P="--root $D/podman/root --runroot $D/podman/run --tmpdir $D/podman/tmp --storage-driver vfs"
if [ "$mode" = info ]; then
	overlay /etc "$R/etc"
	overlay /usr/bin "$R/usr/bin"
	# shellcheck disable=SC2086
	exec podman $P --runtime nexcage info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}} {{.Host.OCIRuntime.Version}}'
fi

# The simulator, set up as the e2e tests do (tests/e2e/lib.sh sim_setup),
# then reached through /etc/nexcage/config.lua, as a node's nexcage finds
# its site: conmon gives the runtime no environment but PATH, so pct and
# pvesh there are wrappers that name the simulator's root.
T=$D/sim
mkdir -p "$T"
chmod 0755 "$T"
# shellcheck disable=SC2034 # (lib.sh requires it)
NEXCAGE=$R/usr/bin/nexcage
# shellcheck source=tests/e2e/lib.sh
. "$REPO/tests/e2e/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd) # (lib.sh takes it from NEXCAGE's path)
sim_setup
trap 'sim_teardown' EXIT
for tool in pct pvesh; do
	printf '#!/bin/sh\nexport PVE_SIM_ROOT=%s PVE_SIM_NODE=pve\nexec %s "$@"\n' "'$SIM'" "'$REPO/tests/sim/$tool'" >"$T/$tool"
	chmod 0755 "$T/$tool"
done
mkdir -p "$D/site/nexcage"
sed -e "s|'$REPO/tests/sim/pct'|'$T/pct'|" -e "s|'$REPO/tests/sim/pvesh'|'$T/pvesh'|" "$T/config.lua" >"$D/site/nexcage/config.lua"
chmod 0755 "$D/site" "$D/site/nexcage"
chmod 0644 "$D/site/nexcage/config.lua"
overlay /etc "$D/site" "$R/etc"
overlay /usr/bin "$R/usr/bin"
# nexcage's default state directory (/var/lib/nexcage), written in DIR
overlay /var/lib

# A busybox image from Debian's busybox-static: nothing is pulled.
img=$D/img
mkdir -p "$img/bin" "$img/etc" "$img/tmp" "$img/proc" "$img/sys" "$img/dev"
cp /bin/busybox "$img/bin/busybox"
for c in sh echo cat hostname; do ln -s busybox "$img/bin/$c"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$img/etc/passwd"
printf 'root:x:0:\n' >"$img/etc/group"
tar --numeric-owner -C "$img" -cf "$D/img.tar" .
# shellcheck disable=SC2086
podman $P import --change 'CMD ["/bin/sh"]' "$D/img.tar" localhost/nexcage-deb:latest >/dev/null
# The sandbox's hard limits are below Podman's default nofile (1048576 for
# root): every runtime, runc too, fails without these (README, Engines).
# shellcheck disable=SC2086
podman $P --runtime nexcage run --rm --network none \
	--ulimit nofile=20000:20000 --ulimit nproc=1000:1000 \
	localhost/nexcage-deb:latest sh -c 'echo "hello from $(hostname)"'
