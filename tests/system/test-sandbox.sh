#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-sandbox.sh: named sandboxes (`sbx run --name`, start, ls, rm) on both storage drivers:
# files kept across runs and across a SIGKILL of sbx, one run at a time, the driver kept;
# the storage driver's automatic choice and storage.conf; garbage collection (`sbx image
# prune`) that keeps what named and running sandboxes use; `sbx system df`.
set -u
. "$(dirname "$0")/lib.sh"

# The driver is chosen per check here: run-all.sh's choice for the other tests stays out.
unset SBX_STORAGE_DRIVER
fixtures_init
if ! need busybox multilayer; then
  skip "named sandboxes" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb

root_driver() { # the driver of the root filesystem a run sees, from its /proc/mounts
  run_sbx run "$@" bb sh -c 'grep " / " /proc/mounts | cut -d" " -f3'
  printf '%s' "$OUT"
}

# --- the automatic choice ---------------------------------------------------------------------
run_sbx run --storage-driver overlay bb true
if [ "$RC" = 0 ]; then
  drivers="overlay fuse-overlayfs"
  is "$(root_driver)" "overlay" "auto: the kernel's overlay where the kernel allows it"
else
  drivers="fuse-overlayfs"
  skip "the kernel overlay driver" "the kernel refuses overlayfs in a user namespace: $ERR"
  is "$(root_driver)" "fuse.fuse-overlayfs" "auto: fuse-overlayfs where the kernel refuses its overlay"
fi
is "$(root_driver --storage-driver fuse-overlayfs)" "fuse.fuse-overlayfs" "--storage-driver fuse-overlayfs is taken"
mkdir -p "$XDG_CONFIG_HOME/sbx"
printf '[storage]\ndriver=fuse-overlayfs\n' > "$XDG_CONFIG_HOME/sbx/storage.conf"
is "$(root_driver)" "fuse.fuse-overlayfs" "storage.conf [storage] driver=fuse-overlayfs is taken"
printf '[storage]\ndriver=zfs\n' > "$XDG_CONFIG_HOME/sbx/storage.conf"
run_sbx run bb echo should-not-run
check_sbx_error "storage.conf driver=zfs" "storage.conf.*zfs"
unlike "$OUT" should-not-run "storage.conf driver=zfs: nothing runs"
rm -f "$XDG_CONFIG_HOME/sbx/storage.conf"
run_sbx run --storage-driver zfs bb true
check_sbx_error "--storage-driver zfs" "zfs"

# --- named sandboxes, on each driver ----------------------------------------------------------
for d in $drivers; do
  n=keep-$d
  run_sbx run --name "$n" --storage-driver "$d" bb sh -c 'echo data > /home/f; rm /etc/passwd; mkdir -p /x/y; echo deep > /x/y/z; echo made'
  is "$RC:$OUT" "0:made" "$d: the first run of sandbox $n"
  run_sbx ls
  like "$OUT" "^$n +bb +stopped +$d " "$d: sbx ls shows $n, its image, stopped, its driver"
  run_sbx run --name "$n" bb sh -c 'cat /home/f /x/y/z; test -e /etc/passwd || echo passwd-gone'
  is "$RC:$OUT" "0:data
deep
passwd-gone" "$d: the second run finds the files, and the deletion, of the first"
  run_sbx start "$n" cat /home/f
  is "$RC:$OUT" "0:data" "$d: sbx start $n COMMAND runs in the same files"
  run_sbx start "$n"
  is "$RC:$OUT" "0:made" "$d: sbx start $n runs the first run's command again"
  run_sbx run bb cat /home/f
  isnt "$OUT" "data" "$d: a sandbox without --name does not see $n's files"

  # Data written survives a SIGKILL of sbx.
  out=$W/kill-$d.out
  "$SBX" run --name "$n" bb sh -c 'echo written-before-kill > /k; echo ready; sleep 1000' > "$out" 2>&1 &
  pid=$!
  bg_track "$pid"
  if wait_for_line "$out" '^ready$' 30 "$pid"; then
    tree=$(descendants "$pid" | tr '\n' ' ')
    run_sbx run --name "$n" bb true
    check_sbx_error "$d: a second run of $n while it runs" "is running"
    run_sbx rm "$n"
    check_sbx_error "$d: sbx rm $n while it runs" "is running"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    for _ in $(seq 100); do
      left=
      for p in $tree; do [ -e "/proc/$p" ] && left="$left $p"; done
      [ -z "$left" ] && break
      sleep 0.1
    done
    is "$left" "" "$d: after SIGKILL of sbx, none of its processes remains"
    run_sbx start "$n" cat /k
    is "$RC:$OUT" "0:written-before-kill" "$d: what was written before sbx was killed is there on the next run"
  else
    not_ok "$d: the sandbox to be killed is running" "$(cat "$out")"
  fi

  other=fuse-overlayfs
  [ "$d" = fuse-overlayfs ] && other=overlay
  if [ "$other" = fuse-overlayfs ] || [ "$drivers" != fuse-overlayfs ]; then
    run_sbx run --name "$n" --storage-driver "$other" bb true
    check_sbx_error "$d: --storage-driver $other on a sandbox made with $d" "keeps it"
  fi
  run_sbx run --name "$n" multilayer true
  check_sbx_error "$d: another image under the name $n" "exists with image 'bb'"

  dir=$STORE/sandboxes/$n
  run_sbx rm "$n"
  rc_is 0 "$d: sbx rm $n"
  is "$( [ -e "$dir" ] && echo present)" "" "$d: its directory is gone"
  run_sbx ls -q
  unlike "$OUT" "^$n\$" "$d: sbx ls no longer lists it"
  run_sbx start "$n" true
  check_sbx_error "$d: sbx start of a removed sandbox" "no sandbox named '$n'"
