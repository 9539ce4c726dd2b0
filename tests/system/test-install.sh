#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-install.sh: `meson install --destdir` stages everything a user needs (sbx, sbx-import,
# the profiles, the AppArmor profiles, the man pages, the completions), and the staged sbx,
# run from there, finds its files under the staged prefix: profiles from <datadir>/sbx, layers
# unpacked by <libexecdir>/sbx/sbx-import (nothing is beside it), a sandbox run.
set -u
. "$(dirname "$0")/lib.sh"

build=$SBX_TESTS_BUILDDIR/..
stage=$W/stage
if ! command -v meson >/dev/null; then
  skip "meson install --destdir" "meson is not on PATH"
  done_testing
  exit 0
fi
run_cmd meson install -C "$build" --no-rebuild --destdir "$stage"
rc_is 0 "meson install --destdir stages the build"
prefix=$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
root=$stage$prefix
staged_sbx=$root/bin/sbx

for f in bin/sbx libexec/sbx/sbx-import libexec/sbx/sbx-complete share/sbx/profiles/default.json \
         share/man/man1/sbx.1 share/man/man1/sbx-run.1 share/man/man1/sbx-image-import.1 \
         share/man/man5/sbx-profile.5 share/man/man5/sbx-storage.conf.5 share/man/man5/sbx-registries.conf.5 \
         share/zsh/vendor-completions/_sbx; do
  if [ -f "$root/$f" ]; then ok "installed: $f"; else not_ok "installed: $f" "not in $root"; fi
done
ls "$root"/share/bash-completion/completions/sbx "$root"/share/fish/vendor_completions.d/sbx.fish >/dev/null 2>&1 &&
  ok "installed: the bash and fish completions" || not_ok "installed: the bash and fish completions"
apparmor=$(find "$stage" -path '*/apparmor.d/sbx-default' | head -n 1)
[ -n "$apparmor" ] && ok "installed: the AppArmor profiles ($apparmor)" || not_ok "installed: the AppArmor profiles"
setid=$(find "$stage" -type f -perm /6000)
is "$setid" "" "nothing staged is setuid or setgid"

unset SBX_DATADIR SBX_PROFILE_PATH
run_cmd "$staged_sbx" profile ls
rc_is 0 "the staged sbx lists profiles"
like "$OUT" "^firefox +$root/share/sbx/profiles/firefox\\.json " "the staged sbx finds its profiles under the staged prefix"

[ ! -e "$root/bin/sbx-import" ] && ok "no sbx-import beside the staged sbx" || not_ok "no sbx-import beside the staged sbx"
run_cmd "$staged_sbx" image import "oci-archive:$build/data/default-image.tar" staged
rc_is 0 "the staged sbx imports an image through the staged libexec/sbx/sbx-import"
run_cmd "$staged_sbx" run staged true
rc_is 0 "the staged sbx runs a sandbox of that image"
run_cmd "$staged_sbx" image rm staged
done_testing
