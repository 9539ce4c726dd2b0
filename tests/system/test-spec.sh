#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-spec.sh: sbx spec NAME|FILE [IMAGE] [-o DIR]: the OCI runtime bundle it writes.
# config.json is checked against the runtime-spec JSON schema (golang-github-opencontainers-
# specs-dev, with python3-jsonschema) and for the fields a runtime needs; the rootfs for the
# image's files, owners and whiteouts; refusals (bad profile, existing DIR) for writing
# nothing.  Then runc runs bundles rootless as they are (SKIP when runc cannot run even its
# own `runc spec --rootless` bundle here); crun refuses a hybrid cgroup layout (SKIP then).
set -u
. "$(dirname "$0")/lib.sh"

SCHEMA_DIR=/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema
PY=$(command -v /usr/bin/python3 || command -v python3 || true)

fixtures_init
if ! need busybox multilayer owners user; then
  skip "spec tests" "$SKIP_REASON"
  done_testing
fi
setup_image busybox bb || done_testing
setup_image multilayer ml || done_testing
setup_image owners owners || done_testing
setup_image user user || done_testing

# --- helpers ------------------------------------------------------------------------------------
# jq-like reads of a config.json: jget FILE PYTHON-EXPR (c is the config); prints the result,
# strings bare, everything else as JSON.
jget() {
  "$PY" - "$1" "$2" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
try:
    v = eval(sys.argv[2], {"c": c})
except (KeyError, IndexError, TypeError) as e:
    v = "<missing: %r>" % (e,)
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
EOF
}

# validate CONFIG: the runtime-spec schema ($refs to sibling files resolved from the schema
# directory), then what a runtime needs that the schema leaves optional.  Prints problems.
cat >"$W/validate.py" <<'EOF'
import json, os, sys, warnings
warnings.simplefilter("ignore", DeprecationWarning)
import jsonschema

config_path, schema_dir = sys.argv[1], sys.argv[2]
config = json.load(open(config_path))
schema = json.load(open(os.path.join(schema_dir, "config-schema.json")))
resolver = jsonschema.RefResolver(base_uri="file://" + schema_dir + "/", referrer=schema)
problems = ["schema: %s: %s" % ("/".join(map(str, e.absolute_path)), e.message)
            for e in jsonschema.Draft4Validator(schema, resolver=resolver).iter_errors(config)]

def need(cond, what):
    if not cond:
        problems.append(what)

def is_uint32(v):
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**32

need(isinstance(config.get("ociVersion"), str) and config["ociVersion"].startswith("1.0"), "ociVersion 1.0.x")
need(config.get("root", {}).get("path") == "rootfs", "root.path is rootfs")
need(isinstance(config.get("root", {}).get("readonly"), bool), "root.readonly is a boolean")
p = config.get("process", {})
need(isinstance(p.get("args"), list) and len(p["args"]) > 0 and all(isinstance(a, str) for a in p["args"])
     and p["args"][0] != "", "process.args: non-empty strings")
need(isinstance(p.get("cwd"), str) and p["cwd"].startswith("/"), "process.cwd absolute")
need(p.get("terminal") is False, "process.terminal false")
need(is_uint32(p.get("user", {}).get("uid")) and is_uint32(p.get("user", {}).get("gid")), "process.user uid/gid")
need(all(isinstance(e, str) and "=" in e for e in p.get("env", [])), "process.env: K=V strings")
need(any(e.startswith("PATH=") for e in p.get("env", [])), "process.env has PATH")
for s in ("bounding", "effective", "inheritable", "permitted", "ambient"):
    need(all(c.startswith("CAP_") for c in p.get("capabilities", {}).get(s, [None])), "capabilities.%s: CAP_ names" % s)
for m in config.get("mounts", []):
    need(m.get("destination", "").startswith("/"), "mount destination absolute: %r" % m)
    need(isinstance(m.get("type"), str) and isinstance(m.get("source"), str), "mount type/source: %r" % m)
dests = [m.get("destination") for m in config.get("mounts", [])]
need(len(dests) == len(set(dests)), "mount destinations unique")
for d in ("/proc", "/dev", "/dev/pts", "/dev/shm", "/sys"):
    need(d in dests, "mount %s" % d)
l = config.get("linux", {})
types = [n.get("type") for n in l.get("namespaces", [])]
need(len(types) == len(set(types)), "namespace types unique")
for t in ("user", "mount", "pid"):
    need(t in types, "namespace %s" % t)
