#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# build-image.sh: the Debian 12 guest image of the VM tests, built with mmdebstrap and cached.
#
#   tests/vm/build-image.sh [CACHE_DIR]            build unless cached; prints the image dir
#   tests/vm/build-image.sh --cached [CACHE_DIR]   print the image dir if cached, else exit 1
#
# CACHE_DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/sbx-vm.  The image dir is
# CACHE_DIR/bookworm-KEY, KEY a hash of tests/vm/packages and of what shapes the image (this
# script, tests/vm/guest/*).  It holds rootfs.ext4 (boots as /dev/vda), vmlinuz, initrd.img
# and info (key, build time, package versions).  It is built in CACHE_DIR/.build-* and
# renamed into place last: a killed build leaves no broken entry (and its leftover is
# removed by the next build).  Entries of other keys are removed after a successful build.
#
# As root, mmdebstrap runs in its root mode; otherwise in --mode=unshare (needs unprivileged
# user namespaces and a subuid/subgid range).  Either way the tree is made into an ext4 image
# by a customize hook (mkfs.ext4 -d, where the ids are the chroot's), with --format=null.
# The mirror is the host's own (apt-get indextargets), or SBX_VM_MIRROR (a sources.list
# line's "URI SUITE COMPONENT" part, several separated by "|").
#
# Exit status: 0 built or cached; 1 --cached and not cached; 2 the build failed;
# 3 the mirror could not be reached (callers may skip then); 4 a tool is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
say() { printf 'build-image: %s\n' "$*" >&2; }

cached_only=0
if [ "${1:-}" = --cached ]; then cached_only=1; shift; fi
cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/sbx-vm}

mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/packages" | grep .)
key=$(cat "$here/packages" "$here/build-image.sh" "$here"/guest/* | sha256sum | cut -c1-16)
name=bookworm-$key
img=$cache/$name

if [ -f "$img/info" ] && [ -f "$img/rootfs.ext4" ] && [ -f "$img/vmlinuz" ] && [ -f "$img/initrd.img" ]; then
  echo "$img"
  exit 0
fi
[ "$cached_only" = 0 ] || exit 1

for t in mmdebstrap mkfs.ext4 sha256sum; do
  PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null || { say "$t is missing (apt-get install mmdebstrap e2fsprogs)"; exit 4; }
done
export PATH=$PATH:/usr/sbin:/sbin

mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -w 900 9; then say "another build holds $cache/.lock"; exit 2; fi
# Another build may have finished while we waited.
if [ -f "$img/info" ]; then echo "$img"; exit 0; fi

# Leftovers of killed builds (no other build runs: we hold the lock).
as_owner() { "$@"; }
if [ "$(id -u)" != 0 ]; then
  as_owner() { unshare --map-auto --map-root-user "$@"; }
fi
for old in "$cache"/.build-*; do
  [ -e "$old" ] || continue
  say "removing the leftover $old"
  as_owner rm -rf "$old" || rm -rf "$old" || true
done

# The host's Debian sources (bookworm, bookworm-updates, bookworm-security).
sources=()
if [ -n "${SBX_VM_MIRROR:-}" ]; then
  IFS='|' read -ra lines <<<"$SBX_VM_MIRROR"
  for l in "${lines[@]}"; do sources+=("deb $l"); done
else
  while read -r site rel comp; do
    case $rel in bookworm|bookworm-updates|bookworm-security) sources+=("deb $site $rel $comp") ;; esac
  done < <(apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' 2>/dev/null |
           sort -u | awk '$3 == "main"')
fi
if [ ${#sources[@]} -eq 0 ]; then
  say "no bookworm main source in the host's apt configuration (set SBX_VM_MIRROR)"
  exit 3
fi

work=$(mktemp -d "$cache/.build-XXXXXX")
chmod 0755 "$work"
cleanup() {
  if [ -n "${work:-}" ] && [ -e "$work" ]; then
    as_owner rm -rf "$work" 2>/dev/null || rm -rf "$work" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mode=root
[ "$(id -u)" = 0 ] || mode=unshare
start=$SECONDS
say "mmdebstrap ($mode mode) of ${#pkgs[@]} packages from ${sources[0]#deb } into $work"

# Modules the initrd needs (MODULES=list keeps it small); the list is read by mkinitramfs
# from /usr/share/initramfs-tools/modules.d, so it is in place before the kernel installs.
essential_hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"
printf "MODULES=list\nCOMPRESS=gzip\n" > "$1/etc/initramfs-tools/conf.d/sbx-vm"
printf "%s\n" virtio_pci virtio_blk virtio_console ext4 9p 9pnet 9pnet_virtio > "$1/usr/share/initramfs-tools/modules.d/sbx-vm"'

# The rest is shaped after the packages are in.
customize_hook='set -e
r=$1
echo 5b1e0fd6a9e14c2c8f1b2d3e4f5a6b7c > "$r/etc/machine-id"
echo sbx-vm > "$r/etc/hostname"
printf "127.0.0.1 localhost\n127.0.1.1 sbx-vm\n" > "$r/etc/hosts"
printf "/dev/vda / ext4 rw,relatime 0 1\n" > "$r/etc/fstab"
chroot "$r" useradd -m -u 1000 -U -s /bin/bash sbx
sed -i "/^sbx:/d" "$r/etc/subuid" "$r/etc/subgid" 2>/dev/null || true
echo sbx:100000:65536 >> "$r/etc/subuid"
echo sbx:100000:65536 >> "$r/etc/subgid"
mkdir -p "$r/var/lib/systemd/linger"
touch "$r/var/lib/systemd/linger/sbx"
install -m 0755 "'"$here"'/guest/sbx-vm-job" "$r/usr/local/sbin/sbx-vm-job"
install -m 0644 "'"$here"'/guest/sbx-vm-job.service" "$r/etc/systemd/system/sbx-vm-job.service"
mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
ln -sf ../sbx-vm-job.service "$r/etc/systemd/system/multi-user.target.wants/sbx-vm-job.service"
# No login prompt, no network, no timers: nothing but the job.
for u in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
         e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-networkd.service \
         systemd-timesyncd.service; do
  ln -sf /dev/null "$r/etc/systemd/system/$u"
done
# Modules a guest without hardware never loads: less to copy into the ext4 image.
kver=$(ls "$r/lib/modules" | head -n 1)
for d in sound drivers/gpu drivers/media drivers/net/wireless drivers/net/ethernet drivers/infiniband \
         drivers/staging drivers/bluetooth net/bluetooth net/wireless drivers/iio drivers/hid \
         drivers/input drivers/usb drivers/isdn drivers/mtd drivers/hwmon drivers/video; do
  rm -rf "$r/lib/modules/$kver/kernel/$d"
done
chroot "$r" depmod -a "$kver"
o=$SBX_VM_OUT
cp -L "$r/vmlinuz" "$o/vmlinuz" 2>/dev/null || cp "$r"/boot/vmlinuz-* "$o/vmlinuz"
cp -L "$r/initrd.img" "$o/initrd.img" 2>/dev/null || cp "$r"/boot/initrd.img-* "$o/initrd.img"
chroot "$r" dpkg-query -W -f "\${Package} \${Version}\n" > "$o/packages.txt"
# The tree as an ext4 image (no loop mount), made here where the ids are the chroot ids,
# from a plain bind of the root: not the /proc, /sys, /dev mounted in it for the hooks.
# Its size plus room for the tests writes (the guest disk is a throwaway snapshot).
rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/apt/*.bin "$r"/var/lib/apt/lists/*_*
mkdir "$o/tree"
unshare -m --propagation private sh -ec '\''
  mount --bind "$1" "$2"
  used=$(du -sxm "$2" | cut -f1)
  size=$((used + used / 4 + 768))
  echo "build-image: mkfs.ext4 -d: $used MiB of files in a $size MiB image" >&2
  mkfs.ext4 -q -F -L sbx-vm -E root_owner=0:0 -d "$2" "$3" "${size}M"
  umount "$2"'\'' sh "$r" "$o/tree" "$o/rootfs.ext4"
rmdir "$o/tree"
chmod 0644 "$o"/*'

# The hooks write the results into $work/out.  In unshare mode they run as the chroot's
# root, a subordinate id of ours: the dir is open to it for the build.
out=$work/out
mkdir -m 0777 "$out"
export SBX_VM_OUT=$out
log=$work/mmdebstrap.log
rc=0
TMPDIR=$work mmdebstrap --mode="$mode" --variant=apt --format=null \
  --aptopt='APT::Install-Recommends "false"' \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --aptopt='Acquire::Retries "3"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --include="$(IFS=,; echo "${pkgs[*]}")" \
  --essential-hook="$essential_hook" \
  --customize-hook="$customize_hook" \
  bookworm /dev/null "${sources[@]}" >"$log" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
  cp "$log" "$cache/last-failed-build.log" 2>/dev/null || true
  grep -E '^(E|W): ' "$log" | tail -n 10 >&2
  tail -n 10 "$log" >&2
  say "the whole log: $cache/last-failed-build.log"
  if grep -Eq 'Could not resolve|Failed to fetch|Temporary failure|Unable to connect|Connection failed|Network is unreachable|does not have a Release file' "$log"; then
    say "mmdebstrap failed: the mirror cannot be reached"
    exit 3
  fi
  say "mmdebstrap failed (exit status $rc)"
  exit 2
fi
grep '^build-image:' "$log" >&2 || true
for f in rootfs.ext4 vmlinuz initrd.img packages.txt; do
  [ -s "$out/$f" ] || { say "mmdebstrap made no $f"; exit 2; }
  mv "$out/$f" "$work/$f"
done
rmdir "$out"
{
  echo "key $key"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) by $(id -un) ($mode mode) in $((SECONDS - start)) s"
  echo "sources ${sources[*]}"
  echo "kernel $(sed -n 's/^linux-image-\([0-9][^ ]*\) .*/\1/p' "$work/packages.txt" | head -n 1)"
} > "$work/info"
chmod a+rx "$work"
chmod a+r "$work"/* 2>/dev/null || true
mv -T "$work" "$img"
work=
rm -f "$cache/last-failed-build.log"
say "built $img in $((SECONDS - start)) s"

# Entries of other keys are stale (another package list or another version of these scripts).
for old in "$cache"/bookworm-*; do
  [ "$old" = "$img" ] || [ ! -d "$old" ] || { say "removing the stale $old"; rm -rf "$old"; }
done
echo "$img"
