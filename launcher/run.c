/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run.c: the run pipeline.  sbx_run, at the end of this file, is a ladder of named steps,
 * one statement each, and reads top-down:
 *   open-named-sandbox → forward-files → load-profile → choose-image → settle-network → settle-userns →
 *   settle-confinement → open-store → resolve-image → lease-layers → record-sandbox →
 *   make-run-dir → make-plan → settle-desktop → spawn (fork, id maps, scope, network) →
 *   wait-dbus → register (for sbx ps, run-state.h) → create-hooks → send-seccomp (compiled while
 *   the setup child works) → attach-terminal → poststart-hooks → supervise → exit status (and, from
 *   the cleanup, poststop-hooks once the sandbox is gone: hooks.h).
 * Everything that can be refused is refused before anything starts (up to make-plan nothing
 * runs and nothing but a named sandbox's record is written).  Each step says what it decided
 * in a debug line (--log-level=debug).  The supervisor (this process) stays in the caller's
 * namespaces; everything inside is setup.c, init.c and confine.c. */
#include "run.h"
#include "process.h"
#include "apparmor.h"
#include "resolve.h"
#include "run-dir.h"
#include "run-state.h"
#include "defaults.h"
#include "desktop.h"
#include "hooks.h"
#include "host-root.h"
#include "plan.h"
#include "slirp.h"
#include "log.h"
#include "sbx-error.h"
#include "setup.h"
#include "fd-util.h"
#include "sandbox.h"
#include "scope.h"
#include "store.h"
#include "supervise.h"
#include "sync.h"
#include "terminal.h"
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

/* Everything one run holds, released in sbx_run's cleanup (run_clear) in reverse. */
typedef struct {
  SbxRunOptions options; /* the command line's, gaps filled from a named sandbox's record */
  SbxStore *store;
  SbxSandbox *sandbox;   /* --name: its record (NULL until the first run records it) */
  int sandbox_lock;      /* --name: held for the whole run */
  char *sandbox_profile; /* --name: the profile its first run recorded */
  const char *image_name;
  SbxImage *image;
  SbxStoreLease *lease; /* the image's layers, kept from garbage collection */
  SbxNetOptions net;
  SbxIdLayout ids;
  SbxScope *scope;           /* NULL: no systemd scope */
  SbxRunDir *run_dir;        /* the host image's or the desktop's files outside the store, or NULL */
  char **command;            /* --file-forwarding: the command without its @@ markers */
  char **forwarded;          /* --file-forwarding: the files to show inside, absolute */
  SbxDbusProxy *session_bus; /* the D-Bus proxies the profile asks for, or NULL */
  SbxDbusProxy *system_bus;
  SbxRunPlan plan;
  SbxSlirp *slirp;
  SbxTerminal *terminal; /* -t: the relay of the sandbox's pty */
  pid_t setup_pid;       /* -1 once reaped */
  int sync_fd;
  pid_t init_pid;     /* hooks: init's pid, once it asked for the create hooks; else 0 */
  SbxRunState *state; /* the registration, removed when the run ends */
  int exit_status;    /* the command's, once supervise is done */
} Run;

/* hooks.poststop, once the sandbox is gone and what served it (terminal, network, D-Bus
 * proxies) released.  From the cleanup, so that it runs however the run ended once the
 * sandbox existed: OCI's delete follows a failed create too. */
static void
end_sandbox (Run *run)
{
  if (run->init_pid <= 0)
    return;
  if (run->setup_pid > 0)
    {
      kill (run->setup_pid, SIGKILL);
      waitpid (run->setup_pid, NULL, 0);
      run->setup_pid = -1;
    }
  g_clear_pointer (&run->slirp, sbx_slirp_free);
  g_clear_pointer (&run->session_bus, sbx_dbus_proxy_stop);
  g_clear_pointer (&run->system_bus, sbx_dbus_proxy_stop);
  sbx_hooks_poststop (&run->plan, run->init_pid);
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->state, sbx_run_state_unregister);
  g_clear_pointer (&run->terminal, sbx_terminal_free); /* the caller's terminal restored */
  end_sandbox (run);
  sbx_close_fdp (&run->sync_fd);
  g_clear_pointer (&run->slirp, sbx_slirp_free);
  /* The plan holds the profile's JSON tree, thousands of nodes on pages the children
   * shared: freeing it cost over a millisecond of copy-on-write faults at the end of every
   * run, just before the process exits (sbx_run is its last step).  Sanitizer builds free
   * it, so that LeakSanitizer still checks the rest. */
#ifdef SBX_SANITIZED
  sbx_run_plan_clear (&run->plan);
#endif
  g_clear_pointer (&run->session_bus, sbx_dbus_proxy_stop);
  g_clear_pointer (&run->system_bus, sbx_dbus_proxy_stop);
  g_clear_pointer (&run->run_dir, sbx_run_dir_free);
  g_clear_pointer (&run->scope, sbx_scope_free);
  sbx_net_options_clear (&run->net);
  g_clear_pointer (&run->lease, sbx_store_lease_free);
  g_clear_pointer (&run->image, sbx_image_free);
  g_clear_pointer (&run->sandbox_profile, g_free);
  sbx_close_fdp (&run->sandbox_lock);
  g_clear_pointer (&run->sandbox, sbx_sandbox_free);
  g_clear_pointer (&run->store, sbx_store_free);
  g_clear_pointer (&run->command, g_strfreev);
  g_clear_pointer (&run->forwarded, g_strfreev);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* What an existing named sandbox recorded, where the command line says nothing. */
static void
fill_from_sandbox_record (Run *run)
{
  SbxRunOptions *options = &run->options;

  if (run->sandbox != NULL)
    {
      options->image = run->sandbox->image->name;
      if (options->profile == NULL)
        options->profile = run->sandbox_profile;
      if (options->command == NULL || options->command[0] == NULL)
        options->command = run->sandbox->command;
      if (options->network == NULL)
        options->network = run->sandbox->network;
      if (options->publish == NULL)
        options->publish = run->sandbox->publish;
      /* Rules given on the command line stay with the sandbox, as its ports do: a later
       * `sbx start` must not run it with the network open. */
      if (options->net_allow == NULL && options->net_deny == NULL)
        {
          options->net_allow = run->sandbox->net_allow;
          options->net_deny = run->sandbox->net_deny;
        }
    }
  if (options->profile == NULL)
    options->profile = "default";
}

/* --name: the sandbox's lock, held for the whole run (a second run of it is refused), and
 * its record when it exists already. */
static gboolean
open_named_sandbox (Run *run, GError **error)
{
  const SbxRunOptions *options = &run->options;
  g_autoptr(GError) local_error = NULL;

  if (options->name == NULL)
    {
      fill_from_sandbox_record (run);
      sbx_debug ("supervisor", "open-named-sandbox", "none (no --name): a throwaway upper layer");
      return TRUE;
    }
  if (!sbx_sandbox_check_name (options->name, error) ||
      (run->store = sbx_store_open (NULL, error)) == NULL ||
      (run->sandbox_lock = sbx_sandbox_lock (run->store, options->name, error)) < 0)
    return FALSE;
  run->sandbox = sbx_sandbox_load (run->store, options->name, &local_error);
  if (run->sandbox == NULL && (!g_error_matches (local_error, SBX_ERROR, SBX_ERROR_NOT_FOUND) ||
                               options->start_existing))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (run->sandbox != NULL && options->image != NULL && !g_str_equal (options->image, run->sandbox->image->name))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_EXISTS, "sandbox '%s' exists with image '%s', not '%s' "
                                                       "(sbx rm %s makes the name free)",
                   options->name, run->sandbox->image->name,
                   options->image, options->name);
      return FALSE;
    }
  if (run->sandbox != NULL)
    run->sandbox_profile = sbx_sandbox_profile_path (run->store, run->sandbox->name);
  fill_from_sandbox_record (run);
  sbx_debug ("supervisor", "open-named-sandbox", "'%s': %s", options->name,
             run->sandbox != NULL ? "exists, its record fills what the command line leaves out"
                                  : "new, recorded once its image is resolved");
  return TRUE;
}

