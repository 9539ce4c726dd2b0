/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp-arches.c: Docker's architecture names (Go's) in seccomp JSON, to libseccomp's. */
#include "seccomp-arches.h"

#include <seccomp.h>

/* Docker's "arches" use Go's names; 0: an architecture libseccomp 2.5 does not know. */
static const struct {
  const char *name;
  uint32_t arch;
} go_arches[] = {
  { "386", SCMP_ARCH_X86 },
  { "x86", SCMP_ARCH_X86 },
  { "amd64", SCMP_ARCH_X86_64 },
  { "x32", SCMP_ARCH_X32 },
  { "arm", SCMP_ARCH_ARM },
  { "arm64", SCMP_ARCH_AARCH64 },
  { "mips", SCMP_ARCH_MIPS },
  { "mipsle", SCMP_ARCH_MIPSEL },
  { "mips64", SCMP_ARCH_MIPS64 },
  { "mips64le", SCMP_ARCH_MIPSEL64 },
  { "mips64n32", SCMP_ARCH_MIPS64N32 },
  { "mips64len32", SCMP_ARCH_MIPSEL64N32 },
  { "ppc", SCMP_ARCH_PPC },
  { "ppc64", SCMP_ARCH_PPC64 },
  { "ppc64le", SCMP_ARCH_PPC64LE },
  { "s390", SCMP_ARCH_S390 },
  { "s390x", SCMP_ARCH_S390X },
  { "riscv64", SCMP_ARCH_RISCV64 },
  { "loong64", 0 },
};

gboolean
sbx_seccomp_go_arch (const char *name, uint32_t *out_arch)
{
  for (gsize i = 0; i < G_N_ELEMENTS (go_arches); i++)
    if (g_str_equal (go_arches[i].name, name))
      {
        *out_arch = go_arches[i].arch;
        return TRUE;
      }
  return FALSE;
}
