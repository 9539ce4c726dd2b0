/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dns.h: the few DNS messages sbx reads and writes in the frame path: the sandbox's query
 * (its one question), the resolver's answer (its A and AAAA records, with their TTLs) and a
 * refusal made from a query.  Both directions are outside input: every length and pointer is
 * checked against the message, names are bounded, compression loops are cut. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SBX_DNS_NAME_MAX 254 /* dotted, with its NUL */
#define SBX_DNS_RCODE_NXDOMAIN 3
#define SBX_DNS_RCODE_REFUSED 5

/* The one question of a query: its name (lower case, dotted, no trailing dot) and type.
 * FALSE for anything else: an answer, several questions, a name of other than letters,
 * digits, '-' and '_'. */
gboolean sbx_dns_parse_query (const guint8 *msg, gsize len, char name[SBX_DNS_NAME_MAX], guint16 *out_qtype);

/* Called for each A (@family AF_INET, 4 bytes) and AAAA (AF_INET6, 16 bytes) record of an
 * answer, with the question's name. */
typedef void (*SbxDnsAddressFunc) (const char *qname, int family, const guint8 *addr, guint32 ttl,
                                   gpointer user_data);

/* Reads an answer (QR set, one question).  FALSE when it is malformed: then @func may have
 * been called for the records before the fault; callers that must not trust half an answer
 * collect first.  Returns the number of address records through @out_count. */
gboolean sbx_dns_parse_answer (const guint8 *msg, gsize len, SbxDnsAddressFunc func, gpointer user_data,
                               guint *out_count);

/* Writes into @out (of @size bytes) the answer to @query carrying @rcode and no records:
 * the header and question copied, QR and RA set.  Returns its length, 0 when the query
 * is not one sbx_dns_parse_query accepts or @out is too small. */
gsize sbx_dns_make_refusal (const guint8 *query, gsize len, guint rcode, guint8 *out, gsize size);

G_END_DECLS