/* A forwarded argument's file: the path itself, or a file: URI's path (other URIs: none). */
static char *
forwarded_path (const char *arg, gboolean uris)
{
  g_autofree char *cwd = g_get_current_dir ();

  if (!uris)
    return g_canonicalize_filename (arg, cwd);
  if (g_ascii_strncasecmp (arg, "file:", 5) == 0)
    return g_filename_from_uri (arg, NULL, NULL);
  return NULL;
}

/* --file-forwarding: "@@ FILE... @@" and "@@u URI... @@" in the command name files to make
 * visible inside, each alone, at its own path (desktop.c binds them); the markers go, the
 * arguments stay as they were given.  No shell is involved anywhere. */
static gboolean
forward_files (Run *run, GError **error)
{
  g_autoptr(GStrvBuilder) command = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) files = g_strv_builder_new ();
  const char *open = NULL;
  guint n = 0;

  if (!run->options.file_forwarding || run->options.command == NULL)
    return TRUE;
  for (guint i = 0; run->options.command[i] != NULL; i++)
    {
      const char *arg = run->options.command[i];
      g_autofree char *path = NULL;

      if (open == NULL && (g_str_equal (arg, "@@") || g_str_equal (arg, "@@u")))
        open = arg;
      else if (open != NULL && g_str_equal (arg, "@@"))
        open = NULL;
      else
        {
          g_strv_builder_add (command, arg);
          if (open != NULL && (path = forwarded_path (arg, g_str_equal (open, "@@u"))) != NULL)
            g_strv_builder_add (files, path), n++;
        }
    }
  if (open != NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "--file-forwarding: '%s' without the '@@' that "
                                                                 "closes it",
                        open),
           FALSE;
  run->command = g_strv_builder_end (command);
  run->forwarded = g_strv_builder_end (files);
  run->options.command = run->command;
  sbx_debug ("supervisor", "forward-files", "%u files to show inside", n);
  return TRUE;
}

