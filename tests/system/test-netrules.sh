#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-netrules.sh: per-app network rules (--net-allow, --net-deny, --log-net, sbx.network.allow,
# deny and lan) against servers and a DNS responder in private user+net+mount namespaces (as
# test-network.sh makes them): an allowed name reaches its server, a denied name and a raw IP
# outside the rules do not (a denied connect is refused at once, not timed out), a name whose
# address changes follows the new answer after its TTL, IPv6 alike; lan false keeps the
# sandbox from 10/8, 192.168/16 and fd00::/8 servers; malformed rules are exit 125 naming the
# rule (the argument, or FILE:LINE:COL), before anything runs.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "network rules tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb
MARKER=marker-the-command-ran

# --- errors: exit 125, one line naming the rule, nothing runs -----------------------------------
run_sbx run --help
like "$OUT" '--net-allow' "sbx run --help documents --net-allow"
like "$OUT" '--log-net' "sbx run --help documents --log-net"
# RULE@ERE: the message must name the rule and what is wrong with it
for spec in 'tcp:10.0.0.0/33:443@/33' '*.ex*ample.org@\*' 'udp:[fd00::]/8:60-53@range' \
            'fd00::1@brackets' 'icmp:1.2.3.4:5@icmp' 'tcp:example.org:0@port' '1.2.3.999@IPv4' \
            'udp:[fd00::/8@\]' 'tcp:-bad-.org@DNS name'; do
  r=${spec%@*}
  run_sbx run --net-allow "$r" bb echo "$MARKER"
  check_sbx_error "malformed --net-allow '$r'" "--net-allow .*${spec##*@}"
  unlike "$OUT" "$MARKER" "malformed --net-allow '$r': the command did not run"
done
run_sbx run --net-deny 'udp:x.org:1-2-3' bb echo "$MARKER"
check_sbx_error "malformed --net-deny 'udp:x.org:1-2-3'" '--net-deny udp:x\.org:1-2-3'
printf '{\n  "sbx": {"network": {\n    "allow": ["tcp:10.0.0.0/8:443",\n              "udp:[fd00::]/8:70000"]}}}\n' > "$W/bad.json"
run_sbx run --profile "$W/bad.json" bb echo "$MARKER"
check_sbx_error "a malformed rule in a profile" 'bad\.json:4:15: sbx\.network\.allow\[1\]: .*70000'
run_sbx profile validate "$W/bad.json"
check_sbx_error "profile validate: the malformed rule" 'bad\.json:4:15:'
printf '{"sbx": {"network": {"lan": "no"}}}\n' > "$W/badlan.json"
run_sbx run --profile "$W/badlan.json" bb echo "$MARKER"
check_sbx_error "sbx.network.lan must be a boolean" 'badlan\.json:1:.*lan'
run_sbx run --network=host --net-allow example.org bb echo "$MARKER"
check_sbx_error "--net-allow with --network=host" '--net-allow example\.org: .*slirp'

# --- the private world -----------------------------------------------------------------------
world_ok=true
if ! command -v ip >/dev/null 2>&1; then
  world_ok=false; world_why="ip not found (install iproute2)"
elif ! why=$(timeout 10 unshare --user --map-root-user --net --mount true 2>&1); then
  world_ok=false; world_why="unshare --user --map-root-user --net --mount is not permitted: $why"
fi
if ! $world_ok; then
  skip "network rules against servers in private namespaces" "$world_why"
  done_testing
fi

# world.py: a DNS responder whose answers come from a table (moving.test's A record changes
# after its first answer), and TCP servers that greet each client with their own address.
PY=$W/world.py
cat > "$PY" <<'EOF'
import select, socket, struct, sys, threading, time
A, AAAA = 1, 28
TABLE = {
    "allowed.test": [(A, "203.0.113.10")],
    "also.allowed.test": [(A, "203.0.113.10")],
    "denied.test": [(A, "203.0.113.11")],
    "www.bad.test": [(A, "203.0.113.11")],
    "lan.test": [(A, "10.9.0.1")],
    "six.test": [(AAAA, "2001:db8::10")],
}
MOVING = ["203.0.113.11", "203.0.113.12"]  # moving.test: first answer, then every later one
asked = {"moving.test": 0}

