#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-concurrent.sh: several sbx at once on one store: runs of the same image, imports of the
# same source, and image rm while a sandbox of that image runs.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "concurrency tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb

# bg_sbx I ARGS...: sbx in the background, output in $W/c.I.{out,err,rc}
bg_sbx() {
  local i=$1
  shift
  ( timeout -k 5 60 "$SBX" "$@" > "$W/c.$i.out" 2> "$W/c.$i.err"; echo $? > "$W/c.$i.rc" ) &
  bg_track $!
}
result() { # I -> RC OUT ERR of that job
  RC=$(cat "$W/c.$1.rc" 2>/dev/null)
  OUT=$(cat "$W/c.$1.out" 2>/dev/null)
  ERR=$(cat "$W/c.$1.err" 2>/dev/null)
  LAST_CMD="background sbx job $1"
}

# --- two runs of the same image at once -------------------------------------------------------
bg_sbx 1 run bb sh -c 'sleep 1; echo one'
bg_sbx 2 run bb sh -c 'sleep 1; echo two'
wait
result 1; rc_is 0 "two concurrent runs: the first exits 0"; is "$OUT" "one" "two concurrent runs: the first's output"
result 2; rc_is 0 "two concurrent runs: the second exits 0"; is "$OUT" "two" "two concurrent runs: the second's output"

# --- four at once -------------------------------------------------------------------------------
start=$(date +%s.%N)
for i in 11 12 13 14; do bg_sbx $i run bb sh -c "sleep 1; echo job-$i; echo x > /tmp/own-$i; ls /tmp"; done
wait
end=$(date +%s.%N)
diag "four concurrent runs of 'sleep 1' took $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s"
for i in 11 12 13 14; do
  result $i
  rc_is 0 "four concurrent runs: job $i exits 0"
  is "$OUT" "job-$i
own-$i" "four concurrent runs: job $i's output, and its /tmp holds only its own file"
done

# --- two imports of the same source at once ---------------------------------------------------
run_sbx image import "oci:$F/busybox:latest" probe
expected_id=$OUT
run_sbx image rm probe
for round in 1 2; do
  bg_sbx 21 image import "oci:$F/busybox:latest" same
  bg_sbx 22 image import "oci:$F/busybox:latest" same
  wait
  result 21; rc_is 0 "round $round: concurrent import 1 of the same source exits 0"; is "$OUT" "$expected_id" "round $round: concurrent import 1 prints the id"
  result 22; rc_is 0 "round $round: concurrent import 2 of the same source exits 0"; is "$OUT" "$expected_id" "round $round: concurrent import 2 prints the id"
  run_sbx image ls -q
  is "$(printf '%s\n' "$OUT" | grep -cx same)" "1" "round $round: a single record 'same' afterwards"
  run_sbx run same echo works
  is "$OUT" "works" "round $round: the concurrently imported image runs"
  is "$(store_layer_dirs | wc -l)" "1" "round $round: one layer directory (bb and same share it)"
  run_sbx image rm same
done

if need multilayer; then
  bg_sbx 31 image import "oci:$F/multilayer:latest" ml1
  bg_sbx 32 image import "oci:$F/multilayer:latest" ml2
  bg_sbx 33 run bb echo run-during-import
  wait
  result 31; rc_is 0 "concurrent imports under two names: the first exits 0"
  result 32; rc_is 0 "concurrent imports under two names: the second exits 0"
  result 33; is "$OUT" "run-during-import" "a run during imports works"
  run_sbx image ls -q
  is "$OUT" "bb
ml1
ml2" "both names are recorded"
  is "$(store_layer_dirs | wc -l)" "3" "the two imports share their three layers"
  run_sbx run ml2 ls -A /opq
  is "$OUT" "new" "the image imported concurrently is intact"
  run_sbx image rm ml1 ml2
fi

# --- image rm while a sandbox of the image runs ----------------------------------------------
setup_image busybox victim
out=$W/victim.out
( timeout -k 5 60 "$SBX" run victim sh -c 'echo ready; sleep 2; cat /srv/README; /bin/busybox echo binary-ok; ls /bin | grep -c .' > "$out" 2> "$W/victim.err"; echo $? > "$W/victim.rc" ) &
victim=$!
bg_track $victim
if wait_for_line "$out" '^ready$' 30 "$victim"; then
  run_sbx image rm victim
  rm_rc=$RC
  diag "image rm during the run: exit $RC, stderr: $ERR"
  if [ "$rm_rc" = 0 ] || { [ "$rm_rc" = 125 ] && printf '%s\n' "$ERR" | grep -q '^sbx: '; }; then
    ok "image rm while the image runs: succeeds or fails cleanly (exit $rm_rc)"
  else
    not_ok "image rm while the image runs: succeeds or fails cleanly"; last_run_diag
  fi
  wait
  RC=$(cat "$W/victim.rc"); OUT=$(cat "$out"); ERR=$(cat "$W/victim.err"); LAST_CMD="sbx run victim (during image rm)"
  rc_is 0 "the sandbox survives image rm of its image"
  like "$OUT" '^fixture image busybox$' "after image rm, the sandbox still reads its files"
  like "$OUT" '^binary-ok$' "after image rm, the sandbox still runs its binaries"
  if [ "$rm_rc" = 0 ]; then
    run_sbx image ls -q
    is "$OUT" "bb" "the removed record is gone"
    run_sbx run bb echo still
    is "$OUT" "still" "the other image sharing the layer still runs"
  fi
else
  not_ok "the sandbox of the image to remove started" "$(cat "$out" "$W/victim.err")"
fi

done_testing
