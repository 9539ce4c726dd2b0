/* supervise.h: the supervisor's main loop while the sandbox runs (supervise.c). */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Runs the main loop until the setup child @setup_pid exits; signals to sbx go to it, the
 * first error a process inside reported over @sync_fd lands in *@out_sandbox_error.
 * Returns the setup child's wait status. */
int sbx_supervise (pid_t setup_pid, int sync_fd, GError **out_sandbox_error);

G_END_DECLS