def answer(q):
    if len(q) < 17 or q[2] & 0x80:
        return None
    tid, flags = struct.unpack("!HH", q[:4])
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    question, name = q[12:i + 5], ".".join(labels).lower()
    rflags = 0x8000 | 0x0400 | 0x0080 | (flags & 0x0100)
    recs, ttl = TABLE.get(name), 60
    if name == "moving.test":
        recs, ttl = [(A, MOVING[min(asked[name], 1)])], 1
        if qtype == A:
            asked[name] += 1
    if recs is None:
        return struct.pack("!6H", tid, rflags | 3, 1, 0, 0, 0) + question
    body = b""
    n = 0
    for t, addr in recs:
        if t == qtype:
            data = socket.inet_pton(socket.AF_INET if t == A else socket.AF_INET6, addr)
            body += struct.pack("!HHHIH", 0xC00C, t, 1, ttl, len(data)) + data
            n += 1
    return struct.pack("!6H", tid, rflags, 1, n, 0, 0) + question + body

def greet(s):
    while True:
        c, _ = s.accept()
        try:
            c.sendall(("srv %s\n" % s.getsockname()[0]).encode())
        finally:
            c.close()

def main(lifetime, *addrs):
    socks = []
    for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((host, 53))
        socks.append(s)
    for a in addrs:
        s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a, 8080))
        s.listen(16)
        threading.Thread(target=greet, args=(s,), daemon=True).start()
    print("ready", flush=True)
    deadline = time.time() + float(lifetime)
    while time.time() < deadline:
        for s in select.select(socks, [], [], 1)[0]:
            q, peer = s.recvfrom(4096)
            r = answer(q)
            if r is not None:
                s.sendto(r, peer)

main(*sys.argv[1:])
EOF

D=$W/world
mkdir -p "$D"
ADDRS="203.0.113.10 203.0.113.11 203.0.113.12 198.51.100.7 10.9.0.1 192.168.77.1 2001:db8::10 2001:db8::11 fd00:77::1"
printf '{"sbx": {"include": ["default"], "network": {"lan": false}}}\n' > "$D/lanoff.json"
cat > "$W/world.sh" <<'EOF'
# world.sh D SBX FIXTURES PY ADDRS: runs in the private namespaces; results in D/NAME.{rc,out,err}
set -u
D=$1 SBX=$2 FIX=$3 PY=$4 ADDRS=$5
. "$WORLD_LIB"
for a in $ADDRS; do
  case $a in
    *:*) ip -6 addr add "$a/128" dev lo nodad ;;
    *) ip addr add "$a/32" dev lo ;;
  esac || world_skip "cannot add $a to lo"
done
world_begin 127.0.0.1 # lo up: its addresses above were added while it was down
# shellcheck disable=SC2086
python3 "$PY" 250 $ADDRS > "$D/py.ready" 2> "$D/py.err" &
py=$!
trap 'kill $py 2>/dev/null' EXIT
wait_ready "$D/py.ready" || exit 1
export XDG_DATA_HOME=$D/data SBX_SUBUID_FILE=/dev/null SBX_SUBGID_FILE=/dev/null
mkdir -p "$XDG_DATA_HOME"
rec import "$SBX" image import "oci:$FIX/busybox:latest" bb
# In the sandbox: resolve NAME with nslookup through 10.0.2.3 (busybox's static nc cannot
# resolve), then connect to the answer.
IN='res() { nslookup -type=$2 "$1" 10.0.2.3 2>&1 | awk "/^Address:/ && !/[:#]53\$/ { a = \$2 } END { if (a) print a; else exit 1 }"; }
try() { echo "== ${2:-$1}"; timeout 20 nc "$1" 8080 2>&1; echo "rc $?"; }'
rec allow "$SBX" run --log-net --net-allow allowed.test bb sh -c "$IN"'
  try "$(res allowed.test A)"
  echo "== denied.test"; nslookup denied.test 10.0.2.3 2>&1
  try 203.0.113.11
  try 198.51.100.7'
