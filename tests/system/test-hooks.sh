#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-hooks.sh: the profile's OCI lifecycle hooks (hooks.h).  Real hook programs (shell
# scripts) record what they saw: the state JSON on stdin (id, status, init's pid alive and
# pid 1 of its own namespace, bundle, annotations), their mount and user namespaces against
# ours and the command's, the order of the stages, their whole environment (only the hook's
# env) and their arguments.  A failing createContainer fails the run before the command
# runs; a failing poststop only warns; a hook past its timeout is killed and fails the run;
# a relative hook path is refused at file:line:col.  Needs no fixture (the embedded default
# image).
set -u
. "$(dirname "$0")/lib.sh"

PROFILES=$XDG_CONFIG_HOME/sbx/profiles
mkdir -p "$PROFILES"
R=$W/rec                 # what the hooks record
H=$W/hooks               # the hook programs
mkdir -p "$R" "$H"

# record.sh STAGE [ARG]: what a hook saw, into $R/STAGE.*; STAGE appended to $R/order.
cat > "$H/record.sh" <<EOF
#!/bin/sh
R=$R
EOF
cat >> "$H/record.sh" <<'EOF'
stage=$1
cat > "$R/$stage.state"
readlink /proc/self/ns/mnt > "$R/$stage.mnt"
readlink /proc/self/ns/user > "$R/$stage.user"
exec 3< /proc/self/environ   # opened by the shell itself: its own environment
tr '\0' '\n' <&3 > "$R/$stage.env"
printf '%s\n' "$@" > "$R/$stage.argv"
pwd > "$R/$stage.cwd"
id -u > "$R/$stage.uid"
pid=$(sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p' "$R/$stage.state")
if [ -d "/proc/$pid" ]; then
  echo live > "$R/$stage.live"
  grep '^NSpid:' "/proc/$pid/status" > "$R/$stage.nspid"
fi
echo "$stage" >> "$R/order"
EOF
chmod 755 "$H/record.sh"

# hook STAGE [EXTRA JSON]: one hook entry running record.sh for STAGE.
hook() {
  printf '{"path": "%s", "args": ["record-argv0", "%s", "two words"], "env": ["HOOKVAR=%s", "PATH=/usr/bin:/bin"]%s}' \
    "$H/record.sh" "$1" "$1" "${2:+, $2}"
}

cat > "$PROFILES/hooked.json" <<EOF
{
  "sbx": {"include": ["default"]},
  "annotations": {"org.example.test": "yes", "org.example.other": "a b"},
  "mounts": [{"destination": "$W", "type": "bind", "source": "$W", "options": ["rbind", "rw"]}],
  "hooks": {
    "prestart": [$(hook prestart)],
    "createRuntime": [$(hook createRuntime)],
    "createContainer": [$(hook createContainer)],
    "startContainer": [$(hook startContainer)],
    "poststart": [$(hook poststart)],
    "poststop": [$(hook poststop '"timeout": 10')]
  }
}
EOF

STAGES="prestart createRuntime createContainer startContainer poststart poststop"
OWN_MNT=$(readlink /proc/self/ns/mnt)
OWN_USER=$(readlink /proc/self/ns/user)

run_sbx run --profile hooked default sh -c \
  "readlink /proc/self/ns/mnt > $R/command.mnt; readlink /proc/self/ns/user > $R/command.user; sleep 1; exit 5"
rc_is 5 "a run with every hook: the command's exit status"
is "$(tr '\n' ' ' < "$R/order" 2>/dev/null)" "$STAGES " "the stages ran once each, in OCI's order"
CMD_MNT=$(cat "$R/command.mnt" 2>/dev/null)
CMD_USER=$(cat "$R/command.user" 2>/dev/null)
isnt "$CMD_MNT" "$OWN_MNT" "the command is in a mount namespace of its own"

# state.py STAGE: the state's fields, one a line.
state() {
  python3 - "$R/$1.state" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(s["ociVersion"], s["id"], s["status"], s["pid"], s["bundle"])
print(json.dumps(s["annotations"], sort_keys=True))
EOF
}
ID=
for stage in $STAGES; do
  read -r version id status pid bundle < <(state "$stage" | head -1)
  annotations=$(state "$stage" | tail -1)
  case $stage in
    prestart|createRuntime|createContainer) want=creating ;;
    startContainer) want=created ;;
    poststart) want=running ;;
    poststop) want=stopped ;;
  esac
  is "$version $status" "1.0.2 $want" "$stage: state ociVersion and status"
  [ -z "$ID" ] && ID=$id && FIRST_PID=$pid && BUNDLE=$bundle
  is "$id $pid $bundle" "$ID $FIRST_PID $BUNDLE" "$stage: the same id, pid and bundle as every stage"
  is "$annotations" '{"org.example.other": "a b", "org.example.test": "yes"}' "$stage: the profile's annotations"
  is "$(cat "$R/$stage.env")" "HOOKVAR=$stage
