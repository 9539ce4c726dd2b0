/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mounts.c: /proc, /dev, /sys, the profile's mounts, masked and read-only paths, a
 * read-only root, and pivot_root. */
#include "mounts.h"
#include "sync.h"
#include "accounts.h"
#include "caller-account.h"
#include "desktop.h"
#include "fd-util.h"
#include "hooks.h"
#include "log.h"
#include "rootfs.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <gio/gio.h>

typedef enum {
  TARGET_EXISTING, /* must exist */
  TARGET_OPTIONAL, /* may be missing: then nothing to do */
  TARGET_DIR,      /* created as a directory when missing */
  TARGET_FILE,     /* created as an empty file when missing */
} TargetKind;

/* "/proc/self/fd/N": how mount(2) is pointed at a target resolved beforehand. */
typedef struct {
  char path[32];
} FdPath;

static const char *
fd_path (int fd, FdPath *buf)
{
  g_snprintf (buf->path, sizeof buf->path, "/proc/self/fd/%d", fd);
  return buf->path;
}

static int
open_in_root (int root_fd, const char *path, int flags)
{
  return sbx_openat2 (root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

static gboolean
create_target (int root_fd, const char *path, TargetKind kind, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  sbx_autofd int parent_fd = open_in_root (root_fd, parent, O_PATH | O_DIRECTORY);
  sbx_autofd int file_fd = -1;

  if (parent_fd < 0)
    return sbx_set_error_from_errno (error, errno, "mount target %s in the image", parent);
  if (kind == TARGET_DIR && mkdirat (parent_fd, name, 0755) != 0 && errno != EEXIST)
    return sbx_set_error_from_errno (error, errno, "create %s", path);
  if (kind == TARGET_FILE &&
      (file_fd = openat (parent_fd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
    return sbx_set_error_from_errno (error, errno, "create %s", path);
  return TRUE;
}

/* Opens @path (absolute, inside the sandbox) as an O_PATH fd to mount on, creating it per
 * @kind.  A symlink anywhere on the way is refused.  A missing TARGET_OPTIONAL gives TRUE
 * with *out_fd = -1. */
static gboolean
open_target (int root_fd, const char *path, TargetKind kind, int *out_fd, GError **error)
{
  *out_fd = open_in_root (root_fd, path, O_PATH);
  if (*out_fd < 0 && errno == ENOENT && kind == TARGET_OPTIONAL)
    return TRUE;
  if (*out_fd < 0 && errno == ENOENT && (kind == TARGET_DIR || kind == TARGET_FILE))
    {
      if (!create_target (root_fd, path, kind, error))
        return FALSE;
      *out_fd = open_in_root (root_fd, path, O_PATH);
    }
  if (*out_fd < 0)
    return sbx_set_error_from_errno (error, errno, "mount target %s in the image", path);
  return TRUE;
}

static gboolean
mount_at (int root_fd, const char *path, TargetKind kind, const char *source,
          const char *fstype, unsigned long flags, const char *data, GError **error)
{
  sbx_autofd int fd = -1;
  FdPath buf;

  if (!open_target (root_fd, path, kind, &fd, error))
    return FALSE;
  if (fd < 0)
    return TRUE;
  if (mount (source, fd_path (fd, &buf), fstype, flags, data) != 0)
    return sbx_set_error_from_errno (error, errno, "mount %s on %s", fstype ? fstype : source, path);
  return TRUE;
}

/* Remounts the mount at @path read-only, keeping the flags the kernel may have locked. */
static gboolean
remount_readonly (int root_fd, const char *path, GError **error)
{
  sbx_autofd int fd = -1;
  FdPath buf;
  struct statvfs sv;
  unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;

  if (!open_target (root_fd, path, TARGET_EXISTING, &fd, error))
    return FALSE;
  if (fstatvfs (fd, &sv) != 0)
    return sbx_set_error_from_errno (error, errno, "statvfs %s", path);
  flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
           (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0) | (sv.f_flag & ST_NOATIME ? MS_NOATIME : 0) |
           (sv.f_flag & ST_RELATIME ? MS_RELATIME : 0);
  if (mount (NULL, fd_path (fd, &buf), NULL, flags, NULL) != 0)
    return sbx_set_error_from_errno (error, errno, "remount %s read-only", path);
  return TRUE;
}

static gboolean
mount_proc (int root_fd, GError **error)
{
  return mount_at (root_fd, "/proc", TARGET_DIR, "proc", "proc",
                   MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, error);
}

static gboolean
bind_host_device (int root_fd, const char *name, GError **error)
{
  g_autofree char *host = g_strconcat ("/dev/", name, NULL);

  return mount_at (root_fd, host, TARGET_FILE, host, NULL, MS_BIND, NULL, error);
}

static gboolean
make_dev_symlinks (int root_fd, GError **error)
{
  static const char * const links[][2] = {
    { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
    { "core", "/proc/kcore" },
    { "ptmx", "pts/ptmx" },
  };
  sbx_autofd int dev_fd = open_in_root (root_fd, "/dev", O_DIRECTORY | O_RDONLY);

  if (dev_fd < 0)
    return sbx_set_error_from_errno (error, errno, "open /dev");
  for (gsize i = 0; i < G_N_ELEMENTS (links); i++)
    if (symlinkat (links[i][1], dev_fd, links[i][0]) != 0)
      return sbx_set_error_from_errno (error, errno, "symlink /dev/%s", links[i][0]);
  return TRUE;
}

/* Does the profile mount something on @destination?  Then that mount takes the place of the
 * standard one there (as `sbx spec` shows it, and as in Podman): stacked, both would show in
 * /proc/self/mountinfo and findmnt, which confuses scripts that size /dev/shm (Debian's
 * chromium launcher). */
static gboolean
profile_mounts_on (const SbxRunPlan *plan, const char *destination)
{
  const GPtrArray *mounts = plan->profile->mounts;

  for (guint i = 0; mounts != NULL && i < mounts->len; i++)
    if (g_str_equal (((const SbxMount *) g_ptr_array_index (mounts, i))->destination, destination))
      return TRUE;
  return FALSE;
}

/* An mqueue filesystem belongs to an ipc namespace: only one of the sandbox's own may be
 * mounted (a profile that shares the host's ipc namespace gets no /dev/mqueue). */
static gboolean
mount_mqueue (int root_fd, const SbxRunPlan *plan, GError **error)
{
  if (!(plan->unshare_flags & CLONE_NEWIPC) || profile_mounts_on (plan, "/dev/mqueue"))
    return TRUE;
  return mount_at (root_fd, "/dev/mqueue", TARGET_DIR, "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   NULL, error);
}

static gboolean
mount_dev (int root_fd, const SbxRunPlan *plan, GError **error)
{
  static const char * const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
  const char *pts_opts = plan->ids.single ? "newinstance,ptmxmode=0666,mode=0620"
                                          : "newinstance,ptmxmode=0666,mode=0620,gid=5";

  if (!mount_at (root_fd, "/dev", TARGET_DIR, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                 "mode=755,size=65536k", error))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (devices); i++)
    if (!bind_host_device (root_fd, devices[i], error))
      return FALSE;
  return (profile_mounts_on (plan, "/dev/pts") ||
          mount_at (root_fd, "/dev/pts", TARGET_DIR, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                    pts_opts, error)) &&
         (profile_mounts_on (plan, "/dev/shm") ||
          mount_at (root_fd, "/dev/shm", TARGET_DIR, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    "mode=1777,size=65536k", error)) &&
         mount_mqueue (root_fd, plan, error) &&
         make_dev_symlinks (root_fd, error);
}

/* A fresh sysfs needs the network namespace we own; else a read-only bind of the host's. */
static gboolean
mount_sys (int root_fd, GError **error)
{
  g_autoptr(GError) sysfs_error = NULL;
  const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY;

  if (mount_at (root_fd, "/sys", TARGET_DIR, "sysfs", "sysfs", flags, NULL, &sysfs_error))
    return TRUE;
  return mount_at (root_fd, "/sys", TARGET_DIR, "/sys", NULL, MS_BIND | MS_REC, NULL, error) &&
         remount_readonly (root_fd, "/sys", error);
}

/* With a cgroup namespace of its own, the sandbox sees its cgroup (the systemd scope when it
 * has limits) as /sys/fs/cgroup: writable where systemd delegated it, read-only otherwise.
 * A kernel that refuses the mount (no cgroup2) leaves /sys/fs/cgroup as it was. */
static gboolean
mount_cgroup (int root_fd, const SbxRunPlan *plan, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (plan->want_scope ? 0 : MS_RDONLY);

  if (!(plan->unshare_flags & CLONE_NEWCGROUP))
    return TRUE;
  if (!mount_at (root_fd, "/sys/fs/cgroup", TARGET_DIR, "cgroup2", "cgroup2", flags, NULL, &local_error))
    sbx_debug ("init", "mounts", "no cgroup2 in the sandbox: %s", local_error->message);
  return TRUE;
}

/* A masked or read-only path under /proc must be procfs's own file, not one mounted over it. */
static gboolean
check_proc_path (int fd, const char *path, GError **error)
{
  if (!g_str_has_prefix (path, "/proc/"))
    return TRUE;
  return sbx_fd_check_procfs (fd, path, error);
}

/* Hides @path, if the sandbox has it: an empty read-only tmpfs over a directory,
 * /dev/null over anything else. */
static gboolean
mask_path (int root_fd, const char *path, GError **error)
{
  sbx_autofd int fd = -1;
  FdPath buf;
  struct stat st;
  int rc;

  if (!open_target (root_fd, path, TARGET_OPTIONAL, &fd, error))
    return FALSE;
  if (fd < 0)
    return TRUE;
  if (!check_proc_path (fd, path, error))
    return FALSE;
  if (fstat (fd, &st) != 0)
    return sbx_set_error_from_errno (error, errno, "stat %s", path);
  if (S_ISDIR (st.st_mode))
    rc = mount ("tmpfs", fd_path (fd, &buf), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "size=0,mode=000");
  else
    rc = mount ("/dev/null", fd_path (fd, &buf), NULL, MS_BIND, NULL);
  if (rc != 0)
    return sbx_set_error_from_errno (error, errno, "mask %s", path);
  return TRUE;
}

/* Binds the sandbox's own @path, if it has it, onto itself, then remounts that read-only. */
static gboolean
make_path_readonly (int root_fd, const char *path, GError **error)
{
  sbx_autofd int fd = -1;
  FdPath buf;

  if (!open_target (root_fd, path, TARGET_OPTIONAL, &fd, error))
    return FALSE;
  if (fd < 0)
    return TRUE;
  if (!check_proc_path (fd, path, error))
    return FALSE;
  if (mount (fd_path (fd, &buf), buf.path, NULL, MS_BIND | MS_REC, NULL) != 0)
    return sbx_set_error_from_errno (error, errno, "bind %s", path);
  return remount_readonly (root_fd, path, error);
}

static gboolean
apply_path_policies (int root_fd, const SbxProfile *profile, GError **error)
{
  char **masked = profile->masked_paths;
  char **readonly = profile->readonly_paths;

  for (guint i = 0; masked[i] != NULL; i++)
    if (!mask_path (root_fd, masked[i], error))
      return FALSE;
  for (guint i = 0; readonly[i] != NULL; i++)
    if (!make_path_readonly (root_fd, readonly[i], error))
      return FALSE;
  return TRUE;
}

#define MAX_SYMLINKS 40

/* One step of make_mount_point: the directories walked so far (fds), root first. */
typedef struct {
  GArray *dirs; /* int fds; [0] is the root */
  GQueue *rest; /* the components still to walk (char *) */
  guint links;  /* symlinks followed so far */
} Walk;

static void
walk_clear (Walk *walk)
{
  for (guint i = 1; walk->dirs != NULL && i < walk->dirs->len; i++)
    close (g_array_index (walk->dirs, int, i));
  g_clear_pointer (&walk->dirs, g_array_unref);
  if (walk->rest != NULL)
    g_queue_free_full (g_steal_pointer (&walk->rest), g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Walk, walk_clear)

static int
walk_top (Walk *walk)
{
  return g_array_index (walk->dirs, int, walk->dirs->len - 1);
}

static void
walk_push_path (Walk *walk, const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);

  for (guint i = g_strv_length (parts); i > 0; i--)
    if (*parts[i - 1] != '\0' && !g_str_equal (parts[i - 1], "."))
      g_queue_push_head (walk->rest, g_strdup (parts[i - 1]));
}

/* A symlink met on the way: its target is walked next, from the sandbox's root when it is
 * absolute (so "/etc" is the image's /etc) and from the link's directory otherwise; ".."
 * stops at the root. */
static gboolean
walk_follow (Walk *walk, const char *name, const char *path, GError **error)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (walk_top (walk), name, target, sizeof target - 1);

  if (n < 0)
    return sbx_set_error_from_errno (error, errno, "mount destination %s: readlink %s", path, name);
  if (++walk->links > MAX_SYMLINKS)
    return sbx_set_error_from_errno (error, ELOOP, "mount destination %s", path);
  target[n] = '\0';
  if (target[0] == '/')
    while (walk->dirs->len > 1)
      {
        close (walk_top (walk));
        g_array_set_size (walk->dirs, walk->dirs->len - 1);
      }
  walk_push_path (walk, target);
  return TRUE;
}

/* Resolves @path (absolute, inside the sandbox) one component at a time below @root_fd,
 * following the image's symlinks as the sandbox will see them, so a destination can never
 * land outside the root; what is missing is created, the last component as a directory or
 * (@directory FALSE) an empty file.  Nothing else runs in the sandbox yet, so the image
 * cannot change under the walk.  Returns an O_PATH fd, or -1 with @error. */
static int
make_mount_point (int root_fd, const char *path, gboolean directory, GError **error)
{
  g_auto(Walk) walk = { g_array_new (FALSE, FALSE, sizeof (int)), g_queue_new (), 0 };
  g_autofree char *name = NULL;

  g_array_append_val (walk.dirs, root_fd);
  walk_push_path (&walk, path);
  while ((name = g_queue_pop_head (walk.rest)) != NULL)
    {
      gboolean last = g_queue_is_empty (walk.rest);
      struct stat st;
      int fd;

      if (g_str_equal (name, ".."))
        {
          if (walk.dirs->len > 1)
            {
              close (walk_top (&walk));
              g_array_set_size (walk.dirs, walk.dirs->len - 1);
            }
          g_clear_pointer (&name, g_free);
          continue;
        }
      if (fstatat (walk_top (&walk), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        {
          int rc = -1;
          if (errno != ENOENT)
            return sbx_set_error_from_errno (error, errno, "mount destination %s", path), -1;
          if (!last || directory)
            rc = mkdirat (walk_top (&walk), name, 0755);
          else if ((fd = openat (walk_top (&walk), name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644)) >= 0)
            rc = close (fd);
          if (rc != 0)
            return sbx_set_error_from_errno (error, errno, "create the mount destination %s", path), -1;
          g_queue_push_head (walk.rest, g_steal_pointer (&name));
          continue;
        }
      if (S_ISLNK (st.st_mode))
        {
          if (!walk_follow (&walk, name, path, error))
            return -1;
          g_clear_pointer (&name, g_free);
          continue;
        }
      if (!S_ISDIR (st.st_mode) && !last)
        return sbx_set_error_from_errno (error, ENOTDIR, "mount destination %s", path), -1;
      fd = openat (walk_top (&walk), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return sbx_set_error_from_errno (error, errno, "mount destination %s", path), -1;
      if (last)
        return fd;
      g_array_append_val (walk.dirs, fd);
      g_clear_pointer (&name, g_free);
    }
  /* The path ended on a directory reached by "..", or on the root itself (through "/..",
   * or an image symlink to "/"): a mount there would replace the image. */
  if (walk.dirs->len == 1)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
                   "mount destination %s resolves to the sandbox's root directory", path);
      return -1;
    }
  return fcntl (walk_top (&walk), F_DUPFD_CLOEXEC, 3);
}

/* What make_mount_point resolved @target to (through the image's symlinks) must not be
 * sbx's procfs or devpts, nor the root of its /dev, /sys or /sys/fs/cgroup: the profile
 * check refuses those destinations as written, this catches a symlink that leads there. */
static gboolean
check_mount_target (int root_fd, int target, const char *destination, GError **error)
{
  /* Each of sbx's own directories with the filesystems it can be on: only a target on one
   * of those can be it, which spares the lookups for all others (/sys/fs/cgroup stays a
   * directory of sysfs where the kernel refuses cgroup2). */
  static const struct {
    const char *path;
    unsigned long type, other_type;
  } own[] = { { "/dev", TMPFS_MAGIC, TMPFS_MAGIC },
              { "/sys", SYSFS_MAGIC, SYSFS_MAGIC },
              { "/sys/fs/cgroup", CGROUP2_SUPER_MAGIC, SYSFS_MAGIC } };
  struct statfs sf;
  struct stat st, own_st;

  if (fstatfs (target, &sf) != 0 || fstat (target, &st) != 0)
    return sbx_set_error_from_errno (error, errno, "mount destination %s", destination);
  if (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == DEVPTS_SUPER_MAGIC)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "mount destination %s resolves into "
                                                            "the sandbox's %s, which no mount may cover",
                   destination,
                   sf.f_type == PROC_SUPER_MAGIC ? "/proc" : "/dev/pts");
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (own); i++)
    {
      sbx_autofd int fd = -1;

      if ((unsigned long) sf.f_type != own[i].type && (unsigned long) sf.f_type != own[i].other_type)
        continue;
      fd = open_in_root (root_fd, own[i].path, O_PATH);
      if (fd >= 0 && fstat (fd, &own_st) == 0 && own_st.st_dev == st.st_dev && own_st.st_ino == st.st_ino)
        {
          g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "mount destination %s resolves to "
                                                                "the sandbox's %s, which no mount may replace",
                       destination, own[i].path);
          return FALSE;
        }
    }
  return TRUE;
}

static unsigned long
attrs_to_mount_flags (unsigned long attrs)
{
  return (attrs & MOUNT_ATTR_RDONLY ? MS_RDONLY : 0) | (attrs & MOUNT_ATTR_NOSUID ? MS_NOSUID : 0) |
         (attrs & MOUNT_ATTR_NODEV ? MS_NODEV : 0) | (attrs & MOUNT_ATTR_NOEXEC ? MS_NOEXEC : 0) |
         (attrs & MOUNT_ATTR_NOATIME ? MS_NOATIME : 0) | (attrs & MOUNT_ATTR_STRICTATIME ? MS_STRICTATIME : 0) |
         (attrs & MOUNT_ATTR_NODIRATIME ? MS_NODIRATIME : 0) | (attrs & MOUNT_ATTR_NOSYMFOLLOW ? MS_NOSYMFOLLOW : 0);
}

/* A bind: the source tree is cloned (recursively for rbind), given its attributes while
 * still detached, then moved onto the destination, so it is never visible half-made.
 * Host paths get nosuid and nodev unless the options say "suid" / "dev". */
static gboolean
bind_mount (int root_fd, const SbxMount *m, GError **error)
{
  unsigned int recursive = m->recursive ? AT_RECURSIVE : 0;
  struct mount_attr attr = {
    .attr_set = (m->attr_set | ((MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV) & ~m->attr_clr)),
    .attr_clr = m->attr_clr,
  };
  sbx_autofd int tree = -1, target = -1;
  struct stat st;

  if (stat (m->source, &st) != 0)
    return sbx_set_error_from_errno (error, errno, "mount source %s", m->source);
  tree = (int) syscall (SYS_open_tree, AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | recursive);
  if (tree < 0)
    return sbx_set_error_from_errno (error, errno, "bind %s", m->source);
  if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH | recursive, &attr, sizeof attr) != 0)
    return sbx_set_error_from_errno (error, errno, "set the options of the bind mount of %s", m->source);
  if ((target = make_mount_point (root_fd, m->destination, S_ISDIR (st.st_mode), error)) < 0 ||
      !check_mount_target (root_fd, target, m->destination, error))
    return FALSE;
  if (syscall (SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return sbx_set_error_from_errno (error, errno, "bind %s on %s", m->source, m->destination);
  return TRUE;
}

static gboolean
tmpfs_mount (int root_fd, const SbxMount *m, GError **error)
{
  sbx_autofd int target = make_mount_point (root_fd, m->destination, TRUE, error);
  FdPath buf;

  if (target < 0 || !check_mount_target (root_fd, target, m->destination, error))
    return FALSE;
  if (mount ("tmpfs", fd_path (target, &buf), "tmpfs", attrs_to_mount_flags (m->attr_set), m->data) != 0)
    return sbx_set_error_from_errno (error, errno, "mount a tmpfs on %s", m->destination);
  return TRUE;
}

gboolean
sbx_mounts_apply (int root_fd, const SbxMount *m, GError **error)
{
  return m->kind == SBX_MOUNT_BIND ? bind_mount (root_fd, m, error) : tmpfs_mount (root_fd, m, error);
}

int
sbx_mounts_make_point (int root_fd, const char *path, gboolean directory, GError **error)
{
  return make_mount_point (root_fd, path, directory, error);
}

static gboolean
mount_profile_mounts (int root_fd, const SbxProfile *profile, GError **error)
{
  for (guint i = 0; i < profile->mounts->len; i++)
    if (!sbx_mounts_apply (root_fd, g_ptr_array_index (profile->mounts, i), error))
      return FALSE;
  return TRUE;
}

/* Writes /etc/NAME in the sandbox (its overlay's temporary upper layer) through @etc_fd
 * (-1: an image without a plain /etc, left alone), replacing what the image has there, never
 * following a symlink.  A name the image lacks is created at once: on fuse-overlayfs each
 * look at the name is a round trip to the daemon. */
static gboolean
write_etc_file (int etc_fd, const char *name, const char *contents, GError **error)
{
  const int flags = O_CREAT | O_EXCL | O_NOFOLLOW;
  g_autoptr(GError) local_error = NULL;

  if (etc_fd < 0)
    return TRUE;
  if (sbx_write_string_at (etc_fd, name, flags, 0644, contents, &local_error))
    return TRUE;
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_EXIST))
    return g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "/etc/"), FALSE;
  if (unlinkat (etc_fd, name, 0) != 0 && errno != ENOENT)
    return errno == EISDIR ? TRUE : sbx_set_error_from_errno (error, errno, "replace /etc/%s", name);
  if (!sbx_write_string_at (etc_fd, name, flags, 0644, contents, error))
    {
      g_prefix_error (error, "/etc/");
      return FALSE;
    }
  return TRUE;
}

