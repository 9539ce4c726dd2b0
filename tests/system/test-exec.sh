#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-exec.sh: sbx exec runs a command inside a running sandbox: in its mount, pid, user,
# UTS, IPC and network namespaces and its cgroup, under the same confinement as the
# sandbox's own command (seccomp mode and filters, capability sets, no_new_privs), which is
# what that command saw of itself; exit statuses as sbx run's (N, 127, 128+N); -e, -w, -u
# and -t; a sandbox that is not running, or a registration that is stale (its pid reused,
# its start time wrong), is a one-line error (125) and starts nothing.
set -u
. "$(dirname "$0")/lib.sh"

export XDG_RUNTIME_DIR=$TEST_TMP/runtime
mkdir -m 0700 "$XDG_RUNTIME_DIR"
STATE=$XDG_RUNTIME_DIR/sbx/state
mkdir -p "$W/mnt"

# What a process sees of itself: confinement lines of its status, namespaces, cgroup.
SELF='grep -E "^(Seccomp|Seccomp_filters|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status
for n in mnt pid user uts ipc net cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done
cat /proc/self/cgroup'

env --default-signal "$SBX" run --name x -v "$W/mnt:/mnt" default sh -c \
  "{ $SELF; } > /mnt/cmd-self; echo ready > /mnt/ready; sleep 100" >"$W/x.out" 2>"$W/x.err" &
X_PID=$!
bg_track "$X_PID"
if ! wait_for_line "$W/mnt/ready" ready 60 "$X_PID"; then
  not_ok "the sandbox starts" "$(cat "$W/x.err")"
  done_testing
  exit 0
fi

run_sbx exec x sh -c "$SELF"
rc_is 0 "exec runs a command in the sandbox"
is "$OUT" "$(cat "$W/mnt/cmd-self")" "the same seccomp, capabilities, no_new_privs, namespaces and cgroup as the sandbox's command"
like "$(grep Seccomp: "$W/mnt/cmd-self")" "Seccomp:[[:space:]]+2" "(the sandbox's command runs under a seccomp filter)"
run_sbx exec x sh -c 'cat /mnt/ready; echo $$'
is "$OUT" "ready
$(sed -n 2p <<<"$OUT")" "it sees the sandbox's files"
unlike "$(sed -n 2p <<<"$OUT")" "^1$" "it is not the sandbox's pid 1"

run_sbx exec x sh -c 'exit 3'
rc_is 3 "the command's exit status is exec's"
run_sbx exec x no-such-command
rc_is 127 "a missing command: 127"
like "$ERR" "no-such-command: executable file not found" "saying so"
run_sbx exec x /etc/passwd
rc_is 126 "a file that cannot run: 126"
run_sbx exec x sh -c 'kill -TERM $$'
rc_is 143 "a command killed by SIGTERM: 128+15"

env --default-signal "$SBX" exec x sh -c \
  'trap "echo got-term > /mnt/term; exit 7" TERM; echo up > /mnt/exec-up; while :; do sleep 0.1; done' &
E_PID=$!
bg_track "$E_PID"
if wait_for_line "$W/mnt/exec-up" up 20 "$E_PID"; then
  kill -TERM "$E_PID"
  wait_for_line "$W/mnt/term" got-term 20 "$E_PID"
  wait "$E_PID"
  is "$?" 7 "SIGTERM to sbx exec reaches the command, whose status it exits with"
else
  not_ok "SIGTERM to sbx exec reaches the command" "the exec'd command did not start"
fi

run_sbx exec -e FOO=bar -w /tmp -u 1234 x sh -c 'echo "$FOO $(pwd) $(id -u)"'
is "$OUT" "bar /tmp 1234" "-e, -w and -u (a numeric uid)"
run_sbx exec x sh -c 'echo "$(pwd) $(id -u)"'
is "$OUT" "/ 0" "without them: the sandbox command's working directory and user"

