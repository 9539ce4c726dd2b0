/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* setup.c: the sandbox setup child: from fork to a running init. */
#include "setup.h"
#include "defaults.h"
#include "fd-util.h"
#include "host-root.h"
#include "init.h"
#include "loopback.h"
#include "nsocket.h"
#include "process.h"
#include "tap.h"
#include "rootfs.h"
#include "signals.h"
#include "log.h"
#include "sbx-error.h"
#include "escape.h"
#include "sync.h"
#include "userns.h"

#include <errno.h>
#include <string.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <unistd.h>

/* slirp: tap0's fd goes to the supervisor at once, so slirp starts while the root
 * filesystem mounts here; so does the supervisor's end of the socket maker this process
 * serves once init runs (published loopback ports, nsocket.h): *out_maker is its own end. */
static gboolean
hand_over_tap (const SbxRunPlan *plan, int sync_fd, int *out_maker, GError **error)
{
  sbx_autofd int tap = -1;
  sbx_autofd int supervisor_end = -1;

  if (plan->net_mode != SBX_NET_SLIRP)
    return TRUE;
  tap = sbx_net_tap_create (error);
  if (tap < 0 || !sbx_sync_send_fd (sync_fd, SBX_SYNC_TAP, tap, error))
    return FALSE;
  if (!sbx_nsocket_pair (&supervisor_end, out_maker, error) ||
      !sbx_sync_send_fd (sync_fd, SBX_SYNC_SOCKETS, supervisor_end, error))
    return FALSE;
  sbx_debug ("setup", "hand-over-tap", "tap0 and the socket maker sent to the supervisor");
  return TRUE;
}

/* The network devices need the capabilities unshare gave, not the id maps: they are made
 * while the supervisor writes those (newuidmap and newgidmap are setuid programs of a few
 * ms each).  Own network namespaces get lo up; slirp's tap0 goes to the supervisor. */
static gboolean
make_network_devices (const SbxRunPlan *plan, int sync_fd, int *out_maker, GError **error)
{
  if (plan->net_mode == SBX_NET_HOST)
    return TRUE;
  if (!sbx_net_loopback_up (error))
    return FALSE;
  return hand_over_tap (plan, sync_fd, out_maker, error);
}

static gboolean
enter_namespaces (const SbxRunPlan *plan, int sync_fd, int *out_maker, GError **error)
{
  /* The user namespace first and alone: its maps are written from then on (newuidmap and
   * newgidmap take milliseconds), while the other namespaces, owned by it, are made here
   * (the network namespace alone about half a millisecond).  The cgroup namespace comes
   * later, once the supervisor has moved us into the scope: its root is the cgroup we are
   * in when it is made. */
  if (unshare (CLONE_NEWUSER) != 0)
    return sbx_userns_error (error, errno, "create the sandbox's user namespace");
  if (!sbx_sync_send (sync_fd, SBX_SYNC_UNSHARED, error))
    return FALSE;
  if (unshare (plan->unshare_flags & ~(CLONE_NEWUSER | CLONE_NEWCGROUP)) != 0)
    return sbx_namespaces_error (error, errno, "create the sandbox's namespaces");
  if (!make_network_devices (plan, sync_fd, out_maker, error) || !sbx_sync_expect (sync_fd, SBX_SYNC_MAPPED, error))
    return FALSE;
  /* Root of the namespace where 0 is mapped; where only the caller's own ids are (the host
   * image), the creator's full capabilities in its namespace are enough. */
  if (!sbx_userns_become_root (&plan->ids, error))
    return FALSE;
  /* A change of credentials clears the parent-death signal: set it again.  Once mapped,
   * nothing in the sandbox may ptrace or read the fds of sbx's own processes. */
  sbx_die_with_parent (plan->supervisor_pid);
  if (prctl (PR_SET_DUMPABLE, 0) != 0)
    return sbx_set_error_from_errno (error, errno, "PR_SET_DUMPABLE");
  if ((plan->unshare_flags & CLONE_NEWCGROUP) && unshare (CLONE_NEWCGROUP) != 0)
    return sbx_set_error_from_errno (error, errno, "create the sandbox's cgroup namespace");
  return TRUE;
}

