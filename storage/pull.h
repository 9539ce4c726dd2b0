/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pull.h: pulling an image from a registry into the store (inside sbx-import).
 *
 * sbx_pull_fetch() resolves the reference (registries.conf), fetches the manifest (an
 * index: the host's platform), the config and the layers (up to 3 at once) into a staging
 * OCI image layout under the store's tmp/; sbx_pull_commit() imports that layout with
 * sbx_store_import(), the same path as `sbx image import oci:...`.
 *
 * Downloads go to tmp/pull/<hex>.partial under an exclusive flock on tmp/pull/<hex>.lock,
 * are checked for size and sha256, and only then renamed to tmp/pull/<hex> and hard-linked
 * into the staging layout.  A killed or failed pull leaves at most a .partial (never
 * renamed before it is verified); the next pull of the blob resumes it with a Range request
 * (or starts over when the server ignores the range) and verifies the whole file either
 * way.  A second pull of the same blob waits on the lock and reuses the verified file, or
 * the layer the first pull put in the store.  Verified blobs leave tmp/pull when the pull
 * that linked them ends, committed or failed (a killed pull's stay, and the next reuses
 * them); so between pulls tmp/pull holds only .partial files and their locks. */
#pragma once

#include <glib.h>
#include "registry.h"
#include "store.h"
#include "unpack.h"

G_BEGIN_DECLS

typedef struct SbxPull SbxPull;

SbxPull *sbx_pull_fetch (SbxStore *store, const char *ref, const SbxPullOptions *options, GError **error);
/* The store name the image gets: the full reference, e.g. "localhost:5000/x:latest". */
const char *sbx_pull_get_name (SbxPull *pull);
SbxImage *sbx_pull_commit (SbxPull *pull, SbxUnpackFlags flags, GError **error);
void sbx_pull_free (SbxPull *pull);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxPull, sbx_pull_free)

G_END_DECLS
