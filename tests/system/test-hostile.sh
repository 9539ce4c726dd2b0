#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-hostile.sh: hostile images and terminals.  Layers with an absolute path, "..",
# a write through a symlink to a host directory, a hardlink to /etc/passwd, a blob that
# does not match its digest, and hostile JSON (hostile-json.py): each import fails (125, an error naming the entry), creates
# nothing outside the store, and leaves image ls and layers/ unchanged.  And the sandbox has no
# controlling terminal: /dev/tty cannot be opened and TIOCSTI fails even when sbx's stdio is a tty.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if need busybox; then setup_image busybox bb; fi

passwd_sum=$(sha256sum /etc/passwd)
ls_before=$(store_names)
layers_before=$(store_layer_dirs)

# Files named like the hostile entries anywhere they could land.
find_strays() {
  find "$TEST_TMP" "$F" \( -name 'escape*' -o -name 'pwned*' -o -name 'passwd-link' \) 2>/dev/null
  find "${TMPDIR:-/tmp}" /tmp /var/tmp -maxdepth 2 -name 'escape-dotdot' 2>/dev/null
}

# hostile_import FIXTURE ERE-the-error-must-match DESC
hostile_import() {
  local fx=$1 re=$2 desc=$3
  if ! need "$fx"; then
    skip "$desc" "$SKIP_REASON"
    return
  fi
  rm -f "$HOSTILE_ABS_TARGET" "$HOSTILE_DEEP_TARGET" 2>/dev/null
  rm -rf "${HOSTILE_HOSTDIR:?}/"* 2>/dev/null
  local stray_before
  stray_before=$(find_strays)
  run_sbx image import "oci:$F/$fx:latest" "$fx"
  check_sbx_error "$desc" "$re"
  local leaks=
  [ -e "$HOSTILE_ABS_TARGET" ] && leaks="$leaks $HOSTILE_ABS_TARGET"
  [ -e "$HOSTILE_DEEP_TARGET" ] && leaks="$leaks $HOSTILE_DEEP_TARGET"
  [ -n "$(ls -A "$HOSTILE_HOSTDIR" 2>/dev/null)" ] && leaks="$leaks $HOSTILE_HOSTDIR/$(ls -A "$HOSTILE_HOSTDIR")"
  [ "$(sha256sum /etc/passwd)" != "$passwd_sum" ] && leaks="$leaks /etc/passwd-changed"
  local stray
  stray=$(find_strays)
  [ "$stray" != "$stray_before" ] && leaks="$leaks $stray"
  is "${leaks:-none}" "none" "$desc: nothing created or changed outside the store"
  is "$(store_names)" "$ls_before" "$desc: image ls unchanged"
  is "$(store_layer_dirs)" "$layers_before" "$desc: no new layer directory"
}

hostile_import hostile-abs "sbx-fixture-pwned-abs" "layer with an absolute path ($HOSTILE_ABS_TARGET)"
hostile_import hostile-dotdot "escape-dotdot|\.\." "layer with ../../escape-dotdot"
hostile_import hostile-dotdot-deep "sbx-fixture-pwned-dotdot|\.\." "layer with a/../../(x24)$HOSTILE_DEEP_TARGET"
hostile_import hostile-symlink "evil" "layer writing evil/pwned through symlink evil -> $HOSTILE_HOSTDIR"
hostile_import hostile-symlink-rel "evil" "layer writing evil/pwned through symlink evil -> ../(x24)$HOSTILE_HOSTDIR"
hostile_import hostile-hardlink "passwd" "layer with a hardlink to /etc/passwd"
hostile_import hostile-hardlink-dotdot "passwd" "layer with a hardlink to ../(x24)etc/passwd"
hostile_import hostile-digest "sha256|digest|diff_id" "layout whose layer blob (right size, one byte changed) does not match its digest"
hostile_import hostile-digest-size "sha256|digest|size" "layout whose layer blob has another size and digest"
rm -rf "${HOSTILE_HOSTDIR:?}/"* 2>/dev/null

# Control: the same layout, uncorrupted, imports (so the failure above is the digest's).
if need hostile-digest-intact; then
  run_sbx image import "oci:$F/hostile-digest-intact:latest" intact
  rc_is 0 "control: the uncorrupted twin of the digest fixture imports"
  run_sbx image rm intact
fi

# --- hostile JSON ------------------------------------------------------------------------------
# Hand-assembled layouts (hostile-json.py): nesting 100,000 deep, index/manifest confusion,
# \u0000 in config strings, Env without '=': each refused (125, one line naming the field),
# nothing added to the store.  "good" (the same layout, sane JSON) must import.
hj_dir=$TEST_TMP/hostile-json
mkdir -p "$hj_dir"
while read -r hj_case hj_re; do
  if [ "$hj_case" = good ]; then
    run_sbx image import "oci:$hj_dir/good:latest" hj-good
    rc_is 0 "hostile JSON control: the same layout with sane JSON imports"
    run_sbx image rm hj-good
    continue
  fi
  run_sbx image import "oci:$hj_dir/$hj_case:latest" "hj-$hj_case"
  check_sbx_error "hostile JSON $hj_case" "$hj_re"
  unlike "$ERR" 'GLib|Segmentation' "hostile JSON $hj_case: no GLib warning, no crash"
  is "$(store_names)" "$ls_before" "hostile JSON $hj_case: image ls unchanged"
  is "$(store_layer_dirs)" "$layers_before" "hostile JSON $hj_case: no new layer directory"
done < <(python3 "$SBX_TESTS_SRCDIR/system/hostile-json.py" "$hj_dir")