for key in ("uidMappings", "gidMappings"):
    maps = l.get(key, [])
    need(len(maps) >= 1 and maps[0].get("containerID") == 0 and maps[0].get("size") == 1, key + ": caller -> 0 first")
    need(all(is_uint32(m.get(k)) for m in maps for k in ("containerID", "hostID", "size")), key + ": uint32 fields")
need("hostname" not in config or "uts" in types, "a hostname only with a uts namespace")
need("sbx" not in config, "no sbx extension object")
need(isinstance(config.get("annotations", {}).get("org.sbx.image"), str), "annotation org.sbx.image")
print("\n".join(problems))
EOF

HAVE_SCHEMA=
if [ -z "$PY" ]; then
  SCHEMA_SKIP="python3 not found"
elif ! "$PY" -c 'import jsonschema' 2>/dev/null; then
  SCHEMA_SKIP="python3-jsonschema not installed"
elif [ ! -f "$SCHEMA_DIR/config-schema.json" ]; then
  SCHEMA_SKIP="$SCHEMA_DIR/config-schema.json missing (golang-github-opencontainers-specs-dev)"
else
  HAVE_SCHEMA=1
fi

check_config() { # DIR DESC
  if [ -z "$HAVE_SCHEMA" ]; then
    skip "$2: config.json valid" "$SCHEMA_SKIP"
    return
  fi
  local problems
  problems=$("$PY" "$W/validate.py" "$1/config.json" "$SCHEMA_DIR" 2>&1)
  if [ -z "$problems" ]; then
    ok "$2: config.json passes the runtime-spec schema and the runtime's required fields"
  else
    not_ok "$2: config.json passes the runtime-spec schema and the runtime's required fields" "$problems"
  fi
}

no_leftovers() { # PARENT DESC
  is "$(find "$1" -maxdepth 1 -name '*.tmp-*' | wc -l)" "0" "$2: no staging directory left beside it"
}

# host id of container id $2 in mapping list "$1" (JSON of uidMappings)
host_id() {
  "$PY" -c 'import json,sys
for m in json.loads(sys.argv[1]):
    i = int(sys.argv[2])
    if m["containerID"] <= i < m["containerID"] + m["size"]:
        print(m["hostID"] + i - m["containerID"]); break
else:
    print("unmapped")' "$1" "$2"
}

