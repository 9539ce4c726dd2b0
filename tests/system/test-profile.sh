#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-profile.sh: profiles from the command line: `sbx profile ls|show|validate`, the search
# path ($XDG_CONFIG_HOME/sbx/profiles over the built-in profiles), every kind of bad profile
# failing before anything starts (exit 125, one "sbx: FILE:LINE:COL: PATH: message" line, no
# store, no process), `sbx run --profile NAME|FILE`, a profile's process.args/env/cwd/user and
# hostname reaching the command, and the command line's options winning over the profile.
# Needs no fixture (uses the embedded default image).
set -u
. "$(dirname "$0")/lib.sh"

# Only our own profile directories: no $SBX_PROFILE_PATH, an empty system dir.
unset SBX_PROFILE_PATH
export XDG_CONFIG_HOME=$TEST_TMP/config
export SBX_DATADIR=$TEST_TMP/datadir
USER_DIR=$XDG_CONFIG_HOME/sbx/profiles
mkdir -p "$USER_DIR" "$SBX_DATADIR/profiles"
P=$W/profiles            # profiles given by path
mkdir -p "$P"

MARKER=marker-$$-the-command-ran

# Is a process whose command line holds MARKER still there?  (pids, one a line)
marker_processes() {
  local f
  for f in /proc/[0-9]*/cmdline; do
    { tr '\0' ' ' < "$f"; } 2>/dev/null | grep -q -- "$MARKER" && echo "${f//[^0-9]/}"
  done
  return 0
}

# --- bad profiles: each fails before anything starts ---------------------------------------
# bad NAME LINE COL PATH MESSAGE-ERE: $P/NAME.json (written by the caller) must fail
# `profile validate` and `run` with exactly "sbx: FILE:LINE:COL: PATH: " and MESSAGE.
bad() {
  local name=$1 line=$2 col=$3 path=$4 msg=$5
  local file=$P/$name.json
  local prefix="sbx: $file:$line:$col: ${path:+$path: }"
  local re
  re="^$(printf '%s' "$prefix" | sed 's/[][\.*^$()+?{}|]/\\&/g')"

  run_sbx profile validate "$file"
  check_sbx_error "profile validate $name" "$re"
  like "$ERR" "$msg" "profile validate $name: says what is wrong"
  is "$OUT" "" "profile validate $name: nothing on stdout"

  run_sbx run --profile "$file" default echo "$MARKER"
  check_sbx_error "run --profile $name" "$re"
  unlike "$OUT" "$MARKER" "run --profile $name: the command did not run"
  check "run --profile $name: no store created" test ! -e "$STORE"
  is "$(marker_processes)" "" "run --profile $name: no process left"
}

cat > "$P/unknown-key.json" <<'EOF'
{
  "hostnme": "x"
}
EOF
bad unknown-key 2 3 hostnme "unknown key \(did you mean 'hostname'\?\)"

# Mounts over sbx's /proc and /dev/pts in a profile: refused where written.
cat > "$P/proc-mount.json" <<'EOF'
{
  "mounts": [
    {"type": "bind", "source": "/tmp", "destination": "/proc/self"}
  ]
}
EOF
bad proc-mount 3 40 "mounts[0].destination" "a mount on /proc/self is refused: /proc is sbx's procfs"
cat > "$P/pts-mount.json" <<'EOF'
{
  "mounts": [
    {"type": "tmpfs", "destination": "/dev/pts"}
  ]
}
EOF
bad pts-mount 3 23 "mounts[0].destination" "a mount on /dev/pts is refused"

cat > "$P/unknown-nested.json" <<'EOF'
{
  "process": {
    "noNewPrivilege": true
  }
}
EOF
bad unknown-nested 3 5 process.noNewPrivilege "unknown key \(did you mean 'noNewPrivileges'\?\)"

cat > "$P/wrong-type.json" <<'EOF'
{
  "hostname": 5
}
EOF
bad wrong-type 2 3 hostname "must be a string"

cat > "$P/wrong-type-bool.json" <<'EOF'
{
  "process": {
    "noNewPrivileges": "yes"
  }
}
EOF
bad wrong-type-bool 3 5 process.noNewPrivileges "must be true or false"

cat > "$P/bad-cap.json" <<'EOF'
{
  "process": {
    "capabilities": {
      "bounding": ["CAP_CHOWN", "CAP_NOPE"]
    }
  }
}
EOF
bad bad-cap 4 33 'process.capabilities.bounding[1]' "unknown capability 'CAP_NOPE'"

