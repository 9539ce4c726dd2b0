#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-publish.sh: published TCP ports on loopback addresses, which sbx splices into the
# sandbox's network namespace instead of passing them through libslirp: what a host client of
# -p 127.0.0.1:P:8080 and -p [::1]:P:8080 observes (data both ways, a 64 MiB transfer each way
# intact by SHA-256, half-close, 40 concurrent connections, the client address the service
# inside sees, the other family when the service listens on one only, a reset when nothing
# listens), the bad -p forms with IPv6 addresses, and the ports released at exit.  A
# wildcard address (-p 0.0.0.0:P:8080) keeps libslirp's path: a loopback client is seen as
# 10.0.2.2, any other with its own address, and a service bound to the sandbox's loopback
# only is out of reach.  The service inside is a Python server from the host image.
set -u
. "$(dirname "$0")/lib.sh"

PY=$(command -v python3 || true)
if [ -z "$PY" ] || [ ! -x /usr/bin/python3 ]; then
  skip "published-port tests" "no /usr/bin/python3 on the host for the host image"
  done_testing
fi
if [ ! -c /dev/net/tun ]; then
  skip "published-port tests" "no /dev/net/tun"
  done_testing
fi
HAVE_V6=1
"$PY" -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null || HAVE_V6=0

# The service inside (MODE dual: on [::], dual-stack; v4: on 0.0.0.0; lo: on 127.0.0.1 only):
# per connection, a first line says what to do.
#   UP: read to end of stream (the client's half-close), answer "<sha256> <peer address>".
#   DOWN N SEED: send N bytes of SEED's stream, then close.
SERVER=$(cat <<'EOF2'
import hashlib, socket, sys, threading
def stream(seed, n):
    block, out = hashlib.sha256(seed.encode()).digest() * 2048, 0
    while out < n:
        chunk = block[: min(len(block), n - out)]
        out += len(chunk)
        yield chunk
def serve(c, peer):
    f = c.makefile("rb")
    cmd = f.readline().split()
    if cmd[0] == b"UP":
        h = hashlib.sha256()
        while True:
            b = f.read1(1 << 16)
            if not b:
                break
            h.update(b)
        c.sendall(("%s %s\n" % (h.hexdigest(), peer)).encode())
    elif cmd[0] == b"DOWN":
        for chunk in stream(cmd[2].decode(), int(cmd[1])):
            c.sendall(chunk)
    c.close()
family = socket.AF_INET6 if sys.argv[1] == "dual" else socket.AF_INET
ls = socket.socket(family)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if family == socket.AF_INET6:
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
ls.bind(("::" if family == socket.AF_INET6 else "127.0.0.1" if sys.argv[1] == "lo" else "0.0.0.0", 8080))
ls.listen(128)
print("listening", flush=True)
while True:
    c, a = ls.accept()
    peer = a[0][7:] if a[0].startswith("::ffff:") else a[0]
    threading.Thread(target=serve, args=(c, peer), daemon=True).start()
EOF2
)

# The host's client: up|down|many HOST PORT [ARGS]; prints what it observed.
CLIENT=$W/client.py
cat > "$CLIENT" <<'EOF2'
import hashlib, socket, sys, threading
def stream(seed, n):
    block, out = hashlib.sha256(seed.encode()).digest() * 2048, 0
    while out < n:
        chunk = block[: min(len(block), n - out)]
        out += len(chunk)
        yield chunk
def conn(host, port):
    s = socket.create_connection((host, port), timeout=30)
    return s
def up(host, port, n, seed):
    s = conn(host, port)
    s.sendall(b"UP\n")
    h = hashlib.sha256()
    for chunk in stream(seed, n):
        s.sendall(chunk)
        h.update(chunk)
    s.shutdown(socket.SHUT_WR)
    answer = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        answer += b
    got, peer = answer.decode().split()
    return "%s %s" % ("intact" if got == h.hexdigest() else "corrupt", peer)
