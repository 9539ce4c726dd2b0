/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-unpack.c: unit tests of sbx_unpack_layer: what lands in the directory, the
 * digests, and the refusal of hostile entries (with nothing written outside). */
#include <errno.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <gio/gio.h>

#include "sbx-error.h"
#include "sbx-test-layers.h"

typedef struct {
  char *tmp;     /* per-test temporary directory */
  char *dest;    /* tmp/dest: the unpack target */
  char *outside; /* tmp/outside: must never change */
  char *canary;  /* tmp/outside/canary */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->tmp = test_tmpdir ();
  f->dest = g_build_filename (f->tmp, "dest", NULL);
  f->outside = g_build_filename (f->tmp, "outside", NULL);
  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->outside, 0755), ==, 0);
  f->canary = test_write_string (f->outside, "canary", "untouched");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->dest);
  g_free (f->outside);
  g_free (f->canary);
}

/* Unpacks @tar (compressed with @filter) into f->dest with the right digests. */
static gboolean
unpack (Fixture *f, GBytes *tar, const char *filter, guint64 *size, GError **error)
{
  g_autoptr(GBytes) blob = test_compress (tar, filter);
  g_autofree char *digest = test_digest (blob);
  g_autofree char *diff_id = test_digest (tar);
  g_autofree char *path = test_write (f->tmp, "layer.blob", blob);

  return sbx_unpack_layer (path, f->dest, digest, diff_id, test_unpack_flags (), size, error);
}

static char *
dest_path (Fixture *f, const char *name)
{
  return g_build_filename (f->dest, name, NULL);
}

static void
assert_file (Fixture *f, const char *name, const char *contents)
{
  g_autofree char *path = dest_path (f, name);
  g_autofree char *data = NULL;

  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  g_assert_cmpstr (data, ==, contents);
}

static mode_t
mode_of (Fixture *f, const char *name)
{
  g_autofree char *path = dest_path (f, name);
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode;
}

static void
test_basic_entries (Fixture *f, gconstpointer data)
{
  const TestEntry entries[] = {
    { .path = "./", .type = AE_IFDIR, .mode = 0755 },
    { .path = "bin/", .type = AE_IFDIR, .mode = 0755 },
    { .path = "bin/tool", .data = "#!/bin/sh\n", .mode = 04755, .mtime = 1234567890 },
    { .path = "bin/link", .type = AE_IFLNK, .symlink = "/bin/tool" },
    { .path = "bin/hard", .hardlink = "bin/tool" },
    { .path = "etc/deep/file", .data = "implicit parents" },
    { .path = "run/fifo", .type = AE_IFIFO, .mode = 0600 },
    { .path = "dev/null", .type = AE_IFCHR, .mode = 0666 },
    { NULL }
  };
  g_autoptr(GBytes) tar = test_tar (entries);
  g_autoptr(GError) error = NULL;
  g_autofree char *tool = dest_path (f, "bin/tool");
  g_autofree char *hard = dest_path (f, "bin/hard");
  g_autofree char *link = dest_path (f, "bin/link");
  g_autofree char *target = NULL;
  struct stat st_tool, st_hard;
  guint64 size = 0;

  g_assert_true (unpack (f, tar, NULL, &size, &error));
  g_assert_no_error (error);
  assert_file (f, "bin/tool", "#!/bin/sh\n");
  assert_file (f, "etc/deep/file", "implicit parents");
  g_assert_cmpint (size, ==, strlen ("#!/bin/sh\n") + strlen ("implicit parents"));
  g_assert_cmpint (mode_of (f, "bin/tool") & 07777, ==, 04755);
  target = g_file_read_link (link, NULL);
  g_assert_cmpstr (target, ==, "/bin/tool");
  g_assert_cmpint (stat (tool, &st_tool), ==, 0);
  g_assert_cmpint (stat (hard, &st_hard), ==, 0);
  g_assert_cmpint (st_tool.st_ino, ==, st_hard.st_ino);
  g_assert_cmpint (st_tool.st_mtime, ==, 1234567890);
  g_assert_true (S_ISFIFO (mode_of (f, "run/fifo")));
  g_assert_false (test_exists (f->dest, "dev/null")); /* devices are skipped */
}

