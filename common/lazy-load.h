/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lazy-load.h: libraries bound on the first call of one of their functions, not at exec.
 *
 * Mapping and relocating a shared library costs page faults in every run, and GIO brings
 * six libraries of its own (GObject, gmodule, libmount, libblkid, libselinux, libffi) that
 * most runs never call: sbx needs GIO only to talk D-Bus (the systemd scope, portals) and
 * to read the built-in profiles on a profile-cache miss.  So the sbx binary does not link
 * GIO or GObject: it links stubs (tools/lazy-stubs.py, from launcher/lazy-symbols.txt) that
 * dlopen the library on the first call and jump on; later calls take one indirect jump.
 * The other programs (sbx-import, tests, fuzzers) link the libraries as usual.
 *
 * A stub runs in whatever process first calls it; the setup child, init and the command
 * call none of these functions (a call there would find no library past pivot_root, and
 * ends that process with one clear line and status 125). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One library's stubs, as tools/lazy-stubs.py lays them out (read-only but its slots). */
typedef struct {
  const char *soname;
  const char * const *names; /* the functions, by index */
  void **slots;              /* where each stub jumps: the resolver's thunk, then the function */
  unsigned int n_names;
} SbxLazyLibrary;

/* Called by a stub's first call: loads @library, points every slot at its function and
 * answers the one of @index.  Never returns when the library or a function is missing. */
void *sbx_lazy_resolve (const SbxLazyLibrary *library, unsigned int index);

G_END_DECLS
