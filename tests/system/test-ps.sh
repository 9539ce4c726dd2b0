#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-ps.sh: running sandboxes register themselves ($XDG_RUNTIME_DIR/sbx/state/ID.json):
# sbx ps lists them (table and --format json), inspect shows their state, kill passes a
# signal to the command, stop ends one that ignores SIGTERM after -t seconds (its run exits
# 137) and its registration goes; a registration left by a killed supervisor, or pointing at
# a pid that now belongs to another process, is never taken for a running sandbox; names
# and ids that run nothing, and ambiguous id prefixes, are one-line errors (125).
set -u
. "$(dirname "$0")/lib.sh"

export XDG_RUNTIME_DIR=$TEST_TMP/runtime
mkdir -m 0700 "$XDG_RUNTIME_DIR"
STATE=$XDG_RUNTIME_DIR/sbx/state
mkdir -p "$W/mnt"

json() { # PYTHON-EXPRESSION over d (the parsed stdout of the last run), X (its object named x)
  #        and A (its unnamed one)
  printf '%s' "$OUT" | python3 -c "import json, sys
d = json.load(sys.stdin)
X = ([r for r in d if isinstance(r, dict) and r.get('name') == 'x'] + [None])[0]
A = ([r for r in d if isinstance(r, dict) and 'name' in r and r['name'] is None] + [None])[0]
print($1)" 2>&1
}

# Starts `sbx ARGS...` in the background, output in $W/NAME.out/.err; sets BG.
start_bg() { # NAME ARGS...
  local name=$1
  shift
  env --default-signal "$SBX" "$@" >"$W/$name.out" 2>"$W/$name.err" &
  BG=$!
  bg_track "$BG"
}

# Waits (at most 60 s: the first run imports the default image) until ps lists N sandboxes.
wait_running() { # N
  local deadline=$(( $(date +%s) + 60 ))
  while [ "$(date +%s)" -le "$deadline" ]; do
    run_sbx ps --format json
    [ "$RC" = 0 ] && [ "$(json 'len(d)')" = "$1" ] && return 0
    sleep 0.2
  done
  return 1
}

# Exit status of background job PID, waiting at most SECONDS for it.
wait_bg() { # PID SECONDS
  local pid=$1 i
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  wait "$pid"
}

start_bg x run --name x -v "$W/mnt:/mnt" default sh -c \
  'trap "" TERM; trap "echo got-usr1 > /mnt/usr1" USR1; echo ready; while :; do sleep 0.2; done'
X_PID=$BG
start_bg anon run default sleep 100
ANON_PID=$BG
if ! wait_running 2; then
  not_ok "two sandboxes start and are listed" "$(cat "$W/x.err" "$W/anon.err")"
  last_run_diag
  done_testing
fi
ok "two sandboxes start and are listed"

# --- ps -----------------------------------------------------------------------------------------
run_sbx ps
rc_is 0 "sbx ps: exit status 0"
like "$(printf '%s\n' "$OUT" | head -n 1)" '^ID +NAME +IMAGE +PROFILE +PID +STARTED +STATUS +COMMAND$' \
  "sbx ps: the header names ID NAME IMAGE PROFILE PID STARTED STATUS COMMAND"
like "$OUT" '^[0-9a-f]{12} +x +default +default +[0-9]+ +.* ago +Up .* +sh -c trap' "sbx ps: the named sandbox's row"
like "$OUT" '^[0-9a-f]{12} +- +default +default +[0-9]+ +.* ago +Up .* +sleep 100$' "sbx ps: the unnamed sandbox's row"
is "$(count_lines "$OUT")" 3 "sbx ps: a header and two rows"

run_sbx ps --format json
is "$(json 'sorted([str(r["name"]) for r in d])')" "['None', 'x']" "ps --format json: both, name null when unnamed"
is "$(json '[r["started"] for r in d] == sorted(r["started"] for r in d)')" True "ps --format json: oldest first"
is "$(json 'sorted(d[0].keys())')" \
  "['command', 'id', 'image', 'name', 'pid', 'profile', 'started', 'state', 'status']" "ps --format json: the fields"
is "$(json 'A["command"], A["state"], A["image"], A["profile"]')" \
  "['sleep', '100'] running default default" "ps --format json: command as an array, state running"
is "$(json 'type(X["started"]).__name__, type(X["pid"]).__name__, len(X["id"])')" "int int 12" \
  "ps --format json: started in unix seconds, pid a number, a 12-character id"
