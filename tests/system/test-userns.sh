#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-userns.sh: the user namespace: default maps (caller -> 0, subordinate range -> 1..N),
# --userns=keep-id, the single-id fallback without subordinate ids, and file ownership of an
# image whose files belong to several uids.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init

# First range of the caller in a subid file (by name or by number): "start count".
subid_range() { # FILE
  awk -F: -v n="$MY_USER" -v u="$MY_UID" '($1 == n || $1 == u) && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { print $2, $3; exit }' "$1" 2>/dev/null
}
norm_map() { awk 'NF { print $1, $2, $3 }'; }

read -r subuid_start subuid_count <<< "$(subid_range /etc/subuid)"
read -r subgid_start subgid_count <<< "$(subid_range /etc/subgid)"

if ! need busybox owners; then
  skip "user namespace tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb
setup_image owners owners

# --- default mapping ---------------------------------------------------------------------------
if [ -z "${subuid_start:-}" ] || [ -z "${subgid_start:-}" ]; then
  skip "default uid/gid maps" "no /etc/subuid or /etc/subgid range for $MY_USER"
else
  run_sbx run bb cat /proc/self/uid_map
  is "$(printf '%s\n' "$OUT" | norm_map)" "0 $MY_UID 1
1 $subuid_start $subuid_count" "uid_map: caller -> 0, subuid range -> 1..$subuid_count"
  run_sbx run bb cat /proc/self/gid_map
  is "$(printf '%s\n' "$OUT" | norm_map)" "0 $MY_GID 1
1 $subgid_start $subgid_count" "gid_map: caller's gid -> 0, subgid range -> 1..$subgid_count"
  is "$ERR" "" "no warning with a subordinate range"
fi

run_sbx run bb sh -c 'id -u; id -g'
is "$OUT" "0
0" "default: the command runs as 0:0 inside"

run_sbx run bb sh -c 'cat /proc/self/status' 
caps=$(printf '%s\n' "$OUT" | awk '$1 == "CapEff:" { print $2 }')
isnt "${caps:-0000000000000000}" "0000000000000000" "default: root inside has (namespaced) capabilities"

# --- ownership of a multi-uid image -------------------------------------------------------------
run_sbx run owners stat -c '%u:%g %n' /var/www /var/www/x /home/u /home/u/y /nobody-file /high-file /root-file /shared /shared/f /bin/busybox
is "$OUT" "33:33 /var/www
33:33 /var/www/x
100:101 /home/u
100:101 /home/u/y
65534:65534 /nobody-file
65535:65535 /high-file
0:0 /root-file
1000:1000 /shared
1000:50 /shared/f
0:0 /bin/busybox" "file owners of the image are kept (33, 100:101, 65534, 65535, 1000:50, 0)"

run_sbx run owners stat -c '%a %n' /home/u /home/u/y /shared
is "$OUT" "750 /home/u
640 /home/u/y
2775 /shared" "modes of the image's files are kept (setgid dir too)"

# Ownership on the host side: the store's copy belongs to the subordinate ids.
if [ -n "${subuid_start:-}" ]; then
  host_www=$(find "$STORE/layers" -path '*/var/www/x' -printf '%U:%G\n' 2>/dev/null | head -n1)
  is "$host_www" "$((subuid_start + 32)):$((subgid_start + 32))" \
    "on the host, the store's /var/www/x belongs to subuid/subgid start+32 (inside 33)"
fi

run_sbx run owners sh -c 'chown 100:101 /var/www/x && stat -c %u:%g /var/www/x'
is "$OUT" "100:101" "root inside can chown an image file to another mapped id"

# --- keep-id ------------------------------------------------------------------------------------
run_sbx run --userns=keep-id bb sh -c 'id -u; id -g'
rc_is 0 "--userns=keep-id runs"
is "$OUT" "$MY_UID
$MY_GID" "keep-id: id -u / id -g inside are the caller's ($MY_UID:$MY_GID)"

run_sbx run --userns=keep-id bb stat -c '%u:%g %n' /bin/busybox /etc/passwd /srv
is "$OUT" "0:0 /bin/busybox
0:0 /etc/passwd
0:0 /srv" "keep-id: files the image's root owns still show as 0:0"

# (not /home/u/y: /home/u is 0750 100:101, and keep-id runs as the caller, not as root)
run_sbx run --userns=keep-id owners stat -c '%u:%g %n' /var/www/x /nobody-file /high-file /shared/f
is "$OUT" "33:33 /var/www/x
65534:65534 /nobody-file
65535:65535 /high-file
1000:50 /shared/f" "keep-id: files of other image uids keep their owners"

