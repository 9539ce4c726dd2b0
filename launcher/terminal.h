/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* terminal.h: `sbx run -t`: the sandbox's own pseudo-terminal, relayed to the caller's.
 *
 * Inside, the command opens the pty master from the sandbox's own devpts, makes the slave
 * its controlling terminal in a session of its own, and hands the master to the supervisor
 * over the sync socket (as the tap fd is handed over).  The caller's terminal never enters
 * the sandbox, so TIOCSTI and TIOCLINUX have nothing of the caller's to inject into.
 *
 * Outside, the supervisor puts the caller's terminal in raw mode while the sandbox runs
 * (restored on every way out: the command's end, an error, SIGTERM or SIGHUP to sbx), copies
 * bytes both ways on the main loop, passes window size changes on (SIGWINCH) and turns end
 * of input into the pty's end-of-file character.  Ctrl-C and Ctrl-Z are bytes to the pty:
 * they reach the sandbox's foreground job, never sbx. */
#pragma once

#include <glib.h>
#include "accounts.h"
#include "plan.h"

G_BEGIN_DECLS

/* Inside, in the command process before it drops privileges: opens a pty of the sandbox's
 * devpts, gives its slave to @user, makes it the controlling terminal and stdin/out/err,
 * sets the caller's window size, and sends the master over @sync_fd. */
gboolean sbx_terminal_setup_inside (const SbxRunPlan *plan, const SbxAccount *user, int sync_fd, GError **error);

typedef struct _SbxTerminal SbxTerminal;

/* Outside: relays @master_fd (taken) to stdin/stdout on the default main context; input is
 * read only when @relay_input.  Raw mode where stdin is a terminal. */
SbxTerminal *sbx_terminal_attach (int master_fd, gboolean relay_input, GError **error);

/* The caller's window size, onto the pty (on SIGWINCH). */
void sbx_terminal_resize (SbxTerminal *terminal);

/* After the sandbox ended: what is left in the pty goes out, then the caller's terminal is
 * restored and everything closed. */
void sbx_terminal_free (SbxTerminal *terminal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxTerminal, sbx_terminal_free)

G_END_DECLS
