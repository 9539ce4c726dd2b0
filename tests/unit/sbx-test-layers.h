/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sbx-test-layers.h: test helpers building layer tars (libarchive write API) and OCI
 * layouts in memory and on disk, so the storage tests need nothing external.
 * Header-only (static functions): included by test-unpack.c, test-store.c, test-import.c. */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage-private.h"
#include "unpack.h"

typedef struct {
  const char *path;
  unsigned type;     /* AE_IFREG (default), AE_IFDIR, AE_IFLNK, AE_IFIFO, AE_IFCHR */
  unsigned mode;     /* permission bits, default 0644 / 0755 */
  gboolean no_perms; /* mode 0000 */
  const char *data;  /* regular file contents */
  gsize size;        /* of data when it is binary (0: strlen) */
  const char *symlink;
  const char *hardlink;
  gint64 uid, gid;
  gint64 mtime;
  const char *xattr_name, *xattr_value;
} TestEntry;

static inline la_ssize_t
test_tar_write_cb (struct archive *a, void *user_data, const void *buffer, size_t length)
{
  g_byte_array_append (user_data, buffer, length);
  return (la_ssize_t) length;
}

static inline struct archive *
test_archive_writer (GByteArray *out, const char *filter, gboolean raw)
{
  struct archive *a = archive_write_new ();

  if (raw)
    g_assert_cmpint (archive_write_set_format_raw (a), ==, ARCHIVE_OK);
  else
    g_assert_cmpint (archive_write_set_format_pax_restricted (a), ==, ARCHIVE_OK);
  /* No time in the gzip header: the same data compressed twice is the same blob (a test that
   * compressed a layer again a second later got another digest). */
  if (g_strcmp0 (filter, "gzip") == 0)
    g_assert_cmpint (archive_write_add_filter_gzip (a) == ARCHIVE_OK &&
                       archive_write_set_filter_option (a, "gzip", "timestamp", NULL) == ARCHIVE_OK,
                     ==, TRUE);
  else if (g_strcmp0 (filter, "zstd") == 0)
    g_assert_cmpint (archive_write_add_filter_zstd (a), ==, ARCHIVE_OK);
  archive_write_set_bytes_in_last_block (a, 1);
  g_assert_cmpint (archive_write_open (a, out, NULL, test_tar_write_cb, NULL), ==, ARCHIVE_OK);
  return a;
}

/* An uncompressed tar of @entries (terminated by an entry with path NULL). */
static inline GBytes *
test_tar (const TestEntry *entries)
{
  GByteArray *out = g_byte_array_new ();
  struct archive *a = test_archive_writer (out, NULL, FALSE);

  for (const TestEntry *e = entries; e->path != NULL; e++)
    {
      struct archive_entry *entry = archive_entry_new ();
      unsigned type = e->type ? e->type : AE_IFREG;
      size_t size = (type == AE_IFREG && e->data && !e->hardlink) ? (e->size ? e->size : strlen (e->data)) : 0;

      archive_entry_set_pathname (entry, e->path);
      archive_entry_set_filetype (entry, type);
      archive_entry_set_perm (entry, e->no_perms ? 0 : e->mode ? e->mode
                                                               : (type == AE_IFDIR ? 0755 : 0644));
      archive_entry_set_uid (entry, e->uid);
      archive_entry_set_gid (entry, e->gid);
      archive_entry_set_mtime (entry, e->mtime ? e->mtime : 1000000000, 0);
      archive_entry_set_size (entry, size);
      if (e->symlink)
        archive_entry_set_symlink (entry, e->symlink);
      if (e->hardlink)
        archive_entry_set_hardlink (entry, e->hardlink);
      if (e->xattr_name)
        archive_entry_xattr_add_entry (entry, e->xattr_name, e->xattr_value, strlen (e->xattr_value));
      g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
      if (size > 0)
        g_assert_cmpint (archive_write_data (a, e->data, size), ==, (la_ssize_t) size);
      archive_entry_free (entry);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  return g_byte_array_free_to_bytes (out);
}

/* @data compressed with @filter ("gzip", "zstd"; NULL: a copy). */
static inline GBytes *
test_compress (GBytes *data, const char *filter)
{
  GByteArray *out;
  struct archive *a;
  struct archive_entry *entry;
  gsize size;
  const void *bytes = g_bytes_get_data (data, &size);

  if (filter == NULL)
    return g_bytes_ref (data);
  out = g_byte_array_new ();
  a = test_archive_writer (out, filter, TRUE);
  entry = archive_entry_new ();
  archive_entry_set_pathname (entry, "data");
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_size (entry, size);
  g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (a, bytes, size), ==, (la_ssize_t) size);
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  archive_entry_free (entry);
  return g_byte_array_free_to_bytes (out);
}

static inline char *
test_digest (GBytes *data)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  return g_strconcat ("sha256:", hex, NULL);
}

