#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-pull.sh: sbx pull from a real registry (Debian's docker-registry, on 127.0.0.1) with
# images pushed by skopeo (gzip and zstd layers, a multi-arch index), and from a fake registry
# (python3 http.server, 127.0.0.1) that answers badly on purpose: wrong digest, truncated blob,
# garbage JSON, 404, 500, an index without linux/amd64; a slow blob for kill -9 and resume
# (Range) and for two concurrent pulls sharing one download; Bearer token auth, anonymous and
# with credentials from auth.json.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "pull tests" "$SKIP_REASON"
  done_testing
fi
if ! command -v python3 >/dev/null; then
  skip "pull tests" "python3 not found (install python3)"
  done_testing
fi

hex64='^[0-9a-f]{64}$'
export XDG_CONFIG_HOME=$TEST_TMP/config XDG_RUNTIME_DIR=$TEST_TMP/runtime HOME=$TEST_TMP/home
mkdir -p "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" "$HOME"
chmod 0700 "$XDG_RUNTIME_DIR"
unset REGISTRY_AUTH_FILE SBX_REGISTRIES_CONF

store_files() { find "$STORE/blobs" "$STORE/layers" 2>/dev/null | sort; }

# --- helper scripts -------------------------------------------------------------------------

cat > "$W/fake-registry.py" <<'EOF'
# fake-registry.py LAYOUT PORTFILE LOG: a registry that misbehaves on purpose, on 127.0.0.1,
# for at most 300 s.  It serves the image of the OCI layout LAYOUT (tag latest) as these
# repositories:
#   good        as it is              baddigest  its last layer with one byte flipped
#   truncated   half the last layer, then the connection closes
#   garbage     a manifest that is not JSON   missing  404   broken  500
#   armonly     an index with only a linux/arm64 entry
#   slow        the last layer 64 KiB every 50 ms; honours Range (206)
#   auth        Bearer token needed (anonymous tokens)
#   private     Bearer token needed, the token only with Basic user:secret
#   deep        a manifest nested 100,000 levels deep   deepconfig  its config is
#   ambiguous   a manifest carrying both "layers" and "manifests"
#   saysindex   a manifest served as a manifest whose "mediaType" says index
#   ctlerr      a 404 whose error body holds ESC, BEL and CR
# Every request is logged as "METHOD PATH RANGE AUTH-SCHEME".
import base64, hashlib, json, os, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

layout, portfile, logfile = sys.argv[1:4]
def blob(d): return open(os.path.join(layout, "blobs", "sha256", d.split(":")[1]), "rb").read()
top = [m for m in json.load(open(os.path.join(layout, "index.json")))["manifests"]][0]
manifest_bytes = blob(top["digest"])
manifest = json.loads(manifest_bytes)
last = manifest["layers"][-1]["digest"]
arm_index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": top["digest"],
                   "size": len(manifest_bytes), "platform": {"os": "linux", "architecture": "arm64"}}]}).encode()
DEEP = b"[" * 100000 + b"]" * 100000
deep_manifest = manifest_bytes.rstrip()[:-1] + b',"annotations":{"x":' + DEEP + b'}}'
ambiguous_manifest = manifest_bytes.rstrip()[:-1] + b',"manifests":[]}'
says_index = json.dumps(dict(manifest, mediaType="application/vnd.oci.image.index.v1+json")).encode()
deep_config = b'{"config":{"Labels":' + DEEP + b'},"rootfs":{"type":"layers","diff_ids":[]}}'
deep_config_digest = "sha256:" + hashlib.sha256(deep_config).hexdigest()
deepconfig_manifest = json.dumps(dict(manifest, config=dict(manifest["config"], digest=deep_config_digest,
                                                             size=len(deep_config)))).encode()
