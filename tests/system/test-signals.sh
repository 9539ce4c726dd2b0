#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-signals.sh: SIGINT/SIGTERM/SIGHUP sent to sbx reach the command (a trap runs, its exit
# status is sbx's; without a trap 128+N), PID 1 inside is sbx's init and not the command,
# and init reaps orphaned children (no zombie stays).
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "signal tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb

# Starts sbx in the background with default signal dispositions (a non-interactive shell
# would make it ignore SIGINT), waits for "ready" on its stdout, sends SIG to the sbx
# process, and waits (bounded) for it.  Sets RC, OUT, ERR, LAST_CMD.
signal_sbx() { # SIG ARGS...
  local sig=$1
  shift
  local out=$W/sig.out err=$W/sig.err
  : > "$out"
  LAST_CMD="kill -$sig <pid of: sbx $(printf '%q ' "$@")>"
  env --default-signal "$SBX" "$@" > "$out" 2> "$err" &
  local pid=$!
  bg_track "$pid"
  if ! wait_for_line "$out" '^ready$' 30 "$pid"; then
    kill -9 "$pid" 2>/dev/null
    wait "$pid"
    RC=timeout-waiting-for-ready
  else
    sleep 0.2
    signal_and_wait "$sig" "$pid"
  fi
  OUT=$(cat "$out")
  ERR=$(cat "$err")
}

for sig in TERM INT HUP; do
  signal_sbx "$sig" run bb sh -c "trap 'echo got-$sig; exit 7' $sig; echo ready; while :; do sleep 0.1; done"
  rc_is 7 "SIG$sig to sbx reaches the command: its trap's exit 7 is sbx's status"
  like "$OUT" "^got-$sig\$" "SIG$sig to sbx: the command's trap ran and its output came through"
done

tag=$((40000 + RANDOM))
for sig in TERM:15 INT:2 HUP:1; do
  name=${sig%%:*}
  n=${sig#*:}
  # exec: sh -c would catch SIGINT and wait for its foreground child (shell semantics).
  # The background sleep must die with the sandbox when the command does.
  signal_sbx "$name" run bb sh -c "sleep $tag & echo ready; exec sleep $((tag + 1))"
  rc_is $((128 + n)) "SIG$name to sbx, no trap: sbx exits $((128 + n))"
done
sleep 0.5
left=$(pgrep -u "$MY_UID" -f "^sleep ($tag|$((tag + 1)))\$" | tr '\n' ' ')
is "$left" "" "after the signalled runs, none of their processes (sleep $tag, sleep $((tag + 1))) remains"

# --- PID 1 -------------------------------------------------------------------------------------
run_sbx run bb sh -c 'echo $$; cat /proc/1/comm; tr "\0" " " < /proc/1/cmdline; echo'
pid_sh=$(printf '%s\n' "$OUT" | sed -n 1p)
comm1=$(printf '%s\n' "$OUT" | sed -n 2p)
if [ -n "$pid_sh" ] && [ "$pid_sh" != 1 ] && [ "$pid_sh" -le 10 ] 2>/dev/null; then
  ok "the command is not PID 1 but a small pid ($pid_sh)"
else
  not_ok "the command is not PID 1 but a small pid"; last_run_diag
fi
like "$comm1" 'sbx' "PID 1 inside is sbx's init (comm '$comm1')"

# --- zombies -----------------------------------------------------------------------------------
# (sleep &) orphans sleep: it is reparented to init, which must reap it when it exits.
run_sbx run bb sh -c '(sleep 1 &); (sleep 1 &); (true &); sleep 0.4;
  for f in /proc/[0-9]*/stat; do read -r l < $f && echo "early $l"; done;
  sleep 1.6;
  for f in /proc/[0-9]*/stat; do read -r l < $f && echo "late $l"; done'
orphans=$(printf '%s\n' "$OUT" | awk '/^early/ && /\(sleep\)/ { sub(/.*\) /, ""); print $2 }' | sort -u | tr '\n' ' ')
is "$orphans" "1 " "orphaned children are reparented to PID 1 (ppid of the orphaned sleeps)"
zombies=$(printf '%s\n' "$OUT" | grep '^late' | grep -E '\) Z ')
is "$zombies" "" "no zombie remains once the orphans have exited (init reaps them)"
like "$OUT" '^late [0-9]+ \(' "the late process scan listed processes (so the zombie check saw something)"

run_sbx run bb sh -c 'i=0; while [ $i -lt 30 ]; do (true &); i=$((i+1)); done; sleep 1;
  grep -l "^State:.*Z" /proc/[0-9]*/status | wc -l'
is "$OUT" "0" "30 orphans exiting at once leave no zombie"

done_testing
