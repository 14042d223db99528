#!/bin/sh
# mkdeb.sh BUILD-DIR: the Debian package, from the tree `make install
# B=BUILD-DIR PREFIX=/usr DESTDIR=BUILD-DIR/stage` staged. The repository
# keeps no debian/ directory: the package's metadata (control, conffiles,
# md5sums, copyright, changelog) is written here, into the stage, at build
# time. Prints the path of the .deb it wrote.
set -eu
cd "$(dirname "$0")/../.."
B=${1:?usage: mkdeb.sh BUILD-DIR}
stage=$B/stage
[ -x "$stage/usr/bin/nexcage" ] || {
	echo "mkdeb: $stage/usr/bin/nexcage missing (make deb stages it first)" >&2
	exit 1
}

pkg=nexcage
upstream=$(sed -n 's/^#define NX_VERSION "\(.*\)"$/\1/p' src/util/version.h)
[ -n "$upstream" ] || { echo "mkdeb: no NX_VERSION in src/util/version.h" >&2; exit 1; }
# -1: the packaging is a revision of its own (not a native package: the
# upstream source is the repository, not a Debian source package).
version=$upstream-1
arch=$(dpkg --print-architecture)
# The one name the repository's history gives for its authors.
maintainer=$(git log -1 --format='%an <%ae>' 2>/dev/null || true)
[ -n "$maintainer" ] || maintainer="nexcage maintainers <nexcage@localhost>"
# Timestamps from the last commit, so two builds of one commit give the
# same files (the changelog's date, the mtimes dpkg-deb records).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

doc=$stage/usr/share/doc/$pkg
rm -rf "${stage:?}/DEBIAN" "$doc" "${stage:?}/etc"
mkdir -p "$stage/DEBIAN" "$doc" "$stage/etc/containers/containers.conf.d" \
	"$stage/usr/share/lintian/overrides"

# Debian ships binaries without symbols (lintian: unstripped-binary-or-object).
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/nexcage"

man=$stage/usr/share/man/man1/nexcage.1
if [ -f "$man" ]; then
	gzip -9nf "$man"
fi

# What a user reads: the README and the reference docs (the architecture,
# simulator and layering notes are for whoever works on the source).
cp README.md "$doc/README.md"
for f in bundle lua-api plan translation decisions; do
	cp "docs/$f.md" "$doc/$f.md"
done

cat >"$doc/README.Debian" <<EOF
nexcage for Debian
==================

Podman: the package registers the runtime under the name "nexcage" in
/etc/containers/containers.conf.d/nexcage.conf, so

    podman --runtime nexcage run ...

works as installed. Podman 4.3 (Debian 12) reads drop-ins from
/etc/containers/containers.conf.d/ only, not from /usr/share/containers/,
hence a conffile under /etc. To make nexcage Podman's default runtime, add
runtime = "nexcage" under [engine] in that file.

containerd, Docker, buildah and Kubernetes (the CRI plugin's runtime handler
"nexcage" in /etc/containerd/config.toml): see the section "Engines: Podman,
Docker, buildah, containerd, Kubernetes" in README.md here; use
/usr/bin/nexcage where it says /usr/local/bin/nexcage.

Site configuration is read from /etc/nexcage/config.lua (none is installed:
the defaults drive the node's own pct); the default Lua rules and hooks are
in /usr/share/nexcage/, overridable file by file from /etc/nexcage/lua.
EOF

cat >"$stage/etc/containers/containers.conf.d/nexcage.conf" <<EOF
# Installed by the nexcage package: \`podman --runtime nexcage\` runs
# /usr/bin/nexcage (README.Debian in /usr/share/doc/nexcage).
[engine.runtimes]
nexcage = ["/usr/bin/nexcage"]
EOF
echo /etc/containers/containers.conf.d/nexcage.conf >"$stage/DEBIAN/conffiles"

# DEP-5. The repository states no licence: say so rather than invent one.
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: nexcage
Upstream-Contact: $maintainer
Comment: Built from the nexcage repository by src/tools/mkdeb.sh.
 /usr/bin/nexcage links three libraries statically, from Debian's packages:
 Lua 5.4 (Copyright 1994-2023 Lua.org, PUC-Rio; Expat, below), lua-cjson
 (Copyright 2010-2012 Mark Pulford; Expat, below) and libseccomp (Copyright
 2012 Red Hat, Paul Moore and others; LGPL-2.1, in
 /usr/share/common-licenses/LGPL-2.1; its source is Debian's libseccomp
 source package).

Files: *
Copyright: the nexcage authors ($maintainer)
License: other
 The upstream repository does not state a licence: it contains no LICENSE
 or COPYING file and its README names none. Until the authors choose one,
 no permission beyond what copyright law allows is granted.

License: Expat
 Permission is hereby granted, free of charge, to any person obtaining a
 copy of this software and associated documentation files (the "Software"),
 to deal in the Software without restriction, including without limitation
 the rights to use, copy, modify, merge, publish, distribute, sublicense,
 and/or sell copies of the Software, and to permit persons to whom the
 Software is furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 DEALINGS IN THE SOFTWARE.
EOF

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
	echo "$pkg ($version) unstable; urgency=medium"
	echo
	echo "  * Package built by make deb from commit $commit."
	echo
	echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.Debian.gz"

# Lintian tags accepted, with the reason beside each.
cat >"$stage/usr/share/lintian/overrides/$pkg" <<EOF
# Built from the repository by make deb, never uploaded to Debian: there is
# no ITP bug for the first changelog entry to close.
$pkg: initial-upload-closes-no-bugs
# lua/nexcage/ is the Lua module namespace (require "nexcage.util"): the
# installed rules must keep the tree the embedded ones have.
$pkg: repeated-path-segment nexcage [usr/share/nexcage/lua/nexcage/]
EOF

# Depends from what the binary links (libsystemd is dlopen()ed only for
# --log journald: a suggestion). dpkg-shlibdeps wants a debian/control in
# its working directory; a throwaway one under the build directory.
sd=$B/shlibdeps
mkdir -p "$sd/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$pkg" "$pkg" >"$sd/debian/control"
bin=$(cd "$stage" && pwd)/usr/bin/nexcage
depends=$(cd "$sd" && dpkg-shlibdeps -O "$bin" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

# Only what dpkg installs may be in the tree: modes as Debian wants them.
find "$stage" -path "$stage/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
find "$stage" -path "$stage/DEBIAN" -prune -o -type f -exec chmod 0644 {} +
chmod 0755 "$stage/usr/bin/nexcage"

size=$(du -k -s --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: $pkg
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Suggests: libsystemd0, podman | containerd | docker.io
Section: admin
Priority: optional
Description: OCI container runtime for Proxmox VE
 nexcage is called like runc by containerd, Podman, Docker, CRI-O or a
 person, and turns the OCI bundle into a Proxmox LXC container driven
 only through pct. The OCI to Proxmox translation rules and the lifecycle
 hooks are Lua scripts, compiled into the binary and overridable file by
 file by the site administrator.
 .
 The package registers the runtime with Podman (podman --runtime nexcage).
 It needs a Proxmox VE node (pct) to run containers.
EOF
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles"

# md5sums of every file but the conffiles (dpkg keeps theirs itself).
(cd "$stage" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print |
	sed 's|^\./||' | LC_ALL=C sort | xargs md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"

find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
deb=$B/${pkg}_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
