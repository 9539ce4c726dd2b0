/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-netrules.c: the per-app network rules: parsing (common/netrule.c), decisions and the
 * names' addresses (net/rules.c), the frame path's answers (net/rules-path.c, net/frame.c)
 * and the DNS reader (net/dns.c). */
#include "dns.h"
#include "frame.h"
#include "netopts.h"
#include "netrule.h"
#include "rules.h"
#include "sbx-error.h"

#include <arpa/inet.h>
#include <string.h>

static void
test_parse_good (void)
{
  static const struct {
    const char *text;
    SbxNetProto proto;
    SbxNetDestKind kind;
    guint prefix;
    guint16 lo, hi;
    const char *words;
  } good[] = {
    { "tcp:10.0.0.0/8:443", SBX_NET_PROTO_TCP, SBX_NET_DEST_IP4, 8, 443, 443, "allow TCP to 10.0.0.0/8, port 443" },
    { "10.1.2.3/8", SBX_NET_PROTO_ANY, SBX_NET_DEST_IP4, 8, 0, 0, "allow everything to 10.0.0.0/8" },
    { "1.2.3.4", SBX_NET_PROTO_ANY, SBX_NET_DEST_IP4, 32, 0, 0, "allow everything to 1.2.3.4" },
    { "udp:[fd00::]/8:53-60", SBX_NET_PROTO_UDP, SBX_NET_DEST_IP6, 8, 53, 60, "allow UDP to fd00::/8, ports 53-60" },
    { "[::1]:22", SBX_NET_PROTO_ANY, SBX_NET_DEST_IP6, 128, 22, 22, "allow everything to ::1, port 22" },
    { "*.Example.org:443", SBX_NET_PROTO_ANY, SBX_NET_DEST_NAME, 0, 443, 443,
      "allow everything to every name below example.org (as resolved by the sandbox's DNS), port 443" },
    { "icmp:*", SBX_NET_PROTO_ICMP, SBX_NET_DEST_ANY, 0, 0, 0, "allow ICMP to every destination" },
    { "UDP:*:1-65535", SBX_NET_PROTO_UDP, SBX_NET_DEST_ANY, 0, 1, 65535, "allow UDP to every destination, ports 1-65535" },
    { "_srv.example.org.", SBX_NET_PROTO_ANY, SBX_NET_DEST_NAME, 0, 0, 0,
      "allow everything to the name _srv.example.org (as resolved by the sandbox's DNS)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SbxNetRule) rule = sbx_net_rule_parse (good[i].text, FALSE, "--net-allow", &error);
      g_autofree char *words = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (rule->proto, ==, good[i].proto);
      g_assert_cmpint (rule->kind, ==, good[i].kind);
      if (good[i].kind == SBX_NET_DEST_IP4 || good[i].kind == SBX_NET_DEST_IP6)
        g_assert_cmpuint (rule->prefix, ==, good[i].prefix);
      g_assert_cmpuint (rule->port_lo, ==, good[i].lo);
      g_assert_cmpuint (rule->port_hi, ==, good[i].hi);
      words = sbx_net_rule_describe (rule);
      g_assert_cmpstr (words, ==, good[i].words);
    }
}

static void
test_parse_bad (void)
{
  static const char * const bad[] = { "", "tcp:", "*:0", "*:65536", "*:5-4", "*:1-2-3", "*:x", "10.0.0.0/33",
                                      "10.0.0.0/", "1.2.3", "1.2.3.4.5", "[fd00::/8", "[fd00::]/129", "[zz::]",
                                      "fd00::1", "*.ex*ample.org", "-a.org", "a..org", "a b.org", "icmp:*:1",
                                      "tcp:*:", "a.org:80:90", "\x01.org", "*.", "sctp:*" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SbxNetRule) rule = sbx_net_rule_parse (bad[i], TRUE, "--net-deny", &error);

      if (rule != NULL)
        g_error ("'%s' was accepted", bad[i]);
      g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
      g_assert_true (g_str_has_prefix (error->message, "--net-deny "));
    }
}