cat > "$P/bad-rlimit.json" <<'EOF'
{
  "process": {
    "rlimits": [
      {
        "type": "RLIMIT_NOPE",
        "soft": 1,
        "hard": 2
      }
    ]
  }
}
EOF
bad bad-rlimit 5 9 'process.rlimits[0].type' "unknown rlimit 'RLIMIT_NOPE'"

cat > "$P/soft-above-hard.json" <<'EOF'
{
  "process": {
    "rlimits": [
      {
        "type": "RLIMIT_NOFILE",
        "soft": 2048,
        "hard": 1024
      }
    ]
  }
}
EOF
bad soft-above-hard 6 9 'process.rlimits[0].soft' "soft limit above the hard limit"

# null passes each member's own type check (it unsets a member when profiles merge), but an
# rlimit entry needs all three: a null type once reached the rlimit lookup and crashed sbx.
cat > "$P/null-rlimit-type.json" <<'EOF'
{
  "process": {
    "rlimits": [
      {
        "type": null,
        "soft": 1,
        "hard": 2
      }
    ]
  }
}
EOF
bad null-rlimit-type 4 7 'process.rlimits[0]' "an rlimit needs type, soft and hard"

cat > "$P/relative-destination.json" <<'EOF'
{
  "mounts": [
    {
      "destination": "tmp",
      "type": "tmpfs",
      "source": "tmpfs"
    }
  ]
}
EOF
bad relative-destination 4 7 'mounts[0].destination' "'tmp' is not an absolute path"

cat > "$P/bad-mount-option.json" <<'EOF'
{
  "mounts": [
    {
      "destination": "/data",
      "type": "tmpfs",
      "source": "tmpfs",
      "options": [
        "nosuid",
        "bogus"
      ]
    }
  ]
}
EOF
bad bad-mount-option 9 9 'mounts[0].options[1]' "unknown mount option 'bogus'"

cat > "$P/bad-namespace.json" <<'EOF'
{
  "linux": {
    "namespaces": [
      {
        "type": "bogus"
      }
    ]
  }
}
EOF
bad bad-namespace 5 9 'linux.namespaces[0].type' "unknown namespace type 'bogus'"

cat > "$P/namespace-path.json" <<'EOF'
{
  "linux": {
    "namespaces": [
      {
        "type": "network",
        "path": "/proc/1/ns/net"
      }
    ]
  }
}
EOF
bad namespace-path 6 9 'linux.namespaces[0].path' "joining an existing namespace is not supported"

cat > "$P/duplicate-key.json" <<'EOF'
{
  "process": {
    "noNewPrivileges": true,
    "noNewPrivileges": false
  }
}
EOF
bad duplicate-key 4 5 process.noNewPrivileges "duplicate key"

cat > "$P/syntax.json" <<'EOF'
{
  "hostname": x
}
EOF
bad syntax 2 15 "" "."

cat > "$P/not-object.json" <<'EOF'
["process"]
EOF
bad not-object 1 1 "" "a profile must be a JSON object"

cat > "$P/bad-seccomp.json" <<'EOF'
{
  "linux": {
    "seccomp": {
      "defaultAction": "SCMP_ACT_NOPE"
    }
  }
}
EOF
bad bad-seccomp 4 7 linux.seccomp.defaultAction "SCMP_ACT_NOPE"

cat > "$P/missing-include.json" <<'EOF'
{
  "sbx": {
    "include": [
      "default",
      "no-such-profile"
    ]
  }
}
EOF
bad missing-include 5 7 'sbx.include[1]' "profile 'no-such-profile' not found"

# An include cycle a -> b -> a, on the search path: the file that closes it is blamed.
cat > "$USER_DIR/cycle-a.json" <<'EOF'
{
  "sbx": {
    "include": [
      "cycle-b"
    ]
  }
}
EOF
cat > "$USER_DIR/cycle-b.json" <<'EOF'
{
  "sbx": {
    "include": [
      "cycle-a"
    ]
  }
}
EOF
run_sbx run --profile cycle-a default echo "$MARKER"
check_sbx_error "run --profile cycle-a (a -> b -> a)" \
  "^sbx: $USER_DIR/cycle-b\\.json:4:7: sbx\\.include\\[0\\]: include cycle: cycle-a -> cycle-b -> cycle-a"