done

# --- bad names --------------------------------------------------------------------------------
for bad in ../x .hidden "a/b" "" "$(printf 'x%.0s' $(seq 70))"; do
  run_sbx run --name "$bad" bb echo should-not-run
  check_sbx_error "--name '$bad'" "invalid sandbox name"
done
run_sbx rm ../x
check_sbx_error "sbx rm ../x" "invalid sandbox name"
run_sbx rm no-such-sandbox
check_sbx_error "sbx rm of a missing sandbox" "no sandbox named"

# --- garbage collection -----------------------------------------------------------------------
layers_before=$(store_layer_dirs)
setup_image multilayer ml
run_sbx run --name pin ml true
rc_is 0 "a sandbox made from image ml"
layers_with_ml=$(store_layer_dirs)
ml_layers=$(comm -13 <(printf '%s\n' "$layers_before") <(printf '%s\n' "$layers_with_ml"))
isnt "$ml_layers" "" "control: image ml brought layers of its own"
run_sbx image rm ml
rc_is 0 "sbx image rm ml (a named sandbox was made from it)"
run_sbx image prune
rc_is 0 "sbx image prune"
is "$(store_layer_dirs)" "$layers_with_ml" "prune keeps the layers of a named sandbox whose image is gone"
run_sbx start pin true
rc_is 0 "the named sandbox still runs without its image record"
run_sbx system df
like "$OUT" "^Sandboxes +1 " "sbx system df counts the named sandbox"
run_sbx rm pin
run_sbx image prune
rc_is 0 "sbx image prune after sbx rm pin"
is "$(store_layer_dirs)" "$layers_before" "prune removes the layers nothing uses any more"

# A running sandbox's layers stay, even with no record and no name.
setup_image multilayer ml2
out=$W/gc-run.out
"$SBX" run ml2 sh -c 'echo ready; read x < /dev/stdin; ls / | wc -l' > "$out" 2>&1 < <(sleep 6; echo go) &
pid=$!
bg_track "$pid"
if wait_for_line "$out" '^ready$' 30 "$pid"; then
  run_sbx image rm ml2
  rc_is 0 "sbx image rm of an image a sandbox runs"
  run_sbx image prune --all
  rc_is 0 "sbx image prune --all while it runs"
  is "$(comm -13 <(printf '%s\n' "$layers_before") <(store_layer_dirs) | wc -l)" "$(printf '%s\n' "$ml_layers" | wc -l)" \
    "prune keeps the layers a running sandbox holds"
  wait "$pid"
  like "$(tail -1 "$out")" '^[0-9]+$' "the running sandbox kept its files through the prune"
  run_sbx image prune
  is "$(comm -12 <(printf '%s\n' "$ml_layers") <(store_layer_dirs))" "" "once it ended, prune removes them"
else
  not_ok "the sandbox for the prune test is running" "$(cat "$out")"
fi
run_sbx image ls -q
unlike "$OUT" "^(bb|ml2)$" "prune --all removed the images no named sandbox was made from"
# --- store paths replaced by symlinks ----------------------------------------------------------
# A sandbox's directory, its upper/ or work/, or a layer replaced by a symlink to a marker
# directory: start and run refuse (125, one line); the marker is never mounted or written.
marker=$TEST_TMP/marker
symlink_refused() { # DESC CMD...
  local desc=$1
  shift
  rm -rf "$marker"
  mkdir -p "$marker/upper" "$marker/work"
  echo untouched > "$marker/upper/sentinel"
  local before
  before=$(find "$marker" -printf '%p %s %T@\n' | sort)
  run_sbx "$@" sh -c 'echo pwned > /pwned; cat /sentinel 2>/dev/null; echo ran'
  check_sbx_error "$desc" "symlink"
  unlike "$OUT" "ran|untouched" "$desc: nothing ran on the marker's files"
  is "$(find "$marker" -printf '%p %s %T@\n' | sort)" "$before" "$desc: nothing written in the marker directory"
  is "$(grep -c "$marker" /proc/self/mountinfo)" "0" "$desc: the marker is not mounted"
}
setup_image busybox bb
run_sbx run --name sl bb true
sl_dir=$STORE/sandboxes/sl
mv "$sl_dir/upper" "$sl_dir/upper.real"
ln -s "$marker/upper" "$sl_dir/upper"
symlink_refused "sandboxes/sl/upper a symlink: sbx start" start sl
rm "$sl_dir/upper"
mv "$sl_dir/upper.real" "$sl_dir/upper"
mv "$sl_dir/work" "$sl_dir/work.real"
ln -s "$marker/work" "$sl_dir/work"
symlink_refused "sandboxes/sl/work a symlink: sbx start" start sl
rm "$sl_dir/work"
mv "$sl_dir/work.real" "$sl_dir/work"
mv "$sl_dir" "$STORE/sandboxes/sl.real"
cp -a "$STORE/sandboxes/sl.real/." "$marker/" 2>/dev/null
ln -s "$marker" "$sl_dir"
symlink_refused "sandboxes/sl a symlink: sbx start" start sl
rm "$sl_dir"
mv "$STORE/sandboxes/sl.real" "$sl_dir"
run_sbx start sl true
rc_is 0 "control: sandbox sl starts again once its directory is restored"
layers=$(store_layer_dirs)
for l in $layers; do mv "$l" "$l.real"; ln -s "$marker" "$l"; done
symlink_refused "the layer directories symlinks: sbx run" run bb
symlink_refused "the layer directories symlinks: sbx start" start sl
for l in $layers; do rm "$l"; mv "$l.real" "$l"; done
run_sbx rm sl
done_testing
