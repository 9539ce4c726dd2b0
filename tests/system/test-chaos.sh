#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-chaos.sh: kill -9 at random points of run (image and host), the start and the creation of
# a named sandbox, image import, pull (from a loopback docker-registry) and image prune, 100
# times or more, SIGKILL to sbx's own pid or to its whole process group.  After each kill: no
# process of the run left (sbx, its setup process, the sandbox, fuse-overlayfs, sbx-import: each
# carries a token in its argv or environment), no mount of the test's store on the host.  After
# each batch: `sbx image ls` reads the store, a run works, nothing is left in
# $XDG_RUNTIME_DIR/sbx once a run and `sbx ps -a` went by (they clean what killed runs leave),
# and every record a named sandbox had fsync'ed before the kill is there on its next start.
# At the end: the next import, run and prune work, and prune leaves tmp/ empty.
# The delays are spread over how long the operation takes unkilled here (measured first, and
# shortened whenever an operation ends before its kill), so that kills land at every stage.
# SBX_CHAOS_SEED repeats a run's delays (its seed is printed); SBX_CHAOS_KILLS sets the
# number of kills that must land in a running sbx (default 100; 50 in a sanitizer build, which
# is slower).
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox multilayer; then
  skip "kill -9 chaos" "$SKIP_REASON"
  done_testing
fi
export XDG_RUNTIME_DIR=$TEST_TMP/runtime
mkdir -m 0700 "$XDG_RUNTIME_DIR"

seed=${SBX_CHAOS_SEED:-$(( $(date +%s%N) % 32768 ))}
RANDOM=$seed
diag "seed $seed (SBX_CHAOS_SEED=$seed repeats these delays)"
sanitized=
if sbx_sanitized; then
  sanitized=" (sanitizer build: fewer kills)"
fi
target=${SBX_CHAOS_KILLS:-$([ -n "$sanitized" ] && echo 50 || echo 100)}
# Every process of a run carries this token: sbx and what it forks (setup, init) in argv, the
# sandbox's command in argv and environment, fuse-overlayfs and sbx-import in environment.
make_token sbxchaos
setup_image busybox bb

# --- the registry ---------------------------------------------------------------------------
if ! command -v python3 >/dev/null; then
  REG='' REG_SKIP="python3 not found"
elif start_registry; then
  if ! python3 "$SBX_TESTS_SRCDIR/system/oci-layout.py" extra "$F/busybox" "$W/pullimg" 4 chaos ||
     ! python3 "$SBX_TESTS_SRCDIR/system/oci-layout.py" push "$W/pullimg" "$REG" chaos 1; then
    REG_SKIP="the image to pull could not be pushed"
    REG=
  fi
fi
if [ -n "$REG" ]; then ok "a loopback docker-registry serves $REG/chaos:1"; else skip "a loopback registry" "$REG_SKIP"; fi

