/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan.c: the run plan (plan.h) made from the effective profile, the image and the command
 * line: the command line of the command (Docker's Entrypoint/Cmd rule), its environment,
 * user and working directory, the storage driver, the layers. */
#include "plan.h"
#include "defaults.h"
#include "caller-account.h"
#include "host-root.h"
#include "log.h"
#include "sbx-error.h"
#include "store.h"
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

void
sbx_runtime_entry_free (SbxRuntimeEntry *entry)
{
  g_free (entry->source);
  g_free (entry->name);
  g_free (entry);
}

void
sbx_run_plan_clear (SbxRunPlan *plan)
{
  g_clear_pointer (&plan->etc_passwd, g_free);
  g_clear_pointer (&plan->etc_group, g_free);
  g_clear_pointer (&plan->caller_passwd, g_free);
  g_clear_pointer (&plan->caller_group, g_free);
  g_clear_pointer (&plan->runtime_entries, g_ptr_array_unref);
  g_clear_pointer (&plan->grant_mounts, g_ptr_array_unref);
  g_clear_pointer (&plan->home_source, g_free);
  g_clear_pointer (&plan->x11_display, g_free);
  g_clear_pointer (&plan->apparmor_label, g_free);
  g_clear_pointer (&plan->documents, g_free);
  g_clear_pointer (&plan->documents_also, g_free);
  g_clear_pointer (&plan->home_store, g_free);
  g_clear_pointer (&plan->store_root, g_free);
  g_clear_pointer (&plan->scratch_dir, g_free);
  g_clear_pointer (&plan->persistent_dir, g_free);
  g_clear_pointer (&plan->layers, g_strfreev);
  g_clear_pointer (&plan->fuse_overlayfs, g_free);
  g_clear_pointer (&plan->argv, g_strfreev);
  g_clear_pointer (&plan->env, g_strfreev);
  g_clear_pointer (&plan->cwd, g_free);
  g_clear_pointer (&plan->user, g_free);
  g_clear_pointer (&plan->hostname, g_free);
  g_clear_pointer (&plan->additional_gids, g_array_unref);
  g_clear_pointer (&plan->profile, sbx_profile_free);
  g_clear_pointer (&plan->run_id, g_free);
  g_clear_pointer (&plan->bundle, g_free);
  g_clear_pointer (&plan->hook_state, g_free);
  sbx_seccomp_program_clear (&plan->seccomp);
}

/* Docker's rule: the command replaces Cmd and is appended to Entrypoint.  A profile's
 * process.args is the whole command line, used when the command line gives none. */
static char **
command_argv (const SbxImage *image, const SbxProfile *profile, const SbxRunOptions *options,
              GError **error)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  gboolean have_command = options->command != NULL && options->command[0] != NULL;
  g_auto(GStrv) result = NULL;

  if (!have_command && options->entrypoint == NULL && profile->args != NULL)
    return g_strdupv (profile->args);
  if (options->entrypoint != NULL && *options->entrypoint)
    g_strv_builder_add (argv, options->entrypoint);
  else if (options->entrypoint == NULL && image->entrypoint != NULL)
    g_strv_builder_addv (argv, (const char **) image->entrypoint);
  if (have_command)
    g_strv_builder_addv (argv, (const char **) options->command);
  else if (image->cmd != NULL)
    g_strv_builder_addv (argv, (const char **) image->cmd);
  result = g_strv_builder_end (argv);
  if (result[0] == NULL || *result[0] == '\0')
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "image '%s' has no Entrypoint or Cmd: give a command", image->name);
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* The image's, then the profile's process.env (which holds --env too). */
static char **
command_env (const SbxImage *image, const SbxProfile *profile)
{
  char **env = g_strdupv (image->env);
  const char *term = g_getenv ("TERM");

  env = g_environ_setenv (env, "container", "sbx", TRUE);
  if (term != NULL)
    env = g_environ_setenv (env, "TERM", term, TRUE);
  for (guint i = 0; profile->env != NULL && profile->env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (profile->env[i], "=", 2);
      env = g_environ_setenv (env, kv[0], kv[1] != NULL ? kv[1] : "", TRUE);
    }
  return env;
}

