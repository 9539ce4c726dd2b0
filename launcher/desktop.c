/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop.c: a profile's desktop grants made into binds and environment (desktop.h). */
#include "desktop.h"
#include "caller-bind.h"
#include "doc-portal.h"
#include "fd-util.h"
#include "log.h"
#include "sbx-error.h"
#include "mounts.h"
#include "x11-auth.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/mount.h>
#include <linux/openat2.h>

gboolean
sbx_desktop_wanted (const SbxProfile *profile)
{
  const SbxDesktopGrants *g = &profile->desktop;

  return g->x11 != SBX_X11_NONE || g->wayland || g->pulseaudio || g->pipewire || g->gpu ||
         profile->home != SBX_HOME_IMAGE || (profile->share != NULL && profile->share[0] != NULL) ||
         profile->dbus_session != NULL || profile->dbus_system != NULL;
}

static void
add_runtime_entry (SbxRunPlan *plan, const char *source, const char *name)
{
  SbxRuntimeEntry *entry = g_new0 (SbxRuntimeEntry, 1);

  entry->source = g_strdup (source);
  entry->name = g_strdup (name);
  g_ptr_array_add (plan->runtime_entries, entry);
  sbx_debug ("supervisor", "settle-desktop", "%s -> $XDG_RUNTIME_DIR/%s", source, name);
}

static SbxMount *
add_bind (SbxRunPlan *plan, const char *source, const char *destination, gboolean writable)
{
  SbxMount *m = g_new0 (SbxMount, 1);

  m->kind = SBX_MOUNT_BIND;
  m->recursive = TRUE;
  m->source = g_strdup (source);
  m->destination = g_strdup (destination);
  m->attr_set = writable ? 0 : MOUNT_ATTR_RDONLY;
  g_ptr_array_add (plan->grant_mounts, m);
  sbx_debug ("supervisor", "settle-desktop", "%s -> %s%s (%s)", source, destination[0] == '/' ? "" : "~/",
             destination, writable ? "rw" : "ro");
  return m;
}

