/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-doc.h: a JSON document, strictly read into a jansson tree, that remembers where
 * each value came from, so a complaint about any value can say "file:line:col: path: what
 * is wrong".
 *
 * Paths name values the way a reader would: "process.capabilities.bounding[2]",
 * "linux.seccomp.syscalls[0].names[1]".  The empty path is the root. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef struct _SbxJsonDoc SbxJsonDoc;

/* Parses @data (at most SBX_JSON_DOC_MAX_SIZE bytes, nesting at most SBX_JSON_DOC_MAX_DEPTH)
 * named @name in messages.  Syntax errors, duplicate keys and oversized input fail here. */
#define SBX_JSON_DOC_MAX_SIZE (4 * 1024 * 1024)
#define SBX_JSON_DOC_MAX_DEPTH 64
SbxJsonDoc *sbx_json_doc_new_from_data (const char *name, const char *data, gsize length, GError **error);
/* Reads a regular file (never a fifo or device) and parses it; @name defaults to @path. */
SbxJsonDoc *sbx_json_doc_new_from_file (const char *path, GError **error);

SbxJsonDoc *sbx_json_doc_ref (SbxJsonDoc *doc);
void sbx_json_doc_unref (SbxJsonDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbxJsonDoc, sbx_json_doc_unref)

const char *sbx_json_doc_get_name (SbxJsonDoc *doc);
json_t *sbx_json_doc_get_root (SbxJsonDoc *doc);

/* Sets @error (SBX_ERROR_INVALID_ARG) to "NAME:LINE:COL: PATH: MESSAGE".  The position is
 * the key's for an object member (so an unknown key points at itself), the value's start
 * for an array element; a path without a recorded position uses its nearest ancestor's.
 * @path may be "" (the whole document: position 1:1).  Returns FALSE. */
gboolean sbx_json_doc_error (SbxJsonDoc *doc, const char *path, GError **error,
                             const char *format, ...) G_GNUC_PRINTF (4, 5);

/* Joins a member or element onto a path: "a" + "b" = "a.b", "a" + 3 = "a[3]". */
char *sbx_json_path_member (const char *path, const char *member);
char *sbx_json_path_element (const char *path, guint index);

G_END_DECLS
