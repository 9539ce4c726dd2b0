/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* portal-id.c: the app id xdg-desktop-portal reads from the D-Bus proxy's root (portal-id.h).
 *
 *   supervisor: the keyfile's text, the map lines, the host's top-level entries (each a
 *   directory to bind or a symlink to copy), the mount point → the proxy's child, before
 *   exec: unshare user+mount → map the caller's ids to themselves → / a slave → tmpfs on the
 *   mount point → binds and symlinks → .flatpak-info → read-only → pivot_root. */
#include "portal-id.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define INFO_FILE ".flatpak-info"
#define ROOT_NAME "portal-root"

typedef struct {
  char *source;      /* "/NAME" on the host */
  char *destination; /* ROOT/NAME */
  char *link_target; /* a symlink's target, copied as is; NULL: a directory, bound */
} RootEntry;

struct _SbxPortalId {
  char *app_id;
  char *info;      /* the .flatpak-info text */
  char *root;      /* DIR/portal-root: the tmpfs the proxy pivots into */
  char *info_path; /* ROOT/.flatpak-info */
  char *uid_map;   /* "UID UID 1\n" */
  char *gid_map;
  GArray *entries; /* RootEntry */
};

gboolean
sbx_portal_id_is_valid_app_id (const char *app_id)
{
  g_auto(GStrv) elements = NULL;
  guint n;

  if (app_id == NULL || app_id[0] == '\0' || strlen (app_id) > 255)
    return FALSE;
  elements = g_strsplit (app_id, ".", -1);
  n = g_strv_length (elements);
  if (n < 2)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (elements[i][0] == '\0')
        return FALSE;
      for (const char *c = elements[i]; *c; c++)
        if (!g_ascii_isalnum (*c) && *c != '_' && !(*c == '-' && i == n - 1))
          return FALSE;
    }
  return TRUE;
}

static void
root_entry_clear (RootEntry *entry)
{
  g_free (entry->source);
  g_free (entry->destination);
  g_free (entry->link_target);
}

/* What Flatpak's own file says, as far as it applies: the app, this instance, and network
 * access (NetworkMonitor and ProxyResolver answer only apps that have it). */
static char *
build_info (const char *app_id, const char *instance_id, gboolean network)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();

  g_key_file_set_string (keyfile, "Application", "name", app_id);
  g_key_file_set_string (keyfile, "Instance", "instance-id", instance_id);
  g_key_file_set_string (keyfile, "Instance", "session-bus-proxy", "true");
  g_key_file_set_string (keyfile, "Instance", "sbx", "true");
  if (network)
    g_key_file_set_string (keyfile, "Context", "shared", "network;");
  return g_key_file_to_data (keyfile, NULL, NULL);
}

/* Every directory and symlink at the host's /, so the proxy's root shows the host's files. */
static gboolean
list_host_root (SbxPortalId *id, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open ("/", 0, error);
  const char *name;

  if (dir == NULL)
    return g_prefix_error (error, "the D-Bus proxy's root: "), FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      RootEntry entry = { g_build_filename ("/", name, NULL), g_build_filename (id->root, name, NULL), NULL };
      struct stat st;

      if (lstat (entry.source, &st) != 0)
        st.st_mode = 0; /* gone meanwhile: left out */
      if (S_ISLNK (st.st_mode))
        entry.link_target = g_file_read_link (entry.source, NULL);
      if (entry.link_target != NULL || S_ISDIR (st.st_mode))
        g_array_append_val (id->entries, entry);
      else
        root_entry_clear (&entry);
    }
  return TRUE;
}