/* Where resolved profiles are kept between runs (profiles/profile-cache.h): the runtime
 * directory, which nothing in a sandbox reaches, and which is gone at the next boot.  No
 * cache without one (GLib's fallback, ~/.cache, is on disk and can be shared into a sandbox). */
static char *
profile_cache_dir (void)
{
  const char *runtime_dir = g_getenv ("XDG_RUNTIME_DIR");

  if (runtime_dir == NULL || !g_path_is_absolute (runtime_dir))
    return NULL;
  return g_build_filename (runtime_dir, "sbx", "profile-cache", NULL);
}

/* The profile named (or the named sandbox's recorded one), with the command line's overrides. */
static gboolean
load_profile (Run *run, GError **error)
{
  g_autofree char *cache_dir = profile_cache_dir ();
  g_autofree char *source = NULL;

  run->plan.profile = sbx_profile_load_cached (run->options.profile, &run->options.overrides, cache_dir, &source,
                                               error);
  if (run->plan.profile == NULL)
    return FALSE;
  sbx_debug ("supervisor", "load-profile", "'%s' (asked for: %s): %s", run->plan.profile->name,
             run->options.profile, source);
  return TRUE;
}

/* The image: the command line's, else the profile's sbx.image. */
static gboolean
choose_image (Run *run, GError **error)
{
  run->image_name = run->options.image != NULL ? run->options.image : run->plan.profile->image;
  if (run->image_name == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "run: missing IMAGE (profile '%s' names none)",
                        run->plan.profile->name),
           FALSE;
  sbx_debug ("supervisor", "choose-image", "'%s' (from %s)", run->image_name,
             run->options.image != NULL ? "the command line" : "the profile");
  return TRUE;
}

/* The host's network namespace is no isolation: one warning line, unless the profile chose it
 * and says so (sbx.network.hostWarning false); -q silences it too. */
static void
warn_host_network (const SbxProfile *profile, gboolean from_command_line)
{
  if (!from_command_line && !profile->host_network_warning)
    return;
  sbx_warning ("%s: the sandbox shares the host's network: its loopback services (127.0.0.1, ::1) "
               "and abstract Unix sockets (X11, D-Bus, ...) are reachable from inside%s",
               from_command_line ? "--network=host" : "host network (the profile has no network namespace, "
                                                      "or sbx.network.mode \"host\")",
               from_command_line ? "" : "; sbx.network.hostWarning false in the profile silences this");
}

/* The per-app rules: the profile's, then the command line's (order does not matter: deny wins). */
static gboolean
settle_net_rules (Run *run, GError **error)
{
  const SbxProfile *profile = run->plan.profile;
  const SbxRunOptions *options = &run->options;
  const struct {
    char **list;
    gboolean deny;
    const char *origin;
  } sources[] = {
    { profile->net_allow, FALSE, "sbx.network.allow" },
    { profile->net_deny, TRUE, "sbx.network.deny" },
    { options->net_allow, FALSE, "--net-allow" },
    { options->net_deny, TRUE, "--net-deny" },
  };

  for (gsize s = 0; s < G_N_ELEMENTS (sources); s++)
    for (guint i = 0; sources[s].list != NULL && sources[s].list[i] != NULL; i++)
      if (!sbx_net_options_add_rule (&run->net, sources[s].list[i], sources[s].deny, sources[s].origin, error))
        return FALSE;
  run->net.lan = profile->lan;
  run->net.log_net = options->log_net;
  return TRUE;
}

/* The network: --network, else the profile's sbx.network.mode, else slirp when the profile
 * asks for a network namespace and the host's when it does not (as OCI means it); the
 * profile's published ports, then -p's. */
static gboolean
settle_network (Run *run, GError **error)
{
  const SbxProfile *profile = run->plan.profile;
  const SbxRunOptions *options = &run->options;
  const char *mode = options->network != NULL                ? options->network
                   : profile->network != NULL                ? profile->network
                   : (profile->unshare_flags & CLONE_NEWNET) ? "slirp"
                                                             : "host";
  char **lists[] = { profile->publish, options->publish };

  if (!sbx_net_options_parse_mode (&run->net, mode, error))
    return FALSE;
  if (options->network == NULL && profile->allow_host_loopback)
    run->net.allow_host_loopback = TRUE;
  for (gsize l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++)
      if (!sbx_net_options_add_publish (&run->net, lists[l][i], error))
        return FALSE;
  if (!settle_net_rules (run, error) || !sbx_net_options_check (&run->net, error))
    return FALSE;
  if (run->net.mode == SBX_NET_HOST) /* after the errors: a refused run warns of nothing */
    warn_host_network (profile, options->network != NULL);
  sbx_debug ("supervisor", "settle-network", "%s%s, %u published ports, %u rules%s", mode,
             run->net.allow_host_loopback ? " (host loopback reachable)" : "", run->net.forwards->len,
             run->net.rules->len, run->net.lan ? "" : ", no LAN");
  return TRUE;
}

