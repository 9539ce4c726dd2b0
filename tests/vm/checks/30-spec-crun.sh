#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# (c) As user sbx, `sbx spec` writes a bundle that crun runs rootless, with the same result
# as `sbx run` of the same command: confined by sbx-default.
. "$(dirname "$0")/lib.sh"
H=/home/sbx

cat >"$_tmp/attr.json" <<'JSON'
{
  "sbx": { "include": ["default"] },
  "process": { "args": ["cat", "/proc/self/attr/current"] }
}
JSON
install -o sbx -g sbx -m 0644 "$_tmp/attr.json" "$H/attr.json"

run_sbx "$SBX" run --profile "$H/attr.json" default
rc_is 0 "sbx run --profile attr.json (default + process.args) exits 0"
sbx_out=$OUT

run_sbx "$SBX" spec default -o "$H/bundle-default"
rc_is 0 "sbx spec default writes a bundle"
# (stacked with sbx-nouserns where sbx's policy is loaded, as sbx run execs it)
like "$(cat "$H/bundle-default/config.json" 2>/dev/null)" '"apparmorProfile" *: *"sbx-default(//&sbx-nouserns)?"' \
  "the default bundle names apparmorProfile sbx-default"
run_sbx "$SBX" spec "$H/attr.json" -o "$H/bundle-attr"
rc_is 0 "sbx spec attr.json writes a bundle"

# crun: its default cgroup manager first; under a rootless caller in a system service's
# cgroup it may need systemd's (the user manager) instead.
mgr=
for m in "" "--cgroup-manager=systemd"; do
  run_sbx crun $m run --bundle "$H/bundle-default" vm-default
  as_sbx crun delete -f vm-default >/dev/null 2>&1
  if [ "$RC" = 0 ]; then mgr=${m:-cgroupfs}; break; fi
  diag "crun ${m:-(cgroupfs)} run of the default bundle: exit $RC: $(printf '%s' "$ERR" | tail -n 2)"
done
if [ -z "$mgr" ]; then
  not_ok "crun run --bundle (sbx spec default) exits 0"; last_run_diag
else
  ok "crun run --bundle (sbx spec default) exits 0 (cgroup manager: $mgr)"
  [ "$mgr" = cgroupfs ] && m= || m=--cgroup-manager=systemd
  run_sbx crun $m run --bundle "$H/bundle-attr" vm-attr
  as_sbx crun delete -f vm-attr >/dev/null 2>&1
  rc_is 0 "crun runs the attr.json bundle"
  is "$OUT" "$sbx_out" "crun prints what sbx run printed ($sbx_out)"
fi