/* As Podman does: the resolver slirp offers (or the host's), and hosts naming the sandbox. */
static gboolean
write_network_files (int root_fd, const SbxRunPlan *plan, GError **error)
{
  sbx_autofd int etc_fd = open_in_root (root_fd, "/etc", O_DIRECTORY | O_RDONLY);
  g_autofree char *hostname_file = g_strconcat (plan->hostname, "\n", NULL);
  g_autofree char *hosts = NULL;
  g_autofree char *host_file = NULL;

  if (plan->net_mode == SBX_NET_HOST)
    {
      /* Read before pivot_root: the caller's own resolver and hosts. */
      return (!g_file_get_contents ("/etc/resolv.conf", &host_file, NULL, NULL) ||
              write_etc_file (etc_fd, "resolv.conf", host_file, error)) &&
             write_etc_file (etc_fd, "hostname", hostname_file, error);
    }
  hosts = g_strdup_printf ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n%s",
                           plan->net_mode == SBX_NET_SLIRP ? SBX_NET_GUEST_IP4 : "127.0.1.1", plan->hostname,
                           plan->allow_host_loopback ? SBX_NET_GATEWAY_IP4 "\thost.sbx.internal\n" : "");
  if (!write_etc_file (etc_fd, "hosts", hosts, error) || !write_etc_file (etc_fd, "hostname", hostname_file, error))
    return FALSE;
  return plan->net_mode != SBX_NET_SLIRP ||
         write_etc_file (etc_fd, "resolv.conf",
                         "nameserver " SBX_NET_DNS_IP4 "\nnameserver " SBX_NET_DNS_IP6 "\n", error);
}

