/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sbx-error.h: the one error domain of sbx and the exit statuses it maps to.
 *
 * Every failure travels upward as a GError in SBX_ERROR (or a GLib domain such as
 * G_IO_ERROR / G_FILE_ERROR, which the CLI treats as SBX_ERROR_FAILED).  Messages
 * are one line and name what failed and where ("layer sha256:ab..: entry ../x escapes
 * the layer").  Only main.c prints them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SBX_ERROR (sbx_error_quark ())
GQuark sbx_error_quark (void);

typedef enum {
  SBX_ERROR_FAILED,             /* anything of sbx's own: exit 125 */
  SBX_ERROR_INVALID_ARG,        /* bad CLI argument or input: exit 125 */
  SBX_ERROR_NOT_FOUND,          /* image, name, file not found: exit 125 */
  SBX_ERROR_EXISTS,             /* name already taken: exit 125 */
  SBX_ERROR_BAD_IMAGE,          /* malformed image, layer, digest mismatch: exit 125 */
  SBX_ERROR_BUSY,               /* locked / in use: exit 125 */
  SBX_ERROR_CMD_NOT_EXECUTABLE, /* exit 126 */
  SBX_ERROR_CMD_NOT_FOUND,      /* exit 127 */
  SBX_ERROR_MEMORY_LIMIT,       /* the sandbox hit its memory limit: exit 137, as a SIGKILL */
} SbxErrorCode;

/* Exit statuses, as Podman uses them. */
#define SBX_EXIT_SBX_ERROR 125
#define SBX_EXIT_NOT_EXECUTABLE 126
#define SBX_EXIT_NOT_FOUND 127
#define SBX_EXIT_MEMORY_LIMIT 137

/* The exit status a CLI command returns for @error. */
int sbx_error_exit_status (const GError *error);

/* The exit status for a child's wait status: its exit code, or 128+N for signal N. */
int sbx_exit_code_from_wait_status (int wait_status);

/* Sets @error from errno with a prefix: "open /x: Permission denied".  Returns FALSE. */
gboolean sbx_set_error_from_errno (GError **error, int saved_errno, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Adds context in front of an existing error message: "import foo: <old message>". */
#define sbx_prefix_error g_prefix_error

G_END_DECLS
