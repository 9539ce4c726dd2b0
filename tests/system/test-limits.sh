#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-limits.sh: resource limits on the host side: the command-line options and profile keys
# are checked before anything starts, and where no systemd user manager with cgroup v2 can
# set them up, a run that asks for limits fails with one clear line (exit 125) unless they are
# optional.  The limits themselves are enforced in the guest VM (tests/vm/checks/).
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "resource limits" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb

# Can this host set limits up?  (This build host: no user manager, a hybrid cgroup layout.)
have_scope=0
if [ -f /sys/fs/cgroup/cgroup.controllers ] && systemctl --user is-system-running >/dev/null 2>&1; then
  have_scope=1
fi

# --- options checked before anything starts ---------------------------------------------------
bad_option() { # DESC ERE OPTION...
  local desc=$1 re=$2
  shift 2
  run_sbx run "$@" bb echo should-not-run
  check_sbx_error "$desc" "$re"
  unlike "$OUT" should-not-run "$desc: nothing runs"
}
bad_option "--memory 12x" "--memory '12x'" --memory 12x
bad_option "--memory 1k (below 4k)" "at least 4k" --memory 1k
bad_option "--memory-swap without --memory" "memory plus swap" --memory-swap 1g
bad_option "--memory-swap below --memory" "memory plus swap" --memory 1g --memory-swap 512m
bad_option "--cpus 0" "--cpus '0'" --cpus 0
bad_option "--cpus abc" "--cpus 'abc'" --cpus abc
bad_option "--cpu-shares 1" "--cpu-shares '1'" --cpu-shares 1
bad_option "--pids-limit -5" "--pids-limit '-5'" --pids-limit -5
bad_option "--blkio-weight 5" "--blkio-weight '5'" --blkio-weight 5

# --- profile keys systemd has no property for, and bad values ----------------------------------
mkdir -p "$W/profiles"
bad_profile() { # NAME LINE COL PATH MESSAGE JSON
  printf '%s\n' "$6" > "$W/profiles/$1.json"
  run_sbx run --profile "$W/profiles/$1.json" bb echo should-not-run
  check_sbx_error "profile $1" "^sbx: $W/profiles/$1\\.json:$2:$3: $4: $5"
  unlike "$OUT" should-not-run "profile $1: nothing runs"
}
bad_profile kernel-mem 3 34 "linux.resources.memory.kernel" "not supported by sbx" '{
  "linux": {"resources": {
    "memory": {"limit": 1000000, "kernel": 1000}}}
}'
bad_profile swappiness 2 38 "linux.resources.memory.swappiness" "not supported by sbx" '{
  "linux": {"resources": {"memory": {"swappiness": 10}}}
}'
bad_profile unified 2 27 "linux.resources.unified" "not supported by sbx" '{
  "linux": {"resources": {"unified": {"memory.high": "1000000"}}}
}'
bad_profile shares 2 35 "linux.resources.cpu.shares" "must be 2 to 262144" '{
  "linux": {"resources": {"cpu": {"shares": 1}}}
}'
bad_profile period 2 35 "linux.resources.cpu.period" "must be 1000 to 1000000" '{
  "linux": {"resources": {"cpu": {"period": 10, "quota": 5}}}
}'
bad_profile ifunavailable 2 22 "sbx.limits.ifUnavailable" "must be" '{
  "sbx": {"limits": {"ifUnavailable": "maybe"}}
}'
# A runc-style deny-all device rule and limits of -1 ask for nothing.
printf '%s\n' '{"linux": {"resources": {"devices": [{"allow": false, "access": "rwm"}], "memory": {"limit": -1}, "pids": {"limit": -1}}}}' \
  > "$W/profiles/unlimited.json"
run_sbx run --profile "$W/profiles/unlimited.json" bb echo ran
is "$RC:$OUT" "0:ran" "a profile whose limits are all 'unlimited' needs no scope and runs"

# --- no user manager here: fail, or run without limits when they are optional -----------------
if [ "$have_scope" = 1 ]; then
  skip "limits refused without a user manager" "this host has a systemd user manager and cgroup v2 (the VM tier tests enforcement)"
else
  run_sbx run --memory 64m bb echo should-not-run
  check_sbx_error "--memory 64m without a systemd user manager or cgroup v2" "resource limits cannot be set up: .*(cgroup v2|session bus|user manager)"
  unlike "$OUT" should-not-run "--memory 64m unavailable: nothing runs"
  run_sbx run --pids-limit 50 --cpus 0.5 bb echo should-not-run
  check_sbx_error "--pids-limit and --cpus without a user manager" "resource limits cannot be set up"
  run_sbx run --memory 64m --limits-optional bb echo ran
  is "$RC:$OUT" "0:ran" "--limits-optional: the command runs without the limits"
  like "$ERR" "^sbx: warning: running without resource limits" "--limits-optional: one warning says so"
  printf '%s\n' '{"sbx": {"include": ["default"], "limits": {"ifUnavailable": "ignore"}}, "linux": {"resources": {"memory": {"limit": 67108864}}}}' \
    > "$W/profiles/quiet.json"
  run_sbx run --profile "$W/profiles/quiet.json" bb echo ran
  is "$RC:$OUT:$ERR" "0:ran:" "sbx.limits.ifUnavailable=ignore: runs without them, quietly"
  run_sbx stats
  check_sbx_error "sbx stats without a user manager" "session bus|user manager"
fi

# --- the cgroup namespace ----------------------------------------------------------------------
run_sbx run bb sh -c 'grep -c "^0::/$" /proc/self/cgroup; touch /sys/fs/cgroup/x 2>/dev/null && echo writable || echo read-only'
is "$RC:$OUT" "0:1
read-only" "without limits: the sandbox's cgroup namespace root is its own, and /sys/fs/cgroup is read-only"
done_testing
