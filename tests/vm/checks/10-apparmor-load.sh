#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# (a) The shipped AppArmor profiles load into the kernel: the `sbx` profile meson generated
# (data/apparmor/sbx.in, for the build's prefix) and data/apparmor/sbx-default.
. "$(dirname "$0")/lib.sh"
AA=$SBX_VM_DIR/apparmor
loaded=/sys/kernel/security/apparmor/profiles

for p in sbx sbx-default; do
  run apparmor_parser -r "$AA/$p"
  rc_is 0 "apparmor_parser -r loads the shipped $p profile"
done
like "$(cat "$loaded")" '^sbx \(unconfined\)$' "the kernel lists sbx (unconfined)"
like "$(cat "$loaded")" '^sbx-default \(enforce\)$' "the kernel lists sbx-default (enforce)"

# sbx itself runs under its profile, attached by path ($SBX), unconfined in effect.
as_sbx "$SBX" run --network none default sleep 30 >"$_tmp/sleep.out" 2>&1 &
bg=$!
label=
for _ in $(seq 1 150); do
  pid=$(pgrep -u sbx -x sbx | head -n 1)
  [ -n "$pid" ] && label=$(cat "/proc/$pid/attr/current" 2>/dev/null) && [ -n "$label" ] && break
  sleep 0.2
done
is "$label" "sbx (unconfined)" "a running $SBX is under the sbx profile"
pkill -u sbx -x sleep 2>/dev/null
kill "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
exit 0
