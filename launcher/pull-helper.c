/* pull-helper.c: sbx_pull_image() runs sbx-import --pull; sbx_pull_find_local(). */
#include "pull-helper.h"
#include "fd-util.h"
#include "import-helper.h"
#include "process.h"
#include "sbx-error.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

#define PROGRESS_FD 3

char *
sbx_pull_find_local (SbxStore *store, const char *ref)
{
  g_autoptr(SbxRegistriesConf) conf = NULL;
  g_autoptr(GPtrArray) candidates = NULL;

  if (sbx_store_has_image (store, ref))
    return g_strdup (ref);
  if ((conf = sbx_registries_conf_load (NULL)) == NULL
      || (candidates = sbx_registry_resolve (conf, ref, NULL)) == NULL)
    return NULL;
  for (guint i = 0; i < candidates->len; i++)
    {
      g_autofree char *name = sbx_reference_to_string (g_ptr_array_index (candidates, i));
      if (sbx_store_has_image (store, name))
        return g_steal_pointer (&name);
    }
  return NULL;
}

static GPtrArray *
pull_argv (const char *ref, const SbxPullOptions *options, gboolean progress)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, sbx_import_helper_path ());
  g_ptr_array_add (argv, g_strdup ("--pull"));
  g_ptr_array_add (argv, g_strdup ("--print-name"));
  if (!options->tls_verify)
    g_ptr_array_add (argv, g_strdup ("--tls-verify=false"));
  if (!progress)
    g_ptr_array_add (argv, g_strdup ("-q"));
  else
    {
      g_ptr_array_add (argv, g_strdup ("--progress-fd"));
      g_ptr_array_add (argv, g_strdup_printf ("%d", PROGRESS_FD));
    }
  g_ptr_array_add (argv, g_strdup (ref));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* The helper's last stderr line, without "sbx: ". */
static void
set_helper_error (const char *err, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (err ? err : "", "\n", -1);
  const char *message = "sbx-import --pull failed without a message";

  for (char **line = lines; *line; line++)
    if (**line != '\0')
      message = g_str_has_prefix (*line, "sbx: ") ? *line + strlen ("sbx: ") : *line;
  g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s", message);
}

gboolean
sbx_pull_image (SbxStore *store, const char *ref, const SbxPullOptions *options,
                char **out_name, GError **error)
{
  int progress_fd = options->progress_fd >= 0 ? options->progress_fd : STDERR_FILENO;
  gboolean progress = !options->quiet && isatty (progress_fd);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = pull_argv (ref, options, progress);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *space;

  if (progress)
    {
      int fd = fcntl (progress_fd, F_DUPFD_CLOEXEC, PROGRESS_FD + 1);
      if (fd < 0)
        return sbx_set_error_from_errno (error, errno, "dup");
      g_subprocess_launcher_take_fd (launcher, fd, PROGRESS_FD);
    }
  /* Killing sbx at any moment leaves no helper behind. */
  g_subprocess_launcher_set_child_setup (launcher, sbx_die_with_parent_child_setup,
                                         GINT_TO_POINTER (getpid ()), NULL);
  if ((proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error)) == NULL
      || !g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, error))
    return FALSE;
  if (!g_subprocess_get_successful (proc))
    return set_helper_error (err, error), FALSE;
  space = out ? strchr (g_strstrip (out), ' ') : NULL;
  if (space == NULL || space[1] == '\0')
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "sbx-import --pull printed no image name"), FALSE;
  *out_name = g_strdup (space + 1);
  return TRUE;
}