log_lock = threading.Lock()
TOKEN = "tok-" + hashlib.sha256(os.urandom(8)).hexdigest()[:16]
CRED = "Basic " + base64.b64encode(b"user:secret").decode()

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def log(self):
        auth = self.headers.get("Authorization", "-").split(" ")[0]
        with log_lock, open(logfile, "a") as f:
            f.write("%s %s %s %s\n" % (self.command, self.path, self.headers.get("Range", "-"), auth))
    def send(self, code, body=b"", ctype="application/json", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def do_GET(self):
        self.log()
        p = self.path
        if p == "/v2/":
            return self.send(200, b"{}")
        if p.startswith("/token"):
            return self.token()
        parts = p.split("/")
        if len(parts) < 5 or parts[1] != "v2":
            return self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"no such thing"}]}')
        repo, kind, ref = parts[2], parts[3], "/".join(parts[4:])
        if repo in ("auth", "private") and self.headers.get("Authorization") != "Bearer " + TOKEN:
            port = self.server.server_address[1]
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"token needed"}]}', extra={
                "WWW-Authenticate": 'Bearer realm="http://127.0.0.1:%d/token",service="fake",scope="repository:%s:pull"' % (port, repo)})
        if kind == "manifests":
            return self.manifest(repo, ref)
        if kind == "blobs":
            return self.blob(repo, ref)
        self.send(404)
    def token(self):
        from urllib.parse import urlparse, parse_qs
        q = parse_qs(urlparse(self.path).query)
        scope = q.get("scope", [""])[0]
        if q.get("service") != ["fake"] or scope not in ("repository:auth:pull", "repository:private:pull"):
            return self.send(400, b'{"errors":[{"code":"DENIED","message":"bad token request"}]}')
        if scope == "repository:private:pull" and self.headers.get("Authorization") != CRED:
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
        self.send(200, json.dumps({"token": TOKEN}).encode())
    def manifest(self, repo, ref):
        if repo == "missing":
            return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
        if repo == "broken":
            return self.send(500, b'{"errors":[{"code":"UNKNOWN","message":"internal server error"}]}')
        if repo == "ctlerr":
            return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"red\x1b[31m bell\x07 cr\r end"}]}')
        if repo == "deep":
            return self.send(200, deep_manifest, top["mediaType"])
        if repo == "ambiguous":
            return self.send(200, ambiguous_manifest, top["mediaType"])
        if repo == "saysindex":
            return self.send(200, says_index, top["mediaType"])
        if repo == "deepconfig":
            return self.send(200, deepconfig_manifest, top["mediaType"])
        if repo == "garbage":
            return self.send(200, b'{"schemaVersion": 2, "layers": [garbage', top["mediaType"])
        if repo == "armonly" and not ref.startswith("sha256:"):
            return self.send(200, arm_index, "application/vnd.oci.image.index.v1+json")
        self.send(200, manifest_bytes, top["mediaType"])
    def blob(self, repo, digest):
        if digest == deep_config_digest:
            return self.send(200, deep_config, "application/octet-stream")
        try:
            data = blob(digest)
        except (OSError, IndexError):
            return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')
        if digest == last and repo == "baddigest":
            data = data[:-1] + bytes([data[-1] ^ 0xff])
        if digest == last and repo == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if digest == last and repo == "slow":
            return self.slow(data)
        self.send(200, data, "application/octet-stream")
    def slow(self, data):
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.end_headers()
        for i in range(start, len(data), 65536):
            self.wfile.write(data[i:i + 65536])
            self.wfile.flush()
            time.sleep(0.05)

srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
with open(portfile + ".new", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".new", portfile)
threading.Timer(300, srv.shutdown).start()
srv.serve_forever()
EOF

# --- the real registry -----------------------------------------------------------------------
if ! command -v skopeo >/dev/null; then
  REG='' REG_SKIP="skopeo not found (install skopeo)"
elif ! command -v docker-registry >/dev/null; then
  REG='' REG_SKIP="docker-registry not found (install docker-registry)"
elif start_registry; then
  ok "docker-registry listens on $REG"
else
  not_ok "docker-registry listens on a loopback port" "$REG_SKIP"
fi

skopeo_push() { # SRC DEST-REPO:TAG [ARGS...]
  local src=$1 dest=$2
  shift 2
  timeout 120 skopeo --insecure-policy copy --quiet --dest-tls-verify=false "$@" "$src" "docker://$REG/$dest" \
    > "$W/skopeo.log" 2>&1
}

