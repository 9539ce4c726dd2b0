#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-desktop.sh: the desktop grants with real components, as a user would see them: an X
# server (Xvfb) shows a sandboxed xclock (screenshots taken from outside), and a sandbox
# without the grant reaches it by no path (socket, abstract socket, TCP); an untrusted cookie
# keeps other clients' windows out of reach; a Wayland compositor (weston, headless) and a
# PulseAudio server serve sandboxed clients only when granted; a private D-Bus session bus
# through the filtering proxy; private, tmpfs and shared homes; XDG_RUNTIME_DIR and the notes
# for what the session lacks.  Each group skips, with the reason, when a program is missing.
set -u
. "$(dirname "$0")/lib.sh"

# The test's own session: a scratch home, a private runtime dir, nothing of the caller's.
export HOME=$TEST_TMP/home
RT=$TEST_TMP/rt
mkdir -p "$HOME" "$XDG_CONFIG_HOME/sbx/profiles"
mkdir -m 0700 "$RT"
export XDG_RUNTIME_DIR=$RT
unset DISPLAY XAUTHORITY WAYLAND_DISPLAY PULSE_SERVER DBUS_SESSION_BUS_ADDRESS DBUS_SYSTEM_BUS_ADDRESS \
      XDG_SESSION_TYPE SBX_LOG SBX_LOG_DBUS

# profile NAME SBX-KEYS: a profile with "include": ["default"] and these keys of "sbx".
profile() {
  printf '{ "sbx": { "include": ["default"]%s%s } }\n' "${2:+, }" "${2:-}" > "$XDG_CONFIG_HOME/sbx/profiles/$1.json"
}

# missing PROG...: the missing ones, space separated (empty when all are there).
missing() {
  local p out=
  for p in "$@"; do command -v "$p" >/dev/null 2>&1 || out="$out $p"; done
  printf '%s' "${out# }"
}

# wait_until SECONDS CMD...: polls CMD until it succeeds.
wait_until() {
  local deadline=$(( $(date +%s) + $1 ))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -le "$deadline" ] || return 1
    sleep 0.1
  done
}

# An sbx run in the background, bounded; its output in $W/NAME.out/.err.
sbx_bg() { # NAME SBX-ARGS...
  local name=$1
  shift
  timeout -k 5 60 "$SBX" "$@" >"$W/$name.out" 2>"$W/$name.err" &
  BGPID=$!
  bg_track "$BGPID"
}

ME="$MY_UID"
INSIDE_RT=/run/user/$ME

# ============================================================ 6. XDG_RUNTIME_DIR and notes
# (first: no display, sound or bus of the test is running yet)
profile allgrants '"desktop": { "x11": true, "wayland": true, "pulseaudio": true }, "dbus": { "session": {} }'
run_sbx run --profile allgrants host sh -c 'stat -c "%a %u %F" "$XDG_RUNTIME_DIR"; echo "rt=$XDG_RUNTIME_DIR"; ls -A "$XDG_RUNTIME_DIR"; env'
rc_is 0 "a run granting display, sound and bus in a session that has none exits 0"
like "$OUT" "^700 $ME directory\$" "XDG_RUNTIME_DIR is a directory, mode 700, owned by the command's uid, though no socket was found"
like "$OUT" "^rt=$INSIDE_RT\$" "XDG_RUNTIME_DIR is $INSIDE_RT"
unlike "$OUT" '^(WAYLAND_DISPLAY|DISPLAY|XAUTHORITY|PULSE_SERVER|DBUS_SESSION_BUS_ADDRESS)=' \
  "no variable names a socket that was not bound"
is "$(printf '%s\n' "$OUT" | sed -n '/^rt=/{n;p}' | grep -v '=' | head -n 1)" "" "XDG_RUNTIME_DIR is empty"
notes=$(printf '%s\n' "$ERR" | grep -c '^sbx: note: ')
is "$notes" 4 "one 'sbx: note:' line for each missing granted thing (X11, Wayland, PulseAudio, session bus)"
is "$(printf '%s\n' "$ERR" | grep -v '^sbx: note: ' | grep -c .)" 0 "stderr has nothing else"
like "$ERR" '^sbx: note: .*X11' "the X11 note says X11"
like "$ERR" '^sbx: note: .*Wayland' "the Wayland note says Wayland"
like "$ERR" '^sbx: note: .*PulseAudio' "the PulseAudio note says PulseAudio"
like "$ERR" '^sbx: note: .*session bus' "the D-Bus note says the session bus"

