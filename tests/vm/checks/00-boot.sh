#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The guest is what the other checks assume: systemd as PID 1, a pure cgroup v2 hierarchy,
# AppArmor enabled, and user sbx's systemd manager running with controllers delegated.
. "$(dirname "$0")/lib.sh"

is "$(cat /proc/1/comm)" systemd "systemd is PID 1"
is "$(stat -f -c %T /sys/fs/cgroup)" cgroup2fs "/sys/fs/cgroup is cgroup v2 (unified)"
is "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" Y "AppArmor is enabled in the kernel"
like "$(cat /sys/kernel/security/lsm 2>/dev/null)" 'apparmor' "AppArmor is an active LSM ($(cat /sys/kernel/security/lsm 2>/dev/null))"

# Lingering (/var/lib/systemd/linger/sbx): user@1000.service starts at boot.
run_sbx systemctl --user is-system-running --wait
like "$OUT" '^(running|degraded)$' "user sbx's systemd manager is up (systemctl --user is-system-running: $OUT)"
ctl=/sys/fs/cgroup/user.slice/user-$SBX_UID.slice/user@$SBX_UID.service/cgroup.controllers
like "$(cat "$ctl" 2>/dev/null)" '\bmemory\b.*\bpids\b|\bpids\b.*\bmemory\b' \
  "memory and pids controllers delegated to user@$SBX_UID.service ($(cat "$ctl" 2>/dev/null))"
is "$(stat -c %U "$(dirname "$ctl")")" sbx "user@$SBX_UID.service's cgroup belongs to sbx (delegated)"
is "$(grep '^sbx:' /etc/subuid)" "sbx:100000:65536" "sbx has a subordinate uid range"