if [ -n "$REG" ]; then
  # zstd first, on an empty store, so its layer really comes from the zstd blob
  if skopeo_push "oci:$F/busybox:latest" zbb:latest --dest-compress-format=zstd --dest-compress; then
    ok "skopeo pushed busybox with a zstd layer"
    run_sbx pull --tls-verify=false "$REG/zbb:latest"
    rc_is 0 "pull of a zstd image exits 0"
    like "$OUT" "$hex64" "pull prints the image id"
    is "$ERR" "" "pull writes nothing on stderr when it is not a terminal"
    run_sbx run "$REG/zbb:latest"
    is "$OUT" "hello from image" "the zstd image runs"
    is "$(find "$STORE/tmp/pull" -type f 2>/dev/null)" "" "no download is left in tmp/pull after a pull"
    run_sbx image rm "$REG/zbb:latest"
  else
    not_ok "skopeo pushed busybox with a zstd layer" "$(cat "$W/skopeo.log")"
  fi

  if skopeo_push "oci:$F/busybox:latest" bb:1.0; then
    ok "skopeo pushed busybox (gzip) to the registry"
    start_ns=$(date +%s%N)
    run_sbx pull --tls-verify=false "$REG/bb:1.0"
    elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    rc_is 0 "sbx pull $REG/bb:1.0 exits 0"
    diag "pull of busybox from the loopback registry: ${elapsed_ms} ms"
    bb_id=$OUT
    run_sbx image ls
    like "$OUT" "^$REG/bb:1\\.0 +${bb_id:0:12} " "image ls shows the pulled image under its full name"
    run_sbx run "$REG/bb:1.0" cat /srv/README
    is "$OUT" "fixture image busybox" "the pulled image runs"
    run_sbx pull -q --tls-verify=false "$REG/bb:1.0"
    is "$OUT" "$bb_id" "pulling again gives the same id"
    run_sbx image ls -q
    is "$(printf '%s\n' "$OUT" | grep -c "^$REG/bb:1.0$")" "1" "pulling again keeps one record"

    run_sbx pull "$REG/bb:1.0"
    check_sbx_error "pull over https from a plain-http registry without --tls-verify=false" "$REG"

    # sbx run pulls an image that names its registry when the store lacks it.
    run_sbx image rm "$REG/bb:1.0"
    run_sbx --log-level=debug run --tls-verify=false "$REG/bb:1.0" cat /srv/README
    is "$RC:$OUT" "0:fixture image busybox" "sbx run REGISTRY/IMAGE pulls it when absent, then runs it"
    # A lock some other thread held at the fork would stay held in the sandbox's processes.
    like "$ERR" 'supervisor: spawn: setup process [0-9]+, forked from 1 thread$' \
      "the pull on first use leaves sbx a single thread when it forks the sandbox"
    run_sbx image ls -q
    like "$OUT" "^$REG/bb:1\\.0\$" "the implicit pull stored the image under its full name"
    run_sbx run "$REG/nonexistent:1"
    check_sbx_error "sbx run of a registry image without --tls-verify=false (https refused)" "$REG"
    run_sbx run nonexistent-short-name true
    check_sbx_error "sbx run of an unknown short name does not pull it" "nonexistent-short-name"

    digest=$(python3 -c 'import json,sys,urllib.request; r=urllib.request.urlopen(urllib.request.Request("http://%s/v2/bb/manifests/1.0"%sys.argv[1], headers={"Accept":"application/vnd.oci.image.manifest.v1+json"})); print(r.headers["Docker-Content-Digest"])' "$REG" 2>/dev/null)
    if [ -n "$digest" ]; then
      run_sbx pull --tls-verify=false "$REG/bb@$digest"
      rc_is 0 "pull by digest exits 0"
      is "$OUT" "$bb_id" "pull by digest gives the same image"
      run_sbx image ls -q
      like "$OUT" "^$REG/bb@$digest\$" "the image pulled by digest is named REG/REPO@DIGEST"
    else
      skip "pull by digest" "could not read the manifest digest from the registry"
    fi

    # short names: registries.conf search and aliases
    mkdir -p "$XDG_CONFIG_HOME/sbx"
    printf '[registries]\nsearch=%s;\ninsecure=%s;\n[aliases]\nmybox=%s/bb:1.0\n' "$REG" "$REG" "$REG" \
      > "$XDG_CONFIG_HOME/sbx/registries.conf"
    run_sbx pull bb:1.0
    rc_is 0 "a short name is pulled from the registries.conf search registry (insecure listed there)"
    run_sbx pull mybox
    rc_is 0 "an alias from registries.conf is pulled"
    is "$OUT" "$bb_id" "the alias names the same image"
    rm -f "$XDG_CONFIG_HOME/sbx/registries.conf"
  else
    not_ok "skopeo pushed busybox (gzip) to the registry" "$(cat "$W/skopeo.log")"
  fi

  if timeout 60 python3 "$SBX_TESTS_SRCDIR/system/oci-layout.py" multiarch "$F/busybox" "$W/multi" > "$W/oci.log" 2>&1 &&
     timeout 60 python3 "$SBX_TESTS_SRCDIR/system/oci-layout.py" push "$W/multi" "$REG" multi latest >> "$W/oci.log" 2>&1; then
    ok "pushed a multi-arch index (linux/arm64 and linux/amd64)"
    run_sbx pull --tls-verify=false "$REG/multi"
    rc_is 0 "pull of a multi-arch image exits 0"
    if [ "$(uname -m)" = x86_64 ]; then
      run_sbx run "$REG/multi:latest" cat /arch
      is "$OUT" "amd64" "the linux/amd64 manifest was chosen"
    else
      skip "the linux/amd64 manifest was chosen" "the host is $(uname -m)"
    fi
  else
    not_ok "pushed a multi-arch index" "$(cat "$W/oci.log")"
  fi
