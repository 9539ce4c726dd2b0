/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lazy-load.c: the first call of a lazily bound library's function (lazy-load.h). */
#include "lazy-load.h"
#include "log.h"
#include "sbx-error.h"

#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

static G_NORETURN void
fail (const SbxLazyLibrary *library, const char *what)
{
  /* No GLib output machinery here: this may run anywhere, and must say one line. */
  fprintf (stderr, "sbx: error: cannot load %s: %s\n", library->soname, what != NULL ? what : "unknown error");
  _exit (SBX_EXIT_SBX_ERROR);
}

void *
sbx_lazy_resolve (const SbxLazyLibrary *library, unsigned int index)
{
  double start = sbx_log_enabled (SBX_LOG_DEBUG) ? sbx_log_elapsed_ms () : 0;
  void *handle = dlopen (library->soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);

  if (handle == NULL)
    fail (library, dlerror ());
  /* Two threads may get here at once: both store the same addresses. */
  for (unsigned int i = 0; i < library->n_names; i++)
    {
      void *function = dlsym (handle, library->names[i]);
      if (function == NULL)
        fail (library, dlerror ());
      __atomic_store_n (&library->slots[i], function, __ATOMIC_RELEASE);
    }
  sbx_debug ("sbx", "lazy-load", "%s loaded in %.3f ms (first call: %s)", library->soname,
             sbx_log_elapsed_ms () - start, library->names[index]);
  return library->slots[index];
}
