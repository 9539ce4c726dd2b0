/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* init.h: PID 1 of the sandbox.
 *
 * Builds the sandbox's filesystem view (mounts.c), starts the command (confine.c), then
 * reaps every zombie, passes forwarded signals to the command's process group (as a
 * terminal would), and exits with the
 * command's status (128+N when a signal N killed it).  Its exit ends the pid namespace. */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "plan.h"

G_BEGIN_DECLS

G_NORETURN void sbx_init_main (const SbxRunPlan *plan, int sync_fd, pid_t parent, int parent_pidfd,
                               const char *rootfs);

G_END_DECLS
