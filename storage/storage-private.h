/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* storage-private.h: helpers shared by store.c, unpack.c, import.c and registry.c, not part
 * of the API.
 *
 * Implemented in registry.c: the index and manifest media types.  Implemented in store.c:
 * digests, the store's locks, staging directories, and the commit of an imported image.
 * Implemented in unpack.c: the no-follow filesystem primitives (openat2 beneath a root,
 * recursive removal of a hostile tree). */
#pragma once

#include <glib.h>
#include <jansson.h>
#include "store.h"
#include "rm-tree.h"

G_BEGIN_DECLS

#define SBX_DIGEST_HEX_LEN 64

/* TRUE when @digest is exactly "sha256:" followed by 64 lowercase hex digits. */
gboolean sbx_digest_is_valid (const char *digest);
/* Sets SBX_ERROR_BAD_IMAGE naming @what unless @digest is valid. */
gboolean sbx_digest_check (const char *digest, const char *what, GError **error);
/* Sets SBX_ERROR_BAD_IMAGE with the formatted message.  Returns FALSE. */
gboolean sbx_bad_image (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* The hex part of a valid digest (points into @digest). */
const char *sbx_digest_hex (const char *digest);

/* --- registry.c --- */

/* TRUE for an OCI image index or a Docker manifest list (@media_type may be NULL). */
gboolean sbx_media_type_is_index (const char *media_type);
/* TRUE for an OCI image manifest or a Docker v2 manifest (@media_type may be NULL). */
gboolean sbx_media_type_is_manifest (const char *media_type);

/* Refuses a manifest or index whose shape and "mediaType" disagree (@expect_index: what
 * the referring descriptor or the context says it is): "manifests" beside "layers" or
 * "config" (ambiguous), a "mediaType" of the other kind, or an index carrying "layers"
 * (a manifest carrying "manifests").  The error names @what and the field. */
gboolean sbx_manifest_check_shape (json_t *object, gboolean expect_index, const char *what, GError **error);

/* --- import.c --- */

/* The image config @config: Entrypoint, Cmd, Env (each entry NAME=VALUE), WorkingDir and
 * User into @image, and rootfs.diff_ids into @image->layers.  SBX_ERROR_BAD_IMAGE naming the
 * field for anything malformed (nesting, NUL characters, types). */
gboolean sbx_image_config_parse (GBytes *config, SbxImage *image, GError **error);

/* --- store.c --- */

/* An optional array of strings (NULL when absent or null); FALSE for another type. */
gboolean sbx_json_object_get_strv (json_t *object, const char *member, char ***out_strv);
/* An optional string member; NULL when absent or not a string. */
char *sbx_json_object_dup_string (json_t *object, const char *member);

/* An image record as images.json holds it, and back (checked as strictly as an import). */
json_t *sbx_image_to_json (const SbxImage *image);
SbxImage *sbx_image_from_json (json_t *node, GError **error);

/* Opens `lock` and takes flock(@operation); returns the fd, or -1 with @error set. */
int sbx_store_lock (SbxStore *store, int operation, GError **error);

/* When layers/<hex> exists: opens layers/<hex>.lock, takes LOCK_SH (no rm removes the
 * layer while the fd stays open), sets *out_present and returns the fd.  When it does
 * not: -1, *out_present FALSE, no error.  On failure: -1 with @error set. */
int sbx_store_lock_layer_shared (SbxStore *store, const char *diff_id,
                                 gboolean *out_present, GError **error);

/* A private directory under tmp/, flock'ed through tmp/<name>.lock while it lives. */
typedef struct {
  char *path;
  int lock_fd;
  char *lock_path;
} SbxStaging;

/* Removes garbage left in tmp/ by killed imports and removals (never a live staging). */
void sbx_store_clean_tmp (SbxStore *store);
SbxStaging *sbx_store_staging_new (SbxStore *store, GError **error);
/* Removes the directory (failures are only logged) and drops the lock. */
void sbx_staging_free (SbxStaging *staging);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxStaging, sbx_staging_free)

/* One verified layer of an import: @staged_path is NULL when the store already
 * had the layer (and the import holds its shared lock). */
typedef struct {
  char *diff_id;
  char *staged_path;
} SbxStagedLayer;

/* Under LOCK_EX: renames the staged layers into layers/ (a copy found already
 * there wins), stores the blobs, replaces the record named @image->name. */
gboolean sbx_store_commit_image (SbxStore *store, const SbxImage *image,
                                 GBytes *manifest, GBytes *config,
                                 SbxStagedLayer *layers, guint n_layers,
                                 GError **error);

/* --- unpack.c --- */

/* openat2(@dirfd, @path, @flags, RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS, plus
 * RESOLVE_NO_SYMLINKS when @no_symlinks).  Returns the fd or -1 with errno set. */
int sbx_openat_beneath (int dirfd, const char *path, int flags, gboolean no_symlinks);

/* --- safe-fs.c: the store's own files, never through a symlink --- */

/* Opens @rel beneath the directory @root (which may itself be reached through symlinks,
 * as a home directory may) with @flags, following no symlink on the way: one planted in
 * the store (a sandbox directory, its upper/, a layer...) is refused with one line.  Other
 * failures are G_FILE_ERROR (G_FILE_ERROR_NOENT when missing).  The fd, or -1. */
int sbx_store_open_beneath (const char *root, const char *rel, int flags, GError **error);

/* The contents of the regular file @rel beneath @root (as sbx_store_open_beneath), at most
 * @max bytes. */
GBytes *sbx_store_read_beneath (const char *root, const char *rel, gsize max, GError **error);

G_END_DECLS
