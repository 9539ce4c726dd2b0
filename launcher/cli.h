/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli.h: the command families of the sbx command line.  Each takes argv from its own
 * name on, returns the exit status, and sets @error instead of printing. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef int (*SbxCommandFunc) (int argc, char **argv, GError **error);

typedef struct {
  const char *name;
  const char *summary;
  SbxCommandFunc run;
} SbxCommand;

int sbx_cmd_run (int argc, char **argv, GError **error);
int sbx_cmd_image (int argc, char **argv, GError **error);
int sbx_cmd_profile (int argc, char **argv, GError **error);
int sbx_cmd_spec (int argc, char **argv, GError **error);
int sbx_cmd_version (int argc, char **argv, GError **error);
int sbx_cmd_ls (int argc, char **argv, GError **error);
int sbx_cmd_start (int argc, char **argv, GError **error);
int sbx_cmd_rm (int argc, char **argv, GError **error);
int sbx_cmd_system (int argc, char **argv, GError **error);
int sbx_cmd_stats (int argc, char **argv, GError **error);
int sbx_cmd_pull (int argc, char **argv, GError **error);
int sbx_cmd_desktop (int argc, char **argv, GError **error);
int sbx_cmd_explain (int argc, char **argv, GError **error);
int sbx_cmd_ps (int argc, char **argv, GError **error);
int sbx_cmd_stop (int argc, char **argv, GError **error);
int sbx_cmd_kill (int argc, char **argv, GError **error);
int sbx_cmd_exec (int argc, char **argv, GError **error);
int sbx_cmd_inspect (int argc, char **argv, GError **error);

/* Parses @argc/@argv with @entries; options stop at the first non-option when
 * @stop_at_first_arg.  Errors say which command they belong to. */
gboolean sbx_cli_parse (const char *command, const char *parameter_string, const char *summary,
                        const GOptionEntry *entries, gboolean stop_at_first_arg,
                        int *argc, char ***argv, GError **error);

/* --log-level=@value (log.h), given before the command or among its options. */
gboolean sbx_cli_set_log_level (const char *value, GError **error);

/* g_format_size_full with a plain space before the unit (GLib puts a no-break space there,
 * which breaks columns and scripts that read the output). */
char *sbx_format_size (guint64 bytes, GFormatSizeFlags flags);

/* FALSE with "@command: unexpected argument 'X'" when more than @max arguments follow
 * argv[0] (what sbx_cli_parse left). */
gboolean sbx_cli_at_most (const char *command, int argc, char **argv, int max, GError **error);

/* --format: NULL or "table" (*out_json FALSE), or "json"; anything else is an error
 * naming @command. */
gboolean sbx_cli_parse_format (const char *command, const char *format, gboolean *out_json, GError **error);

/* The --format option entry of a listing command, storing into @format (a char *). */
#define SBX_CLI_FORMAT_ENTRY(format) \
  { \
    "format", 0, 0, G_OPTION_ARG_STRING, (format), "table (default) or json (an array of objects)", "FORMAT" \
  }

/* Prints @json (what --format json shows) on stdout, indented. */
void sbx_cli_print_json (const json_t *json);

/* A duration as Podman (go-units' HumanDuration) words it: "Less than a second",
 * "5 seconds", "About a minute", "2 minutes", "About an hour", "3 hours", "2 days"... */
char *sbx_human_duration (gint64 seconds);

/* @unix_time as RFC 3339 in UTC: "2024-05-01T12:00:00Z". */
char *sbx_format_rfc3339 (gint64 unix_time);

/* Runs the subcommand argv[1] of @family ("image", "profile"); --help lists them. */
int sbx_cli_dispatch (const char *family, const SbxCommand *subcommands, gsize n_subcommands,
                      int argc, char **argv, GError **error);

G_END_DECLS