/* --storage-driver, else $SBX_STORAGE_DRIVER, else the profile's sbx.storageDriver, else
 * storage.conf's, else auto (the kernel's overlay, fuse-overlayfs where the kernel refuses).
 * Returns where the name came from, for the debug line. */
static const char *
storage_driver_name (const SbxRunOptions *options, const SbxProfile *profile, char **out_configured,
                     const char **out_name, GError **error)
{
  if ((*out_name = options->storage_driver) != NULL)
    return "--storage-driver";
  if ((*out_name = g_getenv ("SBX_STORAGE_DRIVER")) != NULL)
    return "$SBX_STORAGE_DRIVER";
  if ((*out_name = profile->storage_driver) != NULL)
    return "the profile's sbx.storageDriver";
  if (!sbx_storage_driver_from_config (out_configured, error))
    return NULL;
  if ((*out_name = *out_configured) != NULL)
    return "storage.conf";
  return "the default";
}

/* The driver named (storage_driver_name), except that a named sandbox keeps the driver that
 * made it and keep-id needs fuse-overlayfs's id translation (see setup.c). */
static gboolean
choose_storage_driver (const SbxRunOptions *options, const SbxProfile *profile, const SbxSandbox *sandbox,
                       const SbxIdLayout *ids, SbxStorageDriver *out, GError **error)
{
  g_autofree char *configured = NULL;
  gboolean keep_id = ids->mode == SBX_USERNS_KEEP_ID && !ids->single;
  const char *name = NULL;
  const char *why = storage_driver_name (options, profile, &configured, &name, error);
  SbxStorageDriver kept;

  if (why == NULL)
    return FALSE;
  *out = SBX_STORAGE_DRIVER_AUTO;
  if (name != NULL && *name != '\0' && !sbx_storage_driver_parse (name, out, error))
    return FALSE;
  if (sandbox != NULL && sandbox->driver != NULL && sbx_storage_driver_parse (sandbox->driver, &kept, NULL))
    {
      if (*out != SBX_STORAGE_DRIVER_AUTO && *out != kept)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                            "sandbox '%s' was made with the %s storage driver and keeps it", sandbox->name,
                            sandbox->driver),
               FALSE;
      *out = kept;
      why = "the named sandbox keeps the driver that made it";
    }
  if (keep_id && *out == SBX_STORAGE_DRIVER_OVERLAY)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                        "--userns=keep-id needs the fuse-overlayfs storage driver (it translates ids)"),
           FALSE;
  if (keep_id && *out != SBX_STORAGE_DRIVER_FUSE_OVERLAYFS)
    {
      *out = SBX_STORAGE_DRIVER_FUSE_OVERLAYFS;
      why = "keep-id needs fuse-overlayfs's id translation";
    }
  sbx_debug ("supervisor", "make-plan", "storage driver %s (%s)%s", sbx_storage_driver_name (*out), why,
             *out == SBX_STORAGE_DRIVER_AUTO ? ": the kernel's overlay, else fuse-overlayfs" : "");
  return TRUE;
}

/* -u, else the profile's process.user, else keep-id's caller, else the image's User. */
static char *
command_user (const SbxImage *image, const SbxProfile *profile, const SbxRunOptions *options,
              const SbxIdLayout *ids)
{
  if (options->user != NULL)
    return g_strdup (options->user);
  if (profile->have_user)
    return g_strdup_printf ("%u:%u", (guint) profile->uid, (guint) profile->gid);
  if (ids->mode == SBX_USERNS_KEEP_ID)
    return g_strdup_printf ("%u:%u", (guint) ids->caller_uid, (guint) ids->caller_gid);
  return g_strdup (image->user);
}

