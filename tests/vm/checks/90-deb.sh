#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# (f) The Debian package (debian/, built by test-vm.sh through build-deb.sh) installs on this
# clean Debian 12 with dpkg alone, ships no setuid or setgid file, loads its AppArmor profiles,
# and its /usr/bin/sbx runs `sbx run default true` as a user, finding its profiles and helpers
# under /usr; then it purges cleanly.  Last of the checks: installing replaces the kernel's
# `sbx` profile (attached to the build's prefix until now) with the package's (/usr/bin/sbx).
. "$(dirname "$0")/lib.sh"
DEB=$SBX_VM_DIR/deb/sbx.deb
SBX_DEB=/usr/bin/sbx
loaded=/sys/kernel/security/apparmor/profiles

if [ -f "$SBX_VM_DIR/deb/build-failed" ]; then
  not_ok "the .deb builds (tests/vm/build-deb.sh on the host)" "$(cat "$SBX_VM_DIR/deb/build-failed")"
  exit 0
fi
if [ ! -f "$DEB" ]; then
  skip "the .deb installs and runs" "$(cat "$SBX_VM_DIR/deb/skip-reason" 2>/dev/null || echo 'no .deb was shipped')"
  exit 0
fi

# sbx's policy (sbx, sbx-nouserns) and sbx-default out of the kernel, so that what loads
# them now is the package.
apparmor_parser -R "$SBX_VM_DIR/apparmor/sbx-default" >/dev/null 2>&1
apparmor_parser -R "$SBX_VM_DIR/apparmor/sbx" >/dev/null 2>&1
run dpkg -i "$DEB"
rc_is 0 "dpkg -i sbx.deb installs on a clean Debian 12 (its dependencies are there)"
like "$(dpkg-query -W -f '${Status}' sbx 2>&1)" '^install ok installed$' "dpkg lists sbx as installed"

setid=$(dpkg -L sbx | while IFS= read -r f; do [ -f "$f" ] && [ -u "$f" -o -g "$f" ] && echo "$f"; done)
is "$setid" "" "the package ships no setuid or setgid file"
like "$(cat "$loaded")" '^sbx-default \(enforce\)$' "the package's postinst loaded sbx-default"
like "$(cat "$loaded")" '^sbx-nouserns \(enforce\)$' "the package's postinst loaded sbx's own policy (sbx-nouserns)"

run_sbx "$SBX_DEB" run default true
rc_is 0 "as user sbx, /usr/bin/sbx run default true exits 0"
run_sbx "$SBX_DEB" run default cat /proc/self/attr/current
# Stacked with sbx-nouserns: no user namespace unless the profile grants it (25-userns).
is "$OUT" "sbx-default//&sbx-nouserns (enforce)" "the installed sbx runs its command under sbx-default, stacked with sbx-nouserns"
run_sbx "$SBX_DEB" profile ls
like "$OUT" '^firefox +/usr/share/sbx/profiles/firefox\.json ' "the installed sbx finds its profiles in /usr/share/sbx/profiles"
# The guest image excludes /usr/share/man (dpkg path-exclude): the pages are looked for in the .deb.
contents=$(dpkg-deb -c "$DEB")
for f in /usr/share/man/man1/sbx.1.gz /usr/share/man/man1/sbx-run.1.gz /usr/share/man/man5/sbx-profile.5.gz; do
  like "$contents" " \.$f\$" "the package carries $f"
done
for f in /usr/libexec/sbx/sbx-import /usr/share/bash-completion/completions/sbx /usr/share/zsh/vendor-completions/_sbx \
         /usr/share/fish/vendor_completions.d/sbx.fish /etc/apparmor.d/sbx /etc/apparmor.d/sbx-default; do
  if [ -f "$f" ]; then ok "installed: $f"; else not_ok "installed: $f"; fi
done
run_sbx /usr/libexec/sbx/sbx-complete "$SBX_DEB" "" image
like "$OUT" '^prune$' "the completion engine lists sbx image's sub-commands"

run dpkg --purge sbx
rc_is 0 "dpkg --purge sbx"
if [ -e "$SBX_DEB" ] || [ -e /usr/libexec/sbx ] || [ -e /etc/apparmor.d/sbx-default ]; then
  not_ok "nothing of the package is left after the purge"
else
  ok "nothing of the package is left after the purge"
fi
exit 0