static void
test_name_match (void)
{
  g_autoptr(SbxNetRule) wild = sbx_net_rule_parse ("*.example.org", FALSE, "x", NULL);
  g_autoptr(SbxNetRule) exact = sbx_net_rule_parse ("example.org", FALSE, "x", NULL);

  g_assert_true (sbx_net_rule_matches_name (wild, "a.example.org"));
  g_assert_true (sbx_net_rule_matches_name (wild, "a.b.EXAMPLE.org."));
  g_assert_false (sbx_net_rule_matches_name (wild, "example.org"));
  g_assert_false (sbx_net_rule_matches_name (wild, "aexample.org"));
  g_assert_false (sbx_net_rule_matches_name (wild, "example.org.evil"));
  g_assert_true (sbx_net_rule_matches_name (exact, "example.org"));
  g_assert_true (sbx_net_rule_matches_name (exact, "Example.Org."));
  g_assert_false (sbx_net_rule_matches_name (exact, "a.example.org"));
}

/* A filter over @rules ("+allow" or "-deny"), lan as given. */
static SbxNetFilter *
make_filter (const char * const *rules, gboolean lan, GPtrArray *sent)
{
  SbxNetOptions opts;
  SbxNetFilter *f;

  sbx_net_options_init (&opts);
  opts.lan = lan;
  for (guint i = 0; rules[i] != NULL; i++)
    g_assert_true (sbx_net_options_add_rule (&opts, rules[i] + 1, rules[i][0] == '-', "test", NULL));
  f = sbx_net_filter_new (&opts, NULL, sent);
  sbx_net_options_clear (&opts);
  return f;
}

static gboolean
decide (SbxNetFilter *f, const char *addr, SbxNetProto proto, guint16 port)
{
  guint8 a[16];
  const char *why;
  int family = strchr (addr, ':') != NULL ? AF_INET6 : AF_INET;

  g_assert_cmpint (inet_pton (family, addr, a), ==, 1);
  return sbx_net_filter_decide (f, family, a, proto, port, &why);
}

static void
test_decide (void)
{
  static const char * const rules[] = { "+tcp:10.0.0.0/8:443", "-10.1.0.0/16", "+udp:[2001:db8::]/32:53-60",
                                        "+*.example.org", "-bad.example.org", "+icmp:192.0.2.1", NULL };
  g_autoptr(SbxNetFilter) f = make_filter (rules, TRUE, NULL);
  guint8 a[4] = { 198, 51, 100, 7 }, b[4] = { 198, 51, 100, 8 };
  const char *why;

  g_assert_true (decide (f, "10.2.3.4", SBX_NET_PROTO_TCP, 443));
  g_assert_false (decide (f, "10.2.3.4", SBX_NET_PROTO_TCP, 444));
  g_assert_false (decide (f, "10.2.3.4", SBX_NET_PROTO_UDP, 443));
  g_assert_false (decide (f, "10.1.3.4", SBX_NET_PROTO_TCP, 443)); /* deny wins */
  g_assert_true (decide (f, "2001:db8::1", SBX_NET_PROTO_UDP, 60));
  g_assert_false (decide (f, "2001:db8::1", SBX_NET_PROTO_UDP, 61));
  g_assert_false (decide (f, "2001:db9::1", SBX_NET_PROTO_UDP, 53));
  g_assert_true (decide (f, "192.0.2.1", SBX_NET_PROTO_ICMP, 0));
  g_assert_false (decide (f, "192.0.2.1", SBX_NET_PROTO_TCP, 80));
  /* names, by the addresses they resolved to */
  g_assert_false (sbx_net_filter_decide (f, AF_INET, a, SBX_NET_PROTO_TCP, 80, &why));
  g_assert_cmpstr (why, ==, "no allow rule matches");
  sbx_net_filter_note_address (f, "www.example.org", AF_INET, a, 60);
  sbx_net_filter_note_address (f, "bad.example.org", AF_INET, b, 60);
  g_assert_true (sbx_net_filter_decide (f, AF_INET, a, SBX_NET_PROTO_TCP, 80, &why));
  g_assert_cmpstr (why, ==, "*.example.org");
  g_assert_false (sbx_net_filter_decide (f, AF_INET, b, SBX_NET_PROTO_TCP, 80, &why));
  g_assert_cmpstr (why, ==, "bad.example.org");
  g_assert_false (sbx_net_filter_name_refused (f, "www.example.org", &why));
  g_assert_true (sbx_net_filter_name_refused (f, "bad.example.org", &why));
  g_assert_false (sbx_net_filter_name_refused (f, "other.org", &why)); /* address rules: any name may resolve */
}