run_sbx exec -t x tty
rc_is 0 "exec -t with stdin not a terminal"
like "$OUT" "^/dev/pts/[0-9]+" "gives the command a tty of the sandbox's devpts"
run_sbx exec x sh -c 'tty || true'
unlike "$OUT" "^/dev/pts" "without -t: no tty"

run_sbx exec no-such-sandbox true
check_sbx_error "exec into a sandbox that does not exist" "no running sandbox 'no-such-sandbox'"

# Stale registrations: copies of x's, named fake; one with the start time wrong, one whose
# supervisor pid is this shell's (a live pid, another process).
X_STATE=$(grep -l '"name" *: *"x"' "$STATE"/*.json | head -1)
sed -e 's/"name" *: *"x"/"name" : "fake"/' -e 's/"id" *: *"[0-9a-f]*"/"id" : "abc000000001"/' \
  -e 's/"supervisor_start_time" *: *[0-9]*/"supervisor_start_time" : 1/' "$X_STATE" > "$STATE/abc000000001.json"
run_sbx exec fake touch /mnt/started
check_sbx_error "exec into a registration with a wrong start time" "no running sandbox 'fake'"
sed -e 's/"name" *: *"x"/"name" : "fake"/' -e 's/"id" *: *"[0-9a-f]*"/"id" : "abc000000002"/' \
  -e "s/\"supervisor_pid\" *: *[0-9]*/\"supervisor_pid\" : $$/" "$X_STATE" > "$STATE/abc000000002.json"
run_sbx exec fake touch /mnt/started
check_sbx_error "exec into a registration whose pid is another process's" "no running sandbox 'fake'"
check "nothing was started" test ! -e "$W/mnt/started"

# An interactive shell through sbx exec -t, driven in tmux as a person would: its own pty,
# the window's size, Ctrl-C to the job inside, a resize, exit back to the caller's shell.
if command -v tmux >/dev/null; then
  export TMUX_TMPDIR=$TEST_TMP/tmux
  mkdir -p "$TMUX_TMPDIR"
  T="tmux -L sbxexec"
  screen() { $T capture-pane -t t -p; }
  shows() { local i; for ((i = 0; i < 50; i++)); do screen | grep -Eq -- "$1" && return 0; sleep 0.1; done; return 1; }
  $T new-session -d -s t -x 80 -y 24 "env -i PATH=$PATH HOME=$HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR XDG_DATA_HOME=$XDG_DATA_HOME PS1='host\$ ' bash --norc -i"
  shows 'host\$' || true
  $T send-keys -t t "$SBX exec -t x sh" Enter
  $T send-keys -t t "tty; stty size; sleep 30" Enter
  if shows '^/dev/pts/[0-9]+' && shows '^24 80$'; then ok "exec -t: a pty of the sandbox, at the window's size"; else not_ok "exec -t: a pty of the sandbox, at the window's size"; diag "$(screen)"; fi
  $T send-keys -t t C-c
  $T resize-window -t t -x 70 -y 20 2>/dev/null || $T resize-pane -t t -x 70 -y 20
  sleep 0.3
  $T send-keys -t t "stty size" Enter
  if shows '^20 70$'; then ok "exec -t: Ctrl-C ends the job, a resize reaches the pty"; else not_ok "exec -t: Ctrl-C ends the job, a resize reaches the pty"; diag "$(screen)"; fi
  $T send-keys -t t "exit" Enter
  if shows '^host\$$'; then ok "exec -t: exit returns to the caller's shell"; else not_ok "exec -t: exit returns to the caller's shell"; diag "$(screen)"; fi
  $T kill-server 2>/dev/null || true
else
  skip "exec -t under tmux" "tmux is not installed"
fi

run_sbx stop -t 1 x
rc_is 0 "the sandbox stops"
run_sbx exec x true
check_sbx_error "exec into a stopped sandbox" "no running sandbox 'x'"

done_testing
