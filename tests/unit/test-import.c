/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-import.c: unit tests of sbx_store_import over oci:, oci-archive: and
 * docker-archive: sources, including every way a source can be wrong: each failure
 * must leave layers/, blobs/, images.json and tmp/ as they were. */
#include <errno.h>
#include <sys/utsname.h>
#include <gio/gio.h>

#include "import.h"
#include "sbx-error.h"
#include "store.h"
#include "sbx-test-layers.h"

typedef struct {
  char *tmp;
  char *root;
  char *layout; /* tmp/layout */
  SbxStore *store;
  GBytes *tar; /* a one-file layer */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  const TestEntry entries[] = { { .path = "etc/", .type = AE_IFDIR }, { .path = "etc/motd", .data = "hello" }, { NULL } };
  g_autoptr(GError) error = NULL;

  f->tmp = test_tmpdir ();
  f->root = g_build_filename (f->tmp, "store", NULL);
  f->layout = g_build_filename (f->tmp, "layout", NULL);
  f->store = sbx_store_open (f->root, &error);
  g_assert_no_error (error);
  f->tar = test_tar (entries);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sbx_store_free (f->store);
  test_rm_rf (f->tmp);
  g_bytes_unref (f->tar);
  g_free (f->tmp);
  g_free (f->root);
  g_free (f->layout);
}

static SbxImage *
import (Fixture *f, const char *source, const char *name, GError **error)
{
  return sbx_store_import (f->store, source, name, test_unpack_flags (), error);
}

/* Nothing of a failed import may remain in the store. */
static void
assert_store_empty (Fixture *f)
{
  static const char * const dirs[] = { "layers", "blobs/sha256", "tmp" };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (f->root, dirs[i], NULL);
      g_assert_cmpuint (test_count_entries (dir), ==, 0);
    }
  g_assert_false (test_exists (f->root, "images.json"));
}

static void
assert_motd (Fixture *f, SbxImage *image)
{
  g_autofree char *layer = sbx_store_layer_path (f->store, image->layers[0]);
  g_autofree char *motd = g_build_filename (layer, "etc", "motd", NULL);
  g_autofree char *data = NULL;

  g_assert_true (g_file_get_contents (motd, &data, NULL, NULL));
  g_assert_cmpstr (data, ==, "hello");
}

static void
test_oci_compressions (Fixture *f, gconstpointer filter)
{
  GBytes *tars[] = { f->tar };
  g_autofree char *source = g_strdup_printf ("oci:%s:v1", f->layout);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) image = NULL;

  test_make_layout (f->layout, "v1", tars, 1, filter);
  image = import (f, source, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (image->name, ==, "v1"); /* the tag names the image */
  assert_motd (f, image);
}