static void
test_lan (void)
{
  static const char * const none[] = { NULL };
  static const char * const open10[] = { "+10.9.0.0/16", "+*", "+lan.example", NULL };
  g_autoptr(SbxNetFilter) closed = make_filter (none, FALSE, NULL);
  g_autoptr(SbxNetFilter) open = make_filter (open10, FALSE, NULL);
  guint8 a[4] = { 10, 8, 0, 1 };

  for (const char * const *p = (const char * const[]) { "10.9.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                                                        "169.254.1.1", "100.64.0.1", "100.127.255.255", "fd00:77::1",
                                                        "fc00::1", "fe80::1", NULL };
       *p != NULL; p++)
    if (decide (closed, *p, SBX_NET_PROTO_TCP, 80))
      g_error ("lan false let %s through", *p);
  for (const char * const *p = (const char * const[]) { "172.32.0.1", "100.128.0.1", "203.0.113.1", "2001:db8::1",
                                                        "10.0.2.2", "fd00::2", NULL };
       *p != NULL; p++)
    if (!decide (closed, *p, SBX_NET_PROTO_TCP, 80))
      g_error ("lan false refused %s", *p);
  g_assert_true (decide (open, "10.9.1.1", SBX_NET_PROTO_TCP, 80));  /* named by an allow rule */
  g_assert_false (decide (open, "10.8.1.1", SBX_NET_PROTO_TCP, 80)); /* "*" does not open the LAN */
  sbx_net_filter_note_address (open, "lan.example", AF_INET, a, 60); /* nor does a name (rebinding) */
  g_assert_false (decide (open, "10.8.0.1", SBX_NET_PROTO_TCP, 80));
}

/* ---- the frame path ---------------------------------------------------------------------- */

static void
collect_frame (const guint8 *frame, gsize len, gpointer user_data)
{
  g_ptr_array_add (user_data, g_bytes_new (frame, len));
}

static SbxNetFilter *
make_sending_filter (const char * const *rules, GPtrArray *sent)
{
  SbxNetOptions opts;
  SbxNetFilter *f;

  sbx_net_options_init (&opts);
  for (guint i = 0; rules[i] != NULL; i++)
    g_assert_true (sbx_net_options_add_rule (&opts, rules[i] + 1, rules[i][0] == '-', "test", NULL));
  f = sbx_net_filter_new (&opts, collect_frame, sent);
  sbx_net_options_clear (&opts);
  return f;
}

/* An IPv4 frame from 10.0.2.100 to @dst carrying @l4 (its checksums are not checked here). */
static gsize
ip4_frame (guint8 *out, const char *dst, guint8 proto, const guint8 *l4, gsize l4_len)
{
  memset (out, 0, 34);
  out[12] = 0x08;
  out[14] = 0x45;
  out[16] = (guint8) ((20 + l4_len) >> 8);
  out[17] = (guint8) (20 + l4_len);
  out[22] = 64;
  out[23] = proto;
  inet_pton (AF_INET, "10.0.2.100", out + 26);
  inet_pton (AF_INET, dst, out + 30);
  memcpy (out + 34, l4, l4_len);
  return 34 + l4_len;
}

