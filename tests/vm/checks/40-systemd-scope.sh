#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# (d) systemd: user sbx's manager is reachable, and a transient user scope with MemoryMax
# kills a memory hog (cgroup v2 delegation works).  The caller is a process of this root
# job (runuser), not of a login session: systemd 252 moves it into the user's scope anyway.
# Note: systemd-run expands $VAR (and $$) in the command it is given: quote with $$.
. "$(dirname "$0")/lib.sh"

run_sbx systemctl --user is-system-running
is "$OUT" running "systemctl --user is-system-running (as sbx)"

run_sbx systemd-run --user --scope --quiet cat /proc/self/cgroup
like "$OUT" "^0::/user.slice/user-$SBX_UID.slice/user@$SBX_UID.service/.*\.scope$" \
  "systemd-run --user --scope puts the command in a scope of the user's manager ($OUT)"

# dd's 128 MiB buffer is touched as /dev/zero fills it.
hog="dd if=/dev/zero of=/dev/null bs=128M count=1"
run_sbx systemd-run --user --scope --quiet -p MemoryMax=256M -p OOMPolicy=continue $hog
rc_is 0 "a 128 MiB hog in a scope with MemoryMax=256M completes (the control)"
run_sbx systemd-run --user --scope --quiet -p MemoryMax=32M -p MemorySwapMax=0 -p OOMPolicy=continue $hog
rc_is 137 "the same hog in a scope with MemoryMax=32M is killed (SIGKILL, exit 137)"
like "$(journalctl -k -q --no-pager -g 'Memory cgroup out of memory' 2>/dev/null | tail -n 1)" 'Killed process [0-9]+ \(dd\)' \
  "the kernel's memory cgroup OOM killer killed dd"

# sbx inside such a scope (sbx's own scope support comes later: checks go in 5x-*.sh).
run_sbx systemd-run --user --scope --quiet -p MemoryMax=256M "$SBX" run --network none default echo in-scope
is "$OUT" in-scope "sbx run works inside a systemd user scope"
