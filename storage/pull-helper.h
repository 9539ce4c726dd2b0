/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pull-helper.h: pulling from the sbx binary (the implicit pull of `sbx run`) by running
 * `sbx-import --pull`: libcurl, like libarchive, stays out of the run path
 * (import-helper.h says why); and finding what an earlier pull stored. */
#pragma once

#include <glib.h>
#include "registry.h"
#include "store.h"

G_BEGIN_DECLS

/* The name of the image in @store that @ref means: @ref itself, else the full name a pull
 * of @ref would store (registries.conf: aliases, then the search registries in order).
 * NULL when the store has none. */
char *sbx_pull_find_local (SbxStore *store, const char *ref);

/* Pulls @ref into the store (sbx-import --pull), showing progress on our stderr when it is a
 * terminal and !@options->quiet.  *out_name: the name it is stored under
 * ("localhost:5000/x:latest").  The helper's one-line error becomes @error. */
gboolean sbx_pull_image (SbxStore *store, const char *ref, const SbxPullOptions *options,
                         char **out_name, GError **error);

G_END_DECLS