static void
test_frame_rst (void)
{
  static const char * const rules[] = { "+203.0.113.10", NULL };
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(SbxNetFilter) f = make_sending_filter (rules, sent);
  guint8 syn[20] = { 0x9c, 0x40, 0x1f, 0x90, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x50, 0x02 };
  guint8 frame[128];
  gsize len = ip4_frame (frame, "198.51.100.7", 6, syn, sizeof syn);
  const guint8 *rst;
  SbxFrame pkt;

  g_assert_false (sbx_net_filter_outbound (f, frame, len));
  g_assert_cmpuint (sent->len, ==, 1);
  rst = g_bytes_get_data (g_ptr_array_index (sent, 0), NULL);
  g_assert_cmpint (sbx_frame_parse (rst, g_bytes_get_size (g_ptr_array_index (sent, 0)), &pkt), ==, SBX_FRAME_IP);
  g_assert_cmpuint (pkt.sport, ==, 8080);
  g_assert_cmpuint (pkt.dport, ==, 40000);
  g_assert_cmpuint (pkt.tcp_flags, ==, 0x14);                                                      /* RST+ACK */
  g_assert_cmpuint (pkt.l4[8] << 24 | pkt.l4[9] << 16 | pkt.l4[10] << 8 | pkt.l4[11], ==, 0x1001); /* its sequence number + 1 (the SYN) */
  /* allowed: on to libslirp; a segment of an existing connection is not looked at */
  len = ip4_frame (frame, "203.0.113.10", 6, syn, sizeof syn);
  g_assert_true (sbx_net_filter_outbound (f, frame, len));
  syn[13] = 0x10;
  len = ip4_frame (frame, "198.51.100.7", 6, syn, sizeof syn);
  g_assert_true (sbx_net_filter_outbound (f, frame, len));
  g_assert_cmpuint (sent->len, ==, 1);
  /* a fragment is not read, so not let through */
  frame[20] = 0x20;
  g_assert_false (sbx_net_filter_outbound (f, frame, len));
}

/* With an allow list, the replies of a published UDP service still reach its clients. */
static void
test_published_udp (void)
{
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint8 udp[12] = { 0x14, 0xe9, 0xc3, 0x50, 0, 12 }; /* 5353 -> 50000 */
  guint8 frame[128];
  gsize len = ip4_frame (frame, "10.0.2.2", 17, udp, sizeof udp);
  g_autoptr(SbxNetFilter) f = NULL;
  SbxNetOptions opts;

  sbx_net_options_init (&opts);
  g_assert_true (sbx_net_options_add_rule (&opts, "203.0.113.10", FALSE, "test", NULL));
  g_assert_true (sbx_net_options_add_publish (&opts, "5353:5353/udp", NULL));
  f = sbx_net_filter_new (&opts, collect_frame, sent);
  sbx_net_options_clear (&opts);
  g_assert_true (sbx_net_filter_outbound (f, frame, len));
  udp[1] = 0xea; /* from 5354: a flow of its own, not in the allow list */
  len = ip4_frame (frame, "10.0.2.2", 17, udp, sizeof udp);
  g_assert_false (sbx_net_filter_outbound (f, frame, len));
  g_assert_cmpuint (sent->len, ==, 0); /* dropped, not answered */
}

/* A query for @name (A) in @out. */
static gsize
dns_query (guint8 *out, const char *name)
{
  g_auto(GStrv) labels = g_strsplit (name, ".", -1);
  gsize n = 12;

  memset (out, 0, 12);
  out[0] = 0x12;
  out[1] = 0x34;
  out[2] = 0x01;
  out[5] = 1;
  for (char **l = labels; *l != NULL; l++)
    {
      out[n++] = (guint8) strlen (*l);
      memcpy (out + n, *l, strlen (*l));
      n += strlen (*l);
    }
  out[n++] = 0;
  out[n++] = 0;
  out[n++] = 1;
  out[n++] = 0;
  out[n++] = 1;
  return n;
}

