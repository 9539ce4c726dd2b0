#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-image.sh: sbx image import (oci:, oci-archive:, docker-archive:), image ls (-q),
# image rm, re-import, layers shared between images and garbage-collected with the last user,
# and failed imports leaving the store unchanged.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init
if ! need busybox; then
  skip "image tests" "$SKIP_REASON"
  done_testing
fi

hex64='^[0-9a-f]{64}$'

# --- oci: --------------------------------------------------------------------------------------
run_sbx image import "oci:$F/busybox:latest" bb
rc_is 0 "import oci:DIR:latest exits 0"
like "$OUT" "$hex64" "import prints the image id (64 hex)"
bb_id=$OUT
is "$ERR" "" "import writes nothing on stderr"

run_sbx image ls
rc_is 0 "image ls exits 0"
is "$(printf '%s\n' "$OUT" | head -n1 | awk '{ $1 = $1; print }')" "NAME ID CREATED SIZE" "image ls header is NAME ID CREATED SIZE"
row=$(printf '%s\n' "$OUT" | awk '$1 == "bb"')
is "$(count_lines "$OUT")" "2" "image ls: the header and one image line"
is "$(printf '%s\n' "$row" | awk '{ print $2 }')" "${bb_id:0:12}" "image ls: the id column is the first 12 hex of the imported id"

run_sbx image ls -q
is "$OUT" "bb" "image ls -q prints only the name"

run_sbx run bb
is "$OUT" "hello from image" "the oci: import runs"

run_sbx image import "oci:$F/busybox:latest" bb
is "$OUT" "$bb_id" "re-importing the same source gives the same id"
run_sbx image ls -q
is "$OUT" "bb" "re-importing under the same name keeps a single record"
is "$(store_layer_dirs | wc -l)" "1" "the busybox image has one layer in the store"

run_sbx image import "oci:$F/busybox:ep" bb
isnt "$OUT" "$bb_id" "importing another image under the same name gives another id"
run_sbx run bb
is "$OUT" "ep: default-arg" "the name now refers to the newly imported image"
run_sbx image ls -q
is "$OUT" "bb" "still a single record after replacing it"

run_sbx image import "oci:$F/busybox:no-such-tag" x
check_sbx_error "import of a missing tag" 'no-such-tag'

# --- oci-archive: ------------------------------------------------------------------------------
run_sbx image import "oci-archive:$F/busybox.oci.tar:latest" bb-archive
rc_is 0 "import oci-archive:FILE:latest exits 0"
is "$OUT" "$bb_id" "the oci-archive import has the id of the same image from oci:"
run_sbx run bb-archive
is "$OUT" "hello from image" "the oci-archive import runs"

# --- docker-archive: ---------------------------------------------------------------------------
if need busybox.docker.tar; then
  run_sbx image import "docker-archive:$F/busybox.docker.tar" bb-docker
  rc_is 0 "import docker-archive:FILE NAME exits 0"
  like "$OUT" "$hex64" "docker-archive import prints an id"
  run_sbx run bb-docker
  is "$OUT" "hello from image" "the docker-archive import runs with the image's Cmd"
  run_sbx run bb-docker sh -c 'echo $FOO; pwd'
  is "$OUT" "bar
/srv" "the docker-archive import keeps Env and WorkingDir"
  before_layers=$(store_layer_dirs | wc -l)
  run_sbx image import "docker-archive:$F/busybox.docker.tar"
  rc_is 0 "import docker-archive:FILE without a name exits 0"
  run_sbx image ls -q
  like "$OUT" '^(localhost/)?busybox(:latest)?$' "without a name, the docker-archive's RepoTags name it (busybox:latest)"
  is "$(store_layer_dirs | wc -l)" "$before_layers" "the docker-archive shares its layer (same diff_id) with the oci import"
else
  skip "docker-archive import" "$SKIP_REASON"
fi

# --- rm, shared layers, garbage collection -----------------------------------------------------
for n in $(store_names); do run_sbx image rm "$n"; done
run_sbx image ls -q
is "$OUT" "" "image rm of every image empties the list"
is "$(store_layer_dirs)" "" "no layer is left once no image uses it"
blobs_left=$(find "$STORE/blobs" -type f 2>/dev/null | wc -l)
is "$blobs_left" "0" "no blob is left once no image uses it"

