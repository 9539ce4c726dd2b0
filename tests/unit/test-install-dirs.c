/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-install-dirs.c: installed files found from where the program runs (install-dirs.h). */
#include "install-dirs.h"
#include "config.h"

static void
check (const char *exe_dir, const char *configured, const char *expected)
{
  g_autofree char *got = sbx_install_path_for (exe_dir, configured);

  g_assert_cmpstr (got, ==, expected);
}

static void
test_at_configured_place (void)
{
  check (SBX_BINDIR, SBX_DATADIR, SBX_DATADIR);
  check (SBX_LIBEXECDIR, SBX_DATADIR, SBX_DATADIR);
}

static void
test_staged (void)
{
  g_autofree char *bindir = g_strconcat ("/tmp/stage", SBX_BINDIR, NULL);
  g_autofree char *libexecdir = g_strconcat ("/tmp/stage", SBX_LIBEXECDIR, NULL);
  g_autofree char *datadir = g_strconcat ("/tmp/stage", SBX_DATADIR, NULL);

  check (bindir, SBX_DATADIR, datadir);
  check (libexecdir, SBX_DATADIR, datadir);
}

static void
test_elsewhere (void)
{
  /* A build directory, a relative or missing one: the configured place. */
  check ("/work/sbx/build", SBX_DATADIR, SBX_DATADIR);
  check ("build/bin", SBX_DATADIR, SBX_DATADIR);
  check (NULL, SBX_LIBEXECDIR, SBX_LIBEXECDIR);
  /* A directory that merely ends like the bindir's last part is not a staged root. */
  check ("/opt/xbin", SBX_DATADIR, SBX_DATADIR);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/install-dirs/at-configured-place", test_at_configured_place);
  g_test_add_func ("/install-dirs/staged", test_staged);
  g_test_add_func ("/install-dirs/elsewhere", test_elsewhere);
  return g_test_run ();
}
