/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.c: debug lines, notes and warnings (log.h). */
#include "log.h"
#include "escape.h"
#include "sbx-error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char * const level_names[] = {
  [SBX_LOG_ERROR] = "error",
  [SBX_LOG_WARN] = "warn",
  [SBX_LOG_INFO] = "info",
  [SBX_LOG_DEBUG] = "debug",
};

gboolean
sbx_log_level_parse (const char *name, SbxLogLevel *out, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (level_names); i++)
    if (g_strcmp0 (name, level_names[i]) == 0)
      {
        *out = (SbxLogLevel) i;
        return TRUE;
      }
  if (g_strcmp0 (name, "warning") == 0)
    {
      *out = SBX_LOG_WARN;
      return TRUE;
    }
  g_set_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG,
               "--log-level=%s: unknown level (expected debug, info, warn or error)", name);
  return FALSE;
}

void
sbx_log_set_level (SbxLogLevel level)
{
  g_setenv (SBX_LOG_ENV, level_names[level], TRUE);
}

static gint64
monotonic_ns (void)
{
  struct timespec now;

  clock_gettime (CLOCK_MONOTONIC, &now);
  return (gint64) now.tv_sec * G_GINT64_CONSTANT (1000000000) + now.tv_nsec;
}

void
sbx_log_mark_start (gboolean inherit)
{
  char value[32];

  if (inherit && getenv (SBX_LOG_T0_ENV) != NULL)
    return;
  snprintf (value, sizeof value, "%" G_GINT64_FORMAT, monotonic_ns ());
  g_setenv (SBX_LOG_T0_ENV, value, TRUE);
}

/* getenv and strtoll: no allocation, so a child after fork may ask. */
double
sbx_log_elapsed_ms (void)
{
  const char *t0 = getenv (SBX_LOG_T0_ENV);
  gint64 start = t0 != NULL ? strtoll (t0, NULL, 10) : 0;

  return (double) (monotonic_ns () - start) / 1e6;
}

/* getenv, not g_getenv: no allocation, so a child after fork may ask. */
SbxLogLevel
sbx_log_level (void)
{
  const char *value = getenv (SBX_LOG_ENV);

  for (gsize i = 0; value != NULL && i < G_N_ELEMENTS (level_names); i++)
    if (strcmp (value, level_names[i]) == 0)
      return (SbxLogLevel) i;
  return SBX_LOG_WARN;
}

gboolean
sbx_log_enabled (SbxLogLevel level)
{
  return sbx_log_level () >= level;
}

/* Formats @prefix and the message into a stack buffer, escaped, and writes it at once. */
static void write_line (const char *prefix, const char *format, va_list args) G_GNUC_PRINTF (2, 0);

static void
write_line (const char *prefix, const char *format, va_list args)
{
  char message[2048], line[4096];
  int n = vsnprintf (message, sizeof message, format, args);
  gsize len = strlen (prefix);

  if (n < 0)
    return;
  if (len >= sizeof line - 2)
    len = sizeof line - 2;
  memcpy (line, prefix, len);
  len += sbx_escape_into (message, strlen (message), line + len, sizeof line - len - 1);
  line[len++] = '\n';
  (void) !write (STDERR_FILENO, line, len);
}

void
sbx_debug (const char *process, const char *step, const char *format, ...)
{
  char prefix[256];
  va_list args;

  if (!sbx_log_enabled (SBX_LOG_DEBUG))
    return;
  snprintf (prefix, sizeof prefix, "sbx[%ld] +%.3fms %s: %s: ", (long) getpid (), sbx_log_elapsed_ms (), process,
            step);
  va_start (args, format);
  write_line (prefix, format, args);
  va_end (args);
}

void
sbx_note (const char *format, ...)
{
  va_list args;

  if (!sbx_log_enabled (SBX_LOG_WARN))
    return;
  va_start (args, format);
  write_line ("sbx: note: ", format, args);
  va_end (args);
}

void
sbx_warning (const char *format, ...)
{
  va_list args;

  if (!sbx_log_enabled (SBX_LOG_WARN))
    return;
  va_start (args, format);
  write_line ("sbx: warning: ", format, args);
  va_end (args);
}

static GLogWriterOutput
glib_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      message = fields[i].value;
  if (message == NULL)
    return G_LOG_WRITER_UNHANDLED;
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    sbx_warning ("%s", message);
  else
    sbx_debug (user_data, "glib", "%s", message);
  return G_LOG_WRITER_HANDLED;
}

void
sbx_log_install_glib_writer (const char *process)
{
  g_log_set_writer_func (glib_writer, (gpointer) process, NULL);
}