rec deny "$SBX" run --log-net --net-deny '*.bad.test' bb sh -c "$IN"'
  echo "== www.bad.test"; nslookup www.bad.test 10.0.2.3 2>&1
  try "$(res allowed.test A)"
  try 203.0.113.11'
# A named sandbox keeps the rules of its first run: `sbx start` gives none and gets them.
rec keptfirst "$SBX" run --name kept --net-deny '*.bad.test' bb true
rec kept "$SBX" start kept sh -c "$IN"'
  echo "== www.bad.test"; nslookup www.bad.test 10.0.2.3 2>&1
  try "$(res allowed.test A)"'
rec wild "$SBX" run --net-allow '*.allowed.test' bb sh -c "$IN"'
  try "$(res also.allowed.test A)"
  echo "== allowed.test"; nslookup allowed.test 10.0.2.3 2>&1'
rec moving "$SBX" run --net-allow 'tcp:moving.test:8080' bb sh -c "$IN"'
  try "$(res moving.test A)" first
  sleep 8
  try "$(res moving.test A)" second
  try 203.0.113.11 old'
rec six "$SBX" run --log-net --net-allow six.test bb sh -c "$IN"'
  try "$(res six.test AAAA)"
  try 2001:db8::11'
rec lanoff "$SBX" run --log-net --profile "$D/lanoff.json" bb sh -c "$IN"'
  for a in 10.9.0.1 192.168.77.1 fd00:77::1 203.0.113.10; do try $a; done
  try "$(res lan.test A)" lan.test'
rec lanon "$SBX" run bb sh -c "$IN"'
  for a in 10.9.0.1 192.168.77.1 fd00:77::1; do try $a; done'
rec lanopen "$SBX" run --profile "$D/lanoff.json" --net-allow 10.9.0.0/16 --net-allow 203.0.113.10 bb sh -c "$IN"'
  try 10.9.0.1
  try 192.168.77.1
  try 203.0.113.10'
exit 0
EOF

WORLD_LIB=$SBX_TESTS_SRCDIR/system/world-lib.sh \
  timeout -k 5 400 unshare --user --map-root-user --net --mount bash "$W/world.sh" "$D" "$SBX" "$F" "$PY" "$ADDRS" \
  > "$D/world.log" 2>&1
wrc=$?

world_load() { # NAME
  LAST_CMD="(in the private namespaces) $(cat "$D/$1.cmd" 2>/dev/null || echo "$1: did not run")"
  RC=$(cat "$D/$1.rc" 2>/dev/null || echo "no result")
  OUT=$(cat "$D/$1.out" 2>/dev/null)
  ERR=$(grep -v '^sbx: warning: no subordinate id range' "$D/$1.err" 2>/dev/null)
}

# The section of the last run's stdout after "== WHAT", up to the next "==".
section() { printf '%s\n' "$OUT" | awk -v h="== $1" '$0 == h { on = 1; next } /^== / { on = 0 } on'; }

# WHAT was reached: its server greeted (srv ADDR) and nc exited 0.
reached() { # WHAT ADDR DESC
  local s
  s=$(section "$1")
  if printf '%s\n' "$s" | grep -qx "srv $2" && printf '%s\n' "$s" | grep -qx 'rc 0'; then
    ok "$3"
  else
    not_ok "$3" "section '== $1': $s"; last_run_diag
  fi
}

# WHAT was refused at once: "Connection refused" from nc (a RST, not a timeout), no greeting.
refused() { # WHAT DESC
  local s
  s=$(section "$1")
  if printf '%s\n' "$s" | grep -q 'Connection refused' && ! printf '%s\n' "$s" | grep -q '^srv '; then
    ok "$2"
  else
    not_ok "$2" "section '== $1': $s"; last_run_diag
  fi
}

nxdomain() { # WHAT DESC
  local s
  s=$(section "$1")
  if printf '%s\n' "$s" | grep -q NXDOMAIN && ! printf '%s\n' "$s" | grep -q '^Address:.*203\.0\.113'; then
    ok "$2"
  else
    not_ok "$2" "section '== $1': $s"; last_run_diag
  fi
}

world_load import
if [ "$wrc" = 2 ] && [ -s "$D/skip" ]; then
  skip "network rules against servers in private namespaces" "$(cat "$D/skip")"
  done_testing
