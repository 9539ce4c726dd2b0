/* json-util.h: small json-glib helpers shared by the profile, spec, store and registry code:
 * typed member lookups that answer NULL for a NULL object, a missing member or a member of
 * another type, and a string-array member for a JsonBuilder. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

const char *sbx_json_get_string (JsonObject *object, const char *member);
JsonObject *sbx_json_get_object (JsonObject *object, const char *member);
JsonArray *sbx_json_get_array (JsonObject *object, const char *member);

/* Adds "@member": [@strv...]; nothing when @strv is NULL. */
void sbx_json_builder_add_strv (JsonBuilder *builder, const char *member, char **strv);

G_END_DECLS
