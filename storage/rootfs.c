/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rootfs.c: mounting a sandbox's root filesystem with fuse-overlayfs or the kernel overlay. */
#include "rootfs.h"
#include "fd-util.h"
#include "log.h"
#include "process.h"
#include "sbx-error.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <gio/gio.h>

#define MOUNT_TIMEOUT_US (10 * G_USEC_PER_SEC)
/* The descriptor number the daemon finds a connection sbx mounted under ("/dev/fd/3"). */
#define DAEMON_FUSE_FD 3

gboolean
sbx_storage_driver_from_config (char **out_name, GError **error)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "sbx", "storage.conf", NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  SbxStorageDriver driver;

  *out_name = NULL;
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: %s", path, local_error->message);
      return FALSE;
    }
  *out_name = g_key_file_get_string (file, "storage", "driver", NULL);
  if (*out_name != NULL && !sbx_storage_driver_parse (*out_name, &driver, &local_error))
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG, "%s: [storage] driver=%s: expected auto, overlay "
                                                            "or fuse-overlayfs",
                   path, *out_name);
      g_clear_pointer (out_name, g_free);
      return FALSE;
    }
  return TRUE;
}

static char *
build_mount_options (const SbxRootfsSpec *spec, SbxStorageDriver driver)
{
  GString *opts = g_string_new ("lowerdir=");
  g_autofree char *lower = g_strjoinv (":", (char **) spec->lower);

  g_string_append (opts, lower);
  g_string_append_printf (opts, ",upperdir=%s,workdir=%s", spec->upper, spec->work);
  if (driver == SBX_STORAGE_DRIVER_OVERLAY)
    {
      /* Whiteouts and opaque markers as unprivileged overlayfs reads them (user.overlay.*). */
      g_string_append (opts, ",userxattr");
      return g_string_free (opts, FALSE);
    }
  if (!spec->durable)
    g_string_append (opts, ",fsync=0");
  if (spec->uidmapping != NULL)
    g_string_append_printf (opts, ",uidmapping=%s", spec->uidmapping);
  if (spec->gidmapping != NULL)
    g_string_append_printf (opts, ",gidmapping=%s", spec->gidmapping);
  return g_string_free (opts, FALSE);
}

/* What the daemon's child needs, prepared before the spawn: it shares sbx's memory until
 * its execve (sbx_spawn_sharing_memory) and must not allocate. */
typedef struct
{
  const char *argv[6];
  pid_t parent;
  int fuse_fd; /* the mounted connection, to become the daemon's fd 3; -1: the daemon mounts */
} DaemonStart;

/* In the child: becomes the daemon, or exits 127 (125 when sbx is already gone). */
static int
exec_daemon (void *data)
{
  const DaemonStart *start = data;
  sigset_t none;
  int log_fd, null_fd;

  sbx_die_with_parent (start->parent);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  log_fd = open (SBX_ROOTFS_DAEMON_LOG, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0 || dup2 (null_fd, 0) < 0 || dup2 (null_fd, 1) < 0 ||
      dup2 (log_fd, 2) < 0)
    _exit (127);
  /* dup2 clears close-on-exec: the daemon keeps the connection as /dev/fd/3. */
  if (start->fuse_fd >= 0 && (start->fuse_fd == DAEMON_FUSE_FD ? fcntl (DAEMON_FUSE_FD, F_SETFD, 0)
                                                               : dup2 (start->fuse_fd, DAEMON_FUSE_FD)) < 0)
    _exit (127);
  execv (start->argv[0], (char **) start->argv);
  dprintf (2, "cannot execute %s: %s\n", start->argv[0], strerror (errno));
  _exit (127);
}

static gboolean
target_is_mounted (const struct stat *base, const char *target)
{
  struct stat st;

  return stat (target, &st) == 0 && st.st_dev != base->st_dev;
}

/* fuse-overlayfs's most common failure: a /dev/fuse the user cannot open. */
static const char *
fuse_device_hint (void)
{
  if (access ("/dev/fuse", F_OK) != 0)
    return " (there is no /dev/fuse: sudo modprobe fuse, and install fuse3)";
  if (access ("/dev/fuse", R_OK | W_OK) != 0)
    return " (/dev/fuse is not open to you: sudo chmod 0666 /dev/fuse, as desktops' udev rules make it)";
  return "";
}