/* The user namespace's mode (--userns, else the profile's) and its id maps for the caller. */
static gboolean
settle_userns (Run *run, GError **error)
{
  const char *name = run->options.userns != NULL ? run->options.userns : run->plan.profile->userns;
  g_autofree char *uid_map = NULL, *gid_map = NULL;
  SbxUsernsMode mode;

  /* Ubuntu's AppArmor restriction, said in one line before anything is made. */
  if (!sbx_apparmor_check_userns_restriction (error))
    return FALSE;
  /* The host's apps run as the caller, so what they save is the caller's. */
  if (name == NULL && sbx_host_image_is (run->image_name))
    name = "keep-id";
  if (!sbx_userns_mode_parse (name, &mode, error))
    return FALSE;
  if (mode == SBX_USERNS_KEEP_ID && sbx_host_image_is (run->image_name))
    sbx_id_layout_own_ids (getuid (), getgid (), &run->ids);
  else if (!sbx_userns_layout_for_caller (mode, &run->ids, error))
    return FALSE;
  uid_map = g_strstrip (g_strdelimit (sbx_id_map_to_string (&run->ids.uid_map), "\n", ' '));
  gid_map = g_strstrip (g_strdelimit (sbx_id_map_to_string (&run->ids.gid_map), "\n", ' '));
  sbx_debug ("supervisor", "settle-userns", "%s%s; uid map '%s', gid map '%s'", mode == SBX_USERNS_KEEP_ID ? "keep-id" : "default", run->ids.single ? " (one id mapped)" : "", uid_map, gid_map);
  return TRUE;
}

/* Limits need a systemd user scope: checked before anything starts.  Where it cannot be
 * had, sbx.limits.ifUnavailable (--limits-optional) says whether to run without them.
 * Without limits a run gets a scope too (for `sbx stats`) where a user manager is there,
 * and goes on without one, quietly, where none is. */
static gboolean
settle_limits (SbxRunPlan *plan, SbxScope **out_scope, GError **error)
{
  const SbxProfile *profile = plan->profile;
  g_autoptr(GVariant) checked = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!profile->has_resource_limits)
    {
      *out_scope = sbx_scope_connect_if_available ();
      return TRUE;
    }
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
                                                       "(--limits-optional runs without them)",
                   local_error->message);
      return FALSE;
    }
  if (profile->limits_policy == SBX_LIMITS_WARN)
    sbx_warning ("running without resource limits: %s", local_error->message);
  return TRUE;
}

/* What the profile asks of the kernel, settled before anything starts: the namespaces,
 * whether a seccomp filter follows (checked when the profile was loaded; compiled in
 * send-seccomp), AppArmor present or not, a scope for the limits. */
static gboolean
settle_confinement (Run *run, GError **error)
{
  SbxRunPlan *plan = &run->plan;
  const SbxProfile *profile = plan->profile;

  if (!settle_limits (plan, &run->scope, error))
    return FALSE;
  plan->unshare_flags = CLONE_NEWUSER | CLONE_NEWNS |
                        (profile->unshare_flags & (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)) |
                        (run->net.mode == SBX_NET_HOST ? 0 : CLONE_NEWNET);
  plan->net_mode = run->net.mode;
  plan->allow_host_loopback = run->net.allow_host_loopback;
  /* The filter itself is compiled once the setup child runs (send-seccomp), beside its work. */
  plan->seccomp_follows = profile->has_seccomp;
  sbx_profile_warn_io_uring (profile);
  if (!sbx_apparmor_settle (profile->apparmor_profile, profile->apparmor_policy, profile->apparmor_userns,
                            &plan->use_apparmor, &plan->apparmor_label, error))
    return FALSE;
  sbx_debug ("supervisor", "settle-confinement", "namespaces%s%s%s%s; seccomp %s; AppArmor %s; limits %s",
             (plan->unshare_flags & CLONE_NEWUTS) ? " uts" : "", (plan->unshare_flags & CLONE_NEWIPC) ? " ipc" : "",
             (plan->unshare_flags & CLONE_NEWCGROUP) ? " cgroup" : "", (plan->unshare_flags & CLONE_NEWNET) ? " net" : "",
             plan->seccomp_follows ? "on" : "off",
             plan->apparmor_label != NULL ? plan->apparmor_label : "not used",
             plan->want_scope ? "in a systemd scope" : run->scope != NULL ? "none (a systemd scope all the same)"
                                                                          : "none");
  return TRUE;
}