static void
test_oci_tag_selection (Fixture *f, gconstpointer data)
{
  GBytes *tars[] = { f->tar };
  g_autofree char *desc = test_add_image (f->layout, tars, 1, "gzip");
  g_autofree char *latest = test_tagged (desc, "docker.io/library/app:latest");
  g_autofree char *v2 = test_tagged (desc, "v2");
  const char *manifests[] = { latest, v2, NULL };
  g_autofree char *missing = g_strdup_printf ("oci:%s:v1", f->layout);
  g_autofree char *untagged = g_strdup_printf ("oci:%s", f->layout);
  g_autofree char *by_ref = g_strdup_printf ("oci:%s:docker.io/library/app:latest", f->layout);
  g_autofree char *expected = g_strdup_printf ("%s: no manifest tagged 'v1' (tags: docker.io/library/app:latest, v2)", missing);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) image = NULL;

  test_write_index (f->layout, manifests);
  g_assert_null (import (f, missing, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_assert_null (import (f, untagged, "x", &error));
  g_assert_nonnull (strstr (error->message, "pick one with :TAG"));
  g_clear_error (&error);
  assert_store_empty (f);
  image = import (f, by_ref, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (image->name, ==, "app:latest"); /* docker.io/library/ is dropped */
}

/* The OCI name of this machine's architecture, as the importer picks it. */
static const char *
host_arch (void)
{
  struct utsname name;

  g_assert_cmpint (uname (&name), ==, 0);
  if (strcmp (name.machine, "x86_64") == 0)
    return "amd64";
  if (strcmp (name.machine, "aarch64") == 0)
    return "arm64";
  return "unknown-arch";
}

static void
test_oci_image_index (Fixture *f, gconstpointer data)
{
  GBytes *tars[] = { f->tar };
  g_autofree char *desc = test_add_image (f->layout, tars, 1, NULL);
  g_autofree char *head = g_strndup (desc, strlen (desc) - 1);
  g_autofree char *index = g_strdup_printf ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                                            "\"manifests\":[%s,\"platform\":{\"os\":\"linux\",\"architecture\":\"%s\"}}]}",
                                            head,
                                            host_arch ());
  g_autoptr(GBytes) index_bytes = test_bytes (index);
  g_autofree char *index_desc = test_add_blob (f->layout, "application/vnd.oci.image.index.v1+json", index_bytes);
  g_autofree char *tagged = test_tagged (index_desc, "multi");
  const char *manifests[] = { tagged, NULL };
  g_autofree char *source = g_strdup_printf ("oci:%s:multi", f->layout);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) image = NULL;

  test_write_index (f->layout, manifests);
  image = import (f, source, "multi", &error);
  g_assert_no_error (error);
  assert_motd (f, image);
}

/* The layout holds the blob @name (blobs/sha256/HEX): the one a test is about to replace
 * is one its manifest names (compressing the same tar again gives the same blob). */
