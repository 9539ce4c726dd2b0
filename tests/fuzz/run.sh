#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh BUILDDIR SECONDS: runs every libFuzzer harness in BUILDDIR for SECONDS each,
# from small seeds made here.  TAP output: one result per harness; a crash fails it.
set -u
build=$1
seconds=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_seeds() {
  mkdir -p "$work/seed-unpack" "$work/seed-subid" "$work/seed-error-decode" "$work/seed-oci-archive" "$work/files/d"
  printf 'alice:100000:65536\n1000:200000:10\n' > "$work/seed-subid/1"
  printf 'sbx-error-quark\0003\0message' > "$work/seed-error-decode/1"
  mkdir -p "$work/seed-publish"
  printf '127.0.0.1:8080:80/tcp' > "$work/seed-publish/1"
  printf 'slirp:allow-host-loopback' > "$work/seed-publish/2"
  mkdir -p "$work/seed-profile"
  cp "$(dirname "$0")/../../data/profiles/"*.json "$work/seed-profile/"
  printf '{"sbx":{"include":["base"]},"process":{"args":["sh"],"env":["A=1"]},"linux":{"maskedPaths":["/x"]}}' > "$work/seed-profile/top"
  printf '{"process":{"capabilities":{"bounding":["CAP_KILL"]}},"mounts":[{"destination":"/t","type":"tmpfs"}]}\0{"sbx":{"include":["base"]},"hostname":"h"}' > "$work/seed-profile/pair"
  mkdir -p "$work/seed-registry"
  printf '\000localhost:5000/a/b-c__d:v1.2@sha256:%064d' 0 > "$work/seed-registry/ref"
  printf '\000busybox' > "$work/seed-registry/short"
  printf '\001Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"' > "$work/seed-registry/auth"
  printf '\002{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"}}}' > "$work/seed-registry/authfile"
  printf '\003[registries]\nsearch=docker.io;quay.io;\ninsecure=localhost:5000;\n[aliases]\nx=quay.io/a/x\n' > "$work/seed-registry/conf"
  printf '\004{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%064d","size":7,"platform":{"os":"linux","architecture":"amd64"}}]}' 0 > "$work/seed-registry/index"
  printf '\004{"schemaVersion":2,"config":{"digest":"sha256:%064d","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"sha256:%064d","size":9}]}' 0 1 > "$work/seed-registry/manifest"
  mkdir -p "$work/seed-dbus-policy"
  printf 'org.example.App' > "$work/seed-dbus-policy/name"
  printf 'org.example.*' > "$work/seed-dbus-policy/wildcard"
  printf 'org.example.App=org.example.Iface.Method@/org/example/*' > "$work/seed-dbus-policy/rule"
  printf 'org.example.App=*@/*' > "$work/seed-dbus-policy/any"
  printf '{"sbx":{"dbus":{"session":{"talk":["org.a.*"],"call":["org.b.B=org.b.I.*@/b/*"]},"system":{"see":["org.c.C"]}}}}' > "$work/seed-profile/dbus"
  mkdir -p "$work/seed-netrule" "$work/seed-dns"
  printf 'tcp:10.0.0.0/8:443' > "$work/seed-netrule/cidr"
  printf 'udp:[fd00::]/8:53-60' > "$work/seed-netrule/v6"
  printf '*.example.org:443' > "$work/seed-netrule/name"
  printf 'icmp:*' > "$work/seed-netrule/icmp"
  printf '{"sbx":{"network":{"allow":["*.example.org","tcp:[::1]:22"],"deny":["10.0.0.0/8"],"lan":false}}}' > "$work/seed-profile/netrules"
  # \000: an answer (www.example.org A 198.51.100.9, compressed), \001: a query, \002: a frame
  printf '\000\022\064\201\200\000\001\000\001\000\000\000\000\003www\007example\003org\000\000\001\000\001\300\014\000\001\000\001\000\000\000\074\000\004\306\063\144\011' > "$work/seed-dns/answer"
  printf '\001\022\064\001\000\000\001\000\000\000\000\000\000\003bad\007example\003org\000\000\001\000\001' > "$work/seed-dns/query"
  printf '\002\122\125\012\000\002\002\122\125\012\000\002\144\010\000\105\000\000\050\000\000\000\000\100\006\000\000\012\000\002\144\306\063\144\007\234\100\037\220\000\000\020\000\000\000\000\000\120\002\377\377\000\000\000\000' > "$work/seed-dns/syn"
  mkdir -p "$work/seed-desktop-file"
  printf '[Desktop Entry]\nType=Application\nName=App\nName[de]=Anw\nExec=app --x "a b" 100%%%% %%U\nIcon=app\nMimeType=text/plain;\nActions=new;\n\n[Desktop Action new]\nName=New\nExec=app --new %%f\n' > "$work/seed-desktop-file/1"
  cp /usr/share/applications/*.desktop "$work/seed-desktop-file/" 2>/dev/null || true
  echo hello > "$work/files/d/f"
  ln -s f "$work/files/d/l"
  : > "$work/files/d/.wh.gone"
  tar -C "$work/files" --owner=0 --group=0 -cf "$work/seed-unpack/plain.tar" d
  gzip -n < "$work/seed-unpack/plain.tar" > "$work/seed-unpack/gz.tar.gz"
  # A minimal OCI archive: one layer, its config and manifest, index.json.
  local layout=$work/layout
  mkdir -p "$layout/blobs/sha256"
  local layer diff config manifest
  diff=$(sha256sum < "$work/seed-unpack/plain.tar" | cut -d' ' -f1)
  layer=$diff
  cp "$work/seed-unpack/plain.tar" "$layout/blobs/sha256/$layer"
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diff" > "$work/config"
  config=$(sha256sum < "$work/config" | cut -d' ' -f1)
  mv "$work/config" "$layout/blobs/sha256/$config"
  printf '{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config" "$(stat -c %s "$layout/blobs/sha256/$config")" "$layer" "$(stat -c %s "$layout/blobs/sha256/$layer")" > "$work/manifest"
  manifest=$(sha256sum < "$work/manifest" | cut -d' ' -f1)
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s}]}' \
    "$manifest" "$(stat -c %s "$work/manifest")" > "$layout/index.json"
  mv "$work/manifest" "$layout/blobs/sha256/$manifest"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
  tar -C "$layout" --owner=0 --group=0 -cf "$work/seed-oci-archive/1.tar" .
  mkdir -p "$work/seed-image-json"
  { printf '\000'; cat "$layout/blobs/sha256/$config"; } > "$work/seed-image-json/config"
  printf '\000{"config":{"Env":["A=1","B"],"User":"u\\u0000","Labels":[[[{}]]]},"rootfs":{"diff_ids":[]}}' > "$work/seed-image-json/bad"
  { printf '\001'; cat "$layout/index.json"; } > "$work/seed-image-json/index"
  { printf '\002'; cat "$layout/blobs/sha256/$manifest"; } > "$work/seed-image-json/manifest"
}

make_seeds
harnesses=(subid error-decode publish unpack oci-archive profile registry dbus-policy desktop-file image-json netrule dns)
echo "1..${#harnesses[@]}"
n=0
for h in "${harnesses[@]}"; do
  n=$((n + 1))
  exe=$build/tests/fuzz/fuzz-$h
  if [ ! -x "$exe" ]; then
    echo "ok $n # SKIP fuzz-$h not built (configure with -Dfuzz=true and clang)"
    continue
  fi
  mkdir -p "$work/corpus-$h"
  if (cd "$work" && ASAN_OPTIONS=detect_leaks=1 timeout $((seconds + 60)) "$exe" -max_total_time="$seconds" \
        -max_len=65536 -timeout=10 "$work/corpus-$h" "$work/seed-$h" > "$work/log-$h" 2>&1); then
    echo "ok $n - fuzz-$h: ${seconds}s, $(grep -o 'DONE.*' "$work/log-$h" | tail -1)"
  else
    echo "not ok $n - fuzz-$h found a failure"
    tail -40 "$work/log-$h" | sed 's/^/# /'
  fi
done