/* The store, opened here unless --name opened it already. */
static gboolean
open_store (Run *run, GError **error)
{
  if (sbx_host_image_is (run->image_name))
    return TRUE;
  if (run->store == NULL && (run->store = sbx_store_open (NULL, error)) == NULL)
    return FALSE;
  sbx_debug ("supervisor", "open-store", "%s", sbx_store_get_root (run->store));
  return TRUE;
}

/* The embedded default image is imported on first use, by the sbx-import helper.  A name
 * the store lacks that names its registry ("localhost:5000/app", "quay.io/x/y:1") is pulled;
 * a short name is looked up as a pull would have stored it, never pulled implicitly (a typo
 * must not reach out to docker.io). */
/* The store's image (storage/resolve.h: the embedded default imported on first use, a
 * registry-qualified name pulled, a short name never pulled). */
static SbxImage *
resolve_image (SbxStore *store, const char *name, const SbxRunOptions *options, GError **error)
{
  SbxResolveOptions resolve = {
    .pull = { .tls_verify = !options->tls_verify_off, .quiet = FALSE, .progress_fd = STDERR_FILENO },
  };

  return sbx_image_resolve (store, name, &resolve, error);
}

/* The image: a named sandbox's own record, else the store's (the default imported on first
 * use, a registry image pulled). */
static gboolean
resolve_run_image (Run *run, GError **error)
{
  if (sbx_host_image_is (run->image_name))
    run->image = sbx_host_image_new ();
  else if (run->sandbox != NULL)
    run->image = sbx_image_copy (run->sandbox->image, error);
  else
    run->image = resolve_image (run->store, run->image_name, &run->options, error);
  if (run->image == NULL)
    return FALSE;
  sbx_debug ("supervisor", "resolve-image", "'%s': %u layers%s", run->image->name,
             g_strv_length (run->image->layers), run->sandbox != NULL ? " (the named sandbox's record)" : "");
  return TRUE;
}

/* A shared lock on each layer, so that no prune or rm removes them while the sandbox runs. */
static gboolean
lease_layers (Run *run, GError **error)
{
  if (sbx_host_image_is (run->image->name))
    return TRUE;
  if ((run->lease = sbx_store_lease_image (run->store, run->image, error)) == NULL)
    return FALSE;
  sbx_debug ("supervisor", "lease-layers", "%u layers held", g_strv_length (run->image->layers));
  return TRUE;
}

/* The first run of a named sandbox records it, once its image's layers are leased. */
static gboolean
record_sandbox (Run *run, GError **error)
{
  const SbxRunOptions *options = &run->options;
  g_autoptr(SbxSandbox) sandbox = NULL;

  /* On the host image a name only keys the private home: there are no layers to record. */
  if (options->name == NULL || run->sandbox != NULL || sbx_host_image_is (run->image->name))
    return TRUE;
  sandbox = g_new0 (SbxSandbox, 1);
  sandbox->name = g_strdup (options->name);
  if ((sandbox->image = sbx_image_copy (run->image, error)) == NULL)
    return FALSE;
  if ((sandbox->profile_json = sbx_profile_to_json (run->plan.profile, TRUE, error)) == NULL)
    return FALSE;
  sandbox->command = options->command != NULL && options->command[0] != NULL ? g_strdupv (options->command) : NULL;
  sandbox->network = g_strdup (options->network);
  sandbox->publish = g_strdupv (options->publish);
  sandbox->net_allow = g_strdupv (options->net_allow);
  sandbox->net_deny = g_strdupv (options->net_deny);
  sandbox->created = g_get_real_time () / G_USEC_PER_SEC;
  if (!sbx_sandbox_create (run->store, sandbox, error))
    return FALSE;
  run->sandbox = g_steal_pointer (&sandbox);
  sbx_debug ("supervisor", "record-sandbox", "'%s' recorded", options->name);
  return TRUE;
}

/* The desktop and the hooks keep files outside the store: a run directory of its own. */
static gboolean
make_run_dir (Run *run, GError **error)
{
  if (!sbx_desktop_wanted (run->plan.profile) && !sbx_hooks_wanted (run->plan.profile))
    return TRUE;
  return (run->run_dir = sbx_run_dir_new (error)) != NULL;
}

static gboolean
make_plan (Run *run, GError **error)
{
  const char *run_dir = run->run_dir != NULL ? sbx_run_dir_path (run->run_dir) : NULL;

  if (!sbx_run_plan_make (run->store, run->image, &run->options, run->sandbox, &run->ids, &run->plan, error))
    return FALSE;
  sbx_hooks_settle (&run->plan, run_dir, run->options.name);
  return TRUE;
}

