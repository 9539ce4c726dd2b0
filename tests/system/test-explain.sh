#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-explain.sh: `sbx explain PROFILE|FILE|NAME [--format json]`: the default profile has no
# risky grant and its syscall groups are listed; firefox's nested user namespaces are flagged,
# its downloads share, D-Bus names, display and sound are listed with their sbx.why lines; a
# profile with every kind of risky grant has each flagged before the other sections; JSON
# parses and has the risky array; a profile's control characters come out escaped; a named
# sandbox's recorded profile; unknown names fail with one line and exit 125, creating nothing.
# Needs no fixture (the named sandbox uses the embedded default image).
set -u
. "$(dirname "$0")/lib.sh"

unset SBX_PROFILE_PATH
export SBX_DATADIR=$TEST_TMP/datadir
USER_DIR=$XDG_CONFIG_HOME/sbx/profiles
mkdir -p "$USER_DIR" "$SBX_DATADIR/profiles"
# The XDG download directory, as xdg-user-dirs writes it: the firefox share names it.
printf 'XDG_DOWNLOAD_DIR="$HOME/Downloads"\n' > "$XDG_CONFIG_HOME/user-dirs.dirs"

# The line number of the first line of $OUT matching ERE (empty: none).
line_of() { printf '%s\n' "$OUT" | grep -n -E -m1 -- "$1" | cut -d: -f1; }

