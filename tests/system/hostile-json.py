#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hostile-json.py: hand-assembled OCI layouts whose JSON is hostile, for test-hostile.sh.

  hostile-json.py DIR   writes DIR/<case>/ (an OCI layout, tag "latest") for each case
                        and prints "<case> <ERE the one-line error must match>" per line.

One empty layer each; only the JSON differs: nesting 100,000 levels deep (config, manifest,
index.json), a manifest whose mediaType says index and an index that says manifest, a
manifest with both "layers" and "manifests", \\u0000 in Env, User, Cmd, Entrypoint,
WorkingDir, and an Env entry without '='.  "good" is the control: it must import."""
import hashlib
import json
import os
import sys

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
DEEP = 100000


def deep(n):
    return "[" * n + "]" * n


def blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def config_text(layer_tar, runtime=None, raw_runtime=None):
    diff_id = "sha256:" + hashlib.sha256(layer_tar).hexdigest()
    rt = raw_runtime if raw_runtime is not None else json.dumps(runtime or {"Cmd": ["/bin/sh"]})
    return ('{"architecture":"%s","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["%s"]}}'
            % (host_arch(), rt, diff_id)).encode()


def host_arch():
    m = os.uname().machine
    return {"x86_64": "amd64", "aarch64": "arm64", "i686": "386", "armv7l": "arm"}.get(m, m)


def write_layout(layout, manifest_text, index_entry_type=OCI_MANIFEST, index_text=None):
    os.makedirs(layout, exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    m = blob(layout, manifest_text)
    entry = dict(mediaType=index_entry_type, annotations={"org.opencontainers.image.ref.name": "latest"}, **m)
    text = index_text if index_text is not None else json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}).encode()
    with open(os.path.join(layout, "index.json"), "wb") as f:
        f.write(text)


def manifest_text(layout, layer_tar, config, extra=None, media_type=OCI_MANIFEST):
    c = blob(layout, config)
    l = blob(layout, layer_tar)
    doc = {"schemaVersion": 2, "mediaType": media_type,
           "config": dict(mediaType=OCI_CONFIG, **c), "layers": [dict(mediaType=OCI_LAYER, **l)]}
    doc.update(extra or {})
    return json.dumps(doc).encode()


def nul_case(field, value):
    rt = {"Cmd": ["/bin/sh"], field: value}
    return json.dumps(rt).replace("NUL", "\\u0000")


def build(top, name, layer):
    layout = os.path.join(top, name)
    os.makedirs(layout, exist_ok=True)
    good = config_text(layer)
    if name == "good":
        write_layout(layout, manifest_text(layout, layer, good))
    elif name == "deep-config":
        write_layout(layout, manifest_text(layout, layer, config_text(layer, raw_runtime='{"Labels":%s}' % deep(DEEP))))
    elif name == "deep-manifest":
        text = manifest_text(layout, layer, good)[:-1] + (',"annotations":{"x":%s}}' % deep(DEEP)).encode()
        write_layout(layout, text)
    elif name == "deep-index":
        write_layout(layout, manifest_text(layout, layer, good),
                     index_text=('{"schemaVersion":2,"manifests":%s}' % deep(DEEP)).encode())
    elif name == "manifest-says-index":
        write_layout(layout, manifest_text(layout, layer, good, media_type=OCI_INDEX))
    elif name == "index-says-manifest":
        inner = manifest_text(layout, layer, good)
        m = blob(layout, inner)
        entry = dict(mediaType=OCI_MANIFEST, platform={"os": "linux", "architecture": host_arch()}, **m)
        nested = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "manifests": [entry]}).encode()
        write_layout(layout, nested, index_entry_type=OCI_INDEX)
    elif name == "ambiguous":
        write_layout(layout, manifest_text(layout, layer, good, extra={"manifests": []}))
    elif name.startswith("nul-"):
        field = {"env": "Env", "user": "User", "cmd": "Cmd", "entrypoint": "Entrypoint",
                 "workingdir": "WorkingDir"}[name[4:]]
        value = {"Env": ["PATH=/bin", "A=1NULB=2"], "User": "rootNUL0", "Cmd": ["/bin/shNUL", "-c"],
                 "Entrypoint": ["/bin/shNUL"], "WorkingDir": "/tmpNUL/x"}[field]
        write_layout(layout, manifest_text(layout, layer, config_text(layer, raw_runtime=nul_case(field, value))))
    elif name == "env-no-equals":
        write_layout(layout, manifest_text(layout, layer, config_text(layer, {"Env": ["PATH=/bin", "JUSTANAME"]})))


CASES = [
    ("good", ""),
    ("deep-config", "image config.*nested deeper"),
    ("deep-manifest", "manifest.*nested deeper"),
    ("deep-index", "index.json.*nested deeper"),
    ("manifest-says-index", "manifest.*mediaType.*not an image manifest"),
    ("index-says-manifest", "mediaType.*not an image index"),
    ("ambiguous", "manifests.*layers.*ambiguous"),
    ("nul-env", "image config.*\"Env\".*NUL"),
    ("nul-user", "image config.*\"User\".*NUL"),
    ("nul-cmd", "image config.*\"Cmd\".*NUL"),
    ("nul-entrypoint", "image config.*\"Entrypoint\".*NUL"),
    ("nul-workingdir", "image config.*\"WorkingDir\".*NUL"),
    ("env-no-equals", "image config.*Env entry.*JUSTANAME"),
]


def main(argv):
    top = argv[1]
    layer = bytes(1024)   # an empty tar: two zero blocks
    for name, regex in CASES:
        build(top, name, layer)
        print(name, regex)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
