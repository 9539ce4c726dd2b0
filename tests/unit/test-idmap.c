/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-idmap.c: subordinate id files and the user namespace layouts built from them. */
#include "idmap.h"
#include "sbx-error.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

static void
test_subid_find (void)
{
  const char *contents =
    "# comment\n"
    "alice:100000:65536\n"
    "bob:not-a-number:5\n"
    "1002:300000:1000\n"
    "bob:200000:65536\n"
    "carol:4294967295:10\n"
    "dave:500000:0\n";
  guint32 start = 0, count = 0;

  g_assert_true (sbx_subid_find (contents, "alice", 1000, &start, &count));
  g_assert_cmpuint (start, ==, 100000);
  g_assert_cmpuint (count, ==, 65536);
  /* A malformed line is skipped, the next one for the same user counts. */
  g_assert_true (sbx_subid_find (contents, "bob", 1001, &start, &count));
  g_assert_cmpuint (start, ==, 200000);
  /* By number when the name does not match. */
  g_assert_true (sbx_subid_find (contents, "erin", 1002, &start, &count));
  g_assert_cmpuint (start, ==, 300000);
  g_assert_cmpuint (count, ==, 1000);
  /* Overflowing and empty ranges are refused. */
  g_assert_false (sbx_subid_find (contents, "carol", 1003, &start, &count));
  g_assert_false (sbx_subid_find (contents, "dave", 1004, &start, &count));
  g_assert_false (sbx_subid_find (contents, "nobody", 9999, &start, &count));
  g_assert_false (sbx_subid_find ("", "alice", 1000, &start, &count));
  g_assert_false (sbx_subid_find (NULL, "alice", 1000, &start, &count));
}

static void
test_layout_default (void)
{
  SbxIdLayout layout;
  g_autofree char *uid_map = NULL;
  guint32 host;

  sbx_id_layout_build (SBX_USERNS_DEFAULT, 1000, 1000, 100000, 65536, 200000, 65536, &layout);
  g_assert_false (layout.single);
  uid_map = sbx_id_map_to_string (&layout.uid_map);
  g_assert_cmpstr (uid_map, ==, "0 1000 1\n1 100000 65536\n");
  g_assert_true (sbx_id_map_to_host (&layout.gid_map, 33, &host));
  g_assert_cmpuint (host, ==, 200032);
  g_assert_false (sbx_id_map_to_host (&layout.uid_map, 65537, &host));
}

static void
test_layout_keep_id (void)
{
  SbxIdLayout layout;
  g_autofree char *uid_map = NULL;
  guint32 host;

  sbx_id_layout_build (SBX_USERNS_KEEP_ID, 1000, 1000, 100000, 65536, 100000, 65536, &layout);
  uid_map = sbx_id_map_to_string (&layout.uid_map);
  g_assert_cmpstr (uid_map, ==, "0 100000 1000\n1000 1000 1\n1001 101000 64536\n");
  g_assert_true (sbx_id_map_to_host (&layout.uid_map, 1000, &host));
  g_assert_cmpuint (host, ==, 1000);
  g_assert_true (sbx_id_map_to_host (&layout.uid_map, 0, &host));
  g_assert_cmpuint (host, ==, 100000);
  g_assert_true (sbx_id_map_to_host (&layout.uid_map, 65536, &host));
  g_assert_cmpuint (host, ==, 165535);
}

static void
test_layout_single (void)
{
  SbxIdLayout layout;
  g_autofree char *uid_map = NULL, *gid_map = NULL;

  sbx_id_layout_build (SBX_USERNS_DEFAULT, 1000, 1001, 0, 0, 200000, 65536, &layout);
  g_assert_true (layout.single);
  uid_map = sbx_id_map_to_string (&layout.uid_map);
  gid_map = sbx_id_map_to_string (&layout.gid_map);
  g_assert_cmpstr (uid_map, ==, "0 1000 1\n");
  g_assert_cmpstr (gid_map, ==, "0 1001 1\n");
}

static void
test_mode_parse (void)
{
  SbxUsernsMode mode;
  g_autoptr(GError) error = NULL;

  g_assert_true (sbx_userns_mode_parse (NULL, &mode, NULL));
  g_assert_cmpint (mode, ==, SBX_USERNS_DEFAULT);
  g_assert_true (sbx_userns_mode_parse ("keep-id", &mode, NULL));
  g_assert_cmpint (mode, ==, SBX_USERNS_KEEP_ID);
  g_assert_false (sbx_userns_mode_parse ("host", &mode, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, "--userns=host"));
}

static void
test_layout_from_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sbx-idmap-XXXXXX", NULL);
  g_autofree char *subuid = g_build_filename (dir, "subuid", NULL);
  g_autofree char *subgid = g_build_filename (dir, "subgid", NULL);
  g_autofree char *line = g_strdup_printf ("%u:400000:5000\n", (guint) getuid ());
  SbxIdLayout layout;

  g_assert_true (g_file_set_contents (subuid, line, -1, NULL));
  g_assert_true (g_file_set_contents (subgid, "", -1, NULL));
  g_assert_true (sbx_id_layout_for_caller (SBX_USERNS_DEFAULT, subuid, subgid, &layout, NULL));
  /* A uid range without a gid range is no use to newgidmap: single mapping. */
  g_assert_true (layout.single);
  g_assert_true (g_file_set_contents (subgid, line, -1, NULL));
  g_assert_true (sbx_id_layout_for_caller (SBX_USERNS_DEFAULT, subuid, subgid, &layout, NULL));
  g_assert_false (layout.single);
  g_assert_cmpuint (layout.uid_map.ranges[1].outside, ==, 400000);
  g_assert_cmpuint (layout.uid_map.ranges[1].count, ==, 5000);
  /* Missing files mean no ranges, not an error. */
  g_assert_true (sbx_id_layout_for_caller (SBX_USERNS_DEFAULT, "/nonexistent/subuid", subgid, &layout, NULL));
  g_assert_true (layout.single);
  g_unlink (subuid);
  g_unlink (subgid);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/idmap/subid-find", test_subid_find);
  g_test_add_func ("/idmap/layout-default", test_layout_default);
  g_test_add_func ("/idmap/layout-keep-id", test_layout_keep_id);
  g_test_add_func ("/idmap/layout-single", test_layout_single);
  g_test_add_func ("/idmap/mode-parse", test_mode_parse);
  g_test_add_func ("/idmap/layout-from-files", test_layout_from_files);
  return g_test_run ();
}