unlike "$OUT" "$MARKER" "run --profile cycle-a: the command did not run"
check "run --profile cycle-a: no store created" test ! -e "$STORE"
run_sbx profile show cycle-b
check_sbx_error "profile show cycle-b" "^sbx: $USER_DIR/cycle-a\\.json:4:7: sbx\\.include\\[0\\]: include cycle"
run_sbx profile validate "$USER_DIR/cycle-a.json"
check_sbx_error "profile validate cycle-a.json" "include cycle"

# A broken profile on the search path speaks for itself when included.
cp "$P/bad-cap.json" "$USER_DIR/broken.json"
printf '{"sbx": {"include": ["broken"]}}\n' > "$P/includes-broken.json"
run_sbx run --profile "$P/includes-broken.json" default echo "$MARKER"
check_sbx_error "run with an included broken profile" \
  "^sbx: $USER_DIR/broken\\.json:4:33: process\\.capabilities\\.bounding\\[1\\]: unknown capability"
rm "$USER_DIR/broken.json" "$USER_DIR/cycle-a.json" "$USER_DIR/cycle-b.json"

# Bad command-line overrides fail the same way: exit 125, one line, nothing started.
run_sbx run --cap-add CAP_NOPE default echo "$MARKER"
check_sbx_error "run --cap-add CAP_NOPE" "CAP_NOPE"
run_sbx run -v relative:/x default echo "$MARKER"
check_sbx_error "run -v relative:/x" "relative:/x"
run_sbx run --ulimit nofile=10:5 default echo "$MARKER"
check_sbx_error "run --ulimit nofile=10:5" "nofile=10:5"
run_sbx run --security-opt bogus=1 default echo "$MARKER"
check_sbx_error "run --security-opt bogus=1" "bogus=1"
run_sbx run --security-opt mask=proc/kcore default echo "$MARKER"
check_sbx_error "run --security-opt mask=proc/kcore (a relative path)" "mask=proc/kcore"
run_sbx run --profile "$P/no-such-file.json" default echo "$MARKER"
check_sbx_error "run --profile of a missing file" "no-such-file\\.json"
run_sbx run --profile no-such-profile default echo "$MARKER"
check_sbx_error "run --profile of an unknown name" "'no-such-profile'"
unlike "$OUT" "$MARKER" "the bad overrides ran nothing"
check "no store after all the bad profiles" test ! -e "$STORE"
is "$(marker_processes)" "" "no process left after all the bad profiles"

# --- profile ls ----------------------------------------------------------------------------
cat > "$USER_DIR/mine.json" <<'EOF'
{
  "sbx": {
    "description": "my own profile",
    "include": ["default"]
  },
  "hostname": "mine-host"
}
EOF
run_sbx profile ls
rc_is 0 "profile ls exits 0"
like "$(printf '%s\n' "$OUT" | head -n 1)" '^NAME +SOURCE +DESCRIPTION' "profile ls: header line"
for name in default desktop devel firefox; do
  like "$OUT" "^$name +built-in( |$)" "profile ls: $name is built-in"
done
like "$OUT" "^mine +$USER_DIR/mine\\.json +my own profile\$" "profile ls: a user profile with its path and description"
is "$ERR" "" "profile ls: nothing on stderr"

# A user profile shadows the built-in one of the same name.
cat > "$USER_DIR/desktop.json" <<'EOF'
{
  "sbx": {
    "description": "my desktop",
    "include": ["desktop"]
  }
}
EOF
run_sbx profile ls
like "$OUT" "^desktop +$USER_DIR/desktop\\.json +my desktop\$" "profile ls: the user's desktop shadows the built-in one"
is "$(printf '%s\n' "$OUT" | grep -c '^desktop ')" 1 "profile ls: desktop listed once"
rm "$USER_DIR/desktop.json"

