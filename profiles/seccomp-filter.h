/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp-filter.h: seccomp filters from JSON, in the OCI runtime spec's shape (linux.seccomp)
 * or in the Docker / containers-common file format (archMap, "name", includes/excludes).
 *
 * The filter is checked with positions when a profile is loaded, compiled with libseccomp
 * into a BPF program by the supervisor before anything starts, and only loaded (one
 * seccomp(2) call) by the sandbox's command just before execve. */
#pragma once

#include <glib.h>
#include <jansson.h>
#include "json-doc.h"

G_BEGIN_DECLS

/* Checks the seccomp object @node found at @path in @doc: keys, types, action and
 * architecture names, errno values, argument operators.  A syscall name libseccomp does not
 * know is an error in any rule whose action is not an allow (a typo must not weaken a deny
 * list); in allow rules it is skipped (leaving it out can only deny more). */
gboolean sbx_seccomp_check (SbxJsonDoc *doc, const char *path, json_t *node, GError **error);

typedef struct {
  GBytes *program; /* struct sock_filter[]; NULL: no filter (unconfined) */
  guint flags;     /* SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER) */
} SbxSeccompProgram;

/* Compiles a checked seccomp object.  @bounding_caps (bit N = capability N) decides the
 * rules with includes/excludes "caps", as Docker does; the running kernel's version decides
 * "minKernel"; the native architecture decides "arches". */
gboolean sbx_seccomp_compile (json_t *node, guint64 bounding_caps, SbxSeccompProgram *out,
                              GError **error);
void sbx_seccomp_program_clear (SbxSeccompProgram *program);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SbxSeccompProgram, sbx_seccomp_program_clear)

/* When the checked filter @node lets io_uring through (io_uring_setup and io_uring_enter not
 * denied outright) and denies, for some or all arguments, syscalls that io_uring's own
 * operations do without them (openat, read, write, connect, accept, sendmsg, socket...):
 * those names, comma-separated, for a warning.  NULL otherwise. */
char *sbx_seccomp_io_uring_bypass (json_t *node, guint64 bounding_caps);

/* The compiled program in a memfd (its flags, then its instructions), to pass it to another
 * process: *out_fd is close-on-exec. */
gboolean sbx_seccomp_program_to_fd (const SbxSeccompProgram *program, int *out_fd, GError **error);
/* Reads what sbx_seccomp_program_to_fd wrote into @out (cleared first). */
gboolean sbx_seccomp_program_from_fd (int fd, SbxSeccompProgram *out, GError **error);

/* In the sandbox, last thing before execve: installs the program (no-op when it has none).
 * Needs no_new_privs set, or CAP_SYS_ADMIN in the sandbox's user namespace. */
gboolean sbx_seccomp_program_load (const SbxSeccompProgram *program, GError **error);

G_END_DECLS
