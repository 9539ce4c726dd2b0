/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run-dir.h: a run's private directory on the host, $XDG_RUNTIME_DIR/sbx/run-XXXXXXXX (0700):
 * what a run makes for its sandbox outside the store (a private Xauthority, the D-Bus
 * proxy's socket, the hooks' bundle).  Its lock file run-XXXXXXXX.lock is
 * created already locked before the directory exists, and the supervisor holds it while the
 * run lasts and removes both at the end (the lock last).  What a killed run left behind (its
 * lock free) is removed by the next run that makes one, and never a live run's, however
 * many start at once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SbxRunDir SbxRunDir;

/* $XDG_RUNTIME_DIR/sbx, made (0700) when missing: where the run directories live, and the
 * host image's shared mount point (host-root.h). */
char *sbx_run_dir_base (GError **error);

SbxRunDir *sbx_run_dir_new (GError **error);
const char *sbx_run_dir_path (SbxRunDir *dir);
/* Removes the directory and what is in it (mount points are empty by then). */
void sbx_run_dir_free (SbxRunDir *dir);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxRunDir, sbx_run_dir_free)

G_END_DECLS
