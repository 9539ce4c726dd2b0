/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wire.h: network byte order in frames and DNS messages, read and written byte by byte
 * (no alignment assumed). */
#pragma once

#include <glib.h>

static inline guint16
sbx_wire_get16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static inline guint32
sbx_wire_get32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static inline void
sbx_wire_put16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static inline void
sbx_wire_put32 (guint8 *p, guint32 v)
{
  sbx_wire_put16 (p, (guint16) (v >> 16));
  sbx_wire_put16 (p + 2, (guint16) v);
}
