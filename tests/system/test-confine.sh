#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-confine.sh: the confinement a profile describes, watched from inside the sandbox and
# from the host.  Capability sets in /proc/self/status against the profile's lists (computed
# from data/profiles/default.json, not written down here); no_new_privs and a setuid-root
# binary in the image; seccomp: the default filter, a custom one, containers-common's, and
# unconfined, the outcome of each operation of tests/probe/sbx-probe predicted from the
# filter's JSON; masked and read-only paths; --read-only; -v and --tmpfs with their options;
# mount destinations that are symlinks aimed out of the rootfs; --ulimit; a profile without
# the uts or network namespace.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init

DEFAULT_JSON=$SBX_TESTS_SRCDIR/../data/profiles/default.json
HAVE_PY=false
command -v python3 >/dev/null && HAVE_PY=true
# Profiles named on the command line are files in $W; no directory of the caller's counts.
export SBX_PROFILE_PATH=$W/profiles
mkdir -p "$SBX_PROFILE_PATH"

if ! need busybox; then
  skip "confinement tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb
HAVE_SUIDPROBE=false
if need suidprobe; then setup_image suidprobe probe && HAVE_SUIDPROBE=true; fi
SUIDPROBE_SKIP=${SKIP_REASON:-}

# Prints the value at a dotted PATH of a JSON file: a list one item a line, else the value.
json_get() { # FILE PATH
  python3 - "$1" "$2" <<'EOF'
import json, sys
node = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    node = node.get(key) if isinstance(node, dict) else None
if isinstance(node, list):
    for item in node:
        print(item)
elif node is not None:
    print(json.dumps(node) if isinstance(node, (dict, bool)) else node)
EOF
}

# --- capabilities ------------------------------------------------------------------------------
# The kernel's numbering (include/uapi/linux/capability.h), index = capability number.
CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
  LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE
  SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
  SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG
  WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)

