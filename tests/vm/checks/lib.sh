# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh: helpers of the guest checks (tests/vm/checks/[0-9]*.sh), sourced, run as root in
# the guest.  Results are TAP lines without numbers (test-vm.sh numbers them):
#   ok DESC | not_ok DESC [DIAG...] | skip DESC REASON | diag TEXT...
#   is GOT EXPECTED DESC | like GOT ERE DESC | rc_is EXPECTED DESC (of the last run)
#   run CMD...       as root, bounded (RUN_TIMEOUT, 120 s); sets RC, OUT, ERR
#   run_sbx CMD...   as user sbx (uid 1000) in its home, with XDG_RUNTIME_DIR and
#                    DBUS_SESSION_BUS_ADDRESS of its systemd user manager (lingering, so it
#                    runs from boot): `systemctl --user` and `systemd-run --user` work
# SBX is the installed sbx (on the path the `sbx` AppArmor profile attaches to).
set -u
SBX=${SBX_VM_SBX:-/usr/local/bin/sbx}
SBX_UID=1000
RUN_TIMEOUT=${RUN_TIMEOUT:-120}
_tmp=$(mktemp -d /tmp/check.XXXXXX)
chmod 0755 "$_tmp"
trap 'rm -rf "$_tmp"' EXIT

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; [ $# -eq 0 ] || diag "$@"; }
skip() { echo "ok - $1 # SKIP $2"; }

LAST_CMD= RC= OUT= ERR=
last_run_diag() {
  [ -n "$LAST_CMD" ] || return 0
  diag "command: $LAST_CMD" "exit status: $RC" "stdout: $(printf '%s' "$OUT" | head -n 20)" "stderr: $(printf '%s' "$ERR" | head -n 20)"
}
run() {
  LAST_CMD=$(printf '%q ' "$@")
  timeout -k 5 "$RUN_TIMEOUT" "$@" >"$_tmp/out" 2>"$_tmp/err" </dev/null
  RC=$?
  OUT=$(cat "$_tmp/out") ERR=$(cat "$_tmp/err")
}
AS_SBX=(runuser -u sbx -- env -i -C /home/sbx HOME=/home/sbx USER=sbx LOGNAME=sbx SHELL=/bin/bash
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 TERM=dumb
        XDG_RUNTIME_DIR=/run/user/$SBX_UID DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$SBX_UID/bus)
as_sbx() { "${AS_SBX[@]}" "$@"; }
run_sbx() { run "${AS_SBX[@]}" "$@"; LAST_CMD="(as sbx) $(printf '%q ' "$@")"; }

is() {
  if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "expected: $2" "got: $1"; last_run_diag; fi
}
like() {
  if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok "$3"; else not_ok "$3" "expected to match: $2" "got: $1"; last_run_diag; fi
}
rc_is() {
  if [ "$RC" = "$1" ]; then ok "$2"; else not_ok "$2" "expected exit status $1"; last_run_diag; fi
}
