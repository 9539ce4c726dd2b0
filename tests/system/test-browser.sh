#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-browser.sh: a real browser's own sandbox under sbx.  The browser base profile
# (data/profiles/browser.json) drops the default filter's nested-user-namespace rules so that
# Chromium's namespace sandbox (and Firefox's content sandbox) keep working; this script shows
# with the host's Chromium (Debian's `chromium`, run on the built-in image "host") that:
#   1. `sbx run --profile chromium host chromium --headless=new --dump-dom file://...`, without
#      --no-sandbox, prints the page's DOM (its script ran, so a renderer did) and exits 0, with
#      no sandbox complaint on stderr;
#   2. while such a Chromium runs, seen from outside through /proc: its renderers are in a user
#      namespace other than the browser process's (which is the sandbox's, not ours), in pid
#      namespaces of their own (NSpid one level deeper), in seccomp filter mode with more filters
#      than the browser process (Chromium's seccomp-bpf stacked on sbx's filter);
#   3. the contrast: under a profile with desktop and network but the default filter, the same
#      command fails with Chromium's "No usable sandbox!", and works with --no-sandbox (so the
#      sandbox is the only thing missing there);
#   4. Firefox ESR, when installed: `firefox-esr --headless --screenshot` under --profile firefox
#      writes its PNG, and its content processes run in a user namespace of their own.
# Skips when chromium is not installed (setup.sh installs it: PKGS_TEST).
set -u
. "$(dirname "$0")/lib.sh"

if ! command -v chromium >/dev/null 2>&1; then
  echo "1..0 # SKIP chromium is not installed (apt-get install --no-install-recommends chromium)"
  exit 0
fi
diag "$(chromium --version 2>/dev/null)"

# The page, made visible read-only at /srv/page: its script changes the DOM, which only a
# working renderer does.
PAGE=$W/page
mkdir -p "$PAGE"
MARKER=sbx-browser-test-$$
cat > "$PAGE/index.html" <<EOF
<!DOCTYPE html>
<html><head><title>sbx browser test</title></head>
<body><p id="m">$MARKER</p>
<script>document.getElementById("m").textContent += "-rendered";</script></body></html>
EOF
chmod -R a+rX "$PAGE"

# Quiet, offline-minded headless Chromium; the profile directory on the sandbox's own /tmp.
FLAGS=(--headless=new --disable-gpu --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --disable-default-apps)
SANDBOX_FAILURE='[Nn]o usable sandbox|[Ss]andbox.*([Ff]ail|[Ee]rror)|[Ff]ail.*[Ss]andbox'

# --- 1. --dump-dom under --profile chromium, Chromium's sandbox on ------------------------------
run_sbx run -q -v "$PAGE:/srv/page:ro" --profile chromium host chromium "${FLAGS[@]}" \
  --user-data-dir=/tmp/chromium-profile --dump-dom file:///srv/page/index.html
rc_is 0 "chromium profile: chromium --dump-dom exits 0 (no --no-sandbox)"
like "$OUT" "<p id=\"m\">$MARKER-rendered</p>" "chromium profile: the page's DOM, its script run by a renderer"
unlike "$ERR" "$SANDBOX_FAILURE" "chromium profile: no sandbox failure on stderr"
# Debian's launcher sizes /dev/shm with findmnt; a stacked /dev/shm made it fail on every start.
unlike "$ERR" "unexpected operator" "chromium profile: Debian's launcher reads one /dev/shm"
check "chromium profile: the private home is homes/chromium" test -d "$STORE/homes/chromium"

# --- 2. the running browser's processes, seen from outside -----------------------------------
# A unique --user-data-dir marks this run's processes in /proc.
UDD=/tmp/sbx-browser-test-$$-profile
"$SBX" run -q -v "$PAGE:/srv/page:ro" --profile chromium host chromium "${FLAGS[@]}" \
  --user-data-dir="$UDD" --remote-debugging-port=0 file:///srv/page/index.html \
  >"$W/bg.out" 2>"$W/bg.err" &
SBX_PID=$!
bg_track "$SBX_PID"

# Descendants of PID (pids, one a line): lib.sh's descendants() in one pass of ps, fast enough
# to poll while a browser starts its dozens of processes.
below() { # PID
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2 }
    END { for (p in parent) { q = parent[p]; while (q != root && q in parent && q > 1) q = parent[q]; if (q == root) print p } }'
}

field() { # PID NAME: a field of /proc/PID/status (tabs as spaces)
  sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null | tr '\t' ' '
}
nspid_depth() { # PID: how many pid namespaces deep the process is
  field "$1" NSpid | wc -w
}