cap_number() { # NAME (CAP_NET_RAW or net_raw)
  local want=${1^^} i
  want=${want#CAP_}
  for i in "${!CAP_NAMES[@]}"; do
    [ "${CAP_NAMES[$i]}" = "$want" ] && { echo "$i"; return 0; }
  done
  return 1
}

# NAMES... -> the mask as /proc/self/status prints it (16 hex digits)
cap_mask() {
  local m=0 n name
  for name in "$@"; do
    n=$(cap_number "$name") || { echo "unknown-capability-$name"; return 1; }
    m=$((m | (1 << n)))
  done
  printf '%016x\n' "$m"
}

# The five sets of a /proc/self/status text, on one line.
caps_of() { # TEXT
  printf '%s\n' "$1" | awk '$1 ~ /^Cap(Inh|Prm|Eff|Bnd|Amb):$/ { sub(":", "", $1); printf "%s%s=%s", sep, $1, $2; sep = " " } END { print "" }'
}
status_field() { # TEXT FIELD
  printf '%s\n' "$1" | awk -v k="$2:" '$1 == k { print $2 }'
}

# What execve leaves of a profile's sets (as hex masks): root gets the bounding set (plus
# the inheritable one) as permitted and effective; anyone else the ambient set.  (EFF and
# PRM are what sbx sets before execve; the kernel's exec rules replace them.)
caps_after_exec() { # uid BND EFF PRM INH AMB
  local uid=$1 bnd=$((16#$2)) inh=$((16#$5)) amb=$((16#$6)) prm eff
  if [ "$uid" = 0 ]; then
    prm=$((bnd | inh)); eff=$prm
  else
    prm=$amb; eff=$amb
  fi
  printf 'CapInh=%016x CapPrm=%016x CapEff=%016x CapBnd=%016x CapAmb=%016x\n' "$inh" "$prm" "$eff" "$bnd" "$amb"
}

if ! $HAVE_PY; then
  skip "capability sets computed from default.json" "python3 not found (install python3)"
else
  mapfile -t def_bnd < <(json_get "$DEFAULT_JSON" process.capabilities.bounding)
  mapfile -t def_eff < <(json_get "$DEFAULT_JSON" process.capabilities.effective)
  mapfile -t def_prm < <(json_get "$DEFAULT_JSON" process.capabilities.permitted)
  mapfile -t def_inh < <(json_get "$DEFAULT_JSON" process.capabilities.inheritable)
  mapfile -t def_amb < <(json_get "$DEFAULT_JSON" process.capabilities.ambient)
  B=$(cap_mask "${def_bnd[@]}"); E=$(cap_mask "${def_eff[@]}"); P=$(cap_mask "${def_prm[@]}")
  I=$(cap_mask "${def_inh[@]}"); A=$(cap_mask "${def_amb[@]}")
  diag "default.json: bounding ${def_bnd[*]} = $B; effective $E, permitted $P, inheritable $I, ambient $A"
  is "$E $P $I $A" "$B $B 0000000000000000 0000000000000000" \
    "default.json: effective = permitted = bounding, no inheritable or ambient capability"

  # "The default keeps none beyond what Podman's default keeps": Podman's list, from
  # containers-common's containers.conf when installed.
  conf=/usr/share/containers/containers.conf
  if [ -r "$conf" ]; then
    podman_caps=$(sed -n '/^default_capabilities *= *\[/,/\]/p' "$conf" | grep -o '"[A-Z_]*"' | tr -d '"')
    # shellcheck disable=SC2086
    podman_mask=$(cap_mask $podman_caps)
    is "$(printf '%016x' $(( 16#$B & ~16#$podman_mask )))" "0000000000000000" \
      "default.json keeps no capability beyond Podman's default_capabilities ($(echo $podman_caps))"
  else
    skip "default.json keeps no capability beyond Podman's default" "$conf not installed (golang-github-containers-common)"
  fi

  NET_RAW=$(cap_mask NET_RAW)
  SYS_ADMIN=$(cap_mask SYS_ADMIN)
  ZERO=0000000000000000
  hex_or() { printf '%016x' $(( 16#$1 | 16#$2 )); }

  run_sbx run bb cat /proc/self/status
  is "$(caps_of "$OUT")" "$(caps_after_exec 0 "$B" "$E" "$P" "$I" "$A")" \
    "default, as root: bounding = effective = permitted = the profile's set ($B), no inheritable, no ambient"

  run_sbx run -u 1000 bb cat /proc/self/status
  is "$(caps_of "$OUT")" "$(caps_after_exec 1000 "$B" "$E" "$P" "$I" "$A")" \
    "-u 1000: no effective or permitted capability, bounding = the profile's set"

  run_sbx run --cap-drop ALL bb cat /proc/self/status
  is "$(caps_of "$OUT")" "CapInh=$ZERO CapPrm=$ZERO CapEff=$ZERO CapBnd=$ZERO CapAmb=$ZERO" \
    "--cap-drop ALL: every set is empty"

  # --cap-add goes into all five sets (--cap-drop first, as Podman)
  run_sbx run --cap-drop ALL --cap-add CAP_NET_RAW bb cat /proc/self/status
  is "$(caps_of "$OUT")" "$(caps_after_exec 0 "$NET_RAW" "$NET_RAW" "$NET_RAW" "$NET_RAW" "$NET_RAW")" \
    "--cap-drop ALL --cap-add CAP_NET_RAW, as root: exactly net_raw"
  run_sbx run -u 1000 --cap-drop ALL --cap-add net_raw bb cat /proc/self/status
  is "$(caps_of "$OUT")" "CapInh=$NET_RAW CapPrm=$NET_RAW CapEff=$NET_RAW CapBnd=$NET_RAW CapAmb=$NET_RAW" \
    "-u 1000 --cap-drop ALL --cap-add net_raw: exactly net_raw, in the ambient set too (so a non-root user has it)"
  run_sbx run -u 1000 --cap-add net_raw bb cat /proc/self/status
  BN=$(hex_or "$B" "$NET_RAW")
  is "$(caps_of "$OUT")" "CapInh=$NET_RAW CapPrm=$NET_RAW CapEff=$NET_RAW CapBnd=$BN CapAmb=$NET_RAW" \
    "-u 1000 --cap-add net_raw: net_raw effective through the ambient set, bounding = default + net_raw"

  run_sbx run --cap-add sys_admin bb cat /proc/self/status
  BS=$(hex_or "$B" "$SYS_ADMIN")
  is "$(status_field "$OUT" CapBnd) $(status_field "$OUT" CapEff) $(status_field "$OUT" CapPrm)" "$BS $BS $BS" \
    "--cap-add sys_admin: bounding, effective and permitted are the default set + sys_admin"

  # The sets are real: chown needs CAP_CHOWN.
  run_sbx run bb sh -c 'touch /tmp/f && chown 1000 /tmp/f && stat -c %u /tmp/f'
  is "$RC:$OUT" "0:1000" "default: root inside can chown (CAP_CHOWN)"
  run_sbx run --cap-drop CHOWN bb sh -c 'touch /tmp/f && chown 1000 /tmp/f'
  like "$RC:$ERR" '^1:.*Operation not permitted' "--cap-drop CHOWN: chown fails with EPERM"
fi

run_sbx run --cap-add CAP_BOGUS bb true
check_sbx_error "--cap-add CAP_BOGUS" "CAP_BOGUS|capabilit"
run_sbx run --cap-drop not_a_cap bb true
check_sbx_error "--cap-drop not_a_cap" "not_a_cap|capabilit"

# --- no_new_privs and setuid binaries ------------------------------------------------------------
run_sbx run bb cat /proc/self/status
is "$(status_field "$OUT" NoNewPrivs)" "1" "default: NoNewPrivs: 1"
run_sbx run --security-opt no-new-privileges=false bb cat /proc/self/status
is "$(status_field "$OUT" NoNewPrivs)" "0" "--security-opt no-new-privileges=false: NoNewPrivs: 0"

if ! $HAVE_SUIDPROBE; then
  skip "setuid binaries in the image" "$SUIDPROBE_SKIP"
elif ! $HAVE_PY; then
  skip "setuid binaries in the image" "python3 not found (install python3)"
else
  run_sbx run probe stat -c '%a %u:%g' /usr/local/bin/confprobe-suid
  is "$OUT" "4755 0:0" "control: the image's confprobe-suid is setuid root (4755 0:0) inside"
  run_sbx run probe sh -c 'grep -E " / / " /proc/self/mountinfo'
  diag "the root mount inside: $OUT"

  run_sbx run -u 1000 probe /usr/local/bin/confprobe-suid
  if [ "$(printf '%s\n' "$OUT" | head -n1)" = "uid=1000 1000 1000" ] &&
     [ "$(status_field "$OUT" CapEff) $(status_field "$OUT" CapPrm)" = "$ZERO $ZERO" ]; then
    ok "no_new_privs: a setuid-root binary run by uid 1000 keeps euid 1000 and gains no capability"
  else
    not_ok "no_new_privs: a setuid-root binary run by uid 1000 keeps euid 1000 and gains no capability"
    last_run_diag
  fi

  # The opposite, so that the test above can fail: without no_new_privs the same binary
  # makes uid 1000 root, with the profile's bounding set as its capabilities...
  run_sbx run -u 1000 --security-opt no-new-privileges=false probe /usr/local/bin/confprobe-suid
  if [ "$(printf '%s\n' "$OUT" | head -n1)" = "uid=1000 0 0" ] &&
     [ "$(status_field "$OUT" CapEff)" = "$B" ] && [ "$(status_field "$OUT" NoNewPrivs)" = 0 ]; then
    ok "control: without no_new_privs the setuid binary runs as euid 0 with the bounding set ($B) effective"
  else
    not_ok "control: without no_new_privs the setuid binary runs as euid 0 with the bounding set ($B) effective"
    last_run_diag
  fi
  # ... and no more than that: the bounding set caps what setuid can gain.
  run_sbx run -u 1000 --security-opt no-new-privileges=false --cap-drop ALL probe /usr/local/bin/confprobe-suid
  if [ "$(printf '%s\n' "$OUT" | head -n1)" = "uid=1000 0 0" ] &&
     [ "$(caps_of "$OUT")" = "CapInh=$ZERO CapPrm=$ZERO CapEff=$ZERO CapBnd=$ZERO CapAmb=$ZERO" ]; then
    ok "without no_new_privs but with --cap-drop ALL, setuid root gives euid 0 and still no capability"
  else
    not_ok "without no_new_privs but with --cap-drop ALL, setuid root gives euid 0 and still no capability"
    last_run_diag
  fi
fi

# --- seccomp -----------------------------------------------------------------------------------
run_sbx run bb cat /proc/self/status
is "$(status_field "$OUT" Seccomp)" "2" "default: Seccomp: 2 (a filter is loaded)"
run_sbx run --security-opt seccomp=unconfined bb cat /proc/self/status
is "$(status_field "$OUT" Seccomp)" "0" "--security-opt seccomp=unconfined: Seccomp: 0"

# A custom filter: mkdir denied with EACCES, symlink with EDQUOT (an errno nothing else gives).
deny_rules='[
      {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
      {"names": ["symlink", "symlinkat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122}
    ]'
cat > "$W/deny-mkdir.json" <<EOF
{
  "sbx": { "include": ["default"], "description": "test: default, with mkdir and symlink denied" },
  "linux": {
    "seccomp": {
      "defaultAction": "SCMP_ACT_ALLOW",
      "architectures": ["SCMP_ARCH_X86_64"],
      "syscalls": $deny_rules
    }
  }
}
EOF
cat > "$W/seccomp-deny-mkdir.json" <<EOF
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": $deny_rules
}
EOF
fs_ops='mkdir /tmp/d; echo "mkdir=$?"; touch /tmp/f; echo "touch=$?"; ln -s f /tmp/l; echo "ln=$?"'
run_sbx run bb sh -c "$fs_ops"
is "$OUT" "mkdir=0
touch=0
ln=0" "control: mkdir, touch and ln -s work under the default profile"
for how in "--profile $W/deny-mkdir.json" "--security-opt seccomp=$W/seccomp-deny-mkdir.json"; do
  # shellcheck disable=SC2086
  run_sbx run $how bb sh -c "$fs_ops"
  if [ "$OUT" = "mkdir=1
touch=0
ln=1" ] && printf '%s\n' "$ERR" | grep -q "mkdir: can't create directory '/tmp/d': Permission denied" &&
     printf '%s\n' "$ERR" | grep -q "Disk quota exceeded"; then
    ok "${how%% *} with mkdir denied (errnoRet 13) and symlink (122): mkdir fails 'Permission denied', ln -s 'Disk quota exceeded', touch works"
  else
    not_ok "${how%% *} with mkdir denied (errnoRet 13) and symlink (122): mkdir fails 'Permission denied', ln -s 'Disk quota exceeded', touch works"
    last_run_diag
  fi
done

# --- syscalls under seccomp filters ------------------------------------------------------------
# The outcome of each of tests/probe/sbx-probe's operations is predicted from the filter's
# JSON (OCI, or the Docker / containers-common format with includes/excludes), for the
# capabilities the sandbox has, and compared with what the probe sees inside: an errno rule
# gives that errno, a kill rule SIGSYS, and an allowed call the same outcome as with no
# filter at all (seccomp=unconfined, same capabilities).
#
# seccomp_py predict FILTER CAPS PROBE...             -> "PROBE=allow|errno(N)|signal-31|unknown"
# seccomp_py verdicts FILTER CAPS LABEL GOT BASE PROBE... -> "ok|not ok|skip<TAB>desc<TAB>detail"
# FILTER is FILE or FILE#dotted.path (a profile's linux.seccomp); CAPS comma-separated CAP_
# names; GOT and BASE files of sbx-probe output ("NAME ok", "NAME errno=EPERM",
# "NAME killed-by-SIGSYS").
seccomp_py() {
  python3 - "$@" <<'EOF'
import errno, json, os, sys

mode, src, caps = sys.argv[1], sys.argv[2], set(c for c in sys.argv[3].split(",") if c)
rest = sys.argv[4:]
path = None
if "#" in src:
    src, path = src.split("#", 1)
node = json.load(open(src))
for key in (path.split(".") if path else []):
    node = node.get(key) if isinstance(node, dict) else None

# The syscall behind each sbx-probe operation and the arguments it passes (None: a pointer,
# or an int whose upper register bits C leaves open, so a condition on it is not predicted).
P = {
    "unshare-user": ("unshare", [0x10000000]),
    "clone-newuser": ("clone", [0x10000000 | 17, 0, 0, 0, 0]),
    "clone3": ("clone3", [None, None]),
    "keyctl": ("keyctl", [0, None, 0]),
    "add_key": ("add_key", [None, None, None, 1, None]),
    "bpf": ("bpf", [1000, 0, 0]),
    "perf_event_open": ("perf_event_open", [None, 0, None, None, 8]),
    "userfaultfd": ("userfaultfd", [0x80000 | 1]),
    "io_uring_setup": ("io_uring_setup", [1, None]),
    "fsopen": ("fsopen", [None, 1]),
    "open_tree": ("open_tree", [None, None, 0x80000]),
    "mount": ("mount", [0, None, 0, 0x40000 | 0x4000, 0]),
    "ptrace": ("ptrace", [0, 0, 0, 0]),
    "tiocsti": ("ioctl", [None, 0x5412, None]),
    "tiocsti-high": ("ioctl", [None, (1 << 32) | 0x5412, None]),
    "socket-unix": ("socket", [1, 1, 0]),
    "socket-inet": ("socket", [2, 2, 0]),
    "socket-inet6": ("socket", [10, 2, 0]),
    "socket-netlink": ("socket", [16, 3, 0]),
    "socket-packet": ("socket", [17, 2, 0]),
    "socket-vsock": ("socket", [40, 1, 0]),
    "socket-alg": ("socket", [38, 5, 0]),
    "getpid": ("getpid", []),
    "personality": ("personality", [0x0040000]),
    "personality-linux": ("personality", [0]),
    "personality-query": ("personality", [0xffffffff]),
    "personality-linux32": ("personality", [0x0008]),
    "personality-uname26": ("personality", [0x0020000]),
    "personality-read-implies-exec": ("personality", [0x0400000]),
    "personality-bsd": ("personality", [0x0006]),
    "modify_ldt": ("modify_ldt", [0, None, 16]),
    "chroot": ("chroot", [None]),
}
M = (1 << 64) - 1
NATIVE = {"SCMP_ARCH_X86_64", "amd64", "x86_64"}
kernel = tuple(int(x) for x in os.uname().release.split("-")[0].split(".")[:2])

def kver(s):
    return tuple(int(x) for x in s.split(".")[:2])

def applies(rule):
    inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
    if inc.get("caps") and not all(c in caps for c in inc["caps"]):
        return False
    if exc.get("caps") and any(c in caps for c in exc["caps"]):
        return False
    if inc.get("arches") and not NATIVE & set(inc["arches"]):
        return False
    if exc.get("arches") and NATIVE & set(exc["arches"]):
        return False
    if inc.get("minKernel") and kernel < kver(inc["minKernel"]):
        return False
    if exc.get("minKernel") and kernel >= kver(exc["minKernel"]):
        return False
    return True

def holds(cond, args):
    i = cond["index"]
    a = args[i] if i < len(args) else None
    if a is None:
        return None
    v, v2, op = cond.get("value", 0) & M, cond.get("valueTwo", 0) & M, cond["op"]
    return {"SCMP_CMP_NE": a != v, "SCMP_CMP_LT": a < v, "SCMP_CMP_LE": a <= v,
            "SCMP_CMP_EQ": a == v, "SCMP_CMP_GE": a >= v, "SCMP_CMP_GT": a > v,
            "SCMP_CMP_MASKED_EQ": (a & v) == v2}[op]

def outcome(action, errno_ret):
    if action in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG"):
        return "allow"
    if action == "SCMP_ACT_ERRNO":
        return "errno(%d)" % (errno.EPERM if errno_ret is None else errno_ret)
    if action in ("SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP"):
        return "signal-31"
    if action == "SCMP_ACT_TRACE":
        return "errno(%d)" % errno.ENOSYS      # no tracer attached
    return "unknown"

RANK = {"signal-31": 0, "errno": 1, "unknown": 2, "allow": 3}

def predict(probe):
    if node is None:
        return "allow"
    if probe not in P:
        return "unknown"
    name, args = P[probe]
    found, unsure = [], []
    for rule in node.get("syscalls") or []:
        names = rule.get("names") or ([rule["name"]] if rule.get("name") else [])
        if name not in names or not applies(rule):
            continue
        results = [holds(c, args) for c in rule.get("args") or []]
        if False in results:
            continue
        (unsure if None in results else found).append(outcome(rule["action"], rule.get("errnoRet")))
    found = sorted(set(found), key=lambda o: RANK[o.split("(")[0]])
    if len(found) > 1 and found[0].startswith("errno") and found[1].startswith("errno"):
        return "unknown"          # two errnos for one call: which one wins is libseccomp's business
    result = found[0] if found else outcome(node.get("defaultAction", "SCMP_ACT_ALLOW"), node.get("defaultErrnoRet"))
    if any(o != result for o in unsure):
        return "unknown"          # a rule on an argument the probe does not fix could change it
    return result

def parse(file):
    out = {}
    for line in open(file):
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = parts[1]
    return out

def errno_of(result):
    if result.startswith("errno="):
        return getattr(errno, result[6:], None)
    return None

if mode == "predict":
    for probe in rest:
        print("%s=%s" % (probe, predict(probe)))
    sys.exit(0)

label, got, base = rest[0], parse(rest[1]), parse(rest[2])
for probe in rest[3:]:
    e, g, b = predict(probe), got.get(probe, "(none)"), base.get(probe, "(none)")
    desc = "%s: %s" % (label, probe)
    if "cannot-try" in (g, b):
        print("skip\t%s\tthe probe cannot try it here (got %s, unconfined %s)" % (desc, g, b))
    elif g == "(none)" or b == "(none)" or "unknown-probe" in (g, b):
        print("not ok\t%s\tno result from the probe (got %s, unconfined %s)" % (desc, g, b))
    elif e == "allow":
        print("%s\t%s is allowed by the filter: as unconfined (%s)\tgot %s" % ("ok" if g == b else "not ok", desc, b, g))
    elif e.startswith("errno("):
        want = int(e[6:-1])
        print("%s\t%s gets the filter's errno %s (unconfined: %s)\tgot %s" %
              ("ok" if errno_of(g) == want else "not ok", desc, errno.errorcode.get(want, want), b, g))
    elif e == "signal-31":
        print("%s\t%s is killed by SIGSYS as the filter says (unconfined: %s)\tgot %s" %
              ("ok" if g == "killed-by-SIGSYS" else "not ok", desc, b, g))
    else:
        print("skip\t%s\tnot predictable from the filter's JSON (got %s, unconfined %s)" % (desc, g, b))
EOF
}
report_verdicts() { # the output of seccomp_py verdicts
  local v d x
  while IFS=$'\t' read -r v d x; do
    case $v in
      ok) ok "$d" ;;
      skip) skip "$d" "$x" ;;
      *) not_ok "$d" "$x"; last_run_diag ;;
    esac
  done <<< "$1"
}
probe_result() { printf '%s\n' "$1" | awk -v k="$2" '$1 == k { print $2 }'; }

# The default filter as the run uses it: linux.seccomp of the effective default profile
# (`sbx profile show default`, which is what the run is given).
run_sbx profile show default
if [ "$RC" = 0 ] && printf '%s\n' "$OUT" > "$W/default-effective.json" && $HAVE_PY &&
   [ -n "$(json_get "$W/default-effective.json" linux.seccomp.defaultAction)" ]; then
  DEFAULT_SECCOMP="$W/default-effective.json#linux.seccomp"
else
  not_ok "sbx profile show default prints the effective profile with its linux.seccomp"; last_run_diag
  DEFAULT_SECCOMP="$DEFAULT_JSON#linux.seccomp"
fi

# The default filter's documented denials (README, issue 3): user namespaces, keyrings, bpf,
# perf, the new mount API, terminal input injection.  The default profile must deny each.
DOCUMENTED_DENIED=(unshare-user clone-newuser keyctl add_key bpf perf_event_open fsopen open_tree tiocsti tiocsti-high)
if ! $HAVE_PY; then
  skip "the default profile's seccomp rules" "python3 not found (install python3)"
else
  def_caps=$(printf 'CAP_%s,' "${def_bnd[@]#CAP_}")
  predicted=$(seccomp_py predict "$DEFAULT_SECCOMP" "$def_caps" "${DOCUMENTED_DENIED[@]}")
  for p in "${DOCUMENTED_DENIED[@]}"; do
    e=$(printf '%s\n' "$predicted" | sed -n "s/^$p=//p")
    case $e in
      errno\(*\)|signal-31) ok "the default profile's seccomp filter denies $p ($e)" ;;
      *) not_ok "the default profile's seccomp filter denies $p" "predicted from its linux.seccomp: '$e'" ;;
    esac
  done
  # Seen without the probe: busybox unshare -U (unshare(CLONE_NEWUSER)).
  e=$(printf '%s\n' "$predicted" | sed -n 's/^unshare-user=//p')
  run_sbx run --security-opt seccomp=unconfined bb unshare -U true
  rc_is 0 "control: unshare -U works inside with seccomp=unconfined"
  run_sbx run bb unshare -U true
  case $e in
    errno\(*\))
      msg=$(python3 -c "import os, sys; print(os.strerror(int(sys.argv[1])))" "${e//[!0-9]/}")
      if [ "$RC" != 0 ] && printf '%s\n' "$ERR" | grep -qF "$msg"; then
        ok "default filter: unshare -U fails with the profile's errno ($msg)"
      else
        not_ok "default filter: unshare -U fails with the profile's errno ($msg)"; last_run_diag
      fi ;;
    signal-31) is "$RC" 159 "default filter: unshare -U is killed by SIGSYS (exit 159)" ;;
    *) skip "default filter: unshare -U" "default.json's outcome for unshare(CLONE_NEWUSER): '$e'" ;;
  esac
