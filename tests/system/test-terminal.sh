#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-terminal.sh: sbx run -t as a person uses it, driven through tmux: a real interactive
# shell in the sandbox's own pty (tty names it, job control: &, jobs, Ctrl-Z, fg, Ctrl-C),
# a window resize seen by stty, vim writing a file, the caller's terminal restored after
# the command is killed and after SIGTERM to sbx; without -t, Ctrl-Z never stops sbx.
set -u
. "$(dirname "$0")/lib.sh"

if ! command -v tmux >/dev/null; then
  skip "terminal tests" "tmux is not installed (apt-get install tmux)"
  done_testing
fi
if [ ! -x /bin/bash ]; then
  skip "terminal tests" "no /bin/bash on the host for the host image"
  done_testing
fi

export TMUX_TMPDIR=$TEST_TMP/tmux
mkdir -p "$TMUX_TMPDIR" "$W/share"
T="tmux -L sbxtest"
cleanup_tmux() { $T kill-server 2>/dev/null || true; }
trap 'cleanup_tmux' EXIT

# A host shell in a 100x30 window, its prompt plain.
start_pane() {
  local i
  cleanup_tmux
  # A server on its way out refuses new sessions for a moment.
  for ((i = 0; i < 20; i++)); do
    [ -e "$TMUX_TMPDIR/tmux-$MY_UID/sbxtest" ] || break
    sleep 0.1
  done
  $T new-session -d -s t -x 100 -y 30 "env -i HOME=$HOME PATH=$PATH TERM=xterm-256color XDG_DATA_HOME=$XDG_DATA_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME PS1='host\$ ' bash --norc -i"
  wait_for 'host\$' 10
}
screen() { $T capture-pane -t t -p -S -200; }
keys() { $T send-keys -t t "$@"; }
# wait_for ERE SECONDS: until the pane shows a match (bounded).
wait_for() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
check_screen() { # ERE DESC [SECONDS]
  if wait_for "$1" "${3:-5}"; then ok "$2"; else not_ok "$2" "the pane never showed: $1"; diag "$(screen | tail -25)"; fi
}

start_pane
keys "$SBX run -t host env PS1='box\$ ' bash --norc -i" Enter
check_screen 'box\$' "sbx run -t starts an interactive shell in the sandbox"
unlike "$(screen)" 'no job control|cannot set terminal process group' "the shell has job control (no warning)"
keys "tty; stty size" Enter
check_screen '^/dev/pts/[0-9]+' "tty names a pty of the sandbox"
check_screen '^30 100$' "stty size is the caller's window size"
keys "sleep 100 &" Enter
check_screen '^\[1\] [0-9]+' "a background job starts"
keys "sleep 50" Enter
sleep 0.5
keys C-z
check_screen 'Stopped +sleep 50' "Ctrl-Z stops the foreground job inside"
keys "jobs" Enter
check_screen 'Running +sleep 100 &' "jobs lists the background job"
keys "fg %2" Enter
sleep 0.5
keys C-c
keys "echo after-ctrl-c-\$?" Enter
check_screen 'after-ctrl-c-130' "Ctrl-C ends the job brought back with fg (status 130)"
$T resize-window -t t -x 90 -y 25 2>/dev/null || $T resize-pane -t t -x 90 -y 25
sleep 0.3
keys "stty size" Enter
check_screen '^25 90$' "a window resize reaches the pty (SIGWINCH)"
keys "cd /tmp && vim -u NONE -N vimfile; echo vim-exit-\$?" Enter
sleep 1
keys i "written in vim" Escape ":wq" Enter
wait_for 'vim-exit-0' 5 || true   # vim flushes typed-ahead input when it leaves: wait for it
keys "cat /tmp/vimfile" Enter
check_screen '^written in vim$' "vim opens, edits and writes a file"
keys "exit" Enter
check_screen '^host\$$' "exit returns to the caller's shell"
keys "stty -a | grep -o ' icanon\| echo ' | tr -d ' ' | sort | tr '\n' ,; echo" Enter
check_screen '^echo,icanon,$' "the caller's terminal is back in cooked mode with echo"

# The command killed with SIGKILL: sbx ends and restores the terminal.
keys "$SBX run -t host bash --norc -c 'echo pid-\$\$; sleep 100'" Enter
check_screen 'pid-[0-9]+' "a sandboxed command that will be killed runs"
pkill -KILL -f 'sleep 100$' || true
check_screen '^host\$$' "after kill -9 of the command, sbx ends" 10
keys "stty -a | grep -o ' icanon\| echo ' | tr -d ' ' | sort | tr '\n' ,; echo" Enter
check_screen '^echo,icanon,$' "the terminal is restored after the command was killed"

# SIGTERM to sbx itself: forwarded, the sandbox ends, the terminal is restored.
keys "$SBX run -t host sleep 200" Enter
sleep 1.5
pid=$(pgrep -u "$MY_UID" -f "^$SBX run -t host sleep 200" | head -n1)
if [ -n "$pid" ]; then
  kill -TERM "$pid"
  check_screen '^host\$$' "after SIGTERM to sbx, it ends" 10
  keys "stty -a | grep -o ' icanon\| echo ' | tr -d ' ' | sort | tr '\n' ,; echo" Enter
  check_screen '^echo,icanon,$' "the terminal is restored after SIGTERM to sbx"
else
  not_ok "after SIGTERM to sbx, it ends" "no sbx process found"
fi

# Without -t: Ctrl-Z in the caller's terminal does not stop sbx (no hang); the command ends.
start_pane
keys "$SBX run host sh -c 'sleep 2; echo done-without-t'" Enter
sleep 0.5
keys C-z
check_screen 'done-without-t' "without -t, Ctrl-Z does not stop sbx: the command finishes" 10
if screen | grep -q 'done-without-t' && ! screen | grep -q 'Stopped'; then
  ok "without -t, the caller's shell reports no stopped job"
else
  not_ok "without -t, the caller's shell reports no stopped job"; diag "$(screen | tail -10)"
fi

# The caller's terminal is not inside: the sandbox's stdin is its own pty, not the caller's.
start_pane
keys "$SBX run -t host sh -c 'readlink /proc/self/fd/0; ls /dev/pts | tr \"\\n\" \" \"; echo'" Enter
check_screen '^/dev/pts/0' "the command's stdin is the sandbox's own pty"
cleanup_tmux

# -t without a terminal around it (stdin a pipe): output still comes through the pty.
run_cmd sh -c "echo 'echo piped-\$((6*7))' | $SBX run -t -i host sh"
like "$OUT" 'piped-42' "with -t -i and piped input, the command reads it through the pty"
rc_is 0 "and ends at the end of input"

done_testing