# Sets BROWSER (the browser process) and RENDERERS (pids): chromium processes below sbx with our
# --user-data-dir.  Returns 0 once every renderer has a user namespace other than the browser's
# and more seccomp filters than it (Chromium's sandbox is in place in each).
BROWSER=
RENDERERS=()
observe() {
  local p cmd browser_ns browser_filters
  BROWSER=
  RENDERERS=()
  for p in $(below "$SBX_PID"); do
    cmd=$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
    case $cmd in
      *"$UDD"*) ;;
      *) continue ;;
    esac
    case $cmd in
      /usr/lib/chromium/chromium*--type=renderer*) RENDERERS+=("$p") ;;
      /usr/lib/chromium/chromium*--type=*) ;;
      /usr/lib/chromium/chromium*) BROWSER=$p ;;
    esac
  done
  [ -n "$BROWSER" ] && [ ${#RENDERERS[@]} -gt 0 ] || return 1
  browser_ns=$(readlink "/proc/$BROWSER/ns/user")
  browser_filters=$(field "$BROWSER" Seccomp_filters)
  for p in "${RENDERERS[@]}"; do
    [ "$(readlink "/proc/$p/ns/user")" != "$browser_ns" ] || return 1
    [ "$(field "$p" Seccomp)" = 2 ] || return 1
    [ -z "$browser_filters" ] || [ "$(field "$p" Seccomp_filters)" -gt "$browser_filters" ] || return 1
  done
  return 0
}

deadline=$((SECONDS + 40))
until observe || [ $SECONDS -ge $deadline ] || ! kill -0 "$SBX_PID" 2>/dev/null; do
  sleep 0.5
done
LAST_CMD="sbx run --profile chromium host chromium --headless=new --user-data-dir=$UDD --remote-debugging-port=0 (in the background)"
RC=running OUT=$(cat "$W/bg.out") ERR=$(grep -v dbus "$W/bg.err")

MY_USERNS=$(readlink /proc/self/ns/user)
check "running chromium: the browser process is found below sbx" test -n "$BROWSER"
if [ -n "$BROWSER" ]; then
  B_NS=$(readlink "/proc/$BROWSER/ns/user")
  B_FILTERS=$(field "$BROWSER" Seccomp_filters)
  diag "ours: $MY_USERNS; browser $BROWSER: $B_NS, $(readlink "/proc/$BROWSER/ns/pid"), NSpid $(field "$BROWSER" NSpid)," \
       "Seccomp $(field "$BROWSER" Seccomp), Seccomp_filters ${B_FILTERS:-?}"
  isnt "$B_NS" "$MY_USERNS" "running chromium: the browser process is in the sandbox's user namespace, not ours"
  is "$(field "$BROWSER" Seccomp)" 2 "running chromium: the browser process is under sbx's seccomp filter (Seccomp: 2)"
fi
check "running chromium: renderer processes (--type=renderer) are found" test ${#RENDERERS[@]} -gt 0
if [ -n "$BROWSER" ] && [ ${#RENDERERS[@]} -gt 0 ]; then
  same_ns=() not_filter=() few_filters=() shallow=()
  for p in "${RENDERERS[@]}"; do
    diag "renderer $p: $(readlink "/proc/$p/ns/user"), $(readlink "/proc/$p/ns/pid"), NSpid $(field "$p" NSpid)," \
         "Seccomp $(field "$p" Seccomp), Seccomp_filters $(field "$p" Seccomp_filters)"
    [ "$(readlink "/proc/$p/ns/user")" != "$B_NS" ] || same_ns+=("$p")
    [ "$(field "$p" Seccomp)" = 2 ] || not_filter+=("$p")
    [ -z "$B_FILTERS" ] || [ "$(field "$p" Seccomp_filters)" -gt "$B_FILTERS" ] || few_filters+=("$p")
    [ "$(nspid_depth "$p")" -gt "$(nspid_depth "$BROWSER")" ] || shallow+=("$p")
  done
  is "${same_ns[*]}" "" "running chromium: every renderer is in a user namespace other than the browser's"
  is "${not_filter[*]}" "" "running chromium: every renderer is in seccomp filter mode (Seccomp: 2)"
  if [ -n "$B_FILTERS" ]; then
    is "${few_filters[*]}" "" "running chromium: every renderer has more seccomp filters than the browser (Chromium's own on sbx's)"
  else
    skip "running chromium: renderers have more seccomp filters than the browser" "no Seccomp_filters in /proc/PID/status (Linux < 5.9)"
  fi
  is "${shallow[*]}" "" "running chromium: every renderer is in a pid namespace below the browser's"
fi

signal_and_wait TERM "$SBX_PID"
gone() { ! pgrep -f -- "$UDD" >/dev/null; }
deadline=$((SECONDS + 10))
until gone || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
check "running chromium: no chromium process is left once sbx is stopped" gone

# --- 3. the contrast: the default seccomp filter -------------------------------------------
mkdir -p "$W/profiles"
cat > "$W/profiles/nobrowser.json" <<'EOF'
{"sbx": {"include": ["desktop", "network"], "image": "host"}}
EOF
run_sbx run -q -v "$PAGE:/srv/page:ro" --profile "$W/profiles/nobrowser.json" host chromium "${FLAGS[@]}" \
  --user-data-dir=/tmp/chromium-profile --dump-dom file:///srv/page/index.html
isnt "$RC" 0 "default filter: chromium fails"
like "$ERR" "No usable sandbox" "default filter: chromium says 'No usable sandbox!' (no nested user namespace)"
unlike "$OUT" "$MARKER-rendered" "default filter: no page rendered"
check "default filter: the profile file's private home is homes/nobrowser" test -d "$STORE/homes/nobrowser"

run_sbx run -q -v "$PAGE:/srv/page:ro" --profile "$W/profiles/nobrowser.json" host chromium "${FLAGS[@]}" \
  --user-data-dir=/tmp/chromium-profile --no-sandbox --dump-dom file:///srv/page/index.html
rc_is 0 "default filter, --no-sandbox: chromium exits 0 (the sandbox was all it lacked)"
like "$OUT" "<p id=\"m\">$MARKER-rendered</p>" "default filter, --no-sandbox: the page's DOM"

# --- 4. Firefox ESR -----------------------------------------------------------------------
# Sets FF_MAIN (the parent process) and FF_CONTENT (its web content processes, -contentproc
# -isForBrowser) below sbx process $1; 0 once there are content processes.
FF_MAIN=
FF_CONTENT=()
ff_observe() { # SBX_PID
  local p cmd
  FF_MAIN=
  FF_CONTENT=()
  for p in $(below "$1"); do
    cmd=$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
    case $cmd in
      *firefox-esr*-contentproc*-isForBrowser*) FF_CONTENT+=("$p") ;;
      *firefox-esr*-contentproc*) ;;
      "firefox-esr --headless --no-remote "*|/usr/lib/firefox-esr/firefox-esr" --headless --no-remote "*) FF_MAIN=$p ;;
    esac
  done
  [ -n "$FF_MAIN" ] && [ ${#FF_CONTENT[@]} -gt 0 ]
}

# Runs firefox-esr under PROFILE in the background until its content processes are there (at
# most 40 s); sets FF_MAIN, FF_CONTENT and FF_SAME (content processes in the parent's user
# namespace), then stops it.
ff_run() { # PROFILE
  local pid p main_ns deadline
  "$SBX" run -q -v "$PAGE:/srv/page:ro" --profile "$1" host firefox-esr --headless --no-remote \
    file:///srv/page/index.html >"$W/ff.out" 2>"$W/ff.err" &
  pid=$!
  bg_track "$pid"
  deadline=$((SECONDS + 40))
  until ff_observe "$pid" || [ $SECONDS -ge $deadline ] || ! kill -0 "$pid" 2>/dev/null; do
    sleep 0.5
  done
  sleep 1           # the first content processes are all there
  ff_observe "$pid"
  FF_SAME=()
  if [ -n "$FF_MAIN" ]; then
    main_ns=$(readlink "/proc/$FF_MAIN/ns/user")
    diag "firefox ($1) $FF_MAIN: $main_ns, Seccomp_filters $(field "$FF_MAIN" Seccomp_filters)"
    for p in "${FF_CONTENT[@]}"; do
      diag "content process $p: $(readlink "/proc/$p/ns/user"), Seccomp $(field "$p" Seccomp), Seccomp_filters $(field "$p" Seccomp_filters)"
      [ -n "$main_ns" ] && [ "$(readlink "/proc/$p/ns/user")" != "$main_ns" ] || FF_SAME+=("$p")
    done
  fi
  LAST_CMD="sbx run --profile $1 host firefox-esr --headless --no-remote file:///srv/page/index.html (in the background)"
  RC=running OUT=$(cat "$W/ff.out") ERR=$(grep -v dbus "$W/ff.err")
  signal_and_wait TERM "$pid"
}

if ! command -v firefox-esr >/dev/null 2>&1; then
  skip "firefox profile: firefox-esr --headless --screenshot" "firefox-esr is not installed"
else
  diag "$(firefox-esr --version 2>/dev/null)"
  run_sbx run -q -v "$PAGE:/srv/page:ro" -v "$W:/srv/out" --profile firefox host firefox-esr --headless \
    --no-remote --screenshot /srv/out/shot.png file:///srv/page/index.html
  rc_is 0 "firefox profile: firefox-esr --headless --screenshot exits 0"
  check "firefox profile: the screenshot is a PNG" \
    sh -c "head -c 8 '$W/shot.png' 2>/dev/null | od -An -c | grep -q 'P   N   G'"

  ff_run firefox
  check "running firefox: content processes (-contentproc -isForBrowser) are found" test ${#FF_CONTENT[@]} -gt 0
  if [ ${#FF_CONTENT[@]} -gt 0 ]; then
    is "${FF_SAME[*]}" "" "running firefox: every content process is in a user namespace other than the parent's"
  fi

  # The contrast: under the default filter Firefox starts all the same, its content processes
  # without a user namespace of their own (it falls back silently).
  ff_run "$W/profiles/nobrowser.json"
  check "default filter, firefox: content processes are found" test ${#FF_CONTENT[@]} -gt 0
  if [ ${#FF_CONTENT[@]} -gt 0 ]; then
    is "${#FF_SAME[@]}" "${#FF_CONTENT[@]}" "default filter, firefox: its content processes stay in the parent's user namespace"
  fi
fi

done_testing
