#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# (b2) User namespaces and AppArmor (issue 13, Ubuntu 24.04's restriction).  sbx's own
# policy (data/apparmor/sbx.in, loaded by 10-apparmor-load) grants sbx `userns,` and execs
# the command under sbx-nouserns, stacked with its profile's, unless its sbx profile grants
# user namespaces (sbx.apparmor.userns, the browser profiles): what the command runs under,
# what still works among its processes, and nested user namespaces refused where the kernel
# and the parser mediate them.  The restriction itself
# (kernel.apparmor_restrict_unprivileged_userns) is an Ubuntu kernel patch: where the guest's
# kernel lacks the sysctl, its checks say so and skip.
. "$(dirname "$0")/lib.sh"
AA=$SBX_VM_DIR/apparmor
RESTRICT=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
FEATURE=/sys/kernel/security/apparmor/features/namespaces/userns_create
free=(--security-opt seccomp=unconfined)
# A profile over default that grants user namespaces (as browser.json does).
cat >"$_tmp/grant.json" <<'J'
{ "sbx": { "include": ["default"], "apparmor": { "userns": true } } }
J
chmod 0644 "$_tmp/grant.json"

# --- what the command runs under ---------------------------------------------------------
run_sbx "$SBX" run default cat /proc/self/attr/current
is "$OUT" "sbx-default//&sbx-nouserns (enforce)" "default profile: the command runs under sbx-default stacked with sbx-nouserns"
run_sbx "$SBX" run --security-opt apparmor=unconfined default cat /proc/self/attr/current
is "$OUT" "sbx-nouserns (enforce)" "apparmor=unconfined: the command runs under sbx-nouserns, not sbx's own profile"
run_sbx "$SBX" run --profile "$_tmp/grant.json" default cat /proc/self/attr/current
is "$OUT" "sbx-default (enforce)" "sbx.apparmor.userns: the command runs under sbx-default alone"

# Hooks sbx runs outside the sandbox (createRuntime, poststop, ...) follow the command: their
# stdout is sbx's stderr.
cat >"$_tmp/hook.json" <<'J'
{ "sbx": { "include": ["default"] },
  "hooks": { "createRuntime": [ { "path": "/bin/cat", "args": ["cat", "/proc/self/attr/current"] } ] } }
J
chmod 0644 "$_tmp/hook.json"
run_sbx "$SBX" run --profile "$_tmp/hook.json" default true
like "$ERR" '^sbx-nouserns \(enforce\)$' "a createRuntime hook runs under sbx-nouserns, not sbx's own profile"

# --- the stack takes nothing else away -----------------------------------------------------
# Signals and ptrace-read among the command's processes (sbx-default's peer rules name the stack).
run_sbx "$SBX" run default sh -c 'sleep 30 & p=$!; cat /proc/$p/environ >/dev/null && echo readable; kill $p; wait $p; echo "status $?"'
is "$OUT" "$(printf 'readable\nstatus 143')" "under the stack, the command reads and signals its own child"
# (20-sbx-default's denials of kallsyms and mount ran under the stack too.)

# --- nested user namespaces: unshare -U -r (makes one and writes its uid_map) ----------------
nested=(unshare -U -r cat /proc/self/uid_map)
# The browser profile (its filter and sbx.apparmor.userns grant them): allowed.  Without its
# D-Bus proxy: the guest has no xdg-dbus-proxy.
cat >"$_tmp/browser.json" <<'J'
{ "sbx": { "include": ["browser"], "dbus": null } }
J
chmod 0644 "$_tmp/browser.json"
run_sbx "$SBX" run -q --profile "$_tmp/browser.json" --network none default "${nested[@]}"
rc_is 0 "browser profile: unshare -U -r works in the sandbox (its profile grants user namespaces)"
run_sbx "$SBX" run --profile "$_tmp/grant.json" "${free[@]}" default "${nested[@]}"
rc_is 0 "sbx.apparmor.userns, seccomp unconfined: unshare -U -r works (the control)"
# The default profile with seccomp off: refused by AppArmor, where it mediates user namespaces.
run_sbx "$SBX" run "${free[@]}" default "${nested[@]}"
if [ ! -e "$FEATURE" ]; then
  skip "default profile, seccomp unconfined: unshare -U refused by sbx-nouserns" \
    "kernel $(uname -r) has no AppArmor user namespace mediation ($FEATURE)"
elif ! grep -q '^abi <abi/4.0>' "$AA/sbx"; then
  skip "default profile, seccomp unconfined: unshare -U refused by sbx-nouserns" \
    "the sbx profile was built with an apparmor_parser without the userns rule (abi 3.0)"
elif [ "$RC" != 0 ]; then
  ok "default profile, seccomp unconfined: unshare -U refused by sbx-nouserns"
else
  not_ok "default profile, seccomp unconfined: unshare -U refused by sbx-nouserns"; last_run_diag
fi
diag "nested unshare -U under the default profile, seccomp unconfined: exit $RC ($(printf '%s' "$ERR" | head -n 1))"

# --- Ubuntu's restriction ---------------------------------------------------------------
if [ ! -e "$RESTRICT" ]; then
  why="kernel $(uname -r) has no kernel.apparmor_restrict_unprivileged_userns (an Ubuntu kernel patch)"
  skip "the restriction is on" "$why"
  skip "plain unshare -U as the user is refused" "$why"
  skip "sbx run works under the restriction with its profile loaded" "$why"
  skip "without sbx's profile, sbx says the cause and the fix in one line, exit 125" "$why"
else
  echo 1 >"$RESTRICT"
  is "$(cat "$RESTRICT")" 1 "the restriction is on"
  run_sbx unshare -U -r true
  if [ "$RC" != 0 ]; then ok "plain unshare -U -r as the user is refused"; else not_ok "plain unshare -U -r as the user is refused"; fi
  run_sbx "$SBX" run default echo hello
  is "$OUT" hello "sbx run works under the restriction with its profile loaded"
  run_sbx "$SBX" run "${free[@]}" default "${nested[@]}"
  if [ "$RC" != 0 ]; then ok "under the restriction, unshare -U in the sandbox is refused"; else not_ok "under the restriction, unshare -U in the sandbox is refused"; fi
  apparmor_parser -R "$AA/sbx" >/dev/null 2>&1
  run_sbx "$SBX" run default true
  rc_is 125 "without sbx's profile: exit 125"
  like "$ERR" '^sbx: user namespaces are restricted by AppArmor \(kernel\.apparmor_restrict_unprivileged_userns=1\) and sbx.s AppArmor profile is not loaded: sudo apparmor_parser -r /[^ ]*/apparmor\.d/sbx$' \
    "without sbx's profile: one line naming the cause and the fix"
  apparmor_parser -r "$AA/sbx" >/dev/null 2>&1
  echo 0 >"$RESTRICT"
fi

# --- without sbx's policy (a host that never loaded it): as before it existed -----------------
apparmor_parser -R "$AA/sbx" >/dev/null 2>&1
run_sbx "$SBX" run default cat /proc/self/attr/current
is "$OUT" "sbx-default (enforce)" "sbx's policy unloaded: the command runs under sbx-default alone"
apparmor_parser -r "$AA/sbx" >/dev/null 2>&1
exit 0
