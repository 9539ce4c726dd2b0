# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh: shared helpers of the sbx system tests.  Sourced (not run) by tests/system/test-*.sh.
#
# Environment (set by tests/meson.build; defaults let a script run by hand):
#   SBX                 the sbx binary under test
#   SBX_TESTS_SRCDIR    <repo>/tests
#   SBX_TESTS_BUILDDIR  <build>/tests
#   SBX_FIXTURES_DIR    where the fixture images are cached (default: $SBX_TESTS_BUILDDIR/fixtures
#                       if that is writable, else $TMPDIR/sbx-test-fixtures-$UID)
#   SBX_TESTS_KEEP=1    keep each script's scratch directory (store included) for debugging
#
# Each script gets its own scratch directory $TEST_TMP with XDG_DATA_HOME=$TEST_TMP/data (so the
# store is $STORE=$TEST_TMP/data/sbx) and $W=$TEST_TMP/work for output files; both are removed
# at exit, store files owned by subordinate ids included.
#
# TAP: ok/not_ok/skip/diag, checks is/like/unlike/rc_is, plan printed at the end (done_testing).
# run_sbx ARGS...   runs "timeout 60 $SBX ARGS..." (15 s after one has hung) (stdin inherited: /dev/null unless redirected)
#                   and sets RC, OUT, ERR.  Failing checks print the last command's rc/stdout/stderr.

set -u

if [ "$(id -u)" = 0 ]; then
  echo "1..0 # SKIP must run as an unprivileged user"
  exit 0
fi