# --- terminals ----------------------------------------------------------------------------------
if ! need tools; then
  skip "no controlling terminal in the sandbox" "$SKIP_REASON"
else
  setup_image tools tools
  run_sbx run tools /bin/ttyprobe
  like "$OUT" '^devtty=(ENXIO|ENOENT|EACCES|EPERM|EIO)$' "without a tty, /dev/tty cannot be opened inside"

  # With a pty as sbx's stdin/stdout/stderr (script(1) makes one, as a terminal session would).
  if ! command -v script >/dev/null; then
    skip "TIOCSTI with a terminal" "script(1) not found (install bsdutils)"
  else
    # The tty echoes an injected NUL as "^@": keep only the probe's key=value words.
    probe_words() { tr -d '\r' | grep -oE '(devtty|tiocsti[0-9])=[A-Za-z]+'; }
    control=$(timeout 30 script -qec "$F/ttyprobe.host" /dev/null 2>&1 | probe_words)
    inside=$(timeout 60 script -qec "$(printf '%q ' "$SBX" run tools /bin/ttyprobe)" /dev/null 2>&1 | probe_words)
    LAST_CMD="script -qec 'sbx run tools /bin/ttyprobe' /dev/null"; RC="(not recorded)"; OUT=$inside; ERR=
    diag "host control under a pty: $(echo $control)" "inside under a pty: $(echo $inside)"
    if ! printf '%s\n' "$control" | grep -qx 'devtty=ok'; then
      skip "no controlling terminal inside even when sbx has one" "control failed: the host helper under script(1) has no tty: $(echo $control)"
    else
      like "$inside" '^devtty=(ENXIO|ENOENT|EACCES|EPERM|EIO)$' "with a pty on sbx's stdio, /dev/tty cannot be opened inside (no controlling terminal)"
    fi
    if ! printf '%s\n' "$control" | grep -qx 'tiocsti0=ok'; then
      skip "TIOCSTI fails inside" "TIOCSTI fails on the host too (dev.tty.legacy_tiocsti=0?), so sbx's part cannot be seen: $(echo $control)"
    else
      words=$(printf '%s\n' "$inside" | grep '^tiocsti')
      if [ "$(printf '%s\n' "$words" | grep -c .)" = 3 ] && ! printf '%s\n' "$words" | grep -q '=ok$'; then
        ok "TIOCSTI on sbx's terminal fails inside on fds 0-2 (it works for the host control): $(echo $words)"
      else
        not_ok "TIOCSTI on sbx's terminal fails inside on fds 0-2 (it works for the host control)"
        last_run_diag
      fi
    fi
  fi
fi

# --- images whose /proc, /dev or /sys is a symlink (the CVE-2019-19921 class) ---------------
# A symlink where sbx mounts must be refused, not followed: followed, /proc would be mounted
# on the image's choice of directory, or on a host path.
for d in proc dev sys; do
  desc="an image whose /$d is a symlink to /etc: refused (125, names /$d), nothing runs"
  if ! need busybox || ! command -v umoci >/dev/null; then
    skip "$desc" "${SKIP_REASON:-umoci not installed}"
    continue
  fi
  lay=$W/symlinked-$d
  cp -a "$F/busybox" "$lay"
  if ! umoci unpack --rootless --image "$lay:latest" "$W/bundle-$d" > "$W/umoci-$d.log" 2>&1 ||
     ! rm -rf "$W/bundle-$d/rootfs/$d" || ! ln -s /etc "$W/bundle-$d/rootfs/$d" ||
     ! umoci repack --image "$lay:latest" "$W/bundle-$d" >> "$W/umoci-$d.log" 2>&1 ||
     ! "$SBX" image import "oci:$lay:latest" "symlinked-$d" > /dev/null 2>> "$W/umoci-$d.log"; then
    not_ok "$desc" "could not build the image: $(tail -n 3 "$W/umoci-$d.log")"
    continue
  fi
  run_sbx run "symlinked-$d" sh -c 'echo command-ran'
  if [ "$RC" = 125 ] && printf '%s' "$ERR" | grep -q "/$d" && ! printf '%s' "$OUT" | grep -q command-ran; then
    ok "$desc"
  else
    not_ok "$desc"; last_run_diag
  fi
done

# --- sbx's own init (PID 1 inside, the sbx binary) is out of the command's reach ------------
# The runc /proc/self/exe overwrite (CVE-2019-5736) went through the runtime's process: here
# init is not dumpable, so its exe, fds, environment and root cannot be opened from inside.
if need busybox; then
  run_sbx run bb sh -c '
    cat /proc/1/environ > /dev/null 2>&1 && echo "read:environ"
    cat /proc/1/exe > /dev/null 2>&1 && echo "read:exe"
    readlink /proc/1/exe > /dev/null 2>&1 && echo "readlink:exe"
    ls /proc/1/fd/ > /dev/null 2>&1 && echo "list:fd"
    cat /proc/1/root/etc/passwd > /dev/null 2>&1 && echo "read:root"
    (echo x >> /proc/1/exe) 2>/dev/null && echo "write:exe"
    echo checked'
  if [ "$RC" = 0 ] && [ "$OUT" = checked ]; then
    ok "init's /proc/1/{exe,fd,environ,root} cannot be opened, nor its exe written, from inside"
  else
    not_ok "init's /proc/1/{exe,fd,environ,root} cannot be opened from inside"; last_run_diag
  fi
else
  skip "init's /proc/1 is out of reach" "$SKIP_REASON"
fi

done_testing