fi

SBX_PROBE=${SBX_PROBE:-}
if [ -z "$SBX_PROBE" ]; then
  for c in "$SBX_TESTS_BUILDDIR/probe/sbx-probe" "$SBX_TESTS_BUILDDIR/sbx-probe"; do
    if [ -x "$c" ]; then SBX_PROBE=$c; break; fi
  done
fi
if [ -z "$SBX_PROBE" ]; then
  skip "syscalls under seccomp filters (sbx-probe)" "sbx-probe not built (looked in \$SBX_TESTS_BUILDDIR/probe; set SBX_PROBE)"
elif ! $HAVE_PY; then
  skip "syscalls under seccomp filters (sbx-probe)" "python3 not found (install python3)"
else
  # run_probe SBX-OPTION... -- PROBE...: the probe bound read-only into the busybox image
  run_probe() {
    local opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    run_sbx run -v "$SBX_PROBE:/sbx-probe:ro" "${opts[@]}" bb /sbx-probe "$@"
  }
  mapfile -t PROBES < <("$SBX_PROBE" --list | grep -vx -e i386 -e x32)
  run_probe --security-opt seccomp=unconfined -- "${PROBES[@]}"
  printf '%s\n' "$OUT" > "$W/probe-unconfined"
  diag "unconfined: $(echo $OUT)"
  run_probe -- "${PROBES[@]}"
  printf '%s\n' "$OUT" > "$W/probe-default"
  diag "default filter: $(echo $OUT)"
  report_verdicts "$(seccomp_py verdicts "$DEFAULT_SECCOMP" "$def_caps" "default filter" \
    "$W/probe-default" "$W/probe-unconfined" "${PROBES[@]}")"
  # personality as Docker allows it: the query (setarch, Wine, 32-bit game launchers),
  # PER_LINUX32 and UNAME26 work; exploit aids and other personas stay refused.
  is "$(for p in personality-query personality-linux32 personality-uname26 personality-linux \
          personality personality-read-implies-exec personality-bsd; do probe_result "$OUT" $p; done | xargs)" \
    "ok ok ok ok errno=EPERM errno=EPERM errno=EPERM" \
    "default filter: personality query, PER_LINUX32, UNAME26, PER_LINUX work; ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, PER_BSD get EPERM"

  # With sys_admin the mount API is the filter's to refuse (without, the capability is missing).
  run_probe --cap-add sys_admin --security-opt seccomp=unconfined -- fsopen open_tree mount
  printf '%s\n' "$OUT" > "$W/probe-sa-unconfined"
  run_probe --cap-add sys_admin -- fsopen open_tree mount
  printf '%s\n' "$OUT" > "$W/probe-sa-default"
  report_verdicts "$(seccomp_py verdicts "$DEFAULT_SECCOMP" "${def_caps}CAP_SYS_ADMIN" \
    "default filter, --cap-add sys_admin" "$W/probe-sa-default" "$W/probe-sa-unconfined" fsopen open_tree mount)"

  # Other ABIs on x86_64 (i386 int 0x80, x32): never succeed (this kernel may lack them anyway).
  run_probe -- i386 x32
  unlike "$OUT" ' ok$' "default filter: getpid through the i386 and x32 ABIs does not succeed ($(echo $OUT))"
  run_probe --security-opt seccomp=unconfined -- i386 x32
  diag "unconfined, other ABIs: $(echo $OUT) (a signal or ENOSYS unconfined: the kernel has no such ABI)"

  # containers-common's filter (Docker format: names, includes/excludes caps, defaultErrnoRet).
  cc=/usr/share/containers/seccomp.json
  if [ ! -r "$cc" ]; then
    skip "containers-common's seccomp.json" "$cc not installed (golang-github-containers-common)"
  else
    run_probe --security-opt "seccomp=$cc" -- "${PROBES[@]}"
    printf '%s\n' "$OUT" > "$W/probe-cc"
    diag "containers-common filter: $(echo $OUT)"
    report_verdicts "$(seccomp_py verdicts "$cc" "$def_caps" "containers-common filter" \
      "$W/probe-cc" "$W/probe-unconfined" "${PROBES[@]}")"
    is "$(probe_result "$OUT" add_key) $(probe_result "$OUT" io_uring_setup) $(probe_result "$OUT" personality)" \
      "errno=ENOSYS errno=ENOSYS errno=ENOSYS" \
      "containers-common filter: add_key, io_uring_setup, personality(ADDR_NO_RANDOMIZE) are off its allowlist: its defaultErrnoRet, ENOSYS"
  fi
