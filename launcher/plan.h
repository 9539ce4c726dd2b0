/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan.h: the run plan: everything the sandbox's processes need, computed by run.c before
 * the first fork and never changed afterwards.  Nothing else is shared between them. */
#pragma once

#include <glib.h>
#include <jansson.h>
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

/* A host file bound into the sandbox's XDG_RUNTIME_DIR (/run/user/UID, a tmpfs of the
 * sandbox user's own, made by init): a display or sound socket, the D-Bus proxy's socket,
 * a private Xauthority.  desktop.c knows which environment variable names each one. */
typedef struct {
  char *source; /* host path */
  char *name;   /* below the runtime dir: "wayland-0", "pulse/native", "bus"... */
} SbxRuntimeEntry;

typedef struct {
  /* root filesystem */
  char *store_root;  /* the image store; layers/ and mnt/ are below it (NULL: host image) */
  char *scratch_dir; /* the scratch tmpfs's mount point: the store's mnt/, or the run dir's */
  char **layers;     /* layer directory names below layers/, top layer first */
  SbxStorageDriver storage_driver;
  char *persistent_dir; /* a named sandbox's directory (upper/, work/), or NULL: a tmpfs */
  char *fuse_overlayfs; /* path of the fuse-overlayfs program */
  gboolean host_root;   /* the built-in image "host": no layers, host-root.c builds the root */
  char *etc_passwd;     /* host_root: /etc/passwd and /etc/group with the caller only */
  char *etc_group;
  char *caller_passwd; /* keep-id: the caller's /etc/passwd and /etc/group lines (caller-account.h) */
  char *caller_group;
  /* the desktop (desktop.c) */
  gboolean runtime_dir;       /* init makes XDG_RUNTIME_DIR, /run/user/UID, for the command's user */
  GPtrArray *runtime_entries; /* SbxRuntimeEntry*, bound into it */
  gboolean wait_for_buses;    /* D-Bus proxies were spawned: init waits for the supervisor's
                              SBX_SYNC_BUSES_READY before it binds their sockets */
  GPtrArray *grant_mounts;    /* SbxMount*: X11 socket, GPU, shares, forwarded files; a destination
                              without a leading '/' is relative to the sandbox user's home */
  char *x11_display;          /* DISPLAY inside (":N" or ":N.S"), when the X11 socket is bound */
  char *documents;            /* the document portal's directory for the app (doc-portal.h), bound
                              at XDG_RUNTIME_DIR/doc by the caller's ids (caller-bind.h); or NULL */
  char *documents_also;       /* and there too: the host's mount point, when not /run/user/UID/doc */
  SbxHomeMode home_mode;
  char *home_source; /* private: the store's homes/KEY; host: the caller's home */
  char *home_store;  /* private: the store's homes/ directory, which home_source is below */
  /* the command */
  char **argv;             /* never empty */
  char **env;              /* "KEY=VALUE" */
  char *cwd;               /* absolute, inside the sandbox */
  char *user;              /* "uid[:gid]" / "name[:group]"; NULL or "" is root */
  GArray *additional_gids; /* gid_t, from the profile's process.user; may be empty */
  /* confinement */
  SbxProfile *profile;       /* the effective profile: caps, rlimits, mounts, masks, ... */
  SbxSeccompProgram seccomp; /* compiled from the profile by the supervisor (run.c: once the
                              sandbox's setup runs, and sent to init then; cmd-exec.c: first) */
  gboolean seccomp_follows;  /* sbx run: the profile has a filter, which init receives
                              (SBX_SYNC_SECCOMP) before it starts the command */
  gboolean use_apparmor;     /* profile->apparmor_profile is used */
  char *apparmor_label;      /* the label the command is exec'd under (sbx_apparmor_exec_label), or NULL */
  int unshare_flags;         /* CLONE_NEW* the setup child creates (PID: by init's fork) */
  gboolean want_scope;       /* the sandbox runs in a systemd scope with its limits (scope.h),
                              delegated to it: its /sys/fs/cgroup is writable */
  char *hostname;
  gboolean terminal;                    /* -t: the command gets a pty of the sandbox's own (terminal.h) */
  guint16 terminal_rows, terminal_cols; /* the caller's window size when it started */
  SbxNetMode net_mode;
  gboolean allow_host_loopback;
  SbxIdLayout ids;
  pid_t supervisor_pid;
  /* hooks (hooks.h): the profile's, with what their state JSON says of the run */
  char *run_id;     /* the state's "id": the sandbox's name, else the run dir's */
  char *bundle;     /* the state's "bundle": the run dir; NULL without hooks */
  char *hook_state; /* the state's JSON but status and pid, made before any fork (hooks.c) */
} SbxRunPlan;

void sbx_runtime_entry_free (SbxRuntimeEntry *entry);
void sbx_run_plan_clear (SbxRunPlan *plan);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SbxRunPlan, sbx_run_plan_clear)

/* Fills @plan (whose profile is set) for @image: the command and its environment, user and
 * working directory, the layers top first, the storage driver (a named @sandbox keeps its
 * own), the id layout @ids. */
gboolean sbx_run_plan_make (SbxStore *store, const SbxImage *image, const SbxRunOptions *options,
                            const SbxSandbox *sandbox, const SbxIdLayout *ids, SbxRunPlan *plan, GError **error);

/* `sbx exec` (plan-exec.c): what it needs of the run's plan beyond the effective profile (the
 * command's user, cwd and env, the id layout, AppArmor used or not, the namespaces, what the
 * desktop adds to the environment), as the registration's "exec" member; and back into an
 * exec's plan.  FALSE with @error when @node is not such an object. */
json_t *sbx_run_plan_exec_to_json (const SbxRunPlan *plan);
gboolean sbx_run_plan_exec_from_json (json_t *node, SbxRunPlan *plan, GError **error);

G_END_DECLS
