#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-dbus-proxy.sh: launcher/dbus-proxy.c with real components: a private dbus-daemon,
# services from dbus-test-tool, xdg-dbus-proxy started through the module (by
# dbus-proxy-probe, $DBUS_PROXY_PROBE) and dbus-send as the sandboxed client.  Checks that
# an allowed name answers through the proxy's socket, a denied one does not, owning an
# unlisted name is refused, --log shows the denial, a missing or non-unix bus is reported
# the way sbx will print it, and the proxy ends with its supervisor, even on SIGKILL.
set -u

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do printf '# %s\n' "$l"; done; }
check() { # DESC CMD...: ok when CMD succeeds
  local desc=$1; shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

missing=
for p in dbus-daemon dbus-send dbus-test-tool xdg-dbus-proxy; do
  command -v "$p" >/dev/null || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "1..0 # SKIP missing:$missing (packages dbus-daemon, dbus-bin, dbus-tests, xdg-dbus-proxy)"
  exit 0
fi
PROBE=${DBUS_PROXY_PROBE:?DBUS_PROXY_PROBE names the probe program}

T=$(mktemp -d "${TMPDIR:-/tmp}/sbx-dbus-test.XXXXXX")
chmod 700 "$T"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

# wait_for FILE ERE: until FILE has a line matching ERE (10 s at most).
wait_for() {
  for _ in $(seq 100); do
    grep -Eq "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# gone PID: until PID no longer exists (5 s at most).
gone() {
  for _ in $(seq 50); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# start_probe NAME ARGS...: the probe in the background, its socket in $T/NAME (or in
# $T/$DIR); PROBE_PID, SOCK and PROXY_PID set once it says "ready".
start_probe() {
  local name=$1 dir=$T/${DIR:-$1}; shift
  mkdir -p -m 700 "$dir"
  "$PROBE" --dir="$dir" "$@" >"$T/$name.out" 2>"$T/$name.err" &
  PROBE_PID=$!
  PIDS+=("$PROBE_PID")
  SOCK= PROXY_PID=
  wait_for "$T/$name.out" '^(ready|unavailable)' || return 1
  read -r _ SOCK PROXY_PID <"$T/$name.out"
  [ -S "$SOCK" ] && [ -n "$PROXY_PID" ]
}

send() { # SOCKET DEST METHOD [ARGS...]: a method call through SOCKET
  local sock=$1 dest=$2 method=$3; shift 3
  timeout 10 dbus-send --bus="unix:path=$sock" --print-reply --dest="$dest" /org/example/Obj "$method" "$@" \
    >"$T/send.out" 2>&1
}

request_name() { # SOCKET NAME: RequestName through SOCKET, "1" printed for "primary owner"
  timeout 10 dbus-send --bus="unix:path=$1" --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.RequestName "string:$2" uint32:4 >"$T/send.out" 2>&1 &&
    grep -q 'uint32 1' "$T/send.out"
}

echo "1..19"

# --- buses that are not there, addresses that are refused ---------------------------------

mkdir -m 700 "$T/none"
out=$(env -u DBUS_SESSION_BUS_ADDRESS "$PROBE" --dir="$T/none" 2>&1); rc=$?
if [ $rc = 0 ] && [[ $out == "unavailable: no session bus: DBUS_SESSION_BUS_ADDRESS is not set" ]]; then
  ok "no DBUS_SESSION_BUS_ADDRESS: not available, with the reason"
else not_ok "no DBUS_SESSION_BUS_ADDRESS: not available, with the reason" "rc=$rc" "$out"; fi

out=$(DBUS_SESSION_BUS_ADDRESS="unix:path=$T/absent" "$PROBE" --dir="$T/none" 2>&1); rc=$?
if [ $rc = 0 ] && [[ $out == "unavailable: no session bus: its socket \"$T/absent\" is absent"* ]]; then
  ok "a session socket that is absent: not available, with the reason"
else not_ok "a session socket that is absent: not available, with the reason" "rc=$rc" "$out"; fi

out=$(DBUS_SESSION_BUS_ADDRESS=$'unix:path=/nonexistent/\e[31mred' "$PROBE" --dir="$T/none" 2>&1); rc=$?
if [ $rc = 0 ] && [[ $out == *'\033[31mred'* ]] && [[ $out != *$'\e'* ]] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]; then
  ok "an address from the environment is printed escaped, on one line"
else not_ok "an address from the environment is printed escaped, on one line" "rc=$rc" "$out"; fi

out=$(DBUS_SESSION_BUS_ADDRESS="tcp:host=127.0.0.1,port=4444" "$PROBE" --dir="$T/none" 2>&1); rc=$?
if [ $rc = 125 ] && [[ $out == 'sbx: the session bus address "tcp:host=127.0.0.1,port=4444" is not a unix: one'* ]] &&
   [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]; then
  ok "a tcp: address is refused with one line, exit 125"
else not_ok "a tcp: address is refused with one line, exit 125" "rc=$rc" "$out"; fi

out=$("$PROBE" --system --address="unix:path=$T/absent-system" --dir="$T/none" 2>&1); rc=$?
if [ $rc = 0 ] && [[ $out == "unavailable: no system bus: its socket"* ]]; then
  ok "the system bus, absent: not available"
else not_ok "the system bus, absent: not available" "rc=$rc" "$out"; fi

mkdir -m 755 "$T/open"
out=$("$PROBE" --address="unix:path=/dev/null" --dir="$T/open" 2>&1); rc=$?
if [ $rc = 0 ] && [[ $out == *'"/dev/null" is not a socket'* ]]; then
  ok "a bus address that is no socket: not available"
else not_ok "a bus address that is no socket: not available" "rc=$rc" "$out"; fi

# --- a private bus with two services --------------------------------------------------------

dbus-daemon --session --nofork --nopidfile --address="unix:path=$T/bus" --print-address=1 \
  >"$T/daemon.out" 2>"$T/daemon.err" &
PIDS+=($!)
if ! wait_for "$T/daemon.out" '^unix:'; then
  not_ok "a private dbus-daemon starts" "$(cat "$T/daemon.err")"
  exit 1
fi
BUS=$(head -n1 "$T/daemon.out")
export DBUS_SESSION_BUS_ADDRESS=$BUS  # what the probes proxy: the session bus as sbx finds it
for name in org.example.Allowed org.example.Denied org.example.Rules; do
  DBUS_SESSION_BUS_ADDRESS=$BUS dbus-test-tool echo --name=$name >/dev/null 2>&1 &
  PIDS+=($!)
done
for _ in $(seq 100); do
  timeout 10 dbus-send --bus="$BUS" --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.example.Rules 2>/dev/null | grep -q 'boolean true' && break
  sleep 0.1
done

out=$("$PROBE" --address="$BUS" --dir="$T/open" 2>&1); rc=$?
if [ $rc = 125 ] && [[ $out == *"is not a private one"* ]]; then
  ok "a socket directory open to others is refused"
else not_ok "a socket directory open to others is refused" "rc=$rc" "$out"; fi

out=$("$PROBE" --address="$BUS" --dir="$T/none" --talk="org.example.*.Bad" 2>&1); rc=$?
if [ $rc = 125 ] && [[ $out == *"not a D-Bus bus name"* ]]; then
  ok "a malformed name never reaches the proxy's command line"
else not_ok "a malformed name never reaches the proxy's command line" "rc=$rc" "$out"; fi

# --- the filter -----------------------------------------------------------------------------

if start_probe main --log --talk=org.example.Allowed --own=org.example.Mine \
     --call=org.example.Rules=org.example.Iface.Permitted@/org/example/*; then
  ok "the proxy listens on the socket once start returns"
else not_ok "the proxy listens on the socket once start returns" "$(cat "$T/main.out" "$T/main.err")"; fi

check "an allowed name answers through the proxy" send "$SOCK" org.example.Allowed org.example.Iface.Hello
if send "$SOCK" org.example.Denied org.example.Iface.Hello; then
  not_ok "a name not listed is unreachable" "$(cat "$T/send.out")"
else ok "a name not listed is unreachable"; fi
check "a --call rule lets its method through" send "$SOCK" org.example.Rules org.example.Iface.Permitted
if send "$SOCK" org.example.Rules org.example.Iface.Other; then
  not_ok "a --call rule stops other methods" "$(cat "$T/send.out")"
else ok "a --call rule stops other methods"; fi
check "owning a listed name works" request_name "$SOCK" org.example.Mine
if request_name "$SOCK" org.example.Unlisted; then
  not_ok "owning an unlisted name is refused" "$(cat "$T/send.out")"
else ok "owning an unlisted name is refused"; fi
if wait_for "$T/main.err" 'org\.example\.Denied' && wait_for "$T/main.err" 'org\.example\.Unlisted'; then
  ok "--log shows the denied call and name on stderr"
else not_ok "--log shows the denied call and name on stderr" "$(tail -n 20 "$T/main.err")"; fi

# --- lifetime -------------------------------------------------------------------------------

kill -TERM "$PROBE_PID"; wait "$PROBE_PID"; rc=$?
if [ $rc = 0 ] && [ -n "$PROXY_PID" ] && gone "$PROXY_PID" && [ ! -e "$SOCK" ]; then
  ok "stop ends the proxy and removes its socket"
else not_ok "stop ends the proxy and removes its socket" "rc=$rc" "$(ps -o pid,stat,args -p "$PROXY_PID")"; fi

if start_probe killed --talk=org.example.Allowed && send "$SOCK" org.example.Allowed org.example.Iface.Hello; then
  kill -KILL "$PROBE_PID"; wait "$PROBE_PID" 2>/dev/null
  if gone "$PROXY_PID"; then ok "the proxy is gone after its supervisor is SIGKILLed"
  else not_ok "the proxy is gone after its supervisor is SIGKILLed" "$(ps -o pid,stat,args -p "$PROXY_PID")"; fi
else not_ok "the proxy is gone after its supervisor is SIGKILLed" "probe did not start: $(cat "$T/killed.err")"; fi

# The killed proxy's socket is still there; the next start replaces it.
if DIR=killed start_probe again --talk=org.example.Allowed; then
  ok "a new proxy starts in a directory a killed one left its socket in"
  kill -TERM "$PROBE_PID"; wait "$PROBE_PID" 2>/dev/null
else not_ok "a new proxy starts in a directory a killed one left its socket in" "$(cat "$T/again.err")"; fi