fi

cc=/usr/share/containers/seccomp.json
if [ ! -r "$cc" ]; then
  skip "containers-common's seccomp.json" "$cc not installed (golang-github-containers-common)"
else
  run_sbx run --security-opt "seccomp=$cc" bb sh -c 'echo hi; grep "^Seccomp:" /proc/self/status'
  is "$RC:$OUT" "0:hi
Seccomp:	2" "--security-opt seccomp=$cc: echo hi works under it (Seccomp: 2)"
  # includes/excludes by capability: sethostname is allowed only with CAP_SYS_ADMIN
  run_sbx run --security-opt "seccomp=$cc" --cap-add sys_admin bb sh -c 'hostname renamed && hostname'
  is "$RC:$OUT" "0:renamed" "containers-common filter with --cap-add sys_admin: sethostname allowed (its rule includes caps CAP_SYS_ADMIN)"
fi

# --- masked and read-only paths --------------------------------------------------------------
if [ -e /proc/kcore ]; then
  run_sbx run bb sh -c 'wc -c < /proc/kcore'
  is "$RC:$OUT" "0:0" "/proc/kcore reads empty inside"
else
  skip "/proc/kcore reads empty inside" "the host has no /proc/kcore"
fi
for f in /proc/keys /proc/timer_list; do
  if [ ! -e "$f" ]; then skip "$f reads empty inside" "the host has no $f"; continue; fi
  run_sbx run bb sh -c "wc -c < $f"
  is "$RC:$OUT" "0:0" "$f reads empty inside (masked)"
