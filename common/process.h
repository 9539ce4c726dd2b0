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

/* For a child that cannot check its parent's pid (pid 1 of a new pid namespace sees 0):
 * PR_SET_PDEATHSIG(SIGKILL), then exits at once (status 125) if @parent_pidfd (a pidfd of
 * the parent, opened before the fork; -1: none) says the parent has exited already: a
 * parent killed between the fork and the prctl sent no signal.  Async-signal-safe. */
void sbx_die_with_parent_pidfd (int parent_pidfd);

/* The same as a GSpawnChildSetupFunc: @user_data is GINT_TO_POINTER (the parent's pid). */
void sbx_die_with_parent_child_setup (gpointer user_data);

G_END_DECLS
