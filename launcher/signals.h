/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* signals.h: the signals sbx passes on to the sandboxed command, and the wait loop the
 * setup child and init share: block them, wait for them synchronously, pass each on, and
 * reap children until the one that matters exits. */
#pragma once

#include <glib.h>
#include <signal.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* SIGCHLD and every signal passed on (INT, TERM, HUP, QUIT, USR1, USR2, WINCH). */
void sbx_signals_forwarded_set (sigset_t *set);

/* Blocks the set above; they are then taken only by sbx_signals_forward_until_exit. */
gboolean sbx_signals_block_forwarded (GError **error);

/* Passes each forwarded signal to @target (a pid, or -pgid for a process group) and reaps
 * every child, until @child exits; returns its exit code (128+N for signal N).  When
 * @other (may be NULL) is reaped on the way, *other becomes -1. */
int sbx_signals_forward_until_exit (pid_t target, pid_t child, pid_t *other);

/* The same, also calling @serve whenever @fd (-1: none) is readable, until @serve returns
 * FALSE (then @fd is closed). */
int sbx_signals_forward_serving (pid_t target, pid_t child, pid_t *other, int fd, gboolean (*serve) (int fd));

G_END_DECLS
