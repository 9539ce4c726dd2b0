/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store.h: the image store: its on-disk layout, its locks, and image records.
 *
 * Layout under the root ($XDG_DATA_HOME/sbx, default ~/.local/share/sbx):
 *   lock                      flock: LOCK_SH to read records, LOCK_EX to change them
 *   images.json               the image records (name -> manifest, config, layers), replaced atomically
 *   blobs/sha256/<hex>        config and manifest blobs, verified by digest
 *   layers/<hex>/             unpacked layers, <hex> = the layer's diff_id (sha256 of the tar), verified
 *   layers/<hex>.lock         flock: a running sandbox holds LOCK_SH; removal needs LOCK_EX|LOCK_NB
 *   tmp/                      staging; anything here is garbage once no sbx holds `lock`
 *   mnt/                      empty directory a sandbox mounts its private tmpfs on (inside its own mount ns)
 *
 * Anything under layers/ and blobs/ appears only by rename() of a complete, verified
 * staging copy, so a killed import never leaves a half-written layer a run could use.
 * Files in layers/ are owned by the ids of the store's user namespace (caller -> 0,
 * subuids -> 1..N): writing or removing them needs that namespace (see userns.h). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct SbxStore SbxStore;

typedef struct {
  char *name;            /* local name, e.g. "busybox" or "localhost:5000/app:1" */
  char *id;              /* hex sha256 of the config blob (no "sha256:" prefix) */
  char *manifest_digest; /* "sha256:<hex>" */
  char **layers;         /* diff_ids "sha256:<hex>", bottom layer first, NULL-terminated */
  char **entrypoint;     /* from the image config, NULL when unset */
  char **cmd;            /* from the image config, NULL when unset */
  char **env;            /* "KEY=VALUE" from the image config, never NULL */
  char *working_dir;     /* NULL when unset */
  char *user;            /* "uid[:gid]" or "name[:group]", NULL when unset */
  gint64 created;        /* unix time the image was imported */
  guint64 size;          /* bytes of unpacked layers (approximate, from the import) */
} SbxImage;

void sbx_image_free (SbxImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxImage, sbx_image_free)
/* A deep copy of @image, checked as its record would be when loaded. */
SbxImage *sbx_image_copy (const SbxImage *image, GError **error);

/* Opens (creating if needed) the store at @root, or the default location when NULL. */
SbxStore *sbx_store_open (const char *root, GError **error);
void sbx_store_free (SbxStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxStore, sbx_store_free)

const char *sbx_store_get_root (SbxStore *store);

/* Absolute path of the unpacked layer with @diff_id ("sha256:<hex>"). */
char *sbx_store_layer_path (SbxStore *store, const char *diff_id);

/* Path of the empty directory a sandbox mounts its private tmpfs on. */
char *sbx_store_mount_dir (SbxStore *store);

/* Checks an image name: 1-255 chars of [A-Za-z0-9._-/:@], starting alphanumeric,
 * no "..", no "//". */
gboolean sbx_store_check_name (const char *name, GError **error);

SbxImage *sbx_store_load_image (SbxStore *store, const char *name, GError **error);
gboolean sbx_store_has_image (SbxStore *store, const char *name);
/* Images sorted by name. */
GPtrArray *sbx_store_list_images (SbxStore *store, GError **error);
/* Removes the record, then every layer and blob no other image uses and no sandbox holds. */
gboolean sbx_store_remove_image (SbxStore *store, const char *name, GError **error);

/* Removes what no image and no named sandbox uses (layers, blobs, leftovers of killed
 * imports in tmp/), never a layer a running sandbox holds.  With @all, also the images no
 * named sandbox was made from; their names are added to @out_removed (may be NULL).  The
 * caller is in the store's user namespace. */
gboolean sbx_store_prune (SbxStore *store, gboolean all, GPtrArray *out_removed, GError **error);

/* Space used, in bytes (the caller is in the store's user namespace to see every file). */
typedef struct {
  guint n_images, n_layers, n_sandboxes;
  guint64 layers;        /* layers/ */
  guint64 layers_unused; /* layers no image or sandbox uses (what prune frees) */
  guint64 blobs;         /* blobs/ */
  guint64 sandboxes;     /* sandboxes/: the named sandboxes' files */
  guint64 tmp;           /* tmp/: stagings, partial downloads */
} SbxStoreUsage;
gboolean sbx_store_usage (SbxStore *store, SbxStoreUsage *out, GError **error);
/* Bytes of disk used by the files under @path (not following symlinks, each inode once). */
guint64 sbx_disk_usage (const char *path);

/* A lease keeps an image's layers from removal while a sandbox uses them
 * (shared flocks on layers/<hex>.lock, close-on-exec). */
typedef struct SbxStoreLease SbxStoreLease;
SbxStoreLease *sbx_store_lease_image (SbxStore *store, const SbxImage *image, GError **error);
void sbx_store_lease_free (SbxStoreLease *lease);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxStoreLease, sbx_store_lease_free)

G_END_DECLS