profile pwonly '"desktop": { "pipewire": true }'
run_sbx run --profile pwonly host sh -c 'stat -c "%a %u" "$XDG_RUNTIME_DIR"; ls -A "$XDG_RUNTIME_DIR"; env | grep -c "^PIPEWIRE_REMOTE=" || true'
is "$OUT" "700 $ME
0" "pipewire without a server: XDG_RUNTIME_DIR 700, empty, no PIPEWIRE_REMOTE"
is "$(printf '%s\n' "$ERR" | grep -c '^sbx: note: .*PipeWire')" 1 "pipewire without a server: one note naming PipeWire"

run_sbx run host sh -c 'stat -c "%a %u" "$XDG_RUNTIME_DIR"'
is "$RC:$OUT" "0:700 $ME" "the host image without desktop grants has XDG_RUNTIME_DIR too (700, the user's)"
is "$ERR" "" "no note without grants"
# Its root's tmpfs goes on $XDG_RUNTIME_DIR/sbx/mnt, shared by every such run (each mounts over
# it in a namespace of its own): no run directory of its own, nothing written into mnt/.
is "$(ls -A "$RT/sbx" | grep -v '^state$' | tr '\n' ' ')" "mnt profile-cache " "a run on host without grants leaves only state/, mnt/ and profile-cache/ in \$XDG_RUNTIME_DIR/sbx"
is "$(cd "$RT/sbx/profile-cache" && stat -c '%a %n' * | grep -cvE '^600 [0-9a-f]{16}$')" 0 \
  "profile-cache/ holds entries only (mode 600, named by their key's hash)"
is "$(stat -c '%a %U %F' "$RT/sbx/mnt"):$(ls -A "$RT/sbx/mnt" | wc -l)" "700 $(id -un) directory:0" "mnt/ is an empty directory, mode 700, the user's"
rmdir "$RT/sbx/mnt"
mkdir -p "$W/elsewhere"
ln -s "$W/elsewhere" "$RT/sbx/mnt"
run_sbx run host /bin/true
rc_is 125 "a symlink planted at \$XDG_RUNTIME_DIR/sbx/mnt: the run is refused (exit 125)"
like "$ERR" "^sbx: .*sbx/mnt: not a directory of this user's own" "and the one line names it"
rm "$RT/sbx/mnt"

# ============================================================ 1. X11
X11_PROGS="Xvfb xauth mcookie xclock xlogo xwd convert xwininfo xdpyinfo python3"
miss=$(missing $X11_PROGS)
if [ -n "$miss" ]; then
  skip "X11 checks" "missing: $miss (packages xvfb xauth util-linux x11-apps x11-utils imagemagick python3)"