if need multilayer; then
  setup_image busybox bb
  run_sbx image import "oci:$F/multilayer:latest" ml
  rc_is 0 "import of the three-layer image"
  is "$(store_layer_dirs | wc -l)" "3" "busybox + multilayer store 3 layers (the base layer is shared)"
  run_sbx image ls -q
  is "$OUT" "bb
ml" "image ls -q lists both, sorted by name"
  run_sbx image rm bb
  rc_is 0 "image rm bb"
  is "$(store_layer_dirs | wc -l)" "3" "removing bb keeps the base layer multilayer still uses"
  run_sbx run ml sh -c 'cat /a/keep; /bin/busybox true && echo base-ok'
  is "$OUT" "keep
base-ok" "multilayer still runs after removing the image it shares its base with"
  run_sbx run bb true
  check_sbx_error "the removed image is gone" "bb"
  run_sbx image rm ml
  is "$(store_layer_dirs)" "" "removing the last image removes all its layers"
else
  skip "shared layer tests" "$SKIP_REASON"
fi

run_sbx image import "oci:$F/busybox:latest" a
run_sbx image import "oci:$F/busybox:latest" b
run_sbx image rm a b
rc_is 0 "image rm with two names"
run_sbx image ls -q
is "$OUT" "" "image rm NAME NAME removes both"

# --- failed imports leave nothing behind -------------------------------------------------------
# The baseline image shares no layer with busybox, so the broken busybox layouts below cannot
# be satisfied from layers already in the store.
if need hostile-digest-intact; then
  setup_image hostile-digest-intact keep
fi
ls_before=$(store_names)
layers_before=$(store_layer_dirs)
is "$(store_layer_dirs | wc -l)" "1" "failed-import baseline: one unrelated layer in the store"
mkdir -p "$W/broken-layer" "$W/broken-config"
cp -a "$F/busybox/." "$W/broken-layer/"
cp -a "$F/busybox/." "$W/broken-config/"
# a layout whose manifest points to a missing layer blob
rm -f "$(find "$W/broken-layer/blobs/sha256" -type f -size +100k | head -n1)"
run_sbx image import "oci:$W/broken-layer:latest" broken
check_sbx_error "import of a layout with a missing layer blob"
is "$(store_names)" "$ls_before" "the failed import (missing layer blob) left image ls unchanged"
is "$(store_layer_dirs)" "$layers_before" "the failed import (missing layer blob) left no layer directory"
is "$(ls -A "$STORE/tmp" 2>/dev/null)" "" "the failed import (missing layer blob) left nothing in the store's tmp/"
# a layout whose config blob is missing
cfg=$(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]+"/index.json")); m=[x for x in i["manifests"] if x.get("annotations",{}).get("org.opencontainers.image.ref.name")=="latest"][0]; print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m["digest"][7:]))["config"]["digest"][7:])' "$W/broken-config" 2>/dev/null)
if [ -n "$cfg" ]; then
  rm -f "$W/broken-config/blobs/sha256/$cfg"
  run_sbx image import "oci:$W/broken-config:latest" broken
  check_sbx_error "import of a layout with a missing config blob"
  is "$(store_names)" "$ls_before" "the failed import (missing config) left image ls unchanged"
  is "$(store_layer_dirs)" "$layers_before" "the failed import (missing config) left no layer directory"
else
  skip "import of a layout with a missing config blob" "python3 not found (install python3)"
fi

run_sbx image import "oci:$F/busybox:latest" '../evil'
check_sbx_error "import under an invalid name (../evil)"
run_sbx image import "oci:$F/busybox:latest" ''
check_sbx_error "import under an empty name"
is "$(store_names)" "$ls_before" "invalid names left image ls unchanged"

# the name column holds long names intact
run_sbx image import "oci:$F/busybox:latest" localhost:5000/some/app:1.0
rc_is 0 "import under a registry-style name"
run_sbx image ls
like "$OUT" '^localhost:5000/some/app:1\.0[[:space:]]+[0-9a-f]{12}[[:space:]]' "image ls shows the registry-style name and the short id"

done_testing
