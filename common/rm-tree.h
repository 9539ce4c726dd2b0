/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rm-tree.h: removing a tree that may be hostile (an image layer, a sandbox's files, a
 * run's directory): never through a symlink, without recursion however deep it is. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes @name (any type) under @dirfd (AT_FDCWD: @name is a path) recursively without
 * following symlinks, making directories u+rwx before descending.  A missing @name is not
 * an error. */
gboolean sbx_rm_rf_at (int dirfd, const char *name, GError **error);

G_END_DECLS
