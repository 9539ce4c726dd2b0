/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp-program.c: a compiled filter (seccomp-filter.h): freed, passed to another process
 * in a memfd, and loaded into the calling process, last thing before the command's execve. */
#include "seccomp-filter.h"
#include "sbx-error.h"

#include "fd-util.h"

#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

void
sbx_seccomp_program_clear (SbxSeccompProgram *program)
{
  g_clear_pointer (&program->program, g_bytes_unref);
  program->flags = 0;
}

/* The most a program may hold: BPF_MAXINSNS instructions. */
#define PROGRAM_MAX_BYTES (4096 * sizeof (struct sock_filter))

gboolean
sbx_seccomp_program_to_fd (const SbxSeccompProgram *program, int *out_fd, GError **error)
{
  sbx_autofd int fd = memfd_create ("sbx-seccomp", MFD_CLOEXEC);
  guint32 flags = program->flags;
  gsize size = 0;
  const void *data = program->program != NULL ? g_bytes_get_data (program->program, &size) : NULL;

  if (fd < 0)
    return sbx_set_error_from_errno (error, errno, "memfd for the seccomp filter");
  if (!sbx_write_all (fd, &flags, sizeof flags, error) || (size > 0 && !sbx_write_all (fd, data, size, error)))
    return g_prefix_error (error, "seccomp filter: "), FALSE;
  *out_fd = sbx_steal_fd (&fd);
  return TRUE;
}

gboolean
sbx_seccomp_program_from_fd (int fd, SbxSeccompProgram *out, GError **error)
{
  struct stat st;
  guint32 flags;
  gsize size;
  g_autofree guint8 *data = NULL;

  sbx_seccomp_program_clear (out);
  if (fstat (fd, &st) != 0)
    return sbx_set_error_from_errno (error, errno, "seccomp filter");
  if (st.st_size < (off_t) sizeof flags || (gsize) st.st_size - sizeof flags > PROGRAM_MAX_BYTES ||
      ((gsize) st.st_size - sizeof flags) % sizeof (struct sock_filter) != 0)
    {
      g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "seccomp filter: %lld bytes is not a program",
                   (long long) st.st_size);
      return FALSE;
    }
  size = (gsize) st.st_size - sizeof flags;
  data = g_malloc (size + 1);
  if (pread (fd, &flags, sizeof flags, 0) != (ssize_t) sizeof flags ||
      (size > 0 && pread (fd, data, size, sizeof flags) != (ssize_t) size))
    return sbx_set_error_from_errno (error, errno != 0 ? errno : EIO, "read the seccomp filter");
  out->flags = flags;
  out->program = size > 0 ? g_bytes_new_take (g_steal_pointer (&data), size) : NULL;
  return TRUE;
}

gboolean
sbx_seccomp_program_load (const SbxSeccompProgram *program, GError **error)
{
  struct sock_fprog prog;
  gsize size;

  if (program->program == NULL)
    return TRUE;
  prog.filter = (struct sock_filter *) g_bytes_get_data (program->program, &size);
  prog.len = (unsigned short) (size / sizeof (struct sock_filter));
  if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, program->flags, &prog) != 0)
    return sbx_set_error_from_errno (error, errno, "load the seccomp filter");
  return TRUE;
}
