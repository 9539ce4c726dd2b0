/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* io-uring-ops.h: system calls an io_uring operation does in their place: the kernel runs
 * the op, and seccomp sees only io_uring_enter. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *syscall; /* what a filter may deny */
  const char *op;      /* the io_uring operation that does the same */
} SbxIoUringOp;

const SbxIoUringOp *sbx_io_uring_ops (gsize *out_n);

G_END_DECLS