static void
test_frame_dns (void)
{
  static const char * const rules[] = { "+*.example.org", NULL };
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(SbxNetFilter) f = make_sending_filter (rules, sent);
  guint8 udp[300] = { 0x9c, 0x40, 0, 53 };
  guint8 frame[400], answer[300];
  gsize qlen = dns_query (udp + 8, "other.org"), len;
  SbxFrame pkt;
  char name[SBX_DNS_NAME_MAX];
  guint16 qtype;

  udp[5] = (guint8) (8 + qlen);
  len = ip4_frame (frame, "10.0.2.3", 17, udp, 8 + qlen);
  g_assert_false (sbx_net_filter_outbound (f, frame, len));
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpint (sbx_frame_parse (g_bytes_get_data (g_ptr_array_index (sent, 0), NULL),
                                    g_bytes_get_size (g_ptr_array_index (sent, 0)), &pkt),
                   ==, SBX_FRAME_IP);
  g_assert_cmpuint (pkt.sport, ==, 53);
  g_assert_cmpuint (pkt.payload[3] & 0x0f, ==, SBX_DNS_RCODE_NXDOMAIN);
  g_assert_true (pkt.payload[2] & 0x80);
  /* an allowed name goes on to the resolver */
  qlen = dns_query (udp + 8, "www.example.org");
  udp[5] = (guint8) (8 + qlen);
  len = ip4_frame (frame, "10.0.2.3", 17, udp, 8 + qlen);
  g_assert_true (sbx_net_filter_outbound (f, frame, len));
  g_assert_true (sbx_dns_parse_query (udp + 8, qlen, name, &qtype));
  g_assert_cmpstr (name, ==, "www.example.org");
  /* its answer, read on the way back, opens the address */
  memcpy (answer, udp + 8, qlen);
  answer[2] = 0x81;
  answer[3] = 0x80;
  answer[7] = 1;
  memcpy (answer + qlen, (guint8[]) { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 9 }, 16);
  memcpy (udp + 8, answer, qlen + 16);
  udp[0] = 0;
  udp[1] = 53;
  udp[2] = 0x9c;
  udp[3] = 0x40;
  udp[5] = (guint8) (8 + qlen + 16);
  len = ip4_frame (frame, "10.0.2.100", 17, udp, 8 + qlen + 16);
  inet_pton (AF_INET, "10.0.2.3", frame + 26);
  g_assert_false (decide (f, "198.51.100.9", SBX_NET_PROTO_TCP, 443));
  sbx_net_filter_inbound (f, frame, len);
  g_assert_true (decide (f, "198.51.100.9", SBX_NET_PROTO_TCP, 443));
  g_assert_false (decide (f, "198.51.100.10", SBX_NET_PROTO_TCP, 443));
}

static void
count_address (const char *qname, int family, const guint8 *addr, guint32 ttl, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_dns_hostile (void)
{
  guint8 msg[64] = { 0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0xc0, 12 }; /* the question points at itself */
  guint8 loop[64] = { 0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1, 0xc0, 19 };
  guint8 out[64];
  char name[SBX_DNS_NAME_MAX];
  guint16 qtype;
  guint n = 0, count;

  g_assert_false (sbx_dns_parse_answer (msg, sizeof msg, count_address, &n, &count));
  g_assert_false (sbx_dns_parse_answer (loop, 21, count_address, &n, &count));
  g_assert_false (sbx_dns_parse_answer (loop, 3, count_address, &n, &count));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (sbx_dns_parse_query (loop, sizeof loop, name, &qtype)); /* an answer */
  loop[2] = 0x01;
  loop[13] = '.'; /* a dot inside a label would read as another name */
  g_assert_false (sbx_dns_parse_query (loop, 19, name, &qtype));
  g_assert_cmpuint (sbx_dns_make_refusal (loop, 19, SBX_DNS_RCODE_REFUSED, out, sizeof out), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/netrules/parse-good", test_parse_good);
  g_test_add_func ("/netrules/parse-bad", test_parse_bad);
  g_test_add_func ("/netrules/name-match", test_name_match);
  g_test_add_func ("/netrules/decide", test_decide);
  g_test_add_func ("/netrules/lan", test_lan);
  g_test_add_func ("/netrules/frame-rst", test_frame_rst);
  g_test_add_func ("/netrules/frame-dns", test_frame_dns);
  g_test_add_func ("/netrules/published-udp", test_published_udp);
  g_test_add_func ("/netrules/dns-hostile", test_dns_hostile);
  return g_test_run ();
}
