# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# world-lib.sh: sourced by the world.sh scripts that test-network and test-netrules run in
# private user and network namespaces.  Each result goes to $D/NAME.{cmd,out,err,rc}; exit 2
# with $D/skip means the world cannot be made here (a reason to skip, not an sbx failure).

# rec NAME CMD...: runs CMD for at most $REC_SECONDS (60), its output and status recorded.
rec() {
  local name=$1
  shift
  printf '%q ' "$@" > "$D/$name.cmd"
  timeout -k 5 "${REC_SECONDS:-60}" "$@" > "$D/$name.out" 2> "$D/$name.err"
  echo $? > "$D/$name.rc"
}

world_skip() { # REASON
  echo "$1" > "$D/skip"
  exit 2
}

# lo up, and /etc/resolv.conf naming only NAMESERVER... (bound over the host's file in this
# mount namespace).
world_begin() { # NAMESERVER...
  ip link set lo up || world_skip "ip link set lo up failed in the new network namespace"
  printf 'nameserver %s\n' "$@" > "$D/resolv.conf"
  mount --bind "$D/resolv.conf" /etc/resolv.conf ||
    world_skip "cannot bind-mount a file over /etc/resolv.conf (does the host have one?)"
}

# wait_ready FILE: at most 5 s for a helper to write "ready" into FILE; 1 if it never did.
wait_ready() {
  for _ in $(seq 100); do grep -q ready "$1" && return 0; sleep 0.05; done
  return 1
}