static void
assert_layout_has (Fixture *f, const char *name)
{
  g_autofree char *path = g_build_filename (f->layout, name, NULL);

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_oci_wrong_layer_digest (Fixture *f, gconstpointer data)
{
  GBytes *tars[] = { f->tar };
  g_autoptr(GBytes) blob = test_compress (f->tar, "gzip");
  g_autofree char *digest = test_digest (blob);
  g_autofree char *source = g_strdup_printf ("oci:%s:v1", f->layout);
  g_autofree char *name = g_strconcat ("blobs/sha256/", digest + 7, NULL);
  g_autofree guint8 *tampered = g_memdup2 (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  g_autoptr(GBytes) other = NULL;
  g_autoptr(GError) error = NULL;

  test_make_layout (f->layout, "v1", tars, 1, "gzip");
  assert_layout_has (f, name);
  /* Same size, same tar inside (so the diff_id matches), other gzip header mtime:
   * only the blob digest can tell. */
  tampered[4] ^= 0x5a;
  other = g_bytes_new (tampered, g_bytes_get_size (blob));
  g_free (test_write (f->layout, name, other));
  g_assert_null (import (f, source, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "digest mismatch (got sha256:"));
  assert_store_empty (f);
}

static void
test_oci_wrong_diff_id (Fixture *f, gconstpointer data)
{
  const TestEntry evil[] = { { .path = "etc/motd", .data = "EVIL!" }, { NULL } };
  g_autoptr(GBytes) other_tar = test_tar (evil);
  GBytes *tars[] = { f->tar };
  g_autofree char *source = g_strdup_printf ("oci:%s:v1", f->layout);
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *other_diff = test_digest (other_tar);
  g_autofree char *ids = g_strdup_printf ("[\"%s\"]", other_diff);
  g_autoptr(GBytes) config_bytes = NULL;
  g_autofree char *config_desc = NULL;
  g_autofree char *layer_desc = NULL;
  g_autofree char *manifest = NULL;
  g_autoptr(GBytes) manifest_bytes = NULL;
  g_autofree char *manifest_desc = NULL;
  g_autofree char *tagged = NULL;
  const char *manifests[2] = { NULL, NULL };

  /* A config whose diff_id is not the layer's tar. */
  config = test_config_json (ids);
  config_bytes = test_bytes (config);
  config_desc = test_add_blob (f->layout, "application/vnd.oci.image.config.v1+json", config_bytes);
  layer_desc = test_add_blob (f->layout, "application/vnd.oci.image.layer.v1.tar", tars[0]);
  manifest = g_strdup_printf ("{\"schemaVersion\":2,\"config\":%s,\"layers\":[%s]}", config_desc, layer_desc);
  manifest_bytes = test_bytes (manifest);
  manifest_desc = test_add_blob (f->layout, "application/vnd.oci.image.manifest.v1+json", manifest_bytes);
  tagged = test_tagged (manifest_desc, "v1");
  manifests[0] = tagged;
  test_write_index (f->layout, manifests);
  g_assert_null (import (f, source, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
  g_assert_nonnull (strstr (error->message, "diff_id mismatch"));
  assert_store_empty (f);
}

static void
test_oci_bad_metadata (Fixture *f, gconstpointer data)
{
  g_autofree char *source = g_strdup_printf ("oci:%s:v1", f->layout);
  const char *hostile_digest = "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                               "\"digest\":\"sha256:../../../../etc/passwd\",\"size\":10,"
                               "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}";
  const char *manifests[] = { hostile_digest, NULL };
  g_autoptr(GError) error = NULL;

  test_write_index (f->layout, manifests);
  g_assert_null (import (f, source, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
  g_assert_nonnull (strstr (error->message, "invalid digest"));
  g_clear_error (&error);
  g_free (test_write_string (f->layout, "index.json", "[1,2"));
  g_assert_null (import (f, source, NULL, &error));
  g_assert_true (g_str_has_prefix (error->message, source));
  g_assert_nonnull (strstr (error->message, "index.json"));
  g_clear_error (&error);
  g_assert_null (import (f, "tarball:/x", NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
  g_clear_error (&error);
  g_assert_null (import (f, source, "bad name", &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
  assert_store_empty (f);
}

static void
test_oci_diff_id_count (Fixture *f, gconstpointer data)
{
  GBytes *tars[] = { f->tar };
  g_autofree char *config = test_config_json ("[]");
  g_autoptr(GBytes) config_bytes = test_bytes (config);
  g_autofree char *config_desc = test_add_blob (f->layout, "application/vnd.oci.image.config.v1+json", config_bytes);
  g_autofree char *layer_desc = test_add_blob (f->layout, "application/vnd.oci.image.layer.v1.tar", tars[0]);
  g_autofree char *manifest = g_strdup_printf ("{\"schemaVersion\":2,\"config\":%s,\"layers\":[%s]}", config_desc, layer_desc);
  g_autoptr(GBytes) manifest_bytes = test_bytes (manifest);
  g_autofree char *manifest_desc = test_add_blob (f->layout, "application/vnd.oci.image.manifest.v1+json", manifest_bytes);
  g_autofree char *tagged = test_tagged (manifest_desc, "v1");
  const char *manifests[] = { tagged, NULL };
  g_autofree char *source = g_strdup_printf ("oci:%s:v1", f->layout);
  g_autoptr(GError) error = NULL;

  test_write_index (f->layout, manifests);
  g_assert_null (import (f, source, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
  g_assert_nonnull (strstr (error->message, "diff_ids"));
  assert_store_empty (f);
}

static void
test_oci_hostile_layer (Fixture *f, gconstpointer data)
{
  const TestEntry evil[] = { { .path = "x", .type = AE_IFLNK, .symlink = "/tmp" }, { .path = "x/sbx-evil", .data = "!" }, { NULL } };
  g_autoptr(GBytes) tar = test_tar (evil);
  GBytes *tars[] = { tar };
  g_autofree char *source = g_strdup_printf ("oci:%s:v1", f->layout);
  g_autoptr(GError) error = NULL;

  test_make_layout (f->layout, "v1", tars, 1, "gzip");
  g_assert_null (import (f, source, NULL, &error));
  g_assert_nonnull (strstr (error->message, "entry 'x/sbx-evil' escapes the layer"));
  g_assert_false (g_file_test ("/tmp/sbx-evil", G_FILE_TEST_EXISTS));
  assert_store_empty (f);
}

static void
test_shared_layer_not_unpacked_again (Fixture *f, gconstpointer data)
{
  GBytes *tars[] = { f->tar };
  g_autofree char *source = g_strdup_printf ("oci:%s:v1", f->layout);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) first = NULL;
  g_autoptr(SbxImage) second = NULL;
  g_autofree char *layer = NULL;
  struct stat before, after;

  test_make_layout (f->layout, "v1", tars, 1, "gzip");
  first = import (f, source, "first", &error);
  g_assert_no_error (error);
  layer = sbx_store_layer_path (f->store, first->layers[0]);
  g_assert_cmpint (stat (layer, &before), ==, 0);
  second = import (f, source, "second", &error);
  g_assert_no_error (error);
  g_assert_cmpint (stat (layer, &after), ==, 0);
  g_assert_cmpint (before.st_ino, ==, after.st_ino);
  g_assert_cmpstr (first->id, ==, second->id);
}

/* Four layers, unpacked side by side: each lands whole in its own layer directory. */
#define N_LAYERS 4

static void
make_layers (GBytes **tars)
{
  for (guint i = 0; i < N_LAYERS; i++)
    {
      g_autofree char *path = g_strdup_printf ("etc/layer%u", i);
      g_autofree char *big = g_strnfill (200000 * (i + 1), 'a' + i);
      const TestEntry entries[] = { { .path = "etc/", .type = AE_IFDIR }, { .path = path, .data = big }, { NULL } };
      tars[i] = test_tar (entries);
    }
}

static void
test_oci_many_layers (Fixture *f, gconstpointer data)
{
  GBytes *tars[N_LAYERS];
  g_autofree char *source = g_strdup_printf ("oci:%s:v1", f->layout);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) image = NULL;

  make_layers (tars);
  test_make_layout (f->layout, "v1", tars, N_LAYERS, "gzip");
  image = import (f, source, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (image->layers), ==, N_LAYERS);
  for (guint i = 0; i < N_LAYERS; i++)
    {
      g_autofree char *layer = sbx_store_layer_path (f->store, image->layers[i]);
      g_autofree char *file = g_strdup_printf ("%s/etc/layer%u", layer, i);
      g_autofree char *contents = NULL;
      gsize size = 0;

      g_assert_true (g_file_get_contents (file, &contents, &size, NULL));
      g_assert_cmpuint (size, ==, 200000 * (i + 1));
      g_assert_cmpint (contents[size - 1], ==, 'a' + i);
      g_bytes_unref (tars[i]);
    }
}

/* One bad layer among several unpacked at once: its error, and nothing in the store. */
static void
test_oci_many_layers_one_bad (Fixture *f, gconstpointer data)
{
  GBytes *tars[N_LAYERS];
  g_autofree char *source = g_strdup_printf ("oci:%s:v1", f->layout);
  g_autoptr(GBytes) blob = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *name = NULL;
  g_autofree guint8 *tampered = NULL;
  g_autoptr(GBytes) other = NULL;
  g_autoptr(GError) error = NULL;

  make_layers (tars);
  test_make_layout (f->layout, "v1", tars, N_LAYERS, "gzip");
  blob = test_compress (tars[2], "gzip");
  digest = test_digest (blob);
  name = g_strconcat ("blobs/sha256/", digest + 7, NULL);
  assert_layout_has (f, name);
  tampered = g_memdup2 (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  tampered[4] ^= 0x5a; /* the gzip header's mtime: same tar, other blob digest */
  other = g_bytes_new (tampered, g_bytes_get_size (blob));
  g_free (test_write (f->layout, name, other));
  g_assert_null (import (f, source, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, digest));
  g_assert_nonnull (strstr (error->message, "digest mismatch (got sha256:"));
  assert_store_empty (f);
  for (guint i = 0; i < N_LAYERS; i++)
    g_bytes_unref (tars[i]);
}

/* A tar of the files under @dir, as `tar -C dir -cf - .` */
static void
add_tree (GPtrArray *entries, GPtrArray *contents, const char *dir, const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      char *rel = *prefix ? g_strdup_printf ("%s/%s", prefix, name) : g_strdup (name);
      TestEntry *e = g_new0 (TestEntry, 1);
      char *data = NULL;
      gsize size = 0;

      e->path = rel;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          e->type = AE_IFDIR;
          g_ptr_array_add (entries, e);
          add_tree (entries, contents, path, rel);
          continue;
        }
      g_assert_true (g_file_get_contents (path, &data, &size, NULL));
      e->data = data;
      e->size = size;
      g_ptr_array_add (contents, data);
      g_ptr_array_add (entries, e);
    }
}

static char *
archive_dir (Fixture *f, const char *dir, const char *name)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func (g_free);
  g_autofree TestEntry *array = NULL;
  g_autoptr(GBytes) tar = NULL;

  add_tree (entries, contents, dir, "");
  array = g_new0 (TestEntry, entries->len + 1);
  for (guint i = 0; i < entries->len; i++)
    {
      TestEntry *e = entries->pdata[i];
      array[i] = *e;
    }
  tar = test_tar (array);
  for (guint i = 0; i < entries->len; i++)
    {
      g_free ((char *) ((TestEntry *) entries->pdata[i])->path);
      g_free (entries->pdata[i]);
    }
  return test_write (f->tmp, name, tar);
}

static void
test_oci_archive (Fixture *f, gconstpointer data)
{
  GBytes *tars[] = { f->tar };
  g_autofree char *archive = NULL;
  g_autofree char *source = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) image = NULL;
  g_autofree char *tmp = g_build_filename (f->root, "tmp", NULL);

  test_make_layout (f->layout, "v1", tars, 1, "zstd");
  archive = archive_dir (f, f->layout, "image.tar");
  source = g_strdup_printf ("oci-archive:%s:v1", archive);
  image = import (f, source, "fromarchive", &error);
  g_assert_no_error (error);
  assert_motd (f, image);
  g_assert_cmpuint (test_count_entries (tmp), ==, 0);
}

/* A gzip'ed archive cannot be read in place: it is extracted first, and gives the same image. */
static void
test_oci_archive_gzip (Fixture *f, gconstpointer data)
{
  GBytes *tars[] = { f->tar };
  g_autofree char *archive = NULL;
  g_autofree char *source = NULL;
  g_autofree char *gz_source = NULL;
  g_autofree char *contents = NULL;
  gsize size = 0;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) gz = NULL;
  g_autofree char *gz_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) image = NULL;
  g_autoptr(SbxImage) gz_image = NULL;
  g_autofree char *tmp = g_build_filename (f->root, "tmp", NULL);

  test_make_layout (f->layout, "v1", tars, 1, "gzip");
  archive = archive_dir (f, f->layout, "image.tar");
  g_assert_true (g_file_get_contents (archive, &contents, &size, NULL));
  plain = g_bytes_new_take (g_steal_pointer (&contents), size);
  gz = test_compress (plain, "gzip");
  gz_path = test_write (f->tmp, "image.tar.gz", gz);
  source = g_strdup_printf ("oci-archive:%s:v1", archive);
  gz_source = g_strdup_printf ("oci-archive:%s:v1", gz_path);
  image = import (f, source, "plain", &error);
  g_assert_no_error (error);
  gz_image = import (f, gz_source, "gz", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gz_image->id, ==, image->id);
  assert_motd (f, gz_image);
  g_assert_cmpuint (test_count_entries (tmp), ==, 0);
}

/* A docker-archive directory: manifest.json, <hex>.json config, <id>/layer.tar. */
static char *
make_docker_archive (Fixture *f, const char *manifest_override, gboolean gzip_layer)
{
  g_autofree char *dir = g_build_filename (f->tmp, "docker", NULL);
  g_autofree char *diff_id = test_digest (f->tar);
  g_autofree char *ids = g_strdup_printf ("[\"%s\"]", diff_id);
  g_autofree char *config = test_config_json (ids);
  g_autoptr(GBytes) config_bytes = test_bytes (config);
  g_autofree char *config_digest = test_digest (config_bytes);
  g_autofree char *config_name = g_strconcat (config_digest + 7, ".json", NULL);
  g_autoptr(GBytes) layer = test_compress (f->tar, gzip_layer ? "gzip" : NULL);
  g_autofree char *manifest = g_strdup_printf ("[{\"Config\":\"%s\",\"RepoTags\":[\"docker.io/library/busybox:latest\"],"
                                               "\"Layers\":[\"abc/layer.tar\"]}]",
                                               config_name);

  g_free (test_write (dir, config_name, config_bytes));
  g_free (test_write (dir, "abc/layer.tar", layer));
  g_free (test_write_string (dir, "manifest.json", manifest_override ? manifest_override : manifest));
  return archive_dir (f, dir, "docker.tar");
}

static void
test_docker_archive (Fixture *f, gconstpointer gzip_layer)
{
  g_autofree char *archive = make_docker_archive (f, NULL, GPOINTER_TO_INT (gzip_layer));
  g_autofree char *source = g_strdup_printf ("docker-archive:%s", archive);
  g_autofree char *by_index = g_strdup_printf ("docker-archive:%s:0", archive);
  g_autofree char *by_tag = g_strdup_printf ("docker-archive:%s:busybox:latest", archive);
  g_autofree char *missing = g_strdup_printf ("docker-archive:%s:5", archive);
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) image = import (f, source, NULL, &error);
  g_autoptr(SbxImage) indexed = NULL;
  g_autoptr(SbxImage) tagged = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (image->name, ==, "busybox:latest");
  g_assert_cmpstr (image->entrypoint[0], ==, "/bin/sh");
  assert_motd (f, image);
  indexed = import (f, by_index, "copy", &error);
  g_assert_no_error (error);
  tagged = import (f, by_tag, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tagged->name, ==, "busybox:latest");
  g_assert_null (import (f, missing, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND);
}

static void
test_docker_archive_bad_manifest (Fixture *f, gconstpointer data)
{
  g_autofree char *archive = make_docker_archive (f, "{\"not\":\"an array\"}", FALSE);
  g_autofree char *source = g_strdup_printf ("docker-archive:%s", archive);
  g_autofree char *expected = g_strdup_printf ("%s: manifest.json: expected a JSON array", source);
  g_autoptr(GError) error = NULL;

  g_assert_null (import (f, source, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
  g_assert_cmpstr (error->message, ==, expected);
  assert_store_empty (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func, data) g_test_add (name, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/import/oci/plain", test_oci_compressions, NULL);
  ADD ("/import/oci/gzip", test_oci_compressions, "gzip");
  ADD ("/import/oci/zstd", test_oci_compressions, "zstd");
  ADD ("/import/oci/tag-selection", test_oci_tag_selection, NULL);
  ADD ("/import/oci/image-index", test_oci_image_index, NULL);
  ADD ("/import/oci/wrong-layer-digest", test_oci_wrong_layer_digest, NULL);
  ADD ("/import/oci/wrong-diff-id", test_oci_wrong_diff_id, NULL);
  ADD ("/import/oci/bad-metadata", test_oci_bad_metadata, NULL);
  ADD ("/import/oci/diff-id-count", test_oci_diff_id_count, NULL);
  ADD ("/import/oci/hostile-layer", test_oci_hostile_layer, NULL);
  ADD ("/import/oci/shared-layer", test_shared_layer_not_unpacked_again, NULL);
  ADD ("/import/oci/many-layers", test_oci_many_layers, NULL);
  ADD ("/import/oci/many-layers-one-bad", test_oci_many_layers_one_bad, NULL);
  ADD ("/import/oci-archive", test_oci_archive, NULL);
  ADD ("/import/oci-archive/gzip", test_oci_archive_gzip, NULL);
  ADD ("/import/docker-archive/plain", test_docker_archive, GINT_TO_POINTER (FALSE));
  ADD ("/import/docker-archive/gzip", test_docker_archive, GINT_TO_POINTER (TRUE));
  ADD ("/import/docker-archive/bad-manifest", test_docker_archive_bad_manifest, NULL);
#undef ADD
  return g_test_run ();
}
