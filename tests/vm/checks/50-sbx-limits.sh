#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sbx's resource limits, through its own systemd user scope: the scope is made and the
# sandbox's cgroup namespace is rooted at it (delegated: writable), a memory hog is killed at
# MemoryMax and sbx says so (exit 137), a fork bomb stops at TasksMax, the CPU quota
# throttles, `sbx stats` reads the scope, and a run without limits gets a scope all the same
# (for `sbx stats` and `sbx inspect`), not delegated to it.
. "$(dirname "$0")/lib.sh"

run_sbx "$SBX" run --network none --memory 64m --pids-limit 50 default \
  sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
rc_is 0 "sbx run --memory 64m --pids-limit 50 exits 0"
is "$OUT" "0::/
67108864
50" "the sandbox's cgroup namespace is rooted at its scope, which has MemoryMax=64M and TasksMax=50"

run_sbx "$SBX" run --network none --memory 64m default sh -c 'mkdir /sys/fs/cgroup/sub && echo made'
is "$RC:$OUT" "0:made" "the scope is delegated: the sandbox can make a sub-cgroup of its /sys/fs/cgroup"

# A 128 MiB buffer in a 32 MiB scope with no swap: the OOM killer, and sbx's one line.
run_sbx "$SBX" run --network none --memory 32m --memory-swap 32m default dd if=/dev/zero of=/dev/null bs=128M count=1
is "$RC" 137 "a 128 MiB hog under --memory 32m: sbx exits 137"
like "$ERR" "^sbx: the sandbox hit its memory limit \(MemoryMax=32\.0 MiB\)" "sbx says which limit was hit, in one line"
is "$(printf '%s\n' "$ERR" | grep -c '^sbx: ')" 1 "one sbx line on stderr"
run_sbx "$SBX" run --network none --memory 256m default dd if=/dev/zero of=/dev/null bs=128M count=1
rc_is 0 "the same hog under --memory 256m completes (the control)"

# A fork bomb, bounded: an inner shell asks for 60 sleepers (and dies at the first fork the
# limit refuses); the outer one reads the counters with builtins only, which need no fork.
run_sbx "$SBX" run --network none --pids-limit 20 default sh -c \
  'sh -c "i=0; while [ \$i -lt 60 ]; do sleep 10 & i=\$((i+1)); done" 2>/dev/null
   read n < /sys/fs/cgroup/pids.current; echo "$n"
   while read l; do echo "$l"; done < /sys/fs/cgroup/pids.events
   kill -9 -1 2>/dev/null; exit 0'
pids_current=$(printf '%s\n' "$OUT" | sed -n 1p)
if [ -n "$pids_current" ] && [ "$pids_current" -le 20 ] 2>/dev/null && [ "$pids_current" -ge 10 ]; then
  ok "a fork bomb under --pids-limit 20 stays at $pids_current tasks"
else
  not_ok "a fork bomb under --pids-limit 20 stays at 20 tasks or fewer"; last_run_diag
fi
like "$OUT" "^max [1-9]" "pids.events counts the forks refused at the limit"

# CPU: 0.2 CPUs for 2 s of busy loop: throttled, and well under 2 s of CPU time.
run_sbx "$SBX" run --network none --cpus 0.2 default sh -c \
  'timeout 2 sh -c "while :; do :; done"; grep -E "^(usage_usec|nr_throttled) " /sys/fs/cgroup/cpu.stat'
usage=$(printf '%s\n' "$OUT" | awk '$1 == "usage_usec" { print $2 }')
throttled=$(printf '%s\n' "$OUT" | awk '$1 == "nr_throttled" { print $2 }')
if [ -n "$usage" ] && [ "$usage" -lt 1000000 ] && [ "${throttled:-0}" -gt 0 ]; then
  ok "--cpus 0.2: a 2 s busy loop used ${usage} us of CPU, throttled $throttled times"
else
  not_ok "--cpus 0.2 holds (usage under 1 s, throttled)"; last_run_diag
fi

# sbx stats sees a running sandbox's scope.
as_sbx "$SBX" run --network none --name lim --memory 64m --pids-limit 50 default sleep 8 >/dev/null 2>&1 &
bg=$!
for _ in $(seq 50); do
  run_sbx "$SBX" stats lim
  [ "$RC" = 0 ] && break
  sleep 0.2
done
like "$OUT" "^sbx-lim-[0-9]+\.scope +[0-9.]+ [KMG]?i?B / 64\.0 MiB .* [0-9]+ / 50 " "sbx stats lim: memory and pids against their limits"
wait "$bg"
run_sbx "$SBX" rm lim

# No limits: a scope all the same, for sbx stats and inspect, but not the sandbox's to change
# (its /sys/fs/cgroup stays read-only); gone with the run.
as_sbx "$SBX" run --network none --name nolim default sleep 8 >/dev/null 2>&1 &
bg=$!
for _ in $(seq 50); do
  run_sbx "$SBX" stats nolim
  [ "$RC" = 0 ] && break
  sleep 0.2
done
like "$OUT" "^sbx-nolim-[0-9]+\.scope " "a run without limits gets a scope: sbx stats nolim lists it"
run_sbx "$SBX" inspect nolim
like "$OUT" '"Scope" ?: ?"sbx-nolim-[0-9]+\.scope"' "sbx inspect nolim names its scope"
run_sbx "$SBX" ps
like "$OUT" "^[0-9a-f]{12} +nolim +default " "sbx ps lists it"
wait "$bg"
run_sbx "$SBX" rm nolim
run_sbx "$SBX" run --network none default sh -c 'mkdir /sys/fs/cgroup/sub 2>/dev/null && echo made || echo refused'
is "$RC:$OUT" "0:refused" "without limits the sandbox's /sys/fs/cgroup stays read-only"
run_sbx systemctl --user list-units --all --no-legend 'sbx-*'
is "$OUT" "" "no sbx scope is left after the runs"
