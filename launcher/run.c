/* run.c: the run pipeline, as named steps:
 *   open a named sandbox (--name: its lock and what its first run recorded) → load the
 *   profile (with the command line's overrides) → settle the network, user namespace,
 *   limits (a systemd scope can be had, or they are optional) and confinement (seccomp
 *   compiled, AppArmor checked) → lay out the user namespace → open the store → resolve
 *   the image (the embedded default imported, a registry image pulled, on first use) →
 *   lease its layers → record a new named sandbox → make the run plan → spawn the sandbox,
 *   map its ids, put it in its scope and start its network → supervise it until it exits
 *   (the main loop also runs libslirp and watches the scope's memory events) → release
 *   everything.  Everything that can be refused is refused before anything starts.
 * The supervisor (this process) stays in the caller's namespaces; everything inside is
 * setup.c, init.c and confine.c. */
#include "run.h"
#include "apparmor.h"
#include "resolve.h"
#include "defaults.h"
#include "plan.h"
#include "slirp.h"
#include "sbx-error.h"
#include "setup.h"
#include "fd-util.h"
#include "sandbox.h"
#include "scope.h"
#include "store.h"
#include "sync.h"
#include "userns.h"
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>

void
sbx_run_plan_clear (SbxRunPlan *plan)
{
  g_clear_pointer (&plan->store_root, g_free);
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
  sbx_seccomp_program_clear (&plan->seccomp);
}

/* The embedded default image is imported, a registry image pulled, on first use (resolve.h). */
static SbxImage *
resolve_image (SbxStore *store, const char *name, const SbxRunOptions *options, GError **error)
{
  SbxResolveOptions resolve = {
    .pull = { .tls_verify = !options->tls_verify_off, .quiet = FALSE, .progress_fd = STDERR_FILENO },
  };

  return sbx_image_resolve (store, name, &resolve, error);
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
 * A named sandbox keeps the driver that made it; keep-id needs fuse-overlayfs's id
 * translation (see setup.c). */
static gboolean
choose_storage_driver (const SbxRunOptions *options, const SbxProfile *profile, const SbxSandbox *sandbox,
                       const SbxIdLayout *ids, SbxStorageDriver *out, GError **error)
{
  g_autofree char *configured = NULL;
  const char *name = options->storage_driver != NULL ? options->storage_driver
                   : g_getenv ("SBX_STORAGE_DRIVER") != NULL ? g_getenv ("SBX_STORAGE_DRIVER")
                   : profile->storage_driver;
  gboolean keep_id = ids->mode == SBX_USERNS_KEEP_ID && !ids->single;
  SbxStorageDriver kept;

  if (name == NULL && !sbx_storage_driver_from_config (&configured, error))
    return FALSE;
  if (name == NULL)
    name = configured;
  *out = SBX_STORAGE_DRIVER_AUTO;
  if (name != NULL && *name != '\0' && !sbx_storage_driver_parse (name, out, error))
    return FALSE;
  if (sandbox != NULL && sandbox->driver != NULL && sbx_storage_driver_parse (sandbox->driver, &kept, NULL))
    {
      if (*out != SBX_STORAGE_DRIVER_AUTO && *out != kept)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                            "sandbox '%s' was made with the %s storage driver and keeps it", sandbox->name,
                            sandbox->driver), FALSE;
      *out = kept;
    }
  if (keep_id && *out == SBX_STORAGE_DRIVER_OVERLAY)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                        "--userns=keep-id needs the fuse-overlayfs storage driver (it translates ids)"), FALSE;
  if (keep_id)
    *out = SBX_STORAGE_DRIVER_FUSE_OVERLAYFS;
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

