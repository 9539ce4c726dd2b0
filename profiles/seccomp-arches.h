/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* seccomp-arches.h: Docker's architecture names (Go's: amd64, arm64, ...) to libseccomp's. */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* TRUE for a name Docker uses; *@out_arch is 0 for one libseccomp 2.5 does not know. */
gboolean sbx_seccomp_go_arch (const char *name, uint32_t *out_arch);

G_END_DECLS
