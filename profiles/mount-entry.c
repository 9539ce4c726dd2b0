/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mount-entry.c: a profile's mount entries: which destinations are sbx's own (the standard
 * kernel file systems) or refused, their options, and freeing them. */
#include "profile-private.h"
#include "sbx-error.h"

#include <string.h>
#include <sys/mount.h>

/* The mounts every sandbox gets from sbx itself.  A profile (or an OCI config) listing them
 * is satisfied by sbx's own; a tmpfs or bind a profile puts on, say, /dev/shm is applied
 * over sbx's. */
gboolean
sbx_mount_is_standard (const char *destination, const char *type)
{
  static const char * const standard[] = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
                                           "/sys", "/sys/fs/cgroup", NULL };
  gboolean plain = type != NULL && (g_str_equal (type, "tmpfs") || g_str_equal (type, "bind"));

  if (!g_strv_contains (standard, destination))
    return FALSE;
  return !plain || g_str_equal (destination, "/dev") || g_str_equal (destination, "/sys");
}

/* The kernel filesystems sbx mounts itself, which no bind or tmpfs may replace or reach
 * into: sbx and the kernel's tools read and write through them after the mounts are made.
 * Below /dev (device binds, /dev/shm, /dev/mqueue) and below /sys (narrowing or hiding
 * parts of a read-only sysfs) stays allowed. */
static const struct {
  const char *path;
  gboolean below;
  const char *why;
} refused_destinations[] = {
  { "/proc", TRUE, "/proc is sbx's procfs: a mount at or below it would fake what sbx writes "
                   "and reads there (AppArmor's exec attribute, /proc/self/fd, the masks), runc's "
                   "CVE-2019-16884 and CVE-2019-19921" },
  { "/dev/pts", TRUE, "/dev/pts is the sandbox's own devpts, where its terminals come from" },
  { "/dev", FALSE, "/dev is made by sbx (bind devices below it, e.g. /dev/dri)" },
  { "/sys", FALSE, "/sys is the sandbox's sysfs, read-only (mount below it instead)" },
  { "/sys/fs/cgroup", FALSE, "/sys/fs/cgroup is the sandbox's own cgroup, where its limits show" },
};

const char *
sbx_mount_destination_refused (const char *destination)
{
  g_autofree char *canonical = g_canonicalize_filename (destination, "/");

  /* GLib keeps a leading "//" (POSIX leaves its meaning open; Linux reads it as "/"). */
  while (canonical[0] == '/' && canonical[1] == '/')
    memmove (canonical, canonical + 1, strlen (canonical));
  for (gsize i = 0; i < G_N_ELEMENTS (refused_destinations); i++)
    {
      const char *path = refused_destinations[i].path;
      gsize len = strlen (path);

      if (g_str_equal (canonical, path) ||
          (refused_destinations[i].below && strncmp (canonical, path, len) == 0 && canonical[len] == '/'))
        return refused_destinations[i].why;
    }
  return NULL;
}

static gboolean
mount_data_option (SbxMount *mount, const char *option)
{
  static const char * const keys[] = { "size=", "mode=", "nr_inodes=", "uid=", "gid=", NULL };
  const char *value = strchr (option, '=');

  for (guint i = 0; keys[i] != NULL; i++)
    if (g_str_has_prefix (option, keys[i]))
      {
        for (const char *p = value + 1; *p; p++)
          if (!g_ascii_isalnum (*p) && *p != '%')
            return FALSE;
        if (value[1] == '\0')
          return FALSE;
        if (mount->data == NULL)
          mount->data = g_strdup (option);
        else
          {
            char *joined = g_strconcat (mount->data, ",", option, NULL);
            g_free (mount->data);
            mount->data = joined;
          }
        return TRUE;
      }
  return FALSE;
}

gboolean
sbx_mount_apply_option (SbxMount *mount, const char *option, GError **error)
{
  static const struct {
    const char *name;
    unsigned long set, clr;
  } attrs[] = {
    { "ro", MOUNT_ATTR_RDONLY, 0 },
    { "rw", 0, MOUNT_ATTR_RDONLY },
    { "nosuid", MOUNT_ATTR_NOSUID, 0 },
    { "suid", 0, MOUNT_ATTR_NOSUID },
    { "nodev", MOUNT_ATTR_NODEV, 0 },
    { "dev", 0, MOUNT_ATTR_NODEV },
    { "noexec", MOUNT_ATTR_NOEXEC, 0 },
    { "exec", 0, MOUNT_ATTR_NOEXEC },
    { "nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 },
    { "noatime", MOUNT_ATTR_NOATIME, 0 },
    { "relatime", MOUNT_ATTR_RELATIME, 0 },
    { "strictatime", MOUNT_ATTR_STRICTATIME, 0 },
    { "nodiratime", MOUNT_ATTR_NODIRATIME, 0 },
  };
  /* Every sandbox mount is private already; SELinux relabelling has no meaning here. */
  static const char * const accepted[] = { "private", "rprivate", "slave", "rslave", "shared",
                                           "rshared", "unbindable", "runbindable", "z", "Z", NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (attrs); i++)
    if (g_str_equal (option, attrs[i].name))
      {
        mount->attr_set = (mount->attr_set & ~attrs[i].clr) | attrs[i].set;
        mount->attr_clr = (mount->attr_clr & ~attrs[i].set) | attrs[i].clr;
        return TRUE;
      }
  if (g_str_equal (option, "bind") || g_str_equal (option, "rbind"))
    {
      mount->kind = SBX_MOUNT_BIND;
      mount->recursive = g_str_equal (option, "rbind");
      return TRUE;
    }
  if (g_strv_contains (accepted, option) || mount_data_option (mount, option))
    return TRUE;
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "unknown mount option '%s'", option);
  return FALSE;
}

void
sbx_mount_free (SbxMount *mount)
{
  g_free (mount->destination);
  g_free (mount->source);
  g_free (mount->data);
  g_free (mount);
}
