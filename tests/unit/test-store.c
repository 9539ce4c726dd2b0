/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-store.c: unit tests of the image store: layout, names, records, removal,
 * leases and the cleanup of staging left by killed imports. */
#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <gio/gio.h>

#include "import.h"
#include "json-util.h"
#include "sbx-error.h"
#include "store.h"
#include "sbx-test-layers.h"

typedef struct {
  char *tmp;
  char *root; /* tmp/store */
  SbxStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = test_tmpdir ();
  f->root = g_build_filename (f->tmp, "store", NULL);
  f->store = sbx_store_open (f->root, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sbx_store_free (f->store);
  test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->root);
}

static GBytes *
one_file_tar (const char *name, const char *contents)
{
  const TestEntry entries[] = { { .path = name, .data = contents }, { NULL } };
  return test_tar (entries);
}

/* Builds an OCI layout tagged @tag over @tars and imports it as @name. */
static SbxImage *
import_layers (Fixture *f, const char *name, GBytes **tars, guint n, GError **error)
{
  g_autofree char *layout = g_build_filename (f->tmp, name, NULL);
  g_autofree char *source = g_strdup_printf ("oci:%s:latest", layout);

  test_make_layout (layout, "latest", tars, n, "gzip");
  return sbx_store_import (f->store, source, name, test_unpack_flags (), error);
}

static gboolean
layer_exists (Fixture *f, GBytes *tar)
{
  g_autofree char *diff_id = test_digest (tar);
  g_autofree char *path = sbx_store_layer_path (f->store, diff_id);
  return g_file_test (path, G_FILE_TEST_IS_DIR);
}

static void
test_open_creates_layout (Fixture *f, gconstpointer data)
{
  static const char * const expected[] = { "lock", "blobs/sha256", "layers", "tmp", "mnt" };
  g_autofree char *mnt = sbx_store_mount_dir (f->store);
  struct stat st;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (test_exists (f->root, expected[i]));
  g_assert_cmpint (stat (f->root, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpstr (sbx_store_get_root (f->store), ==, f->root);
  g_assert_true (g_str_has_prefix (mnt, f->root));
}

static void
test_check_name (void)
{
  static const struct {
    const char *name;
    gboolean ok;
  } cases[] = {
    { "busybox", TRUE },
    { "busybox:latest", TRUE },
    { "localhost:5000/app:1", TRUE },
    { "a.b-c_d/e@sha256:00", TRUE },
    { "9lives", TRUE },
    { "", FALSE },
    { "-rf", FALSE },
    { ".hidden", FALSE },
    { "/abs", FALSE },
    { "a/../b", FALSE },
    { "a//b", FALSE },
    { "sp ace", FALSE },
    { "semi;colon", FALSE },
    { "new\nline", FALSE },
    { "ünï", FALSE },
  };
  g_autofree char *long_name = g_strnfill (256, 'a');

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_cmpint (sbx_store_check_name (cases[i].name, &error), ==, cases[i].ok);
      if (!cases[i].ok)
        {
          g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
          g_assert_null (strchr (error->message, '\n')); /* one line, whatever the name */
          g_assert_true (g_str_has_prefix (error->message, "invalid image name '"));
        }
    }
  g_assert_false (sbx_store_check_name (long_name, NULL));
  long_name[255] = '\0';
  g_assert_true (sbx_store_check_name (long_name, NULL));
}

static void
test_import_list_load (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) tar = one_file_tar ("hello", "world");
  GBytes *tars[] = { tar };
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) imported = import_layers (f, "app", tars, 1, &error);
  g_autoptr(SbxImage) loaded = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autofree char *diff_id = test_digest (tar);
  g_autofree char *layer = sbx_store_layer_path (f->store, diff_id);
  g_autofree char *hello = g_build_filename (layer, "hello", NULL);
  g_autofree char *tmp = g_build_filename (f->root, "tmp", NULL);

  g_assert_no_error (error);
  g_assert_nonnull (imported);
  loaded = sbx_store_load_image (f->store, "app", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->name, ==, "app");
  g_assert_cmpstr (loaded->id, ==, imported->id);
  g_assert_true (sbx_digest_is_valid (loaded->manifest_digest));
  g_assert_cmpuint (g_strv_length (loaded->layers), ==, 1);
  g_assert_cmpstr (loaded->layers[0], ==, diff_id);
  g_assert_cmpstr (loaded->entrypoint[0], ==, "/bin/sh");
  g_assert_cmpstr (loaded->cmd[0], ==, "echo hi");
  g_assert_cmpstr (loaded->env[1], ==, "LANG=C");
  g_assert_cmpstr (loaded->working_dir, ==, "/work");
  g_assert_cmpstr (loaded->user, ==, "1000:100");
  g_assert_cmpint (loaded->size, ==, 5);
  g_assert_cmpint (loaded->created, >, 0);
  g_assert_true (g_file_test (hello, G_FILE_TEST_IS_REGULAR));
  g_assert_true (sbx_store_has_image (f->store, "app"));
  g_assert_false (sbx_store_has_image (f->store, "other"));
  images = sbx_store_list_images (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 1);
  g_assert_cmpuint (test_count_entries (tmp), ==, 0); /* the staging is gone */
}