static void
test_compressed (Fixture *f, gconstpointer filter)
{
  const TestEntry entries[] = { { .path = "hello", .data = "compressed hello" }, { NULL } };
  g_autoptr(GBytes) tar = test_tar (entries);
  g_autoptr(GError) error = NULL;

  g_assert_true (unpack (f, tar, filter, NULL, &error));
  g_assert_no_error (error);
  assert_file (f, "hello", "compressed hello");
}

static void
test_ownership (Fixture *f, gconstpointer data)
{
  const TestEntry entries[] = {
    { .path = "owned", .data = "x", .uid = 1234, .gid = 5678, .mode = 02755 },
    { .path = "dir/", .type = AE_IFDIR, .uid = 42, .gid = 43 },
    { NULL }
  };
  g_autoptr(GBytes) tar = test_tar (entries);
  g_autoptr(GError) error = NULL;
  g_autofree char *owned = dest_path (f, "owned");
  g_autofree char *dir = dest_path (f, "dir");
  struct stat st;

  g_assert_true (unpack (f, tar, NULL, NULL, &error));
  g_assert_no_error (error);
  if (geteuid () != 0)
    {
      g_test_skip ("ownership needs root (or a user namespace); chown errors were ignored");
      return;
    }
  g_assert_cmpint (stat (owned, &st), ==, 0);
  g_assert_cmpint (st.st_uid, ==, 1234);
  g_assert_cmpint (st.st_gid, ==, 5678);
  g_assert_cmpint (st.st_mode & 07777, ==, 02755); /* setgid survives the chown */
  g_assert_cmpint (stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_uid, ==, 42);
}

