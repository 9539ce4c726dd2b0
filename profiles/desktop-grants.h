/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-grants.h: the desktop values of a profile's sbx object, as values: which display
 * and sound sockets, the GPU, the home (sbx.home) and the shared user directories
 * (sbx.share).  launcher/desktop.c turns them into binds, environment and notes at run time;
 * profiles only parse and check them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SBX_X11_NONE,
  SBX_X11_UNTRUSTED, /* true / "untrusted": a cookie the X server marks untrusted */
  SBX_X11_TRUSTED,   /* "trusted": the session's own cookie for that display */
} SbxX11Mode;

typedef enum {
  SBX_HOME_IMAGE,   /* absent: the image's own home directory (what sbx always did) */
  SBX_HOME_PRIVATE, /* "private": a persistent home per profile (or --name) in the store */
  SBX_HOME_TMPFS,   /* "tmpfs": an empty home, gone when the sandbox ends */
  SBX_HOME_HOST,    /* "host": the real home (loud warning) */
} SbxHomeMode;

typedef struct {
  SbxX11Mode x11;
  gboolean wayland;
  gboolean pulseaudio;
  gboolean pipewire;
  gboolean gpu;
} SbxDesktopGrants;

/* One sbx.share entry: "xdg-NAME[/SUB]", "~", "~/PATH" or "/PATH", then ":ro" (default) or ":rw". */
typedef struct {
  char *xdg_name; /* "DOWNLOAD" for xdg-download (GUserDirectory's spelling), or NULL */
  char *path;     /* the rest: "SUB" under the XDG dir, or "~/PATH" / "~" / "/PATH" */
  gboolean writable;
} SbxShare;

void sbx_share_clear (SbxShare *share);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SbxShare, sbx_share_clear)

/* Each parser takes @out NULL to only check. */
gboolean sbx_x11_mode_parse (const char *text, SbxX11Mode *out);
gboolean sbx_home_mode_parse (const char *text, SbxHomeMode *out);
gboolean sbx_share_parse (const char *text, SbxShare *out, GError **error);

/* The GUserDirectory for an xdg_name ("DOWNLOAD"...), or -1. */
int sbx_share_user_directory (const char *xdg_name);

G_END_DECLS