elif [ "$wrc" != 0 ] || [ "$RC" != 0 ]; then
  not_ok "setup: the private namespaces (lo addresses, resolv.conf, DNS responder, servers, store)" \
    "world.sh exit status $wrc" "$(cat "$D/world.log" "$D/py.err" 2>/dev/null)"
  last_run_diag
  done_testing
fi

world_load allow
reached 203.0.113.10 203.0.113.10 "--net-allow allowed.test: the name's server (203.0.113.10) is reached"
nxdomain denied.test "--net-allow allowed.test: denied.test gets NXDOMAIN from sbx (the resolver knows it)"
refused 203.0.113.11 "--net-allow allowed.test: a connect to denied.test's address is refused at once"
refused 198.51.100.7 "--net-allow allowed.test: a raw IP outside the rules is refused at once"
like "$ERR" '^sbx: net: [0-9-]{10}T[0-9:.]+Z deny tcp 198\.51\.100\.7:8080 rule: no allow rule matches$' \
  "--log-net: one line for the denied connect: time, proto, destination, rule"
like "$ERR" 'deny dns .*\(denied\.test\)' "--log-net: a line for the refused name"

world_load deny
nxdomain www.bad.test "--net-deny '*.bad.test': www.bad.test gets NXDOMAIN"
reached 203.0.113.10 203.0.113.10 "--net-deny '*.bad.test': other names are reached (no allow rule: the rest is open)"
reached 203.0.113.11 203.0.113.11 "--net-deny '*.bad.test': the address itself, never resolved as a bad.test name, is reached"

world_load keptfirst
is "$RC" 0 "sbx run --name kept --net-deny '*.bad.test': the first run"
world_load kept
nxdomain www.bad.test "sbx start kept (made with --net-deny '*.bad.test', started without): the rule still holds"
reached 203.0.113.10 203.0.113.10 "sbx start kept: what the kept rules do not deny is reached"

world_load wild
reached 203.0.113.10 203.0.113.10 "--net-allow '*.allowed.test': also.allowed.test's server is reached"
nxdomain allowed.test "--net-allow '*.allowed.test': allowed.test itself is not below it (NXDOMAIN)"

world_load moving
reached first 203.0.113.11 "a name's first answer (moving.test -> 203.0.113.11, TTL 1 s) is reached"
reached second 203.0.113.12 "after the TTL, moving.test's new answer (203.0.113.12) is reached"
refused old "after the TTL (and sbx's floor of 5 s), moving.test's old address is refused"

world_load six
reached 2001:db8::10 2001:db8::10 "IPv6: --net-allow six.test reaches its AAAA (2001:db8::10)"
refused 2001:db8::11 "IPv6: a raw address outside the rules is refused at once"
like "$ERR" 'deny tcp \[2001:db8::11\]:8080 ' "--log-net: the IPv6 destination in brackets"

world_load lanoff
for a in 10.9.0.1 192.168.77.1 fd00:77::1; do
  refused "$a" "sbx.network.lan false: $a is refused"
done
refused 203.0.113.10 "sbx.network.lan false: an address of the host (203.0.113.10, on the namespace's lo) is refused"
refused lan.test "sbx.network.lan false: a name resolving to 10.9.0.1 is refused"
like "$ERR" 'deny tcp 10\.9\.0\.1:8080 rule: sbx\.network\.lan false' "--log-net names the lan switch"
like "$ERR" 'deny tcp 203\.0\.113\.10:8080 rule: sbx\.network\.lan false \(an address of this host\)' \
  "--log-net says a host address was refused"

world_load lanon
for a in 10.9.0.1 192.168.77.1 fd00:77::1; do
  reached "$a" "$a" "sbx.network.lan true (the default profile): $a is reached"
done

world_load lanopen
reached 10.9.0.1 10.9.0.1 "lan false with --net-allow 10.9.0.0/16: 10.9.0.1 is reached"
refused 192.168.77.1 "lan false with --net-allow 10.9.0.0/16: 192.168.77.1 stays refused"
reached 203.0.113.10 203.0.113.10 "lan false with --net-allow 203.0.113.10: that host address is reached"

done_testing
