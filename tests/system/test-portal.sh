#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-portal.sh: the portals know a sandbox by its profile's sbx.appId (launcher/portal-id.h)
# and its files come through the document portal (launcher/doc-portal.h).
#
# A private session bus (dbus-daemon --session, XDG_RUNTIME_DIR a private directory) whose
# activation starts xdg-desktop-portal, xdg-document-portal (FUSE on $XDG_RUNTIME_DIR/doc)
# and xdg-desktop-portal-gtk on an Xvfb display.  The sandboxes run the host image with
# profiles that include "desktop":
#   1. with an app id the document portal refuses the app its host-only methods (Lookup: "Not
#      allowed in sandbox"); without one it answers it as a host app (the old behaviour);
#   2. a document exported to the app id (AddFull, as the file chooser does after a pick) is
#      readable inside at /run/user/UID/doc/DOCID/NAME, not writable, and a document not
#      granted to it is not there;
#   3. the file chooser: OpenFile from inside, the GTK dialog driven with xdotool, the answer a
#      document path readable inside;
#   4. OpenURI from inside launches the host's http handler (a recorder .desktop file).
. "$(dirname "$0")/lib.sh"

APP_ID=org.sbx.PortalTest
missing=
for f in /usr/libexec/xdg-desktop-portal /usr/libexec/xdg-document-portal /usr/bin/dbus-daemon /usr/bin/gdbus \
         /usr/bin/xdg-dbus-proxy /usr/bin/fusermount3; do
  [ -x "$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
  echo "1..0 # SKIP missing:$missing (setup.sh's PKGS_TEST: xdg-desktop-portal, libglib2.0-bin, xdg-dbus-proxy, fuse3)"
  exit 0
fi
if [ ! -r /dev/fuse ] || [ ! -w /dev/fuse ]; then
  echo "1..0 # SKIP /dev/fuse is not read-write for $MY_USER: the document portal cannot mount"
  exit 0
fi
if [ -z "${PORTAL_CLIENT:-}" ] || [ ! -x "$PORTAL_CLIENT" ]; then
  echo "Bail out! PORTAL_CLIENT='${PORTAL_CLIENT:-}' is not the portal-client program"
  exit 1
fi

P=$TEST_TMP/portal
mkdir -p "$P/rt" "$XDG_CONFIG_HOME/sbx/profiles" "$XDG_DATA_HOME/applications"
chmod 0700 "$P/rt"
export XDG_RUNTIME_DIR=$P/rt
export XDG_CURRENT_DESKTOP=GNOME GDK_BACKEND=x11 NO_AT_BRIDGE=1 GTK_USE_PORTAL=0
unset WAYLAND_DISPLAY DISPLAY

DBUS_PID=
XVFB_PID=
portal_cleanup() {
  local p
  if [ -n "$DBUS_PID" ]; then
    for p in $(ps -o pid= --ppid "$DBUS_PID" 2>/dev/null); do kill "$p" 2>/dev/null; done
    kill "$DBUS_PID" 2>/dev/null
  fi
  fusermount3 -u -z "$P/rt/doc" 2>/dev/null
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
  _cleanup
}
trap portal_cleanup EXIT

# The display for the GTK backend (the file chooser's and the app chooser's dialogs).
if command -v Xvfb >/dev/null; then
  Xvfb -displayfd 9 -nolisten tcp -screen 0 1024x768x24 9>"$P/display" 2>"$P/xvfb.log" &
  XVFB_PID=$!
  for _ in $(seq 50); do [ -s "$P/display" ] && break; sleep 0.1; done
  [ -s "$P/display" ] && export DISPLAY=:$(cat "$P/display")
fi

# The host's http handler: a recorder, the default for http and https, so no dialog appears.
cat > "$P/recorder" <<EOF
#!/bin/sh
printf '%s\n' "\$1" >> "$P/opened"
EOF
chmod +x "$P/recorder"
cat > "$XDG_DATA_HOME/applications/sbx-test-recorder.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=sbx test recorder
Exec=$P/recorder %u
MimeType=x-scheme-handler/http;x-scheme-handler/https;
EOF
printf '[Default Applications]\nx-scheme-handler/http=sbx-test-recorder.desktop\nx-scheme-handler/https=sbx-test-recorder.desktop\n' \
  > "$XDG_CONFIG_HOME/mimeapps.list"

dbus-daemon --session --fork --address="unix:path=$XDG_RUNTIME_DIR/bus" --print-pid=8 8>"$P/dbus.pid" \
  >/dev/null 2>"$P/dbus.log"
DBUS_PID=$(cat "$P/dbus.pid")
export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus

printf '{"sbx": {"include": ["desktop"], "appId": "%s"}}\n' "$APP_ID" > "$XDG_CONFIG_HOME/sbx/profiles/ptest.json"
printf '{"sbx": {"include": ["desktop"]}}\n' > "$XDG_CONFIG_HOME/sbx/profiles/pnoid.json"

# --- 1. identification --------------------------------------------------------------------
LOOKUP='gdbus call --session -d org.freedesktop.portal.Documents -o /org/freedesktop/portal/documents -m org.freedesktop.portal.Documents.Lookup "b'"'"'/etc/hostname'"'"'"'
run_sbx --log-level=debug run --profile ptest host sh -c "$LOOKUP"
# GDBus's worker thread outlives its connection: the lookup runs in a child of its own.
like "$ERR" 'supervisor: spawn: setup process [0-9]+, forked from 1 thread$' \
  "after asking the document portal, sbx is still a single thread when it forks the sandbox"
if printf '%s\n' "$ERR" | grep -q 'Not allowed in sandbox'; then
  ok "with sbx.appId: the document portal treats the app as sandboxed (Lookup: Not allowed in sandbox)"
else
  not_ok "with sbx.appId: the document portal treats the app as sandboxed (Lookup: Not allowed in sandbox)"
  last_run_diag
fi
run_sbx run --profile pnoid host sh -c "$LOOKUP"
if [ "$RC" = 0 ] && [ "$OUT" = "('',)" ]; then
  ok "without sbx.appId: the document portal answers the app as one of the host's (control)"
else
  not_ok "without sbx.appId: the document portal answers the app as one of the host's (control)"
  last_run_diag
fi

# --- 2. documents -------------------------------------------------------------------------
echo "granted content" > "$P/granted.txt"
echo "secret content" > "$P/secret.txt"
if ! GRANTED=$("$PORTAL_CLIENT" export "$APP_ID" "$P/granted.txt" read 2>"$P/export.err") ||
   ! SECRET=$("$PORTAL_CLIENT" export "" "$P/secret.txt" 2>>"$P/export.err"); then
  not_ok "the host exports two documents through the document portal" "$(cat "$P/export.err")"
else
  ok "the host exports two documents through the document portal ($GRANTED for $APP_ID, $SECRET for none)"
  run_sbx run --profile ptest host sh -c "cat /run/user/$MY_UID/doc/$GRANTED/granted.txt
    ls /run/user/$MY_UID/doc | tr '\n' ' '; echo
    ls /run/user/$MY_UID/doc/$SECRET >/dev/null 2>&1 && echo secret-visible || echo secret-absent
    (echo x > /run/user/$MY_UID/doc/$GRANTED/granted.txt) 2>/dev/null && echo written || echo not-written"
  is "$(printf '%s\n' "$OUT" | sed -n 1p)" "granted content" "a document exported to the app id is readable inside at /run/user/UID/doc/DOCID/NAME"
  is "$(printf '%s\n' "$OUT" | sed -n 2p)" "$GRANTED " "/run/user/UID/doc inside lists the app's document only"
  is "$(printf '%s\n' "$OUT" | sed -n 3p)" "secret-absent" "a document not granted to the app is not there"
  is "$(printf '%s\n' "$OUT" | sed -n 4p)" "not-written" "a document granted read only cannot be written"
  is "$(cat "$P/granted.txt")" "granted content" "the host's file is unchanged"
fi

# --- 3. the file chooser ------------------------------------------------------------------
if [ -z "${DISPLAY:-}" ] || ! command -v xdotool >/dev/null || [ ! -x /usr/libexec/xdg-desktop-portal-gtk ]; then
  skip "the file chooser: a file picked in the GTK dialog is readable inside" \
    "needs Xvfb, xdotool and xdg-desktop-portal-gtk"
else
  echo "picked content" > "$P/picked.txt"
  # portal-client is bound in; the host image has the libraries it links.
  PICK='/sbx-test/portal-client pick sbx-pick > /tmp/pick || exit 3
    cat /tmp/pick; uri=$(sed -n "s/^file:/file:/p" /tmp/pick | head -1)
    echo "uri=$uri"
    cat "${uri#file://}"'
  # An ASan build of portal-client: LeakSanitizer cannot stop the world inside the sandbox
  # (no ptrace there), so its leak check stays off in it.
  timeout -k 5 70 "$SBX" run -e ASAN_OPTIONS=detect_leaks=0 -v "$(dirname "$PORTAL_CLIENT"):/sbx-test:ro" --profile ptest host sh -c "$PICK" \
    >"$W/pick.out" 2>"$W/pick.err" &
  SBX_PID=$!
  win=
  for _ in $(seq 60); do
    win=$(xdotool search --name '^sbx-pick$' 2>/dev/null | head -1)
    [ -n "$win" ] && break
    sleep 0.5
  done
  if [ -n "$win" ]; then
    sleep 1
    xdotool windowfocus --sync "$win" 2>/dev/null
    xdotool key --window "$win" ctrl+l
    sleep 0.5
    xdotool type --delay 30 "$P/picked.txt"
    sleep 0.5
    xdotool key Return
  fi
  wait "$SBX_PID"
  RC=$?
  OUT=$(cat "$W/pick.out") ERR=$(cat "$W/pick.err")
  uri=$(printf '%s\n' "$OUT" | sed -n 's/^uri=//p')
  if [ -z "$win" ]; then
    not_ok "the file chooser's dialog appeared (window 'sbx-pick')" "$ERR"
  else
    ok "the file chooser's dialog appeared (window 'sbx-pick')"
  fi
  like "$uri" "^file://$XDG_RUNTIME_DIR/doc/[^/]+/picked\\.txt\$" "the portal answers the pick as a document path ($uri)"
  is "$(printf '%s\n' "$OUT" | tail -1)" "picked content" "the picked file is readable inside at that path"
fi

# --- 4. OpenURI ---------------------------------------------------------------------------
URL=http://example.invalid/sbx-portal-test
run_sbx run --profile ptest host gdbus call --session -d org.freedesktop.portal.Desktop \
  -o /org/freedesktop/portal/desktop -m org.freedesktop.portal.OpenURI.OpenURI '' "$URL" '{}'
for _ in $(seq 50); do [ -s "$P/opened" ] && break; sleep 0.2; done
if [ "$RC" = 0 ] && [ "$(cat "$P/opened" 2>/dev/null)" = "$URL" ]; then
  ok "OpenURI from inside opens the link with the host's http handler"
else
  not_ok "OpenURI from inside opens the link with the host's http handler" \
    "opened: $(cat "$P/opened" 2>/dev/null)"
  last_run_diag
fi

done_testing
