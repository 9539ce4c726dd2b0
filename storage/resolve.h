/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resolve.h: the one way an image name on the command line becomes a store image
 * (`sbx run`, `sbx spec`; later `exec` and `inspect`). */
#pragma once

#include <glib.h>
#include "registry.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct {
  SbxPullOptions pull; /* for the implicit pull of a registry-qualified name */
} SbxResolveOptions;

/* The image @name means, in this order: the embedded default image ("default"), imported
 * by sbx-import --default on first use; a name the store has; the name a pull of @name
 * stored (sbx_pull_find_local: registries.conf aliases and search registries); a name that
 * names its registry ("localhost:5000/app", "quay.io/x/y:1"), pulled now.  A short name is
 * never pulled implicitly: a typo must not reach out to docker.io.  @opts NULL: the pull
 * verifies TLS and shows its progress on stderr when that is a terminal. */
SbxImage *sbx_image_resolve (SbxStore *store, const char *name, const SbxResolveOptions *opts,
                             GError **error);

G_END_DECLS
