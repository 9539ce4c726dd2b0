/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.h: what sbx tells besides errors: a debug line per step of a run, from every process
 * of it (the supervisor, the setup child, init, the command before its exec, helpers), and
 * the `sbx: note:` / `sbx: warning:` lines.
 *
 * The level is the process environment's SBX_LOG ("debug", "info", "warn", "error"; unset:
 * warn), which `--log-level=LEVEL` sets once at start, before any fork, so every process of
 * the run sees the same; the sandboxed command's environment is built apart and never gets it.
 *
 * A debug line is
 *   sbx[PID] +12.345ms PROCESS: STEP: what it decided
 * with the CLOCK_MONOTONIC milliseconds since sbx started (SBX_LOG_T0, set once by main and
 * inherited by every process of the run, so one timeline for all), on stderr, written with one
 * write(2) from a stack buffer: safe in a child after fork, and lines of several processes
 * do not interleave.  Control characters and invalid UTF-8 in the text are escaped. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SBX_LOG_ERROR,
  SBX_LOG_WARN, /* the default: warnings and notes */
  SBX_LOG_INFO,
  SBX_LOG_DEBUG,
} SbxLogLevel;

#define SBX_LOG_ENV "SBX_LOG"
#define SBX_LOG_T0_ENV "SBX_LOG_T0" /* CLOCK_MONOTONIC nanoseconds at sbx's start */

/* "debug", "info", "warn" (or "warning"), "error"; FALSE with an error for anything else. */
gboolean sbx_log_level_parse (const char *name, SbxLogLevel *out, GError **error);

/* Sets SBX_LOG for this process and those it starts.  Call before any thread or fork. */
void sbx_log_set_level (SbxLogLevel level);

/* Marks now as the start of the debug lines' timeline (SBX_LOG_T0), unless @inherit and a
 * process of sbx set it already (a helper sbx started).  Call first thing in main. */
void sbx_log_mark_start (gboolean inherit);

/* CLOCK_MONOTONIC milliseconds since the mark (since boot when there is none). */
double sbx_log_elapsed_ms (void);

/* The level in force: SBX_LOG's, or SBX_LOG_WARN when it is unset or not a level. */
SbxLogLevel sbx_log_level (void);

/* TRUE when lines of @level are printed. */
gboolean sbx_log_enabled (SbxLogLevel level);

/* One debug line, when the level is debug.  @process: "supervisor", "setup", "init",
 * "command", "import"...; @step: the pipeline step, a short kebab-case name. */
void sbx_debug (const char *process, const char *step, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* "sbx: note: ..." and "sbx: warning: ..." (escaped), unless the level is below warn. */
void sbx_note (const char *format, ...) G_GNUC_PRINTF (1, 2);
void sbx_warning (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Routes GLib's g_debug/g_message/g_warning of this process into sbx's format (debug lines
 * under process @process, warnings as sbx_warning).  Call once, from main. */
void sbx_log_install_glib_writer (const char *process);

G_END_DECLS
