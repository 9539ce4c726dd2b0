/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox.h: named sandboxes, the ones whose files outlive a run (`sbx run --name`).
 *
 * Layout under the store:
 *   sandboxes/<name>/state.json   what the first run recorded: the image record (its layers
 *                                 and config, kept even if the image is removed or replaced),
 *                                 the effective profile, the command, the network
 *   sandboxes/<name>/upper/       the overlay's upper dir: everything the sandbox wrote
 *   sandboxes/<name>/work/        the overlay's work dir
 *   sandboxes/<name>/driver       the storage driver that first mounted it (kept from then on:
 *                                 the upper dir's whiteouts are that driver's)
 *   sandboxes/<name>.lock         flock: LOCK_EX while a run uses it (one run at a time)
 * A sandbox appears by rename() of a complete directory.  Its layers count as used for
 * garbage collection as long as it exists. */
#pragma once

#include <glib.h>
#include "store.h"

G_BEGIN_DECLS

typedef struct {
  char *name;
  SbxImage *image;    /* the image as it was when the sandbox was made */
  char *profile_json; /* the effective profile (with the command line's overrides) */
  char **command;     /* the command of the first run; NULL: the image's */
  char *network;      /* --network of the first run, or NULL */
  char **publish;     /* -p of the first run, or NULL */
  char **net_allow;   /* --net-allow of the first run, or NULL */
  char **net_deny;    /* --net-deny of the first run, or NULL */
  gint64 created;     /* unix time */
  char *driver;       /* "overlay" / "fuse-overlayfs" once mounted, else NULL */
  gboolean running;   /* a run holds its lock (at the time of loading) */
} SbxSandbox;

void sbx_sandbox_free (SbxSandbox *sandbox);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxSandbox, sbx_sandbox_free)

/* 1-64 characters of [A-Za-z0-9_.-], starting alphanumeric. */
gboolean sbx_sandbox_check_name (const char *name, GError **error);

/* Absolute path of sandboxes/<name>. */
char *sbx_sandbox_dir (SbxStore *store, const char *name);

/* Takes sandboxes/<name>.lock (LOCK_EX, not waiting): SBX_ERROR_BUSY when another run
 * holds it.  Returns the fd (close-on-exec), or -1. */
int sbx_sandbox_lock (SbxStore *store, const char *name, GError **error);

/* The sandbox, or NULL: SBX_ERROR_NOT_FOUND when there is none. */
SbxSandbox *sbx_sandbox_load (SbxStore *store, const char *name, GError **error);

/* Makes sandboxes/<sandbox->name> with its state and empty upper and work dirs.  The
 * caller holds the sandbox's lock and a lease on its layers. */
gboolean sbx_sandbox_create (SbxStore *store, const SbxSandbox *sandbox, GError **error);

/* sandboxes/<name>/profile.json, the effective profile of the first run, or NULL. */
char *sbx_sandbox_profile_path (SbxStore *store, const char *name);

/* Every sandbox, sorted by name; one that cannot be read is skipped with a warning. */
GPtrArray *sbx_sandbox_list (SbxStore *store, GError **error);

/* Removes the sandbox and its files (SBX_ERROR_BUSY while it runs).  The caller is in the
 * store's user namespace (see userns.h): the sandbox's files belong to its ids. */
gboolean sbx_sandbox_remove (SbxStore *store, const char *name, GError **error);

G_END_DECLS