/* The daemon's error, from what it wrote to its log: one line, its lines joined by "; ". */
static void
set_daemon_error (GError **error)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (g_file_get_contents (SBX_ROOTFS_DAEMON_LOG, &log, NULL, NULL))
    lines = g_strsplit (log, "\n", 0);
  for (char **line = lines; line != NULL && *line != NULL; line++)
    /* Not the daemon's complaint about an option it passes itself (as root: "lazytime"). */
    if (*g_strstrip (*line) != '\0' && !g_str_has_prefix (*line, "unknown argument ignored:"))
      g_string_append_printf (text, "%s%s", text->len > 0 ? "; " : "", *line);
  g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "fuse-overlayfs failed to mount the root filesystem: %s%s",
               text->len > 0 ? text->str : "exited without a message", fuse_device_hint ());
}

static gboolean
daemon_failed (pid_t daemon, GError **error)
{
  int status;

  if (waitpid (daemon, &status, WNOHANG) != daemon)
    return FALSE;
  set_daemon_error (error);
  return TRUE;
}

/* fuse-overlayfs has no readiness signal: poll the mount point, from 20 us up to 250 us. */
static gboolean
wait_for_mount (const SbxRootfsSpec *spec, pid_t daemon, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + MOUNT_TIMEOUT_US;
  struct timespec delay = { 0, 20000 };
  struct stat base;

  if (stat (".", &base) != 0)
    return sbx_set_error_from_errno (error, errno, "stat the scratch directory");
  while (!target_is_mounted (&base, spec->target))
    {
      if (daemon_failed (daemon, error))
        return FALSE;
      if (g_get_monotonic_time () > deadline)
        {
          kill (daemon, SIGKILL);
          g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "fuse-overlayfs did not mount within 10 s");
          return FALSE;
        }
      nanosleep (&delay, NULL);
      delay.tv_nsec = MIN (delay.tv_nsec * 2, 250000);
    }
  return TRUE;
}

/* The kernel's overlay.  With @quiet_refusal, a refusal the fallback can take over from
 * (no overlay in this kernel or this user namespace, options it does not know, an upper dir
 * without user xattrs) is FALSE without an error. */
static gboolean
mount_kernel_overlay (const SbxRootfsSpec *spec, gboolean quiet_refusal, GError **error)
{
  g_autofree char *options = build_mount_options (spec, SBX_STORAGE_DRIVER_OVERLAY);
  int errsv;

  if (mount ("overlay", spec->target, "overlay", 0, options) == 0)
    return TRUE;
  errsv = errno;
  if (quiet_refusal && (errsv == EPERM || errsv == EINVAL || errsv == ENODEV || errsv == EOPNOTSUPP ||
                        errsv == EACCES))
    {
      sbx_debug ("setup", "mount-rootfs", "the kernel overlay refused the mount (%s): using fuse-overlayfs",
                 g_strerror (errsv));
      return FALSE;
    }
  if (errsv == EPERM || errsv == EINVAL || errsv == ENODEV)
    return sbx_set_error_from_errno (error, errsv, "mounting the kernel overlay on %s (storage driver overlay): "
                                                   "the kernel refuses overlay in a user namespace before Linux 5.11, and on "
                                                   "file systems without user xattrs; --storage-driver=fuse-overlayfs works "
                                                   "there",
                                     spec->target);
  return sbx_set_error_from_errno (error, errsv, "mounting the kernel overlay on %s (storage driver overlay)",
                                   spec->target);
}

static pid_t
spawn_daemon (const SbxRootfsSpec *spec, const char *options, int fuse_fd, const char *mountpoint,
              GError **error)
{
  DaemonStart start = {
    .argv = { spec->fuse_overlayfs, "-f", "-o", options, mountpoint, NULL },
    .parent = getpid (),
    .fuse_fd = fuse_fd,
  };
  pid_t daemon = sbx_spawn_sharing_memory (exec_daemon, &start);

  if (daemon < 0)
    sbx_set_error_from_errno (error, errno, "start fuse-overlayfs");
  return daemon;
}

/* The daemon mounts by itself (where the kernel refuses sbx's FUSE mount: fuse-overlayfs
 * may still get it through fusermount3); sbx waits for the mount to appear. */