PATH=/usr/bin:/bin" "$stage: its environment is its env, nothing else"
  is "$(cat "$R/$stage.argv")" "$stage
two words" "$stage: its args"
done
like "$ID" '^run-' "the id is the run dir's name"
like "$BUNDLE" "/sbx/$ID\$" "the bundle is the run dir"
check "the bundle is gone after the run" test ! -e "$BUNDLE"

# Where each ran: runtime namespace = ours; container namespace = the command's.
for stage in prestart createRuntime poststart poststop; do
  is "$(cat "$R/$stage.mnt") $(cat "$R/$stage.user")" "$OWN_MNT $OWN_USER" "$stage: in our mount and user namespaces"
  is "$(cat "$R/$stage.uid")" "$MY_UID" "$stage: as the caller's uid"
done
for stage in createContainer startContainer; do
  is "$(cat "$R/$stage.mnt") $(cat "$R/$stage.user")" "$CMD_MNT $CMD_USER" "$stage: in the command's mount and user namespaces"
done
for stage in prestart createRuntime createContainer poststart; do
  is "$(cat "$R/$stage.live" 2>/dev/null)" live "$stage: the state's pid is a live process"
  like "$(cat "$R/$stage.nspid" 2>/dev/null)" "^NSpid:[[:space:]]+$FIRST_PID[[:space:]]+1\$" \
    "$stage: it is the sandbox's init (pid 1 in its namespace)"
done
check "poststop: init is gone" test ! -e "$R/poststop.live"
is "$(cat "$R/createRuntime.cwd")" "$BUNDLE" "createRuntime: cwd is the bundle"
is "$(cat "$R/createContainer.cwd")" "$BUNDLE" "createContainer: cwd is the bundle (the host's, before pivot_root)"
is "$(cat "$R/startContainer.cwd")" "/" "startContainer: cwd is the command's"