# --- processes, mounts, the runtime directory -----------------------------------------------------
# PID (argv) state, parent, process group, session, wait channel.
describe_pids() {
  local p st
  for p in "$@"; do
    st=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1-4)
    printf '%s(%s) [%s, wchan %s] ' "$p" "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-50)" "$st" "$(cat "/proc/$p/wchan" 2>/dev/null)"
  done
}
# Waits for the run's processes to go: up to 30 s (a process killed in uninterruptible disk
# I/O on this busy host can take seconds; one still there after 10 s is named in a diag line).
# Prints those that stay, and kills them.
leftover_processes() {
  local start=$SECONDS left slow=
  while :; do
    left=$(token_pids)
    [ -z "$left" ] && break
    if [ -z "$slow" ] && [ $((SECONDS - start)) -ge 10 ]; then
      slow=$(describe_pids $left)
    fi
    [ $((SECONDS - start)) -ge 30 ] && break
    sleep 0.05
  done
  [ -z "$slow" ] || echo "still there after 10 s, gone after $((SECONDS - start)) s: $slow" >> "$W/slow"
  [ -z "$left" ] && return 0
  describe_pids $left
  kill -9 $left 2>/dev/null
}
leftover_mounts() { grep -F -e "$TEST_TMP" /proc/self/mountinfo | cut -d' ' -f5 | tr '\n' ' '; }
# What $XDG_RUNTIME_DIR/sbx holds beyond its empty state/ and mnt/ (the host image's mount
# point, which every run mounts over in its own namespace); nothing runs between kills.
runtime_leftovers() {
  local e f
  for e in $(ls -A "$XDG_RUNTIME_DIR/sbx" 2>/dev/null); do
    case $e in
      state | mnt) for f in $(ls -A "$XDG_RUNTIME_DIR/sbx/$e"); do printf '%s/%s ' "$e" "$f"; done ;;
      # The profile cache stays (it is one): entries only, never a part of one or a temporary name.
      profile-cache) for f in $(ls -A "$XDG_RUNTIME_DIR/sbx/$e" | grep -vE '^[0-9a-f]{16}$'); do printf '%s/%s ' "$e" "$f"; done ;;
      *) printf '%s ' "$e" ;;
    esac
  done
}

# --- the operations -------------------------------------------------------------------------
# Each sets OP_ARGS (sbx's arguments) for kill number $1 of that operation.
NS=keep
sandbox_script='mkdir -p /data && echo "record $1" >> /data/log && sync /data/log &&
seq 1 4000 | sed "s/^/$1:/" > /data/rec-$1 && sync /data/rec-$1 && echo "synced $1"; sleep 30'
created=()
op_run() {
  if [ $(($1 % 2)) = 0 ]; then
    OP_ARGS=(run -e "SBX_CHAOS=$TOKEN" bb sh -c 'echo started; sleep 30' "$TOKEN")
  else
    OP_ARGS=(run -e "SBX_CHAOS=$TOKEN" host /bin/sh -c 'echo started; sleep 30' "$TOKEN")
  fi
}
op_start() {
  local n=$((start_serial += 1))
  case $(($1 % 3)) in
    0) OP_ARGS=(start "$NS" sh -c "$sandbox_script" "$TOKEN" "$n") ;;
    1) OP_ARGS=(run --name "$NS" -e "SBX_CHAOS=$TOKEN" bb sh -c "$sandbox_script" "$TOKEN" "$n") ;;
    2) created+=("new$1"); OP_ARGS=(run --name "new$1" -e "SBX_CHAOS=$TOKEN" bb sh -c 'echo started; sleep 30' "$TOKEN") ;;
  esac
}
op_import() { OP_ARGS=(image import "oci:$F/multilayer:latest" ml); }
op_pull() { OP_ARGS=(pull -q --tls-verify=false "$REG/chaos:1"); }
op_prune() { if [ $(($1 % 2)) = 0 ]; then OP_ARGS=(image prune); else OP_ARGS=(image prune --all); fi; }

start_serial=0
declare -A dur kills landed group_kills proc_fail mount_fail
ops=(run start import pull prune)
[ -n "$REG" ] || ops=(run start import prune)

# The named sandbox whose fsync'ed records are checked after each batch.
run_sbx run --name "$NS" bb sh -c 'mkdir -p /data && echo created'
is "$RC:$OUT" "0:created" "the named sandbox '$NS' is created"

# How long each operation takes here unkilled (ms): its kills are spread over that and 20% more.
for op in "${ops[@]}"; do
  "op_$op" 0
  [ "$op" = start ] && OP_ARGS=(start "$NS" sh -c "${sandbox_script%; sleep 30}" "$TOKEN" 0)
  [ "$op" = run ] && OP_ARGS=(run bb true)
  t0=$(date +%s%N)
  run_sbx "${OP_ARGS[@]}"
  dur[$op]=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$RC" = 0 ] || { not_ok "calibration: sbx ${OP_ARGS[*]:0:3} works unkilled"; last_run_diag; }
  kills[$op]=0; landed[$op]=0; group_kills[$op]=0; proc_fail[$op]=; mount_fail[$op]=
