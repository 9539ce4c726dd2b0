/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-fd-util.c: files created whole or not at all (fd-util.h), both ways. */
#include "fd-util.h"
#include "rm-tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

typedef gboolean (*WriteNew) (int dirfd, const char *name, mode_t mode, const void *data, size_t len,
                              GError **error);

/* The names in @dir, sorted, joined by spaces. */
static char *
names_in (const char *dir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DIR *d = opendir (dir);
  struct dirent *e;

  g_assert_nonnull (d);
  while ((e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (e->d_name));
  closedir (d);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
check_write_new (WriteNew write_new)
{
  g_autofree char *dir = g_dir_make_tmp ("sbx-fd-util-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "driver", NULL);
  g_autofree char *contents = NULL, *names = NULL;
  g_autoptr(GError) error = NULL;
  sbx_autofd int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  mode_t old_umask = umask (077);

  g_assert_true (write_new (dirfd, "driver", 0644, "overlay", 7, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "overlay");
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0644); /* not the umask's */
  /* An existing name is an error, as with O_EXCL, and keeps its contents. */
  g_assert_false (write_new (dirfd, "driver", 0644, "fuse-overlayfs", 14, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "overlay");
  /* No temporary name stays behind, after success or failure. */
  names = names_in (dir);
  g_assert_cmpstr (names, ==, "driver");
  umask (old_umask);
  g_assert_true (sbx_rm_rf_at (AT_FDCWD, dir, NULL));
}

static void
test_write_new_tmpfile (void)
{
  check_write_new (sbx_write_new_file_at);
}

static void
test_write_new_linked (void)
{
  check_write_new (sbx_write_new_file_linked_at);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fd-util/write-new/tmpfile", test_write_new_tmpfile);
  g_test_add_func ("/fd-util/write-new/linked", test_write_new_linked);
  return g_test_run ();
}
