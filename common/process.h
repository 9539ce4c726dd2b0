/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.h: a child process that does not outlive its parent. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* SBX_SANITIZED: built with AddressSanitizer or another sanitizer runtime.  Such builds free
 * everything before they exit (LeakSanitizer checks at exit) and fork where others share
 * memory (sbx_spawn_sharing_memory). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SBX_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define SBX_SANITIZED 1
#endif
#endif

/* Ends the process with @status once stdout and stderr are flushed, without exit handlers
 * and library destructors: what is left to free is the process's own memory, which the
 * kernel takes back whole.  Sanitizer builds exit() normally. */
G_NORETURN void sbx_exit_now (int status);

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

/* Names the calling process @name (its comm, at most 15 bytes: what ps, top and
 * /proc/PID/comm show), so sbx's own processes can be told apart: "sbx-setup", "sbx-init".
 * Async-signal-safe. */
void sbx_process_set_name (const char *name);

/* Runs @fn (@data) in a child process that shares the caller's memory until it execs or
 * exits (clone with CLONE_VM | CLONE_VFORK, on a stack of its own); the caller is suspended
 * meanwhile, as with vfork.  Nothing of the caller's address space is copied or made
 * copy-on-write: a fork of a process of sbx's size costs milliseconds where page-table
 * updates are expensive (virtual machines), and the copy-on-write faults after it as much
 * again.  @fn must end in execve or _exit and never return; what it allocates stays in the
 * caller's heap.  Sanitizer builds fork instead (their runtimes keep per-thread state that
 * a second process on the same memory would corrupt).  Returns the child's pid, or -1 with
 * errno. */
pid_t sbx_spawn_sharing_memory (int (*fn) (void *data), void *data);

/* How many threads this process has (/proc/self/task), 0 if that cannot be read.  sbx forks
 * the sandbox's processes from a single thread: a thread holding one of GLib's or GObject's
 * locks at a fork would leave that lock held for ever in the child (debug lines say it). */
guint sbx_process_thread_count (void);

/* The same as a GSpawnChildSetupFunc: @user_data is GINT_TO_POINTER (the parent's pid). */
void sbx_die_with_parent_child_setup (gpointer user_data);

G_END_DECLS
