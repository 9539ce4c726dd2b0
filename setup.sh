#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# setup.sh: prepares a Debian 12 machine for sbx, builds it and runs it once.
#
#   sudo ./setup.sh                 everything: packages, devices, user, build, first run
#   sudo ./setup.sh --deps-only     packages, devices, user and subordinate ids; no build (CI)
#   sudo ./setup.sh --user NAME     act for NAME instead of $SUDO_USER
#   sudo ./setup.sh --user-only     only make sure the user and its subuid/subgid ranges exist
#                                   (tests/run-all.sh and bench/startup use this as root)
#
# The target user is --user NAME, else $SUDO_USER, else (plain root) `sbx-user`, created if
# missing.  Safe to run again: it only changes what is not already as it should be.
set -euo pipefail

SBX_SUBID_COUNT=65536
SBX_SUBID_MIN=100000

# Everything sbx needs to build, run, test and benchmark, all from Debian 12 (bookworm).
PKGS_BUILD=(meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libglib2.0-dev-bin
            libjansson-dev libarchive-dev libseccomp-dev libcap-dev libslirp-dev
            libcurl4-openssl-dev libssl-dev libapparmor-dev busybox-static
            scdoc bash-completion)         # the man pages; bash-completion's completionsdir
PKGS_RUN=(fuse-overlayfs fuse3 uidmap xdg-dbus-proxy)
# apparmor: its parser checks the shipped AppArmor profiles; containers-common's seccomp.json,
# the runtime spec's JSON schema (python3-jsonschema), crun and runc check profiles and bundles;
# desktop-file-utils, gio (libglib2.0-bin) and vim-common's desktop file check menu launchers.
PKGS_TEST=(umoci skopeo python3 util-linux procps iproute2 passwd clang libclang-rt-14-dev
           apparmor golang-github-containers-common golang-github-opencontainers-specs-dev
           python3-jsonschema crun runc docker-registry
           clang-format                                   # the C layout (tests/style/check-house-rules.sh)
           desktop-file-utils libglib2.0-bin vim-common   # test-desktop-file.sh
           tmux vim                                       # test-terminal.sh: a real terminal, a full-screen program
           zsh fish                                       # test-completion.sh: each shell's completion
           dbus-daemon dbus-bin dbus-tests   # a private bus, dbus-send, dbus-test-tool (test-dbus-proxy.sh)
           # test-desktop.sh: an X server, X clients, screenshots; a Wayland compositor and clients;
           # a sound server and clients; the Debian image fixture (tests/fixtures/build-debian-desktop.sh)
           xvfb xauth x11-apps x11-utils imagemagick weston wayland-utils pulseaudio
           pulseaudio-utils mmdebstrap
           xdg-desktop-portal xdg-desktop-portal-gtk xdotool  # test-portal.sh
           chromium firefox-esr)      # real browsers' own sandboxes under sbx (test-browser.sh)
PKGS_BENCH=(bubblewrap podman runc slirp4netns hyperfine iperf3 passt mmdebstrap docker-registry
            gnuplot-nox)   # bench/report: the charts
PKGS_VM=(qemu-system-x86 mmdebstrap e2fsprogs   # tests/vm: the guest VM tier
         dpkg-dev debhelper dh-apparmor lintian)  # the Debian package it installs (tests/vm/build-deb.sh)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
set -E
trap 'printf "setup: error: the step above failed (exit status %s, setup.sh line %s)\n" "$?" "$LINENO" >&2' ERR

usage() {
  sed -n '2,12s/^# \{0,1\}//p' "$0"
}

