#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-network.sh: sbx run --network=none|slirp|host (default slirp) and -p/--publish, with real
# traffic over the host's loopback: what the sandbox sees (tap0 10.0.2.100/24, MTU 21840, routes
# via 10.0.2.2 and fd00::2, DNS 10.0.2.3), the host's loopback through 10.0.2.2 only with
# slirp:allow-host-loopback, DNS forwarded to the host's resolver (in a private user+net
# namespace with a resolver of our own), TCP and UDP port forwarding (127.0.0.1 by default,
# several sandboxes at once, ports released at exit), and the errors (exit 125, one line, the
# command not run): port in use, malformed -p, -p with --network=none, unknown --network,
# no usable /dev/net/tun.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "network tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb

MARKER=marker-the-command-ran

# --- helpers ------------------------------------------------------------------------------------
# net.py: free ports, bind checks, a host HTTP server, an HTTP poller, a UDP client, a DNS
# responder.  Every server has a lifetime (it exits by itself even if this script is killed).
NETPY=$W/net.py
cat > "$NETPY" <<'EOF'
import functools, http.server, os, random, select, socket, struct, sys, threading, time
import urllib.request

def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

def sock(proto, family=socket.AF_INET):
    return socket.socket(family, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)

def bindable(port, proto, host="127.0.0.1", quiet=False):
    """Can a server bind HOST:PORT?  (TCP: with SO_REUSEADDR and listen, as servers do.)"""
    s = sock(proto)
    try:
        if proto == "tcp":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        if proto == "tcp":
            s.listen(1)
        return True
    except OSError as e:
        if not quiet:
            print("bind %s:%d/%s: %s" % (host, port, proto, e))
        return False
    finally:
        s.close()

def free_port(*exclude):
    """A port in 20000-60000, outside the ephemeral range, free for TCP and UDP."""
    lo, hi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
    ports = [p for p in range(20000, 60001) if str(p) not in exclude]
    outside = [p for p in ports if not lo <= p <= hi]
    for _ in range(500):
        p = random.choice(outside or ports)
        if all(bindable(p, proto, host, True) for proto in ("tcp", "udp")
               for host in ("127.0.0.1", "0.0.0.0")):
            print(p)
            return 0
    return 1

def hold(port, proto, lifetime):
    s = sock(proto)
    s.bind(("127.0.0.1", int(port)))
    if proto == "tcp":
        s.listen(1)
    print("ready", flush=True)
    time.sleep(float(lifetime))

def serve(directory, port, lifetime):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), handler)
    threading.Timer(float(lifetime), os._exit, [0]).start()
    server.serve_forever()

def get(url, token, seconds, pid="0"):
    """Polls URL until its body holds TOKEN (exit 0); gives up after SECONDS or once PID is gone."""
    deadline, last = time.time() + float(seconds), "no attempt"
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                last = r.read().decode("utf-8", "replace")
            if token in last:
                print(last.strip())
                return 0
        except Exception as e:
            last = "%s: %s" % (type(e).__name__, e)
        if int(pid) and not alive(int(pid)):
            last += " (and the sbx process is gone)"
            break
        time.sleep(0.1)
    print(last.strip())
    return 1

def udp(port, token, seconds):
    """Sends TOKEN to 127.0.0.1:PORT until the same datagram comes back (exit 0)."""
    s = sock("udp")
    s.connect(("127.0.0.1", int(port)))
    deadline, last = time.time() + float(seconds), "no reply"
    while time.time() < deadline:
        try:
            s.send(token.encode())
            if select.select([s], [], [], 0.5)[0]:
                last = s.recv(4096).decode("utf-8", "replace")
                print(last)
                return 0 if last == token else 1
        except OSError as e:
            last = "%s: %s" % (type(e).__name__, e)
            time.sleep(0.2)
    print(last)
    return 1