done
run_sbx run bb sh -c 'stat -c %F /sys/firmware; ls -A /sys/firmware | wc -l'
is "$OUT" "directory
0" "/sys/firmware is an empty directory inside (host: $(ls /sys/firmware 2>/dev/null | tr '\n' ' '))"

run_sbx run bb cat /etc/hostname
is "$OUT" "sbx" "control: /etc/hostname reads 'sbx'"
run_sbx run --security-opt mask=/etc/hostname bb sh -c 'wc -c < /etc/hostname'
is "$RC:$OUT" "0:0" "--security-opt mask=/etc/hostname: it reads empty"

# Masked files are /dev/null underneath; unmasked, they are proc's own again (/proc/keys is
# world-readable; /proc/timer_list is root's of the host, so unreadable inside rather than empty).
run_sbx run bb stat -c %F /proc/keys /proc/timer_list
is "$OUT" "character special file
character special file" "masked /proc/keys and /proc/timer_list are /dev/null underneath"
run_sbx run --security-opt unmask=ALL bb sh -c 'stat -c %F /proc/keys /proc/timer_list; cat /proc/keys > /dev/null && echo keys-readable'
is "$RC:$OUT" "0:regular empty file
regular empty file
keys-readable" "--security-opt unmask=ALL: /proc/keys and /proc/timer_list are proc's files again, /proc/keys readable"
run_sbx run --security-opt unmask=/proc/timer_list bb stat -c %F /proc/keys /proc/timer_list
is "$OUT" "character special file
regular empty file" "--security-opt unmask=/proc/timer_list: only that one is unmasked"

