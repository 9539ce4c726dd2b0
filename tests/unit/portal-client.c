/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* portal-client.c: the two ends of the portals for test-portal.sh.
 *   portal-client export APP_ID FILE [PERMISSION...]
 *       the host side, as the file chooser does once the user has picked:
 *       org.freedesktop.portal.Documents.AddFull for FILE, granting APP_ID (may be "": no app)
 *       the permissions given (read, write, ...); prints the document id
 *   portal-client pick TITLE
 *       the app's side, run inside: FileChooser.OpenFile, then waits (60 s) on the same
 *       connection for the request's Response; prints "response N" and each URI
 * Errors go to stderr, exit 1. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>

static void
on_response (GDBusConnection *bus, const char *sender, const char *path, const char *interface,
             const char *signal, GVariant *parameters, gpointer user_data)
{
  GVariant **out = user_data;

  *out = g_variant_ref (parameters);
}

static gboolean
on_timeout (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* The request's path is known before the call (handle_token), so the match comes first. */
static int
pick (const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr(GVariant) reply = NULL, results = NULL, uris = NULL;
  g_autofree char *sender = NULL, *path = NULL;
  GVariant *response = NULL;
  GVariantBuilder options;
  guint code;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  if (bus == NULL)
    return fprintf (stderr, "portal-client: %s\n", error->message), 1;
  sender = g_strdup (g_dbus_connection_get_unique_name (bus) + 1);
  g_strdelimit (sender, ".", '_');
  path = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/sbxpick", sender);
  g_dbus_connection_signal_subscribe (bus, "org.freedesktop.portal.Desktop", "org.freedesktop.portal.Request",
                                      "Response", path, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_response, &response,
                                      NULL);
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string ("sbxpick"));
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                                       "org.freedesktop.portal.FileChooser", "OpenFile",
                                       g_variant_new ("(ssa{sv})", "", title, &options), G_VARIANT_TYPE ("(o)"),
                                       G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  if (reply == NULL)
    return fprintf (stderr, "portal-client: OpenFile: %s\n", error->message), 1;
  while (response == NULL && g_get_monotonic_time () < deadline)
    {
      guint timer = g_timeout_add (200, on_timeout, NULL);
      g_main_context_iteration (NULL, TRUE);
      if (g_main_context_find_source_by_id (NULL, timer) != NULL)
        g_source_remove (timer);
    }
  if (response == NULL)
    return fprintf (stderr, "portal-client: no Response within 60 s\n"), 1;
  g_variant_get (response, "(u@a{sv})", &code, &results);
  printf ("response %u\n", code);
  if ((uris = g_variant_lookup_value (results, "uris", G_VARIANT_TYPE_STRING_ARRAY)) != NULL)
    for (gsize i = 0; i < g_variant_n_children (uris); i++)
      {
        const char *uri = NULL;

        g_variant_get_child (uris, i, "&s", &uri);
        printf ("%s\n", uri);
      }
  g_variant_unref (response);
  return 0;
}

static int export(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) ids = NULL;
  GVariantBuilder fd_handles, permissions;
  const char *doc_id = NULL;
  int fd, index;

  if (argc < 3)
    return fprintf (stderr, "usage: portal-client export APP_ID FILE [PERMISSION...]\n"), 1;
  if ((fd = open (argv[2], O_PATH | O_CLOEXEC)) < 0)
    return perror (argv[2]), 1;
  if ((index = g_unix_fd_list_append (fds, fd, &error)) < 0 ||
      (bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error)) == NULL)
    return fprintf (stderr, "portal-client: %s\n", error->message), 1;
  g_variant_builder_init (&fd_handles, G_VARIANT_TYPE ("ah"));
  g_variant_builder_add (&fd_handles, "h", index);
  g_variant_builder_init (&permissions, G_VARIANT_TYPE ("as"));
  for (int i = 3; i < argc; i++)
    g_variant_builder_add (&permissions, "s", argv[i]);
  /* flags 1: reuse an existing document for the same file */
  reply = g_dbus_connection_call_with_unix_fd_list_sync (bus, "org.freedesktop.portal.Documents",
                                                         "/org/freedesktop/portal/documents",
                                                         "org.freedesktop.portal.Documents", "AddFull",
                                                         g_variant_new ("(ahusas)", &fd_handles, 1u, argv[1],
                                                                        &permissions),
                                                         G_VARIANT_TYPE ("(asa{sv})"), G_DBUS_CALL_FLAGS_NONE,
                                                         30000, fds, NULL, NULL, &error);
  if (reply == NULL)
    return fprintf (stderr, "portal-client: %s\n", error->message), 1;
  ids = g_variant_get_child_value (reply, 0);
  if (g_variant_n_children (ids) != 1)
    return fprintf (stderr, "portal-client: %u document ids\n", (guint) g_variant_n_children (ids)), 1;
  g_variant_get_child (ids, 0, "&s", &doc_id);
  printf ("%s\n", doc_id);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "export") == 0)
    return export(argc - 1, argv + 1);
  if (argc == 3 && strcmp (argv[1], "pick") == 0)
    return pick (argv[2]);
  fprintf (stderr, "usage: portal-client export APP_ID FILE [PERMISSION...] | pick TITLE\n");
  return 1;
}