deps_only=0
user_only=0
target_user=
while [ $# -gt 0 ]; do
  case $1 in
    --deps-only) deps_only=1 ;;
    --user-only) user_only=1 ;;
    --user) [ $# -ge 2 ] || die "--user needs a NAME"; target_user=$2; shift ;;
    --user=*) target_user=${1#--user=} ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

[ "$(id -u)" -eq 0 ] || die "run me as root: sudo $0 $*"

top=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

if [ -z "$target_user" ]; then
  if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
    target_user=$SUDO_USER
  else
    target_user=sbx-user
  fi
fi
[ "$target_user" != root ] || die "the target user must not be root (sbx is rootless): use --user NAME"

# ---------------------------------------------------------------- packages
install_packages() {
  local pkgs=("${PKGS_BUILD[@]}" "${PKGS_RUN[@]}" "${PKGS_TEST[@]}" "${PKGS_BENCH[@]}" "${PKGS_VM[@]}")
  local missing=() p
  for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "packages: all ${#pkgs[@]} already installed"
    return
  fi
  say "packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  say "+ apt-get update"
  apt-get update -q
  say "+ apt-get install --no-install-recommends ${pkgs[*]}"
  apt-get install -y -q --no-install-recommends "${pkgs[@]}" </dev/null
}

# ---------------------------------------------------------------- devices and kernel
setup_devices() {
  # fuse-overlayfs needs /dev/fuse, the network code /dev/net/tun; desktops' udev makes
  # both 0666, bare servers and containers often do not.
  if [ ! -e /dev/fuse ]; then
    modprobe fuse 2>/dev/null || true
    [ -e /dev/fuse ] || mknod /dev/fuse c 10 229 2>/dev/null || say "warning: cannot create /dev/fuse"
  fi
  if [ ! -e /dev/net/tun ]; then
    modprobe tun 2>/dev/null || true
    mkdir -p /dev/net
    [ -e /dev/net/tun ] || mknod /dev/net/tun c 10 200 2>/dev/null || say "warning: cannot create /dev/net/tun"
  fi
  local d
  for d in /dev/fuse /dev/net/tun; do
    [ -e "$d" ] || continue
    if [ "$(stat -c %a "$d")" != 666 ]; then
      say "+ chmod 0666 $d"
      chmod 0666 "$d"
    else
      say "devices: $d is already 0666"
    fi
  done
  # Unprivileged user namespaces: on by default in Debian 12, but some hosts turn them off.
  if [ -e /proc/sys/kernel/unprivileged_userns_clone ] &&
     [ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ]; then
    say "+ sysctl -w kernel.unprivileged_userns_clone=1"
    sysctl -qw kernel.unprivileged_userns_clone=1 || say "warning: cannot enable unprivileged user namespaces"
  fi
  if [ -e /proc/sys/user/max_user_namespaces ] &&
     [ "$(cat /proc/sys/user/max_user_namespaces)" = 0 ]; then
    say "+ sysctl -w user.max_user_namespaces=15000"
    sysctl -qw user.max_user_namespaces=15000 || say "warning: cannot enable user namespaces"
  fi
}

# ---------------------------------------------------------------- user and subordinate ids
# has_subid FILE USER UID: does FILE give USER (by name or number) a range?
has_subid() {
  [ -f "$1" ] && awk -F: -v n="$2" -v u="$3" '($1 == n || $1 == u) && $3 > 0 { f = 1 } END { exit !f }' "$1"
}

# free_subid_start: the first id >= SBX_SUBID_MIN past every range in /etc/subuid and
# /etc/subgid, so one start serves both files and overlaps nothing.
free_subid_start() {
  cat /etc/subuid /etc/subgid 2>/dev/null |
    awk -F: -v min="$SBX_SUBID_MIN" '
      $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { end = $2 + $3; if (end > max) max = end }
      END { if (max < min) max = min; printf "%d\n", max }'
}

ensure_user() {
  local u=$1
  if ! getent passwd "$u" >/dev/null; then
    say "+ useradd --create-home --shell /bin/bash $u"
    useradd --create-home --shell /bin/bash "$u"
  else
    say "user: $u exists"
  fi
  local uid home
  uid=$(id -u "$u")
  home=$(getent passwd "$u" | cut -d: -f6)
  if [ ! -d "$home" ]; then
    say "+ mkdir $home (home of $u)"
    install -d -m 0755 -o "$u" -g "$(id -g "$u")" "$home"
  fi
  touch /etc/subuid /etc/subgid
  # One start for both files, computed before either changes, so uids and gids match.
  local start end
  start=$(free_subid_start); end=$((start + SBX_SUBID_COUNT - 1))
  if has_subid /etc/subuid "$u" "$uid"; then
    say "subuid: $u has $(awk -F: -v n="$u" -v i="$uid" '$1 == n || $1 == i { print $2 ":" $3; exit }' /etc/subuid)"
  else
    say "+ usermod --add-subuids $start-$end $u"
    usermod --add-subuids "$start-$end" "$u" 2>/dev/null ||
      echo "$u:$start:$SBX_SUBID_COUNT" >> /etc/subuid
  fi
  if has_subid /etc/subgid "$u" "$uid"; then
    say "subgid: $u has $(awk -F: -v n="$u" -v i="$uid" '$1 == n || $1 == i { print $2 ":" $3; exit }' /etc/subgid)"
  else
    say "+ usermod --add-subgids $start-$end $u"
    usermod --add-subgids "$start-$end" "$u" 2>/dev/null ||
      echo "$u:$start:$SBX_SUBID_COUNT" >> /etc/subgid
  fi
}

# as_user CMD...: runs CMD as the target user with a clean environment (none of root's
# XDG_* or PATH), from a directory the user can enter.
as_user() {
  local home
  home=$(getent passwd "$target_user" | cut -d: -f6)
  runuser -u "$target_user" -- env -i \
    HOME="$home" USER="$target_user" LOGNAME="$target_user" SHELL=/bin/bash \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM="${TERM:-dumb}" "$@"
}

# ---------------------------------------------------------------- build and first run
build_and_run() {
  local src=$top
  if ! as_user test -r "$top/meson.build" -a -x "$top"; then
    # The user cannot read the checkout (a clone under /root, say): build a copy it owns.
    local home
    home=$(getent passwd "$target_user" | cut -d: -f6)
    src=$home/.cache/sbx-setup/src
    say "build: $target_user cannot read $top; copying it to $src"
    as_user mkdir -p "$src"
    as_user find "$src" -mindepth 1 -delete
    tar -C "$top" --exclude=./build --exclude=./build-asan --exclude=./build-fuzz --exclude=./.git -cf - . |
      as_user tar -C "$src" --no-same-owner -xf -
  fi
  local build=$src/build
  if ! as_user test -w "$src"; then
    # A checkout the user can read but not write (owned by root, as a CI clone is):
    # hand it just the build directory.
    mkdir -p "$build"
  fi
  if [ -d "$build" ] && [ -n "$(find "$build" ! -user "$target_user" -print -quit)" ]; then
    say "+ chown -R $target_user: $build"
    chown -R "$target_user:" "$build"
  fi
  say "build: as $target_user in $build"
  if [ -f "$build/build.ninja" ]; then
    as_user bash -c 'cd "$1" && set -x && ninja -C build' _ "$src"
  else
    as_user bash -c 'cd "$1" && set -x && meson setup build && ninja -C build' _ "$src"
  fi
  say "run: sbx's embedded default image, as $target_user"
  # shellcheck disable=SC2016
  as_user bash -c 'cd "$1" && set -x && build/sbx run default sh -c '\''echo "hello from sbx: $(id)"; cat /etc/os-release'\''' _ "$src"
  say "done: $src/build/sbx works for $target_user"
  if [ "$src" = "$top" ]; then
    say "next: run the test suite as $target_user: tests/run-all.sh"
  fi
}

if [ "$user_only" = 1 ]; then
  ensure_user "$target_user"
  exit 0
fi

say "repository: $top; target user: $target_user"
install_packages
setup_devices
ensure_user "$target_user"
if [ "$deps_only" = 1 ]; then
  say "done (--deps-only: not building)"
  exit 0
fi
build_and_run