# --- profile show --------------------------------------------------------------------------
SHOWPY='
import json, sys
d = json.load(sys.stdin)
p = d["process"]
caps = p["capabilities"]
assert "CAP_CHOWN" in caps["bounding"] and "CAP_SYS_ADMIN" not in caps["bounding"], caps
assert "CAP_NET_RAW" not in caps["bounding"], caps
assert p["noNewPrivileges"] is True
assert "/proc/kcore" in d["linux"]["maskedPaths"]
assert "/proc/sys" in d["linux"]["readonlyPaths"]
assert isinstance(d["linux"]["seccomp"], dict) and "defaultAction" in d["linux"]["seccomp"]
assert {n["type"] for n in d["linux"]["namespaces"]} >= {"user", "mount", "pid"}
assert "include" not in d.get("sbx", {})
print(d.get("hostname"))
'
run_sbx profile show default
rc_is 0 "profile show default exits 0"
run_cmd python3 -c "$SHOWPY" <<<"$OUT"
rc_is 0 "profile show default: valid JSON with Podman's caps, no_new_privs, masks, seccomp, namespaces"

run_sbx profile show mine
rc_is 0 "profile show mine exits 0"
run_cmd python3 -c "$SHOWPY" <<<"$OUT"
rc_is 0 "profile show mine: the included default is merged in"
is "$OUT" "mine-host" "profile show mine: its own hostname over default's"

run_sbx profile show "$USER_DIR/mine.json"
rc_is 0 "profile show FILE exits 0"

run_sbx profile show no-such-profile
check_sbx_error "profile show of an unknown profile" "no-such-profile"

# --- profile validate ----------------------------------------------------------------------
printf '{\n  "hostname": "ok-host",\n  "sbx": {"include": ["default"]}\n}\n' > "$P/good.json"
run_sbx profile validate "$P/good.json"
rc_is 0 "profile validate of a good file exits 0"
is "$OUT" "$P/good.json: ok" "profile validate prints FILE: ok"
is "$ERR" "" "profile validate: nothing on stderr"

run_sbx profile validate "$P/good.json" "$USER_DIR/mine.json"
rc_is 0 "profile validate of two good files"
is "$(printf '%s\n' "$OUT" | grep -c ': ok$')" 2 "profile validate: one ok line per file"

run_sbx profile validate "$P/good.json" "$P/wrong-type.json"
check_sbx_error "profile validate of a good and a bad file" "wrong-type\\.json:2:3: hostname:"

