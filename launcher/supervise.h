/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* supervise.h: the supervisor's main loop while the sandbox runs (supervise.c). */
#pragma once

#include <glib.h>
#include <sys/types.h>
#include "terminal.h"

G_BEGIN_DECLS

/* Runs the main loop until the setup child @setup_pid exits; signals to sbx go to it, the
 * first error a process inside reported over @sync_fd lands in *@out_sandbox_error.
 * Returns the setup child's wait status. */
int sbx_supervise (pid_t setup_pid, int sync_fd, SbxTerminal *terminal, GError **out_sandbox_error);

/* Job control signals never stop sbx: Ctrl-Z in the caller's terminal, or reading and
 * writing it from the background.  Called before anything is forked (the command resets
 * its signals before it execs). */
void sbx_supervisor_ignore_job_control (void);

G_END_DECLS
