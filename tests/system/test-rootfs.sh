#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-rootfs.sh: what the sandbox sees: a fresh /proc with masks and a read-only /proc/sys, a
# minimal /dev, a read-only /sys, a writable root whose writes vanish after the run, OCI
# whiteouts and opaque directories, setuid bits, its own hostname and, with --network=none, a
# network namespace with only loopback (up).  (The default network, slirp: test-network.sh.)
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "root filesystem tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb

# --- /proc -------------------------------------------------------------------------------------
run_sbx run bb sh -c 'ls /proc | grep -c "^[0-9]"'
n=${OUT:-999}
if [ "$RC" = 0 ] && [ "$n" -ge 1 ] && [ "$n" -le 6 ]; then
  ok "/proc is fresh: only the sandbox's processes ($n)"
else
  not_ok "/proc is fresh: only the sandbox's processes" "host has $(ls /proc | grep -c '^[0-9]') processes"
  last_run_diag
fi

# --- namespaces: all new ---------------------------------------------------------------------
nslist="user mnt pid uts ipc net cgroup"
run_sbx run bb sh -c "for n in $nslist; do readlink /proc/self/ns/\$n; done"
same=
for n in $nslist; do
  inside=$(printf '%s\n' "$OUT" | grep "^$n:")
  [ -n "$inside" ] && [ "$inside" = "$(readlink /proc/self/ns/$n)" ] && same="$same $n"
  [ -z "$inside" ] && same="$same $n(unreadable)"
done
is "${same:-none}" "none" "new user, mount, pid, uts, ipc, net and cgroup namespaces"

for f in /proc/kcore /proc/keys /proc/timer_list; do
  if [ ! -e "$f" ]; then
    skip "$f is masked" "this kernel has no $f"
    continue
  fi
  run_sbx run bb sh -c "cat $f | wc -c"
  if [ "$RC" = 0 ] && [ "$OUT" = 0 ] && [ -z "$ERR" ]; then
    ok "$f is masked (reads as empty)"
  else
    not_ok "$f is masked (reads as empty)"
    last_run_diag
  fi
done

run_sbx run bb sh -c 'echo sbx-test > /proc/sys/kernel/domainname'
isnt "$RC" 0 "writing /proc/sys/kernel/domainname fails (/proc/sys is read-only)"
run_sbx run bb sh -c 'awk "\$2 == \"/proc/sys\" { print \$4 }" /proc/mounts | cut -d, -f1 | tail -n1'
is "$OUT" "ro" "/proc/sys is mounted read-only"
run_sbx run bb sh -c 'echo 1 > /proc/sysrq-trigger'
isnt "$RC" 0 "writing /proc/sysrq-trigger fails"

# --- /dev --------------------------------------------------------------------------------------
run_sbx run bb ls -A /dev
devs=$(printf '%s\n' "$OUT" | sort | tr '\n' ' ')
missing=
for d in null zero full random urandom tty pts ptmx shm mqueue; do
  printf '%s\n' "$OUT" | grep -qx "$d" || missing="$missing $d"
done
is "${missing:-none}" "none" "/dev has null zero full random urandom tty pts ptmx shm mqueue"
bad=$(printf '%s\n' "$OUT" | grep -E '^(sd[a-z]|vd[a-z]|hd[a-z]|xvd|nvme|loop|kvm$|fuse$|mem$|kmem$|port$|kmsg$|net$|dri$|snd$|input$|tpm|vhost|vfio|cpu$|mapper$|dm-|md[0-9]|sg[0-9]|sr[0-9]|nbd|mtd|watchdog|rtc|hpet$|uinput$|bus$|block$|char$|disk$)' | tr '\n' ' ')
is "$bad" "" "/dev has no host devices (disks, kvm, fuse, mem, net/tun, ...) [saw: $devs]"

run_sbx run bb sh -c 'head -c 5 /dev/zero | wc -c; head -c 5 /dev/urandom | wc -c; echo x > /dev/null && echo null-ok'
is "$OUT" "5
5
null-ok" "/dev/zero, /dev/urandom and /dev/null work"
run_sbx run bb sh -c 'echo x > /dev/full'
isnt "$RC" 0 "/dev/full is the real full device (writes fail)"
run_sbx run bb sh -c 'echo x > /dev/shm/f && cat /dev/shm/f'
is "$OUT" "x" "/dev/shm is writable"
run_sbx run bb sh -c 'mknod /tmp/sda b 8 0 && head -c 1 /tmp/sda'
isnt "$RC" 0 "a block device cannot be created and read inside"

# --- /sys --------------------------------------------------------------------------------------
run_sbx run bb touch /sys/x
isnt "$RC" 0 "touch /sys/x fails"
run_sbx run bb sh -c 'awk "\$2 == \"/sys\" { print \$4 }" /proc/mounts | cut -d, -f1 | tail -n1'
is "$OUT" "ro" "/sys is mounted read-only"
run_sbx run bb sh -c 'echo 1 > /sys/kernel/mm/ksm/run'
isnt "$RC" 0 "writing a /sys knob fails"

