/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-netopts.c: --network and -p/--publish parsing. */
#include "netopts.h"
#include "sbx-error.h"

#include <arpa/inet.h>
#include <string.h>

static void
test_modes (void)
{
  static const struct {
    const char *value;
    SbxNetMode mode;
    gboolean loopback;
  } good[] = {
    { NULL, SBX_NET_SLIRP, FALSE },
    { "slirp", SBX_NET_SLIRP, FALSE },
    { "slirp:allow-host-loopback", SBX_NET_SLIRP, TRUE },
    { "none", SBX_NET_NONE, FALSE },
    { "host", SBX_NET_HOST, FALSE },
  };
  static const char * const bad[] = { "", "bridge", "none:allow-host-loopback", "slirp:bogus",
                                      "host:x", "slirp:" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      SbxNetOptions opts;
      sbx_net_options_init (&opts);
      g_assert_true (sbx_net_options_parse_mode (&opts, good[i].value, NULL));
      g_assert_cmpint (opts.mode, ==, good[i].mode);
      g_assert_cmpint (opts.allow_host_loopback, ==, good[i].loopback);
      sbx_net_options_clear (&opts);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      SbxNetOptions opts;
      sbx_net_options_init (&opts);
      g_assert_false (sbx_net_options_parse_mode (&opts, bad[i], &error));
      g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
      g_assert_nonnull (strstr (error->message, "--network="));
      sbx_net_options_clear (&opts);
    }
}

static void
test_publish_good (void)
{
  SbxNetOptions opts;
  const SbxPortForward *fwd;
  char host[INET_ADDRSTRLEN];

  sbx_net_options_init (&opts);
  g_assert_true (sbx_net_options_add_publish (&opts, "8080:80", NULL));
  g_assert_true (sbx_net_options_add_publish (&opts, "0.0.0.0:5353:53/udp", NULL));
  g_assert_true (sbx_net_options_add_publish (&opts, "65535:1/tcp", NULL));
  g_assert_cmpuint (opts.forwards->len, ==, 3);
  fwd = &g_array_index (opts.forwards, SbxPortForward, 0);
  inet_ntop (AF_INET, &fwd->host_addr, host, sizeof host);
  g_assert_cmpstr (host, ==, "127.0.0.1"); /* loopback unless an address is given */
  g_assert_cmpuint (fwd->host_port, ==, 8080);
  g_assert_cmpuint (fwd->guest_port, ==, 80);
  g_assert_false (fwd->is_udp);
  fwd = &g_array_index (opts.forwards, SbxPortForward, 1);
  inet_ntop (AF_INET, &fwd->host_addr, host, sizeof host);
  g_assert_cmpstr (host, ==, "0.0.0.0");
  g_assert_true (fwd->is_udp);
  g_assert_cmpuint (fwd->guest_port, ==, 53);
  g_assert_true (sbx_net_options_check (&opts, NULL));
  opts.mode = SBX_NET_NONE;
  g_assert_false (sbx_net_options_check (&opts, NULL));
  sbx_net_options_clear (&opts);
}

static void
test_publish_ipv6 (void)
{
  SbxNetOptions opts;
  const SbxPortForward *fwd;
  char host[INET6_ADDRSTRLEN];

  sbx_net_options_init (&opts);
  g_assert_true (sbx_net_options_add_publish (&opts, "[::1]:8080:80", NULL));
  g_assert_true (sbx_net_options_add_publish (&opts, "[::]:5353:53", NULL));
  g_assert_true (sbx_net_options_add_publish (&opts, "127.0.0.2:8081:81", NULL));
  fwd = &g_array_index (opts.forwards, SbxPortForward, 0);
  g_assert_cmpint (fwd->host_family, ==, AF_INET6);
  g_assert_cmpstr (sbx_port_forward_host (fwd, host, sizeof host), ==, "::1");
  g_assert_cmpuint (fwd->host_port, ==, 8080);
  g_assert_cmpuint (fwd->guest_port, ==, 80);
  g_assert_true (sbx_port_forward_is_loopback (fwd));
  fwd = &g_array_index (opts.forwards, SbxPortForward, 1);
  g_assert_cmpstr (sbx_port_forward_host (fwd, host, sizeof host), ==, "::");
  g_assert_false (sbx_port_forward_is_loopback (fwd));
  fwd = &g_array_index (opts.forwards, SbxPortForward, 2);
  g_assert_cmpint (fwd->host_family, ==, AF_INET);
  g_assert_true (sbx_port_forward_is_loopback (fwd)); /* all of 127.0.0.0/8 */
  sbx_net_options_clear (&opts);
}

static void
test_publish_bad (void)
{
  static const char * const bad[] = {
    "",
    "80",
    "abc",
    "0:80",
    "80:0",
    "70000:80",
    "80:70000",
    "80:80/sctp",
    "80:80/",
    "1.2.3:80:80",
    "::1:80:80",
    "a:b:c:d",
    "80:-1",
    "+80:80",
    " 80:80",
    "80:80 ",
    "8080:80/tcp/udp",
    "1.2.3.4:80",
    "[::1]:80",
    "[::1]8080:80",
    "[::1:8080:80",
    "[1.2.3.4]:8080:80",
    "[]:8080:80",
    "[::1]:1.2.3.4:8080:80",
    "[fe80::1%lo]:8080:80",
    "[::1]:5353:53/udp",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      SbxNetOptions opts;

      sbx_net_options_init (&opts);
      g_assert_false (sbx_net_options_add_publish (&opts, bad[i], &error));
      g_assert_error (error, SBX_ERROR, SBX_ERROR_INVALID_ARG);
      g_assert_true (g_str_has_prefix (error->message, "-p "));
      g_assert_cmpuint (opts.forwards->len, ==, 0);
      sbx_net_options_clear (&opts);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/netopts/modes", test_modes);
  g_test_add_func ("/netopts/publish-good", test_publish_good);
  g_test_add_func ("/netopts/publish-ipv6", test_publish_ipv6);
  g_test_add_func ("/netopts/publish-bad", test_publish_bad);
  return g_test_run ();
}
