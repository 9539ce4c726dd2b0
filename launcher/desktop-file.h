/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-file.h: the menu launcher (.desktop file) of a sandboxed app, written from the
 * app's own desktop file (outside input: an image's, or the host's) or from scratch.
 *
 * The launcher's Exec is
 *   SBX run --profile PROFILE [--name NAME] --file-forwarding IMAGE PROGRAM ARG... @@ %F @@
 * with PROGRAM ARG... the app's own Exec arguments, unchanged, and each of its file field
 * codes wrapped as Flatpak does: %f / %F become `@@ %f @@` / `@@ %F @@`, %u / %U become
 * `@@u %u @@` / `@@u %U @@` (what lies between is files or URIs that `sbx run` exposes inside
 * one by one).  Other field codes (%i, %c, %k and the deprecated ones) are dropped.  Every
 * argument is quoted by the Desktop Entry spec's rules (double quotes around one holding a
 * reserved character, with " ` $ \ escaped; % written %%), and a field code is only ever a
 * whole argument: no shell anywhere, so a file name cannot become code.
 *
 * Arguments here are kept in Exec's encoding: a literal '%' is "%%", a field code is an
 * argument of its own ("%F").  Only keys sbx knows are carried over; values holding control
 * characters are dropped. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest desktop file read. */
#define SBX_DESKTOP_FILE_MAX (1024 * 1024)

typedef struct {
  const char *sbx_path; /* the program of Exec, and TryExec (absolute) */
  const char *profile;  /* --profile: a profile name or an absolute file */
  const char *name;     /* --name: NULL for none */
  const char *image;    /* the image argument */
  const char *icon;     /* Icon=, NULL for none */
  const char *title;    /* Name= when the app's file has none (or for a launcher from scratch) */
} SbxLauncherSpec;

/* The arguments of Exec value @exec (already unescaped by GKeyFile), in Exec's encoding,
 * checked: no control characters, a field code only as a whole argument, at most one of
 * %f %F %u %U.  Errors say what is wrong with it (the caller names the file). */
char **sbx_desktop_exec_parse (const char *exec, GError **error);

/* @arg in Exec's encoding (a literal '%' written "%%"). */
char *sbx_desktop_exec_encode (const char *arg);

/* The Exec value (unescaped: GKeyFile adds its own escapes) of @argv, in Exec's encoding. */
char *sbx_desktop_exec_quote (char **argv);

/* The launcher's Exec value for an app started as @app_argv (in Exec's encoding, as
 * sbx_desktop_exec_parse returns; NULL or empty: the profile's or the image's command,
 * without file forwarding). */
char *sbx_desktop_launcher_exec (const SbxLauncherSpec *spec, char **app_argv);

/* The launcher written from the app's desktop file (@length bytes of @data, named @what in
 * errors): refused with one line when it is larger than SBX_DESKTOP_FILE_MAX, not UTF-8, not
 * a key file, has no [Desktop Entry] group, is not Type=Application or has no usable Exec. */
char *sbx_desktop_rewrite (const char *what, const char *data, gsize length,
                           const SbxLauncherSpec *spec, GError **error);

/* A launcher from scratch: Name=@spec->title (sandboxed), running @command (plain strings,
 * not in Exec's encoding; NULL: the profile's or image's command). */
char *sbx_desktop_minimal (const SbxLauncherSpec *spec, char **command);

/* The program of the app's Exec (its first argument, decoded), or NULL when @data is no
 * usable desktop file; *out_hidden: NoDisplay or Hidden is true.  For the search. */
char *sbx_desktop_exec_program (const char *data, gsize length, gboolean *out_hidden);

/* The Icon of the app's desktop file, NULL when it has none usable. */
char *sbx_desktop_app_icon (const char *data, gsize length);

G_END_DECLS
