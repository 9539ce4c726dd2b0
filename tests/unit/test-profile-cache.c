/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-profile-cache.c: profiles/profile-cache.c through sbx_profile_load_cached: a profile
 * from the cache is the profile read from its files (every shipped one, and its compiled
 * filter), a change to what it was made from is seen, and a damaged, planted or shared entry
 * is a miss that is then written again, never an error and never followed. */
#include "profile.h"
#include "json-util.h"
#include "rm-tree.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#pragma GCC diagnostic ignored "-Wnull-dereference"

static char *base_dir;

/* ------------------------------------------------------------------------- helpers */

static char *
scratch (const char *name)
{
  char *path = g_build_filename (base_dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return path;
}

static SbxProfile *
load_cached (const char *name, const char *cache_dir, const SbxProfileOverrides *overrides, char **source)
{
  g_autoptr(GError) error = NULL;
  SbxProfile *p = sbx_profile_load_cached (name, overrides, cache_dir, source, &error);

  g_assert_no_error (error);
  g_assert_nonnull (p);
  g_test_message ("%s: %s", name, *source);
  return p;
}

/* load_cached, *@source given before (and freed here). */
static SbxProfile *
load_again (const char *name, const char *cache_dir, const SbxProfileOverrides *overrides, char **source)
{
  g_clear_pointer (source, g_free);
  return load_cached (name, cache_dir, overrides, source);
}

/* The one entry file in @dir (the cache holds one profile in these tests). */
static char *
only_entry (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_assert_null (found);
      found = g_build_filename (dir, name, NULL);
    }
  g_assert_nonnull (found);
  return found;
}

static char *
text_of (const json_t *node)
{
  return sbx_json_to_text (node, FALSE, NULL);
}

/* Everything run.c takes from a profile, compared: the effective JSON whole and without its
 * filter, the values read from it, and the program the filter compiles to. */
static void
assert_same_profile (const SbxProfile *read, const SbxProfile *cached)
{
  g_autofree char *read_json = text_of (read->json), *cached_json = text_of (cached->json);
  g_autofree char *read_whole = sbx_profile_to_json (read, FALSE, NULL);
  g_autofree char *cached_whole = sbx_profile_to_json (cached, FALSE, NULL);
  g_auto(SbxSeccompProgram) program = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (read->name, ==, cached->name);
  g_assert_cmpstr (read_json, ==, cached_json);
  g_assert_cmpstr (read_whole, ==, cached_whole);
  g_assert_cmpint (read->has_seccomp, ==, cached->has_seccomp);
  g_assert_null (cached->seccomp_rules);
  g_assert_true (cached->seccomp_compiled);
  if (read->has_seccomp)
    {
      g_assert_true (sbx_seccomp_compile (read->seccomp_rules, read->caps[SBX_CAPSET_BOUNDING], &program, &error));
      g_assert_no_error (error);
      g_assert_nonnull (cached->seccomp_program.program);
      g_assert_true (g_bytes_equal (program.program, cached->seccomp_program.program));
      g_assert_cmpuint (program.flags, ==, cached->seccomp_program.flags);
    }
  {
    g_autofree char *bypass = read->has_seccomp ? sbx_seccomp_io_uring_bypass (read->seccomp_rules,
                                                                               read->caps[SBX_CAPSET_BOUNDING])
                                                : NULL;
    g_assert_cmpstr (bypass, ==, cached->seccomp_io_uring_bypass);
  }
  for (int set = 0; set < SBX_N_CAPSETS; set++)
    g_assert_cmphex (read->caps[set], ==, cached->caps[set]);
  g_assert_cmpint (read->unshare_flags, ==, cached->unshare_flags);
  g_assert_cmpint (read->no_new_privileges, ==, cached->no_new_privileges);
  g_assert_cmpint (read->root_readonly, ==, cached->root_readonly);
  g_assert_cmpint (read->home, ==, cached->home);
  g_assert_cmpuint (read->mounts->len, ==, cached->mounts->len);
  g_assert_cmpuint (read->rlimits->len, ==, cached->rlimits->len);
  g_assert_true (g_strv_equal ((const char * const *) read->masked_paths, (const char * const *) cached->masked_paths));
  g_assert_true (
    g_strv_equal ((const char * const *) read->readonly_paths, (const char * const *) cached->readonly_paths));
  g_assert_cmpstr (read->image, ==, cached->image);
  g_assert_cmpstr (read->network, ==, cached->network);
  g_assert_cmpstr (read->userns, ==, cached->userns);
  g_assert_cmpstr (read->app_id, ==, cached->app_id);
  g_assert_cmpint (read->dbus_session != NULL, ==, cached->dbus_session != NULL);
  g_assert_cmpint (read->desktop.x11, ==, cached->desktop.x11);
}