def down(host, port, n, seed):
    s = conn(host, port)
    s.sendall(("DOWN %d %s\n" % (n, seed)).encode())
    h, want, total = hashlib.sha256(), hashlib.sha256(), 0
    for chunk in stream(seed, n):
        want.update(chunk)
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        h.update(b)
        total += len(b)
    return "%s %d" % ("intact" if h.digest() == want.digest() else "corrupt", total)
cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    if cmd == "up":
        print(up(host, port, int(sys.argv[4]), "up"))
    elif cmd == "down":
        print(down(host, port, int(sys.argv[4]), "down"))
    elif cmd == "many":
        results = {}
        def one(i):
            try:
                r = up(host, port, 100000 + i, "c%d" % i) if i % 2 else down(host, port, 100000 + i, "c%d" % i)
                results[i] = r.split()[0]
            except OSError as e:
                results[i] = str(e)
        ts = [threading.Thread(target=one, args=(i,)) for i in range(int(sys.argv[4]))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        print("%d intact of %d" % (sum(1 for r in results.values() if r == "intact"), len(ts)))
    elif cmd == "refused":
        s = conn(host, port)
        s.sendall(b"UP\n")
        print("answer %r" % s.recv(10))
except OSError as e:
    print("error: %s" % type(e).__name__)
EOF2

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
client() { run_cmd "$PY" "$CLIENT" "$@"; }
wait_listening() { # NAME
  wait_for_line "$W/$1.out" '^listening' 30 "${BG_PID[$1]}"
}
start_service() { # NAME MODE -p...
  local name=$1 mode=$2
  shift 2
  : > "$W/$name.out"
  env --default-signal "$SBX" run "$@" host /usr/bin/python3 -c "$SERVER" "$mode" \
    < /dev/null > "$W/$name.out" 2> "$W/$name.err" &
  BG_PID[$name]=$!
  bg_track "$!"
}
# listens_on PORT ADDRESS DESC: the host's only listening socket on PORT is ADDRESS (ss).
listens_on() {
  local l
  if ! command -v ss >/dev/null; then
    skip "$3" "ss not found (install iproute2)"
    return
  fi
  l=$(ss -Hltn "sport = :$1" | awk '{ print $4 }' | sort | tr '\n' ' ')
  is "$l" "$2 " "$3"
}
declare -A BG_PID
stop_sbx() { # NAME: SIGTERM, a bounded wait; RC OUT ERR
  signal_and_wait TERM "${BG_PID[$1]}"
  LAST_CMD="kill -TERM <sbx $1>"
  OUT=$(cat "$W/$1.out")
  ERR=$(cat "$W/$1.err")
}

# --- bad -p forms name the argument and start nothing -------------------------------------------
for p in '[::1]:80' '[::1]8080:80' '[1.2.3.4]:8080:80' '[]:8080:80' '[::1:8080:80' '[::1]:5353:53/udp'; do
  run_sbx run -p "$p" host /bin/true
  rc_is 125 "-p '$p' is refused before anything starts (exit 125)"
  like "$ERR" "^sbx: -p \\[" "-p '$p': the one error line names the -p argument"
done

# --- IPv4 loopback, a dual-stack service inside -------------------------------------------------
P4=$(free_port)
P6=$(free_port)
pub=(-p "127.0.0.1:$P4:8080")
[ "$HAVE_V6" = 0 ] || pub+=(-p "[::1]:$P6:8080")
start_service dual dual "${pub[@]}"
if ! wait_listening dual; then
  LAST_CMD="sbx run ${pub[*]} host python3 (service)"; OUT=$(cat "$W/dual.out"); ERR=$(cat "$W/dual.err"); RC="?"
  not_ok "the service inside started behind ${pub[*]}"
else
  ok "the service inside started behind ${pub[*]}"
  client up 127.0.0.1 "$P4" $((64 << 20))
  is "$OUT" "intact 127.0.0.1" "64 MiB host -> sandbox through 127.0.0.1:$P4 arrive intact after a half-close, and the service sees the client as 127.0.0.1"
  client down 127.0.0.1 "$P4" $((64 << 20))
  is "$OUT" "intact $((64 << 20))" "64 MiB sandbox -> host through 127.0.0.1:$P4 arrive intact, then end of stream"
  client many 127.0.0.1 "$P4" 40
  is "$OUT" "40 intact of 40" "40 concurrent connections through 127.0.0.1:$P4, each way, all intact"
  if [ "$HAVE_V6" = 1 ]; then
    client up ::1 "$P6" 1000000
    is "$OUT" "intact ::1" "-p [::1]:$P6:8080: a client of [::1]:$P6 gets through, seen inside as ::1"
    client down ::1 "$P6" $((8 << 20))
    is "$OUT" "intact $((8 << 20))" "-p [::1]:$P6:8080: 8 MiB back to the IPv6 client, intact"
    listens_on "$P6" "[::1]:$P6" "-p [::1]:$P6:8080 listens on [::1]:$P6 only"
  else
    skip "-p [::1]:PORT:8080" "the host has no IPv6 loopback"
  fi
fi
stop_sbx dual
rc_is 143 "SIGTERM to sbx with spliced ports: sbx exits 143"
if "$PY" -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $P4)); s.listen(1)"; then
  ok "after sbx exits, 127.0.0.1:$P4 is released (a host server can bind it)"
