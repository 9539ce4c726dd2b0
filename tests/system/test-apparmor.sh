#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-apparmor.sh: the shipped AppArmor profiles (data/apparmor/) parse with apparmor_parser
# (parse only: -Q, nothing loaded, so no root needed), and process.apparmorProfile where the
# kernel has no AppArmor: sbx.apparmor.ifUnavailable "warn" warns once and runs, "ignore"
# runs quietly, "fail" exits 125 and starts nothing.  Where the kernel has AppArmor, the
# missing-profile cases run instead, and a loaded sbx-default is checked from inside.
# The guest VM (a later issue) loads the profiles and tests their confinement for real.
set -u
. "$(dirname "$0")/lib.sh"

AA_SRC=$SBX_TESTS_SRCDIR/../data/apparmor
AA_BUILD=${SBX_TESTS_BUILDDIR:+$SBX_TESTS_BUILDDIR/../data/apparmor}
ABI_DIR=/etc/apparmor.d/abi

# apparmor_parser lives in /sbin, which a user's PATH often lacks.
PARSER=$(PATH=$PATH:/sbin:/usr/sbin command -v apparmor_parser)

# Parses FILE without loading it.  With the abi the file declares as the kernel's features
# and every warning on, a rule the kernel would not enforce shows up as a warning.
parse_profile() { # FILE [EXTRA ARGS...]
  local file=$1
  shift
  run_cmd "$PARSER" --skip-kernel-load --skip-cache "$@" "$file"
}

declared_abi() { sed -n 's/^abi <abi\/\([^>]*\)>,.*/\1/p' "$1" | head -n 1; }

check_profile_file() { # FILE NAME [OTHER PROFILES OF THE FILE...]
  local file=$1 name=$2 abi
  parse_profile "$file"
  rc_is 0 "apparmor_parser -Q accepts $name"
  parse_profile "$file" --names
  is "$(printf '%s\n' "$OUT" | sort | tr '\n' ' ')" "$(printf '%s\n' "${@:2}" | sort | tr '\n' ' ')" \
    "$name: the file defines the profiles ${*:2}"
  abi=$(declared_abi "$file")
  if [ -z "$abi" ]; then
    not_ok "$name declares its abi"
  elif [ ! -f "$ABI_DIR/$abi" ]; then
    skip "$name: every rule enforced under abi $abi" "$ABI_DIR/$abi missing"
  else
    parse_profile "$file" --kernel-features "$ABI_DIR/$abi" --warn=all
    if [ "$RC" = 0 ] && ! printf '%s\n' "$ERR" | grep -q '^Warning'; then
      ok "$name: every rule enforced under abi $abi (no parser warning)"
    else
      not_ok "$name: every rule enforced under abi $abi (no parser warning)"
      last_run_diag
    fi
  fi
}

# --- the profiles parse ---------------------------------------------------------------------
if [ -z "$PARSER" ]; then
  skip "shipped AppArmor profiles parse" "apparmor_parser not found (Debian package apparmor)"
elif [ -z "$AA_BUILD" ] || [ ! -f "$AA_BUILD/sbx" ]; then
  not_ok "the configured sbx profile exists" "not found: ${AA_BUILD:-\$SBX_TESTS_BUILDDIR unset}/sbx"
else
  check_profile_file "$AA_BUILD/sbx" sbx sbx-nouserns
  check_profile_file "$AA_SRC/sbx-default" sbx-default

  is "$(grep -c '@[A-Z_]*@' "$AA_BUILD/sbx")" 0 "sbx: every @VARIABLE@ of sbx.in substituted"
  like "$(grep '^@{sbx_binaries}' "$AA_BUILD/sbx")" '^@\{sbx_binaries\} = "/[^"]*/sbx" "/[^"]*/sbx-import"$' \
    "sbx: attaches to the installed sbx and sbx-import"
  like "$(grep '^profile sbx ' "$AA_BUILD/sbx")" 'flags=\(unconfined\)' \
    "sbx: sbx itself stays unconfined (the profile only grants user namespaces)"
  # sbx-nouserns, what the command runs under (alone or stacked) unless its profile grants
  # user namespaces: no userns rule, no way out to another profile, and not unconfined.
  nouserns=$(sed -n '/^profile sbx-nouserns /,/^}/p' "$AA_BUILD/sbx" | sed 's/#.*//')
  like "$nouserns" '^profile sbx-nouserns flags=\(attach_disconnected, mediate_deleted\) \{' \
    "sbx-nouserns: enforcing (not unconfined, which would deny nothing)"
  if printf '%s\n' "$nouserns" | grep -Eq '(^|[[:space:]])(userns|change_profile|all)[[:space:],]'; then
    not_ok "sbx-nouserns: no userns, change_profile or all rule" "$nouserns"
  else
    ok "sbx-nouserns: no userns, change_profile or all rule"
  fi
  # The rule is there exactly when this parser knows it (meson asked the same question).
  parse_profile "$AA_SRC/userns-probe"
  if [ "$RC" = 0 ]; then
    like "$(cat "$AA_BUILD/sbx")" '^  userns,$' "sbx: grants userns (this parser knows the rule)"
  else
    like "$(cat "$AA_BUILD/sbx")" '^  # userns,' \
      "sbx: userns rule commented out (this parser does not know it, so neither does its policy)"
  fi
