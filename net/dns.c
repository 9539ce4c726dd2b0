/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dns.c: reading a DNS query and answer, and writing a refusal, defensively. */
#include "dns.h"
#include "wire.h"

#include <string.h>
#include <sys/socket.h>

#define HEADER_LEN 12
#define MAX_POINTERS 16
#define TYPE_A 1
#define TYPE_AAAA 28
#define CLASS_IN 1

static gboolean
label_char_ok (guint8 c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

/* Reads the name at @off (following at most MAX_POINTERS compression pointers) into @out
 * when @out is not NULL; sets *@out_next to the offset after the name where it started.
 * FALSE for names that run off the message, are too long, loop, or hold other bytes than
 * letters, digits, '-' and '_' (only when @out is given: names sbx only skips may hold any). */
static gboolean
read_name (const guint8 *msg, gsize len, gsize off, char *out, gsize *out_next)
{
  gsize used = 0, next = 0;
  guint hops = 0;

  for (;;)
    {
      guint8 n;

      if (off >= len)
        return FALSE;
      n = msg[off];
      if ((n & 0xc0) == 0xc0)
        {
          if (off + 1 >= len || ++hops > MAX_POINTERS)
            return FALSE;
          if (next == 0)
            next = off + 2;
          off = (gsize) (sbx_wire_get16 (msg + off) & 0x3fff);
          continue;
        }
      if (n & 0xc0)
        return FALSE; /* the obsolete label types */
      if (n == 0)
        break;
      if (off + 1 + n > len || used + n + 1 >= SBX_DNS_NAME_MAX)
        return FALSE;
      for (guint i = 0; out != NULL && i < n; i++)
        {
          if (!label_char_ok (msg[off + 1 + i]))
            return FALSE;
          out[used + (used > 0) + i] = (char) g_ascii_tolower (msg[off + 1 + i]);
        }
      if (out != NULL && used > 0)
        out[used] = '.';
      used += n + (used > 0);
      off += 1 + n;
    }
  if (out != NULL)
    out[used] = '\0';
  *out_next = next != 0 ? next : off + 1;
  return out == NULL || used > 0;
}

/* The header's one question: its name, type and where the question ends. */
static gboolean
read_question (const guint8 *msg, gsize len, char name[SBX_DNS_NAME_MAX], guint16 *out_qtype, gsize *out_end)
{
  gsize off;

  if (len < HEADER_LEN || sbx_wire_get16 (msg + 4) != 1)
    return FALSE;
  if (!read_name (msg, len, HEADER_LEN, name, &off) || off + 4 > len)
    return FALSE;
  *out_qtype = sbx_wire_get16 (msg + off);
  *out_end = off + 4;
  return TRUE;
}

gboolean
sbx_dns_parse_query (const guint8 *msg, gsize len, char name[SBX_DNS_NAME_MAX], guint16 *out_qtype)
{
  gsize end;

  if (len < HEADER_LEN || (msg[2] & 0x80) != 0 || (msg[2] & 0x78) != 0) /* an answer, or not QUERY */
    return FALSE;
  return read_question (msg, len, name, out_qtype, &end);
}

gboolean
sbx_dns_parse_answer (const guint8 *msg, gsize len, SbxDnsAddressFunc func, gpointer user_data, guint *out_count)
{
  char qname[SBX_DNS_NAME_MAX];
  guint16 qtype;
  gsize off;
  guint ancount, found = 0;

  *out_count = 0;
  if (len < HEADER_LEN || (msg[2] & 0x80) == 0 || !read_question (msg, len, qname, &qtype, &off))
    return FALSE;
  ancount = sbx_wire_get16 (msg + 6);
  for (guint i = 0; i < ancount; i++)
    {
      guint16 type, class, rdlen;

      if (!read_name (msg, len, off, NULL, &off) || off + 10 > len)
        return FALSE;
      type = sbx_wire_get16 (msg + off);
      class = sbx_wire_get16 (msg + off + 2);
      rdlen = sbx_wire_get16 (msg + off + 8);
      if (off + 10 + rdlen > len)
        return FALSE;
      if (class == CLASS_IN && ((type == TYPE_A && rdlen == 4) || (type == TYPE_AAAA && rdlen == 16)))
        {
          func (qname, type == TYPE_A ? AF_INET : AF_INET6, msg + off + 10, sbx_wire_get32 (msg + off + 4) & 0x7fffffff,
                user_data);
          *out_count = ++found;
        }
      off += 10 + rdlen;
    }
  return TRUE;
}

gsize
sbx_dns_make_refusal (const guint8 *query, gsize len, guint rcode, guint8 *out, gsize size)
{
  char name[SBX_DNS_NAME_MAX];
  guint16 qtype;
  gsize end;

  if (len < HEADER_LEN || (query[2] & 0x80) != 0 || !read_question (query, len, name, &qtype, &end) ||
      end > size)
    return 0;
  memcpy (out, query, end);
  out[2] = (guint8) (0x80 | (query[2] & 0x79)); /* QR, the opcode and RD as asked */
  out[3] = (guint8) (0x80 | (rcode & 0x0f));    /* RA */
  memset (out + 6, 0, 6);                       /* no answer, authority or additional records */
  return end;
}