/* The session's display, sound, GPU, D-Bus, the home and the shares, as the profile grants. */
static gboolean
settle_desktop (Run *run, GError **error)
{
  SbxDesktopContext context = {
    .run_dir = run->run_dir != NULL ? sbx_run_dir_path (run->run_dir) : NULL,
    .store_root = run->store != NULL ? sbx_store_get_root (run->store) : NULL,
    .home_key = run->options.name,
    .log_dbus = run->options.log_dbus,
    .forwarded = run->forwarded,
  };

  return sbx_desktop_settle (&run->plan, &context, error) &&
         sbx_desktop_start_dbus (&run->plan, &context, &run->session_bus, &run->system_bus, error);
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
  int tap_fd, maker_fd;

  if (plan->net_mode != SBX_NET_SLIRP)
    return TRUE;
  raise_fd_limit ();
  /* libslirp writes to host sockets without MSG_NOSIGNAL: a peer that went away must not
   * kill the supervisor.  The sandbox was forked already and keeps SIGPIPE. */
  signal (SIGPIPE, SIG_IGN);
  if (!sbx_sync_expect_fd (sync_fd, SBX_SYNC_TAP, &tap_fd, error))
    return FALSE;
  if (!sbx_sync_expect_fd (sync_fd, SBX_SYNC_SOCKETS, &maker_fd, error))
    {
      close (tap_fd);
      return FALSE;
    }
  *out_slirp = sbx_slirp_new (tap_fd, maker_fd, net_options, error);
  if (*out_slirp == NULL)
    return FALSE;
  sbx_debug ("supervisor", "start-network", "libslirp on tap0 (fd %d), %u ports forwarded", tap_fd,
             net_options->forwards->len);
  return sbx_sync_send (sync_fd, SBX_SYNC_NET_READY, error);
}

/* The setup child goes into its scope before it makes its cgroup namespace.  A scope
 * without limits that systemd refuses is done without, quietly. */
static gboolean
start_scope (const SbxRunPlan *plan, const SbxRunOptions *options, pid_t pid, SbxScope **scope, GError **error)
{
  g_autofree char *description = NULL;
  g_autoptr(GError) local_error = NULL;
  GVariant *properties;

  if (*scope == NULL)
    return TRUE;
  description = g_strdup_printf ("sbx sandbox %s (image %s)", options->name != NULL ? options->name : "",
                                 options->image != NULL ? options->image : "");
  properties = sbx_scope_properties (&plan->profile->resources, description, pid, error);
  if (properties == NULL)
    return FALSE;
  if (!sbx_scope_start (*scope, options->name != NULL ? options->name : "run", pid, properties, &local_error))
    {
      if (plan->want_scope)
        return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
      sbx_debug ("supervisor", "start-scope", "none: %s", local_error->message);
      g_clear_pointer (scope, sbx_scope_free);
      return TRUE;
    }
  sbx_debug ("supervisor", "start-scope", "%s%s", sbx_scope_unit (*scope), plan->want_scope ? "" : " (no limits)");
  return TRUE;
}

/* The setup child makes its network devices while its maps are written: when they fail, it
 * reports that and exits, and the maps then fail too (its /proc files refuse writes); its
 * own error says why. */
static gboolean
write_id_maps (pid_t pid, const SbxIdLayout *ids, int sync_fd, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!sbx_userns_write_maps (pid, ids, &local_error))
    {
      if (!sbx_sync_take_peer_error (sync_fd, error))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  sbx_debug ("supervisor", "map-ids", "written for %d %s", (int) pid,
             ids->single ? "directly (only the caller's own ids)" : "with newuidmap/newgidmap");
  return TRUE;
}

/* A step failed once the setup child runs: it goes, and with it the sandbox. */
static void
kill_setup_child (Run *run)
{
  kill (run->setup_pid, SIGKILL);
  waitpid (run->setup_pid, NULL, 0);
  run->setup_pid = -1;
}

/* Forks the setup child, writes its id maps once it has unshared, puts it into its scope,
 * and starts its network.  On failure the child is killed and reaped here. */
static gboolean
spawn_sandbox (Run *run, GError **error)
{
  const SbxRunPlan *plan = &run->plan;
  int sandbox_end;
  guint threads = 0;

  if (!sbx_sync_socketpair (&run->sync_fd, &sandbox_end, error))
    return FALSE;
  if (sbx_log_enabled (SBX_LOG_DEBUG))
    threads = sbx_process_thread_count ();
  run->setup_pid = fork ();
  if (run->setup_pid < 0)
    {
      close (sandbox_end);
      return sbx_set_error_from_errno (error, errno, "fork the sandbox's setup process");
    }
  if (run->setup_pid == 0)
    {
      close (run->sync_fd);
      sbx_setup_child_main (plan, sandbox_end);
    }
  close (sandbox_end);
  sbx_debug ("supervisor", "spawn", "setup process %d, forked from %u thread%s", (int) run->setup_pid, threads,
             threads == 1 ? "" : "s");
  if (!sbx_sync_expect (run->sync_fd, SBX_SYNC_UNSHARED, error) ||
      !write_id_maps (run->setup_pid, &plan->ids, run->sync_fd, error) ||
      !start_scope (plan, &run->options, run->setup_pid, &run->scope, error) ||
      !sbx_sync_send (run->sync_fd, SBX_SYNC_MAPPED, error) ||
      !start_network (plan, &run->net, run->sync_fd, &run->slirp, error))
    return kill_setup_child (run), FALSE;
  return TRUE;
}