static gboolean
start_mounting_daemon (const SbxRootfsSpec *spec, const char *options, pid_t *out_daemon, GError **error)
{
  pid_t daemon = spawn_daemon (spec, options, -1, spec->target, error);

  if (daemon < 0)
    return FALSE;
  if (!wait_for_mount (spec, daemon, error))
    {
      kill (daemon, SIGKILL);
      waitpid (daemon, NULL, 0);
      return FALSE;
    }
  *out_daemon = daemon;
  return TRUE;
}

/* sbx mounts the FUSE connection itself, as fuse-overlayfs would (the same source, type,
 * flags and options), and hands it over as /dev/fd/3 (libfuse's way for a daemon started
 * with a mounted connection).  The mount is there at once: whatever uses it meanwhile waits
 * in the kernel until the daemon serves, so the daemon's start (loading, reading its layers)
 * overlaps with init's.  *out_fd is -1 when the kernel refused the mount. */
static gboolean
mount_fuse_connection (const SbxRootfsSpec *spec, int *out_fd, GError **error)
{
  g_autofree char *data = NULL;
  sbx_autofd int fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);

  *out_fd = -1;
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "fuse-overlayfs cannot mount the root filesystem: open "
                                                       "/dev/fuse: %s%s",
                   g_strerror (errsv), fuse_device_hint ());
      return FALSE;
    }
  data = g_strdup_printf ("default_permissions,allow_other,fd=%d,rootmode=40000,user_id=%u,group_id=%u", fd,
                          (unsigned) getuid (), (unsigned) getgid ());
  if (mount ("fuse-overlayfs", spec->target, "fuse.fuse-overlayfs", MS_NODEV | MS_NOATIME, data) != 0)
    {
      sbx_debug ("setup", "mount-rootfs", "the kernel refused sbx's FUSE mount (%s): fuse-overlayfs mounts it",
                 g_strerror (errno));
      return TRUE;
    }
  *out_fd = sbx_steal_fd (&fd);
  return TRUE;
}

static gboolean
start_fuse_overlayfs (const SbxRootfsSpec *spec, pid_t *out_daemon, GError **error)
{
  g_autofree char *options = build_mount_options (spec, SBX_STORAGE_DRIVER_FUSE_OVERLAYFS);
  sbx_autofd int fuse_fd = -1;
  pid_t daemon;

  if (!mount_fuse_connection (spec, &fuse_fd, error))
    return FALSE;
  if (fuse_fd < 0)
    return start_mounting_daemon (spec, options, out_daemon, error);
  daemon = spawn_daemon (spec, options, fuse_fd, "/dev/fd/" G_STRINGIFY (DAEMON_FUSE_FD), error);
  if (daemon < 0)
    {
      umount2 (spec->target, MNT_DETACH);
      return FALSE;
    }
  /* From here the daemon holds the only descriptor of the connection: when it exits, the
   * kernel ends the connection, and what waits on the mount gets ENOTCONN
   * (sbx_rootfs_wait_served), never a hang. */
  *out_daemon = daemon;
  return TRUE;
}

/* A FUSE request on the root: it waits until the daemon serves (fuse-overlayfs answers once
 * its layers are read), and fails with ENOTCONN once the daemon has exited. */
gboolean
sbx_rootfs_wait_served (int root_fd, GError **error)
{
  struct stat st;
  int errsv;

  if (fstat (root_fd, &st) == 0)
    return TRUE;
  errsv = errno;
  if (errsv != ENOTCONN && errsv != ECONNABORTED)
    return sbx_set_error_from_errno (error, errsv, "stat the root filesystem");
  set_daemon_error (error);
  return FALSE;
}

gboolean
sbx_rootfs_mount (const SbxRootfsSpec *spec, pid_t *out_daemon, SbxStorageDriver *out_used,
                  GError **error)
{
  g_autoptr(GError) local_error = NULL;

  *out_daemon = -1;
  if (spec->lower[0] == NULL)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "the image has no layers");
      return FALSE;
    }
  if (spec->driver != SBX_STORAGE_DRIVER_FUSE_OVERLAYFS)
    {
      gboolean fallback = spec->driver == SBX_STORAGE_DRIVER_AUTO;
      if (mount_kernel_overlay (spec, fallback, &local_error))
        {
          *out_used = SBX_STORAGE_DRIVER_OVERLAY;
          return TRUE;
        }
      if (!fallback || local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  *out_used = SBX_STORAGE_DRIVER_FUSE_OVERLAYFS;
  return start_fuse_overlayfs (spec, out_daemon, error);
}