static gboolean
is_socket (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

/* $XDG_RUNTIME_DIR/NAME of the caller's session, or NAME itself when absolute. */
static char *
session_path (const char *name)
{
  return g_path_is_absolute (name) ? g_strdup (name) : g_build_filename (g_get_user_runtime_dir (), name, NULL);
}

static void
settle_wayland (SbxRunPlan *plan)
{
  const char *display = g_getenv ("WAYLAND_DISPLAY");
  g_autofree char *socket = session_path (display != NULL ? display : "wayland-0");

  if (!is_socket (socket))
    {
      sbx_note ("no Wayland display (%s is not a socket): the app gets none", socket);
      return;
    }
  add_runtime_entry (plan, socket, "wayland-0");
}

static void
settle_sound (SbxRunPlan *plan, const SbxDesktopGrants *grants)
{
  g_autofree char *pulse = session_path ("pulse/native");
  g_autofree char *pipewire = session_path ("pipewire-0");

  if (grants->pulseaudio && is_socket (pulse))
    add_runtime_entry (plan, pulse, "pulse/native");
  else if (grants->pulseaudio)
    sbx_note ("no PulseAudio server (%s is not a socket): the app gets no sound through it", pulse);
  if (grants->pipewire && is_socket (pipewire))
    add_runtime_entry (plan, pipewire, "pipewire-0");
  else if (grants->pipewire && !grants->pulseaudio)
    sbx_note ("no PipeWire server (%s is not a socket)", pipewire);
}

/* The render nodes (and the card nodes Mesa opens for display), and NVIDIA's nodes. */
static void
settle_gpu (SbxRunPlan *plan)
{
  static const char * const nvidia[] = { "/dev/nvidiactl", "/dev/nvidia-modeset", "/dev/nvidia-uvm",
                                         "/dev/nvidia-uvm-tools", "/dev/nvidia0", "/dev/nvidia1" };
  gboolean any = FALSE;

  if (g_file_test ("/dev/dri", G_FILE_TEST_IS_DIR))
    {
      add_bind (plan, "/dev/dri", "/dev/dri", TRUE)->attr_clr = MOUNT_ATTR_NODEV;
      any = TRUE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (nvidia); i++)
    if (g_file_test (nvidia[i], G_FILE_TEST_EXISTS))
      {
        add_bind (plan, nvidia[i], nvidia[i], TRUE)->attr_clr = MOUNT_ATTR_NODEV;
        any = TRUE;
      }
  if (!any)
    sbx_note ("no GPU device nodes (/dev/dri, /dev/nvidia*): the app renders in software");
}

/* DISPLAY=:N[.S] names /tmp/.X11-unix/XN (and screen S, kept inside); other forms (TCP, ssh forwarding) are not served. */
static gboolean
settle_x11 (SbxRunPlan *plan, const SbxDesktopContext *context, SbxX11Mode mode, GError **error)
{
  const char *display = g_getenv ("DISPLAY"), *screen;
  g_autofree char *number = NULL, *socket = NULL, *xauthority = NULL;
  g_autoptr(GError) local_error = NULL;

  if (display == NULL || display[0] != ':' || !g_ascii_isdigit (display[1]))
    {
      sbx_note ("no local X11 display (DISPLAY is %s): the app gets none",
                display != NULL ? display : "unset");
      return TRUE;
    }
  number = g_strndup (display + 1, strspn (display + 1, "0123456789"));
  /* ".S" after the number picks the screen; it stays in DISPLAY inside. */
  screen = display + 1 + strlen (number);
  if (screen[0] != '.' || screen[1] == '\0' || screen[1 + strspn (screen + 1, "0123456789")] != '\0')
    screen = "";
  socket = g_strdup_printf ("/tmp/.X11-unix/X%s", number);
  if (!is_socket (socket))
    {
      sbx_note ("no X11 socket for DISPLAY %s (%s): the app gets no X11 display", display, socket);
      return TRUE;
    }
  xauthority = g_build_filename (context->run_dir, "Xauthority", NULL);
  if (!sbx_x11_auth_write (number, mode == SBX_X11_TRUSTED, xauthority, &local_error))
    {
      sbx_note ("X11: %s: the app gets no X11 display", local_error->message);
      return TRUE;
    }
  add_bind (plan, socket, socket, TRUE);
  add_runtime_entry (plan, xauthority, "Xauthority");
  plan->x11_display = g_strdup_printf (":%s%s", number, screen);
  return TRUE;
}

/* The name of the private home: --name, else the profile's name; a profile given as a file
 * (--profile DIR/NAME.json) is named by its path, which is no directory name: NAME then. */
static char *
private_home_key (const SbxRunPlan *plan, const SbxDesktopContext *context, GError **error)
{
  const char *name = plan->profile->name;
  g_autofree char *base = NULL;

  if (context->home_key != NULL)
    return g_strdup (context->home_key);
  if (strchr (name, '/') == NULL && !g_str_has_suffix (name, ".json"))
    return g_strdup (name);
  base = g_path_get_basename (name);
  if (g_str_has_suffix (base, ".json"))
    base[strlen (base) - strlen (".json")] = '\0';
  if (base[0] == '\0' || base[0] == '.' || strchr (base, '/') != NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "profile %s: its file name makes no name for "
                                                                 "the private home: give one with --name",
                        name),
           NULL;
  return g_steal_pointer (&base);
}

/* The private home: HOMES/KEY, made 0700 when missing and never reached through a symlink. */
static gboolean
settle_private_home (SbxRunPlan *plan, const SbxDesktopContext *context, GError **error)
{
  g_autofree char *store = context->store_root != NULL ? g_strdup (context->store_root)
                                                       : g_build_filename (g_get_user_data_dir (), "sbx", NULL);
  g_autofree char *key = private_home_key (plan, context, error);
  sbx_autofd int homes = -1, home = -1;

  if (key == NULL)
    return FALSE;
  plan->home_store = g_build_filename (store, "homes", NULL);
  if (g_mkdir_with_parents (plan->home_store, 0700) != 0)
    return sbx_set_error_from_errno (error, errno, "create %s", plan->home_store);
  if ((homes = open (plan->home_store, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
    return sbx_set_error_from_errno (error, errno, "open %s", plan->home_store);
  if (mkdirat (homes, key, 0700) != 0 && errno != EEXIST)
    return sbx_set_error_from_errno (error, errno, "create the home %s/%s", plan->home_store, key);
  home = sbx_openat2 (homes, key, O_PATH | O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (home < 0)
    return sbx_set_error_from_errno (error, errno, "the home %s/%s is not a plain directory (a symlink is never "
                                                   "followed)",
                                     plan->home_store, key);
  plan->home_source = g_strdup (key);
  sbx_debug ("supervisor", "settle-desktop", "private home %s/%s", plan->home_store, key);
  return TRUE;
}

static gboolean
settle_home (SbxRunPlan *plan, const SbxDesktopContext *context, GError **error)
{
  plan->home_mode = plan->profile->home;
  /* The host image has no home of its own to fall back to: a throwaway one. */
  if (plan->home_mode == SBX_HOME_IMAGE && plan->host_root)
    plan->home_mode = SBX_HOME_TMPFS;
  switch (plan->home_mode)
    {
    case SBX_HOME_PRIVATE:
      return settle_private_home (plan, context, error);
    case SBX_HOME_HOST:
      sbx_warning ("sbx.home is \"host\": the app can read and change every file of your home, ~/.ssh and "
                   "your browser profiles included");
      plan->home_source = g_strdup (g_get_home_dir ());
      return TRUE;
    case SBX_HOME_TMPFS:
    case SBX_HOME_IMAGE:
    default:
      return TRUE;
    }
}

/* Where a share is on the host: the XDG directory (from user-dirs.dirs), or the path. */
static char *
share_source (const SbxShare *share)
{
  const char *base;

  if (share->xdg_name != NULL)
    {
      base = g_get_user_special_dir ((GUserDirectory) sbx_share_user_directory (share->xdg_name));
      if (base == NULL || g_str_equal (base, g_get_home_dir ()))
        return NULL; /* unset, or XDG's fallback to the home itself */
      return g_build_filename (base, share->path, NULL);
    }
  if (share->path[0] == '~')
    return g_build_filename (g_get_home_dir (), share->path + 1, NULL);
  return g_strdup (share->path);
}

/* Inside, a share of something in the caller's home sits at the same place in the sandbox's
 * home; anything else at its own path. */
static char *
share_destination (const char *source)
{
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);

  if (g_str_equal (source, home))
    return g_strdup ("");
  if (strncmp (source, home, len) == 0 && source[len] == '/')
    return g_strdup (source + len + 1);
  return g_strdup (source);
}

/* A share of the home itself: its dotfiles (configuration, keys, tokens) are masked, unless
 * another share names them. */
static void
mask_dotfiles (SbxRunPlan *plan, char **named)
{
  g_autoptr(GDir) dir = g_dir_open (g_get_home_dir (), 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (g_get_home_dir (), name, NULL);
      SbxMount *m;

      if (name[0] != '.' || g_strv_contains ((const char * const *) named, name))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        {
          m = g_new0 (SbxMount, 1);
          m->kind = SBX_MOUNT_TMPFS;
          m->destination = g_strdup (name);
          m->data = g_strdup ("size=4k,mode=0500");
          m->attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
          g_ptr_array_add (plan->grant_mounts, m);
        }
      else if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        add_bind (plan, "/dev/null", name, FALSE);
    }
}

static void
settle_shares (SbxRunPlan *plan)
{
  g_autoptr(GPtrArray) named = g_ptr_array_new_with_free_func (g_free);
  gboolean whole_home = FALSE;

  for (guint i = 0; plan->profile->share != NULL && plan->profile->share[i] != NULL; i++)
    {
      g_auto(SbxShare) share = { 0 };
      g_autofree char *source = NULL, *destination = NULL;

      if (!sbx_share_parse (plan->profile->share[i], &share, NULL))
        continue; /* checked when the profile was loaded */
      source = share_source (&share);
      if (source == NULL || !g_file_test (source, G_FILE_TEST_EXISTS))
        {
          sbx_note ("share %s: %s does not exist: not shared", plan->profile->share[i],
                    source != NULL ? source : "the XDG directory is not set");
          continue;
        }
      destination = share_destination (source);
      whole_home |= destination[0] == '\0';
      if (destination[0] != '/' && destination[0] != '\0')
        g_ptr_array_add (named, g_strndup (destination, strcspn (destination, "/")));
      add_bind (plan, source, destination, share.writable);
    }
  g_ptr_array_add (named, NULL);
  if (whole_home)
    mask_dotfiles (plan, (char **) named->pdata);
}

/* Files a launcher passed (%F/%U): each regular file alone, read-write, at its own path. */
static void
settle_forwarded (SbxRunPlan *plan, char **files)
{
  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    {
      struct stat st;

      if (stat (files[i], &st) != 0 || !S_ISREG (st.st_mode))
        {
          sbx_note ("%s is not a regular file: not made visible inside", files[i]);
          continue;
        }
      add_bind (plan, files[i], files[i], TRUE);
    }
}

gboolean
sbx_desktop_settle (SbxRunPlan *plan, const SbxDesktopContext *context, GError **error)
{
  const SbxDesktopGrants *grants = &plan->profile->desktop;

  if (!sbx_desktop_wanted (plan->profile) && !plan->host_root &&
      (context->forwarded == NULL || context->forwarded[0] == NULL))
    return TRUE;
  plan->runtime_dir = TRUE;
  plan->runtime_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_runtime_entry_free);
  plan->grant_mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) sbx_mount_free);
  if (grants->wayland)
    settle_wayland (plan);
  if (grants->x11 != SBX_X11_NONE && !settle_x11 (plan, context, grants->x11, error))
    return FALSE;
  if (grants->pulseaudio || grants->pipewire)
    settle_sound (plan, grants);
  if (grants->gpu)
    settle_gpu (plan);
  if (!settle_home (plan, context, error))
    return FALSE;
  settle_shares (plan);
  settle_forwarded (plan, context->forwarded);
  return TRUE;
}

/* One bus through xdg-dbus-proxy with the profile's filter; a bus the session lacks is a note. */
static gboolean
start_proxy (SbxRunPlan *plan, const SbxDesktopContext *context, SbxDbusBus bus, const SbxDbusPolicy *policy,
             const SbxPortalId *identity, SbxDbusProxy **out, GError **error)
{
  SbxDbusProxyConfig config = {
    .bus = bus,
    .policy = policy,
    .socket_dir = context->run_dir,
    .log_denials = context->log_dbus,
    .identity = identity,
  };

  if (policy == NULL)
    return TRUE;
  /* Spawned, not waited for: the run waits once the sandbox is set up (run.c's wait-dbus). */
  if ((*out = sbx_dbus_proxy_spawn (&config, error)) == NULL)
    return FALSE;
  if (!sbx_dbus_proxy_is_available (*out))
    {
      sbx_note ("%s", sbx_dbus_proxy_get_unavailable_reason (*out));
      return TRUE;
    }
  plan->wait_for_buses = TRUE;
  if (bus == SBX_DBUS_BUS_SESSION)
    add_runtime_entry (plan, sbx_dbus_proxy_get_socket_path (*out), "bus");
  else
    add_bind (plan, sbx_dbus_proxy_get_socket_path (*out), SBX_DBUS_SYSTEM_SOCKET_INSIDE, TRUE);
  sbx_debug ("supervisor", "start-dbus-proxy", "%s bus filtered by xdg-dbus-proxy (pid %d)%s%s",
             bus == SBX_DBUS_BUS_SESSION ? "session" : "system", (int) sbx_dbus_proxy_get_pid (*out),
             identity != NULL ? ", known to the portals as " : "",
             identity != NULL ? sbx_portal_id_get_app_id (identity) : "");
  return TRUE;
}

/* The app id the session proxy carries to the portals (portal-id.h), or NULL: the profile
 * names none (the portals then take the app for an unsandboxed one). */
static gboolean
make_identity (const SbxRunPlan *plan, const SbxDesktopContext *context, SbxPortalId **out, GError **error)
{
  g_autofree char *instance = NULL;

  *out = NULL;
  if (plan->profile->dbus_session == NULL)
    return TRUE;
  instance = g_path_get_basename (context->run_dir); /* a D-Bus policy made the run its directory */
  if (plan->profile->app_id == NULL)
    {
      sbx_debug ("supervisor", "start-dbus-proxy", "no sbx.appId: the portals see the app as one of the host's");
      return TRUE;
    }
  *out = sbx_portal_id_new (plan->profile->app_id, instance, plan->net_mode != SBX_NET_NONE, context->run_dir,
                            error);
  return *out != NULL;
}

/* The document portal's directory for the app at /run/user/UID/doc, and at the host's mount
 * point when that is elsewhere (the portal answers paths below it); none is a note. */
static void
settle_documents (SbxRunPlan *plan, const char *app_id)
{
  g_autofree char *reason = NULL, *mount_point = NULL, *usual = NULL;
  g_autofree char *dir = sbx_doc_portal_app_dir (g_getenv ("DBUS_SESSION_BUS_ADDRESS"), app_id, &mount_point,
                                                 &reason);

  if (dir == NULL)
    {
      sbx_note ("%s: files picked in the file chooser will not be readable inside", reason);
      return;
    }
  usual = g_strdup_printf ("/run/user/%u/doc", (guint) getuid ());
  if (!g_str_equal (mount_point, usual))
    plan->documents_also = g_steal_pointer (&mount_point);
  sbx_debug ("supervisor", "settle-desktop", "%s -> $XDG_RUNTIME_DIR/doc%s%s", dir,
             plan->documents_also != NULL ? " and " : "", plan->documents_also != NULL ? plan->documents_also : "");
  plan->documents = g_steal_pointer (&dir);
}

gboolean
sbx_desktop_start_dbus (SbxRunPlan *plan, const SbxDesktopContext *context, SbxDbusProxy **out_session,
                        SbxDbusProxy **out_system, GError **error)
{
  g_autoptr(SbxPortalId) identity = NULL;

  if (!plan->runtime_dir)
    return TRUE;
  if (!make_identity (plan, context, &identity, error) ||
      !start_proxy (plan, context, SBX_DBUS_BUS_SESSION, plan->profile->dbus_session, identity, out_session, error))
    return FALSE;
  if (identity != NULL && *out_session != NULL && sbx_dbus_proxy_is_available (*out_session))
    settle_documents (plan, sbx_portal_id_get_app_id (identity));
  return start_proxy (plan, context, SBX_DBUS_BUS_SYSTEM, plan->profile->dbus_system, NULL, out_system, error);
}

/* ------------------------------------------------------------------ inside, in init */

static char *
runtime_dir_for (const SbxAccount *user)
{
  return g_strdup_printf ("/run/user/%u", (guint) user->uid);
}

/* A tmpfs the user owns, mode 0700, at @path. */
static gboolean
mount_private_tmpfs (int root_fd, const char *path, const SbxAccount *user, GError **error)
{
  g_autoptr(SbxMount) m = g_new0 (SbxMount, 1);

  m->kind = SBX_MOUNT_TMPFS;
  m->destination = g_strdup (path);
  m->data = g_strdup_printf ("mode=0700,uid=%u,gid=%u,size=64m", (guint) user->uid, (guint) user->gid);
  m->attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  return sbx_mounts_apply (root_fd, m, error);
}

static gboolean
mount_runtime_dir (int root_fd, const SbxRunPlan *plan, const SbxAccount *user, GError **error)
{
  g_autofree char *dir = runtime_dir_for (user);

  if (!mount_private_tmpfs (root_fd, dir, user, error))
    return FALSE;
  for (guint i = 0; i < plan->runtime_entries->len; i++)
    {
      const SbxRuntimeEntry *entry = g_ptr_array_index (plan->runtime_entries, i);
      g_autoptr(SbxMount) m = g_new0 (SbxMount, 1);

      m->kind = SBX_MOUNT_BIND;
      m->source = g_strdup (entry->source);
      m->destination = g_build_filename (dir, entry->name, NULL);
      if (!sbx_mounts_apply (root_fd, m, error))
        return FALSE;
    }
  return TRUE;
}

/* The document portal's directory for the app, bound by the caller's ids (FUSE lets no one
 * else in). */
static gboolean
mount_documents (int root_fd, const SbxRunPlan *plan, const SbxAccount *user, GError **error)
{
  g_autofree char *dir = runtime_dir_for (user);
  g_autofree char *destination = g_build_filename (dir, "doc", NULL);

  if (plan->documents == NULL)
    return TRUE;
  if (!sbx_caller_bind (root_fd, plan->documents, destination, &plan->ids, error))
    return FALSE;
  return plan->documents_also == NULL ||
         sbx_caller_bind (root_fd, plan->documents, plan->documents_also, &plan->ids, error);
}

/* The private home: opened below the store's homes/ without following any symlink, so a
 * link planted there is never mounted; then moved onto the user's home. */
static gboolean
bind_private_home (int root_fd, const SbxRunPlan *plan, const char *home, GError **error)
{
  sbx_autofd int homes = open (plan->home_store, O_PATH | O_DIRECTORY | O_CLOEXEC);
  sbx_autofd int source = -1, tree = -1, target = -1;

  if (homes >= 0)
    source = sbx_openat2 (homes, plan->home_source, O_PATH | O_DIRECTORY,
                          RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (source < 0)
    return sbx_set_error_from_errno (error, errno, "the home %s/%s (never through a symlink)", plan->home_store,
                                     plan->home_source);
  tree = (int) syscall (SYS_open_tree, source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0)
    return sbx_set_error_from_errno (error, errno, "bind the home %s/%s", plan->home_store, plan->home_source);
  if ((target = sbx_mounts_make_point (root_fd, home, TRUE, error)) < 0)
    return FALSE;
  if (syscall (SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return sbx_set_error_from_errno (error, errno, "bind the home on %s", home);
  return TRUE;
}

static gboolean
mount_home (int root_fd, const SbxRunPlan *plan, const SbxAccount *user, GError **error)
{
  g_autoptr(SbxMount) m = NULL;

  switch (plan->home_mode)
    {
    case SBX_HOME_PRIVATE:
      return bind_private_home (root_fd, plan, user->home, error);
    case SBX_HOME_TMPFS:
      return mount_private_tmpfs (root_fd, user->home, user, error);
    case SBX_HOME_HOST:
      m = g_new0 (SbxMount, 1);
      m->kind = SBX_MOUNT_BIND;
      m->recursive = TRUE;
      m->source = g_strdup (plan->home_source);
      m->destination = g_strdup (user->home);
      return sbx_mounts_apply (root_fd, m, error);
    case SBX_HOME_IMAGE:
    default:
      return TRUE;
    }
}

/* Grant mounts; a relative destination is below the user's home. */
static gboolean
mount_grants (int root_fd, const SbxRunPlan *plan, const SbxAccount *user, GError **error)
{
  for (guint i = 0; i < plan->grant_mounts->len; i++)
    {
      const SbxMount *grant = g_ptr_array_index (plan->grant_mounts, i);
      SbxMount m = *grant;
      g_autofree char *destination = NULL;

      if (grant->destination[0] != '/')
        m.destination = destination = g_build_filename (user->home, grant->destination, NULL);
      if (!sbx_mounts_apply (root_fd, &m, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
sbx_desktop_mount (int root_fd, const SbxRunPlan *plan, const SbxAccount *user, GError **error)
{
  if (!mount_runtime_dir (root_fd, plan, user, error) || !mount_documents (root_fd, plan, user, error))
    return FALSE;
  if (!mount_home (root_fd, plan, user, error))
    return FALSE;
  if (!mount_grants (root_fd, plan, user, error))
    return FALSE;
  sbx_debug ("init", "mounts", "XDG_RUNTIME_DIR /run/user/%u with %u entries, home %s, %u grants",
             (guint) user->uid, plan->runtime_entries->len, user->home, plan->grant_mounts->len);
  return TRUE;
}

/* What each runtime entry is called in the environment. */
static const struct {
  const char *entry;
  const char *variable;
  const char *prefix; /* the value: PREFIX, then the runtime dir and "/" + the entry when */
  gboolean path;      /* PATH is TRUE */
} runtime_variables[] = {
  { "wayland-0", "WAYLAND_DISPLAY", "wayland-0", FALSE },
  { "pulse/native", "PULSE_SERVER", "unix:", TRUE },
  { "Xauthority", "XAUTHORITY", "", TRUE },
  { "bus", "DBUS_SESSION_BUS_ADDRESS", "unix:path=", TRUE },
};

static gboolean
has_entry (const SbxRunPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->runtime_entries->len; i++)
    if (g_str_equal (((SbxRuntimeEntry *) g_ptr_array_index (plan->runtime_entries, i))->name, name))
      return TRUE;
  return FALSE;
}

char **
sbx_desktop_environ (const SbxRunPlan *plan, const SbxAccount *user, char **env)
{
  g_autofree char *dir = NULL;

  if (!plan->runtime_dir)
    return env;
  dir = runtime_dir_for (user);
  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", dir, TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (runtime_variables); i++)
    {
      g_autofree char *value = NULL;
      if (!has_entry (plan, runtime_variables[i].entry))
        continue;
      value = runtime_variables[i].path ? g_strconcat (runtime_variables[i].prefix, dir, "/",
                                                       runtime_variables[i].entry, NULL)
                                        : g_strdup (runtime_variables[i].prefix);
      env = g_environ_setenv (env, runtime_variables[i].variable, value, TRUE);
    }
  if (plan->x11_display != NULL)
    env = g_environ_setenv (env, "DISPLAY", plan->x11_display, TRUE);
  if (plan->home_mode != SBX_HOME_IMAGE)
    env = g_environ_setenv (env, "HOME", user->home, TRUE);
  return env;
}