# An OCI layout copied from the busybox fixture with another config User.
make_user_image() { # USER DIR
  rm -rf "$2"
  cp -a "$F/busybox" "$2"
  "$PY" - "$2" "$1" <<'EOF'
import hashlib, json, os, sys
d, user = sys.argv[1], sys.argv[2]
def blob(digest): return os.path.join(d, "blobs", *digest.split(":"))
def put(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    open(blob(digest), "wb").write(data)
    return digest, len(data)
index = json.load(open(os.path.join(d, "index.json")))
entry = next(m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "latest")
manifest = json.load(open(blob(entry["digest"])))
config = json.load(open(blob(manifest["config"]["digest"])))
config["config"]["User"] = user
manifest["config"]["digest"], manifest["config"]["size"] = put(json.dumps(config).encode())
entry["digest"], entry["size"] = put(json.dumps(manifest).encode())
index["manifests"] = [entry]
json.dump(index, open(os.path.join(d, "index.json"), "w"))
EOF
}

# --- the default profile and the embedded default image ---------------------------------------
mkdir -p "$W/cwd"
cd "$W/cwd" || exit 1
run_sbx spec default
cd - >/dev/null || exit 1
rc_is 0 "spec default (no IMAGE, no -o) exits 0"
is "$ERR" "" "spec writes nothing on stderr"
check "spec writes ./bundle/config.json and ./bundle/rootfs" test -f "$W/cwd/bundle/config.json" -a -x "$W/cwd/bundle/rootfs/bin/busybox"
ok_dir=$W/cwd/bundle
is "$(jget "$ok_dir/config.json" 'c["annotations"]["org.sbx.image"]')" "default" "IMAGE defaults to the embedded default image"
check_config "$ok_dir" "default profile + default image"
no_leftovers "$W/cwd" "spec default"

# --- an image's config -----------------------------------------------------------------------
run_sbx spec default bb -o "$W/bb"
rc_is 0 "spec default bb -o DIR exits 0"
check_config "$W/bb" "default + busybox fixture"
C=$W/bb/config.json
is "$(jget "$C" 'c["process"]["args"]')" '["sh", "-c", "echo hello from image"]' "args are the image's Entrypoint + Cmd"
is "$(jget "$C" '[e for e in c["process"]["env"] if e.startswith(("FOO=", "HOME="))]')" '["FOO=bar", "HOME=/root"]' \
  "env: the image's (FOO=bar), HOME from its /etc/passwd"
is "$(jget "$C" 'c["process"]["cwd"]')" "/srv" "cwd is the image's WorkingDir"
is "$(jget "$C" '[c["process"]["user"]["uid"], c["process"]["user"]["gid"]]')" "[0, 0]" "user: root when the image names none"
is "$(jget "$C" 'c["ociVersion"]')" "1.0.2" "ociVersion 1.0.2"
is "$(jget "$C" 'c["annotations"]["org.sbx.image"] + " " + c["annotations"]["org.sbx.profile"]')" "bb default" \
  "annotations name the image and the profile"
is "$(jget "$C" 'sorted(c["process"]["capabilities"]["bounding"])')" \
  '["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"]' \
  "capabilities: the default profile's (Podman's) bounding set"
is "$(jget "$C" 'c["process"]["noNewPrivileges"]')" "true" "noNewPrivileges from the profile"
is "$(jget "$C" '"seccomp" in c["linux"] and c["linux"]["seccomp"]["defaultAction"] is not None')" "true" \
  "linux.seccomp carried over"
is "$(jget "$C" 'sorted(n["type"] for n in c["linux"]["namespaces"])')" \
  '["cgroup", "ipc", "mount", "network", "pid", "user", "uts"]' "namespaces: the profile's, user included"
is "$(jget "$C" '[m["type"] for m in c["mounts"] if m["destination"] == "/sys"]')" '["sysfs"]' \
  "/sys is a sysfs (there is a network namespace)"
is "$(jget "$C" 'c["linux"]["uidMappings"][0]["hostID"]')" "$MY_UID" "uidMappings: your uid -> 0"
is "$(jget "$C" 'c["linux"]["gidMappings"][0]["hostID"]')" "$MY_GID" "gidMappings: your gid -> 0"
sub=$(awk -F: -v u="$MY_USER" -v i="$MY_UID" '$1 == u || $1 == i { print $2 ":" $3; exit }' /etc/subuid 2>/dev/null)
if [ -n "$sub" ]; then
  is "$(jget "$C" '[c["linux"]["uidMappings"][1][k] for k in ("containerID", "hostID", "size")]')" \
    "[1, ${sub%%:*}, ${sub##*:}]" "uidMappings: your /etc/subuid range -> 1..N"
else
  is "$(jget "$C" 'len(c["linux"]["uidMappings"])')" "1" "uidMappings: only your uid (no /etc/subuid range)"
fi
cmp -s "$W/bb/rootfs/etc/passwd" <(printf 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/false\nu:x:1000:1000:u:/home/u:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n')
check "rootfs has the image's /etc/passwd" [ $? = 0 ]
check "rootfs keeps symlinks and the busybox binary" test -x "$W/bb/rootfs/bin/busybox"

# --- layers: whiteouts, opaque directories, owners --------------------------------------------
run_sbx spec default ml -o "$W/ml"
rc_is 0 "spec of the multilayer image exits 0"
R=$W/ml/rootfs
check "multilayer: a/keep (layer 1) is there" test -f "$R/a/keep"
check "multilayer: a/gone, whited out in layer 2, is not" test ! -e "$R/a/gone" -a ! -L "$R/a/gone"
check "multilayer: opq/old is gone (opq is opaque in layer 2)" test ! -e "$R/opq/old" -a ! -L "$R/opq/old"
check "multilayer: opq/new (layer 2) is there" test -f "$R/opq/new"
check "multilayer: etc/multilayer (layer 1) is there" test -f "$R/etc/multilayer"
is "$(find "$R" -type c 2>/dev/null | wc -l)" "0" "multilayer: no whiteout device is left in the rootfs"
overlay_xattrs=$("$PY" - "$R" <<'EOF'
import os, sys
found = []
for root, dirs, files in os.walk(sys.argv[1]):
    for n in dirs + files:
        p = os.path.join(root, n)
        try:
            names = os.listxattr(p, follow_symlinks=False)
        except OSError:
            continue
        found += ["%s: %s" % (p, x) for x in names if x.startswith(("user.overlay.", "trusted.overlay.", "user.fuseoverlayfs."))]
print("\n".join(found))
EOF
)
is "$overlay_xattrs" "" "multilayer: no overlay xattr (opaque marker) is left in the rootfs"
check_config "$W/ml" "multilayer"

run_sbx spec default owners -o "$W/owners"
rc_is 0 "spec of the owners image exits 0"
maps=$(jget "$W/owners/config.json" 'c["linux"]["uidMappings"]')
gmaps=$(jget "$W/owners/config.json" 'c["linux"]["gidMappings"]')
if [ -n "$sub" ]; then
  is "$(stat -c '%u:%g' "$W/owners/rootfs/var/www/x")" "$(host_id "$maps" 33):$(host_id "$gmaps" 33)" \
    "owners: var/www/x (33:33) belongs to the host ids the maps give 33"
  is "$(stat -c '%u:%g %a' "$W/owners/rootfs/shared")" "$(host_id "$maps" 1000):$(host_id "$gmaps" 1000) 2775" \
    "owners: shared (1000:1000, 2775) keeps its owner and setgid mode"
else
  skip "owners in the rootfs" "no subordinate id range for $MY_USER"
  skip "owners in the rootfs (setgid dir)" "no subordinate id range for $MY_USER"
fi
is "$(stat -c '%u' "$W/owners/rootfs/root-file")" "$MY_UID" "owners: root's files belong to you"

# --- the image's User ------------------------------------------------------------------------
run_sbx spec default user -o "$W/user"
is "$(jget "$W/user/config.json" '[c["process"]["user"]["uid"], c["process"]["user"]["gid"], c["process"]["cwd"]]')" \
  '[1000, 1000, "/home/u"]' "User 1000:1000 and WorkingDir come from the image"

make_user_image u:staff "$W/named-layout"
setup_image_at() { run_sbx image import "oci:$1:latest" "$2"; [ "$RC" = 0 ] || { not_ok "setup: import $1"; last_run_diag; }; }
setup_image_at "$W/named-layout" named
run_sbx spec default named -o "$W/named"
rc_is 0 "spec of an image whose User is a name exits 0"
is "$(jget "$W/named/config.json" '[c["process"]["user"]["uid"], c["process"]["user"]["gid"]]')" "[1000, 50]" \
  "User u:staff is looked up in the rootfs's /etc/passwd and /etc/group"
is "$(jget "$W/named/config.json" '[e for e in c["process"]["env"] if e.startswith("HOME=")]')" '["HOME=/home/u"]' \
  "HOME is the user's, from /etc/passwd"

make_user_image nosuchuser "$W/nouser-layout"
setup_image_at "$W/nouser-layout" nouser
run_sbx spec default nouser -o "$W/nouser"
check_sbx_error "an image User missing from its /etc/passwd" "nosuchuser"
check "an unknown User leaves no DIR" test ! -e "$W/nouser"
no_leftovers "$W" "an unknown User"

# --- a profile's own settings ----------------------------------------------------------------
mkdir -p "$W/profiles" "$W/hostdata"
cat >"$W/profiles/full.json" <<EOF
{
  "sbx": { "include": ["default"], "image": "bb", "network": { "mode": "host" } },
  "process": {
    "args": ["/bin/sh", "-c", "echo from profile"],
    "env": ["PROFILE_VAR=1", "FOO=overridden"],
    "cwd": "/tmp",
    "user": { "uid": 33, "gid": 33, "additionalGids": [50] },
    "rlimits": [
      { "type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024 },
      { "type": "RLIMIT_CORE", "soft": 18446744073709551615, "hard": 18446744073709551615 }
    ]
  },
  "hostname": "spec-host",
  "root": { "readonly": true },
  "mounts": [
    { "destination": "/data", "type": "bind", "source": "$W/hostdata", "options": ["rbind", "ro", "nosuid"] },
    { "destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "noexec"] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "nodev", "size=8m"] }
  ],
  "annotations": { "com.example.note": "kept" }
}
EOF
run_sbx spec "$W/profiles/full.json" -o "$W/full"
rc_is 0 "spec FILE (a profile with its own settings, IMAGE from sbx.image) exits 0"
check_config "$W/full" "full profile"
C=$W/full/config.json
is "$(jget "$C" 'c["annotations"]')" \
  "{\"com.example.note\": \"kept\", \"org.sbx.image\": \"bb\", \"org.sbx.profile\": \"$W/profiles/full.json\"}" "annotations: the profile's plus sbx's; IMAGE from sbx.image"
is "$(jget "$C" 'c["process"]["args"]')" '["/bin/sh", "-c", "echo from profile"]' "process.args from the profile"
is "$(jget "$C" '[e for e in c["process"]["env"] if e.startswith(("FOO=", "PROFILE_VAR="))]')" \
  '["FOO=overridden", "PROFILE_VAR=1"]' "env: the profile's over the image's"
is "$(jget "$C" '[c["process"]["cwd"], c["process"]["user"]]')" '["/tmp", {"additionalGids": [50], "gid": 33, "uid": 33}]' \
  "cwd and user (with additionalGids) from the profile"
is "$(jget "$C" 'c["process"]["rlimits"]')" \
  '[{"hard": 1024, "soft": 512, "type": "RLIMIT_NOFILE"}, {"hard": 18446744073709551615, "soft": 18446744073709551615, "type": "RLIMIT_CORE"}]' \
  "rlimits, unlimited written as 18446744073709551615"
is "$(jget "$C" '[c["hostname"], c["root"]["readonly"]]')" '["spec-host", true]' "hostname and root.readonly"
is "$(jget "$C" '[m for m in c["mounts"] if m["destination"] in ("/data", "/scratch")]')" \
  "[{\"destination\": \"/data\", \"options\": [\"rbind\", \"ro\", \"nosuid\"], \"source\": \"$W/hostdata\", \"type\": \"bind\"}, {\"destination\": \"/scratch\", \"options\": [\"noexec\", \"size=1m\"], \"source\": \"tmpfs\", \"type\": \"tmpfs\"}]" \
  "the profile's bind and tmpfs mounts, with their options"
is "$(jget "$C" '[m["options"] for m in c["mounts"] if m["destination"] == "/dev/shm"]')" '[["nosuid", "nodev", "size=8m"]]' \
  "a profile's /dev/shm replaces the standard one"
is "$(jget "$C" '"network" in [n["type"] for n in c["linux"]["namespaces"]]')" "false" \
  "sbx.network.mode host: no network namespace"
is "$(jget "$C" '[(m["type"], m["source"]) for m in c["mounts"] if m["destination"] == "/sys"]')" '[["bind", "/sys"]]' \
  "without a network namespace /sys is a bind of the host's"
is "$(jget "$C" '"sbx" in c')" "false" "the sbx extension object is left out"
grep -q '18446744073709551615' "$C"
check "config.json holds the literal 18446744073709551615" [ $? = 0 ]

# A plain OCI config (runc's own) is a profile as it is.
if command -v runc >/dev/null 2>&1; then
  mkdir -p "$W/runc-spec"
  (cd "$W/runc-spec" && runc spec --rootless)
  run_sbx spec "$W/runc-spec/config.json" bb -o "$W/from-runc"
  rc_is 0 "spec of runc spec --rootless's config.json as a profile exits 0"
  check_config "$W/from-runc" "runc's config as a profile"
  is "$(jget "$W/from-runc/config.json" '[c["process"]["args"], c["process"]["terminal"], [m["destination"] for m in c["mounts"] if m["destination"].startswith("/sys/fs/cgroup")]]')" \
    '[["sh"], false, []]' "runc's args kept, terminal off, its cgroup mount left to sbx's standard set"
else
  skip "runc spec --rootless as a profile" "runc not installed"
fi

# --- refusals: nothing written ---------------------------------------------------------------
printf '{ "process": { "noNewPrivilege": true } }\n' >"$W/profiles/bad.json"
run_sbx spec "$W/profiles/bad.json" bb -o "$W/bad"
check_sbx_error "a bad profile" 'bad.json:1:[0-9]+: .*unknown key'
check "a bad profile writes no DIR" test ! -e "$W/bad"
no_leftovers "$W" "a bad profile"

run_sbx spec default no-such-image -o "$W/noimage"
check_sbx_error "an unknown image" "no-such-image"
check "an unknown image writes no DIR" test ! -e "$W/noimage"

mkdir -p "$W/full-again"
echo mine >"$W/full-again/keep"
run_sbx spec default bb -o "$W/full-again"
check_sbx_error "an existing non-empty DIR" "already exists"
is "$(ls -A "$W/full-again")" "keep" "an existing DIR is left as it was"
no_leftovers "$W" "an existing DIR"

echo x >"$W/afile"
run_sbx spec default bb -o "$W/afile"
check_sbx_error "DIR is an existing file" "already exists"

mkdir -p "$W/empty"
run_sbx spec default bb -o "$W/empty"
rc_is 0 "an existing empty DIR is filled"
check "the empty DIR now holds the bundle" test -f "$W/empty/config.json" -a -d "$W/empty/rootfs"

run_sbx spec
check_sbx_error "spec without a profile"
run_sbx spec default bb extra
check_sbx_error "spec with an extra argument"

# --- running the bundles ---------------------------------------------------------------------
set_args() { # CONFIG PYTHON-LIST
  "$PY" -c 'import json, sys
c = json.load(open(sys.argv[1])); c["process"]["args"] = json.loads(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"), indent=2)' "$1" "$2"
}

# runc run as this user; RC/OUT/ERR.
runc_run() { # BUNDLE ID
  run_cmd runc --root "$TEST_TMP/runc" run -b "$1" "$2"
  runc --root "$TEST_TMP/runc" delete -f "$2" >/dev/null 2>&1
}

if ! command -v runc >/dev/null 2>&1; then
  skip "runc runs the bundles" "runc not installed"
else
  # Can runc run rootless here at all?  Its own rootless spec over our rootfs.
  mkdir -p "$W/baseline"
  (cd "$W/baseline" && runc spec --rootless)
  "$PY" -c 'import json, sys
c = json.load(open(sys.argv[1])); c["root"]["path"] = sys.argv[2]; c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/echo", "baseline"]
json.dump(c, open(sys.argv[1], "w"))' "$W/baseline/config.json" "$W/bb/rootfs"
  runc_run "$W/baseline" sbx-spec-baseline
  if [ "$RC" != 0 ]; then
    skip "runc runs the bundles" "runc cannot run its own rootless bundle here: $(printf '%s' "$ERR" | tail -n 1)"
  else
    set_args "$W/owners/config.json" '["sh", "-c", "echo hello from runc; id -u; stat -c %u:%g /var/www/x /home/u/y /nobody-file /shared/f"]'
    runc_run "$W/owners" sbx-spec-owners
    rc_is 0 "runc runs the owners bundle as it is"
    is "$OUT" "hello from runc
0
33:33
100:101
65534:65534
1000:50" "inside runc: root, and the image's owners (the maps match the rootfs)"

    runc_run "$W/named" sbx-spec-named
    rc_is 0 "runc runs the named-user bundle (the image's Cmd)"
    is "$OUT" "hello from image" "the image's Cmd ran"
    # shellcheck disable=SC2016 # $HOME is the sandbox's
    set_args "$W/named/config.json" '["sh", "-c", "id -u; id -g; echo $HOME; pwd"]'
    runc_run "$W/named" sbx-spec-named2
    is "$OUT" "1000
50
/home/u
/srv" "inside runc: the user resolved from the image's User, its HOME, the WorkingDir"

    set_args "$W/ml/config.json" '["sh", "-c", "ls /a /opq; cat /proc/self/status | grep -E \"^(NoNewPrivs|Seccomp):\""]'
    runc_run "$W/ml" sbx-spec-ml
    is "$OUT" "/a:
keep

/opq:
new
NoNewPrivs:	1
Seccomp:	2" "inside runc: whiteouts applied, no_new_privs and the seccomp filter on"
  fi
fi

if ! command -v crun >/dev/null 2>&1; then
  skip "crun runs a bundle" "crun not installed"
else
  set_args "$W/bb/config.json" '["/bin/echo", "hello from crun"]'
  run_cmd crun --root "$TEST_TMP/crun" run -b "$W/bb" sbx-spec-crun
  crun --root "$TEST_TMP/crun" delete -f sbx-spec-crun >/dev/null 2>&1
  if [ "$RC" = 0 ]; then
    is "$OUT" "hello from crun" "crun runs the bundle as it is"
  elif printf '%s' "$ERR" | grep -qi 'cgroup'; then
    skip "crun runs the bundle" "crun: $(printf '%s' "$ERR" | tail -n 1)"
  else
    not_ok "crun runs the bundle as it is"
    last_run_diag
  fi
fi

done_testing