# python3 reads $OUT as JSON and prints what EXPR says about it (d: the document).
json_eval() { printf '%s' "$OUT" | python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# --- default: nothing risky, the syscall groups ---------------------------------------------
run_sbx explain default
rc_is 0 "explain default: exit status 0"
is "$(printf '%s\n' "$OUT" | sed -n '/^Risky grants:$/{n;p;}')" "  none" "default: no risky grants"
[ "$(printf '%s\n' "$OUT" | grep -c '^  ! ')" = 0 ] && ok "default: nothing flagged" || not_ok "default: nothing flagged"
for group in "user namespaces" keyrings bpf perf io_uring mounts kernel clock debugging sockets; do
  like "$OUT" "^  denied: $group \(" "default: the syscall group '$group' is listed"
done
like "$OUT" "^  all other system calls allowed$" "default: everything else is allowed"
unlike "$OUT" "chown|openat" "default: no list of every system call"
like "$OUT" "^  no session bus$" "default: no session bus"
like "$OUT" "^  the internet, through slirp" "default: slirp"
like "$OUT" "^  no_new_privs: on" "default: no_new_privs on"
like "$OUT" "^  AppArmor: profile sbx-default" "default: AppArmor profile"
like "$OUT" "^  hidden: .*/proc/kcore" "default: masked paths hidden"
like "$OUT" "^  none: no limits" "default: no resource limits"

# --- firefox --------------------------------------------------------------------------------
run_sbx explain firefox
rc_is 0 "explain firefox: exit status 0"
like "$OUT" "^  ! can make user namespaces \(browser sandbox\).*\(why: .*user namespace" \
  "firefox: nested user namespaces flagged, with the profile's reason"
like "$OUT" "^  ! can use the GPU directly" "firefox: the GPU flagged"
like "$OUT" "^  $HOME/Downloads \(share xdg-download:rw\): read and write  \(why: save downloads" \
  "firefox: the downloads share, read-write, with its reason"
like "$OUT" "^  reads the host's installed programs \(image \"host\"\), read-only: /usr" "firefox: the host's /usr"
like "$OUT" "^  home: a private home .*/sbx/homes/firefox" "firefox: where its private home is"
like "$OUT" "^  session bus: can talk to org.freedesktop.Notifications  \(why: show notifications\)" \
  "firefox: D-Bus talk names with reasons"
like "$OUT" "^  session bus: can own the name org.mozilla.firefox.\*" "firefox: D-Bus own names"
like "$OUT" "^  no system bus$" "firefox: no system bus"
like "$OUT" "^  Wayland: can show windows" "firefox: Wayland"
like "$OUT" "^  X11 \(untrusted\): can show windows; cannot read other windows" "firefox: untrusted X11"
like "$OUT" "^  PulseAudio: " "firefox: PulseAudio"
like "$OUT" "^  PipeWire: " "firefox: PipeWire"
unlike "$OUT" "! X11 trusted|! host network|! can read and change your whole home" "firefox: nothing else flagged"

# --- every risky grant, flagged before the rest ---------------------------------------------
cat > "$USER_DIR/risky.json" <<'EOF'
{
  "sbx": {
    "description": "risky \u001b[31mred\u0007 profile",
    "include": ["default"],
    "home": "host",
    "desktop": { "x11": "trusted" },
    "network": { "mode": "host" },
    "dbus": { "session": { "talk": ["org.freedesktop.*"] } },
    "why": {
      "home": "needs \u001b]0;title\u0007 everything",
      "desktop.x11": "an old app",
      "mounts /host-etc": "edits the host's configuration",
      "process.terminal": "a terminal"
    }
  },
  "process": {
    "capabilities": {
      "bounding": ["CAP_CHOWN", "CAP_SYS_ADMIN"],
      "effective": ["CAP_CHOWN", "CAP_SYS_ADMIN"],
      "permitted": ["CAP_CHOWN", "CAP_SYS_ADMIN"]
    }
  },
  "mounts": [
    { "destination": "/host-etc", "type": "bind", "source": "/etc", "options": ["rbind", "rw"] }
  ]
}
EOF
run_sbx explain risky
rc_is 0 "explain risky: exit status 0"
files_line=$(line_of '^Files:$')
check "risky: a Files section" test -n "$files_line"
for pair in "home|^  ! can read and change your whole home.*sbx.home: host" \
            "x11|^  ! X11 trusted: can read other windows' input and contents" \
            "network|^  ! host network: reaches services on your 127.0.0.1" \
            "bind|^  ! can change host files outside your home: /etc \(bind mount on /host-etc\)" \
            "capability|^  ! capability CAP_SYS_ADMIN beyond the default set" \
            "dbus|^  ! can talk to a broad set of D-Bus services \(session bus: org.freedesktop.\*\)"; do
  what=${pair%%|*} re=${pair#*|}
  n=$(line_of "$re")
  if [ -n "$n" ] && [ -n "$files_line" ] && [ "$n" -lt "$files_line" ]; then
    ok "risky: $what flagged before the other sections"
  else
    not_ok "risky: $what flagged before the other sections" "line ${n:-none} vs Files at ${files_line:-none}"
    last_run_diag
  fi
done
like "$OUT" "^  /etc -> /host-etc: read and write  \(why: edits the host's configuration\)" "risky: the bind in Files"
like "$OUT" "^  home: your real home $HOME, read and write" "risky: the real home in Files"
like "$OUT" "^  beyond the default set: CAP_SYS_ADMIN" "risky: the extra capability in Privileges"
like "$OUT" "^  process.terminal  \(why: a terminal\)" "risky: a why line no fact claims, under its key"
# Control characters of the profile's description and why lines: escaped, never raw.
like "$OUT" '^profile risky: risky \\e\[31mred\\a profile$' "risky: the description escaped"
like "$OUT" 'why: needs \\e\]0;title\\a everything' "risky: the why line escaped"
if printf '%s' "$OUT" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; then
  not_ok "risky: no raw control character in the output"
else
  ok "risky: no raw control character in the output"
fi

# --- JSON -----------------------------------------------------------------------------------
run_sbx explain --format json risky
rc_is 0 "explain --format json risky: exit status 0"
is "$(json_eval '" ".join(sorted(set(r["id"] for r in d["risky"])))')" \
  "capability dbus-broad home-host host-write network-host x11-trusted" "json: the risky array"
is "$(json_eval '" ".join(k for k in ["files", "devices", "network", "dbus", "display", "privileges", "syscalls", "limits"] if isinstance(d[k], list))')" \
  "files devices network dbus display privileges syscalls limits" "json: a list of facts per section"
is "$(json_eval '[f["access"] for f in d["files"] if f.get("kind") == "bind"][0]')" "rw" "json: the bind's access"
is "$(json_eval 'd["description"]')" $'risky \e[31mred\a profile' "json: the description as it is (JSON escapes it)"
run_sbx explain --format json firefox
is "$(json_eval '"nested-userns" in [r["id"] for r in d["risky"]]')" "True" "json: firefox's nested user namespaces"
is "$(json_eval '[f["why"] for f in d["dbus"] if f.get("name") == "org.freedesktop.Notifications"][0]')" \
  "show notifications" "json: a D-Bus name with its why"
run_sbx explain --format json default
is "$(json_eval 'len(d["risky"])')" "0" "json: default has no risky grant"
like "$(json_eval '" ".join(f["group"] for f in d["syscalls"] if "group" in f)')" "user namespaces.*keyrings.*bpf" \
  "json: default's syscall groups"

# --- a profile file, a named sandbox --------------------------------------------------------
cp "$USER_DIR/risky.json" "$W/risky-file.json"
run_sbx explain "$W/risky-file.json"
like "$OUT" "^  ! X11 trusted" "a profile file by path"
run_sbx run --name explained --profile offline default true
if [ "$RC" = 0 ]; then
  run_sbx explain explained
  rc_is 0 "explain NAME of a sandbox: exit status 0"
  like "$OUT" "^sandbox explained" "a sandbox's recorded profile: says it is a sandbox"
  like "$OUT" "^  no network: only the sandbox's own loopback" "a sandbox's recorded profile: its network"
else
  skip "explain NAME of a sandbox" "sbx run --name failed here: $(printf '%s' "$ERR" | head -n 1)"
fi

# --- errors ---------------------------------------------------------------------------------
rm -rf "$STORE"
run_sbx explain no-such-thing
check_sbx_error "explain of an unknown name" "no profile or sandbox named 'no-such-thing'"
check "explain of an unknown name: no store created" test ! -e "$STORE"
run_sbx explain "$W/missing.json"
check_sbx_error "explain of a missing file"
run_sbx explain --format yaml default
check_sbx_error "explain --format yaml" "unknown format"
run_sbx explain
check_sbx_error "explain without an argument" "expected PROFILE or NAME"
run_sbx explain $'bad\e[31mname'
check_sbx_error "explain of a name with control characters" 'bad\\e\[31mname'

done_testing
