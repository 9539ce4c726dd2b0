/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-rootfs.c: the fuse-overlayfs root filesystem (storage/rootfs.h) with the real daemon,
 * in a user and mount namespace of the test's own: sbx mounts the FUSE connection, the
 * daemon serves it, and a daemon that never serves is an error with its own message. */
#include "config.h"
#include "fd-util.h"
#include "rm-tree.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>

/* Why the tests cannot run here, or NULL. */
static const char *skip_reason;

/* Written in place (/proc's files cannot be replaced as g_file_set_contents does). */
static gboolean
write_file (const char *path, const char *text)
{
  return sbx_write_string_at (AT_FDCWD, path, O_CREAT | O_TRUNC, 0644, text, NULL);
}

/* uid and gid 0 in a user namespace of the test's own, over the caller's ids, and a mount
 * namespace: what the setup process of a run has when it mounts the root filesystem. */
static const char *
enter_namespaces (void)
{
  g_autofree char *uid_map = g_strdup_printf ("0 %u 1\n", (unsigned) getuid ());
  g_autofree char *gid_map = g_strdup_printf ("0 %u 1\n", (unsigned) getgid ());

  if (access (SBX_FUSE_OVERLAYFS, X_OK) != 0)
    return "fuse-overlayfs is not installed";
  if (access ("/dev/fuse", R_OK | W_OK) != 0)
    return "/dev/fuse is not read-write for this user";
  if (unshare (CLONE_NEWUSER | CLONE_NEWNS) != 0)
    return "unprivileged user namespaces are refused here";
  if (!write_file ("/proc/self/uid_map", uid_map) || !write_file ("/proc/self/setgroups", "deny") ||
      !write_file ("/proc/self/gid_map", gid_map))
    return "cannot map the test's ids in its user namespace";
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return "cannot make the test's mounts private";
  return NULL;
}

typedef struct {
  char *dir;
  char *saved_cwd;
} Scratch;

/* A scratch dir as the setup process has one (lower, upper, work, rootfs), made the cwd. */
static void
scratch_setup (Scratch *s, gconstpointer data)
{
  (void) data;
  s->saved_cwd = g_get_current_dir ();
  s->dir = g_dir_make_tmp ("sbx-test-rootfs.XXXXXX", NULL);
  g_assert_nonnull (s->dir);
  g_assert_cmpint (chdir (s->dir), ==, 0);
  for (const char * const *d = (const char * const[]) { "lower", "upper", "work", "rootfs", NULL }; *d; d++)
    g_assert_cmpint (mkdir (*d, 0755), ==, 0);
  g_assert_true (write_file ("lower/hello", "from the lower layer\n"));
}

static void
scratch_teardown (Scratch *s, gconstpointer data)
{
  (void) data;
  (void) umount2 ("rootfs", MNT_DETACH);
  g_assert_cmpint (chdir (s->saved_cwd), ==, 0);
  g_assert_true (sbx_rm_rf_at (AT_FDCWD, s->dir, NULL));
  g_free (s->dir);
  g_free (s->saved_cwd);
}

static SbxRootfsSpec
fuse_spec (const char * const *lower, const char *program)
{
  return (SbxRootfsSpec) {
    .driver = SBX_STORAGE_DRIVER_FUSE_OVERLAYFS,
    .lower = lower,
    .upper = "upper",
    .work = "work",
    .target = "rootfs",
    .fuse_overlayfs = program,
  };
}

static void
stop_daemon (pid_t daemon)
{
  int status;

  g_assert_cmpint (daemon, >, 0);
  kill (daemon, SIGKILL);
  g_assert_cmpint (waitpid (daemon, &status, 0), ==, daemon);
}

