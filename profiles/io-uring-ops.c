/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* io-uring-ops.c: which system calls io_uring's own operations do in their place (the
 * table behind the warning for filters io_uring can bypass, io-uring-ops.h). */
#include "io-uring-ops.h"

/* Syscalls an io_uring operation does in their place (the kernel runs the op; seccomp sees
 * only io_uring_enter), and the op. */
static const SbxIoUringOp io_uring_ops[] = {
  { "open", "IORING_OP_OPENAT" },
  { "openat", "IORING_OP_OPENAT" },
  { "openat2", "IORING_OP_OPENAT2" },
  { "read", "IORING_OP_READ" },
  { "pread64", "IORING_OP_READ" },
  { "readv", "IORING_OP_READV" },
  { "preadv", "IORING_OP_READV" },
  { "preadv2", "IORING_OP_READV" },
  { "write", "IORING_OP_WRITE" },
  { "pwrite64", "IORING_OP_WRITE" },
  { "writev", "IORING_OP_WRITEV" },
  { "pwritev", "IORING_OP_WRITEV" },
  { "pwritev2", "IORING_OP_WRITEV" },
  { "socket", "IORING_OP_SOCKET (5.19)" },
  { "connect", "IORING_OP_CONNECT" },
  { "accept", "IORING_OP_ACCEPT" },
  { "accept4", "IORING_OP_ACCEPT" },
  { "bind", "IORING_OP_BIND (6.11)" },
  { "listen", "IORING_OP_LISTEN (6.11)" },
  { "sendto", "IORING_OP_SEND" },
  { "sendmsg", "IORING_OP_SENDMSG" },
  { "recvfrom", "IORING_OP_RECV" },
  { "recvmsg", "IORING_OP_RECVMSG" },
  { "shutdown", "IORING_OP_SHUTDOWN" },
  { "close", "IORING_OP_CLOSE" },
  { "statx", "IORING_OP_STATX" },
  { "rename", "IORING_OP_RENAMEAT" },
  { "renameat", "IORING_OP_RENAMEAT" },
  { "renameat2", "IORING_OP_RENAMEAT" },
  { "unlink", "IORING_OP_UNLINKAT" },
  { "unlinkat", "IORING_OP_UNLINKAT" },
  { "rmdir", "IORING_OP_UNLINKAT" },
  { "mkdir", "IORING_OP_MKDIRAT" },
  { "mkdirat", "IORING_OP_MKDIRAT" },
  { "symlink", "IORING_OP_SYMLINKAT" },
  { "symlinkat", "IORING_OP_SYMLINKAT" },
  { "link", "IORING_OP_LINKAT" },
  { "linkat", "IORING_OP_LINKAT" },
  { "setxattr", "IORING_OP_SETXATTR" },
  { "fsetxattr", "IORING_OP_FSETXATTR" },
  { "getxattr", "IORING_OP_GETXATTR" },
  { "fgetxattr", "IORING_OP_FGETXATTR" },
  { "fallocate", "IORING_OP_FALLOCATE" },
  { "ftruncate", "IORING_OP_FTRUNCATE (6.9)" },
  { "splice", "IORING_OP_SPLICE" },
  { "tee", "IORING_OP_TEE" },
  { "madvise", "IORING_OP_MADVISE" },
  { "fadvise64", "IORING_OP_FADVISE" },
  { "fsync", "IORING_OP_FSYNC" },
  { "fdatasync", "IORING_OP_FSYNC" },
};

const SbxIoUringOp *
sbx_io_uring_ops (gsize *out_n)
{
  *out_n = G_N_ELEMENTS (io_uring_ops);
  return io_uring_ops;
}
