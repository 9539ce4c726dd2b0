#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-vm.sh: the guest VM tier (TAP).  sbx under a real systemd, cgroup v2 and AppArmor, in
# a Debian 12 guest booted with qemu: the checks of tests/vm/checks/ run in ONE boot.
#
# Environment (tests/meson.build sets the first three, as for the system tests):
#   SBX                 the sbx binary under test (sbx-import is taken from beside it)
#   SBX_TESTS_SRCDIR    <repo>/tests
#   SBX_TESTS_BUILDDIR  <build>/tests (sbx-probe; ../data/apparmor/sbx, the generated profile)
#   SBX_VM_CACHE        the image cache to use/build in (default: a cached image in
#                       /var/cache/sbx-vm if there is one, else ${XDG_CACHE_HOME:-~/.cache}/sbx-vm)
#   SBX_VM_TIMEOUT      seconds for the whole boot (default 900)
#   SBX_VM_NO_BUILD=1   never build the image: skip when none is cached
#   SBX_TESTS_KEEP=1    keep the job dir (console.log, output)
# Skips (1..0 # SKIP reason) without qemu-system-x86_64, without ~1 GiB of free memory, and
# when the image is not cached and cannot be built here (no mmdebstrap, no mirror, no root
# nor user namespaces).
set -u
exec </dev/null
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SBX=${SBX:-}
if [ -z "$SBX" ] || [ ! -x "$SBX" ]; then
  echo "Bail out! SBX='$SBX' is not an executable sbx binary"
  exit 1
fi
SBX=$(readlink -f "$SBX")
BUILDDIR=${SBX_TESTS_BUILDDIR:-$(dirname "$SBX")/tests}

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; [ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/# /'; }

# --- can a guest run here at all? -----------------------------------------------------------
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 not installed (Debian package qemu-system-x86)"
avail_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
[ "${avail_mb:-0}" -ge 1024 ] || skip_all "only ${avail_mb} MiB of memory available, the guest needs about 1 GiB"
for f in "$SBX" "$(dirname "$SBX")/sbx-import" "$BUILDDIR/sbx-probe" "$BUILDDIR/../data/apparmor/sbx" \
         "$here/../../data/apparmor/sbx-default"; do
  [ -f "$f" ] || { echo "Bail out! missing $f (build sbx first)"; exit 1; }
done

# A sanitizer build links libasan/libubsan, which the guest does not have.
if command -v readelf >/dev/null && readelf -d "$SBX" 2>/dev/null | grep -Eq 'NEEDED.*lib(asan|ubsan|tsan|lsan)'; then
  skip_all "$SBX is a sanitizer build: the guest has no sanitizer runtime"
fi

# --- the image: cached, or built now ---------------------------------------------------------
img=
caches=()
[ -n "${SBX_VM_CACHE:-}" ] && caches+=("$SBX_VM_CACHE")
caches+=(/var/cache/sbx-vm "${XDG_CACHE_HOME:-$HOME/.cache}/sbx-vm")
for c in "${caches[@]}"; do
  if img=$("$here/build-image.sh" --cached "$c" 2>/dev/null); then break; fi
  img=
done
if [ -n "$img" ]; then
  ok "guest image cached: $img"
else
  [ "${SBX_VM_NO_BUILD:-0}" != 1 ] || skip_all "no guest image cached in ${caches[*]} and SBX_VM_NO_BUILD=1"
  PATH=$PATH:/usr/sbin:/sbin command -v mmdebstrap >/dev/null ||
    skip_all "no guest image cached and mmdebstrap is not installed (Debian package mmdebstrap)"
  cache=${SBX_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sbx-vm}
  blog=$(mktemp "${TMPDIR:-/tmp}/sbx-vm-build.XXXXXX")
  t0=$SECONDS
  brc=0
  img=$(timeout -k 10 900 "$here/build-image.sh" "$cache" 2>"$blog") || brc=$?
  if [ "$brc" = 0 ]; then
    ok "guest image built in $((SECONDS - t0)) s: $img"
    rm -f "$blog"
  else
    why=$(grep 'build-image:' "$blog" | tail -n 1)
    tail_log=$(tail -n 20 "$blog")
    rm -f "$blog"
    case $brc in
      3|4) skip_all "the guest image cannot be built here: ${why:-exit status $brc}" ;;
    esac
    if [ "$(id -u)" != 0 ]; then
      # Unprivileged builds need mmdebstrap's unshare mode (user namespaces, subuids).
      skip_all "the guest image cannot be built as $(id -un) (mmdebstrap --mode=unshare, exit status $brc): ${why:-$(printf '%s' "$tail_log" | tail -n 1)}; build it as root: tests/vm/build-image.sh /var/cache/sbx-vm"
    fi
    not_ok "guest image built" "build-image.sh exit status $brc" "$tail_log"
    echo "1..$n"
    exit 1
  fi