run_sbx run bb sh -c 'echo renamed > /proc/sys/kernel/hostname'
like "$RC:$ERR" '^[12]:.*Read-only file system' "writing /proc/sys/kernel/hostname fails: read-only file system"
ro_expect=
for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
  [ -e "$p" ] && ro_expect="$ro_expect$p ro
"
done
run_sbx run bb sh -c 'awk '"'"'$5 ~ /^\/proc\/(bus|fs|irq|sys|sysrq-trigger)$/ { split($6, o, ","); print $5, o[1] }'"'"' /proc/self/mountinfo | sort'
is "$OUT" "${ro_expect%
}" "the OCI read-only paths the host's /proc has are read-only mounts (mountinfo)"

# --- --read-only -------------------------------------------------------------------------------
# sbx mounts nothing writable by itself over a read-only root (Podman adds tmpfs on /tmp,
# /var/tmp and /run): what must be writable is asked for with --tmpfs or -v.
ro_ops='for d in / /tmp /etc /dev/shm; do touch $d/sbx-ro-probe 2>/dev/null && echo "$d=rw" || echo "$d=ro"; done'
run_sbx run bb sh -c "$ro_ops"
is "$OUT" "/=rw
/tmp=rw
/etc=rw
/dev/shm=rw" "control: without --read-only, /, /tmp, /etc and /dev/shm are writable"
run_sbx run --read-only bb sh -c "$ro_ops"
is "$OUT" "/=ro
/tmp=ro
/etc=ro
/dev/shm=rw" "--read-only: /, /tmp and /etc are read-only; /dev/shm stays writable"
run_sbx run --read-only bb sh -c 'touch /x'
like "$ERR" 'Read-only file system' "--read-only: the error is EROFS (Read-only file system)"
run_sbx run --read-only --tmpfs /tmp bb sh -c "$ro_ops"
is "$OUT" "/=ro
/tmp=rw
/etc=ro
/dev/shm=rw" "--read-only --tmpfs /tmp: /tmp is writable, / is not"
run_sbx run --read-only bb cat /etc/hostname
is "$OUT" "sbx" "--read-only: /etc/hostname was written before the root went read-only"

# --- -v and --tmpfs ----------------------------------------------------------------------------
vol=$W/vol
mkdir -p "$vol"
echo "from the host" > "$vol/host-file"
printf '#!/bin/sh\necho script-ran\n' > "$vol/run.sh"
chmod 0755 "$vol/run.sh"
mount_opts() { printf 'awk -v m=%s '"'"'$5 == m { print $6 }'"'"' /proc/self/mountinfo' "$1"; }

run_sbx run -v "$vol:/data" bb sh -c 'cat /data/host-file && echo written-inside > /data/new'
is "$RC:$OUT" "0:from the host" "-v DIR:/data: the host's file is readable inside"
is "$(cat "$vol/new" 2>&1) $(stat -c %u "$vol/new" 2>&1)" "written-inside $MY_UID" \
  "-v DIR:/data: a file written inside appears on the host, owned by the caller"
