#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-load.sh: sbx under load.  100 sandboxes at once (80 short runs, each exiting with a
# status of its own, half of an image and half of the host image, beside 20 long ones that
# exit, with statuses of their own, once all short ones are done): every one exits with its own
# status.  Then 1,000 runs one after the other beside a long-running sandbox serving a port
# (each run followed by a connection to that port through the long one's supervisor): every
# run exits 0, and nothing grows between the first runs and the last: the long supervisor's
# open files and memory (VmRSS), the host's mounts, the run's processes and network
# namespaces, the files in $XDG_RUNTIME_DIR/sbx and the store's tmp/ and mnt/.
# In a sanitizer build (slower) the sequential runs are 200, and the TAP lines say so;
# SBX_LOAD_RUNS sets their number.  They stop at a time budget (240 s; 340 s under sanitizers)
# on a host too busy for them: the count is then a SKIP naming how many ran, and the growth
# checks compare what ran.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "load" "$SKIP_REASON"
  done_testing
fi
export XDG_RUNTIME_DIR=$TEST_TMP/runtime
mkdir -m 0700 "$XDG_RUNTIME_DIR"
setup_image busybox bb
sanitized=
if sbx_sanitized; then
  sanitized=" (sanitizer build: fewer runs)"
fi
runs=${SBX_LOAD_RUNS:-$([ -n "$sanitized" ] && echo 200 || echo 1000)}
# Every process of this test's runs carries the token in its argv or environment.
make_token sbxload

# --- 100 at once ------------------------------------------------------------------------------
ctl=$W/ctl
mkdir -p "$ctl" "$W/jobs"
chmod 0777 "$ctl"
start_job() { # ID ARGS...
  local id=$1
  shift
  ( timeout -k 5 280 "$SBX" "$@" > "$W/jobs/$id.out" 2> "$W/jobs/$id.err"; echo $? > "$W/jobs/$id.rc" ) &
  bg_track $!
}
t0=$SECONDS
for i in $(seq 0 19); do
  start_job "long$i" run -e "SBX_LOAD=$TOKEN" -v "$ctl:/ctl" bb sh -c \
    'touch /ctl/up-$1; while [ ! -e /ctl/go ]; do sleep 0.2; done; exit $((100 + $1))' "$TOKEN" "$i"
done
for i in $(seq 0 79); do
  if [ $((i % 2)) = 0 ]; then
    start_job "short$i" run -e "SBX_LOAD=$TOKEN" bb sh -c 'exit $1' "$TOKEN" "$i"
  else
    start_job "short$i" run -e "SBX_LOAD=$TOKEN" host /bin/sh -c 'exit $1' "$TOKEN" "$i"
  fi
