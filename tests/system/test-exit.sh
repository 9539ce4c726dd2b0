#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-exit.sh: sbx run's exit status: the command's own, 125 for sbx's errors, 126 for a
# command that cannot be executed, 127 for one that does not exist, 128+N for a signal.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "exit status tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb

for st in 0 1 3 42 124 125 126 127 255; do
  run_sbx run bb sh -c "exit $st"
  rc_is "$st" "exit $st inside -> sbx exits $st"
done
run_sbx run bb true
rc_is 0 "true -> 0"
run_sbx run bb false
rc_is 1 "false -> 1"

run_sbx run bb /etc/passwd
rc_is 126 "a non-executable file as the command -> 126"
isnt "$ERR" "" "a non-executable command is reported on stderr"
run_sbx run bb /etc
rc_is 126 "a directory as the command -> 126"

if need suid; then
  setup_image suid suid
  run_sbx run suid /usr/local/bin/bad-format
  rc_is 126 "an executable file in no executable format -> 126"
  run_sbx run suid noexec
  rc_is 126 "a command found in PATH but not executable (mode 0644) -> 126"
else
  skip "exit 126 for bad formats" "$SKIP_REASON"
fi

run_sbx run bb no-such-command
rc_is 127 "a command not in PATH -> 127"
like "$ERR" 'no-such-command' "the missing command is named on stderr"
run_sbx run bb /no/such/path
rc_is 127 "a missing absolute path -> 127"
run_sbx run bb sh -c 'exec no-such-command'
rc_is 127 "the shell's own 127 passes through"

run_sbx run no-such-image true
rc_is 125 "an unknown image -> 125"
run_sbx run --bogus-option bb true
rc_is 125 "a bad option -> 125"

for sig in 9:KILL 15:TERM 1:HUP 2:INT 11:SEGV 6:ABRT 10:USR1; do
  n=${sig%%:*}
  name=${sig#*:}
  run_sbx run bb sh -c "kill -$name \$\$"
  rc_is $((128 + n)) "killed by SIG$name inside -> $((128 + n))"
done

run_sbx run bb sh -c 'sleep 0.1 & exit 5'
rc_is 5 "the command's status even with a child still running at exit"

done_testing
