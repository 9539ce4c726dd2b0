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
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <gio/gio.h>

#define MOUNT_TIMEOUT_US (10 * G_USEC_PER_SEC)

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

/* In the forked child: becomes the daemon, or exits 127 (125 when sbx is already gone). */
static G_NORETURN void
exec_daemon (const SbxRootfsSpec *spec, const char *options, pid_t parent)
{
  const char *argv[] = { spec->fuse_overlayfs, "-f", "-o", options, spec->target, NULL };
  sigset_t none;
  int log_fd, null_fd;

  sbx_die_with_parent (parent);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  log_fd = open (spec->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0 || dup2 (null_fd, 0) < 0 || dup2 (null_fd, 1) < 0 ||
      dup2 (log_fd, 2) < 0)
    _exit (127);
  execv (spec->fuse_overlayfs, (char **) argv);
  dprintf (2, "cannot execute %s: %s\n", spec->fuse_overlayfs, g_strerror (errno));
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

static gboolean
daemon_failed (const SbxRootfsSpec *spec, pid_t daemon, GError **error)
{
  g_autofree char *log = NULL;
  int status;

  if (waitpid (daemon, &status, WNOHANG) != daemon)
    return FALSE;
  (void) g_file_get_contents (spec->log, &log, NULL, NULL);
  g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "fuse-overlayfs failed to mount the root filesystem: %s%s",
               log != NULL && *g_strstrip (log) ? log : "exited without a message", fuse_device_hint ());
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
      if (daemon_failed (spec, daemon, error))
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

static gboolean
start_fuse_overlayfs (const SbxRootfsSpec *spec, pid_t *out_daemon, GError **error)
{
  g_autofree char *options = build_mount_options (spec, SBX_STORAGE_DRIVER_FUSE_OVERLAYFS);
  pid_t parent = getpid ();
  pid_t daemon = fork ();

  if (daemon < 0)
    return sbx_set_error_from_errno (error, errno, "fork");
  if (daemon == 0)
    exec_daemon (spec, options, parent);
  if (!wait_for_mount (spec, daemon, error))
    {
      kill (daemon, SIGKILL);
      waitpid (daemon, NULL, 0);
      return FALSE;
    }
  *out_daemon = daemon;
  return TRUE;
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