def reply(q, log):
    """A DNS answer: sbx-test.example A -> 10.1.2.3, no data for other types, NXDOMAIN else."""
    if len(q) < 17:
        return None
    tid, flags, qdcount = struct.unpack("!3H", q[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    i, labels = 12, []
    while q[i] != 0:
        n = q[i]
        if n & 0xC0 or i + 1 + n >= len(q):
            return None
        labels.append(q[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qtype, qclass = struct.unpack("!HH", q[i + 1:i + 5])
    question = q[12:i + 5]
    name = ".".join(labels).lower()
    log.write("%s %d\n" % (name, qtype))
    rflags = 0x8000 | 0x0400 | 0x0080 | (flags & 0x0100)   # QR AA RA, RD copied
    if name != "sbx-test.example":
        return struct.pack("!6H", tid, rflags | 3, 1, 0, 0, 0) + question
    if qtype != 1 or qclass != 1:
        return struct.pack("!6H", tid, rflags, 1, 0, 0, 0) + question
    answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton("10.1.2.3")
    return struct.pack("!6H", tid, rflags, 1, 1, 0, 0) + question + answer

def dns(logfile, lifetime):
    log = open(logfile, "a", buffering=1)
    socks = []
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        s = sock("udp", family)
        s.bind((host, 53))
        socks.append(s)
    print("ready", flush=True)
    deadline = time.time() + float(lifetime)
    while time.time() < deadline:
        for s in select.select(socks, [], [], 1)[0]:
            q, peer = s.recvfrom(4096)
            r = reply(q, log)
            if r is not None:
                s.sendto(r, peer)

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "bindable":
        sys.exit(0 if bindable(int(args[0]), args[1]) else 1)
    sys.exit({"free-port": free_port, "hold": hold, "serve": serve, "get": get, "udp": udp,
              "dns": dns}[cmd](*args) or 0)
EOF
# (Background servers are started as python3 "$NETPY" ... &, so that $! is the server itself.)
net() { python3 "$NETPY" "$@"; }

# pick_port VAR: sets VAR to a free port, different from all the others this script picked.
PORTS=()
pick_port() {
  local p
  p=$(net free-port "${PORTS[@]}") || { diag "no free port found"; p=1; }
  PORTS+=("$p")
  printf -v "$1" %s "$p"
}

token() { echo "tok-$RANDOM$RANDOM$RANDOM"; }

# Background sbx runs: start_sbx NAME ARGS... (stdout/stderr in $W/NAME.out, $W/NAME.err,
# stdin from $SBX_STDIN, default /dev/null).
declare -A BG_PID BG_CMD
start_sbx() {
  local name=$1
  shift
  : > "$W/$name.out"
  env --default-signal "$SBX" "$@" < "${SBX_STDIN:-/dev/null}" > "$W/$name.out" 2> "$W/$name.err" &
  BG_PID[$name]=$!
  BG_CMD[$name]="$(printf '%q ' "$SBX" "$@")"
  bg_track "$!"
}

# Makes a background run's output the "last command" for diagnostics.
bg_diag() { # NAME
  LAST_CMD="(in the background) ${BG_CMD[$1]}"
  RC="still running"
  kill -0 "${BG_PID[$1]}" 2>/dev/null || RC="exited"
  OUT=$(cat "$W/$1.out")
  ERR=$(cat "$W/$1.err")
}

# SIGTERM to a background sbx and a bounded wait (SIGKILL after 20 s): sets RC OUT ERR.
stop_sbx() { # NAME
  signal_and_wait TERM "${BG_PID[$1]}"
  LAST_CMD="kill -TERM <pid of: ${BG_CMD[$1]}>"
  OUT=$(cat "$W/$1.out")
  ERR=$(cat "$W/$1.err")
}

# The listening addresses (ADDR:PORT, one a line, sorted) of the host's sockets on PORT.
listeners() { # tcp|udp PORT
  local opt=-Hltn
  [ "$1" = udp ] && opt=-Hlun
  ss "$opt" "sport = :$2" | awk '{ print $4 }' | sort -u
}

# A forwarded port is released: a host server can bind it and nothing listens on it.  WORKED:
# whether the forward was seen working (else the release is not observable: a failure).
check_released() { # DESC tcp|udp PORT WORKED
  local why l
  if [ "$4" != true ]; then
    not_ok "$1" "not observable: the port was not seen forwarded while sbx ran"
    return
  fi
  why=$(net bindable "$3" "$2")
  l=$(listeners "$2" "$3")
  if [ -z "$why" ] && [ -z "$l" ]; then
    ok "$1"
  else
    not_ok "$1" "bind: ${why:-ok}" "still listening: ${l:-nothing}"
    last_run_diag
  fi
}

# An sbx error run: exit 125, one "sbx: " line (matching ERE), and the command did not run.
check_refused() { # DESC ERE
  check_sbx_error "$1" "$2"
  unlike "$OUT" "$MARKER" "$1: the command did not run"
}

# The last run exited 0 and each ERE matches a line of its stdout.
run_ok_like() { # DESC ERE...
  local desc=$1 re
  shift
  for re in "$@"; do
    if [ "$RC" != 0 ] || ! printf '%s\n' "$OUT" | grep -Eq -- "$re"; then
      not_ok "$desc" "expected exit status 0 and stdout lines matching: $*"
      last_run_diag
      return
    fi
  done
  ok "$desc"
}

# Commands that print "sandbox-up" first when the sandbox has the network it should have.
UP_SLIRP='test -e /sys/class/net/tap0 && echo sandbox-up;'
UP_NONE='test "$(ls /sys/class/net)" = lo && echo sandbox-up;'

# The last run printed "sandbox-up", then failed, and its stdout does not hold TOKEN.
run_failed_without() { # DESC TOKEN
  if printf '%s\n' "$OUT" | grep -qx sandbox-up && [ "$RC" != 0 ] && [ "${OUT#*"$2"}" = "$OUT" ]; then
    ok "$1"
  else
    not_ok "$1" "expected 'sandbox-up', a non-zero exit status and no '$2' on stdout"
    last_run_diag
  fi
}

# The web server of a sandbox: busybox httpd on port 8080 serving TOKEN at /.
httpd_cmd() { # TOKEN
  echo "mkdir -p /www && echo $1 > /www/index.html && exec timeout 300 httpd -f -p 8080 -h /www"
}

have_ss=true
command -v ss >/dev/null 2>&1 || have_ss=false

# --- the options ---------------------------------------------------------------------------------
run_sbx run --help
run_ok_like "sbx run --help documents --network and -p/--publish" '--network' '-p, --publish'

# --- errors: exit 125, one line, nothing runs --------------------------------------------------
run_sbx run --network=bogus bb echo "$MARKER"
check_refused "--network=bogus" 'bogus'
run_sbx run --network=slirp:bogus-option bb echo "$MARKER"
check_refused "--network=slirp:bogus-option" 'bogus-option'

# SPEC@ERE: the message must name the problem
for spec in 'abc@abc' '0:80@0' '70000:80@70000' '80:80/sctp@sctp' '8080:0@0' \
            '999.1.1.1:8080:80@999' '@(publish|-p|port)'; do
  p=${spec%@*}
  run_sbx run -p "$p" bb echo "$MARKER"
  check_refused "malformed -p '$p'" "${spec##*@}"
done
run_sbx run --publish=8080:80/sctp bb echo "$MARKER"
check_refused "malformed --publish=8080:80/sctp" 'sctp'

pick_port P
run_sbx run --network=none -p "$P:80" bb echo "$MARKER"
check_refused "-p with --network=none" '(none|publish|-p)'

for proto in tcp udp; do
  pick_port P
  python3 "$NETPY" hold "$P" "$proto" 120 > "$W/hold.out" 2>&1 &
  holder=$!
  bg_track "$holder"
  if wait_for_line "$W/hold.out" '^ready$' 10 "$holder"; then
    run_sbx run -p "$P:80/$proto" bb echo "$MARKER"
    check_refused "-p $P:80/$proto while a host process has 127.0.0.1:$P/$proto" "$P"
  else
    not_ok "setup: a host process holds 127.0.0.1:$P/$proto" "$(cat "$W/hold.out")"
  fi
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
done

# --- what the sandbox sees ---------------------------------------------------------------------
# slirp (the default)
run_sbx run bb ls /sys/class/net
is "$(printf '%s\n' "$OUT" | tr '\n' ' ')" "lo tap0 " "default network (slirp): the interfaces are lo and tap0"
run_sbx run bb sh -c 'for i in lo tap0; do echo "$i $(( $(cat /sys/class/net/$i/flags) & 1 ))"; done'
is "$OUT" "lo 1
tap0 1" "slirp: lo and tap0 are up"
run_sbx run bb ip -o -4 addr show dev tap0
like "$OUT" ' inet 10\.0\.2\.100/24 ' "slirp: tap0 has 10.0.2.100/24"
run_sbx run bb cat /sys/class/net/tap0/mtu
is "$OUT" "21840" "slirp: tap0's MTU is 21840 (three segments to libslirp's 64 KiB window)"
run_sbx run bb ip -4 route
like "$OUT" '^default via 10\.0\.2\.2 dev tap0' "slirp: the default route is via 10.0.2.2 on tap0"
run_sbx run bb cat /etc/resolv.conf
like "$OUT" '^nameserver 10\.0\.2\.3$' "slirp: /etc/resolv.conf says nameserver 10.0.2.3"
run_sbx run bb cat /proc/net/if_inet6
like "$OUT" '^fd0{27}100 [0-9a-f]+ 40 [0-9a-f]+ [0-9a-f]+ +tap0$' "slirp: tap0 has fd00::100/64 (/proc/net/if_inet6)"
run_sbx run bb cat /proc/net/ipv6_route
like "$OUT" '^0{32} 00 0{32} 00 fd0{29}2 .* tap0$' "slirp: the IPv6 default route is via fd00::2 on tap0 (/proc/net/ipv6_route)"
run_sbx run --network=slirp bb ip -o -4 addr show dev tap0
like "$OUT" ' inet 10\.0\.2\.100/24 ' "--network=slirp is the same: tap0 with 10.0.2.100/24"

# none
run_sbx run --network=none bb ls /sys/class/net
is "$RC:$OUT" "0:lo" "--network=none: /sys/class/net holds only lo"
run_sbx run --network=none bb sh -c 'echo $(( $(cat /sys/class/net/lo/flags) & 1 )); ip route; ip -6 route | grep -v " dev lo "; exit 0'
is "$RC:$OUT" "0:1" "--network=none: lo is up and there is no route but lo's"

# host
host_ifs=$(ls /sys/class/net | tr '\n' ' ')
run_sbx run --network=host bb ls /sys/class/net
is "$(printf '%s\n' "$OUT" | tr '\n' ' ')" "$host_ifs" "--network=host: /sys/class/net lists the host's interfaces"
run_sbx run --network=host bb readlink /proc/self/ns/net
is "$OUT" "$(readlink /proc/self/ns/net)" "--network=host: the sandbox is in the host's network namespace"
if [ -r /etc/resolv.conf ]; then
  run_sbx run --network=host bb cat /etc/resolv.conf
  is "$OUT" "$(cat /etc/resolv.conf)" "--network=host: /etc/resolv.conf is the host's"
else
  skip "--network=host: /etc/resolv.conf is the host's" "the host has no readable /etc/resolv.conf"
fi

# --- the host's loopback: 10.0.2.2 with allow-host-loopback only -------------------------------
pick_port HP
HTOKEN=$(token)
mkdir -p "$W/www"
echo "$HTOKEN" > "$W/www/file"
python3 "$NETPY" serve "$W/www" "$HP" 280 > "$W/serve.log" 2>&1 &
bg_track "$!"
if net get "http://127.0.0.1:$HP/file" "$HTOKEN" 15 "$!" > "$W/serve.get"; then
  url=http://10.0.2.2:$HP/file
  run_sbx run --network=slirp:allow-host-loopback bb timeout 20 wget -qO- "$url"
  is "$RC:$OUT" "0:$HTOKEN" "slirp:allow-host-loopback: wget $url reaches the host's 127.0.0.1:$HP"
  is "$ERR" "" "slirp:allow-host-loopback: the fetch leaves nothing on stderr (sbx adds nothing)"

  run_sbx run bb sh -c "$UP_SLIRP timeout 20 wget -qO- $url"
  run_failed_without "default slirp: wget $url fails (the host's loopback is not reachable)" "$HTOKEN"
  run_sbx run --network=slirp bb sh -c "$UP_SLIRP timeout 20 wget -qO- $url"
  run_failed_without "--network=slirp: wget $url fails too" "$HTOKEN"
  run_sbx run --network=none bb sh -c "$UP_NONE timeout 20 wget -qO- $url"
  run_failed_without "--network=none: wget $url fails" "$HTOKEN"
  run_sbx run --network=slirp:allow-host-loopback bb sh -c "$UP_SLIRP timeout 20 wget -qO- http://127.0.0.1:$HP/file"
  run_failed_without "slirp:allow-host-loopback: 127.0.0.1 inside is the sandbox's own loopback, not the host's" "$HTOKEN"
  run_sbx run --network=host bb timeout 20 wget -qO- "http://127.0.0.1:$HP/file"
  is "$RC:$OUT" "0:$HTOKEN" "--network=host: wget http://127.0.0.1:$HP/file reaches the host's server"
else
  not_ok "setup: an HTTP server on the host's 127.0.0.1:$HP" "$(cat "$W/serve.get" "$W/serve.log")"
fi

# --- TCP port forwarding -----------------------------------------------------------------------
pick_port P
T=$(token)
start_sbx web run -p "$P:8080" bb sh -c "$(httpd_cmd "$T")"
web_ok=false
if net get "http://127.0.0.1:$P/" "$T" 30 "${BG_PID[web]}" > "$W/web.get"; then
  web_ok=true
  ok "-p $P:8080: a host client on 127.0.0.1:$P gets the page of the server on port 8080 inside"
  net get "http://127.0.0.1:$P/" "$T" 5 > "$W/web.get2"
  r=$?
  is "$r:$(cat "$W/web.get2")" "0:$T" "-p $P:8080: a second connection is served too"
else
  not_ok "-p $P:8080: a host client on 127.0.0.1:$P gets the page of the server on port 8080 inside" \
    "last answer: $(cat "$W/web.get")"
  bg_diag web; last_run_diag
fi
if $have_ss; then
  l=$(listeners tcp "$P")
  is "$l" "127.0.0.1:$P" "-p $P:8080 listens on 127.0.0.1:$P only (ss -ltn), not on all addresses"
else
  skip "-p $P:8080 listens on 127.0.0.1:$P only" "ss not found (install iproute2)"
fi
other_ip=$(ip -o -4 addr show scope global 2>/dev/null | awk '{ print $4 }' | cut -d/ -f1 | head -n1)
if [ -n "$other_ip" ] && ! $web_ok; then
  not_ok "-p $P:8080: nothing answers on the host's other address $other_ip:$P" \
    "not observable: the forward does not work on 127.0.0.1 either"
elif [ -n "$other_ip" ]; then
  net get "http://$other_ip:$P/" "$T" 2 > "$W/web.other"
  r=$?
  is "$r" 1 "-p $P:8080: nothing answers on the host's other address $other_ip:$P [$(cat "$W/web.other")]"
else
  skip "-p $P:8080: nothing answers on the host's other addresses" "the host has no global IPv4 address"
fi
stop_sbx web
rc_is 143 "SIGTERM to sbx -p $P:8080 (httpd inside): sbx exits 143"
is "$ERR" "" "sbx -p $P:8080 printed nothing of its own on stderr while forwarding"
check_released "after sbx -p $P:8080 exits, 127.0.0.1:$P/tcp is released (a host server can bind it)" tcp "$P" $web_ok
run_sbx run -p "$P:8080" bb echo again
is "$RC:$OUT" "0:again" "sbx run -p $P:8080 again, right after: it works"
check_released "... and 127.0.0.1:$P/tcp is released again after it" tcp "$P" "$([ "$RC:$OUT" = 0:again ] && echo true || echo false)"

# --- UDP port forwarding -----------------------------------------------------------------------
# busybox nc has no UDP: a tiny static echo server is copied into the sandbox through stdin.
cat > "$W/udpecho.c" <<'EOF'
/* udpecho PORT: prints each datagram received on UDP PORT as a line, and sends it back. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int
main (int argc, char **argv)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  int fd = socket (AF_INET, SOCK_DGRAM, 0);
  char buf[2048];

  addr.sin_port = htons (argc > 1 ? atoi (argv[1]) : 9999);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      perror ("udpecho");
      return 1;
    }
  printf ("ready\n");
  fflush (stdout);
  for (;;)
    {
      struct sockaddr_storage peer;
      socklen_t len = sizeof peer;
      ssize_t n = recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *) &peer, &len);
      if (n < 0)
        continue;
      printf ("%.*s\n", (int) n, buf);
      fflush (stdout);
      sendto (fd, buf, n, 0, (struct sockaddr *) &peer, len);
    }
}
EOF
if ! command -v gcc >/dev/null 2>&1; then
  skip "UDP port forwarding" "gcc not found (needed to build a static UDP echo server; busybox nc has no -u)"
elif ! gcc -static -Os -o "$W/udpecho" "$W/udpecho.c" > "$W/udpecho.log" 2>&1; then
  skip "UDP port forwarding" "gcc -static failed (install libc6-dev): $(head -n 3 "$W/udpecho.log")"
else
  pick_port P
  T=$(token)
  SBX_STDIN=$W/udpecho start_sbx udp run -p "$P:9999/udp" bb sh -c \
    'cat > /tmp/udpecho && chmod 755 /tmp/udpecho && exec timeout 300 /tmp/udpecho 9999'
  udp_ok=false
  if wait_for_line "$W/udp.out" '^ready$' 30 "${BG_PID[udp]}"; then
    if $have_ss; then
      l=$(listeners udp "$P")
      is "$l" "127.0.0.1:$P" "-p $P:9999/udp binds 127.0.0.1:$P/udp only (ss -lun)"
    else
      skip "-p $P:9999/udp binds 127.0.0.1:$P/udp only" "ss not found (install iproute2)"
    fi
    if net udp "$P" "$T" 15 > "$W/udp.reply"; then
      udp_ok=true
      ok "-p $P:9999/udp: a datagram to 127.0.0.1:$P comes back from the echo server inside"
    else
      not_ok "-p $P:9999/udp: a datagram to 127.0.0.1:$P comes back from the echo server inside" \
        "reply: $(cat "$W/udp.reply")"
      bg_diag udp; last_run_diag
    fi
    if wait_for_line "$W/udp.out" "^$T\$" 5; then
      udp_ok=true
      ok "-p $P:9999/udp: the server inside received the datagram on port 9999"
    else
      not_ok "-p $P:9999/udp: the server inside received the datagram on port 9999"
      bg_diag udp; last_run_diag
    fi
  else
    not_ok "-p $P:9999/udp: the UDP echo server starts inside"
    bg_diag udp; last_run_diag
  fi
  stop_sbx udp
  rc_is 143 "SIGTERM to sbx -p $P:9999/udp: sbx exits 143"
  check_released "after sbx -p $P:9999/udp exits, 127.0.0.1:$P/udp is released" udp "$P" $udp_ok
fi

# --- a published UDP port does not open the host's loopback -----------------------------------
# Replies of a published UDP service pass (above); anything else to the host aliases stays
# closed: a datagram from the published port or from another one to a host loopback service
# that never wrote to the sandbox, and TCP to 10.0.2.2 (refused with a RST from sbx).  With allow-host-loopback, the same
# datagram is answered (the control: the host service really is there).
cat > "$W/udpsend.c" <<'EOF2'
/* udpsend SRCPORT DSTIP DSTPORT MSG: sends MSG from SRCPORT, prints "reply:..." or "noreply". */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
int main (int argc, char **argv) {
  int s = socket (AF_INET, SOCK_DGRAM, 0); struct sockaddr_in a = { 0 }, d = { 0 };
  struct timeval tv = { 1, 0 }; char b[100]; int n;
  a.sin_family = AF_INET; a.sin_port = htons (atoi (argv[1])); bind (s, (void *) &a, sizeof a);
  d.sin_family = AF_INET; d.sin_port = htons (atoi (argv[3])); inet_pton (AF_INET, argv[2], &d.sin_addr);
  setsockopt (s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sendto (s, argv[4], strlen (argv[4]), 0, (void *) &d, sizeof d);
  n = recv (s, b, sizeof b - 1, 0);
  if (n > 0) { b[n] = 0; printf ("reply:%s\n", b); } else printf ("noreply\n");
  return 0; }
EOF2
if ! command -v gcc >/dev/null 2>&1 || ! gcc -static -Os -o "$W/udpsend" "$W/udpsend.c" > "$W/udpsend.log" 2>&1; then
  skip "a published UDP port does not open the host's loopback" "gcc -static unavailable (install gcc libc6-dev)"
else
  pick_port HP
  pick_port PP
  timeout 60 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1]))); s.settimeout(30)
try:
    while True:
        d, a = s.recvfrom(100); s.sendto(b"HOST-LOOPBACK-REACHED", a)
except socket.timeout:
    pass' "$HP" &
  bg_track $!
  probe='cat > /tmp/u && chmod 755 /tmp/u && /tmp/u 9999 10.0.2.2 '"$HP"' p && /tmp/u 5555 10.0.2.2 '"$HP"' o && /tmp/u 9999 10.0.2.255 '"$HP"' b && (nc -w 3 10.0.2.2 '"$HP"' < /dev/null 2>&1 | grep -q "Connection refused" && echo tcp-refused || echo tcp-not-refused)'
  sleep 0.3
  run_cmd "$SBX" run -p "$PP:9999/udp" bb sh -c "$probe" < "$W/udpsend"
  is "$OUT" "$(printf 'noreply\nnoreply\nnoreply\ntcp-refused')" \
    "with -p $PP:9999/udp (no allow-host-loopback), nothing reaches the host's loopback: UDP from the published port, from another port, to the broadcast alias; TCP refused at once"
  run_cmd "$SBX" run --network=slirp:allow-host-loopback -p "$PP:9999/udp" bb sh -c "/tmp/u 2>/dev/null; cat > /tmp/u && chmod 755 /tmp/u && /tmp/u 9999 10.0.2.2 $HP p" < "$W/udpsend"
  is "$OUT" "reply:HOST-LOOPBACK-REACHED" "control: with allow-host-loopback the same datagram is answered by the host service"
fi

# --- several sandboxes at once, each with its own port ------------------------------------------
declare -A PAR_PORT PAR_TOKEN
for n in p1 p2 p3; do
  pick_port P
  PAR_PORT[$n]=$P
  PAR_TOKEN[$n]=$(token)
done
start_sbx p1 run -p "${PAR_PORT[p1]}:8080" bb sh -c "$(httpd_cmd "${PAR_TOKEN[p1]}")"
start_sbx p2 run --publish "127.0.0.1:${PAR_PORT[p2]}:8080" bb sh -c "$(httpd_cmd "${PAR_TOKEN[p2]}")"
start_sbx p3 run --publish="${PAR_PORT[p3]}:8080/tcp" bb sh -c "$(httpd_cmd "${PAR_TOKEN[p3]}")"
declare -A PAR_FORM=([p1]="-p PORT:8080" [p2]="--publish 127.0.0.1:PORT:8080" [p3]="--publish=PORT:8080/tcp")
par_ok=true
for n in p1 p2 p3; do
  desc="3 sandboxes at once: ${PAR_FORM[$n]/PORT/${PAR_PORT[$n]}} answers with its own page"
  if net get "http://127.0.0.1:${PAR_PORT[$n]}/" "${PAR_TOKEN[$n]}" 30 "${BG_PID[$n]}" > "$W/$n.get"; then
    ok "$desc"
  else
    par_ok=false
    not_ok "$desc" "last answer: $(cat "$W/$n.get")"
    bg_diag "$n"; last_run_diag
  fi
done
for n in p1 p2 p3; do stop_sbx "$n"; done
bound=
for n in p1 p2 p3; do net bindable "${PAR_PORT[$n]}" tcp > /dev/null || bound="$bound ${PAR_PORT[$n]}"; done
if ! $par_ok; then
  not_ok "3 sandboxes at once: all their host ports are released after they exit" \
    "not observable: not all of them were seen forwarded"
else
  is "${bound:-none}" "none" "3 sandboxes at once: all their host ports are released after they exit"
fi

# --- a private world: DNS through 10.0.2.3, and no usable /dev/net/tun ---------------------------
# In a user+net+mount namespace of our own, as its root: lo up, /etc/resolv.conf saying
# "nameserver 127.0.0.1" (and ::1), our DNS responder on port 53.  sbx there has no subordinate
# ids (single-uid mode: one warning line) and a store of its own.
world_ok=true
if ! command -v ip >/dev/null 2>&1; then
  world_ok=false; world_why="ip not found (install iproute2)"
elif ! why=$(timeout 10 unshare --user --map-root-user --net --mount true 2>&1); then
  world_ok=false; world_why="unshare --user --map-root-user --net --mount is not permitted: $why"
fi
D=$W/world
mkdir -p "$D"
cat > "$W/world.sh" <<'EOF'
# world.sh D SBX FIXTURES NETPY: runs in the private namespaces; results in D/NAME.{rc,out,err}
set -u
D=$1 SBX=$2 FIX=$3 NETPY=$4
. "$WORLD_LIB"
REC_SECONDS=40
world_begin 127.0.0.1 ::1
python3 "$NETPY" dns "$D/dns.log" 150 > "$D/dns.ready" 2> "$D/dns.err" &
dns=$!
trap 'kill $dns 2>/dev/null' EXIT
wait_ready "$D/dns.ready" || exit 1
export XDG_DATA_HOME=$D/data SBX_SUBUID_FILE=/dev/null SBX_SUBGID_FILE=/dev/null
mkdir -p "$XDG_DATA_HOME"
rec import "$SBX" image import "oci:$FIX/busybox:latest" bb
rec dns-a "$SBX" run bb nslookup sbx-test.example 10.0.2.3
cp "$D/dns.log" "$D/dns-a.log" 2>/dev/null     # the queries of that run only
rec dns-nx "$SBX" run bb nslookup other.example 10.0.2.3
rec dns-conf "$SBX" run bb nslookup sbx-test.example
rec dns-v6 "$SBX" run bb nslookup sbx-test.example fd00::3
rec dns-nohost "$SBX" run bb sh -c 'test -e /sys/class/net/tap0 && echo sandbox-up; timeout 20 nslookup sbx-test.example 10.0.2.2'
rec dns-hostlo "$SBX" run --network=slirp:allow-host-loopback bb timeout 20 nslookup sbx-test.example 10.0.2.2
kill $dns
# no /dev/net/tun at all, then one that is not a tun device
if mount -t tmpfs tmpfs /dev/net; then
  rec tun-missing "$SBX" run bb echo marker-the-command-ran
  rec tun-missing-none "$SBX" run --network=none bb echo marker-the-command-ran
  umount /dev/net
fi
if mount --bind /dev/null /dev/net/tun; then
  rec tun-null "$SBX" run bb echo marker-the-command-ran
  umount /dev/net/tun
fi
exit 0
EOF

# Loads a world result as the last command: RC OUT ERR (ERR without single-uid mode's warning).
world_load() { # NAME
  LAST_CMD="(in the private namespaces) $(cat "$D/$1.cmd" 2>/dev/null || echo "$1: did not run")"
  RC=$(cat "$D/$1.rc" 2>/dev/null || echo "no result")
  OUT=$(cat "$D/$1.out" 2>/dev/null)
  ERR=$(grep -v '^sbx: warning: no subordinate id range' "$D/$1.err" 2>/dev/null)
}

if ! $world_ok; then
  skip "DNS through 10.0.2.3 and the /dev/net/tun errors" "$world_why"
else
  WORLD_LIB=$SBX_TESTS_SRCDIR/system/world-lib.sh \
    timeout -k 5 200 unshare --user --map-root-user --net --mount bash "$W/world.sh" "$D" "$SBX" "$F" "$NETPY" \
    > "$D/world.log" 2>&1
  wrc=$?
  world_load import
  if [ "$wrc" = 2 ] && [ -s "$D/skip" ]; then
    skip "DNS through 10.0.2.3 and the /dev/net/tun errors" "$(cat "$D/skip")"
  elif [ "$wrc" != 0 ] || [ "$RC" != 0 ]; then
    not_ok "setup: the private namespaces (lo, resolv.conf, DNS responder, store)" \
      "world.sh exit status $wrc" "$(cat "$D/world.log" "$D/dns.err" 2>/dev/null)"
    last_run_diag
  else
    world_load dns-a
    run_ok_like "nslookup sbx-test.example 10.0.2.3 gets the answer of the host's resolver (10.1.2.3)" \
      '^Address:[[:space:]]+10\.1\.2\.3$'
    like "$(cat "$D/dns-a.log" 2>/dev/null)" '^sbx-test\.example 1$' "the query reached the resolver of the host's /etc/resolv.conf (127.0.0.1:53)"
    world_load dns-nx
    if [ "$RC" != 0 ] && printf '%s\n' "$OUT" | grep -q NXDOMAIN && ! printf '%s\n' "$OUT" | grep -q 10.1.2.3; then
      ok "nslookup other.example 10.0.2.3 fails with the resolver's NXDOMAIN"
    else
      not_ok "nslookup other.example 10.0.2.3 fails with the resolver's NXDOMAIN"; last_run_diag
    fi
    world_load dns-conf
    run_ok_like "nslookup sbx-test.example with the sandbox's /etc/resolv.conf asks 10.0.2.3 and gets 10.1.2.3" \
      '^Server:[[:space:]]+10\.0\.2\.3$' '^Address:[[:space:]]+10\.1\.2\.3$'
    world_load dns-v6
    run_ok_like "nslookup sbx-test.example fd00::3 (DNS over IPv6) gets 10.1.2.3" \
      '^Address:[[:space:]]+10\.1\.2\.3$'
    world_load dns-nohost
    run_failed_without "a DNS query to 10.0.2.2:53 (the host's loopback) gets no answer by default" 10.1.2.3
    world_load dns-hostlo
    run_ok_like "slirp:allow-host-loopback: a DNS query to 10.0.2.2:53 reaches the host's 127.0.0.1:53 (UDP)" \
      '^Address:[[:space:]]+10\.1\.2\.3$'

    if [ -e "$D/tun-missing.rc" ]; then
      world_load tun-missing
      check_refused "no /dev/net/tun (tmpfs over /dev/net)" '/dev/net/tun'
      world_load tun-missing-none
      is "$RC:$OUT" "0:$MARKER" "no /dev/net/tun: --network=none still runs"
    else
      skip "no /dev/net/tun" "mounting a tmpfs over /dev/net failed: $(cat "$D/world.log")"
    fi
    if [ -e "$D/tun-null.rc" ]; then
      world_load tun-null
      check_refused "/dev/net/tun is not a tun device (/dev/null bind-mounted over it)" '(tun|tap)'
    else
      skip "/dev/net/tun is not a tun device" "bind-mounting /dev/null over /dev/net/tun failed: $(cat "$D/world.log")"
    fi
  fi
fi

done_testing