run_sbx run -v "$vol:/data" bb sh -c "$(mount_opts /data)"
like "$OUT" '^rw,(.*,)?nosuid,nodev' "-v DIR:/data: a bind of a host path is rw, nosuid, nodev ($OUT)"
run_sbx run -v "$vol:/data" bb sh -c '/data/run.sh'
is "$OUT" "script-ran" "control: a script on a plain -v bind runs"

run_sbx run -v "$vol:/data:ro" bb sh -c 'cat /data/host-file; echo x > /data/ro-write'
if [ "$OUT" = "from the host" ] && [ "$RC" != 0 ] && printf '%s\n' "$ERR" | grep -q 'Read-only file system' &&
   [ ! -e "$vol/ro-write" ]; then
  ok "-v DIR:/data:ro: readable, writes fail (EROFS) and nothing reaches the host"
else
  not_ok "-v DIR:/data:ro: readable, writes fail (EROFS) and nothing reaches the host"; last_run_diag
fi
run_sbx run -v "$vol:/data:ro" bb sh -c "$(mount_opts /data)"
like "$OUT" '^ro,' "-v DIR:/data:ro: mountinfo shows ro ($OUT)"

run_sbx run -v "$vol:/data:noexec" bb sh -c '/data/run.sh; echo "rc=$?"'
if printf '%s\n' "$OUT" | grep -qx 'rc=126' && ! printf '%s\n' "$OUT" | grep -q script-ran &&
   printf '%s\n' "$ERR" | grep -q 'Permission denied'; then
  ok "-v DIR:/data:noexec: a script on it cannot be run (126, Permission denied)"
else
  not_ok "-v DIR:/data:noexec: a script on it cannot be run (126, Permission denied)"; last_run_diag
fi
run_sbx run -v "$vol:/data:noexec,nosuid,nodev" bb sh -c "$(mount_opts /data)"
like "$OUT" 'nosuid' "-v ...:noexec,nosuid,nodev: mountinfo shows nosuid ($OUT)"
like "$OUT" 'noexec' "-v ...:noexec,nosuid,nodev: mountinfo shows noexec ($OUT)"

echo "file content" > "$W/hostfile"
run_sbx run -v "$W/hostfile:/etc/bound-file:ro" bb cat /etc/bound-file
is "$RC:$OUT" "0:file content" "-v FILE:/etc/bound-file:ro: a single file can be bound"

run_sbx run -v "$W/does-not-exist:/data" bb true
check_sbx_error "-v with a missing source" "does-not-exist|source"

run_sbx run --tmpfs /scratch:size=1m bb sh -c 'df -k /scratch | awk "NR == 2 { print \$2 }"; '"$(mount_opts /scratch)"'
  awk '"'"'$5 == "/scratch" { for (i = 7; i < NF; i++) if ($i == "-") print $(i + 1), $(i + 3) }'"'"' /proc/self/mountinfo'
out1=$(printf '%s\n' "$OUT" | sed -n 1p)
is "$out1" "1024" "--tmpfs /scratch:size=1m: df shows 1024 KiB"
like "$OUT" 'nosuid,nodev' "--tmpfs /scratch: nosuid and nodev"
like "$OUT" '^tmpfs .*size=1024k' "--tmpfs /scratch:size=1m: mountinfo shows a tmpfs of size=1024k"
run_sbx run --tmpfs /scratch:size=1m bb sh -c 'dd if=/dev/zero of=/scratch/big bs=1024 count=2048'
like "$RC:$ERR" '^1:.*No space left on device' "--tmpfs /scratch:size=1m: writing 2 MiB fails with ENOSPC"

# --- mount destinations that are symlinks aimed out of the rootfs --------------------------------
# The mountlinks image has /link-abs -> $MOUNTLINK_ESCAPE-abs, /link-rel -> ../(x24)tmp/...,
# /etc/link-file -> $MOUNTLINK_ESCAPE-file, /link-hostdir -> $MOUNTLINK_HOSTDIR (a host
# directory), /link-root-dotdot -> /../../../../../../.., /link-tmp -> /tmp, /srv/data/up -> ../../..
# Each destination must resolve inside the rootfs: the bind is seen inside through the link,
# and nothing is created or mounted on the host.
if ! need mountlinks; then
  skip "mount destinations that are symlinks" "$SKIP_REASON"