SbxPortalId *
sbx_portal_id_new (const char *app_id, const char *instance_id, gboolean network, const char *dir,
                   GError **error)
{
  g_autoptr(SbxPortalId) id = g_new0 (SbxPortalId, 1);

  if (!sbx_portal_id_is_valid_app_id (app_id))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "sbx.appId '%s' is not an id xdg-desktop-portal "
                                                                 "accepts (dot-separated [A-Za-z0-9_] elements, '-' in the last one only)",
                        app_id),
           NULL;
  id->app_id = g_strdup (app_id);
  id->info = build_info (app_id, instance_id, network);
  id->root = g_build_filename (dir, ROOT_NAME, NULL);
  id->info_path = g_build_filename (id->root, INFO_FILE, NULL);
  id->uid_map = g_strdup_printf ("%u %u 1\n", (guint) getuid (), (guint) getuid ());
  id->gid_map = g_strdup_printf ("%u %u 1\n", (guint) getgid (), (guint) getgid ());
  id->entries = g_array_new (FALSE, TRUE, sizeof (RootEntry));
  g_array_set_clear_func (id->entries, (GDestroyNotify) root_entry_clear);
  if (mkdir (id->root, 0700) != 0 && errno != EEXIST)
    return sbx_set_error_from_errno (error, errno, "create %s", id->root), NULL;
  if (!list_host_root (id, error))
    return NULL;
  return g_steal_pointer (&id);
}

const char *
sbx_portal_id_get_app_id (const SbxPortalId *id)
{
  return id->app_id;
}

const char *
sbx_portal_id_get_info (const SbxPortalId *id)
{
  return id->info;
}

void
sbx_portal_id_free (SbxPortalId *id)
{
  if (id == NULL)
    return;
  g_free (id->app_id);
  g_free (id->info);
  g_free (id->root);
  g_free (id->info_path);
  g_free (id->uid_map);
  g_free (id->gid_map);
  if (id->entries != NULL)
    g_array_unref (id->entries);
  g_free (id);
}

/* ------------------------------------------------------- in the proxy, before exec */

/* Writes all of @text to a new or existing @path; 0 or -1 (errno). */
static int
write_all (const char *path, int flags, const char *text)
{
  size_t len = strlen (text), done = 0;
  int fd = open (path, flags | O_WRONLY | O_CLOEXEC, 0444);
  int saved;

  if (fd < 0)
    return -1;
  while (done < len)
    {
      ssize_t n = write (fd, text + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          saved = n < 0 ? errno : EIO;
          close (fd);
          errno = saved;
          return -1;
        }
      done += (size_t) n;
    }
  return close (fd);
}

#define TRY(what, call) \
  do \
    { \
      if ((call) != 0) \
        { \
          *step = (what); \
          return -1; \
        } \
    } \
  while (0)

static int
map_ids (const SbxPortalId *id, const char **step)
{
  TRY ("write /proc/self/setgroups", write_all ("/proc/self/setgroups", 0, "deny"));
  TRY ("write /proc/self/uid_map", write_all ("/proc/self/uid_map", 0, id->uid_map));
  TRY ("write /proc/self/gid_map", write_all ("/proc/self/gid_map", 0, id->gid_map));
  return 0;
}

static int
fill_root (const SbxPortalId *id, const char **step)
{
  for (guint i = 0; i < id->entries->len; i++)
    {
      const RootEntry *entry = &g_array_index (id->entries, RootEntry, i);

      if (entry->link_target != NULL)
        {
          TRY ("copy a symlink of /", symlink (entry->link_target, entry->destination));
          continue;
        }
      TRY ("make a mount point", mkdir (entry->destination, 0755));
      TRY ("bind a directory of /", mount (entry->source, entry->destination, NULL, MS_BIND | MS_REC, NULL));
    }
  TRY ("write .flatpak-info", write_all (id->info_path, O_CREAT | O_EXCL | O_NOFOLLOW, id->info));
  return 0;
}

int
sbx_portal_id_enter (const SbxPortalId *id, const char **step)
{
  TRY ("unshare a user and mount namespace", unshare (CLONE_NEWUSER | CLONE_NEWNS));
  if (map_ids (id, step) != 0)
    return -1;
  TRY ("make / a slave", mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL));
  TRY ("mount the root's tmpfs", mount ("tmpfs", id->root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k"));
  if (fill_root (id, step) != 0)
    return -1;
  TRY ("make the root read-only", mount (NULL, id->root, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                                         NULL));
  TRY ("enter the root", chdir (id->root));
  TRY ("pivot_root", (int) syscall (SYS_pivot_root, ".", "."));
  TRY ("detach the old root", umount2 (".", MNT_DETACH));
  TRY ("enter the root", chdir ("/"));
  return 0;
}
