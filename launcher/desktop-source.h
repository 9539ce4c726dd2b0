/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-source.h: an app's files as its sandbox would see them, read from outside for its
 * menu launcher: the host's (image "host": the host's /) or an image's unpacked layers in the
 * store, top layer first.  Whiteouts (0:0 character devices) and opaque directories
 * (user./trusted.overlay.opaque) of the layers are honoured.  Every path is resolved with
 * openat2 RESOLVE_IN_ROOT inside its own layer: a symlink never leads out of the layer (nor
 * into another one: a symlink to a file a lower layer holds is not found, a known limit). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct SbxAppFiles SbxAppFiles;

/* The files of @image ("host", or an image in the default store, whose layers it leases). */
SbxAppFiles *sbx_app_files_open (const char *image, GError **error);
void sbx_app_files_free (SbxAppFiles *files);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxAppFiles, sbx_app_files_free)

/* "the host" or "image 'NAME'", for messages. */
const char *sbx_app_files_describe (SbxAppFiles *files);

/* The contents of regular file @path (relative to /, e.g. "usr/share/applications/x.desktop"):
 * TRUE with *out_bytes NULL when there is none; FALSE with @error when it is larger than
 * @max bytes or cannot be read. */
gboolean sbx_app_files_read (SbxAppFiles *files, const char *path, gsize max, GBytes **out_bytes,
                             GError **error);

/* The names in directory @path, merged over the layers, sorted (at most a few thousand). */
GPtrArray *sbx_app_files_list (SbxAppFiles *files, const char *path);

G_END_DECLS