else
  setup_image mountlinks ml
  mkdir -p "$MOUNTLINK_HOSTDIR"
  escape_base=$(basename "$MOUNTLINK_ESCAPE")
  host_strays() {
    local s=
    for p in "$MOUNTLINK_ESCAPE"-abs "$MOUNTLINK_ESCAPE"-rel "$MOUNTLINK_ESCAPE"-file "$MOUNTLINK_ESCAPE"-trav /mnt-up; do
      [ -e "$p" ] || [ -L "$p" ] && s="$s $p"
    done
    [ -n "$(ls -A "$MOUNTLINK_HOSTDIR" 2>/dev/null)" ] && s="$s $MOUNTLINK_HOSTDIR/$(ls -A "$MOUNTLINK_HOSTDIR" | tr '\n' ' ')"
    echo "${s:-none}"
  }
  clean_strays() {
    rm -rf "$MOUNTLINK_ESCAPE"-abs "$MOUNTLINK_ESCAPE"-rel "$MOUNTLINK_ESCAPE"-file "$MOUNTLINK_ESCAPE"-trav 2>/dev/null
    rm -rf "${MOUNTLINK_HOSTDIR:?}"/* 2>/dev/null
  }
  clean_strays
  is "$(host_strays)" "none" "setup: nothing at the host paths the image's links aim at"

  # link_case DESC SBX-OPTIONS... -- SHELL-COMMAND-INSIDE EXPECTED-OUTPUT
  link_case() {
    local desc=$1; shift
    local opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    clean_strays
    run_sbx run "${opts[@]}" ml sh -c "$1"
    is "$(host_strays)" "none" "$desc: nothing created on the host"
    is "$RC:$OUT" "0:$2" "$desc: the mount is there inside, where the link leads in the rootfs"
    clean_strays
  }
  # Links whose target the rootfs has: the destination is that directory inside.
  link_case "-v DIR:/link-tmp/$escape_base-trav (/link-tmp -> /tmp)" \
    -v "$vol:/link-tmp/$escape_base-trav" -- "cat /tmp/$escape_base-trav/host-file" "from the host"
  link_case "-v DIR:/link-root-dotdot/tmp/$escape_base-trav (through /../../..)" \
    -v "$vol:/link-root-dotdot/tmp/$escape_base-trav" -- "cat /tmp/$escape_base-trav/host-file" "from the host"
  link_case "-v DIR:/srv/data/up/mnt-up (through ../../..)" \
    -v "$vol:/srv/data/up/mnt-up" -- 'cat /mnt-up/host-file' "from the host"
  # Links to paths the rootfs lacks (a host path, the host's directory): resolved in the
  # rootfs and created there, as a missing destination is (runc and crun do the same).
  link_case "-v DIR:/link-abs (-> $MOUNTLINK_ESCAPE-abs)" \
    -v "$vol:/link-abs" -- 'cat /link-abs/host-file' "from the host"
  link_case "-v DIR:/link-rel (-> ../(x24)tmp/...)" \
    -v "$vol:/link-rel" -- 'cat /link-rel/host-file' "from the host"
  link_case "-v DIR:/link-hostdir/sub (-> the host directory $MOUNTLINK_HOSTDIR)" \
    -v "$vol:/link-hostdir/sub" -- 'cat /link-hostdir/sub/host-file' "from the host"
  link_case "-v FILE:/etc/link-file (-> $MOUNTLINK_ESCAPE-file)" \
    -v "$W/hostfile:/etc/link-file" -- 'cat /etc/link-file' "file content"
  link_case "--tmpfs /link-abs (-> $MOUNTLINK_ESCAPE-abs)" \
    --tmpfs /link-abs -- 'stat -f -c %T /link-abs/' "tmpfs"
  # A link that leads to the root itself: a mount there would replace the image.
  run_sbx run -v "$vol:/link-root-dotdot" ml sh -c 'echo command-ran'
  check_sbx_error "-v DIR:/link-root-dotdot (-> /../../..: the root)" "resolves to the sandbox's root"
  unlike "$OUT" command-ran "-v DIR:/link-root-dotdot: the command does not run"
  run_sbx run -v "$vol:/srv/.." ml true
  check_sbx_error "-v DIR:/srv/.. (the root, spelt with ..)" "cannot be /"
  # Through the same link to sbx's own directories, which the profile check cannot see.
  for own in /dev /sys /sys/fs/cgroup; do
    run_sbx run -v "$vol:/link-root-dotdot$own" ml sh -c 'echo command-ran'
    check_sbx_error "-v DIR:/link-root-dotdot$own (-> sbx's $own)" "resolves to the sandbox's $own, which no mount may replace"
    unlike "$OUT" command-ran "-v DIR:/link-root-dotdot$own: the command does not run"
  done
fi

# --- --ulimit ----------------------------------------------------------------------------------
run_sbx run --ulimit nofile=100:200 bb sh -c 'ulimit -n; ulimit -Hn'
is "$RC:$OUT" "0:100
200" "--ulimit nofile=100:200: ulimit -n 100, ulimit -Hn 200"
run_sbx run --ulimit nofile=150 bb sh -c 'ulimit -n; ulimit -Hn'
is "$OUT" "150
150" "--ulimit nofile=150: soft and hard 150"
caller_hard=$(ulimit -Hn)
if [ "$caller_hard" = unlimited ]; then
  skip "--ulimit above the caller's hard limit" "the caller's hard nofile limit is unlimited"
else
  above=$((caller_hard + 1))
  run_sbx run --ulimit "nofile=$above:$above" bb sh -c 'echo command-ran'
  check_sbx_error "--ulimit nofile=$above:$above (caller's hard limit: $caller_hard)" "limit|nofile|NOFILE"
  unlike "$OUT" command-ran "--ulimit above the caller's hard limit: the command does not run"
fi
run_sbx run --ulimit nofile=200:100 bb true
check_sbx_error "--ulimit nofile=200:100 (soft above hard)" "soft|hard"
run_sbx run --ulimit nosuchlimit=1 bb true
check_sbx_error "--ulimit nosuchlimit=1" "nosuchlimit|ulimit"

# --- namespaces a profile leaves out -----------------------------------------------------------
# Standalone profiles (no include): the namespaces listed, nothing else.
ns_profile() { # FILE NAMESPACE...
  local f=$1 sep='' ns list=''
  shift
  for ns in "$@"; do list="$list$sep{\"type\": \"$ns\"}"; sep=", "; done
  printf '{\n  "ociVersion": "1.0.2",\n  "process": { "noNewPrivileges": true },\n  "linux": { "namespaces": [%s] }\n}\n' "$list" > "$f"
}
ns_profile "$W/all-ns.json" user mount pid ipc uts cgroup network
ns_profile "$W/no-uts.json" user mount pid ipc cgroup network
ns_profile "$W/no-net.json" user mount pid ipc uts cgroup
ifaces() { awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' | sort | tr '\n' ' '; }
host_ifaces=$(ifaces < /proc/net/dev)

run_sbx run --profile "$W/all-ns.json" bb hostname
is "$RC:$OUT" "0:sbx" "profile with a uts namespace: hostname sbx"
run_sbx run --profile "$W/no-uts.json" bb hostname
is "$RC:$OUT" "0:$(uname -n)" "profile without the uts namespace: the host's hostname ($(uname -n))"

run_sbx run --profile "$W/all-ns.json" bb cat /proc/net/dev
is "$RC:$(printf '%s\n' "$OUT" | ifaces)" "0:lo tap0 " "profile with a network namespace: only lo and tap0"
run_sbx run --profile "$W/no-net.json" bb cat /proc/net/dev
is "$RC:$(printf '%s\n' "$OUT" | ifaces)" "0:$host_ifaces" "profile without the network namespace: the host's interfaces ($host_ifaces)"
run_sbx run bb cat /proc/net/dev
is "$(printf '%s\n' "$OUT" | ifaces)" "lo tap0 " "control: the default profile has only lo and tap0"

done_testing