else
  skip "pulls from docker-registry" "$REG_SKIP"
fi

# --- the fake registry -------------------------------------------------------------------------
for n in $(store_names); do run_sbx image rm "$n"; done
if ! timeout 60 python3 "$SBX_TESTS_SRCDIR/system/oci-layout.py" extra "$F/busybox" "$W/fake" 3 "hello from the fake registry" > "$W/oci.log" 2>&1; then
  not_ok "built the fake registry's image" "$(cat "$W/oci.log")"
  done_testing
fi
python3 "$W/fake-registry.py" "$W/fake" "$W/fake.port" "$W/fake.log" > "$W/fake.err" 2>&1 &
bg_track $!
for _ in $(seq 100); do [ -s "$W/fake.port" ] && break; sleep 0.1; done
if [ ! -s "$W/fake.port" ]; then
  not_ok "the fake registry started" "$(cat "$W/fake.err")"
  done_testing
fi
FAKE=127.0.0.1:$(cat "$W/fake.port")
ok "the fake registry listens on $FAKE"
last_hex=$(python3 -c 'import json,sys,os; L=sys.argv[1]; t=json.load(open(L+"/index.json"))["manifests"][0]["digest"][7:]; print(json.load(open(L+"/blobs/sha256/"+t))["layers"][-1]["digest"][7:])' "$W/fake")

files_before=$(store_files)
names_before=$(store_names)
bad_pull() { # REPO DESC ERE
  run_sbx pull --tls-verify=false "$FAKE/$1"
  check_sbx_error "$2" "$3"
  like "$ERR" "$FAKE/$1" "$2: the error names the reference"
  is "$(store_names)" "$names_before" "$2: image ls unchanged"
  is "$(store_files)" "$files_before" "$2: nothing new in the store's blobs/ and layers/"
}
bad_pull baddigest "a layer with the wrong digest" 'digest mismatch'
is "$(ls -A "$STORE/tmp/pull" 2>/dev/null)" "" "the blob with the wrong digest is not kept, not even as a .partial"
bad_pull truncated "a truncated blob" "blob sha256:$last_hex"
bad_pull garbage "a manifest that is not JSON" 'not valid JSON'
bad_pull missing "a 404 for the manifest" 'HTTP 404.*MANIFEST_UNKNOWN'
bad_pull broken "a 500 for the manifest" 'HTTP 500'
bad_pull armonly "an index without linux/amd64" 'no manifest for linux/'
bad_pull deep "a manifest nested 100,000 levels deep" 'manifest.*nested deeper than'
bad_pull deepconfig "a config nested 100,000 levels deep" 'config.*nested deeper than'
bad_pull ambiguous "a manifest carrying layers and manifests" 'manifests.*layers.*ambiguous'
bad_pull saysindex "a manifest whose mediaType says index" 'mediaType.*contradicts|mediaType.*not an image manifest'
bad_pull ctlerr "an error body with ESC, BEL and CR" 'HTTP 404.*MANIFEST_UNKNOWN'
check "an error body with ESC, BEL and CR: none of them raw on stderr" \
  sh -c '! printf "%s" "$1" | LC_ALL=C grep -q "$(printf "[\033\007\r]")"' _ "$ERR"
run_sbx pull --tls-verify=false "$FAKE/Bad:Name:x"
check_sbx_error "an invalid reference" 'invalid reference'

# --- kill -9 in the middle, then resume ----------------------------------------------------------
: > "$W/fake.log"
"$SBX" pull --tls-verify=false "$FAKE/slow" > "$W/slow.out" 2> "$W/slow.err" &
slow_pid=$!
bg_track $slow_pid
partial=$STORE/tmp/pull/$last_hex.partial
size0=$(stat -c %s "$partial" 2>/dev/null || echo 0)
diag "tmp/pull before the slow pull:" "$(ls -l "$STORE/tmp/pull" 2>&1)"
for _ in $(seq 200); do
  [ "$(stat -c %s "$partial" 2>/dev/null || echo 0)" -gt $((size0 + 300000)) ] && break
  sleep 0.05