# Plain OCI configs, as the runtimes write them, are profiles.
for runtime in /usr/bin/crun /usr/sbin/runc; do
  if [ -x "$runtime" ]; then
    d=$W/spec-${runtime##*/}
    mkdir -p "$d"
    if (cd "$d" && "$runtime" spec --rootless) >/dev/null 2>&1; then
      run_sbx profile validate "$d/config.json"
      rc_is 0 "profile validate of '${runtime##*/} spec --rootless' output"
    else
      skip "profile validate of '${runtime##*/} spec --rootless' output" "'$runtime spec --rootless' failed"
    fi
  else
    skip "profile validate of '${runtime##*/} spec --rootless' output" "$runtime is not installed"
  fi
done

# --- run --profile -------------------------------------------------------------------------
# The store may be created from here on.
cat > "$P/from-file.json" <<'EOF'
{
  "sbx": {"include": ["default"]},
  "hostname": "from-file",
  "process": {
    "env": ["FROM_FILE=yes"]
  }
}
EOF
run_sbx run --profile "$P/from-file.json" default sh -c 'echo "$(hostname) $FROM_FILE"'
rc_is 0 "run --profile FILE default CMD exits 0"
is "$OUT" "from-file yes" "run --profile FILE: the file's hostname and env reach the command"

run_sbx run --profile mine default hostname
rc_is 0 "run --profile NAME (user profile) exits 0"
is "$OUT" "mine-host" "run --profile NAME: the user profile is used"

# A profile's process.args run when no command is given.
cat > "$P/args.json" <<EOF
{
  "sbx": {"include": ["default"]},
  "process": {
    "args": ["echo", "args-from-profile", "$MARKER"]
  }
}
EOF
run_sbx run --profile "$P/args.json" default
rc_is 0 "run with process.args and no command exits 0"
is "$OUT" "args-from-profile $MARKER" "run with no command runs the profile's process.args"
run_sbx run --profile "$P/args.json" default echo given
is "$OUT" "given" "a command given replaces the profile's process.args"

# process.env, hostname, process.cwd and process.user reach the command.
cat > "$P/process.json" <<'EOF'
{
  "sbx": {"include": ["default"]},
  "hostname": "prof-host",
  "process": {
    "env": ["PROF_VAR=prof value", "PATH=/bin:/usr/bin:/sbin:/usr/sbin"],
    "cwd": "/tmp/prof-cwd",
    "user": {"uid": 1234, "gid": 2345}
  }
}
EOF
PROBE='echo "env=$PROF_VAR"; echo "host=$(hostname)"; echo "cwd=$(pwd)"; echo "uid=$(id -u) gid=$(id -g)"'
run_sbx run --profile "$P/process.json" default sh -c "$PROBE"
rc_is 0 "run with a profile's env/hostname/cwd/user exits 0"
like "$OUT" '^env=prof value$' "process.env reaches the command"
like "$OUT" '^host=prof-host$' "hostname reaches the command"
like "$OUT" '^cwd=/tmp/prof-cwd$' "process.cwd is the command's working directory"
like "$OUT" '^uid=1234 gid=2345$' "process.user is the command's uid and gid"

# The command line wins over the profile.
run_sbx run --profile "$P/process.json" --hostname cli-host -e PROF_VAR=cli -w / -u 0:0 default sh -c "$PROBE"
rc_is 0 "run with the profile and overriding options exits 0"
like "$OUT" '^env=cli$' "-e wins over process.env"
like "$OUT" '^host=cli-host$' "--hostname wins over the profile's hostname"
like "$OUT" '^cwd=/$' "-w wins over process.cwd"
like "$OUT" '^uid=0 gid=0$' "-u wins over process.user"

# A profile that says nothing about "process" runs without a complaint.
printf '{"sbx": {"include": ["default"]}, "hostname": "bare"}\n' > "$P/no-process.json"
run_sbx run --profile "$P/no-process.json" default hostname
rc_is 0 "run with a profile without process exits 0"
is "$OUT" "bare" "run with a profile without process: its hostname"
is "$ERR" "" "run with a profile without process: nothing on stderr"

# Capability options edit the profile's sets (and do not crash on libcap's names).
run_sbx run --cap-drop ALL --cap-add net_raw default grep CapBnd /proc/self/status
rc_is 0 "run --cap-drop ALL --cap-add net_raw exits 0"
like "$OUT" 'CapBnd:[[:space:]]+0000000000002000$' "--cap-drop ALL --cap-add net_raw: the bounding set is CAP_NET_RAW alone"

check "no process left behind" test -z "$(marker_processes)"

# Mounts over sbx's kernel filesystems (runc CVE-2019-16884 / CVE-2019-19921: a fake /proc
# defeats the AppArmor exec attribute, the masks, /proc/self/fd): refused as written, for
# -v, --tmpfs and profiles (at file:line:col); through an image or sbx symlink, at the run.
mkdir -p "$W/fakeproc/self/attr" && : > "$W/fakefile"
for dst in /proc /proc/self /proc/self/attr /proc/../proc/sys /dev /dev/pts /dev/pts/ptmx /sys /sys/fs/cgroup; do
  run_sbx run -v "$W/fakeproc:$dst" default echo "$MARKER"
  check_sbx_error "run -v DIR:$dst" "^sbx: --volume '$W/fakeproc:$dst': a mount on $dst is refused: "
done
for dst in /proc /proc/self /dev/pts /sys/fs/cgroup; do
  run_sbx run --tmpfs "$dst" default echo "$MARKER"
  check_sbx_error "run --tmpfs $dst" "^sbx: --tmpfs '$dst': a mount on $dst is refused: "
done
unlike "$OUT" "$MARKER" "the mounts over /proc, /dev/pts, /dev, /sys, /sys/fs/cgroup ran nothing"
run_sbx run -v "$W/fakeproc:/dev/fd" default echo "$MARKER"
check_sbx_error "run -v DIR:/dev/fd (sbx's symlink to /proc/self/fd)" "mount destination /dev/fd resolves into the sandbox's /proc"
run_sbx run -v "$W/fakefile:/dev/ptmx" default echo "$MARKER"
check_sbx_error "run -v FILE:/dev/ptmx (a symlink into /dev/pts)" "mount destination /dev/ptmx resolves into the sandbox's /dev/pts"
unlike "$OUT" "$MARKER" "the mounts through symlinks into /proc and /dev/pts ran nothing"
# Below /dev and /sys stays allowed: a device bind, hiding part of sysfs.
run_sbx run -v /dev/null:/dev/sbx-test-null --tmpfs /sys/kernel/mm default sh -c \
  'test -c /dev/sbx-test-null && grep -c " /sys/kernel/mm tmpfs " /proc/self/mounts'
is "$RC:$OUT" "0:1" "run -v /dev/null:/dev/sbx-test-null --tmpfs /sys/kernel/mm: binds below /dev and /sys work"

# --- the host's network: one warning line (loopback services, abstract Unix sockets) -------
run_sbx run --network=host default true
if [ "$RC" = 0 ] && [ "$(count_lines "$ERR")" = 1 ] &&
   printf '%s\n' "$ERR" | grep -Eq "^sbx: warning: --network=host: .*loopback services.*abstract Unix sockets \(X11, D-Bus"; then
  ok "run --network=host: one warning line naming the host's loopback services and abstract Unix sockets"
else
  not_ok "run --network=host: one warning line naming the host's loopback services and abstract Unix sockets"; last_run_diag
fi
run_sbx run -q --network=host default true
is "$RC:$ERR" "0:" "run -q --network=host: no warning"
run_sbx run --log-level=error --network=host default true
is "$RC:$ERR" "0:" "run --log-level=error --network=host: no warning"
run_sbx run --network=none default true
is "$RC:$ERR" "0:" "run --network=none: no warning"
printf '{"sbx": {"include": ["default"], "network": {"mode": "host"}}}\n' > "$P/hostnet.json"
run_sbx run --profile "$P/hostnet.json" default true
if [ "$RC" = 0 ] && [ "$(count_lines "$ERR")" = 1 ] && printf '%s\n' "$ERR" | grep -q "^sbx: warning: host network .*sbx.network.hostWarning false"; then
  ok "a profile with sbx.network.mode host: one warning line, saying how the profile silences it"
else
  not_ok "a profile with sbx.network.mode host: one warning line, saying how the profile silences it"; last_run_diag
fi
printf '{"sbx": {"include": ["default"], "network": {"mode": "host", "hostWarning": false}}}\n' > "$P/hostnet-quiet.json"
run_sbx run --profile "$P/hostnet-quiet.json" default true
is "$RC:$ERR" "0:" "a profile with sbx.network.hostWarning false: no warning for its own host network"
run_sbx run --profile "$P/hostnet-quiet.json" --network=host default true
like "$ERR" "^sbx: warning: --network=host: " "sbx.network.hostWarning false does not silence --network=host on the command line"
printf '{\n  "sbx": {"network": {"hostWarning": "no"}}\n}\n' > "$P/hostwarning-bad.json"
run_sbx profile validate "$P/hostwarning-bad.json"
check_sbx_error "profile validate: sbx.network.hostWarning must be a boolean" "hostwarning-bad\.json:2:.*sbx\.network\.hostWarning"

# --- io_uring past a custom seccomp filter: one warning, from validate and from the run -----
cat > "$P/uring.json" <<'EOF'
{
  "sbx": {"include": ["default"]},
  "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["connect", "openat2"], "action": "SCMP_ACT_ERRNO", "comment": "no new connections"}]}}
}
EOF
uring_re="^sbx: warning: profile '.*uring\.json': linux\.seccomp allows io_uring .* but denies openat2, connect: io_uring's own operations"
run_sbx profile validate "$P/uring.json"
if [ "$RC" = 0 ] && [ "$OUT" = "$P/uring.json: ok" ] && [ "$(count_lines "$ERR")" = 1 ] && printf '%s\n' "$ERR" | grep -Eq "$uring_re"; then
  ok "profile validate: a filter denying connect and openat2 but not io_uring gets one warning naming them"
else
  not_ok "profile validate: a filter denying connect and openat2 but not io_uring gets one warning naming them"; last_run_diag
fi
run_sbx run --profile "$P/uring.json" default true
if [ "$RC" = 0 ] && [ "$(count_lines "$ERR")" = 1 ] && printf '%s\n' "$ERR" | grep -Eq "$uring_re"; then
  ok "run --profile with that filter: the same warning"
else
  not_ok "run --profile with that filter: the same warning"; last_run_diag
fi
printf '%s\n' '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [' \
  '  {"names": ["connect", "openat2"], "action": "SCMP_ACT_ERRNO"}]}' > "$W/uring-seccomp.json"
run_sbx run --security-opt "seccomp=$W/uring-seccomp.json" default true
like "$ERR" "linux\.seccomp allows io_uring .* but denies openat2, connect" "run --security-opt seccomp=FILE with that filter: the same warning"
run_sbx run -q --security-opt "seccomp=$W/uring-seccomp.json" default true
is "$RC:$ERR" "0:" "run -q with that filter: no warning"
for how in "" "--security-opt seccomp=unconfined"; do
  # shellcheck disable=SC2086
  run_sbx run $how default true
  is "$RC:$ERR" "0:" "run ${how:-with the default filter} (io_uring denied, or no filter): no io_uring warning"
done
run_sbx profile validate "$SBX_TESTS_SRCDIR/../data/profiles/default.json"
is "$RC:$ERR" "0:" "profile validate of the default profile: no io_uring warning"

# --- the profile cache ----------------------------------------------------------------------
# A profile by name is kept resolved, with its filter compiled, in $XDG_RUNTIME_DIR/sbx/
# profile-cache once its files are two seconds old.  A run from the cache does what a run that
# read the files does (hostname, filter, the io_uring warning); an edit is seen at once.
export XDG_RUNTIME_DIR=$TEST_TMP/rt
mkdir -m 0700 "$XDG_RUNTIME_DIR"
cached_profile() { # HOSTNAME DENIED-SYSCALLS (a JSON list)
  printf '%s\n' "{\"sbx\": {\"include\": [\"default\"]}, \"hostname\": \"$1\"," \
    " \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [" \
    "  {\"names\": $2, \"action\": \"SCMP_ACT_ERRNO\"}]}}}" > "$USER_DIR/cached.json"
}
cached_profile cached-one '["connect", "openat2", "chmod", "fchmodat", "fchmodat2"]'
sleep 2.1
uring_cached_re="^sbx: warning: profile 'cached': linux\.seccomp allows io_uring .* but denies openat2, connect"
in_cached='hostname; touch /tmp/f; chmod 600 /tmp/f 2>/dev/null && echo chmod-ok || echo chmod-denied'
for n in 1 2; do
  run_sbx --log-level=debug run --profile cached default sh -c "$in_cached"
  is "$RC:$OUT" "0:cached-one
chmod-denied" "profile cache, run $n: the profile's hostname and its filter (chmod denied)"
  is "$(printf '%s\n' "$ERR" | grep -c "$uring_cached_re")" 1 "profile cache, run $n: the io_uring warning, once"
done
is "$(printf '%s\n' "$ERR" | grep -o "load-profile: .*")" "load-profile: 'cached' (asked for: cached): from the cache" \
  "profile cache: the second run took the profile from the cache"
# GIO is loaded on its first call only (common/lazy-load.h): listing the built-in profiles
# needs it, a run from the cache does not.
unlike "$ERR" "lazy-load" "profile cache: a run from the cache loads no GIO (no lazy-load line)"
run_sbx --log-level=debug profile ls
like "$ERR" "sbx: lazy-load: libgio-2\.0\.so\.0 loaded in [0-9.]+ ms \(first call: g_static_resource_init\)" \
  "profile ls: GIO is loaded for the built-in profiles, and the debug log says so"
# An editor's save (the same file, rewritten in place): the next run reads it.
cached_profile cached-two '["connect", "openat2", "mkdir", "mkdirat", "unlink"]'
run_sbx --log-level=debug run --profile cached default sh -c "$in_cached"
is "$RC:$OUT" "0:cached-two
chmod-ok" "profile cache: an edited profile applies at the next run (hostname, filter)"
like "$ERR" "load-profile: 'cached' \(asked for: cached\): read \(cache: $USER_DIR/cached.json changed; not kept: " \
  "profile cache: the debug line names the changed file"
unset XDG_RUNTIME_DIR

# --- command-line values must be UTF-8: JSON holds nothing else, and a value is refused
# rather than changed on its way into the profile (GLib's option parser refuses such bytes
# in an argument; a bare --env NAME takes the caller's value, which sbx checks)
run_sbx run --env "SBX_BAD=$(printf 'a\376b')" default echo "$MARKER"
check_sbx_error "--env with a byte that is not UTF-8"
unlike "$OUT" "$MARKER" "--env with a byte that is not UTF-8: the command did not run"
SBX_BAD_VALUE=$(printf 'a\376b') run_sbx run --env SBX_BAD_VALUE default echo "$MARKER"
check_sbx_error "--env NAME whose value in the caller's environment is not UTF-8" \
  "^sbx: --env 'SBX_BAD_VALUE=a.xfeb': not UTF-8 text"
unlike "$OUT" "$MARKER" "--env NAME whose value is not UTF-8: the command did not run"

done_testing
