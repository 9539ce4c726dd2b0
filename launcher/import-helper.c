/* import-helper.c: finding and running sbx-import. */
#include "import-helper.h"
#include "process.h"
#include "sbx-error.h"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

char *
sbx_import_helper_path (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  g_autofree char *beside = dir != NULL ? g_build_filename (dir, "sbx-import", NULL) : NULL;

  if (beside != NULL && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);
  return g_build_filename (SBX_LIBEXECDIR, "sbx-import", NULL);
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

gboolean
sbx_import_helper_run (const char * const *args, GError **error)
{
  g_autoptr(GPtrArray) argv = helper_argv (args);
  g_autofree char *err_out = NULL;
  int status;

  /* Killing sbx at any moment leaves no helper behind. */
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                     sbx_die_with_parent_child_setup, GINT_TO_POINTER (getpid ()), NULL, &err_out,
                     &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      const char *message = g_strstrip (err_out);
      if (g_str_has_prefix (message, "sbx: "))
        message += strlen ("sbx: ");
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s",
                   *message ? message : "sbx-import failed without a message");
      return FALSE;
    }
  return TRUE;
}

gboolean
sbx_import_helper_exec (char **args, GError **error)
{
  g_autoptr(GPtrArray) argv = helper_argv ((const char * const *) args);

  execv (g_ptr_array_index (argv, 0), (char **) argv->pdata);
  return sbx_set_error_from_errno (error, errno, "run %s", (char *) g_ptr_array_index (argv, 0));
}
