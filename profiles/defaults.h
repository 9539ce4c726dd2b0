/* defaults.h: the built-in confinement every sandbox gets until profiles (issue 3) say
 * otherwise: the OCI runtime spec's default masked and read-only paths and Podman's
 * default capability set. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NULL-terminated lists of absolute paths inside the sandbox. */
const char * const *sbx_default_masked_paths (void);
const char * const *sbx_default_readonly_paths (void);
/* NULL-terminated capability names ("CAP_CHOWN", ...) kept by a sandbox's root. */
const char * const *sbx_default_capabilities (void);

#define SBX_DEFAULT_HOSTNAME "sbx"

G_END_DECLS
