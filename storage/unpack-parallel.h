/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unpack-parallel.h: several layers unpacked at once, one thread per core. */
#pragma once

#include <glib.h>
#include "unpack.h"

G_BEGIN_DECLS

/* Runs sbx_unpack_blob() on each of @jobs (their cancel members are ignored), on as many
 * threads as there are cores, and waits for all.  On success out_sizes[i] is job i's bytes
 * of file data.  On failure the others stop early and @error is the first layer's (in the
 * order of @jobs) that failed on its own; every job's directory is then the caller's to
 * remove. */
gboolean sbx_unpack_parallel (const SbxUnpackJob *jobs, guint n_jobs, guint64 *out_sizes, GError **error);

G_END_DECLS