done
size_at_kill=$(stat -c %s "$partial" 2>/dev/null || echo 0)
kill -9 "$slow_pid" 2>/dev/null
wait "$slow_pid" 2>/dev/null
if [ "$size_at_kill" -gt 0 ]; then ok "the slow pull was killed (-9) mid-blob ($size_at_kill bytes in)"; else not_ok "the slow pull got going before the kill" "$(cat "$W/slow.err")"; fi
is "$(store_names)" "$names_before" "after kill -9: image ls unchanged"
is "$(store_files)" "$files_before" "after kill -9: nothing new in blobs/ and layers/"
diag "tmp/pull after kill -9:" "$(ls -l "$STORE/tmp/pull" 2>&1)"
check "after kill -9: the .partial is there to resume" test -e "$partial"
is "$(ls "$STORE/tmp/pull" | grep -c "^$last_hex\$")" "0" "after kill -9: only a .partial, no verified blob"
run_sbx pull --tls-verify=false "$FAKE/slow"
rc_is 0 "the next pull succeeds"
like "$(grep "/blobs/sha256:$last_hex" "$W/fake.log" | tail -n1)" "bytes=[1-9][0-9]*-" "the next pull resumed with a Range request"
run_sbx run "$FAKE/slow:latest" cat /fake/hello
is "$OUT" "hello from the fake registry" "the resumed image runs"
is "$(ls -A "$STORE/tmp/pull" 2>/dev/null)" "" "tmp/pull is empty after the pull"

# --- two pulls at once share the download --------------------------------------------------------
run_sbx image rm "$FAKE/slow:latest"
: > "$W/fake.log"
"$SBX" pull -q --tls-verify=false "$FAKE/slow" > "$W/c1.out" 2> "$W/c1.err" &
p1=$!
bg_track $p1
"$SBX" pull -q --tls-verify=false "$FAKE/slow" > "$W/c2.out" 2> "$W/c2.err" &
p2=$!
bg_track $p2
( sleep 60; kill -9 $p1 $p2 ) >/dev/null 2>&1 &
wd=$!
wait $p1; rc1=$?
wait $p2; rc2=$?
kill $wd 2>/dev/null; wait $wd 2>/dev/null
is "$rc1 $rc2" "0 0" "two concurrent pulls of the same image both succeed"
is "$(cat "$W/c1.out")" "$(cat "$W/c2.out")" "both print the same id"
is "$(grep -c "^GET /v2/slow/blobs/sha256:$last_hex " "$W/fake.log")" "1" "the layer blob was downloaded once"

# --- token auth --------------------------------------------------------------------------------
: > "$W/fake.log"
run_sbx pull --tls-verify=false "$FAKE/auth"
rc_is 0 "pull with an anonymous Bearer token exits 0"
like "$(cat "$W/fake.log")" 'GET /token\?service=fake&scope=repository%3Aauth%3Apull' "a token was asked for with the challenge's service and scope"
like "$(grep '/v2/auth/blobs' "$W/fake.log")" 'Bearer$' "blobs were fetched with the token"

run_sbx pull --tls-verify=false "$FAKE/private"
check_sbx_error "pull of a private repository without credentials" "$FAKE/private.*401"
mkdir -p "$XDG_RUNTIME_DIR/containers"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$FAKE" "$(printf 'user:secret' | base64)" > "$XDG_RUNTIME_DIR/containers/auth.json"
: > "$W/fake.log"
run_sbx pull --tls-verify=false "$FAKE/private"
rc_is 0 "pull with credentials from \$XDG_RUNTIME_DIR/containers/auth.json exits 0"
like "$(grep '^GET /token' "$W/fake.log")" 'Basic$' "the token request carried Basic credentials"
rm -f "$XDG_RUNTIME_DIR/containers/auth.json"
mkdir -p "$HOME/.docker"
printf '{"auths":{"http://%s":{"auth":"%s"}}}' "$FAKE" "$(printf 'user:wrong' | base64)" > "$HOME/.docker/config.json"
run_sbx pull --tls-verify=false "$FAKE/private"
check_sbx_error "pull with wrong credentials from ~/.docker/config.json" '401'

done_testing