/* ------------------------------------------------------------------------- tests */

/* Every shipped profile: read once (and kept), then from the cache, the same as read. */
static void
test_shipped_profiles (void)
{
  static const char * const names[] = { "default", "desktop", "devel", "firefox", "gui-x11", "gui-wayland", "audio",
                                        "network", "offline", "browser", "chromium", "thunderbird", "libreoffice",
                                        "vlc", "gimp", "evince", "devshell" };
  g_autofree char *cache = scratch ("shipped-cache");
  /* A search directory that is not there: nothing in it changed in the last seconds. */
  g_autofree char *missing = g_build_filename (base_dir, "no-such-dir", NULL);

  g_setenv ("SBX_PROFILE_PATH", missing, TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *first = NULL, *second = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(SbxProfile) read = sbx_profile_load (names[i], NULL, &error);
      g_autoptr(SbxProfile) kept = load_cached (names[i], cache, NULL, &first);
      g_autoptr(SbxProfile) cached = load_cached (names[i], cache, NULL, &second);

      g_assert_no_error (error);
      g_assert_cmpstr (first, ==, "read (cache: no entry; kept)");
      g_assert_cmpstr (second, ==, "from the cache");
      assert_same_profile (read, cached);
      g_assert_true (kept->seccomp_compiled);
    }
  g_unsetenv ("SBX_PROFILE_PATH");
}

/* A profile by name in a search directory: kept once its files are two seconds old; a
 * change to it, a profile shadowing it, a damaged, planted or shared entry each read it
 * again. */