done
# The long ones are told to end once every short one has.
deadline=$((SECONDS + 240))
while [ "$(ls "$W/jobs" | grep -c '^short.*\.rc$')" -lt 80 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
up=$(ls "$ctl" | grep -c '^up-')
touch "$ctl/go"
while [ "$(ls "$W/jobs" | grep -c '^long.*\.rc$')" -lt 20 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
diag "100 sandboxes at once: $((SECONDS - t0)) s; $up of the 20 long ones were up when the short ones were done"
wrong=
for i in $(seq 0 79); do
  rc=$(cat "$W/jobs/short$i.rc" 2>/dev/null)
  [ "$rc" = "$i" ] || wrong+="short $i: exit ${rc:-none}: $(head -c 200 "$W/jobs/short$i.err"); "
done
is "$wrong" "" "80 short runs among 100 sandboxes at once: each exits with its own status (0..79)"
wrong=
for i in $(seq 0 19); do
  rc=$(cat "$W/jobs/long$i.rc" 2>/dev/null)
  [ "$rc" = "$((100 + i))" ] || wrong+="long $i: exit ${rc:-none}: $(head -c 200 "$W/jobs/long$i.err"); "
done
is "$wrong" "" "20 long runs beside them: each exits with its own status (100..119)"
wait
left=$(token_pids)
is "$left" "" "after the 100: no process of theirs is left"

# --- 1,000 one after the other ----------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$W/long.out
"$SBX" run -p "$port:80" -e "SBX_LOAD=$TOKEN" bb sh -c \
  'mkdir -p /www && echo pong > /www/ping && echo up && exec httpd -f -p 80 -h /www' "$TOKEN" > "$out" 2> "$W/long.err" &
long=$!
bg_track "$long"
ping_long() { curl -s --max-time 10 "http://127.0.0.1:$port/ping"; }
if ! wait_for_line "$out" '^up$' 60 "$long"; then
  not_ok "the long-running sandbox serves its port" "$(cat "$out" "$W/long.err")"
  done_testing
fi
for _ in $(seq 100); do [ "$(ping_long)" = pong ] && break; sleep 0.1; done
is "$(ping_long)" "pong" "the long-running sandbox serves 127.0.0.1:$port"

fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
mount_lines() { wc -l < /proc/self/mountinfo; }
net_namespaces() { local p; for p in $(token_pids); do readlink "/proc/$p/ns/net" 2>/dev/null; done | sort -u | wc -l; }
runtime_files() { find "$XDG_RUNTIME_DIR/sbx" "$STORE/tmp" "$STORE/mnt" -mindepth 1 2>/dev/null | wc -l; }
# The long supervisor's fds settle once libslirp has closed its connections' sockets (it
# closes them a little after the peer): the count once it has not changed for 1 s, or has
# come down to @1 (at most 15 s).
settled_fds() { # [TARGET]
  local n last=-1 same=0 i
  for i in $(seq 150); do
    n=$(fd_count "$long")
    [ -n "${1:-}" ] && [ "$n" -le "$1" ] && break
    if [ "$n" = "$last" ]; then same=$((same + 1)); else same=0; fi
    [ "$same" -ge 10 ] && break
    last=$n
    sleep 0.1
  done
  echo "$n"
}
snapshot() { # [FDS] -> "fds rss mounts processes netns runtime"
  echo "$(settled_fds "${1:-}") $(rss_kib "$long") $(mount_lines) $(token_pids | wc -l) $(net_namespaces) $(runtime_files)"
}

failures=
one_run() { # N
  local rc
  "$SBX" run --network=none -e "SBX_LOAD=$TOKEN" bb true > /dev/null 2> "$W/seq.err"
  rc=$?
  [ "$rc" = 0 ] || failures+="run $1: exit $rc: $(head -c 200 "$W/seq.err"); "
  [ "$(ping_long)" = pong ] || failures+="after run $1: no answer from the long-running sandbox; "
}
# Warm-up: the first runs fill caches (the long supervisor's allocator, the kernel's).
warm=$((runs / 20 > 20 ? runs / 20 : 20))
t0=$SECONDS
budget=$([ -n "$sanitized" ] && echo 340 || echo 240)
for n in $(seq 1 "$warm"); do one_run "$n"; done
before=$(snapshot)
done_runs=$warm
while [ "$done_runs" -lt "$runs" ] && [ $((SECONDS - t0)) -lt "$budget" ]; do
  done_runs=$((done_runs + 1))
  one_run "$done_runs"
done
after=$(snapshot "${before%% *}")
diag "$done_runs runs one after the other (each followed by a connection to the long sandbox) in $((SECONDS - t0)) s"
diag "after run $warm / after run $done_runs: long supervisor fds, VmRSS KiB, host mountinfo lines, processes of the test, their network namespaces, files in the runtime dir and tmp/ mnt/"
diag "  $before" "  $after"
if [ "$done_runs" -ge "$runs" ]; then
  ok "$runs runs one after the other$sanitized"
else
  skip "$runs runs one after the other$sanitized" "only $done_runs ran within the ${budget} s budget: this host is too busy"
fi
runs=$done_runs
is "$failures" "" "$runs runs: each exits 0 and the long sandbox keeps answering after each"
read -r fd0 rss0 mnt0 proc0 net0 files0 <<< "$before"
read -r fd1 rss1 mnt1 proc1 net1 files1 <<< "$after"
check_fds() { [ "$fd1" -le "$fd0" ]; }
check "the long-running supervisor's open files do not grow over $((runs - warm)) runs and connections ($fd0 -> $fd1)" check_fds
check_rss() { [ "$rss1" -le $((rss0 + 1024)) ]; }
if [ -n "$sanitized" ]; then
  # ASan keeps freed memory in its quarantine (256 MiB by default): RSS grows without a leak.
  # LeakSanitizer checks the supervisor for leaks when it exits instead.
  skip "the long-running supervisor's memory does not grow (VmRSS $rss0 -> $rss1 KiB)" \
    "a sanitizer build: ASan's quarantine holds freed memory (LeakSanitizer checks leaks at exit)"
else
  check "the long-running supervisor's memory does not grow over $((runs - warm)) connections (VmRSS $rss0 -> $rss1 KiB, 1 MiB allowed)" check_rss
fi
is "$mnt1" "$mnt0" "the host's mounts do not grow ($mnt0 mountinfo lines)"
is "$proc1" "$proc0" "no process of the runs is left: only the long sandbox's ($proc0)"
is "$net1" "$net0" "network namespaces of the test's processes do not grow ($net0)"
is "$files1" "$files0" "nothing accumulates in \$XDG_RUNTIME_DIR/sbx or the store's tmp/ and mnt/ ($files0 entries)"

signal_and_wait TERM "$long"
is "$(token_pids | tr '\n' ' ')" "" "at the end: no process of the test's sandboxes is left"
diag "wall time of the whole test: $SECONDS s"

done_testing