done
synced=(0)
diag "unkilled durations (ms): $(for op in "${ops[@]}"; do printf '%s %s, ' "$op" "${dur[$op]}"; done)"

# kill_one OP: starts sbx OP in a session of its own, SIGKILLs it (or its process group) after a
# random delay, waits for it, and checks what it left.
kill_one() {
  local op=$1 n=${kills[$1]} pid delay group rc left mounts
  "op_$op" "$n"
  delay=$(( RANDOM % (dur[$op] * 12 / 10 + 1) ))
  group=$(( RANDOM % 2 ))
  SBX_CHAOS=$TOKEN setsid "$SBX" "${OP_ARGS[@]}" > "$W/kill.out" 2> "$W/kill.err" &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  if [ "$group" = 1 ]; then
    kill -9 -- "-$pid" 2>/dev/null
    group_kills[$op]=$(( group_kills[$op] + 1 ))
  else
    kill -9 "$pid" 2>/dev/null
  fi
  { wait "$pid"; } 2>/dev/null
  rc=$?
  kills[$op]=$(( n + 1 ))
  if [ "$rc" = 137 ]; then
    landed[$op]=$(( landed[$op] + 1 ))
    total=$((total + 1))
  else
    dur[$op]=$(( (dur[$op] + delay) / 2 + 1 )) # it ended before the kill: aim earlier
  fi
  if [ "$op" = start ]; then
    local s
    s=$(sed -n 's/^synced \([0-9]*\)$/\1/p' "$W/kill.out")
    [ -n "$s" ] && synced+=("$s")
  fi
  left=$(leftover_processes)
  [ -z "$left" ] || proc_fail[$op]+="kill $n (${delay} ms, group $group): $left; "
  mounts=$(leftover_mounts)
  [ -z "$mounts" ] || mount_fail[$op]+="kill $n (${delay} ms): $mounts; "
}

# check_batch: what a user sees after the kills so far.
batch_fail_store= batch_fail_run= batch_fail_runtime= batch_fail_fsync= batch_fail_created= batches=0
batch_seconds=0
check_batch() {
  local t0=$SECONDS
  batches=$((batches + 1))
  run_sbx image ls -q
  if [ "$RC" != 0 ] || ! printf '%s\n' "$OUT" | grep -qx bb; then
    batch_fail_store+="batch $batches: image ls exit $RC: $(printf '%s' "$OUT$ERR" | head -c 300); "
  fi
  run_sbx run host /bin/true
  [ "$RC" = 0 ] || batch_fail_run+="batch $batches: run host: exit $RC: $ERR; "
  run_sbx ps -a
  [ "$RC" = 0 ] || batch_fail_run+="batch $batches: ps -a: exit $RC: $ERR; "
  local left
  left=$(runtime_leftovers)
  [ -z "$left" ] || batch_fail_runtime+="batch $batches: $left; "
  run_sbx start "$NS" sh -c 'cat /data/log; cd /data && md5sum rec-*'
  if [ "$RC" != 0 ]; then
    batch_fail_fsync+="batch $batches: start $NS: exit $RC: $ERR; "
  else
    local s sum
    for s in "${synced[@]}"; do
      [ "$s" = 0 ] && continue
      sum=$(seq 1 4000 | sed "s/^/$s:/" | md5sum | cut -d' ' -f1)
      printf '%s\n' "$OUT" | grep -qx "record $s" || batch_fail_fsync+="batch $batches: 'record $s' lost from /data/log; "
      printf '%s\n' "$OUT" | grep -qx "$sum  rec-$s" || batch_fail_fsync+="batch $batches: /data/rec-$s lost or changed; "
    done
  fi
  local c
  for c in "${created[@]}"; do
    run_sbx run --name "$c" bb echo ran
    [ "$RC:$OUT" = "0:ran" ] || batch_fail_created+="batch $batches: sandbox $c (killed at its creation): exit $RC: $ERR; "
    run_sbx rm "$c"
    [ "$RC" = 0 ] || batch_fail_created+="batch $batches: rm $c: exit $RC: $ERR; "
  done
  created=()
  batch_seconds=$((batch_seconds + SECONDS - t0))
}