/* Mounts, then waits for the root and returns the error of the wait (NULL: served). */
static GError *
mount_and_wait (const SbxRootfsSpec *spec, pid_t *out_daemon)
{
  GError *error = NULL;
  SbxStorageDriver used;
  int root_fd;

  g_assert_true (sbx_rootfs_mount (spec, out_daemon, &used, &error));
  g_assert_no_error (error);
  g_assert_cmpint (used, ==, SBX_STORAGE_DRIVER_FUSE_OVERLAYFS);
  root_fd = open ("rootfs", O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (root_fd, >=, 0);
  (void) sbx_rootfs_wait_served (root_fd, &error);
  close (root_fd);
  return error;
}

/* The layers read and written through the mount sbx made, as the sandbox does. */
static void
test_served (Scratch *s, gconstpointer data)
{
  const char * const lower[] = { "lower", NULL };
  SbxRootfsSpec spec = fuse_spec (lower, SBX_FUSE_OVERLAYFS);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL, *mountinfo = NULL;
  pid_t daemon = -1;

  (void) s;
  (void) data;
  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  error = mount_and_wait (&spec, &daemon);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents ("rootfs/hello", &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "from the lower layer\n");
  g_assert_true (write_file ("rootfs/new", "written in the sandbox\n"));
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents ("upper/new", &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "written in the sandbox\n");
  /* The mount is fuse-overlayfs's as if it had made it itself. */
  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  g_assert_nonnull (strstr (mountinfo, " - fuse.fuse-overlayfs fuse-overlayfs rw,user_id=0,group_id=0,"
                                       "default_permissions,allow_other"));
  stop_daemon (daemon);
}

/* The error of a run whose daemon (@program over the one layer @layer) exits before it
 * serves; NULL when the tests cannot run here (skipped). */
static GError *
failed_start (const char *layer, const char *program)
{
  const char * const lower[] = { layer, NULL };
  SbxRootfsSpec spec = fuse_spec (lower, program);
  GError *error;
  pid_t daemon = -1;

  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return NULL;
    }
  error = mount_and_wait (&spec, &daemon);
  g_assert_nonnull (error);
  g_assert_cmpint (waitpid (daemon, NULL, 0), ==, daemon);
  g_test_message ("%s", error->message);
  return error;
}

/* A daemon that cannot start: the wait ends (no hang) with its message, not ENOTCONN. */
static void
test_missing_program (Scratch *s, gconstpointer data)
{
  g_autoptr(GError) error = failed_start ("lower", "/nonexistent/fuse-overlayfs");

  (void) s;
  (void) data;
  if (error != NULL)
    g_assert_cmpstr (error->message, ==, "fuse-overlayfs failed to mount the root filesystem: cannot execute "
                                         "/nonexistent/fuse-overlayfs: No such file or directory");
}

/* A daemon that exits before it serves (a lower layer that is not there). */
static void
test_daemon_fails (Scratch *s, gconstpointer data)
{
  g_autoptr(GError) error = failed_start ("missing-layer", SBX_FUSE_OVERLAYFS);

  (void) s;
  (void) data;
  if (error == NULL)
    return;
  g_assert_true (g_str_has_prefix (error->message, "fuse-overlayfs failed to mount the root filesystem: "));
  g_assert_nonnull (strstr (error->message, "missing-layer"));
  g_assert_null (strchr (error->message, '\n')); /* its lines joined: one line */
}

/* On the kernel's filesystems the wait is a plain stat. */
static void
test_not_fuse (void)
{
  g_autoptr(GError) error = NULL;
  int fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_true (sbx_rootfs_wait_served (fd, &error));
  g_assert_no_error (error);
  close (fd);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  skip_reason = enter_namespaces ();
  g_test_add_func ("/rootfs/wait-not-fuse", test_not_fuse);
  g_test_add ("/rootfs/fuse-served", Scratch, NULL, scratch_setup, test_served, scratch_teardown);
  g_test_add ("/rootfs/fuse-missing-program", Scratch, NULL, scratch_setup, test_missing_program,
              scratch_teardown);
  g_test_add ("/rootfs/fuse-daemon-fails", Scratch, NULL, scratch_setup, test_daemon_fails, scratch_teardown);
  return g_test_run ();
}