static void
test_list_sorted_and_survives_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) tar = one_file_tar ("f", "x");
  GBytes *tars[] = { tar };
  const char *names[] = { "zeta", "alpha", "mid" };
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(SbxStore) reopened = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(SbxImage) image = import_layers (f, names[i], tars, 1, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (image->name, ==, names[i]);
    }
  reopened = sbx_store_open (f->root, &error);
  g_assert_no_error (error);
  images = sbx_store_list_images (reopened, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 3);
  g_assert_cmpstr (((SbxImage *) images->pdata[0])->name, ==, "alpha");
  g_assert_cmpstr (((SbxImage *) images->pdata[1])->name, ==, "mid");
  g_assert_cmpstr (((SbxImage *) images->pdata[2])->name, ==, "zeta");
}

static void
test_remove_shared_and_unshared (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) base = one_file_tar ("base", "shared");
  g_autoptr(GBytes) top_a = one_file_tar ("a", "only a");
  g_autoptr(GBytes) top_b = one_file_tar ("b", "only b");
  GBytes *tars_a[] = { base, top_a }, *tars_b[] = { base, top_b };
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) a = import_layers (f, "a", tars_a, 2, &error);
  g_autoptr(SbxImage) b = import_layers (f, "b", tars_b, 2, &error);
  g_autofree char *blobs = g_build_filename (f->root, "blobs", "sha256", NULL);
  g_autofree char *layers = g_build_filename (f->root, "layers", NULL);
  guint blobs_before = test_count_entries (blobs);

  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_true (sbx_store_remove_image (f->store, "a", &error));
  g_assert_no_error (error);
  g_assert_false (sbx_store_has_image (f->store, "a"));
  g_assert_false (layer_exists (f, top_a));
  g_assert_true (layer_exists (f, base));
  g_assert_true (layer_exists (f, top_b));
  g_assert_cmpuint (test_count_entries (blobs), ==, blobs_before - 2); /* a's manifest and config */
  g_assert_false (sbx_store_remove_image (f->store, "a", &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (sbx_store_remove_image (f->store, "b", &error));
  g_assert_false (layer_exists (f, base));
  g_assert_cmpuint (test_count_entries (blobs), ==, 0);
  g_assert_cmpuint (test_count_entries (layers), ==, 0);
}

static void
test_remove_keeps_leased_layer (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) tar = one_file_tar ("busy", "in use");
  g_autoptr(GBytes) other = one_file_tar ("other", "x");
  GBytes *tars[] = { tar }, *other_tars[] = { other };
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxImage) image = import_layers (f, "busy", tars, 1, &error);
  g_autoptr(SbxImage) second = import_layers (f, "second", other_tars, 1, &error);
  SbxStoreLease *lease;

  g_assert_no_error (error);
  g_assert_cmpstr (second->name, ==, "second");
  lease = sbx_store_lease_image (f->store, image, &error);
  g_assert_no_error (error);
  g_assert_true (sbx_store_remove_image (f->store, "busy", &error));
  g_assert_no_error (error);
  g_assert_true (layer_exists (f, tar)); /* a sandbox still runs on it */
  sbx_store_lease_free (lease);
  g_assert_true (sbx_store_remove_image (f->store, "second", &error));
  g_assert_false (layer_exists (f, tar)); /* the later rm collected it */
  g_assert_false (layer_exists (f, other));
  /* a lease on a removed image fails */
  g_assert_null (sbx_store_lease_image (f->store, image, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_NOT_FOUND);
}