fi

# --- process.apparmorProfile at run time ------------------------------------------------------
# AppArmor enabled as libapparmor's aa_is_enabled() sees it.
aa_enabled=no
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] &&
   [ -d /sys/kernel/security/apparmor ]; then
  aa_enabled=yes
fi
diag "AppArmor enabled in this kernel: $aa_enabled"

if [ "$aa_enabled" = no ]; then
  # sbx-default is shipped, but here no profile can be loaded.
  target=sbx-default
  why="AppArmor is not enabled on this host"
else
  target=sbx-test-no-such-profile
  why="no profile of that name is loaded in the kernel"
fi

# A profile over "default" with the given ifUnavailable and apparmorProfile.
write_profile() { # FILE POLICY PROFILE
  cat >"$1" <<EOF
{
  "sbx": { "include": ["default"], "apparmor": { "ifUnavailable": "$2" } },
  "process": { "apparmorProfile": "$3" }
}
EOF
}
mkdir -p "$W/out"
write_profile "$W/aa-warn.json" warn "$target"
write_profile "$W/aa-ignore.json" ignore "$target"
write_profile "$W/aa-fail.json" fail "$target"

run_sbx profile validate "$W/aa-fail.json"
is "$OUT" "$W/aa-fail.json: ok" "profile validate accepts sbx.apparmor.ifUnavailable \"fail\""

# warn: one line, then the command runs.
run_sbx run --profile "$W/aa-warn.json" default true
rc_is 0 "ifUnavailable \"warn\": the command runs"
is "$(count_lines "$ERR")" 1 "ifUnavailable \"warn\": one line on stderr"
like "$ERR" "^sbx: warning: apparmorProfile '$target': $why" "ifUnavailable \"warn\": the line says why"

# ignore: quietly.
run_sbx run --profile "$W/aa-ignore.json" default true
rc_is 0 "ifUnavailable \"ignore\": the command runs"
is "$ERR" "" "ifUnavailable \"ignore\": nothing on stderr"

# fail: exit 125, one line, nothing started.
rm -f "$W/out/started"
run_sbx run --profile "$W/aa-fail.json" -v "$W/out:/out" default touch /out/started
check_sbx_error "ifUnavailable \"fail\"" "apparmorProfile '$target': $why"
check "ifUnavailable \"fail\": the command never started" test ! -e "$W/out/started"

# The same profile with the command line's apparmor=unconfined: no AppArmor asked, it runs.
run_sbx run --profile "$W/aa-fail.json" --security-opt apparmor=unconfined -v "$W/out:/out" default touch /out/started
rc_is 0 "--security-opt apparmor=unconfined overrides the profile's apparmorProfile"
is "$ERR" "" "--security-opt apparmor=unconfined: nothing on stderr"
check "--security-opt apparmor=unconfined: the command ran" test -e "$W/out/started"

# --security-opt apparmor=NAME replaces the profile name; the policy stays the profile's.
run_sbx run --profile "$W/aa-warn.json" --security-opt apparmor=sbx-test-other default true
rc_is 0 "--security-opt apparmor=NAME under \"warn\": the command runs"
like "$ERR" "^sbx: warning: apparmorProfile 'sbx-test-other': " "--security-opt apparmor=NAME names the profile checked"
run_sbx run --profile "$W/aa-fail.json" --security-opt apparmor=sbx-test-other default true
check_sbx_error "--security-opt apparmor=NAME under \"fail\"" "apparmorProfile 'sbx-test-other': "

# The shipped default profile asks for sbx-default, quietly ("ignore") where it cannot be had.
run_sbx run default true
rc_is 0 "the default profile runs"
run_sbx run --security-opt apparmor=sbx-default default true
rc_is 0 "the default profile with --security-opt apparmor=sbx-default runs"
if [ "$aa_enabled" = no ]; then
  is "$ERR" "" "the default profile: no AppArmor here, and no word about it"
fi
# Under "warn", a silent run means the profile is loaded: then the command is in it.
run_sbx run --profile "$W/aa-warn.json" --security-opt apparmor=sbx-default default cat /proc/self/attr/current
if [ "$aa_enabled" = yes ] && [ -z "$ERR" ]; then
  like "$OUT" '^sbx-default \(enforce\)' "the command runs under sbx-default (loaded here)"
else
  skip "the command runs under sbx-default" "sbx-default is not loaded here (AppArmor: $aa_enabled)"
fi

# A bad policy is a profile error.
cat >"$W/aa-bad.json" <<'EOF'
{
  "sbx": { "include": ["default"], "apparmor": { "ifUnavailable": "maybe" } }
}
EOF
run_sbx profile validate "$W/aa-bad.json"
check_sbx_error "ifUnavailable \"maybe\"" "aa-bad\.json:2:[0-9]+: sbx\.apparmor\.ifUnavailable: must be"

done_testing