X_ID=$(json 'X["id"]')
ANON_ID=$(json 'A["id"]')
X_INIT=$(json 'X["pid"]')
check "the state file of each is \$XDG_RUNTIME_DIR/sbx/state/ID.json" test -f "$STATE/$X_ID.json" -a -f "$STATE/$ANON_ID.json"
like "$(cat "/proc/$X_INIT/comm" 2>&1)" 'sbx' "ps's PID is the sandbox's pid 1 (sbx's init) seen from outside"

# --- inspect ------------------------------------------------------------------------------------
run_sbx inspect x
rc_is 0 "inspect x: exit status 0"
is "$(json 'd[0]["State"]["Running"], d[0]["State"]["Pid"], d[0]["Id"], d[0]["Name"]')" \
  "True $X_INIT $X_ID x" "inspect x: State.Running true, State.Pid the pid ps shows, its id and name"
is "$(json 'd[0]["Network"]["Mode"], "/mnt" in [m["destination"] for m in d[0]["Mounts"]], "process" in d[0]["EffectiveProfile"]')" \
  "slirp True True" "inspect x: network mode, the -v mount among the mounts, the effective profile"
run_sbx inspect "${ANON_ID:0:6}" default
is "$(json 'len(d), d[0]["Id"], d[1]["Name"], d[1]["RootFS"]["Type"]')" "2 $ANON_ID default layers" \
  "inspect ID-PREFIX IMAGE: the running sandbox by a 6-character prefix, then the image's record"

# --- kill ---------------------------------------------------------------------------------------
run_sbx kill -s USR1 x
rc_is 0 "kill -s USR1 x: exit status 0"
is "$OUT" "x" "kill prints the name it was given"
if wait_for_line "$W/mnt/usr1" '^got-usr1$' 10; then ok "SIGUSR1 reached the command's trap"; else not_ok "SIGUSR1 reached the command's trap"; fi
run_sbx kill -s SIGUSR1 "${X_ID:0:4}"
rc_is 0 "kill -s SIGUSR1 ID-PREFIX: the SIG prefix and a 4-character id prefix are accepted"
run_sbx kill -s NOSUCH x
check_sbx_error "kill -s NOSUCH" 'not a signal'

# --- stop ---------------------------------------------------------------------------------------
start=$(date +%s%N)
run_sbx stop -t 2 x
end=$(date +%s%N)
rc_is 0 "stop -t 2 x: exit status 0"
is "$OUT" "x" "stop prints the name it was given"
ms=$(( (end - start) / 1000000 ))
if [ "$ms" -ge 1800 ] && [ "$ms" -lt 6000 ]; then
  ok "stop -t 2 of a command ignoring SIGTERM took ${ms} ms (SIGKILL after 2 s)"
else
  not_ok "stop -t 2 of a command ignoring SIGTERM took ${ms} ms (expected about 2000)"
fi
wait_bg "$X_PID" 10
is "$?" 137 "the stopped sandbox's sbx run exits 137"
check "its state file is gone" test ! -e "$STATE/$X_ID.json"
run_sbx ps --format json
is "$(json '[r["id"] for r in d]')" "['$ANON_ID']" "ps no longer lists it"
run_sbx ps -a
like "$OUT" '^- +x +default +\(recorded\) +- +- +Exited +sh -c' "ps -a lists it as Exited (a named sandbox)"

# --- errors -------------------------------------------------------------------------------------
for cmd in stop kill; do
  run_sbx "$cmd" x
  check_sbx_error "$cmd of a stopped sandbox" "no running sandbox 'x'"
  run_sbx "$cmd" nosuch
  check_sbx_error "$cmd of a missing name" "no running sandbox 'nosuch'"
done
run_sbx inspect nosuch
check_sbx_error "inspect of a missing name" "no sandbox or image 'nosuch'"
is "$OUT" "" "inspect of a missing name prints nothing on stdout"

# --- stale registrations ------------------------------------------------------------------------
# A supervisor killed with SIGKILL leaves its registration behind: not running, removed by ps.
start_bg k run default sleep 100
K_PID=$BG
wait_running 2
K_ID=$(json '[r["id"] for r in d if r["id"] != "'"$ANON_ID"'"][0]')
kill -9 "$K_PID"
wait "$K_PID" 2>/dev/null
check "kill -9 of the supervisor leaves its state file" test -e "$STATE/$K_ID.json"
run_sbx ps --format json
is "$(json '[r["id"] for r in d]')" "['$ANON_ID']" "ps does not list the killed run"
check "ps removed its stale state file" test ! -e "$STATE/$K_ID.json"