static gboolean
make_plan (SbxStore *store, const SbxImage *image, const SbxRunOptions *options, const SbxSandbox *sandbox,
           const SbxIdLayout *ids, SbxRunPlan *plan, GError **error)
{
  g_autoptr(GStrvBuilder) layers = g_strv_builder_new ();
  const SbxProfile *profile = plan->profile;
  const char *workdir = options->workdir != NULL ? options->workdir
                      : profile->cwd != NULL ? profile->cwd : image->working_dir;
  guint n_layers = g_strv_length (image->layers);

  plan->argv = command_argv (image, profile, options, error);
  if (plan->argv == NULL ||
      !choose_storage_driver (options, profile, sandbox, ids, &plan->storage_driver, error))
    return FALSE;
  for (guint i = n_layers; i > 0; i--)
    {
      const char *diff_id = image->layers[i - 1];
      g_strv_builder_add (layers, g_str_has_prefix (diff_id, "sha256:") ? diff_id + 7 : diff_id);
    }
  plan->layers = g_strv_builder_end (layers);
  plan->store_root = g_strdup (sbx_store_get_root (store));
  plan->persistent_dir = sandbox != NULL ? sbx_sandbox_dir (store, sandbox->name) : NULL;
  plan->fuse_overlayfs = g_strdup (SBX_FUSE_OVERLAYFS);
  plan->env = command_env (image, profile);
  plan->cwd = g_canonicalize_filename (workdir != NULL ? workdir : "/", "/");
  plan->user = command_user (image, profile, options, ids);
  plan->additional_gids = g_array_ref (profile->additional_gids);
  plan->hostname = g_strdup (profile->hostname != NULL ? profile->hostname : SBX_DEFAULT_HOSTNAME);
  plan->ids = *ids;
  plan->supervisor_pid = getpid ();
  return TRUE;
}

/* The network: --network, else the profile's sbx.network.mode, else slirp when the profile
 * asks for a network namespace and the host's when it does not (as OCI means it); the
 * profile's published ports, then -p's. */
static gboolean
settle_network (const SbxProfile *profile, const SbxRunOptions *options, SbxNetOptions *net,
                GError **error)
{
  const char *mode = options->network != NULL ? options->network
                   : profile->network != NULL ? profile->network
                   : (profile->unshare_flags & CLONE_NEWNET) ? "slirp" : "host";
  char **lists[] = { profile->publish, options->publish };

  if (!sbx_net_options_parse_mode (net, mode, error))
    return FALSE;
  if (options->network == NULL && profile->allow_host_loopback)
    net->allow_host_loopback = TRUE;
  for (gsize l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++)
      if (!sbx_net_options_add_publish (net, lists[l][i], error))
        return FALSE;
  return sbx_net_options_check (net, error);
}

/* Limits need a systemd user scope: checked before anything starts.  Where it cannot be
 * had, sbx.limits.ifUnavailable (--limits-optional) says whether to run without them. */
static gboolean
settle_limits (SbxRunPlan *plan, SbxScope **out_scope, GError **error)
{
  const SbxProfile *profile = plan->profile;
  g_autoptr(GVariant) checked = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!profile->has_resource_limits)
    return TRUE;
  checked = sbx_scope_properties (&profile->resources, "check", 0, error);
  if (checked == NULL)
    return g_prefix_error (error, "profile '%s': linux.resources: ", profile->name), FALSE;
  g_variant_ref_sink (checked);
  if ((*out_scope = sbx_scope_connect (&local_error)) != NULL)
    {
      plan->want_scope = TRUE;
      return TRUE;
    }
  if (profile->limits_policy == SBX_LIMITS_FAIL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "resource limits cannot be set up: %s "
                   "(--limits-optional runs without them)", local_error->message);
      return FALSE;
    }
  if (profile->limits_policy == SBX_LIMITS_WARN)
    g_printerr ("sbx: warning: running without resource limits: %s\n", local_error->message);
  return TRUE;
}

/* What the profile asks of the kernel, settled before anything starts: the namespaces,
 * the seccomp filter compiled to BPF, AppArmor present or not. */
static gboolean
settle_confinement (SbxRunPlan *plan, const SbxNetOptions *net, SbxScope **out_scope, GError **error)
{
  const SbxProfile *profile = plan->profile;

  if (!settle_limits (plan, out_scope, error))
    return FALSE;
  plan->unshare_flags = CLONE_NEWUSER | CLONE_NEWNS |
                        (profile->unshare_flags & (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)) |
                        (net->mode == SBX_NET_HOST ? 0 : CLONE_NEWNET);
  plan->net_mode = net->mode;
  plan->allow_host_loopback = net->allow_host_loopback;
  if (profile->seccomp != NULL &&
      !sbx_seccomp_compile (profile->seccomp, profile->caps[SBX_CAPSET_BOUNDING], &plan->seccomp, error))
    {
      g_prefix_error (error, "profile '%s': linux.seccomp: ", profile->name);
      return FALSE;
    }
  return sbx_apparmor_check (profile->apparmor_profile, profile->apparmor_policy, &plan->use_apparmor, error);
}