/* The overlay's upper and work dirs live on a tmpfs of this mount namespace only: they
 * vanish with the sandbox however it ends, even when sbx is killed.  A named sandbox's are
 * in its directory instead (mount_root_filesystem); the tmpfs then holds only the mount
 * point. */
static gboolean
prepare_scratch (const SbxRunPlan *plan, GError **error)
{
  const char *mnt = plan->scratch_dir;
  static const char * const dirs[] = { "upper", "work", "rootfs" };

  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return sbx_set_error_from_errno (error, errno, "make mounts private");
  if (mount ("sbx-scratch", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") != 0)
    return sbx_set_error_from_errno (error, errno, "mount the scratch tmpfs on %s", mnt);
  if (chdir (mnt) != 0)
    return sbx_set_error_from_errno (error, errno, "chdir %s", mnt);
  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (mkdir (dirs[i], 0755) != 0)
      return sbx_set_error_from_errno (error, errno, "mkdir %s/%s", mnt, dirs[i]);
  return TRUE;
}

/* keep-id: layers are stored with the default layout (image uid 0 = caller); fuse-overlayfs
 * translates so that image uid N still shows as N beside the caller's own uid. */
static char *
keep_id_mapping (const SbxIdMap *map, guint32 caller)
{
  GString *s = g_string_new (NULL);
  guint32 below = 0, above = 0;

  for (guint i = 0; i < map->n_ranges; i++)
    {
      if (map->ranges[i].inside == 0 && map->ranges[i].outside != caller)
        below = map->ranges[i].count;
      else if (map->ranges[i].inside == caller + 1)
        above = map->ranges[i].count;
    }
  /* stored:presented:length, "stored" as this namespace sees the files: the caller's own
   * (image root) shows as 0, subordinate ids below the caller shift up by one. */
  g_string_append_printf (s, "%u:0:1", caller);
  if (below > 0)
    g_string_append_printf (s, ":0:1:%u", below);
  if (above > 0)
    g_string_append_printf (s, ":%u:%u:%u", caller + 1, caller + 1, above);
  return g_string_free (s, FALSE);
}

/* A named sandbox keeps the driver that first mounted it: its upper dir holds that
 * driver's whiteouts and markers.  Written whole or not at all: a kill here must not leave
 * an empty "driver" that the next start cannot read. */
static gboolean
record_driver (int sandbox_fd, SbxStorageDriver used, GError **error)
{
  const char *name = sbx_storage_driver_name (used);
  g_autoptr(GError) local_error = NULL;

  if (sandbox_fd < 0 ||
      sbx_write_new_file_at (sandbox_fd, "driver", 0644, name, strlen (name), &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_EXIST) || faccessat (sandbox_fd, "driver", F_OK,
                                                                                    AT_SYMLINK_NOFOLLOW) == 0)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* The store's directories the overlay is made of are opened beneath the store (the parent
 * of the scratch tmpfs, our cwd), following no symlink: one planted in the store (a
 * sandbox's upper/, a layer) is refused, not mounted.  The overlay gets /proc/self/fd/N
 * paths of these fds, inherited by fuse-overlayfs; they are closed once it is mounted. */
static char *
open_store_dir (int store_fd, const char *rel, GArray *fds, GError **error)
{
  int fd = sbx_openat2 (store_fd, rel, O_PATH | O_DIRECTORY | O_NOFOLLOW,
                        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  g_autofree char *shown = NULL;

  if (fd < 0)
    {
      int errsv = errno;
      shown = sbx_escape (rel);
      if (errsv == ELOOP || errsv == EXDEV || errsv == ENOTDIR)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "the store's %s is a symlink or not a directory "
                                                                "(refused; not followed)",
                            shown),
               NULL;
      return sbx_set_error_from_errno (error, errsv, "open the store's %s", shown), NULL;
    }
  g_array_append_val (fds, fd);
  if (fcntl (fd, F_SETFD, 0) < 0)
    return sbx_set_error_from_errno (error, errno, "fcntl"), NULL;
  return g_strdup_printf ("/proc/self/fd/%d", fd);
}

static void
close_fd_in_array (gpointer fdp)
{
  close (*(int *) fdp);
}

/* The lower layers' and (for a named sandbox) upper/ and work/'s fd paths into @spec and
 * @lower; *out_sandbox_fd: the sandbox's directory, or -1. */
static gboolean
open_overlay_dirs (const SbxRunPlan *plan, SbxRootfsSpec *spec, GPtrArray *lower, GArray *fds,
                   int *out_sandbox_fd, char **out_upper, char **out_work, GError **error)
{
  sbx_autofd int store_fd = open ("..", O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_autofree char *sandbox_rel = NULL, *upper_rel = NULL, *work_rel = NULL, *sandbox_path = NULL;

  *out_sandbox_fd = -1;
  if (store_fd < 0)
    return sbx_set_error_from_errno (error, errno, "open the store (%s/..)", plan->scratch_dir);
  for (guint i = 0; plan->layers[i] != NULL; i++)
    {
      g_autofree char *rel = g_build_filename ("layers", plan->layers[i], NULL);
      char *path = open_store_dir (store_fd, rel, fds, error);
      if (path == NULL)
        return FALSE;
      g_ptr_array_add (lower, path);
    }
  g_ptr_array_add (lower, NULL);
  spec->lower = (const char * const *) lower->pdata;
  if (plan->persistent_dir == NULL)
    return TRUE;
  sandbox_rel = g_build_filename ("sandboxes", strrchr (plan->persistent_dir, '/') + 1, NULL);
  upper_rel = g_build_filename (sandbox_rel, "upper", NULL);
  work_rel = g_build_filename (sandbox_rel, "work", NULL);
  if ((sandbox_path = open_store_dir (store_fd, sandbox_rel, fds, error)) == NULL ||
      (spec->upper = *out_upper = open_store_dir (store_fd, upper_rel, fds, error)) == NULL ||
      (spec->work = *out_work = open_store_dir (store_fd, work_rel, fds, error)) == NULL)
    return FALSE;
  *out_sandbox_fd = g_array_index (fds, int, fds->len - 3);
  spec->durable = TRUE; /* what the sandbox fsyncs must reach the disk */
  return TRUE;
}

static gboolean
mount_root_filesystem (const SbxRunPlan *plan, pid_t *out_daemon, GError **error)
{
  g_autoptr(GPtrArray) lower = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *uidmapping = NULL, *gidmapping = NULL;
  g_autofree char *upper = NULL, *work = NULL;
  SbxStorageDriver used;
  int sandbox_fd = -1;
  SbxRootfsSpec spec = {
    .driver = plan->storage_driver,
    .upper = "upper",
    .work = "work",
    .target = "rootfs",
    .fuse_overlayfs = plan->fuse_overlayfs,
  };

  if (plan->host_root)
    return sbx_host_root_mount (plan, spec.target, error);
  g_array_set_clear_func (fds, close_fd_in_array);
  if (!open_overlay_dirs (plan, &spec, lower, fds, &sandbox_fd, &upper, &work, error))
    return FALSE;
  if (plan->ids.mode == SBX_USERNS_KEEP_ID && !plan->ids.single)
    {
      spec.uidmapping = uidmapping = keep_id_mapping (&plan->ids.uid_map, plan->ids.caller_uid);
      spec.gidmapping = gidmapping = keep_id_mapping (&plan->ids.gid_map, plan->ids.caller_gid);
    }
  if (!sbx_rootfs_mount (&spec, out_daemon, &used, error))
    return FALSE;
  sbx_debug ("setup", "mount-rootfs", "%s over %u layers, upper %s%s", sbx_storage_driver_name (used),
             lower->len - 1, spec.upper, *out_daemon > 0 ? " (fuse-overlayfs daemon running)" : "");
  return record_driver (sandbox_fd, used, error);
}

/* slirp must have its ports forwarded before the command may start. */
static gboolean
finish_network (const SbxRunPlan *plan, int sync_fd, GError **error)
{
  return plan->net_mode != SBX_NET_SLIRP || sbx_sync_expect (sync_fd, SBX_SYNC_NET_READY, error);
}

/* Only in a UTS namespace of the sandbox's own; without one (the profile shares the host's)
 * the names stay the host's. */
static gboolean
set_host_names (const SbxRunPlan *plan, GError **error)
{
  const char *domain = plan->profile->domainname;

  if (!(plan->unshare_flags & CLONE_NEWUTS))
    return TRUE;
  if (sethostname (plan->hostname, strlen (plan->hostname)) != 0)
    return sbx_set_error_from_errno (error, errno, "sethostname");
  if (domain != NULL && setdomainname (domain, strlen (domain)) != 0)
    return sbx_set_error_from_errno (error, errno, "setdomainname");
  return TRUE;
}

static gboolean
spawn_init (const SbxRunPlan *plan, int sync_fd, int maker, pid_t *out_init, GError **error)
{
  pid_t self = getpid ();
  /* init cannot see our pid from its pid namespace: it checks this pidfd instead (-1 where
   * the kernel has no pidfd_open, which leaves only the parent-death signal). */
  sbx_autofd int self_fd = (int) syscall (SYS_pidfd_open, self, 0);
  pid_t init;

  if (unshare (CLONE_NEWPID) != 0)
    return sbx_set_error_from_errno (error, errno, "create the pid namespace");
  init = fork ();
  if (init < 0)
    return sbx_set_error_from_errno (error, errno, "fork init");
  if (init == 0)
    {
      if (maker >= 0)
        close (maker); /* the sandbox's processes never hold it */
      sbx_init_main (plan, sync_fd, self, sbx_steal_fd (&self_fd), "rootfs");
    }
  sbx_debug ("setup", "spawn-init", "init is %d (pid 1 of the sandbox)", (int) init);
  *out_init = init;
  return TRUE;
}

static gboolean
setup_sandbox (const SbxRunPlan *plan, int sync_fd, pid_t *out_init, pid_t *out_daemon, int *out_maker,
               GError **error)
{
  if (setsid () < 0)
    return sbx_set_error_from_errno (error, errno, "setsid");
  if (!enter_namespaces (plan, sync_fd, out_maker, error))
    return FALSE;
  sbx_debug ("setup", "enter-namespaces", "mapped; uid 0 in the sandbox's user namespace");
  if (!prepare_scratch (plan, error))
    return FALSE;
  if (!mount_root_filesystem (plan, out_daemon, error))
    return FALSE;
  if (!finish_network (plan, sync_fd, error))
    return FALSE;
  if (!set_host_names (plan, error))
    return FALSE;
  if (!sbx_signals_block_forwarded (error))
    return FALSE;
  return spawn_init (plan, sync_fd, *out_maker, out_init, error);
}

/* Keeps stdin, stdout, stderr and the sync socket (moved to fd 3); closes everything else
 * the supervisor had open (store locks, files), so nothing leaks into the sandbox. */
static int
close_inherited_fds (int sync_fd)
{
  if (sync_fd != 3 && dup3 (sync_fd, 3, O_CLOEXEC) != 3)
    _exit (SBX_EXIT_SBX_ERROR);
  if (syscall (SYS_close_range, 4U, ~0U, 0) != 0)
    _exit (SBX_EXIT_SBX_ERROR);
  return 3;
}

void
sbx_setup_child_main (const SbxRunPlan *plan, int sync_fd)
{
  g_autoptr(GError) error = NULL;
  pid_t init = -1, daemon = -1;
  int code, maker = -1;

  sbx_die_with_parent (plan->supervisor_pid);
  sbx_process_set_name ("sbx-setup");
  sync_fd = close_inherited_fds (sync_fd);
  if (!setup_sandbox (plan, sync_fd, &init, &daemon, &maker, &error))
    {
      if (daemon > 0)
        kill (daemon, SIGKILL);
      sbx_sync_send_error_and_exit (sync_fd, error);
    }
  close (sync_fd);
  /* This process stays in the sandbox's network namespace, out of its pid namespace: it makes
   * the sockets of published loopback ports there (nsocket.h). */
  code = sbx_signals_forward_serving (init, init, &daemon, maker, sbx_nsocket_serve_one);
  if (daemon > 0)
    {
      kill (daemon, SIGKILL);
      waitpid (daemon, NULL, 0);
    }
  _exit (code);
}