SBX_TESTS_SRCDIR=${SBX_TESTS_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SBX_TESTS_BUILDDIR=${SBX_TESTS_BUILDDIR:-}
SBX=${SBX:-}
if [ -z "$SBX" ] || [ ! -x "$SBX" ]; then
  echo "Bail out! SBX='$SBX' is not an executable sbx binary"
  exit 1
fi

# Nothing may wait on a terminal; tests that feed stdin redirect it themselves.
exec </dev/null
export LC_ALL=C
unset SBX_SUBUID_FILE SBX_SUBGID_FILE

MY_UID=$(id -u)
MY_GID=$(id -g)
MY_USER=$(id -un)

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sbx-systest.XXXXXX")
chmod 0755 "$TEST_TMP"
export XDG_DATA_HOME=$TEST_TMP/data
# The tester's own ~/.config/sbx (profiles, storage.conf) stays out of the tests.
export XDG_CONFIG_HOME=$TEST_TMP/config
mkdir -p "$XDG_DATA_HOME"
STORE=$XDG_DATA_HOME/sbx
W=$TEST_TMP/work
mkdir -p "$W"

# --- TAP ------------------------------------------------------------------------------------
_tap_n=0
_tap_failed=0

diag() {
  local line
  printf '%s\n' "$@" | while IFS= read -r line; do printf '# %s\n' "$line"; done
}

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1"; }

not_ok() { # DESC [DIAG...]
  _tap_n=$((_tap_n + 1))
  _tap_failed=$((_tap_failed + 1))
  echo "not ok $_tap_n - $1"
  shift
  [ $# -gt 0 ] && diag "$@"
  return 0
}

skip() { # DESC REASON
  _tap_n=$((_tap_n + 1))
  echo "ok $_tap_n - $1 # SKIP $2"
}

# Truncated dump of a text (for diagnostics).
_dump() { # LABEL TEXT
  local n
  n=$(printf '%s' "$2" | wc -l)
  if [ -z "$2" ]; then
    diag "$1: (empty)"
  elif [ "$n" -gt 40 ]; then
    diag "$1 (first 40 of $n lines):" "$(printf '%s\n' "$2" | head -n 40 | cat -v)"
  else
    diag "$1:" "$(printf '%s\n' "$2" | cat -v)"
  fi
}

LAST_CMD=
RC=
OUT=
ERR=
last_run_diag() {
  [ -n "$LAST_CMD" ] || return 0
  diag "command: $LAST_CMD" "exit status: $RC"
  _dump "stdout" "$OUT"
  _dump "stderr" "$ERR"
}

is() { # GOT EXPECTED DESC
  if [ "$1" = "$2" ]; then
    ok "$3"
  else
    not_ok "$3"
    _dump "expected" "$2"
    _dump "got" "$1"
    last_run_diag
  fi
}

isnt() { # GOT UNEXPECTED DESC
  if [ "$1" != "$2" ]; then
    ok "$3"
  else
    not_ok "$3" "got the value it must not be: $1"
    last_run_diag
  fi
}

like() { # GOT ERE DESC
  if printf '%s\n' "$1" | grep -Eq -- "$2"; then
    ok "$3"
  else
    not_ok "$3" "expected to match: $2"
    _dump "got" "$1"
    last_run_diag
  fi
}

unlike() { # GOT ERE DESC
  if printf '%s\n' "$1" | grep -Eq -- "$2"; then
    not_ok "$3" "expected not to match: $2"
    _dump "got" "$1"
    last_run_diag
  else
    ok "$3"
  fi
}

rc_is() { # EXPECTED DESC  (checks $RC of the last run)
  if [ "$RC" = "$1" ]; then
    ok "$2"
  else
    not_ok "$2" "expected exit status $1"
    last_run_diag
  fi
}

# A check of a condition the caller evaluates: check DESC CMD... (diag: last run)
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; last_run_diag; fi
}

done_testing() {
  echo "1..$_tap_n"
  [ "$_tap_failed" = 0 ]
  exit $?
}

# --- running things -------------------------------------------------------------------------
# Every invocation is bounded: 60 s; once one has hit that, 15 s for the rest of the script,
# so that a hanging sbx fails the tests one by one instead of running into meson's timeout.
RUN_TIMEOUT=60
run_cmd() { # CMD... -> RC OUT ERR
  LAST_CMD=$(printf '%q ' "$@")
  local start=$SECONDS
  timeout -k 5 "$RUN_TIMEOUT" "$@" >"$W/.out" 2>"$W/.err"
  RC=$?
  OUT=$(cat "$W/.out")
  ERR=$(cat "$W/.err")
  if [ $((SECONDS - start)) -ge "$RUN_TIMEOUT" ]; then
    ERR="$ERR
[test harness: timed out after $RUN_TIMEOUT s and was killed]"
    if [ "$RUN_TIMEOUT" -gt 15 ]; then
      RUN_TIMEOUT=15
      diag "'$LAST_CMD' hung; the remaining invocations of this script get ${RUN_TIMEOUT} s"
    fi
  fi
}

run_sbx() { run_cmd "$SBX" "$@"; }

# Non-empty lines of a text.
count_lines() { printf '%s' "$1" | grep -c . ; }

# The one-line "sbx: ..." error on stderr with exit 125.
check_sbx_error() { # DESC [ERE the message must also match]
  local desc=$1 re=${2:-}
  if [ "$RC" != 125 ]; then
    not_ok "$desc: exit status 125" ; last_run_diag
  else
    ok "$desc: exit status 125"
  fi
  local n
  n=$(count_lines "$ERR")
  if [ "$n" = 1 ] && printf '%s\n' "$ERR" | grep -q '^sbx: '; then
    if [ -n "$re" ] && ! printf '%s\n' "$ERR" | grep -Eq -- "$re"; then
      not_ok "$desc: one 'sbx: ' line on stderr matching $re"; last_run_diag
    else
      ok "$desc: one 'sbx: ' line on stderr${re:+ matching $re}"
    fi
  else
    not_ok "$desc: one 'sbx: ' line on stderr${re:+ matching $re}" "stderr has $n non-empty lines"
    last_run_diag
  fi
}

# Polls until FILE contains a line matching ERE; at most SECONDS (default 20); gives up
# early once process PID (if given) has exited.
wait_for_line() { # FILE ERE [SECONDS [PID]]
  local deadline=$(( $(date +%s) + ${3:-20} ))
  while [ "$(date +%s)" -le "$deadline" ]; do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then
      grep -Eq -- "$2" "$1" 2>/dev/null
      return
    fi
    sleep 0.05
  done
  return 1
}

# Background processes started by a script; killed (by pid) at exit if still there.
BG_PIDS=()
bg_track() { BG_PIDS+=("$1"); }

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Polls http://127.0.0.1:PORT/v2/ until it answers (any status), at most 15 s.
wait_http() { # PORT
  python3 - "$1" <<'EOF'
import sys, time, urllib.request, urllib.error
deadline = time.time() + 15
while time.time() < deadline:
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
EOF
}

# Debian's docker-registry on a free loopback port, its storage under $TEST_TMP/registry,
# killed at exit.  Sets REG (127.0.0.1:PORT), or REG_SKIP (why not) and returns 1.
start_registry() {
  local port
  REG='' REG_SKIP=''
  if ! command -v docker-registry >/dev/null; then
    REG_SKIP="docker-registry not found (install docker-registry)"
    return 1
  fi
  port=$(free_port)
  mkdir -p "$TEST_TMP/registry"
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$TEST_TMP/registry" "$port" > "$W/registry.yml"
  docker-registry serve "$W/registry.yml" > "$W/registry.log" 2>&1 &
  bg_track $!
  if ! wait_http "$port"; then
    REG_SKIP="docker-registry did not start on 127.0.0.1:$port: $(tail -n 3 "$W/registry.log" | tr '\n' ' ')"
    return 1
  fi
  REG=127.0.0.1:$port
}

# True when $SBX is a sanitizer build (slower: tests that repeat a run do it fewer times).
sbx_sanitized() { ldd "$SBX" 2>/dev/null | grep -q 'libasan'; }

# make_token PREFIX: TOKEN (PREFIX, this shell's pid, a random number), to be put into the
# argv or environment of every process of a test's runs, and token_pids to find them.  The
# pattern brackets one letter, so the grep looking for it does not match itself.
make_token() { # PREFIX
  local n=${#1}
  TOKEN=$1$$x$RANDOM
  token_re="${TOKEN:0:n}[${TOKEN:n:1}]${TOKEN:n+1}"
}
token_pids() { grep -lsE -- "$token_re" /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | sort -un; }

# Sends SIG to PID and waits for it, bounded: a watchdog SIGKILLs it after SECONDS (20).
# Sets RC to its exit status.  The watchdog stays off our stdout (meson waits for every
# writer of the TAP pipe to go).
signal_and_wait() { # SIG PID [SECONDS]
  local pid=$2 wd
  kill -"$1" "$pid" 2>/dev/null
  ( sleep "${3:-20}"; kill -9 "$pid" 2>/dev/null ) >/dev/null 2>&1 &
  wd=$!
  wait "$pid"
  RC=$?
  pkill -P "$wd" 2>/dev/null
  kill "$wd" 2>/dev/null
  wait "$wd" 2>/dev/null
}

# Descendants of PID (pids, one a line), from /proc.
descendants() { # PID
  local all
  all=$(for s in /proc/[0-9]*/stat; do
          # pid (comm) state ppid ...: comm may hold spaces and parentheses
          local l
          l=$(cat "$s" 2>/dev/null) || continue
          local pid=${l%% *} rest=${l##*) }
          set -- $rest
          echo "$pid $2"
        done)
  local queue=("$1") out=() p c
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    for c in $(printf '%s\n' "$all" | awk -v p="$p" '$2 == p { print $1 }'); do
      out+=("$c")
      queue+=("$c")
    done
  done
  [ ${#out[@]} -gt 0 ] && printf '%s\n' "${out[@]}"
  return 0
}

# --- fixtures -------------------------------------------------------------------------------
F=
FIXTURES_ERROR=
SKIP_REASON=

_fixtures_dir() {
  if [ -n "${SBX_FIXTURES_DIR:-}" ]; then
    echo "$SBX_FIXTURES_DIR"
  elif [ -n "$SBX_TESTS_BUILDDIR" ] && [ -w "$SBX_TESTS_BUILDDIR" ] &&
       { [ ! -e "$SBX_TESTS_BUILDDIR/fixtures" ] || [ -O "$SBX_TESTS_BUILDDIR/fixtures" ]; }; then
    echo "$SBX_TESTS_BUILDDIR/fixtures"
  else
    echo "${TMPDIR:-/tmp}/sbx-test-fixtures-$MY_UID"
  fi
}

# Builds (or finds cached) the fixtures: one TAP test.
fixtures_init() {
  F=$(_fixtures_dir)
  local log=$W/build-fixtures.log
  if timeout -k 5 240 "$SBX_TESTS_SRCDIR/fixtures/build-fixtures.sh" "$F" >"$log" 2>&1; then
    ok "fixtures ready in $F"
    [ -s "$log" ] && diag "$(cat "$log")"
    # shellcheck disable=SC1091
    . "$F/hostile.env"
  else
    FIXTURES_ERROR="the fixtures failed to build (see the build-fixtures test)"
    not_ok "fixtures ready in $F" "build-fixtures.sh failed:" "$(tail -n 30 "$log")"
  fi
}

# need FIXTURE...: 0 when all are built; else 1 with SKIP_REASON set.
need() {
  local f
  for f in "$@"; do
    if [ -n "$FIXTURES_ERROR" ]; then SKIP_REASON=$FIXTURES_ERROR; return 1; fi
    if [ -f "$F/$f.skip" ]; then SKIP_REASON="fixture $f: $(cat "$F/$f.skip")"; return 1; fi
    if [ ! -e "$F/$f" ]; then SKIP_REASON="fixture $f missing from $F"; return 1; fi
  done
  return 0
}

# Imports a fixture as one TAP test; returns non-zero when the import failed.
import_fixture() { # SOURCE NAME
  run_sbx image import "$1" "$2"
  if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -Eq '^[0-9a-f]{64}$'; then
    ok "import $1 as $2"
    return 0
  fi
  not_ok "import $1 as $2"
  last_run_diag
  return 1
}

# Imports fixture images quietly (no TAP line) for scripts where import is not under test.
# Reports a not-ok only on failure.
setup_image() { # FIXTURE NAME [TAG]
  run_sbx image import "oci:$F/$1:${3:-latest}" "$2"
  if [ "$RC" = 0 ]; then return 0; fi
  not_ok "setup: import fixture $1 as $2"
  last_run_diag
  return 1
}

# --- store inspection -----------------------------------------------------------------------
store_layer_dirs() { find "$STORE/layers" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort; }
store_names() { run_sbx image ls -q; printf '%s\n' "$OUT" | grep . | sort; }

# --- cleanup --------------------------------------------------------------------------------
_cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do
    kill -9 "$p" 2>/dev/null
  done
  for p in "${BG_PIDS[@]}"; do
    wait "$p" 2>/dev/null
  done
  if [ "${SBX_TESTS_KEEP:-0}" = 1 ]; then
    echo "# kept $TEST_TMP" >&2
    return
  fi
  # Store files belong to subordinate ids: remove them from a user namespace mapping those.
  if ! unshare --map-auto --map-root-user rm -rf "$TEST_TMP" 2>/dev/null; then
    chmod -R u+rwX "$TEST_TMP" 2>/dev/null
    rm -rf "$TEST_TMP" 2>/dev/null
  fi
  [ -e "$TEST_TMP" ] && echo "# could not remove all of $TEST_TMP" >&2
  return 0
}
trap _cleanup EXIT
