#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# build-deb.sh SRCDIR CACHE_DIR: builds sbx's Debian package from SRCDIR (debian/, with
# `dpkg-buildpackage -us -uc -b`, the unit tests left to meson test) in a copy of the tree,
# and prints the path of the .deb: CACHE_DIR/KEY/sbx.deb, KEY a hash of the tree's files, so
# an unchanged tree is not built twice.  Exit 3 with the reason on stderr when this host
# cannot build it (no dpkg-buildpackage or debhelper, build dependencies missing); 1 when the
# build fails (the end of its log on stderr).
set -euo pipefail
src=$(cd "$1" && pwd -P)
cache=$2
say() { echo "build-deb: $*" >&2; }

command -v dpkg-buildpackage >/dev/null || { say "dpkg-buildpackage is not installed (Debian package dpkg-dev)"; exit 3; }
command -v dh >/dev/null || { say "dh is not installed (Debian package debhelper)"; exit 3; }
if ! missing=$(cd "$src" && dpkg-checkbuilddeps 2>&1); then
  say "build dependencies missing: ${missing#*: }"
  exit 3
fi

files() { (cd "$src" && find . \( -path ./.git -o -path './build*' -o -path './obj-*' -o -path ./debian/sbx \
  -o -path ./debian/.debhelper -o -path ./subprojects \) -prune -o -type f -print | LC_ALL=C sort); }
key=$(cd "$src" && files | tr '\n' '\0' | xargs -0 sha256sum | sha256sum | cut -c1-16)
deb=$cache/$key/sbx.deb
if [ -f "$deb" ]; then
  echo "$deb"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/sbx"
(cd "$src" && files | tar -cf - -T -) | tar -xf - -C "$work/sbx"
if ! (cd "$work/sbx" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$work/log" 2>&1; then
  tail -n 30 "$work/log" >&2
  say "dpkg-buildpackage failed"
  exit 1
fi
mkdir -p "$cache"
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
mkdir -p "$cache/$key.tmp"
mv "$work"/sbx_*.deb "$cache/$key.tmp/sbx.deb"
mv -T "$cache/$key.tmp" "$cache/$key"
echo "$deb"
