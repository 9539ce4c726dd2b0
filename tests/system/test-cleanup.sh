#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-cleanup.sh: what a run leaves behind: nothing after a normal run, and nothing after
# SIGKILL of sbx either: no sandbox process, no fuse-overlayfs, no mount, no upper directory
# (the store holds only layers/ blobs/ images.json lock tmp/ mnt/, with tmp/ and mnt/ empty);
# the store stays usable after a killed import.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "cleanup tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb

# This test's fuse-overlayfs processes: they inherit its XDG_DATA_HOME (others of the same
# user, a benchmark's say, do not count; one whose environment cannot be read does).
fuse_pids() {
  local p
  for p in $(pgrep -u "$MY_UID" -x fuse-overlayfs); do
    if [ -r "/proc/$p/environ" ] && ! tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qxF "XDG_DATA_HOME=$XDG_DATA_HOME"; then
      continue
    fi
    echo "$p"
  done | sort
}

store_leftovers() { # prints what should not be there
  local e
  for e in $(ls -A "$STORE" 2>/dev/null); do
    case $e in
      layers|blobs|images.json|lock|tmp|mnt) ;;
      sandboxes) [ -z "$(ls -A "$STORE/sandboxes")" ] || echo "sandboxes/ not empty: $(ls -A "$STORE/sandboxes" | tr '\n' ' ')" ;;
      *) echo "unexpected store entry: $e" ;;
    esac
  done
  [ -d "$STORE/tmp" ] && [ -n "$(ls -A "$STORE/tmp")" ] && echo "tmp/ not empty: $(ls -A "$STORE/tmp" | tr '\n' ' ')"
  [ -d "$STORE/mnt" ] && [ -n "$(ls -A "$STORE/mnt")" ] && echo "mnt/ not empty: $(ls -A "$STORE/mnt" | tr '\n' ' ')"
  grep -F "$XDG_DATA_HOME" /proc/self/mountinfo | sed 's/^/host mount: /'
  return 0
}

# Waits up to 10 s for all PIDS to be gone; prints those still there (pid comm).
wait_gone() {
  local deadline=$(( $(date +%s) + 10 )) p left
  while :; do
    left=
    for p in "$@"; do
      [ -e "/proc/$p" ] && left="$left $p($(cat "/proc/$p/comm" 2>/dev/null))"
    done
    [ -z "$left" ] && return 0
    [ "$(date +%s)" -gt "$deadline" ] && { echo "$left"; return 0; }
    sleep 0.1
  done
}

# --- a normal run -------------------------------------------------------------------------------
fuse_before=$(fuse_pids)
run_sbx run bb sh -c 'echo x > /tmp/upper-file; echo done'
is "$OUT" "done" "a normal run"
is "$(store_leftovers)" "" "after a normal run: no mount, nothing in tmp/ or mnt/, no stray store entry"
sleep 0.3
is "$(comm -13 <(printf '%s\n' "$fuse_before") <(fuse_pids) | tr '\n' ' ')" "" "after a normal run: no new fuse-overlayfs process remains"
upper=$(find "$TEST_TMP" -name upper-file 2>/dev/null)
is "$upper" "" "after a normal run: the written file exists nowhere on the host"

# --- SIGKILL of sbx during a run ----------------------------------------------------------------
tag=$((40000 + RANDOM))
fuse_before=$(fuse_pids)
out=$W/kill.out
"$SBX" run bb sh -c "echo x > /tmp/upper-file-$tag; echo ready; sleep $tag" > "$out" 2> "$W/kill.err" &
pid=$!
bg_track "$pid"
if wait_for_line "$out" '^ready$' 30 "$pid"; then
  ok "the sandbox to be killed is running"
else
  not_ok "the sandbox to be killed is running" "stdout: $(cat "$out")" "stderr: $(cat "$W/kill.err")"
fi
sleep 0.2
tree=$(descendants "$pid" | tr '\n' ' ')
sleepers=$(pgrep -u "$MY_UID" -f "^sleep $tag\$" | tr '\n' ' ')
new_fuse=$(comm -13 <(printf '%s\n' "$fuse_before") <(fuse_pids) | tr '\n' ' ')
diag "sbx pid $pid; descendants: $tree; sandbox sleep: $sleepers; new fuse-overlayfs: ${new_fuse:-none}"
isnt "$sleepers" "" "control: the sandbox's 'sleep $tag' is visible from the host while it runs"
if [ -z "$new_fuse" ]; then
  diag "no fuse-overlayfs process appeared during the run (sbx uses something else?)"
fi

kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
left=$(wait_gone $tree $sleepers $new_fuse)
is "$left" "" "after SIGKILL of sbx: none of its processes remains (sandbox, init, fuse-overlayfs)"
is "$(pgrep -u "$MY_UID" -f "^sleep $tag\$" | tr '\n' ' ')" "" "after SIGKILL of sbx: no 'sleep $tag' of the sandbox remains"
is "$(comm -13 <(printf '%s\n' "$fuse_before") <(fuse_pids) | tr '\n' ' ')" "" "after SIGKILL of sbx: no new fuse-overlayfs remains"
is "$(store_leftovers)" "" "after SIGKILL of sbx: no mount, nothing in tmp/ or mnt/, no stray store entry"
is "$(find "$TEST_TMP" -name "upper-file-$tag" 2>/dev/null)" "" "after SIGKILL of sbx: the upper directory is gone (its file exists nowhere)"

run_sbx run bb echo after-kill
is "$OUT" "after-kill" "the store works after a killed run"
run_sbx image rm bb
rc_is 0 "the image of the killed run can be removed (no stale lease)"
is "$(store_layer_dirs)" "" "and its layer goes with it"

# --- SIGKILL during an import -------------------------------------------------------------------
if need multilayer; then
  for delay in 0.01 0.03 0.06 0.1; do
    "$SBX" image import "oci:$F/multilayer:latest" ml > /dev/null 2>&1 &
    pid=$!
    bg_track "$pid"
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    sleep 0.2
    run_sbx image ls -q
    if [ "$OUT" = ml ]; then
      run_sbx run ml cat /a/keep /opq/new
      is "$OUT" "keep
new" "import killed after ${delay}s: the image was complete and runs"
    else
      is "$OUT" "" "import killed after ${delay}s: no image record"
    fi
    run_sbx image import "oci:$F/multilayer:latest" ml
    rc_is 0 "import killed after ${delay}s: importing again works"
    run_sbx run ml ls -A /opq
    is "$OUT" "new" "import killed after ${delay}s: the re-imported image is intact"
    [ -n "$(ls -A "$STORE/tmp" 2>/dev/null)" ] && diag "after the killed import and a new one, tmp/ holds: $(ls -A "$STORE/tmp" | tr '\n' ' ')"
    run_sbx image rm ml
  done
else
  skip "killed import tests" "$SKIP_REASON"
fi

done_testing
