/* doc-export.c: the host side of the document portal for test-portal.sh, as the file chooser
 * does it once the user has picked: org.freedesktop.portal.Documents.AddFull on the session
 * bus for FILE, granting APP_ID (may be "": no app) the permissions given (read, write, ...).
 *   doc-export APP_ID FILE [PERMISSION...]   prints the document id
 * Errors go to stderr, exit 1. */
#include <fcntl.h>
#include <stdio.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>

int
main (int argc, char **argv)
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
    return fprintf (stderr, "usage: doc-export APP_ID FILE [PERMISSION...]\n"), 1;
  if ((fd = open (argv[2], O_PATH | O_CLOEXEC)) < 0)
    return perror (argv[2]), 1;
  if ((index = g_unix_fd_list_append (fds, fd, &error)) < 0 ||
      (bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error)) == NULL)
    return fprintf (stderr, "doc-export: %s\n", error->message), 1;
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
    return fprintf (stderr, "doc-export: %s\n", error->message), 1;
  ids = g_variant_get_child_value (reply, 0);
  if (g_variant_n_children (ids) != 1)
    return fprintf (stderr, "doc-export: %u document ids\n", (guint) g_variant_n_children (ids)), 1;
  g_variant_get_child (ids, 0, "&s", &doc_id);
  printf ("%s\n", doc_id);
  return 0;
}