/* pivot_root(".", ".") stacks the old root on the new one; detach it from the old root's
 * side, as runc does, or the new root itself would go. */
static gboolean
pivot_into (const char *rootfs, GError **error)
{
  sbx_autofd int old_root = open ("/", O_DIRECTORY | O_PATH | O_CLOEXEC);

  if (old_root < 0)
    return sbx_set_error_from_errno (error, errno, "open /");
  if (chdir (rootfs) != 0)
    return sbx_set_error_from_errno (error, errno, "chdir to the root filesystem");
  if (syscall (SYS_pivot_root, ".", ".") != 0)
    return sbx_set_error_from_errno (error, errno, "pivot_root");
  if (fchdir (old_root) != 0)
    return sbx_set_error_from_errno (error, errno, "fchdir to the old root");
  if (umount2 (".", MNT_DETACH) != 0)
    return sbx_set_error_from_errno (error, errno, "detach the old root");
  if (chdir ("/") != 0)
    return sbx_set_error_from_errno (error, errno, "chdir /");
  return TRUE;
}

/* The desktop's mounts need the command's user (its runtime dir and home are its own),
 * looked up in the image as the command will be.  The D-Bus proxies' sockets are among
 * them: init waits here until the supervisor says they listen (the proxies started before
 * the setup child, and have started while everything before this was set up). */
