# SPDX-License-Identifier: LGPL-2.1-or-later
# chaos-image.py: the image test-chaos.sh pulls, pushed to a loopback registry with its HTTP API.
#   chaos-image.py make SRC DEST MB    DEST: the OCI layout SRC (tag latest) plus a layer of
#                                      MB MiB of random bytes (/chaos/data), so that a pull
#                                      downloads for a while and shares no layer with SRC
#   chaos-image.py push LAYOUT HOSTPORT REPO TAG
import gzip, hashlib, io, json, os, sys, tarfile, urllib.request


def blob_path(layout, digest):
    return os.path.join(layout, "blobs", "sha256", digest.split(":")[1])


def read_blob(layout, digest):
    with open(blob_path(layout, digest), "rb") as f:
        return f.read()


def write_blob(layout, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(blob_path(layout, digest), "wb") as f:
        f.write(data)
    return {"digest": digest, "size": len(data)}


def make(src, dest, mb):
    index = json.load(open(os.path.join(src, "index.json")))
    entry = [m for m in index["manifests"]
             if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "latest"][0]
    manifest = json.loads(read_blob(src, entry["digest"]))
    config = json.loads(read_blob(src, manifest["config"]["digest"]))
    for l in manifest["layers"]:
        write_blob(dest, read_blob(src, l["digest"]))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = os.urandom(int(mb * 1024 * 1024))
        info = tarfile.TarInfo("chaos/data")
        info.size = len(data)
        info.mode = 0o644
        t.addfile(info, io.BytesIO(data))
    tar = buf.getvalue()
    layer = write_blob(dest, gzip.compress(tar, compresslevel=1, mtime=0))
    layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
    config["rootfs"]["diff_ids"] = config["rootfs"]["diff_ids"] + ["sha256:" + hashlib.sha256(tar).hexdigest()]
    c = write_blob(dest, json.dumps(config).encode())
    c["mediaType"] = "application/vnd.oci.image.config.v1+json"
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": c,
         "layers": manifest["layers"] + [layer]}
    top = write_blob(dest, json.dumps(m).encode())
    top["mediaType"] = m["mediaType"]
    top["annotations"] = {"org.opencontainers.image.ref.name": "latest"}
    json.dump({"schemaVersion": 2, "manifests": [top]}, open(os.path.join(dest, "index.json"), "w"))
    open(os.path.join(dest, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')


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
    put(base_url + "/manifests/" + tag, read_blob(layout, top["digest"]), top["mediaType"])


if sys.argv[1] == "make":
    make(sys.argv[2], sys.argv[3], float(sys.argv[4]))
elif sys.argv[1] == "push":
    push(*sys.argv[2:6])
else:
    sys.exit("usage: chaos-image.py make SRC DEST MB | push LAYOUT HOSTPORT REPO TAG")