else
  # A free display number: no socket, no lock file.
  N=$((50 + $$ % 40))
  while [ -e "/tmp/.X11-unix/X$N" ] || [ -e "/tmp/.X$N-lock" ]; do N=$((N + 1)); done
  XA=$TEST_TMP/xauth-server
  : > "$XA"
  xauth -q -f "$XA" add ":$N" . "$(mcookie)"
  # -noreset: the server would revoke generated (untrusted) cookies when its last client
  # leaves; a real session always has clients.
  Xvfb ":$N" -auth "$XA" -nolisten tcp -noreset -screen 0 320x240x24 -screen 1 160x120x24 >"$W/xvfb.log" 2>&1 &
  XVFB=$!
  bg_track "$XVFB"
  export DISPLAY=:$N XAUTHORITY=$XA
  if ! wait_until 20 xdpyinfo; then
    not_ok "Xvfb :$N starts" "$(cat "$W/xvfb.log")"
  else
    ok "Xvfb :$N runs, with auth"
    XAUTHORITY=/dev/null run_cmd xdpyinfo
    isnt "$RC" 0 "control: a client without the cookie is refused by the server"

    shot() { xwd -root -silent | convert xwd:- "png:$1"; }
    mean() { convert "$1" ${2:+-crop "$2"} -format '%[fx:mean]' info:; }
    gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
    has_window() { xwininfo -root -tree | grep -q "$1"; }

    shot "$W/x11-before.png"
    before=$(mean "$W/x11-before.png")
    profile x11 '"desktop": { "x11": true }'
    sbx_bg x11 run --profile x11 host sh -c 'echo "DISPLAY=$DISPLAY XAUTHORITY=$XAUTHORITY"; xauth -f "$XAUTHORITY" nlist | cut -d" " -f1,9; exec timeout 30 xclock -geometry 200x200+10+10 -update 1'
    if wait_until 20 has_window '"xclock"'; then ok "xwininfo -root -tree lists the sandboxed xclock's window"
    else not_ok "xwininfo -root -tree lists the sandboxed xclock's window" "$(xwininfo -root -tree)" "$(cat "$W/x11.err")"; fi
    sleep 1
    shot "$W/x11-xclock.png"
    cp "$W/x11-xclock.png" "${SBX_TESTS_SHOT_DIR:-$W}/x11-xclock-host.png" 2>/dev/null
    after=$(mean "$W/x11-xclock.png")
    win=$(mean "$W/x11-xclock.png" 200x200+10+10)
    rest=$(mean "$W/x11-xclock.png" 100x100+220+140)
    diag "screenshot means: before $before, after $after; the window's area $win, elsewhere $rest"
    check "the screenshot shows the window: its 200x200 area at +10+10 is mostly light ($win > 0.5; the empty root is black: $before)" \
      gt "$win" 0.5
    check "the window's area has dark pixels too (the clock's hands and ticks: $win < 0.995)" gt 0.995 "$win"
    check "the screenshot is black where there is no window ($rest)" gt 0.01 "$rest"
    signal_and_wait TERM "$BGPID"
    xv_out=$(cat "$W/x11.out")
    like "$xv_out" "^DISPLAY=:$N XAUTHORITY=$INSIDE_RT/Xauthority\$" "inside: DISPLAY=:$N and XAUTHORITY in XDG_RUNTIME_DIR"
    host_cookie=$(xauth -f "$XA" nlist ":$N" | cut -d' ' -f9)
    like "$xv_out" '^ffff [0-9a-f]{32}$' "inside: the Xauthority has one wildcard-family (ffff) MIT cookie"
    unlike "$xv_out" "$host_cookie" "inside: the cookie is not the session's"
    wait_until 10 sh -c "! xwininfo -root -tree | grep -q '\"xclock\"'"
    check "the window is gone once sbx ends" sh -c "! xwininfo -root -tree | grep -q '\"xclock\"'"

    # DISPLAY=:N.1 names the server's second screen: the app opens there.
    DISPLAY=:$N.1 run_sbx run --profile x11 host sh -c 'echo "DISPLAY=$DISPLAY"; xdpyinfo | grep "^default screen number"'
    is "$OUT" "DISPLAY=:$N.1
default screen number:    1" "DISPLAY=:$N.1 outside: DISPLAY=:$N.1 inside, the app's default screen is 1"

    # Untrusted: another client's window (xlogo, from outside) is out of reach.
    xlogo -geometry 60x60+250+10 -name sbxtest-outside >/dev/null 2>&1 &
    XLOGO=$!
    bg_track "$XLOGO"
    wait_until 10 has_window sbxtest-outside
    WID=$(xwininfo -root -tree | awk '/sbxtest-outside/ { print $1; exit }')
    probe_x='xwd -id '"$WID"' -silent >/dev/null 2>&1 && echo getimage-ok || echo getimage-denied; xdpyinfo -queryExtensions | grep -q "XTEST" && echo xtest-yes || echo xtest-no'
    run_sbx run --profile x11 host sh -c "$probe_x"
    like "$OUT" '^getimage-denied$' "untrusted (default): reading another client's window (xwd -id, GetImage) is denied"
    like "$OUT" '^xtest-no$' "untrusted: the XTEST extension (input injection) is hidden"
    profile x11trusted '"desktop": { "x11": "trusted" }'
    run_sbx run --profile x11trusted host sh -c "$probe_x"
    like "$OUT" '^getimage-ok$' "contrast: x11 \"trusted\" reads that window"
    like "$OUT" '^xtest-yes$' "contrast: x11 \"trusted\" sees XTEST"

    # Without the grant, no path leads to the server.  A TCP listener on the host's loopback
    # at 6000+N stands for a server that listens on TCP.
    cat > "$W/probe.py" <<EOF