start_time=$SECONDS
total=0 next_batch=20
# Bounded: meson's timeout is 300 s (x2 under sanitizers).  A host too busy to land the kills
# within 170 s (380 s) stops there: the count is then a SKIP saying how many landed, and
# every other check holds for those.
budget=$([ -n "$sanitized" ] && echo 380 || echo 170)
while [ "$total" -lt "$target" ] && [ $((SECONDS - start_time)) -lt "$budget" ]; do
  for op in "${ops[@]}"; do
    kill_one "$op"
  done
  if [ "$total" -ge "$next_batch" ]; then
    check_batch
    next_batch=$((next_batch + 20))
  fi
done
check_batch
attempts=0
for op in "${ops[@]}"; do attempts=$((attempts + kills[$op])); done
[ -s "$W/slow" ] && diag "$(cat "$W/slow")"
diag "$total kills landed in a running sbx ($attempts sent) in $((SECONDS - start_time)) s, of which $batch_seconds s in $batches batches of checks"

for op in "${ops[@]}"; do
  desc="kill -9 during $op: ${landed[$op]} kills landed of ${kills[$op]} sent (${group_kills[$op]} to the process group)"
  is "${proc_fail[$op]}" "" "$desc: no process of it left"
  is "${mount_fail[$op]}" "" "$desc: no mount left on the host"
done
[ -n "$REG" ] || skip "kill -9 during pull" "$REG_SKIP"
if [ "$total" -ge "$target" ]; then
  ok "$total kills landed in all (at least $target)$sanitized"
else
  skip "at least $target kills landed$sanitized" "only $total landed within the ${budget} s budget: this host is too busy"
fi
is "$batch_fail_store" "" "after every batch of kills: sbx image ls reads the store"
is "$batch_fail_run" "" "after every batch of kills: a run (of the host image) and sbx ps -a work"
is "$batch_fail_runtime" "" "after every batch: nothing left in \$XDG_RUNTIME_DIR/sbx once a run and ps went by"
is "$batch_fail_fsync" "" "after every batch: the records '$NS' fsync'ed before a kill are kept ($((${#synced[@]} - 1)) records)"
is "$batch_fail_created" "" "after every batch: a sandbox killed at its creation can be run and removed"

# --- the store after all that -------------------------------------------------------------------
run_sbx image import "oci:$F/multilayer:latest" ml
rc_is 0 "after the kills: an import works"
run_sbx run ml cat /a/keep /opq/new
is "$RC:$OUT" "0:keep
new" "after the kills: the imported image runs intact"
if [ -n "$REG" ]; then
  run_sbx pull -q --tls-verify=false "$REG/chaos:1"
  rc_is 0 "after the kills: a pull works"
  run_sbx run "$REG/chaos:1" sh -c 'wc -c < /fake/data'
  is "$RC:$OUT" "0:4194304" "after the kills: the pulled image runs intact"
fi
run_sbx image prune
rc_is 0 "after the kills: prune works"
is "$(ls -A "$STORE/tmp" 2>/dev/null | grep -v '^pull$' | tr '\n' ' ')" "" "after prune: nothing left in the store's tmp/ by killed imports, pulls or prunes"
is "$(ls -A "$STORE/mnt" 2>/dev/null | tr '\n' ' ')" "" "after the kills: nothing in the store's mnt/"
is "$(token_pids | tr '\n' ' ')" "" "at the end: no process of any run left"
diag "wall time of the whole test: $SECONDS s"

done_testing
