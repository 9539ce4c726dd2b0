/* plan.h: the run plan: everything the sandbox's processes need, computed by run.c before
 * the first fork and never changed afterwards.  Nothing else is shared between them. */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "idmap.h"
#include "netopts.h"
#include "rootfs.h"
#include "profile.h"
#include "seccomp-filter.h"
#include "run.h"
#include "sandbox.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct {
  /* root filesystem */
  char *store_root;        /* the image store; layers/ and mnt/ are below it */
  char **layers;           /* layer directory names below layers/, top layer first */
  SbxStorageDriver storage_driver;
  char *persistent_dir;    /* a named sandbox's directory (upper/, work/), or NULL: a tmpfs */
  char *fuse_overlayfs;    /* path of the fuse-overlayfs program */
  /* the command */
  char **argv;             /* never empty */
  char **env;              /* "KEY=VALUE" */
  char *cwd;               /* absolute, inside the sandbox */
  char *user;              /* "uid[:gid]" / "name[:group]"; NULL or "" is root */
  GArray *additional_gids; /* gid_t, from the profile's process.user; may be empty */
  /* confinement */
  SbxProfile *profile;     /* the effective profile: caps, rlimits, mounts, masks, ... */
  SbxSeccompProgram seccomp;  /* compiled from the profile by the supervisor */
  gboolean use_apparmor;   /* exec under profile->apparmor_profile */
  int unshare_flags;       /* CLONE_NEW* the setup child creates (PID: by init's fork) */
  gboolean want_scope;     /* the sandbox runs in a systemd scope with its limits (scope.h),
                              delegated to it: its /sys/fs/cgroup is writable */
  char *hostname;
  SbxNetMode net_mode;
  gboolean allow_host_loopback;
  SbxIdLayout ids;
  pid_t supervisor_pid;
} SbxRunPlan;

void sbx_run_plan_clear (SbxRunPlan *plan);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SbxRunPlan, sbx_run_plan_clear)

/* Fills @plan (whose profile is set) for @image: the command and its environment, user and
 * working directory, the layers top first, the storage driver (a named @sandbox keeps its
 * own), the id layout @ids. */
gboolean sbx_run_plan_make (SbxStore *store, const SbxImage *image, const SbxRunOptions *options,
                            const SbxSandbox *sandbox, const SbxIdLayout *ids, SbxRunPlan *plan,
                            GError **error);

G_END_DECLS
