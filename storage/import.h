/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* import.h: bringing an image into the store from a local source.
 *
 * Sources:
 *   oci:DIR[:TAG]             an OCI image layout (umoci, skopeo copy ... oci:DIR:TAG)
 *   oci-archive:FILE[:TAG]    a tar of an OCI image layout
 *   docker-archive:FILE[:N]   `docker save` / `skopeo copy ... docker-archive:` output
 * Every blob is verified against its digest; every layer's uncompressed stream
 * against its diff_id; nothing is renamed into the store before it is verified. */
#pragma once

#include <glib.h>
#include "store.h"
#include "unpack.h"

G_BEGIN_DECLS

/* Imports @source as @name (NULL: the tag or RepoTags name the source carries;
 * an error if it carries none).  Replaces an existing record of the same name.
 * Returns the stored image. */
SbxImage *sbx_store_import (SbxStore *store, const char *source, const char *name,
                            SbxUnpackFlags flags, GError **error);

G_END_DECLS