import socket, sys
def try_(name, fam, addr):
    s = socket.socket(fam)
    s.settimeout(5)
    try:
        s.connect(addr)
        print(name + " connected")
    except OSError as e:
        print(name + " failed: " + str(e))
try_("abstract", socket.AF_UNIX, "\0/tmp/.X11-unix/X$N")
try_("tcp", socket.AF_INET, (sys.argv[1], 6000 + $N))
EOF
    python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); print("ready", flush=True); time.sleep(120)' $((6000 + N)) >"$W/tcp.out" 2>&1 &
    TCPL=$!
    bg_track "$TCPL"
    if wait_for_line "$W/tcp.out" ready 10 "$TCPL"; then
      run_cmd python3 "$W/probe.py" 127.0.0.1
      is "$OUT" "abstract connected
tcp connected" "control: outside, the abstract socket @/tmp/.X11-unix/X$N and TCP 127.0.0.1:$((6000 + N)) answer"
    else
      run_cmd python3 "$W/probe.py" 127.0.0.1
      like "$OUT" '^abstract connected$' "control: outside, the abstract socket @/tmp/.X11-unix/X$N answers"
      skip "control: TCP 127.0.0.1:$((6000 + N)) answers outside" "the port is taken: $(head -c 300 "$W/tcp.out")"
    fi
    probe=$(cat "$W/probe.py")
    profile nox '"desktop": { "wayland": true }'
    run_sbx run --profile nox host sh -c "test -e /tmp/.X11-unix/X$N && echo socket-present || echo socket-absent; echo \"display=\${DISPLAY:-unset}\"; xdpyinfo -display :$N >/dev/null 2>&1 && echo xdpyinfo-ok || echo xdpyinfo-failed; python3 -c '$probe' 10.0.2.2"
    like "$OUT" '^socket-absent$' "without the X11 grant: no /tmp/.X11-unix/X$N inside"
    like "$OUT" '^display=unset$' "without the X11 grant: DISPLAY is unset"
    like "$OUT" '^xdpyinfo-failed$' "without the X11 grant: xdpyinfo -display :$N fails"
    like "$OUT" '^abstract failed' "without the X11 grant: the abstract socket @/tmp/.X11-unix/X$N is unreachable (own network namespace)"
    like "$OUT" '^tcp failed' "without the X11 grant: TCP 10.0.2.2:$((6000 + N)) (the host's loopback) is unreachable"
    run_sbx run --profile x11 host sh -c "python3 -c '$probe' 10.0.2.2"
    like "$OUT" '^abstract failed' "with the X11 grant too, only the bound socket leads to the server (abstract unreachable)"
    kill "$TCPL" 2>/dev/null

    # An X11 app from an OCI image: the Debian fixture tests/run-all.sh builds as root.
    DEB_CACHE=${SBX_FIXTURES_CACHE:-/var/cache/sbx-fixtures}
    if [ -f "$DEB_CACHE/debian-desktop.skip" ] && [ ! -f "$DEB_CACHE/debian-desktop.tar" ]; then
      skip "X11 app from an OCI image" "the Debian fixture could not be built: $(cat "$DEB_CACHE/debian-desktop.skip")"
    elif [ ! -r "$DEB_CACHE/debian-desktop.tar" ]; then
      skip "X11 app from an OCI image" "no $DEB_CACHE/debian-desktop.tar (tests/run-all.sh builds it as root with tests/fixtures/build-debian-desktop.sh)"
    else
      echo '{"config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["/bin/sh"]}}' > "$W/deb-config.json"
      if python3 "$SBX_TESTS_SRCDIR/fixtures/fixtures.py" layout --uncompressed "$W/deb-oci" "$W/deb-config.json" \
           "$DEB_CACHE/debian-desktop.tar" >"$W/layout.log" 2>&1 &&
         import_fixture "oci:$W/deb-oci:latest" debian-desktop; then
        rm -rf "$W/deb-oci"
        sbx_bg xdeb run --profile x11 debian-desktop sh -c 'echo "uid=$(id -u) rt=$XDG_RUNTIME_DIR $(stat -c %a:%u "$XDG_RUNTIME_DIR")"; exec timeout 30 xclock -geometry 200x200+10+10 -update 1'
        if wait_until 30 has_window '"xclock"'; then ok "image debian-desktop: xwininfo lists its xclock's window"
        else not_ok "image debian-desktop: xwininfo lists its xclock's window" "$(cat "$W/xdeb.err")"; fi
        sleep 1
        shot "$W/x11-deb.png"
        cp "$W/x11-deb.png" "${SBX_TESTS_SHOT_DIR:-$W}/x11-xclock-image.png" 2>/dev/null
        win=$(mean "$W/x11-deb.png" 200x200+10+10)
        check "image debian-desktop: the screenshot shows the window ($win > 0.5)" gt "$win" 0.5
        signal_and_wait TERM "$BGPID"
        like "$(cat "$W/xdeb.out")" '^uid=0 rt=/run/user/0 700:0$' "image debian-desktop: XDG_RUNTIME_DIR /run/user/0, 700, the command's own"
      else
        not_ok "the Debian fixture as an OCI layout" "$(tail -n 5 "$W/layout.log")"
      fi
    fi
    kill "$XLOGO" 2>/dev/null
  fi
  kill "$XVFB" 2>/dev/null
  unset DISPLAY XAUTHORITY