else
  not_ok "after sbx exits, 127.0.0.1:$P4 is released (a host server can bind it)"
fi

# --- a service on IPv4 only, an IPv6 client; nothing listening -----------------------------------
if [ "$HAVE_V6" = 1 ]; then
  P6=$(free_port)
  P4=$(free_port)
  start_service v4only v4 -p "[::1]:$P6:8080" -p "127.0.0.1:$P4:9"
  if wait_listening v4only; then
    client up ::1 "$P6" 100000
    is "$OUT" "intact 127.0.0.1" "a service listening on IPv4 only is reached from [::1] too (seen as 127.0.0.1)"
    client refused 127.0.0.1 "$P4"
    like "$OUT" "^(error: ConnectionResetError|error: BrokenPipeError|answer b'')$" \
      "nothing listens on the published port inside: the client's connection is reset or ended, not left hanging"
  else
    not_ok "the IPv4-only service started" "$(cat "$W/v4only.err")"
  fi
  stop_sbx v4only
else
  skip "IPv6 client of an IPv4-only service" "the host has no IPv6 loopback"
fi

# --- a wildcard address: libslirp's path, which keeps a client's own address -----------------
# SERVER's "dual" mode listens on [::] (every address); "lo" on the sandbox's 127.0.0.1 only.
OTHER=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
PW=$(free_port)
PL=$(free_port)
start_service wild dual -p "0.0.0.0:$PW:8080"
if wait_listening wild; then
  client up 127.0.0.1 "$PW" $((8 << 20))
  is "$OUT" "intact 10.0.2.2" "-p 0.0.0.0:$PW:8080: a client of 127.0.0.1 gets through libslirp (seen inside as 10.0.2.2), 8 MiB intact"
  if [ -n "$OTHER" ]; then
    client up "$OTHER" "$PW" $((8 << 20))
    is "$OUT" "intact $OTHER" "-p 0.0.0.0:$PW:8080: a client from $OTHER is seen inside with its own address, 8 MiB intact"
  else
    skip "-p 0.0.0.0:PORT:8080 from a non-loopback address" "this host has no global IPv4 address"
  fi
  listens_on "$PW" "0.0.0.0:$PW" "-p 0.0.0.0:$PW:8080 listens on 0.0.0.0:$PW"
else
  not_ok "the service inside started behind -p 0.0.0.0:$PW:8080" "$(cat "$W/wild.err")"
fi
stop_sbx wild
if [ -n "$OTHER" ]; then
  start_service wildlo lo -p "0.0.0.0:$PL:8080"
  if wait_listening wildlo; then
    client refused "$OTHER" "$PL"
    like "$OUT" "^(error: ConnectionResetError|error: BrokenPipeError|answer b'')$" \
      "a service on the sandbox's 127.0.0.1 only: not reached through 0.0.0.0:$PL from $OTHER (libslirp leads to the guest address)"
  else
    not_ok "the loopback-only service started behind -p 0.0.0.0:$PL:8080" "$(cat "$W/wildlo.err")"
  fi
  stop_sbx wildlo
fi

done_testing