/* The D-Bus proxies were spawned before the sandbox (settle-desktop) and started while it
 * was set up; the setup child waits for this before init binds their sockets. */
static gboolean
wait_for_dbus (Run *run, GError **error)
{
  SbxDbusProxy *proxies[] = { run->session_bus, run->system_bus };

  if (!run->plan.wait_for_buses)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (proxies); i++)
    if (proxies[i] != NULL && !sbx_dbus_proxy_wait_ready (proxies[i], error))
      return kill_setup_child (run), FALSE;
  if (!sbx_sync_send (run->sync_fd, SBX_SYNC_BUSES_READY, error))
    return kill_setup_child (run), FALSE;
  sbx_debug ("supervisor", "wait-dbus", "the D-Bus proxies listen");
  return TRUE;
}

/* hooks: prestart and createRuntime, here on the host, once init asks before pivot_root.
 * On failure the sandbox is killed here (its poststop hooks run from the cleanup). */
static gboolean
run_create_hooks (Run *run, GError **error)
{
  if (sbx_hooks_create_runtime (&run->plan, run->sync_fd, &run->init_pid, error))
    return TRUE;
  kill_setup_child (run);
  return FALSE;
}

/* The profile's seccomp filter, compiled to BPF here while the setup child unshares and
 * mounts (it took a millisecond and more before the fork), and sent to init, which waits
 * for it only before it starts the command (sync.h).  A filter libseccomp refuses ends the
 * sandbox before any command ran. */
static gboolean
send_seccomp (Run *run, GError **error)
{
  SbxRunPlan *plan = &run->plan;
  const SbxProfile *profile = plan->profile;
  sbx_autofd int fd = -1;

  if (!plan->seccomp_follows)
    return TRUE;
  if (profile->seccomp_compiled) /* from the profile cache, or compiled for it */
    {
      plan->seccomp.program = profile->seccomp_program.program != NULL ? g_bytes_ref (profile->seccomp_program.program)
                                                                       : NULL;
      plan->seccomp.flags = profile->seccomp_program.flags;
    }
  else if (!sbx_seccomp_compile (profile->seccomp_rules, profile->caps[SBX_CAPSET_BOUNDING], &plan->seccomp, error))
    {
      kill_setup_child (run);
      return g_prefix_error (error, "profile '%s': linux.seccomp: ", profile->name), FALSE;
    }
  if (!sbx_seccomp_program_to_fd (&plan->seccomp, &fd, error) ||
      !sbx_sync_send_fd (run->sync_fd, SBX_SYNC_SECCOMP, fd, error))
    return kill_setup_child (run), FALSE;
  sbx_debug ("supervisor", "send-seccomp", "%" G_GSIZE_FORMAT " BPF instructions sent to init",
             plan->seccomp.program != NULL ? g_bytes_get_size (plan->seccomp.program) / 8 : 0);
  return TRUE;
}

/* hooks: poststart, once the command's execve is done (only warnings). */
static gboolean
run_poststart_hooks (Run *run, GError **error)
{
  return sbx_hooks_poststart (&run->plan, run->sync_fd, run->init_pid, error);
}

/* -t: the command's pty master, once it has made the pty its terminal, relayed to ours.  What
 * is typed goes in with -i, or when stdin is a terminal. */
static gboolean
attach_terminal (Run *run, GError **error)
{
  int master;

  if (!run->plan.terminal)
    return TRUE;
  if (!sbx_sync_expect_fd (run->sync_fd, SBX_SYNC_PTY, &master, error))
    return FALSE;
  run->terminal = sbx_terminal_attach (master, run->options.interactive || isatty (STDIN_FILENO), error);
  return run->terminal != NULL;
}

/* The running sandbox registers itself for sbx ps, stop, kill and inspect (run-state.h);
 * the registration goes in run_clear.  Without one the sandbox is not started. */
static gboolean
register_run (Run *run, GError **error)
{
  g_autoptr(SbxRunState) state = g_new0 (SbxRunState, 1);

  state->name = g_strdup (run->options.name);
  state->image = g_strdup (run->image->name);
  state->profile = g_strdup (run->options.profile);
  state->profile_path = g_strdup (run->sandbox_profile);
  if ((state->profile_text = sbx_profile_to_json (run->plan.profile, FALSE, error)) == NULL)
    return kill_setup_child (run), FALSE;
  state->command = g_strdupv (run->plan.argv);
  state->exec = sbx_run_plan_exec_to_json (&run->plan);
  state->setup_pid = run->setup_pid;
  state->network = g_strdup (run->net.mode == SBX_NET_HOST ? "host" : run->net.mode == SBX_NET_NONE ? "none"
                                                                                                    : "slirp");
  state->ports = g_new0 (char *, run->net.forwards->len + 1);
  for (guint i = 0; i < run->net.forwards->len; i++)
    state->ports[i] = g_strdup (g_array_index (run->net.forwards, SbxPortForward, i).spec);
  state->scope = run->scope != NULL ? g_strdup (sbx_scope_unit (run->scope)) : NULL;
  state->run_dir = run->run_dir != NULL ? g_strdup (sbx_run_dir_path (run->run_dir)) : NULL;
  if (!sbx_run_state_register (state, error))
    {
      kill_setup_child (run);
      return g_prefix_error (error, "register the sandbox: "), FALSE;
    }
  run->state = g_steal_pointer (&state);
  return TRUE;
}

