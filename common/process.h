/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.h: a child process that does not outlive its parent. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* In a forked child: PR_SET_PDEATHSIG(SIGKILL), then, when @expected_parent > 0, exits at
 * once (status 125) if the parent is no longer @expected_parent: a parent that died before
 * the prctl sent no signal.  0 when the parent cannot be checked (pid 1 of a new pid
 * namespace sees 0).  Async-signal-safe: usable between fork and exec. */
void sbx_die_with_parent (pid_t expected_parent);

/* The same as a GSpawnChildSetupFunc: @user_data is GINT_TO_POINTER (the parent's pid). */
void sbx_die_with_parent_child_setup (gpointer user_data);

G_END_DECLS
