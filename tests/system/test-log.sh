#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-log.sh: a run you can watch: --log-level=debug / SBX_LOG=debug print each step of the
# pipeline from every process of the run (supervisor, setup child, init, the command before
# exec) in one format with monotonic milliseconds since sbx started, and a timing line per
# step of the run's ladder; the default is silent; the sandboxed command
# never sees SBX_LOG; outside text in sbx's messages is escaped; kernel refusals carry a hint.
set -u
. "$(dirname "$0")/lib.sh"

LINE_RE='^sbx\[[0-9]+\] \+[0-9]+\.[0-9]{3}ms (supervisor|setup|init|command|sbx): [a-z-]+: '

run_sbx run default true
rc_is 0 "plain run exits 0"
is "$ERR" "" "the default level prints nothing on stderr"

run_sbx --log-level=debug run default true
rc_is 0 "--log-level=debug run exits 0"
bad=$(printf '%s\n' "$ERR" | grep -Ev "$LINE_RE" || true)
is "$bad" "" "every stderr line has the debug format 'sbx[PID] +MS PROCESS: STEP: ...'"
for step in "supervisor: open-named-sandbox" "supervisor: load-profile" "supervisor: choose-image" \
            "supervisor: settle-network" "supervisor: settle-userns" "supervisor: settle-confinement" \
            "supervisor: open-store" "supervisor: resolve-image" "supervisor: lease-layers" \
            "supervisor: make-plan" "supervisor: spawn" "supervisor: map-ids" "setup: enter-namespaces" \
            "setup: mount-rootfs" "setup: spawn-init" "init: mounts" "command: confine" "command: exec" \
            "supervisor: supervise"; do
  if printf '%s\n' "$ERR" | grep -q " $step: "; then ok "step '$step' is logged"; else not_ok "step '$step' is logged"; last_run_diag; fi
done
like "$ERR" ' supervisor: timing: load-profile done in [0-9]+\.[0-9]{3} ms' "each step of the ladder says how long it took"
like "$ERR" ' supervisor: timing: supervise done in ' "the last step is timed too"
like "$ERR" 'make-plan: storage driver (auto|overlay|fuse-overlayfs) \(' "the storage driver is logged with why"
like "$ERR" "settle-userns: default; uid map '0 $MY_UID 1" "the id maps are logged"
like "$ERR" 'send-seccomp: [0-9]+ BPF instructions sent to init' "the filter size is logged"
like "$ERR" 'mount-rootfs: (overlay|fuse-overlayfs) over 1 layers' "the driver that mounted the root is logged"
pids=$(printf '%s\n' "$ERR" | sed -nE 's/^sbx\[([0-9]+)\].*/\1/p' | sort -u | wc -l)
check "lines come from at least 3 processes (got $pids)" test "$pids" -ge 3
# Timestamps of one process never go back.
back=$(printf '%s\n' "$ERR" | awk '{ split($1, a, /[][]/); p = a[2]; if (p in last && $2 + 0 < last[p]) print; last[p] = $2 + 0 }')
is "$back" "" "each process's timestamps are monotonic"

SBX_LOG=debug run_sbx run default true
rc_is 0 "SBX_LOG=debug run exits 0"
like "$ERR" "$LINE_RE" "SBX_LOG=debug prints the same debug lines"
like "$ERR" ' command: exec: true in /' "SBX_LOG=debug reaches the command's process"

SBX_LOG=debug run_sbx run default env
like "$OUT" '^container=sbx' "env ran"
unlike "$OUT" 'SBX_LOG' "the sandboxed command never sees SBX_LOG"

run_sbx run --log-level=debug default true
like "$ERR" 'supervisor: load-profile: ' "--log-level is also an option of the command"

run_sbx --log-level=loud run default true
check_sbx_error "--log-level=loud" 'unknown level'
run_sbx --log-level
check_sbx_error "--log-level without a value" 'missing LEVEL'

# Outside text is escaped on the way out: no terminal control sequence from sbx.
esc=$(printf '\033]0;owned\a\033[31mred\r')
run_sbx run "$esc" true
check_sbx_error "an image name with ESC/BEL/CR"
if printf '%s' "$ERR" | LC_ALL=C grep -q "$(printf '[\033\a\r]')"; then
  not_ok "the error line carries no raw ESC, BEL or CR"; last_run_diag
else
  ok "the error line carries no raw ESC, BEL or CR"
fi
like "$ERR" '\\e\]0;owned\\a\\e\[31mred\\r' "the control characters are shown escaped"
run_sbx "$esc"
like "$ERR" "unknown command '\\\\e" "an unknown command is escaped too"
run_sbx --log-level=debug run --hostname "$(printf 'a\033b')" default true
if printf '%s' "$ERR" | LC_ALL=C grep -q "$(printf '\033')"; then
  not_ok "debug lines carry no raw ESC"; last_run_diag
else
  ok "debug lines carry no raw ESC"
fi

# A refusal of the kernel or of a tool names the object and a fix.
printf '%s:%s:%s\n' "$MY_USER" 300000 65536 > "$W/subid"
SBX_SUBUID_FILE=$W/subid SBX_SUBGID_FILE=$W/subid run_sbx run default true
check_sbx_error "a subordinate range newuidmap does not allow" 'newuidmap failed: .*usermod --add-subuids'

done_testing
