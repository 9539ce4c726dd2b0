/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* import-helper.c: finding and running sbx-import (import-helper.h). */
#include "import-helper.h"
#include "install-dirs.h"
#include "process.h"
#include "sbx-error.h"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

char *
sbx_import_helper_path (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  g_autofree char *beside = dir != NULL ? g_build_filename (dir, "sbx-import", NULL) : NULL;
  g_autofree char *libexecdir = NULL;

  /* Beside sbx: the build directory. */
  if (beside != NULL && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);
  libexecdir = sbx_install_path_for (dir, SBX_LIBEXECDIR);
  return g_build_filename (libexecdir, "sbx-import", NULL);
}

static GPtrArray *
helper_argv (const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, sbx_import_helper_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* The helper's last stderr line, without "sbx: ". */
static void
set_helper_error (const char * const *args, const char *err, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (err ? err : "", "\n", -1);
  const char *message = NULL;

  for (char **line = lines; *line; line++)
    if (*g_strstrip (*line) != '\0')
      message = g_str_has_prefix (*line, "sbx: ") ? *line + strlen ("sbx: ") : *line;
  if (message != NULL)
    g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s", message);
  else if (args[0] != NULL && args[0][0] == '-')
    g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sbx-import %s failed without a message", args[0]);
  else
    g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sbx-import failed without a message");
}

static GSubprocessLauncher *
helper_launcher (const SbxImportHelperOptions *options, gboolean want_stdout, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
               g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                          (want_stdout ? G_SUBPROCESS_FLAGS_STDOUT_PIPE : G_SUBPROCESS_FLAGS_STDOUT_SILENCE));

  if (options != NULL && options->progress_fd >= 0)
    {
      int fd = fcntl (options->progress_fd, F_DUPFD_CLOEXEC, SBX_IMPORT_HELPER_PROGRESS_FD + 1);
      if (fd < 0)
        return sbx_set_error_from_errno (error, errno, "dup"), NULL;
      g_subprocess_launcher_take_fd (launcher, fd, SBX_IMPORT_HELPER_PROGRESS_FD);
    }
  /* Killing sbx at any moment leaves no helper behind. */
  g_subprocess_launcher_set_child_setup (launcher, sbx_die_with_parent_child_setup,
                                         GINT_TO_POINTER (getpid ()), NULL);
  return g_steal_pointer (&launcher);
}

gboolean
sbx_import_helper_run (const char * const *args, const SbxImportHelperOptions *options,
                       char **out_stdout, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = helper_launcher (options, out_stdout != NULL, error);
  g_autoptr(GPtrArray) argv = helper_argv (args);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (launcher == NULL ||
      (proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error)) == NULL ||
      !g_subprocess_communicate_utf8 (proc, NULL, NULL, out_stdout != NULL ? &out : NULL, &err, error))
    return FALSE;
  if (!g_subprocess_get_successful (proc))
    return set_helper_error (args, err, error), FALSE;
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  return TRUE;
}

gboolean
sbx_import_helper_exec (char **args, GError **error)
{
  g_autoptr(GPtrArray) argv = helper_argv ((const char * const *) args);

  execv (g_ptr_array_index (argv, 0), (char **) argv->pdata);
  return sbx_set_error_from_errno (error, errno, "run %s", (char *) g_ptr_array_index (argv, 0));
}