/* The root filesystem: the image's layers, top first, on the store's scratch mount point,
 * with the storage driver chosen; or the host image's table on its own mount point. */
static gboolean
plan_root (SbxStore *store, const SbxImage *image, const SbxRunOptions *options, const SbxSandbox *sandbox,
           const SbxIdLayout *ids, SbxRunPlan *plan, GError **error)
{
  g_autoptr(GStrvBuilder) layers = g_strv_builder_new ();
  guint n_layers = g_strv_length (image->layers);

  if (sbx_host_image_is (image->name))
    {
      plan->host_root = TRUE;
      plan->layers = g_new0 (char *, 1);
      if ((plan->scratch_dir = sbx_host_root_mount_point (error)) == NULL)
        return FALSE;
      sbx_host_root_accounts (plan);
      sbx_debug ("supervisor", "make-plan", "the host image: no store, no overlay");
      return TRUE;
    }
  if (!choose_storage_driver (options, plan->profile, sandbox, ids, &plan->storage_driver, error))
    return FALSE;
  for (guint i = n_layers; i > 0; i--)
    {
      const char *diff_id = image->layers[i - 1];
      g_strv_builder_add (layers, g_str_has_prefix (diff_id, "sha256:") ? diff_id + 7 : diff_id);
    }
  plan->layers = g_strv_builder_end (layers);
  plan->store_root = g_strdup (sbx_store_get_root (store));
  plan->scratch_dir = g_build_filename (plan->store_root, "mnt", NULL);
  plan->persistent_dir = sandbox != NULL ? sbx_sandbox_dir (store, sandbox->name) : NULL;
  return TRUE;
}

/* -t, or the profile's process.terminal; the pty starts with the caller's window size. */
static void
plan_terminal (const SbxRunOptions *options, const SbxProfile *profile, SbxRunPlan *plan)
{
  struct winsize size;

  plan->terminal = options->tty || profile->terminal;
  if (plan->terminal && (ioctl (STDIN_FILENO, TIOCGWINSZ, &size) == 0 || ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0))
    {
      plan->terminal_rows = size.ws_row;
      plan->terminal_cols = size.ws_col;
    }
}

gboolean
sbx_run_plan_make (SbxStore *store, const SbxImage *image, const SbxRunOptions *options,
                   const SbxSandbox *sandbox, const SbxIdLayout *ids, SbxRunPlan *plan, GError **error)
{
  const SbxProfile *profile = plan->profile;
  const char *workdir = options->workdir != NULL ? options->workdir
                      : profile->cwd != NULL     ? profile->cwd
                                                 : image->working_dir;

  plan->ids = *ids;
  plan->argv = command_argv (image, profile, options, error);
  if (plan->argv == NULL || !plan_root (store, image, options, sandbox, ids, plan, error))
    return FALSE;
  plan->fuse_overlayfs = g_strdup (SBX_FUSE_OVERLAYFS);
  plan->env = command_env (image, profile);
  plan->cwd = g_canonicalize_filename (workdir != NULL ? workdir : "/", "/");
  plan->user = command_user (image, profile, options, ids);
  plan->additional_gids = g_array_ref (profile->additional_gids);
  plan->hostname = g_strdup (profile->hostname != NULL ? profile->hostname : SBX_DEFAULT_HOSTNAME);
  if (ids->mode == SBX_USERNS_KEEP_ID && !plan->host_root)
    sbx_caller_account_plan (plan);
  plan_terminal (options, profile, plan);
  plan->supervisor_pid = getpid ();
  sbx_debug ("supervisor", "make-plan", "command %s (%u arguments), user '%s', cwd %s, hostname %s, %u layers",
             plan->argv[0], g_strv_length (plan->argv) - 1, plan->user != NULL ? plan->user : "",
             plan->cwd, plan->hostname, g_strv_length (plan->layers));
  return TRUE;
}