static const char *
settle_image (const SbxProfile *profile, const SbxRunOptions *options, GError **error)
{
  if (options->image != NULL)
    return options->image;
  if (profile->image != NULL)
    return profile->image;
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
               "run: missing IMAGE (profile '%s' names none)", profile->name);
  return NULL;
}

/* libslirp holds a host socket per connection, and closed ones linger a while: the soft
 * limit of open files (often 1024) goes up to the hard one, as Podman does for slirp4netns. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      (void) setrlimit (RLIMIT_NOFILE, &limit);
    }
}

/* slirp: takes tap0's fd from the setup child, starts libslirp on it with every port
 * forwarded, and says so; a port that cannot be bound stops everything here. */
static gboolean
start_network (const SbxRunPlan *plan, const SbxNetOptions *net_options, int sync_fd,
               SbxSlirp **out_slirp, GError **error)
{
  int tap_fd;

  if (plan->net_mode != SBX_NET_SLIRP)
    return TRUE;
  raise_fd_limit ();
  /* libslirp writes to host sockets without MSG_NOSIGNAL: a peer that went away must not
   * kill the supervisor.  The sandbox was forked already and keeps SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);
  if (!sbx_sync_expect_fd (sync_fd, SBX_SYNC_TAP, &tap_fd, error))
    return FALSE;
  *out_slirp = sbx_slirp_new (tap_fd, net_options, error);
  return *out_slirp != NULL && sbx_sync_send (sync_fd, SBX_SYNC_NET_READY, error);
}

/* The setup child goes into its scope before it makes its cgroup namespace. */
static gboolean
start_scope (const SbxRunPlan *plan, const SbxRunOptions *options, pid_t pid, SbxScope *scope, GError **error)
{
  g_autofree char *description = NULL;
  GVariant *properties;

  if (!plan->want_scope)
    return TRUE;
  description = g_strdup_printf ("sbx sandbox %s (image %s)", options->name != NULL ? options->name : "",
                                 options->image != NULL ? options->image : "");
  properties = sbx_scope_properties (&plan->profile->resources, description, pid, error);
  if (properties == NULL)
    return FALSE;
  return sbx_scope_start (scope, options->name != NULL ? options->name : "run", pid, properties, error);
}

/* Forks the setup child, writes its id maps once it has unshared, puts it into its scope,
 * and starts its network. */
static gboolean
spawn_sandbox (const SbxRunPlan *plan, const SbxRunOptions *options, const SbxNetOptions *net_options,
               pid_t *out_pid, int *out_sync_fd, SbxSlirp **out_slirp, SbxScope *scope, GError **error)
{
  int supervisor_end, sandbox_end;
  pid_t pid;

  if (!sbx_sync_socketpair (&supervisor_end, &sandbox_end, error))
    return FALSE;
  pid = fork ();
  if (pid < 0)
    {
      close (supervisor_end);
      close (sandbox_end);
      return sbx_set_error_from_errno (error, errno, "fork");
    }
  if (pid == 0)
    {
      close (supervisor_end);
      sbx_setup_child_main (plan, sandbox_end);
    }
  close (sandbox_end);
  *out_pid = pid;
  *out_sync_fd = supervisor_end;
  if (!sbx_sync_expect (supervisor_end, SBX_SYNC_UNSHARED, error) ||
      !sbx_userns_write_maps (pid, &plan->ids, error) ||
      !start_scope (plan, options, pid, scope, error) ||
      !sbx_sync_send (supervisor_end, SBX_SYNC_MAPPED, error) ||
      !start_network (plan, net_options, supervisor_end, out_slirp, error))
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      close (supervisor_end);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  GMainLoop *loop;
  pid_t setup_pid;
  int sync_fd;
  int wait_status;
  guint sync_source;       /* 0 once the sandbox closed its end */
  GError *sandbox_error;   /* the first error a process inside reported */
} Supervisor;

typedef struct {
  Supervisor *sup;
  int sig;
} ForwardedSignal;

/* Reads one message; an ERROR is kept (the first one wins).  FALSE at end of stream. */
static gboolean
receive_sync_message (Supervisor *sup)
{
  SbxSyncType type;
  GError *remote_error = NULL;

  if (!sbx_sync_receive (sup->sync_fd, &type, &remote_error))
    return FALSE;
  if (remote_error != NULL && sup->sandbox_error == NULL)
    sup->sandbox_error = remote_error;
  else
    g_clear_error (&remote_error);
  return TRUE;
}

static gboolean
on_sync_readable (int fd, GIOCondition condition, gpointer user_data)
{
  Supervisor *sup = user_data;

  if (receive_sync_message (sup))
    return G_SOURCE_CONTINUE;
  sup->sync_source = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
on_forwarded_signal (gpointer user_data)
{
  ForwardedSignal *fwd = user_data;

  kill (fwd->sup->setup_pid, fwd->sig);
  return G_SOURCE_CONTINUE;
}

static void
on_setup_exited (GPid pid, int wait_status, gpointer user_data)
{
  Supervisor *sup = user_data;

  sup->wait_status = wait_status;
  g_main_loop_quit (sup->loop);
}

/* The signals GLib can watch; SIGQUIT is not one of them and kills sbx (and so the sandbox). */
static const int supervisor_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH };

/* Runs the main loop until the setup child exits: signals go to the sandbox, errors from
 * inside are collected.  Returns the setup child's wait status. */
static int
supervise (pid_t setup_pid, int sync_fd, GError **out_sandbox_error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Supervisor sup = { .loop = loop, .setup_pid = setup_pid, .sync_fd = sync_fd };
  ForwardedSignal forwards[G_N_ELEMENTS (supervisor_signals)];
  guint signal_sources[G_N_ELEMENTS (supervisor_signals)];

  for (gsize i = 0; i < G_N_ELEMENTS (supervisor_signals); i++)
    {
      forwards[i] = (ForwardedSignal) { &sup, supervisor_signals[i] };
      signal_sources[i] = g_unix_signal_add (supervisor_signals[i], on_forwarded_signal, &forwards[i]);
    }
  sup.sync_source = g_unix_fd_add (sync_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_sync_readable, &sup);
  g_child_watch_add (setup_pid, on_setup_exited, &sup);  /* removed by GLib once it fired */
  g_main_loop_run (loop);

  for (gsize i = 0; i < G_N_ELEMENTS (signal_sources); i++)
    g_clear_handle_id (&signal_sources[i], g_source_remove);
  g_clear_handle_id (&sup.sync_source, g_source_remove);
  while (receive_sync_message (&sup))
    ;
  *out_sandbox_error = sup.sandbox_error;
  return sup.wait_status;
}

/* --name: the sandbox's lock, held for the whole run (a second run of it is refused), and
 * its record when it exists already. */
static gboolean
open_named_sandbox (SbxStore *store, const SbxRunOptions *options, int *out_lock, SbxSandbox **out_sandbox,
                    GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if ((*out_lock = sbx_sandbox_lock (store, options->name, error)) < 0)
    return FALSE;
  *out_sandbox = sbx_sandbox_load (store, options->name, &local_error);
  if (*out_sandbox == NULL && !g_error_matches (local_error, SBX_ERROR, SBX_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (*out_sandbox == NULL && options->start_existing)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (*out_sandbox != NULL && options->image != NULL &&
      !g_str_equal (options->image, (*out_sandbox)->image->name))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_EXISTS, "sandbox '%s' exists with image '%s', not '%s' "
                   "(sbx rm %s makes the name free)", options->name, (*out_sandbox)->image->name,
                   options->image, options->name);
      return FALSE;
    }
  return TRUE;
}

/* What an existing named sandbox recorded, where the command line says nothing. */
static SbxRunOptions
with_sandbox_defaults (const SbxRunOptions *options, const SbxSandbox *sandbox, const char *profile_path)
{
  SbxRunOptions effective = *options;

  if (sandbox != NULL)
    {
      effective.image = sandbox->image->name;
      if (effective.profile == NULL)
        effective.profile = profile_path;
      if (effective.command == NULL || effective.command[0] == NULL)
        effective.command = sandbox->command;
      if (effective.network == NULL)
        effective.network = sandbox->network;
      if (effective.publish == NULL)
        effective.publish = sandbox->publish;
    }
  if (effective.profile == NULL)
    effective.profile = "default";
  return effective;
}

/* The first run of a named sandbox records it, once its image's layers are leased. */
static SbxSandbox *
create_named_sandbox (SbxStore *store, const SbxRunOptions *options, const SbxImage *image,
                      const SbxProfile *profile, GError **error)
{
  g_autoptr(SbxSandbox) sandbox = g_new0 (SbxSandbox, 1);

  sandbox->name = g_strdup (options->name);
  sandbox->image = sbx_image_copy (image, error);
  if (sandbox->image == NULL)
    return NULL;
  sandbox->profile_json = sbx_profile_to_json (profile);
  sandbox->command = options->command != NULL && options->command[0] != NULL ? g_strdupv (options->command) : NULL;
  sandbox->network = g_strdup (options->network);
  sandbox->publish = g_strdupv (options->publish);
  sandbox->created = g_get_real_time () / G_USEC_PER_SEC;
  if (!sbx_sandbox_create (store, sandbox, error))
    return NULL;
  return g_steal_pointer (&sandbox);
}

/* The image: a named sandbox's own record, else the store's (the default imported on first use). */
static SbxImage *
settle_store_image (SbxStore *store, SbxSandbox *sandbox, const char *image_name, const SbxRunOptions *options,
                    GError **error)
{
  if (sandbox == NULL)
    return resolve_image (store, image_name, options, error);
  return sbx_image_copy (sandbox->image, error);
}

gboolean
sbx_run (const SbxRunOptions *options, int *out_status, GError **error)
{
  g_autoptr(SbxStore) store = NULL;
  g_autoptr(SbxImage) image = NULL;
  g_autoptr(SbxStoreLease) lease = NULL;
  g_autoptr(SbxSandbox) sandbox = NULL;
  g_autoptr(GError) sandbox_error = NULL;
  g_autoptr(SbxSlirp) slirp = NULL;
  g_autoptr(SbxScope) scope = NULL;
  g_autofree char *sandbox_profile = NULL;
  g_auto(SbxRunPlan) plan = { 0 };
  g_auto(SbxNetOptions) net = { 0 };
  sbx_autofd int sandbox_lock = -1;
  SbxRunOptions effective;
  const char *image_name;
  SbxUsernsMode userns;
  SbxIdLayout ids;
  pid_t setup_pid = -1;
  int sync_fd = -1;
  int wait_status;

  sbx_net_options_init (&net);
  if (options->name != NULL &&
      (!sbx_sandbox_check_name (options->name, error) ||
       (store = sbx_store_open (NULL, error)) == NULL ||
       !open_named_sandbox (store, options, &sandbox_lock, &sandbox, error)))
    return FALSE;
  if (sandbox != NULL)
    sandbox_profile = sbx_sandbox_profile_path (store, sandbox->name);
  effective = with_sandbox_defaults (options, sandbox, sandbox_profile);
  options = &effective;
  if ((plan.profile = sbx_profile_load (options->profile, &options->overrides, error)) == NULL ||
      (image_name = settle_image (plan.profile, options, error)) == NULL ||
      !settle_network (plan.profile, options, &net, error) ||
      !sbx_userns_mode_parse (options->userns != NULL ? options->userns : plan.profile->userns,
                              &userns, error) ||
      !settle_confinement (&plan, &net, &scope, error) ||
      !sbx_userns_layout_for_caller (userns, &ids, error) ||
      (store == NULL && (store = sbx_store_open (NULL, error)) == NULL) ||
      (image = settle_store_image (store, sandbox, image_name, options, error)) == NULL ||
      (lease = sbx_store_lease_image (store, image, error)) == NULL ||
      (options->name != NULL && sandbox == NULL &&
       (sandbox = create_named_sandbox (store, options, image, plan.profile, error)) == NULL) ||
      !make_plan (store, image, options, sandbox, &ids, &plan, error) ||
      !spawn_sandbox (&plan, options, &net, &setup_pid, &sync_fd, &slirp, scope, error))
    return FALSE;

  if (scope != NULL)
    sbx_scope_watch (scope);
  wait_status = supervise (setup_pid, sync_fd, &sandbox_error);
  close (sync_fd);
  if (sandbox_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&sandbox_error));
      return FALSE;
    }
  if (scope != NULL && sbx_scope_oom_kills (scope) > 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_MEMORY_LIMIT, "the sandbox hit its memory limit (%s): the kernel "
                   "killed %" G_GUINT64_FORMAT " of its processes", sbx_scope_memory_limit_text (scope),
                   sbx_scope_oom_kills (scope));
      return FALSE;
    }
  *out_status = sbx_exit_code_from_wait_status (wait_status);
  return TRUE;
}