/* Supervises the sandbox to its end: the command's exit status, or the error a process
 * inside reported, or the scope's out-of-memory kills. */
static gboolean
supervise (Run *run, GError **error)
{
  g_autoptr(GError) sandbox_error = NULL;
  int wait_status;

  if (run->scope != NULL)
    sbx_scope_watch (run->scope);
  wait_status = sbx_supervise (run->setup_pid, run->sync_fd, run->terminal, &sandbox_error);
  run->setup_pid = -1; /* reaped */
  sbx_debug ("supervisor", "supervise", "the sandbox ended (wait status 0x%x)", wait_status);
  if (sandbox_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&sandbox_error));
      return FALSE;
    }
  if (run->scope != NULL && sbx_scope_oom_kills (run->scope) > 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_MEMORY_LIMIT, "the sandbox hit its memory limit (%s): the kernel "
                                                             "killed %" G_GUINT64_FORMAT " of its processes",
                   sbx_scope_memory_limit_text (run->scope),
                   sbx_scope_oom_kills (run->scope));
      return FALSE;
    }
  run->exit_status = sbx_exit_code_from_wait_status (wait_status);
  return TRUE;
}

/* One step of the ladder below, timed: at --log-level=debug a "timing" line says how long
 * it took, on the run's one timeline (log.h), so where a start's milliseconds go is one
 * grep away. */
static gboolean
step (Run *run, const char *name, gboolean (*fn) (Run *run, GError **error), GError **error)
{
  double start = sbx_log_enabled (SBX_LOG_DEBUG) ? sbx_log_elapsed_ms () : 0;
  gboolean ok = fn (run, error);

  sbx_debug ("supervisor", "timing", "%s %s in %.3f ms", name, ok ? "done" : "failed",
             sbx_log_elapsed_ms () - start);
  return ok;
}

gboolean
sbx_run (const SbxRunOptions *options, int *out_status, GError **error)
{
  g_auto(Run) run = { .options = *options, .sandbox_lock = -1, .setup_pid = -1, .sync_fd = -1 };

  sbx_debug ("supervisor", "timing", "run starts");
  sbx_net_options_init (&run.net);
  sbx_supervisor_ignore_job_control ();
  /* Settle everything that can be refused before anything is started or written. */
  if (!step (&run, "open-named-sandbox", open_named_sandbox, error))
    return FALSE;
  if (!step (&run, "forward-files", forward_files, error))
    return FALSE;
  if (!step (&run, "load-profile", load_profile, error))
    return FALSE;
  if (!step (&run, "choose-image", choose_image, error))
    return FALSE;
  if (!step (&run, "settle-network", settle_network, error))
    return FALSE;
  if (!step (&run, "settle-userns", settle_userns, error))
    return FALSE;
  if (!step (&run, "settle-confinement", settle_confinement, error))
    return FALSE;
  /* The store: the image resolved (imported or pulled on first use) and its layers held. */
  if (!step (&run, "open-store", open_store, error))
    return FALSE;
  if (!step (&run, "resolve-image", resolve_run_image, error))
    return FALSE;
  if (!step (&run, "lease-layers", lease_layers, error))
    return FALSE;
  if (!step (&run, "record-sandbox", record_sandbox, error))
    return FALSE;
  if (!step (&run, "make-run-dir", make_run_dir, error))
    return FALSE;
  if (!step (&run, "make-plan", make_plan, error))
    return FALSE;
  if (!step (&run, "settle-desktop", settle_desktop, error))
    return FALSE;
  /* From here on processes run: the setup child, its id maps, scope and network. */
  if (!step (&run, "spawn", spawn_sandbox, error))
    return FALSE;
  if (!step (&run, "wait-dbus", wait_for_dbus, error))
    return FALSE;
  if (!step (&run, "register", register_run, error))
    return FALSE;
  if (!step (&run, "create-hooks", run_create_hooks, error))
    return FALSE;
  if (!step (&run, "send-seccomp", send_seccomp, error))
    return FALSE;
  if (!step (&run, "attach-terminal", attach_terminal, error))
    return FALSE;
  if (!step (&run, "poststart-hooks", run_poststart_hooks, error))
    return FALSE;
  if (!step (&run, "supervise", supervise, error))
    return FALSE;
  *out_status = run.exit_status;
  return TRUE;
}
