#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# job.sh: the guest side of test-vm.sh, copied into the job dir and run there as root by
# sbx-vm-job.service (cwd: the 9p share, /run/job).  It installs what the host sent and runs
# every checks/[0-9]*.sh in order, in this one boot, each as root under a time limit.  A check
# prints TAP result lines without numbers ("ok - ...", "not ok - ...", "# ..."); test-vm.sh
# numbers them.  Checks share the guest's state: a later check sees what an earlier one
# loaded or installed (10-apparmor-load loads the profiles the later checks use).
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
J=$(pwd -P)

# The binaries go where the built `sbx` AppArmor profile attaches (the build's prefix).
mapfile -t bins < <(sed -n 's/^@{sbx_binaries} = //p' "$J/apparmor/sbx" | tr -d '"' | tr ' ' '\n' | grep .)
SBX_VM_SBX=${bins[0]:-/usr/local/bin/sbx}
SBX_VM_IMPORT=${bins[1]:-/usr/local/libexec/sbx/sbx-import}
install -D -m 0755 "$J/bin/sbx" "$SBX_VM_SBX"
install -D -m 0755 "$J/bin/sbx-import" "$SBX_VM_IMPORT"
# sbx finds sbx-import beside itself first: there too, so both layouts work.
install -D -m 0755 "$J/bin/sbx-import" "$(dirname "$SBX_VM_SBX")/sbx-import"
install -D -m 0755 "$J/bin/sbx-probe" /usr/local/bin/sbx-probe
rm -rf /opt/sbx-vm && mkdir -p /opt/sbx-vm && cp -r "$J/apparmor" "$J/checks" "$J/deb" /opt/sbx-vm/
chmod -R a+rX /opt/sbx-vm
export SBX_VM_SBX SBX_VM_IMPORT SBX_VM_DIR=/opt/sbx-vm

echo "# guest: $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB, up $(cut -d' ' -f1 /proc/uptime) s"
for c in /opt/sbx-vm/checks/[0-9]*.sh; do
  [ -f "$c" ] || continue
  name=$(basename "$c" .sh)
  echo "# --- $name"
  t0=$SECONDS
  timeout -k 5 "${SBX_VM_CHECK_TIMEOUT:-300}" bash "$c" </dev/null 2>&1
  rc=$?
  [ "$rc" = 0 ] || echo "not ok - $name: the check script itself failed (exit status $rc; 124 = timed out)"
  echo "# $name: $((SECONDS - t0)) s"
done
exit 0