static void
test_changes_and_damage (void)
{
  g_autofree char *cache = scratch ("cache");
  g_autofree char *lower = scratch ("lower");
  g_autofree char *upper = scratch ("upper");
  g_autofree char *path = g_strdup_printf ("%s:%s", lower, upper);
  g_autofree char *file = g_build_filename (lower, "app.json", NULL);
  g_autofree char *shadow = g_build_filename (upper, "app.json", NULL);
  g_autofree char *target = g_build_filename (base_dir, "precious", NULL);
  g_autofree char *source = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *contents = NULL;
  SbxProfileOverrides overrides = { 0 };
  struct stat st;

  g_setenv ("SBX_PROFILE_PATH", path, TRUE);
  g_assert_true (g_file_set_contents (file, "{\"sbx\": {\"include\": [\"default\"]}, \"hostname\": \"one\"}", -1, NULL));
  g_assert_true (g_file_set_contents (target, "precious", -1, NULL));
  {
    g_autoptr(SbxProfile) p = load_cached ("app", cache, NULL, &source);
    g_assert_true (g_str_has_suffix (source, "changed in the last 2 seconds)"));
    g_assert_cmpstr (p->hostname, ==, "one");
  }
  g_usleep (2100 * G_TIME_SPAN_MILLISECOND);
  {
    g_autoptr(SbxProfile) p = load_again ("app", cache, NULL, &source);
    g_assert_cmpstr (p->hostname, ==, "one");
    g_assert_cmpstr (source, ==, "read (cache: no entry; kept)");
  }
  {
    g_autoptr(SbxProfile) p = load_again ("app", cache, NULL, &source);
    g_autoptr(SbxProfile) read = sbx_profile_load ("app", NULL, NULL);
    g_assert_cmpstr (source, ==, "from the cache");
    g_assert_cmpstr (p->hostname, ==, "one");
    assert_same_profile (read, p);
  }
  entry = only_entry (cache);
  g_assert_cmpint (stat (entry, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Damaged: garbage, then a truncated copy of a good entry. */
  g_assert_true (g_file_get_contents (entry, &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (entry, "not a cache entry at all, but long enough to look at", -1, NULL));
  {
    g_autoptr(SbxProfile) p = load_again ("app", cache, NULL, &source);
    g_assert_true (g_str_has_prefix (source, "read (cache: "));
    g_assert_true (g_str_has_suffix (source, "; kept)"));
    g_assert_cmpstr (p->hostname, ==, "one");
  }
  g_assert_true (g_file_set_contents (entry, contents, 4000, NULL));
  {
    g_autoptr(SbxProfile) p = load_again ("app", cache, NULL, &source);
    g_assert_true (g_str_has_prefix (source, "read (cache: "));
    g_assert_cmpstr (p->hostname, ==, "one");
  }

  /* Planted as a symbolic link: not followed, replaced; what it pointed at is untouched. */
  g_assert_cmpint (g_unlink (entry), ==, 0);
  g_assert_cmpint (symlink (target, entry), ==, 0);
  {
    g_autoptr(SbxProfile) p = load_again ("app", cache, NULL, &source);
    g_autofree char *left = NULL;
    g_assert_cmpstr (p->hostname, ==, "one");
    g_assert_cmpstr (source, ==, "read (cache: the entry cannot be opened; kept)");
    g_assert_true (g_file_get_contents (target, &left, NULL, NULL));
    g_assert_cmpstr (left, ==, "precious");
    g_assert_cmpint (lstat (entry, &st), ==, 0);
    g_assert_true (S_ISREG (st.st_mode));
  }

  /* Writable by others: not used, written again as the user's alone. */
  g_assert_cmpint (chmod (entry, 0666), ==, 0);
  {
    g_autoptr(SbxProfile) p = load_again ("app", cache, NULL, &source);
    g_assert_cmpstr (p->hostname, ==, "one");
    g_assert_cmpstr (source, ==, "read (cache: the entry is not a file of the user's alone; kept)");
    g_assert_cmpint (stat (entry, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }

  /* Overrides and files by path are read every time. */
  overrides.hostname = "two";
  {
    g_autoptr(SbxProfile) p = load_again ("app", cache, &overrides, &source);
    g_assert_true (g_str_has_prefix (source, "read (the cache is for a profile by name"));
    g_assert_cmpstr (p->hostname, ==, "two");
  }
  {
    g_autoptr(SbxProfile) p = load_again (file, cache, NULL, &source);
    g_assert_cmpstr (p->hostname, ==, "one");
    g_assert_true (g_str_has_prefix (source, "read (the cache is for a profile by name"));
  }

  /* The file itself rewritten in place (the same inode, the same size): an editor's save. */
  {
    FILE *f = fopen (file, "w");
    g_assert_nonnull (f);
    fputs ("{\"sbx\": {\"include\": [\"default\"]}, \"hostname\": \"won\"}", f);
    g_assert_cmpint (fclose (f), ==, 0);
  }
  {
    g_autoptr(SbxProfile) p = load_again ("app", cache, NULL, &source);
    g_autofree char *expected = g_strdup_printf ("read (cache: %s changed; not kept: %s changed in the last 2 seconds)",
                                                 file, file);
    g_assert_cmpstr (source, ==, expected);
    g_assert_cmpstr (p->hostname, ==, "won");
  }
  /* A profile of the same name higher on the search path: its directory changed. */
  g_assert_true (g_file_set_contents (shadow, "{\"sbx\": {\"include\": [\"default\"]}, \"hostname\": \"two\"}", -1, NULL));
  {
    g_autoptr(SbxProfile) p = load_again ("app", cache, NULL, &source);
    g_autofree char *expected = g_strdup_printf ("read (cache: %s changed; not kept: %s changed in the last 2 seconds)",
                                                 upper, upper);
    g_assert_cmpstr (source, ==, expected);
    g_assert_cmpstr (p->hostname, ==, "two");
  }
  g_assert_cmpint (g_unlink (shadow), ==, 0);

  g_unsetenv ("SBX_PROFILE_PATH");
}

/* A cache directory others may write to is not used. */
static void
test_shared_dir (void)
{
  g_autofree char *cache = scratch ("shared-cache");
  g_autofree char *missing = g_build_filename (base_dir, "no-such-dir", NULL);
  g_autofree char *source = NULL;

  g_assert_cmpint (chmod (cache, 0777), ==, 0);
  g_setenv ("SBX_PROFILE_PATH", missing, TRUE);
  {
    g_autoptr(SbxProfile) p = load_cached ("default", cache, NULL, &source);
    g_autofree char *expected = g_strdup_printf ("read (cache: %s is not the user's alone; not kept: %s is not the "
                                                 "user's alone)",
                                                 cache, cache);
    g_assert_cmpstr (source, ==, expected);
    g_assert_true (p->has_seccomp);
  }
  g_unsetenv ("SBX_PROFILE_PATH");
}

/* Storing keeps the directory at 64 entries (the oldest go) and removes a temporary name a
 * killed sbx left on a filesystem without O_TMPFILE once it is a minute old. */
static void
test_tidy (void)
{
  g_autofree char *cache = scratch ("full-cache");
  g_autofree char *missing = g_build_filename (base_dir, "no-such-dir", NULL);
  g_autofree char *stale = g_build_filename (cache, ".0123456789abcdef.sbx-AAAAAAAA", NULL);
  g_autofree char *fresh = g_build_filename (cache, ".0123456789abcdef.sbx-BBBBBBBB", NULL);
  g_autofree char *source = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint entries = 0;

  for (guint i = 0; i < 70; i++)
    {
      g_autofree char *file = g_strdup_printf ("%s/%016x", cache, i);
      struct timespec times[2] = { { now - 1000 + i, 0 }, { now - 1000 + i, 0 } };
      g_assert_true (g_file_set_contents (file, "old", -1, NULL));
      g_assert_cmpint (utimensat (AT_FDCWD, file, times, 0), ==, 0);
    }
  {
    struct timespec old[2] = { { now - 120, 0 }, { now - 120, 0 } };
    g_assert_true (g_file_set_contents (stale, "x", -1, NULL));
    g_assert_cmpint (utimensat (AT_FDCWD, stale, old, 0), ==, 0);
    g_assert_true (g_file_set_contents (fresh, "x", -1, NULL));
  }
  g_setenv ("SBX_PROFILE_PATH", missing, TRUE);
  {
    g_autoptr(SbxProfile) p = load_cached ("default", cache, NULL, &source);
    g_autoptr(GDir) d = g_dir_open (cache, 0, NULL);
    const char *name;

    g_assert_cmpstr (source, ==, "read (cache: no entry; kept)");
    g_assert_true (p->has_seccomp);
    while ((name = g_dir_read_name (d)) != NULL)
      entries += name[0] != '.';
  }
  g_assert_cmpuint (entries, ==, 64);
  for (guint i = 0; i < 70; i++)
    {
      g_autofree char *file = g_strdup_printf ("%s/%016x", cache, i);
      g_assert_cmpint (g_file_test (file, G_FILE_TEST_EXISTS), ==, i >= 7); /* the 7 oldest went */
    }
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_unsetenv ("SBX_PROFILE_PATH");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  base_dir = g_dir_make_tmp ("sbx-test-profile-cache-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/profile-cache/shipped", test_shipped_profiles);
  g_test_add_func ("/profile-cache/changes-and-damage", test_changes_and_damage);
  g_test_add_func ("/profile-cache/shared-dir", test_shared_dir);
  g_test_add_func ("/profile-cache/tidy", test_tidy);
  status = g_test_run ();
  (void) sbx_rm_rf_at (AT_FDCWD, base_dir, NULL);
  return status;
}