static inline char *
test_write (const char *dir, const char *name, GBytes *data)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data), &error);
  g_assert_no_error (error);
  return path;
}

static inline char *
test_write_string (const char *dir, const char *name, const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  return test_write (dir, name, bytes);
}

/* Writes @data as blobs/sha256/<hex> of layout @dir; returns its descriptor JSON. */
static inline char *
test_add_blob (const char *dir, const char *media_type, GBytes *data)
{
  g_autofree char *digest = test_digest (data);
  g_autofree char *name = g_strconcat ("blobs/sha256/", digest + 7, NULL);
  g_autofree char *path = test_write (dir, name, data);

  g_assert_nonnull (path);

  return g_strdup_printf ("{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%" G_GSIZE_FORMAT "}",
                          media_type, digest, g_bytes_get_size (data));
}

static inline GBytes *
test_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* The config JSON for layers with @diff_ids (a JSON array text). */
static inline char *
test_config_json (const char *diff_ids)
{
  return g_strdup_printf ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
                          "\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"],"
                          "\"Env\":[\"PATH=/usr/bin:/bin\",\"LANG=C\"],\"WorkingDir\":\"/work\",\"User\":\"1000:100\"},"
                          "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":%s}}",
                          diff_ids);
}

/* Adds one image (manifest + config + layers) to OCI layout @dir and returns the
 * manifest descriptor JSON.  @tars are uncompressed tars; @filter compresses them. */
static inline char *
test_add_image (const char *dir, GBytes **tars, guint n, const char *filter)
{
  g_autoptr(GString) diff_ids = g_string_new ("[");
  g_autoptr(GString) layers = g_string_new ("[");
  const char *media_type = filter == NULL               ? "application/vnd.oci.image.layer.v1.tar"
                         : strcmp (filter, "gzip") == 0 ? "application/vnd.oci.image.layer.v1.tar+gzip"
                                                        : "application/vnd.oci.image.layer.v1.tar+zstd";
  g_autofree char *config = NULL;
  g_autofree char *config_desc = NULL;
  g_autofree char *manifest = NULL;
  g_autoptr(GBytes) config_bytes = NULL;
  g_autoptr(GBytes) manifest_bytes = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) blob = test_compress (tars[i], filter);
      g_autofree char *diff_id = test_digest (tars[i]);
      g_autofree char *desc = test_add_blob (dir, media_type, blob);
      g_string_append_printf (diff_ids, "%s\"%s\"", i ? "," : "", diff_id);
      g_string_append_printf (layers, "%s%s", i ? "," : "", desc);
    }
  g_string_append (diff_ids, "]");
  g_string_append (layers, "]");
  config = test_config_json (diff_ids->str);
  config_bytes = test_bytes (config);
  config_desc = test_add_blob (dir, "application/vnd.oci.image.config.v1+json", config_bytes);
  manifest = g_strdup_printf ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                              "\"config\":%s,\"layers\":%s}",
                              config_desc, layers->str);
  manifest_bytes = test_bytes (manifest);
  return test_add_blob (dir, "application/vnd.oci.image.manifest.v1+json", manifest_bytes);
}

/* "{...descriptor...}" with an annotation ref.name=@tag added. */
static inline char *
test_tagged (const char *descriptor, const char *tag)
{
  g_autofree char *head = g_strndup (descriptor, strlen (descriptor) - 1);
  return g_strdup_printf ("%s,\"annotations\":{\"org.opencontainers.image.ref.name\":\"%s\"}}", head, tag);
}

/* Writes index.json and oci-layout for @manifests (descriptor JSON texts). */
static inline void
test_write_index (const char *dir, const char * const *manifests)
{
  g_autofree char *list = g_strjoinv (",", (char **) manifests);
  g_autofree char *index = g_strdup_printf ("{\"schemaVersion\":2,\"manifests\":[%s]}", list);
  g_autofree char *p1 = test_write_string (dir, "index.json", index);
  g_autofree char *p2 = test_write_string (dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");

  g_assert_nonnull (p1);
  g_assert_nonnull (p2);
}

/* A one-image layout at @dir tagged @tag with @n layers. */
static inline void
test_make_layout (const char *dir, const char *tag, GBytes **tars, guint n, const char *filter)
{
  g_autofree char *desc = test_add_image (dir, tars, n, filter);
  g_autofree char *tagged = test_tagged (desc, tag);
  const char *manifests[] = { tagged, NULL };

  test_write_index (dir, manifests);
}

static inline char *
test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sbx-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline void
test_rm_rf (const char *path)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sbx_rm_rf_at (AT_FDCWD, path, &error));
  g_assert_no_error (error);
}

static inline guint
test_count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static inline gboolean
test_exists (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;

  return lstat (path, &st) == 0;
}

static inline SbxUnpackFlags
test_unpack_flags (void)
{
  return geteuid () == 0 ? SBX_UNPACK_NONE : SBX_UNPACK_IGNORE_CHOWN_ERRORS;
}