if [ -n "${subuid_start:-}" ]; then
  run_sbx run --userns=keep-id bb cat /proc/self/uid_map
  uidmap=$(printf '%s\n' "$OUT" | norm_map)
  like "$uidmap" "^$MY_UID $MY_UID 1\$" "keep-id: uid_map maps the caller to itself"
  total=$(printf '%s\n' "$uidmap" | awk '{ s += $3 } END { print s }')
  is "$total" "$((subuid_count + 1))" "keep-id: uid_map covers the caller and the whole subuid range"
fi

run_sbx run --userns=keep-id bb sh -c 'echo x > /tmp/f && stat -c %u /tmp/f'
is "$OUT" "$MY_UID" "keep-id: new files belong to the caller's uid inside"

# --- single-id fallback (no subordinate ids) -------------------------------------------------------
: > "$W/empty-subid"
export SBX_SUBUID_FILE=$W/empty-subid SBX_SUBGID_FILE=$W/empty-subid
run_sbx run bb cat /proc/self/uid_map
rc_is 0 "without subordinate ids, sbx run still works"
is "$(printf '%s\n' "$OUT" | norm_map)" "0 $MY_UID 1" "without subordinate ids: a single mapping 0 -> $MY_UID"
is "$(count_lines "$ERR")" "1" "without subordinate ids: exactly one line on stderr"
like "$ERR" 'warning' "without subordinate ids: that line is a warning"

run_sbx run bb cat /proc/self/gid_map
is "$(printf '%s\n' "$OUT" | norm_map)" "0 $MY_GID 1" "without subordinate ids: gid_map is 0 -> $MY_GID"

run_sbx run owners stat -c '%u:%g %n' /var/www/x /nobody-file /root-file
is "$OUT" "65534:65534 /var/www/x
65534:65534 /nobody-file
0:0 /root-file" "without subordinate ids: files of subordinate owners show as 65534, the caller's as 0"

run_sbx run owners sh -c 'echo new > /tmp/x && cat /tmp/x'
is "$OUT" "new" "without subordinate ids: the root filesystem is still writable"
unset SBX_SUBUID_FILE SBX_SUBGID_FILE

# --- keep-id knows you (as Podman): your name, home and group in the sandbox's passwd/group --------
MY_HOME=$(getent passwd "$MY_USER" | cut -d: -f6)
run_sbx run --userns=keep-id bb sh -c 'whoami; id -un; echo ~; echo "$HOME $USER"; id -gn'
rc_is 0 "keep-id: whoami and friends run"
is "$OUT" "$MY_USER
$MY_USER
$MY_HOME
$MY_HOME $MY_USER
$(id -gn)" "keep-id: whoami, id -un, ~, HOME, USER and the group name are the caller's"
run_sbx run --userns=keep-id bb sh -c 'stat -c "%u %a" ~; touch ~/f && echo home-writable'
is "$OUT" "$MY_UID 700
home-writable" "keep-id: the home exists, 0700, the caller's own"
run_sbx run --userns=keep-id bb sh -c "grep -c '^$MY_USER:' /etc/passwd; grep '^$MY_USER:' /etc/passwd | cut -d: -f7"
is "$OUT" "1
/bin/sh" "keep-id: one passwd line, with a shell the image has"
run_sbx run bb sh -c "grep -c '^$MY_USER:' /etc/passwd"
is "$OUT" "0" "the image's own /etc/passwd is unchanged (the line lives in the run's upper layer)"
run_sbx run --name kid --userns=keep-id bb true
run_sbx start kid sh -c "grep -c '^$MY_USER:' /etc/passwd"
is "$OUT" "1" "keep-id: a named sandbox started again has the line once"
run_sbx rm kid

# --- a namespace limit reached -------------------------------------------------------------------
# The setup process makes its user namespace first and the others after; when the kernel
# refuses those (user.max_net_namespaces, here 0 in a user namespace of the test's own, whose
# limits bind the namespaces made below it), the error says which limits to look at.
limit_probe='u=$1 g=$2; shift 2; echo 0 > /proc/sys/user/max_net_namespaces && exec unshare -U --map-user="$u" --map-group="$g" "$@"'
if ! unshare -Ur sh -c 'echo 0 > /proc/sys/user/max_net_namespaces && ! unshare -n true' 2>/dev/null ||
   ! unshare -Ur unshare -U --map-user="$MY_UID" --map-group="$MY_GID" true 2>/dev/null; then
  skip "a namespace limit reached" "unshare cannot set a user namespace's max_net_namespaces or map a user here"
else
  run_cmd unshare -Ur sh -c "$limit_probe" sh "$MY_UID" "$MY_GID" "$SBX" run host true
  check_sbx_error "a namespace limit reached" "create the sandbox's namespaces .*user\.max_net_namespaces.*No space left on device"
fi

done_testing