static gboolean
mount_desktop (int root_fd, const SbxRunPlan *plan, int sync_fd, GError **error)
{
  g_auto(SbxAccount) user = { 0 };

  if (plan->wait_for_buses)
    {
      if (!sbx_sync_expect (sync_fd, SBX_SYNC_BUSES_READY, error))
        return FALSE;
      sbx_debug ("init", "wait-for-buses", "the D-Bus proxies listen");
    }
  if (!sbx_account_resolve (root_fd, plan->user, plan->additional_gids, &user, error))
    return FALSE;
  return sbx_desktop_mount (root_fd, plan, &user, error);
}

gboolean
sbx_mounts_setup (const SbxRunPlan *plan, const char *rootfs, int sync_fd, pid_t *out_init_pid, GError **error)
{
  sbx_autofd int root_fd = -1;

  /* A mount namespace of the sandbox's own: pivot_root moves the root of every process in
   * the namespace, and fuse-overlayfs, in the setup child's, must keep the host's view. */
  if (unshare (CLONE_NEWNS) != 0)
    return sbx_set_error_from_errno (error, errno, "create the sandbox's mount namespace");
  /* mount(2) is pointed at resolved targets through /proc/self/fd/N (fd_path). */
  {
    sbx_autofd int proc_fd = sbx_open_procfs ("/proc/self/fd", O_PATH | O_DIRECTORY, error);
    if (proc_fd < 0)
      return FALSE;
  }
  root_fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return sbx_set_error_from_errno (error, errno, "open the root filesystem");
  /* fuse-overlayfs may still be starting: the first request waits for it, or names its error. */
  if (!sbx_rootfs_wait_served (root_fd, error))
    return FALSE;
  sbx_debug ("init", "mounts", "the sandbox's own mount namespace, root %s", rootfs);
  if (!mount_proc (root_fd, error))
    return FALSE;
  if (!mount_dev (root_fd, plan, error))
    return FALSE;
  if (!mount_sys (root_fd, error))
    return FALSE;
  if (!mount_cgroup (root_fd, plan, error))
    return FALSE;
  if (!write_network_files (root_fd, plan, error))
    return FALSE;
  sbx_debug ("init", "mounts", "/proc, /dev, /sys, cgroup and /etc/hosts, resolv.conf, hostname in place");
  if (!mount_profile_mounts (root_fd, plan->profile, error))
    return FALSE;
  sbx_debug ("init", "mounts", "%u profile mounts", plan->profile->mounts != NULL ? plan->profile->mounts->len : 0);
  if (!sbx_caller_account_add (root_fd, plan, error))
    return FALSE;
  if (plan->runtime_dir && !mount_desktop (root_fd, plan, sync_fd, error))
    return FALSE;
  if (!apply_path_policies (root_fd, plan->profile, error))
    return FALSE;
  sbx_debug ("init", "mounts", "%u masked, %u read-only paths", g_strv_length (plan->profile->masked_paths),
             g_strv_length (plan->profile->readonly_paths));
  if (plan->profile->root_readonly && !remount_readonly (root_fd, "/", error))
    return FALSE;
  if (!sbx_hooks_create_container (plan, sync_fd, out_init_pid, error))
    return FALSE;
  if (!pivot_into (rootfs, error))
    return FALSE;
  sbx_debug ("init", "mounts", "pivoted into the root filesystem%s", plan->profile->root_readonly ? " (read-only)" : "");
  return TRUE;
}
