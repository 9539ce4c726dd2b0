#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# oci-layout.py: small OCI layout tools for test-pull.sh, test-chaos.sh and test-rootfs.sh.
#   oci-layout.py multiarch SRC DEST        busybox + an /arch layer, for amd64 and arm64, under an index
#   oci-layout.py extra SRC DEST MB TEXT    busybox + a layer /fake/data (MB of random bytes) + /fake/hello
#   oci-layout.py etcfiles SRC DEST        busybox + a layer with the /etc files sbx writes made awkward:
#                                           hosts a symlink, hostname a file, resolv.conf a directory
#   oci-layout.py push LAYOUT HOSTPORT REPO TAG   push blobs and manifests (an index too) with the HTTP API
import gzip, hashlib, io, json, os, sys, tarfile, urllib.request

def blob_path(layout, digest):
    return os.path.join(layout, "blobs", "sha256", digest.split(":")[1])

def read_blob(layout, digest):
    with open(blob_path(layout, digest), "rb") as f:
        return f.read()

def write_blob(layout, data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(blob_path(layout, d), "wb") as f:
        f.write(data)
    return {"digest": d, "size": len(data)}

def base(src):
    index = json.load(open(os.path.join(src, "index.json")))
    entry = [m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "latest"][0]
    manifest = json.loads(read_blob(src, entry["digest"]))
    config = json.loads(read_blob(src, manifest["config"]["digest"]))
    return manifest, config

def layer_tar(files):
    """(name, bytes) is a file; (name, ("symlink", target)) and (name, ("dir",)) what they say."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            if isinstance(data, tuple) and data[0] == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, data[1]
                t.addfile(info)
            elif isinstance(data, tuple):
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                t.addfile(info)
            else:
                info.size = len(data)
                info.mode = 0o644
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()

def copy_base(src, dest, manifest):
    for d in [manifest["config"]["digest"]] + [l["digest"] for l in manifest["layers"]]:
        write_blob(dest, read_blob(src, d))

def derive(src, dest, files, arch="amd64"):
    manifest, config = base(src)
    copy_base(src, dest, manifest)
    tar = layer_tar(files)
    gz = gzip.compress(tar, mtime=0)
    layer = write_blob(dest, gz)
    layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
    config = dict(config)
    config["architecture"] = arch
    config["rootfs"] = {"type": "layers", "diff_ids": config["rootfs"]["diff_ids"] + ["sha256:" + hashlib.sha256(tar).hexdigest()]}
    c = write_blob(dest, json.dumps(config).encode())
    c["mediaType"] = "application/vnd.oci.image.config.v1+json"
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": c,
         "layers": manifest["layers"] + [layer]}
    d = write_blob(dest, json.dumps(m).encode())
    d["mediaType"] = m["mediaType"]
    return d

def write_index(dest, top):
    top = dict(top)
    top["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    json.dump({"schemaVersion": 2, "manifests": [top]}, open(os.path.join(dest, "index.json"), "w"))
    open(os.path.join(dest, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')

def multiarch(src, dest):
    entries = []
    for arch in ("arm64", "amd64"):
        d = derive(src, dest, [("arch", (arch + "\n").encode())], arch)
        d["platform"] = {"os": "linux", "architecture": arch}
        entries.append(d)
    idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
    top = write_blob(dest, json.dumps(idx).encode())
    top["mediaType"] = idx["mediaType"]
    write_index(dest, top)

def extra(src, dest, mb, text):
    files = [("fake/data", os.urandom(int(mb * 1024 * 1024))), ("fake/hello", (text + "\n").encode())]
    write_index(dest, derive(src, dest, files))

def etcfiles(src, dest):
    files = [("etc/hosts", ("symlink", "/etc/hosts-target")), ("etc/hostname", b"from-the-image\n"),
             ("etc/resolv.conf", ("dir",)), ("etc/resolv.conf/kept", b"kept\n")]
    write_index(dest, derive(src, dest, files))

def put(url, data, ctype):
    req = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": ctype})
    urllib.request.urlopen(req, timeout=30).read()

def push(layout, hostport, repo, tag):
    base_url = "http://%s/v2/%s" % (hostport, repo)
    for name in os.listdir(os.path.join(layout, "blobs", "sha256")):
        data = open(os.path.join(layout, "blobs", "sha256", name), "rb").read()
        req = urllib.request.Request(base_url + "/blobs/uploads/", data=b"", method="POST")
        loc = urllib.request.urlopen(req, timeout=30).headers["Location"]
        if loc.startswith("/"):
            loc = "http://" + hostport + loc
        put(loc + ("&" if "?" in loc else "?") + "digest=sha256:" + name, data, "application/octet-stream")
    top = json.load(open(os.path.join(layout, "index.json")))["manifests"][0]
    if "index" in top["mediaType"]:
        for m in json.loads(read_blob(layout, top["digest"]))["manifests"]:
            put(base_url + "/manifests/" + m["digest"], read_blob(layout, m["digest"]), m["mediaType"])
    put(base_url + "/manifests/" + tag, read_blob(layout, top["digest"]), top["mediaType"])

cmd = sys.argv[1]
if cmd == "multiarch":
    multiarch(sys.argv[2], sys.argv[3])
elif cmd == "extra":
    extra(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
elif cmd == "etcfiles":
    etcfiles(sys.argv[2], sys.argv[3])
elif cmd == "push":
    push(*sys.argv[2:6])