fi

# ============================================================ 2. Wayland
miss=$(missing weston wayland-info weston-simple-shm)
if [ -n "$miss" ]; then
  skip "Wayland checks" "missing: $miss (packages weston wayland-utils)"
else
  weston --backend=headless-backend.so --socket=wayland-sbxtest --idle-time=0 >"$W/weston.log" 2>&1 &
  WESTON=$!
  bg_track "$WESTON"
  if ! wait_until 20 test -S "$RT/wayland-sbxtest"; then
    not_ok "weston (headless) listens on $RT/wayland-sbxtest" "$(tail -n 20 "$W/weston.log")"
  else
    export WAYLAND_DISPLAY=wayland-sbxtest
    run_cmd wayland-info
    like "$OUT" "interface: 'wl_compositor'" "control: wayland-info outside lists the compositor's globals"
    profile wl '"desktop": { "wayland": true }'
    run_sbx run --profile wl host sh -c 'echo "wd=$WAYLAND_DISPLAY"; test -S "$XDG_RUNTIME_DIR/wayland-0" && echo socket-ok; wayland-info'
    rc_is 0 "wayland granted: wayland-info inside exits 0"
    like "$OUT" '^wd=wayland-0$' "wayland granted: WAYLAND_DISPLAY=wayland-0"
    like "$OUT" '^socket-ok$' "wayland granted: \$XDG_RUNTIME_DIR/wayland-0 is a socket"
    like "$OUT" "interface: 'wl_compositor'" "wayland granted: wayland-info lists wl_compositor"
    like "$OUT" "interface: 'xdg_wm_base'" "wayland granted: wayland-info lists xdg_wm_base (weston's shell)"
    run_sbx run --profile wl host sh -c 'WAYLAND_DEBUG=1 timeout 3 weston-simple-shm 2>&1; echo "rc=$?"'
    like "$OUT" 'wl_registry@[0-9]+\.global\([0-9]+, "wl_shm"' "weston-simple-shm inside: the registry announces wl_shm"
    like "$OUT" 'wl_surface@[0-9]+\.commit\(\)' "weston-simple-shm inside: it commits surfaces (draws)"
    like "$OUT" 'wl_buffer@[0-9]+\.release\(\)|wl_callback@[0-9]+\.done\(' "weston-simple-shm inside: the compositor answers its frames"
    like "$OUT" '^rc=124$' "weston-simple-shm ran until stopped"

    run_sbx run host sh -c 'echo "wd=${WAYLAND_DISPLAY:-unset}"; ls -A "$XDG_RUNTIME_DIR"; test -e '"$RT"'/wayland-sbxtest && echo host-socket; wayland-info >/dev/null 2>&1 && echo info-ok || echo info-failed'
    is "$OUT" "wd=unset