static void
test_xattrs (Fixture *f, gconstpointer data)
{
  const TestEntry entries[] = {
    { .path = "tagged", .data = "x", .xattr_name = "user.sbx.test", .xattr_value = "yes" },
    { .path = "sneaky", .data = "x", .xattr_name = "user.overlay.redirect", .xattr_value = "/etc" },
    { .path = "trusted", .data = "x", .xattr_name = "trusted.sbx", .xattr_value = "1" },
    { NULL }
  };
  g_autoptr(GBytes) tar = test_tar (entries);
  g_autoptr(GError) error = NULL;
  g_autofree char *tagged = dest_path (f, "tagged");
  g_autofree char *sneaky = dest_path (f, "sneaky");
  char value[16] = { 0 };

  if (setxattr (f->canary, "user.sbx.probe", "1", 1, 0) < 0)
    {
      g_test_skip ("the test filesystem has no user xattrs");
      return;
    }
  g_assert_true (unpack (f, tar, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (getxattr (tagged, "user.sbx.test", value, sizeof value), ==, 3);
  g_assert_cmpstr (value, ==, "yes");
  /* overlay control xattrs never come from the tar */
  g_assert_cmpint (getxattr (sneaky, "user.overlay.redirect", value, sizeof value), ==, -1);
}

static void
test_whiteouts (Fixture *f, gconstpointer data)
{
  const TestEntry entries[] = {
    { .path = "etc/", .type = AE_IFDIR },
    { .path = "etc/.wh.passwd", .data = "" },
    { .path = "opaque/", .type = AE_IFDIR },
    { .path = "opaque/.wh..wh..opq", .data = "" },
    { .path = "opaque/kept", .data = "new" },
    { NULL }
  };
  g_autoptr(GBytes) tar = test_tar (entries);
  g_autoptr(GError) error = NULL;
  g_autofree char *whiteout = dest_path (f, "etc/passwd");
  g_autofree char *opaque = dest_path (f, "opaque");
  char value[4] = { 0 };
  struct stat st;

  if (setxattr (f->canary, "user.sbx.probe", "1", 1, 0) < 0)
    {
      g_test_skip ("the test filesystem has no user xattrs");
      return;
    }
  g_assert_true (unpack (f, tar, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lstat (whiteout, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpint (st.st_rdev, ==, makedev (0, 0));
  g_assert_false (test_exists (f->dest, "etc/.wh.passwd"));
  g_assert_cmpint (getxattr (opaque, "user.overlay.opaque", value, sizeof value), ==, 1);
  g_assert_cmpint (value[0], ==, 'y');
  g_assert_cmpint (getxattr (opaque, "user.fuseoverlayfs.opaque", value, sizeof value), ==, 1);
  assert_file (f, "opaque/kept", "new");
}

static void
test_replacements (Fixture *f, gconstpointer data)
{
  const TestEntry entries[] = {
    { .path = "d/", .type = AE_IFDIR },
    { .path = "d/f", .data = "in d" },
    { .path = "d", .data = "d is a file now" }, /* dir -> file: tree removed */
    { .path = "keep/", .type = AE_IFDIR },
    { .path = "keep/f", .data = "kept" },
    { .path = "keep/", .type = AE_IFDIR, .mode = 0750 }, /* dir again: contents stay */
    { .path = "ro/", .type = AE_IFDIR, .mode = 0555 },
    { .path = "ro/f", .data = "in a read-only dir" },
    { .path = "closed/", .type = AE_IFDIR, .no_perms = TRUE },
    { .path = "closed/f", .data = "in a 0000 dir" },
    { .path = "f", .data = "old" },
    { .path = "f", .data = "new" }, /* file -> file */
    { NULL }
  };
  g_autoptr(GBytes) tar = test_tar (entries);
  g_autoptr(GError) error = NULL;

  g_assert_true (unpack (f, tar, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_file (f, "d", "d is a file now");
  assert_file (f, "keep/f", "kept");
  g_assert_cmpint (mode_of (f, "keep") & 07777, ==, 0750);
  g_assert_cmpint (mode_of (f, "ro") & 07777, ==, 0555);
  g_assert_cmpint (mode_of (f, "closed") & 07777, ==, 0);
  assert_file (f, "f", "new");
  if (geteuid () == 0)
    assert_file (f, "ro/f", "in a read-only dir");
}

static void
test_digest_mismatch (Fixture *f, gconstpointer data)
{
  const TestEntry entries[] = { { .path = "x", .data = "x" }, { NULL } };
  const char *wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  g_autoptr(GBytes) tar = test_tar (entries);
  g_autoptr(GBytes) blob = test_compress (tar, "gzip");
  g_autofree char *digest = test_digest (blob);
  g_autofree char *diff_id = test_digest (tar);
  g_autofree char *path = test_write (f->tmp, "layer.blob", blob);
  g_autoptr(GError) error = NULL;

  g_assert_false (sbx_unpack_layer (path, f->dest, wrong, diff_id, test_unpack_flags (), NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
  g_assert_nonnull (strstr (error->message, "digest mismatch (got sha256:"));
  g_assert_nonnull (strstr (error->message, digest + 7));
  g_clear_error (&error);
  test_rm_rf (f->dest);
  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  g_assert_false (sbx_unpack_layer (path, f->dest, digest, wrong, test_unpack_flags (), NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
  g_assert_nonnull (strstr (error->message, "diff_id mismatch"));
  g_clear_error (&error);
  g_assert_false (sbx_unpack_layer (path, f->dest, "sha256:../../etc", NULL, 0, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
}

typedef struct {
  const char *what;
  const char *named; /* the entry the error must name */
  TestEntry entries[4];
} HostileCase;

/* "@OUT@" in a symlink target stands for the outside directory. */
static const HostileCase hostile_cases[] = {
  { "absolute path", "/tmp/sbx-absolute", { { .path = "/tmp/sbx-absolute", .data = "x" } } },
  { "dot-dot", "../outside/evil", { { .path = "../outside/evil", .data = "x" } } },
  { "inner dot-dot", "a/../../outside/evil", { { .path = "a/", .type = AE_IFDIR }, { .path = "a/../../outside/evil", .data = "x" } } },
  { "write through symlink", "a/evil", { { .path = "a", .type = AE_IFLNK, .symlink = "@OUT@" }, { .path = "a/evil", .data = "x" } } },
  { "write through relative symlink", "a/evil", { { .path = "a", .type = AE_IFLNK, .symlink = "../outside" }, { .path = "a/evil", .data = "x" } } },
  { "hardlink to /etc/passwd", "passwd", { { .path = "passwd", .hardlink = "/etc/passwd" } } },
  { "hardlink with dot-dot", "canary", { { .path = "canary", .hardlink = "../outside/canary" } } },
  { "hardlink through symlink", "canary", { { .path = "a", .type = AE_IFLNK, .symlink = "@OUT@" }, { .path = "canary", .hardlink = "a/canary" } } },
  { "dir replaced by symlink", "d/evil", { { .path = "d/", .type = AE_IFDIR }, { .path = "d", .type = AE_IFLNK, .symlink = "@OUT@" }, { .path = "d/evil", .data = "x" } } },
  { "whiteout through symlink", "a/.wh.canary", { { .path = "a", .type = AE_IFLNK, .symlink = "@OUT@" }, { .path = "a/.wh.canary", .data = "" } } },
};

static void
test_hostile (Fixture *f, gconstpointer data)
{
  const HostileCase *c = data;
  TestEntry entries[G_N_ELEMENTS (c->entries)];
  g_autoptr(GBytes) tar = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *canary = NULL;
  g_autofree char *quoted = g_strdup_printf ("'%s'", c->named);

  memcpy (entries, c->entries, sizeof entries);
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    if (entries[i].symlink && strcmp (entries[i].symlink, "@OUT@") == 0)
      entries[i].symlink = f->outside;
  tar = test_tar (entries);
  g_assert_false (unpack (f, tar, NULL, NULL, &error));
  g_assert_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE);
  g_test_message ("%s: %s", c->what, error->message);
  g_assert_nonnull (strstr (error->message, quoted));
  g_assert_nonnull (strstr (error->message, "escapes the layer"));
  g_assert_true (g_file_get_contents (f->canary, &canary, NULL, NULL));
  g_assert_cmpstr (canary, ==, "untouched");
  g_assert_cmpuint (test_count_entries (f->outside), ==, 1);
  g_assert_false (g_file_test ("/tmp/sbx-absolute", G_FILE_TEST_EXISTS));
}

static void
test_rm_rf_hostile_tree (Fixture *f, gconstpointer data)
{
  const TestEntry entries[] = {
    { .path = "out", .type = AE_IFLNK, .symlink = "@OUT@" },
    { .path = "closed/", .type = AE_IFDIR, .no_perms = TRUE },
    { .path = "closed/sub/", .type = AE_IFDIR, .mode = 0555 },
    { .path = "closed/sub/f", .data = "x" },
    { NULL }
  };
  TestEntry copy[G_N_ELEMENTS (entries)];
  g_autoptr(GBytes) tar = NULL;
  g_autoptr(GError) error = NULL;

  memcpy (copy, entries, sizeof copy);
  copy[0].symlink = f->outside;
  tar = test_tar (copy);
  g_assert_true (unpack (f, tar, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sbx_rm_rf_at (AT_FDCWD, f->dest, &error));
  g_assert_no_error (error);
  g_assert_false (test_exists (f->tmp, "dest"));
  g_assert_true (g_file_test (f->canary, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func, data) g_test_add (name, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/unpack/basic-entries", test_basic_entries, NULL);
  ADD ("/unpack/gzip", test_compressed, "gzip");
  ADD ("/unpack/zstd", test_compressed, "zstd");
  ADD ("/unpack/ownership", test_ownership, NULL);
  ADD ("/unpack/xattrs", test_xattrs, NULL);
  ADD ("/unpack/whiteouts", test_whiteouts, NULL);
  ADD ("/unpack/replacements", test_replacements, NULL);
  ADD ("/unpack/digest-mismatch", test_digest_mismatch, NULL);
  ADD ("/unpack/rm-rf-hostile-tree", test_rm_rf_hostile_tree, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/unpack/hostile/%u", i);
      ADD (name, test_hostile, &hostile_cases[i]);
    }
#undef ADD
  return g_test_run ();
}