# A registration with a live pid (this shell's) but another start time: pid reuse.
sed -e "s/\"$ANON_ID\"/\"abc000000001\"/" -e "s/\"supervisor_pid\" *: *[0-9]*/\"supervisor_pid\" : $$/" \
  "$STATE/$ANON_ID.json" > "$STATE/abc000000001.json"
sed -e "s/\"$ANON_ID\"/\"abc000000002\"/" -e "s/\"supervisor_start_time\" *: *[0-9]*/\"supervisor_start_time\" : 1/" \
  -e "s/\"supervisor_pid\" *: *[0-9]*/\"supervisor_pid\" : $$/" "$STATE/$ANON_ID.json" > "$STATE/abc000000002.json"
run_sbx ps --format json
is "$(json '[r["id"] for r in d]')" "['$ANON_ID']" "a registration whose pid is now another process's is not listed"
check "and its files are removed" test ! -e "$STATE/abc000000001.json" -a ! -e "$STATE/abc000000002.json"
fake_reused() { # ID: a registration of the unnamed sandbox, its supervisor pid this shell's
  sed -e "s/\"$ANON_ID\"/\"$1\"/" -e "s/\"supervisor_pid\" *: *[0-9]*/\"supervisor_pid\" : $$/" \
    "$STATE/$ANON_ID.json" > "$STATE/$1.json"
}
for cmd in "kill -s USR1" "stop -t 1" inspect; do
  fake_reused abc000000005
  run_sbx $cmd abc000000005
  check_sbx_error "$cmd of a pid-reused registration" "no (running )?sandbox"
done

# Ambiguous prefixes: two live registrations that share one (copies of the live one, ids changed).
sed "s/\"$ANON_ID\"/\"abc000000003\"/" "$STATE/$ANON_ID.json" > "$STATE/abc000000003.json"
sed "s/\"$ANON_ID\"/\"abc000000004\"/" "$STATE/$ANON_ID.json" > "$STATE/abc000000004.json"
run_sbx inspect abc0
check_sbx_error "an ambiguous id prefix" "ambiguous.*abc000000003, abc000000004"
run_sbx kill -s USR2 ab
check_sbx_error "an id prefix under 3 characters" "no running sandbox 'ab'"
rm -f "$STATE"/abc00000000*.json

# --- the unnamed one, by id -----------------------------------------------------------------------
run_sbx stop -t 5 "$ANON_ID"
rc_is 0 "stop ID of a command that dies of SIGTERM"
wait_bg "$ANON_PID" 10
is "$?" 143 "its sbx run exits 143 (SIGTERM reached sleep)"
run_sbx ps --format json
is "$(json 'len(d)')" 0 "nothing runs any more"
is "$(ls "$STATE")" "" "no state file is left"

# --- --format json of the other listings -------------------------------------------------------
run_sbx ls --format json
is "$(json '[(r["name"], r["image"], r["status"], type(r["created"]).__name__, r["command"][:2]) for r in d]')" \
  "[('x', 'default', 'stopped', 'int', ['sh', '-c'])]" "ls --format json: name, image, status, created (unix), command"
run_sbx image ls --format json
is "$(json '[(r["name"], len(r["id"]), type(r["size"]).__name__, type(r["created"]).__name__) for r in d]')" \
  "[('default', 64, 'int', 'int')]" "image ls --format json: name, the full id, size in bytes, created (unix)"
run_sbx system df --format json
is "$(json '[(r["type"], type(r["size"]).__name__) for r in d]')" \
  "[('Images', 'int'), ('Layers', 'int'), ('Sandboxes', 'int'), ('Temporary', 'int')]" \
  "system df --format json: a row per type, sizes in bytes"
is "$(json 'd[0]["reclaimable"], d[1]["count"] > 0')" "None True" "system df --format json: null where the table shows nothing"
run_sbx profile ls --format json
is "$(json '[r for r in d if r["name"] == "default"][0]["source"]')" "None" \
  "profile ls --format json: the built-in default profile, source null"
run_sbx stats --format json
if [ "$RC" = 0 ]; then
  is "$(json 'type(d).__name__')" "list" "stats --format json: an array"
else
  skip "stats --format json" "no systemd user manager here ($(printf '%s' "$ERR" | head -n 1))"
fi
run_sbx ps --format yaml
check_sbx_error "ps --format yaml" "expected table or json"

done_testing