info-failed" "without the grant: WAYLAND_DISPLAY unset, no socket in XDG_RUNTIME_DIR nor the session's, wayland-info fails"
    unset WAYLAND_DISPLAY
  fi
  kill "$WESTON" 2>/dev/null
fi

# ============================================================ 3. Sound
miss=$(missing pulseaudio paplay pactl python3)
if [ -n "$miss" ]; then
  skip "PulseAudio checks" "missing: $miss (packages pulseaudio pulseaudio-utils python3)"
else
  pulseaudio -n --daemonize=no --exit-idle-time=-1 --load="module-native-protocol-unix" \
    --load="module-null-sink" >"$W/pulse.log" 2>&1 &
  PULSE=$!
  bg_track "$PULSE"
  if ! wait_until 20 pactl info; then
    not_ok "pulseaudio listens on $RT/pulse/native" "$(tail -n 20 "$W/pulse.log")"
  else
    # A 4 s WAV, made inside (the sandbox's /tmp is its own).
    mkwav='python3 -c "import wave; w = wave.open(\"/tmp/t.wav\", \"wb\"); w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100); w.writeframes(bytes(4 * 44100 * 4)); w.close()"'
    profile snd '"desktop": { "pulseaudio": true }'
    sbx_bg snd run --profile snd host sh -c "echo \"ps=\$PULSE_SERVER\"; $mkwav && paplay --client-name=sbxtest-paplay /tmp/t.wav; echo paplay-rc=\$?"
    if wait_until 15 sh -c 'pactl list sink-inputs | grep -q "application.name = \"sbxtest-paplay\""'; then
      ok "pactl list sink-inputs (outside) shows the sandboxed paplay while it plays"
    else
      not_ok "pactl list sink-inputs (outside) shows the sandboxed paplay while it plays" "$(pactl list sink-inputs)" "$(cat "$W/snd.err")"
    fi
    wait "$BGPID"
    is "$(cat "$W/snd.out")" "ps=unix:$INSIDE_RT/pulse/native
paplay-rc=0" "pulseaudio granted: PULSE_SERVER names the bound socket, paplay played it all"
    run_sbx run host sh -c "echo \"ps=\${PULSE_SERVER:-unset}\"; test -e \$XDG_RUNTIME_DIR/pulse && echo pulse-dir; $mkwav && paplay /tmp/t.wav; echo paplay-rc=\$?"
    like "$OUT" '^ps=unset$' "without the grant: PULSE_SERVER is unset"
    unlike "$OUT" '^pulse-dir$' "without the grant: no pulse/ in XDG_RUNTIME_DIR"
    like "$OUT" '^paplay-rc=[1-9]' "without the grant: paplay fails"
    like "$ERR" 'Connection refused|Connection failure' "without the grant: paplay cannot connect"
  fi
  kill "$PULSE" 2>/dev/null
fi

# ============================================================ 4. D-Bus
miss=$(missing dbus-daemon dbus-send dbus-test-tool xdg-dbus-proxy pgrep)
if [ -n "$miss" ]; then
  skip "D-Bus checks" "missing: $miss (packages dbus-daemon dbus-bin dbus-tests xdg-dbus-proxy procps)"