static void
test_stale_staging_cleanup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SbxStaging) live = sbx_store_staging_new (f->store, &error);
  g_autofree char *tmp = g_build_filename (f->root, "tmp", NULL);
  g_autofree char *dead_dir = g_build_filename (tmp, "staging-dead", NULL);
  g_autofree char *dead_sub = g_build_filename (dead_dir, "closed", NULL);
  g_autofree char *dead_lock = test_write_string (tmp, "staging-dead.lock", "");
  g_autofree char *live_file = NULL;

  g_assert_no_error (error);
  live_file = test_write_string (live->path, "file", "mine");
  g_assert_cmpint (g_mkdir (dead_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (dead_sub, 0), ==, 0); /* as a hostile layer leaves it */
  sbx_store_clean_tmp (f->store);
  g_assert_false (g_file_test (dead_dir, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (dead_lock, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (live_file, G_FILE_TEST_EXISTS)); /* a concurrent import's */
}

static void
test_corrupt_records (Fixture *f, gconstpointer data)
{
  g_autofree char *records = test_write_string (f->root, "images.json",
                                                "{\"version\":1,\"images\":[{\"name\":\"x\",\"id\":\"../../etc\",\"manifest_digest\":\"sha256:00\",\"layers\":[]}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = sbx_store_list_images (f->store, &error);

  g_assert_nonnull (records);
  g_assert_null (images);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "images.json"));
}

/* The pass before jansson: depth counted outside strings, \u0000 refused naming the member,
 * an escaped backslash before "u0000" and brackets inside strings left alone. */
static void
test_json_check_text (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) node = NULL;
  const char *env_nul = "{\"Env\":[\"A=\\u0000\"]}";
  const char *fine[] = { "{\"a\":\"x\\\\u0000\"}", "{\"a\":\"[[[[{{{{\"}", "[1,2,{\"b\":[]}]" };

  for (guint i = 0; i < G_N_ELEMENTS (fine); i++)
    {
      g_autoptr(json_t) ok = sbx_json_parse_checked (fine[i], strlen (fine[i]), &error);
      g_assert_no_error (error);
      g_assert_nonnull (ok);
    }
  g_assert_false (sbx_json_check_text (env_nul, strlen (env_nul), &error));
  g_assert_nonnull (strstr (error->message, "\"Env\""));
  g_clear_error (&error);
  g_assert_false (sbx_json_check_text ("{\"a\":\"b\0\"}", 11, &error));
  g_clear_error (&error);
  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  node = sbx_json_parse_checked (deep->str, deep->len, &error);
  g_assert_null (node);
  g_assert_nonnull (strstr (error->message, "nested deeper"));
  g_clear_error (&error);
  g_string_truncate (deep, SBX_JSON_MAX_DEPTH);
  for (int i = 0; i < SBX_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  node = sbx_json_parse_checked (deep->str, deep->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store/open-creates-layout", test_open_creates_layout);
  g_test_add_func ("/store/check-name", test_check_name);
  g_test_add_func ("/store/json-check-text", test_json_check_text);
  ADD ("/store/import-list-load", test_import_list_load);
  ADD ("/store/list-sorted-survives-reopen", test_list_sorted_and_survives_reopen);
  ADD ("/store/remove-shared-and-unshared", test_remove_shared_and_unshared);
  ADD ("/store/remove-keeps-leased-layer", test_remove_keeps_leased_layer);
  ADD ("/store/stale-staging-cleanup", test_stale_staging_cleanup);
  ADD ("/store/corrupt-records", test_corrupt_records);
#undef ADD
  return g_test_run ();
}
