/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp-program.c: a compiled filter (seccomp-filter.h): freed, and loaded into the
 * calling process, last thing before the command's execve. */
#include "seccomp-filter.h"
#include "sbx-error.h"

#include <errno.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

void
sbx_seccomp_program_clear (SbxSeccompProgram *program)
{
  g_clear_pointer (&program->program, g_bytes_unref);
  program->flags = 0;
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