else
  BUSDIR=$TEST_TMP/sbxtest-bus
  mkdir -m 0700 "$BUSDIR"
  dbus-daemon --session --nofork --nopidfile --address="unix:path=$BUSDIR/bus" --print-address=1 >"$W/bus.addr" 2>"$W/bus.err" &
  BUS=$!
  bg_track "$BUS"
  if ! wait_for_line "$W/bus.addr" '^unix:' 10 "$BUS"; then
    not_ok "a private dbus-daemon" "$(cat "$W/bus.err")"
  else
    export DBUS_SESSION_BUS_ADDRESS=unix:path=$BUSDIR/bus
    for n in org.sbxtest.Allowed org.sbxtest.Denied; do
      dbus-test-tool echo --name="$n" >/dev/null 2>&1 &
      bg_track $!
    done
    has_owner() { dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner "string:$1" | grep -q 'boolean true'; }
    wait_until 10 has_owner org.sbxtest.Allowed
    wait_until 10 has_owner org.sbxtest.Denied
    profile dbusp '"dbus": { "session": { "talk": ["org.sbxtest.Allowed"], "own": ["org.sbxtest.Mine"] } }'
    call='dbus-send --session --print-reply --dest=$1 /org/sbxtest org.sbxtest.Echo.Ping'
    request='dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.RequestName string:$1 uint32:4'
    run_sbx run --profile dbusp host sh -c "echo \"addr=\$DBUS_SESSION_BUS_ADDRESS\"; set -- org.sbxtest.Allowed; $call >/dev/null && echo allowed-answers"
    like "$OUT" "^addr=unix:path=$INSIDE_RT/bus\$" "dbus: DBUS_SESSION_BUS_ADDRESS is the proxy's socket in XDG_RUNTIME_DIR"
    like "$OUT" '^allowed-answers$' "dbus: a talk name answers from inside"
    run_sbx run --profile dbusp host sh -c "set -- org.sbxtest.Denied; $call"
    isnt "$RC" 0 "dbus: a name not listed does not answer"
    like "$ERR" 'org\.freedesktop\.DBus\.Error\.ServiceUnknown' "dbus: it is ServiceUnknown (hidden), though it runs outside"
    run_sbx run --log-dbus --profile dbusp host sh -c "set -- org.sbxtest.NotMine; $request"
    unlike "$OUT" 'uint32 [1-4]' "dbus: owning an unlisted name fails (no RequestName reply)"
    like "$ERR" '^Error org\.freedesktop\.DBus\.Error\.' "dbus: RequestName of an unlisted name gets an error"
    like "$ERR" 'Filtering message due to arg0 org\.sbxtest\.NotMine' "--log-dbus shows the proxy filtering that RequestName"
    run_sbx run --profile dbusp host sh -c "set -- org.sbxtest.Mine; $request"
    like "$OUT" 'uint32 1' "dbus: owning a listed (own) name works (primary owner)"
    run_sbx run --log-dbus --profile dbusp host sh -c "set -- org.sbxtest.Denied; $call"
    like "$ERR" '^C[0-9]+: -> org\.sbxtest\.Denied call org\.sbxtest\.Echo\.Ping' "--log-dbus shows the call to the unlisted name in the proxy's trace"
    run_sbx run --profile dbusp host sh -c "set -- org.sbxtest.Denied; $call"
    unlike "$ERR" 'HIDDEN|C[0-9]+: ' "without --log-dbus the proxy prints no trace"
    sleep 0.5
    is "$(pgrep -u "$MY_UID" -f "xdg-dbus-proxy.*$BUSDIR" || true)" "" "after sbx exits, no xdg-dbus-proxy of this test is left"
    run_sbx run host sh -c 'echo "addr=${DBUS_SESSION_BUS_ADDRESS:-unset}"; test -e $XDG_RUNTIME_DIR/bus && echo bus-socket'
    is "$OUT" "addr=unset" "without sbx.dbus: no DBUS_SESSION_BUS_ADDRESS, no bus socket"
    unset DBUS_SESSION_BUS_ADDRESS
  fi
  kill "$BUS" 2>/dev/null
fi

# ============================================================ 5. Home and shares
printf 'REAL BASHRC\n' > "$HOME/.bashrc"
printf 'real secret\n' > "$HOME/secret.txt"
profile hp '"home": "private"'
profile hp2 '"home": "private"'
run_sbx run --profile hp host sh -c 'echo sandboxed >> ~/.bashrc; cat ~/.bashrc; ls -A ~'
is "$RC:$OUT" "0:sandboxed
.bashrc" "home private: ~/.bashrc inside is the sandbox's own, and the home holds nothing of the real one"
is "$(cat "$HOME/.bashrc")" "REAL BASHRC" "home private: the real ~/.bashrc is unchanged"
run_sbx run --profile hp host sh -c 'cat ~/.bashrc'
is "$RC:$OUT" "0:sandboxed" "home private: the file persists to the next run of the profile (the same profile's next run)"
run_sbx run --profile hp2 host sh -c 'ls -A ~; cat ~/secret.txt 2>&1 || true'
unlike "$OUT" 'sandboxed|real secret|^\.bashrc$' "home private: another profile has its own home; the real home's files are invisible"
run_sbx run --profile hp --name other host sh -c 'ls -A ~'
is "$RC:$OUT" "0:" "home private: --name keys a home of its own"

