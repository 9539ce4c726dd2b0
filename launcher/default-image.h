/* default-image.h: sbx's embedded default image, a static busybox compiled into the
 * binary (data/make-default-image.sh), imported on first use so `sbx run default` needs
 * no download. */
#pragma once

#include <glib.h>
#include "idmap.h"
#include "store.h"

G_BEGIN_DECLS

#define SBX_DEFAULT_IMAGE_NAME "default"

/* Imports the embedded image into @store as "default", inside a user namespace with @ids. */
gboolean sbx_default_image_import (SbxStore *store, const SbxIdLayout *ids, GError **error);

G_END_DECLS
