#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# (b) As user sbx, `sbx run --profile default` execs the command under sbx-default (the
# default profile's process.apparmorProfile), and what sbx-default denies is denied, while
# the same command with --security-opt apparmor=unconfined is not (AppArmor `deny` rules
# are not logged: the effect is what is tested).
. "$(dirname "$0")/lib.sh"

run_sbx "$SBX" run --profile default default cat /proc/self/attr/current
rc_is 0 "sbx run --profile default default cat /proc/self/attr/current exits 0"
# (stacked with sbx-nouserns, part of the sbx policy: 25-userns checks that)
like "$OUT" '^sbx-default(//&sbx-nouserns)? \(enforce\)$' "the command runs confined by sbx-default ($OUT)"

# apparmor=unconfined: no profile of the command's own; it keeps sbx's label, or gets
# sbx-nouserns where sbx's policy is loaded.
run_sbx "$SBX" run --security-opt apparmor=unconfined default cat /proc/self/attr/current
# (sbx-nouserns where sbx's policy is loaded: everything but user namespaces; 25-userns)
like "$OUT" '^(sbx \(unconfined\)|unconfined|sbx-nouserns \(enforce\))$' "--security-opt apparmor=unconfined: no profile of its own ($OUT)"

# deny @{PROC}/kallsyms rwklx (not among the default profile's masked paths).
run_sbx "$SBX" run --security-opt apparmor=unconfined default head -c 16 /proc/kallsyms
rc_is 0 "unconfined, /proc/kallsyms is readable in the sandbox (the control)"
run_sbx "$SBX" run --profile default default head -c 16 /proc/kallsyms
if [ "$RC" != 0 ] && printf '%s' "$ERR" | grep -qi 'permission denied'; then
  ok "sbx-default denies reading /proc/kallsyms (Permission denied)"
else
  not_ok "sbx-default denies reading /proc/kallsyms (Permission denied)"; last_run_diag
fi

# deny mount: with CAP_SYS_ADMIN added and seccomp off, root in the sandbox may mount a
# tmpfs in its own mount namespace (the control, unconfined); sbx-default denies it.
free=(--security-opt seccomp=unconfined --cap-add SYS_ADMIN)
run_sbx "$SBX" run "${free[@]}" --security-opt apparmor=unconfined default sh -c 'mkdir -p /m && mount -t tmpfs none /m'
rc_is 0 "unconfined (seccomp off, CAP_SYS_ADMIN), mounting a tmpfs works (the control)"
run_sbx "$SBX" run "${free[@]}" --profile default default sh -c 'mkdir -p /m && mount -t tmpfs none /m'
if [ "$RC" != 0 ] && printf '%s' "$ERR" | grep -qi 'permission denied'; then
  ok "sbx-default denies mount (Permission denied)"
else
  not_ok "sbx-default denies mount (Permission denied)"; last_run_diag
fi