profile ht '"home": "tmpfs"'
run_sbx run --profile ht host sh -c 'echo x > ~/f; stat -c "%a %u" ~; ls -A ~'
is "$RC:$OUT" "0:700 $ME
f" "home tmpfs: an empty home of the user's, writable"
run_sbx run --profile ht host sh -c 'ls -A ~'
is "$RC:$OUT" "0:" "home tmpfs: nothing persists"

profile hsym '"home": "private"'
run_sbx run --profile hsym host true
mkdir -p "$TEST_TMP/planted"
echo PLANTED > "$TEST_TMP/planted/marker"
rm -rf "$XDG_DATA_HOME/sbx/homes/hsym"
ln -s "$TEST_TMP/planted" "$XDG_DATA_HOME/sbx/homes/hsym"
run_sbx run --profile hsym host sh -c 'cat ~/marker; echo ran'
check_sbx_error "a symlink planted as the private home" 'symlink'
unlike "$OUT" 'PLANTED|ran' "the symlink's target is not mounted (the command never ran)"
# A relative link that stays below homes/: another profile's home.
profile hsym2 '"home": "private"'
ln -s hp "$XDG_DATA_HOME/sbx/homes/hsym2"
run_sbx run --profile hsym2 host sh -c 'cat ~/.bashrc; echo ran'
check_sbx_error "a relative symlink to another profile's home planted as the private home" 'symlink'
unlike "$OUT" 'sandboxed|ran' "the other profile's home is not mounted"

mkdir -p "$HOME/Downloads" "$HOME/Docs" "$HOME/.ssh" "$HOME/.config"
echo dl > "$HOME/Downloads/in.txt"
echo doc > "$HOME/Docs/doc.txt"
echo KEY > "$HOME/.ssh/id_test"
echo 'XDG_DOWNLOAD_DIR="$HOME/Downloads"' > "$XDG_CONFIG_HOME/user-dirs.dirs"
profile shares '"share": ["xdg-download:rw", "~/Docs:ro"]'
run_sbx run --profile shares host sh -c 'cat ~/Downloads/in.txt && echo new > ~/Downloads/new.txt && echo dl-written; cat ~/Docs/doc.txt; echo x > ~/Docs/w.txt 2>/dev/null && echo ro-written || echo ro-refused'
like "$OUT" '^dl$' "share xdg-download (from user-dirs.dirs): its files are visible in ~/Downloads inside"
like "$OUT" '^dl-written$' "share xdg-download:rw: writable inside"
is "$(cat "$HOME/Downloads/new.txt" 2>/dev/null)" "new" "share xdg-download:rw: the file written inside is in the real Downloads"
like "$OUT" '^doc$' "share ~/Docs:ro: readable"
like "$OUT" '^ro-refused$' "share ~/Docs:ro: not writable"
check "share ~/Docs:ro: nothing written" test ! -e "$HOME/Docs/w.txt"

profile homeshare '"share": ["~:ro"]'
run_sbx run --profile homeshare host sh -c 'cat ~/secret.txt; cat ~/.ssh/id_test 2>/dev/null || echo ssh-hidden; echo "bashrc=$(cat ~/.bashrc 2>/dev/null)"'
like "$OUT" '^real secret$' "share ~:ro: the home's plain files are visible"
like "$OUT" '^ssh-hidden$' "share ~:ro: ~/.ssh is hidden"
like "$OUT" '^bashrc=$' "share ~:ro: ~/.bashrc reads empty"
profile homessh '"share": ["~:ro", "~/.ssh:ro"]'
run_sbx run --profile homessh host sh -c 'cat ~/.ssh/id_test 2>/dev/null || echo ssh-hidden'
is "$OUT" "KEY" "share [~, ~/.ssh]: a dotfile directory listed on its own is visible"

done_testing