# --- root filesystem writes vanish ---------------------------------------------------------------
run_sbx run bb sh -c 'echo hi > /tmp/x && echo mod >> /etc/group && rm /bin/ls && mkdir /newdir && cat /tmp/x'
rc_is 0 "the root filesystem is writable (create, append, delete, mkdir)"
is "$OUT" "hi" "a file written inside reads back"
run_sbx run bb sh -c 'test -e /tmp/x && echo tmp-x; grep -c mod /etc/group; test -e /bin/ls && echo ls-back; test -e /newdir && echo newdir'
is "$OUT" "0
ls-back" "the next run sees none of the previous run's writes"
leak=$(grep -rl --exclude-dir=proc '^mod$' "$STORE" 2>/dev/null | head -n3)
is "$leak" "" "the writes never reached the store"
run_sbx run bb stat -c %a /tmp
is "$OUT" "1777" "/tmp keeps its mode 1777"

# --- whiteouts --------------------------------------------------------------------------------
if need multilayer; then
  setup_image multilayer ml
  run_sbx run ml ls -A /a
  is "$OUT" "keep" "whiteout: /a/gone is absent, /a/keep present, no .wh. entry visible"
  run_sbx run ml ls -A /opq
  is "$OUT" "new" "opaque directory: /opq has only 'new'"
  run_sbx run ml sh -c 'cat /a/keep /opq/new /etc/multilayer'
  is "$OUT" "keep
new
layer 1" "files of all three layers are there"
  run_sbx run ml sh -c 'echo back > /a/gone && cat /a/gone'
  is "$OUT" "back" "a whited-out name can be created again"
else
  skip "whiteout tests" "$SKIP_REASON"
fi

# --- setuid -------------------------------------------------------------------------------------
if need suid; then
  setup_image suid suid
  run_sbx run suid stat -c '%a %u:%g %n' /usr/local/bin/suid-prog /usr/local/bin/sgid-prog /sticky
  is "$OUT" "4755 0:0 /usr/local/bin/suid-prog
2755 0:50 /usr/local/bin/sgid-prog
1777 0:0 /sticky" "setuid, setgid and sticky bits of the image are kept"
else
  skip "setuid tests" "$SKIP_REASON"
fi

# --- hostname (UTS namespace) -----------------------------------------------------------------
host_name=$(hostname)
run_sbx run bb hostname
rc_is 0 "hostname works inside"
isnt "${OUT:-}" "" "hostname inside prints a name"
run_sbx run bb sh -c 'hostname sbx-test-changed; hostname'
diag "hostname after setting it inside: $OUT (exit $RC)"
is "$(hostname)" "$host_name" "setting the hostname inside does not change the host's"

# --- /etc/hosts, hostname, resolv.conf where the image has something there ----------------------
# sbx writes its own in the upper layer: an image's symlink is replaced, never followed; its
# file replaced; a directory left alone.
if python3 "$SBX_TESTS_SRCDIR/system/oci-layout.py" etcfiles "$F/busybox" "$W/etcfiles" > "$W/etcfiles.log" 2>&1 &&
   run_sbx image import "oci:$W/etcfiles:latest" etcfiles && [ "$RC" = 0 ]; then
  run_sbx run etcfiles sh -c 'if [ -L /etc/hosts ]; then echo link; else grep -c "sbx$" /etc/hosts; fi
    cat /etc/hostname; ls /etc/hosts-target 2>&1 | grep -c "No such"; cat /etc/resolv.conf/kept'
  is "$RC:$(printf '%s' "$OUT" | tr '\n' ' ')" "0:1 sbx 1 kept" \
    "an image's /etc/hosts symlink is replaced (its target never made), its hostname replaced, a resolv.conf directory kept"
else
  not_ok "an image with awkward /etc files imports" "$(cat "$W/etcfiles.log" 2>/dev/null) $ERR"
fi

# --- network: --network=none is loopback only -------------------------------------------------
run_sbx run --network=none bb sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
is "$OUT" "lo" "--network=none: /proc/net/dev lists only lo"
run_sbx run --network=none bb ls /sys/class/net
is "$OUT" "lo" "--network=none: /sys/class/net holds only lo"
run_sbx run --network=none bb sh -c 'cat /sys/class/net/lo/operstate /sys/class/net/lo/flags'
is "$OUT" "unknown
0x9" "--network=none: lo is up (operstate unknown, flags 0x9 = UP|LOOPBACK)"
run_sbx run --network=none bb ip -o link
is "$(printf '%s\n' "$OUT" | awk '{ print $2 }' | tr -d :)" "lo" "--network=none: ip link shows only lo"
# (The listener's stdin never ends: busybox nc half-closes at stdin EOF, and a client that sees
# that FIN first exits before sending.)
run_sbx run --network=none bb sh -c 'sleep 10 | nc -l -p 4711 > /tmp/got & l=$!; i=0
  until echo over-lo | nc -w 2 127.0.0.1 4711 2>/dev/null; do
    i=$((i + 1)); [ $i -ge 50 ] && { kill $l; break; }; sleep 0.1
  done
  wait $l; cat /tmp/got'
like "$OUT" '^over-lo$' "--network=none: a TCP connection over 127.0.0.1 works inside"
run_sbx run --network=none bb sh -c 'cat /proc/net/route | tail -n +2 | wc -l'
is "$OUT" "0" "--network=none: there is no route (no way out)"

done_testing