# The first run of a store imports the default image: sbx-import ran from a thread-free
# loop, so sbx is a single thread when it forks the sandbox.  (With GSubprocess's helper
# threads, one of them sometimes held a GObject lock at the fork, and init hung for ever in
# its createContainer hook, where the JSON generator sbx then used (json-glib's) took that lock.)
rm -f "$R"/*
XDG_DATA_HOME=$W/fresh-store run_sbx --log-level=debug run --profile hooked default true
rc_is 0 "a first run of a fresh store, with hooks"
like "$ERR" 'supervisor: spawn: setup process [0-9]+, forked from 1 thread$' \
  "the first run's import leaves sbx a single thread when it forks the sandbox"
is "$(tr '\n' ' ' < "$R/order" 2>/dev/null)" "$STAGES " "the first run of a fresh store: every stage ran"
rm -f "$R"/*

# --debug: a line per hook.
rm -f "$R"/*
run_sbx --log-level=debug run --profile hooked --name named-hooks default true
rc_is 0 "--name: the run succeeds"
like "$ERR" 'supervisor: hooks: createRuntime\[0\] .*record.sh \(status creating, pid [0-9]+\): done' "debug line for createRuntime"
like "$ERR" 'init: hooks: createContainer\[0\]' "debug line for createContainer, from init"
like "$ERR" 'command: hooks: startContainer\[0\]' "debug line for startContainer, from the command"
is "$(state poststop | head -1 | cut -d' ' -f2)" named-hooks "--name: the id is the sandbox's name"
run_sbx rm named-hooks

# A failing createContainer: 125, one line naming it, the command never runs; poststop still runs.
cat > "$H/fail.sh" <<'EOF'
#!/bin/sh
echo "first line" >&2
printf 'it \033[31mfailed\n' >&2
exit 3
EOF
chmod 755 "$H/fail.sh"
cat > "$PROFILES/fail-create.json" <<EOF
{
  "sbx": {"include": ["default"]},
  "hooks": {
    "createContainer": [{"path": "$H/fail.sh"}],
    "poststop": [$(hook poststop)]
  }
}
EOF
rm -f "$R"/*
run_sbx run --profile fail-create default touch "$W/ran"
check_sbx_error "failing createContainer" \
  "hooks\.createContainer\[0\] $H/fail\.sh: exited with status 3; its stderr's last line: it \\\\e\[31mfailed\$"
check "failing createContainer: the command never ran" test ! -e "$W/ran"
is "$(cat "$R/order" 2>/dev/null)" poststop "failing createContainer: poststop still ran (OCI: delete follows)"

# A failing poststop only warns: the exit status is the command's.
cat > "$PROFILES/fail-poststop.json" <<EOF
{
  "sbx": {"include": ["default"]},
  "hooks": {"poststop": [{"path": "$H/fail.sh", "args": ["fail"]}]}
}
EOF
run_sbx run --profile fail-poststop default sh -c 'echo out; exit 7'
rc_is 7 "failing poststop: the command's exit status"
is "$OUT" out "failing poststop: the command's output"
like "$ERR" "^sbx: warning: hooks\.poststop\[0\] $H/fail\.sh: exited with status 3" "failing poststop: a warning naming it"

# A hook past its timeout is killed and fails the run.
cat > "$H/slow.sh" <<'EOF'
#!/bin/sh
exec sleep 30
EOF
chmod 755 "$H/slow.sh"
cat > "$PROFILES/slow.json" <<EOF
{
  "sbx": {"include": ["default"]},
  "hooks": {"createRuntime": [{"path": "$H/slow.sh", "timeout": 1}]}
}
EOF
start=$SECONDS
run_sbx run --profile slow default touch "$W/ran"
check_sbx_error "createRuntime past its timeout" "hooks\.createRuntime\[0\] $H/slow\.sh: still running after its timeout of 1 s: killed"
check "timeout: well before the hook's 30 s" test $((SECONDS - start)) -lt 15
check "timeout: the command never ran" test ! -e "$W/ran"
check "timeout: no sleep left" sh -c "! pgrep -u $MY_UID -f 'slee[p] 30' >/dev/null"

# A hook that cannot run.
cat > "$PROFILES/missing.json" <<EOF
{
  "sbx": {"include": ["default"]},
  "hooks": {"startContainer": [{"path": "/no/such/hook"}]}
}
EOF
run_sbx run --profile missing default touch "$W/ran"
check_sbx_error "missing startContainer hook" 'hooks\.startContainer\[0\] /no/such/hook: cannot execute: No such file or directory'
check "missing hook: the command never ran" test ! -e "$W/ran"

# Refused at file:line:col: a relative path, a bad env entry, timeout 0.
printf '{\n  "sbx": {"include": ["default"]},\n  "hooks": {"poststart": [{"path": "bin/hook"}]}\n}\n' > "$PROFILES/relative.json"
run_sbx run --profile relative default true
check_sbx_error "relative hook path" "^sbx: $PROFILES/relative\.json:3:[0-9]+: hooks\.poststart\[0\]\.path: 'bin/hook' is not an absolute path\$"
printf '{\n  "hooks": {"poststop": [{"path": "/bin/true", "env": ["NOEQUALS"]}]}\n}\n' > "$PROFILES/badenv.json"
run_sbx profile validate "$PROFILES/badenv.json"
check_sbx_error "hook env entry without =" "badenv\.json:2:.*hooks\.poststop\[0\]\.env\[0\]: 'NOEQUALS' is not NAME=VALUE"
printf '{\n  "hooks": {"poststop": [{"path": "/bin/true", "timeout": 0}]}\n}\n' > "$PROFILES/badtimeout.json"
run_sbx profile validate "$PROFILES/badtimeout.json"
check_sbx_error "hook timeout 0" "badtimeout\.json:2:.*hooks\.poststop\[0\]\.timeout: 0 is out of range"

# Merge: a later profile replaces a hook list whole; null removes it.
cat > "$PROFILES/more.json" <<EOF
{
  "sbx": {"include": ["hooked"]},
  "hooks": {"createRuntime": [{"path": "/bin/true"}], "poststop": null}
}
EOF
run_sbx profile show more
rc_is 0 "profile show of a profile over hooked"
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; h=json.load(sys.stdin)["hooks"]; print(sorted(h), [e["path"] for e in h["createRuntime"]])')" \
  "['createContainer', 'createRuntime', 'poststart', 'prestart', 'startContainer'] ['/bin/true']" "a list replaced whole, null removes one"

done_testing