fi

# --- the job: sbx, its helpers and profiles, the checks ---------------------------------------
job=$(mktemp -d "${TMPDIR:-/tmp}/sbx-vm-job.XXXXXX")
cleanup() {
  if [ "${SBX_TESTS_KEEP:-0}" = 1 ]; then echo "# kept $job" >&2; else rm -rf "$job"; fi
}
trap cleanup EXIT
chmod 0755 "$job"
mkdir -p "$job/bin" "$job/apparmor" "$job/checks"
cp "$SBX" "$(dirname "$SBX")/sbx-import" "$BUILDDIR/sbx-probe" "$job/bin/"
cp "$BUILDDIR/../data/apparmor/sbx" "$here/../../data/apparmor/sbx-default" "$job/apparmor/"
cp "$here"/checks/*.sh "$job/checks/"
cp "$here/job.sh" "$job/job.sh"
# The Debian package for checks/90-deb.sh: $SBX_VM_DEB, else built here (build-deb.sh, cached
# in $BUILDDIR/deb).  What this host lacks to build it becomes the check's SKIP reason; a
# failed build, its failure.
mkdir -p "$job/deb"
if [ -n "${SBX_VM_DEB:-}" ]; then
  cp "$SBX_VM_DEB" "$job/deb/sbx.deb"
elif deb=$("$here/build-deb.sh" "$here/../.." "$BUILDDIR/deb" 2>"$job/deb/log"); then
  cp "$deb" "$job/deb/sbx.deb"
elif [ $? = 3 ]; then
  grep 'build-deb:' "$job/deb/log" | tail -n 1 | sed 's/^build-deb: /no .deb: /' >"$job/deb/skip-reason"
else
  tail -n 30 "$job/deb/log" >"$job/deb/build-failed"
fi
chmod -R a+rX "$job"

t0=$SECONDS
rc=0
"$here/run-in-guest.sh" "$img" "$job" "${SBX_VM_TIMEOUT:-900}" >"$job/tap" 2>"$job/runner.log" || rc=$?
took=$((SECONDS - t0))

# The guest's results, numbered here; anything else it printed becomes a comment.
guest_results=0
while IFS= read -r line; do
  case $line in
    "not ok"*) n=$((n + 1)); failed=$((failed + 1)); guest_results=$((guest_results + 1))
               echo "not ok $n ${line#not ok}" | sed 's/^\(not ok [0-9]*\)  */\1 /' ;;
    "ok"*)     n=$((n + 1)); guest_results=$((guest_results + 1))
               echo "ok $n ${line#ok}" | sed 's/^\(ok [0-9]*\)  */\1 /' ;;
    "#"*)      echo "$line" ;;
    *)         echo "# $line" ;;
  esac
done <"$job/tap"
sed 's/^/# /' "$job/runner.log"

if [ "$rc" = 0 ] && [ "$guest_results" -gt 0 ]; then
  ok "the guest ran $guest_results checks in one boot ($took s)"
else
  not_ok "the guest ran the checks in one boot (run-in-guest.sh exit status $rc after $took s; 200 = job never ran, 201 = timed out)" \
    "console: $(tail -n 30 "$job/console.log" 2>/dev/null | tr -d '\r')"
fi
echo "1..$n"
[ "$failed" = 0 ]
