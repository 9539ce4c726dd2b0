/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* import-helper.c: finding and running sbx-import (import-helper.h). */
#include "import-helper.h"
#include "install-dirs.h"
#include "process.h"
#include "sbx-error.h"
#include "config.h"
#include "fd-util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/wait.h>

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

/* Reads the helper's stdout (@out_fd, -1: none) and stderr to their ends, each into its
 * string, with poll: sbx stays single-threaded here, as it must be when it forks the
 * sandbox later in the run (a thread holding one of GLib's locks at that fork would leave
 * it locked for ever in the sandbox's processes, GSubprocess's helper threads among them). */
static void
read_to_end (int out_fd, GString *out, int err_fd, GString *err)
{
  struct pollfd fds[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
  GString *into[2] = { out, err };
  char buf[8192];

  while (fds[0].fd >= 0 || fds[1].fd >= 0)
    {
      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0 && fds[i].revents != 0)
          {
            ssize_t n = read (fds[i].fd, buf, sizeof buf);
            if (n > 0)
              g_string_append_len (into[i], buf, n);
            else if (n == 0 || errno != EINTR)
              fds[i].fd = -1;
          }
    }
}

gboolean
sbx_import_helper_run (const char * const *args, const SbxImportHelperOptions *options,
                       char **out_stdout, GError **error)
{
  g_autoptr(GPtrArray) argv = helper_argv (args);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) err = g_string_new (NULL);
  int progress_fd = options != NULL ? options->progress_fd : -1;
  int target_fd = SBX_IMPORT_HELPER_PROGRESS_FD;
  sbx_autofd int out_fd = -1;
  sbx_autofd int err_fd = -1;
  GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD | (out_stdout == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : 0);
  GPid pid;
  int status;

  /* Killing sbx at any moment leaves no helper behind. */
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv->pdata, NULL, flags,
                                         sbx_die_with_parent_child_setup, GINT_TO_POINTER (getpid ()), -1, -1,
                                         -1, progress_fd >= 0 ? &progress_fd : NULL,
                                         progress_fd >= 0 ? &target_fd : NULL, progress_fd >= 0 ? 1 : 0, &pid,
                                         NULL, out_stdout != NULL ? &out_fd : NULL, &err_fd, error))
    return FALSE;
  read_to_end (out_fd, out, err_fd, err);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return sbx_set_error_from_errno (error, errno, "wait for sbx-import");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return set_helper_error (args, err->str, error), FALSE;
  if (out_stdout != NULL)
    *out_stdout = g_string_free (g_steal_pointer (&out), FALSE);
  return TRUE;
}

gboolean
sbx_import_helper_exec (char **args, GError **error)
{
  g_autoptr(GPtrArray) argv = helper_argv ((const char * const *) args);

  execv (g_ptr_array_index (argv, 0), (char **) argv->pdata);
  return sbx_set_error_from_errno (error, errno, "run %s", (char *) g_ptr_array_index (argv, 0));
}
