/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registry-client.c: the OCI distribution API with libcurl (see registry-client.h).
 *
 * Each request gets its own easy handle (the layer threads share nothing of curl's); the
 * client's mutable state (scheme, Authorization header) is behind a mutex.  Redirects are
 * followed (at most 5, http and https only; curl drops our Authorization header when the
 * host changes, as blob storage redirects need). */
#include "registry-client.h"

#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <gio/gio.h>
#include "json-util.h"

#include "fd-util.h"
#include "sbx-error.h"

#define MAX_ERROR_BODY (64 * 1024)
#define MAX_TOKEN_BODY (1024 * 1024)
#define USER_AGENT "sbx/0.1"

static const char manifest_accept[] =
  "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
  "application/vnd.docker.distribution.manifest.list.v2+json, "
  "application/vnd.docker.distribution.manifest.v2+json";

struct SbxRegistryClient {
  char *registry; /* for messages */
  char *host;     /* API host[:port] */
  char *repository;
  gboolean tls_verify;
  char *basic_auth; /* base64 user:pass from an auth file, or NULL */
  GMutex lock;
  char *scheme;        /* "https" or "http" */
  char *authorization; /* "Authorization: ..." header, or NULL */
};

/* One response. */
typedef struct {
  long status;
  GString *body; /* manifests, tokens, error bodies (bounded by @max_body) */
  gsize max_body;
  gboolean too_large;
  char *content_type;
  char *www_authenticate;
  char *content_range;
  SbxBlobSink *sink; /* 2xx bodies go here instead when set */
  gboolean sink_started;
  gboolean sink_error;
  char sink_message[160];
} Response;

static void
response_clear (Response *r)
{
  if (r->body)
    g_string_free (r->body, TRUE);
  g_free (r->content_type);
  g_free (r->www_authenticate);
  g_free (r->content_range);
}

gboolean
sbx_registry_client_global_init (GError **error)
{
  CURLcode rc = curl_global_init (CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "curl_global_init: %s", curl_easy_strerror (rc)), FALSE;
  return TRUE;
}

void
sbx_registry_client_free (SbxRegistryClient *client)
{
  if (client == NULL)
    return;
  g_free (client->registry);
  g_free (client->host);
  g_free (client->repository);
  g_free (client->basic_auth);
  g_free (client->scheme);
  g_free (client->authorization);
  g_mutex_clear (&client->lock);
  g_free (client);
}

/* ---------------------------------------------------------------------------
 * curl callbacks
 * ------------------------------------------------------------------------- */

static char *
header_value (const char *line, gsize len, const char *name)
{
  gsize n = strlen (name);
  if (len <= n || g_ascii_strncasecmp (line, name, n) != 0 || line[n] != ':')
    return NULL;
  return g_strstrip (g_strndup (line + n + 1, len - n - 1));
}

static size_t
on_header (char *data, size_t size, size_t nitems, void *user_data)
{
  Response *r = user_data;
  gsize len = size * nitems;
  char *v;

  if (len >= 5 && strncmp (data, "HTTP/", 5) == 0)
    {
      /* a new response (after a redirect or 100): forget the previous one's headers */
      g_clear_pointer (&r->content_type, g_free);
      g_clear_pointer (&r->www_authenticate, g_free);
      g_clear_pointer (&r->content_range, g_free);
    }
  else if ((v = header_value (data, len, "content-type")) != NULL)
    g_free (r->content_type), r->content_type = v;
  else if ((v = header_value (data, len, "www-authenticate")) != NULL)
    {
      if (r->www_authenticate == NULL) /* the first challenge */
        r->www_authenticate = v;
      else
        g_free (v);
    }
  else if ((v = header_value (data, len, "content-range")) != NULL)
    g_free (r->content_range), r->content_range = v;
  return len;
}

static gint64
content_range_start (const char *header)
{
  /* "bytes START-END/TOTAL" */
  if (header == NULL || !g_str_has_prefix (header, "bytes "))
    return -1;
  return g_ascii_strtoll (header + strlen ("bytes "), NULL, 10);
}

/* First body byte of a 2xx blob answer: honour or drop the Range. */
static gboolean
sink_begin (Response *r)
{
  SbxBlobSink *sink = r->sink;

  r->sink_started = TRUE;
  if (sink->offset > 0 && r->status == 206 && content_range_start (r->content_range) == sink->offset)
    return TRUE;
  if (sink->offset > 0 && r->status == 206)
    return g_snprintf (r->sink_message, sizeof r->sink_message, "the server answered the range request with the wrong range"), FALSE;
  if (sink->offset > 0)
    {
      /* 200: the whole blob again */
      if (ftruncate (sink->fd, 0) < 0 || lseek (sink->fd, 0, SEEK_SET) < 0)
        return g_snprintf (r->sink_message, sizeof r->sink_message, "truncating the partial download: %s",
                           g_strerror (errno)),
               FALSE;
      g_checksum_reset (sink->checksum);
      sink->offset = 0;
      sink->restarted = TRUE;
    }
  return TRUE;
}

static size_t
sink_write (Response *r, const char *data, size_t len)
{
  SbxBlobSink *sink = r->sink;
  g_autoptr(GError) error = NULL;

  if (!r->sink_started && !sink_begin (r))
    return r->sink_error = TRUE, 0;
  if (sink->offset + (gint64) len > sink->limit)
    return g_snprintf (r->sink_message, sizeof r->sink_message, "the blob is larger than its descriptor says (%" G_GINT64_FORMAT " bytes)", sink->limit), r->sink_error = TRUE, 0;
  if (!sbx_write_all (sink->fd, data, len, &error))
    return g_snprintf (r->sink_message, sizeof r->sink_message, "%s", error->message), r->sink_error = TRUE, 0;
  g_checksum_update (sink->checksum, (const guchar *) data, len);
  sink->offset += len;
  if (sink->progress)
    __atomic_store_n (sink->progress, sink->offset, __ATOMIC_RELAXED);
  return len;
}

static size_t
on_body (char *data, size_t size, size_t nitems, void *user_data)
{
  Response *r = user_data;
  gsize len = size * nitems;

  if (r->sink && r->status / 100 == 2)
    return sink_write (r, data, len);
  if (r->body->len + len > r->max_body)
    return r->too_large = TRUE, 0;
  g_string_append_len (r->body, data, len);
  return len;
}

static int
on_progress (void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  Response *r = user_data;
  return r->sink && r->sink->cancel && g_atomic_int_get (r->sink->cancel) ? 1 : 0;
}

/* ---------------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------------- */

static CURLcode
setup_handle (CURL *curl, SbxRegistryClient *client, const char *url, struct curl_slist *headers, Response *r)
{
  CURLcode rc = CURLE_OK;

#define SET(opt, val) \
  if (rc == CURLE_OK) \
  rc = curl_easy_setopt (curl, opt, val)
  SET (CURLOPT_URL, url);
  SET (CURLOPT_HTTPHEADER, headers);
  SET (CURLOPT_USERAGENT, USER_AGENT);
  SET (CURLOPT_FOLLOWLOCATION, 1L);
  SET (CURLOPT_MAXREDIRS, 5L);
  SET (CURLOPT_PROTOCOLS_STR, "http,https");
  SET (CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  SET (CURLOPT_NOSIGNAL, 1L);
  SET (CURLOPT_CONNECTTIMEOUT, 30L);
  SET (CURLOPT_LOW_SPEED_LIMIT, 1L);
  SET (CURLOPT_LOW_SPEED_TIME, 60L);
  SET (CURLOPT_SSL_VERIFYPEER, client->tls_verify ? 1L : 0L);
  SET (CURLOPT_SSL_VERIFYHOST, client->tls_verify ? 2L : 0L);
  SET (CURLOPT_WRITEFUNCTION, on_body);
  SET (CURLOPT_WRITEDATA, r);
  SET (CURLOPT_XFERINFOFUNCTION, on_progress);
  SET (CURLOPT_XFERINFODATA, r);
  SET (CURLOPT_NOPROGRESS, 0L);
#undef SET
  return rc;
}

/* The status is known before the first body byte: the header callback records it at the
 * blank line that ends each header block. */
typedef struct {
  Response *r;
  CURL *curl;
} HeaderCtx;

static size_t
on_header_status (char *data, size_t size, size_t nitems, void *user_data)
{
  HeaderCtx *ctx = user_data;
  long status = 0;

  if (size * nitems <= 2 && curl_easy_getinfo (ctx->curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
    ctx->r->status = status; /* end of a header block */
  return on_header (data, size, nitems, ctx->r);
}

/* Performs one GET of @url; fills @r.  FALSE only for transport errors. */
static gboolean
perform (SbxRegistryClient *client, const char *url, struct curl_slist *headers, Response *r,
         CURLcode *out_code, GError **error)
{
  CURL *curl = curl_easy_init ();
  HeaderCtx ctx = { r, curl };
  char errbuf[CURL_ERROR_SIZE] = "";
  CURLcode rc;

  if (curl == NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "curl_easy_init failed"), FALSE;
  r->status = 0;
  g_string_truncate (r->body, 0);
  rc = setup_handle (curl, client, url, headers, r);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, on_header_status);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt (curl, CURLOPT_HEADERDATA, &ctx);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  if (rc == CURLE_OK)
    rc = curl_easy_perform (curl);
  if (curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &r->status) != CURLE_OK)
    r->status = 0;
  curl_easy_cleanup (curl);
  *out_code = rc;
  if (rc == CURLE_OK)
    return TRUE;
  if (r->sink_error)
    g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "%s", r->sink_message);
  else if (r->too_large)
    g_set_error (error, SBX_ERROR, SBX_ERROR_BAD_IMAGE, "the answer is larger than %" G_GSIZE_FORMAT " bytes", r->max_body);
  else if (rc == CURLE_ABORTED_BY_CALLBACK)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  else
    g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "%s", *errbuf ? errbuf : curl_easy_strerror (rc));
  return FALSE;
}

/* The layer threads share the client: its scheme and credentials change under its lock. */
static char *
get_scheme (SbxRegistryClient *client)
{
  char *scheme;

  g_mutex_lock (&client->lock);
  scheme = g_strdup (client->scheme);
  g_mutex_unlock (&client->lock);
  return scheme;
}

static char *
get_authorization (SbxRegistryClient *client)
{
  char *authorization;

  g_mutex_lock (&client->lock);
  authorization = g_strdup (client->authorization);
  g_mutex_unlock (&client->lock);
  return authorization;
}

static void
set_authorization (SbxRegistryClient *client, char *header)
{
  g_mutex_lock (&client->lock);
  g_free (client->authorization);
  client->authorization = header;
  g_mutex_unlock (&client->lock);
}

/* @body with control characters inside its strings written as \u00XX escapes: registries
 * put raw ones in error messages, which JSON does not allow (the message is escaped again
 * before it is shown). */
static GString *
escape_string_controls (const GString *body)
{
  GString *out = g_string_sized_new (body->len);
  gboolean in_string = FALSE;

  for (gsize i = 0; i < body->len; i++)
    {
      guchar c = (guchar) body->str[i];
      if (in_string && c < 0x20)
        {
          if (c != 0) /* a NUL is refused even escaped (json-util.h): dropped */
            g_string_append_printf (out, "\\u%04x", c);
          continue;
        }
      if (c == '"')
        in_string = !in_string;
      g_string_append_c (out, (char) c);
      if (in_string && c == '\\' && i + 1 < body->len)
        g_string_append_c (out, body->str[++i]);
    }
  return out;
}

/* "code: message" of the first error in a registry's JSON error body, or NULL. */
static char *
registry_error_text (GString *body)
{
  g_autoptr(GString) lenient = escape_string_controls (body);
  g_autoptr(json_t) root = NULL;
  json_t *first;
  const char *code, *message;

  if ((root = sbx_json_parse_checked (lenient->str, lenient->len, NULL)) == NULL)
    return NULL;
  first = json_array_get (sbx_json_get_array (json_is_object (root) ? root : NULL, "errors"), 0);
  if (!json_is_object (first))
    first = NULL;
  code = sbx_json_get_string (first, "code");
  message = sbx_json_get_string (first, "message");
  if (code == NULL && message == NULL)
    return NULL;
  return g_strdup_printf ("%s%s%s", code ? code : "", code && message ? ": " : "", message ? message : "");
}

static gboolean
http_error (Response *r, const char *what, GError **error)
{
  g_autofree char *text = registry_error_text (r->body);
  g_autofree char *escaped = text ? g_strescape (text, NULL) : NULL;
  int code = r->status == 404 ? SBX_ERROR_NOT_FOUND : SBX_ERROR_FAILED;
  const char *hint = r->status == 401 ? " (authentication required)" : r->status == 403 ? " (access denied)"
                                                                                        : "";

  if (escaped && strlen (escaped) > 200)
    escaped[200] = '\0';
  g_set_error (error, SBX_ERROR, code, "%s: HTTP %ld%s%s%s", what, r->status, hint,
               escaped ? ": " : "", escaped ? escaped : "");
  return FALSE;
}

/* ---------------------------------------------------------------------------
 * Authentication
 * ------------------------------------------------------------------------- */

static char *
token_url (const SbxAuthChallenge *c, const char *default_scope)
{
  g_autoptr(GString) url = g_string_new (c->realm);
  const char *scope = c->scope ? c->scope : default_scope;
  char sep = strchr (c->realm, '?') ? '&' : '?';

  if (c->service)
    {
      g_autofree char *s = g_uri_escape_string (c->service, NULL, FALSE);
      g_string_append_printf (url, "%cservice=%s", sep, s);
      sep = '&';
    }
  if (scope)
    {
      g_autofree char *s = g_uri_escape_string (scope, NULL, FALSE);
      g_string_append_printf (url, "%cscope=%s", sep, s);
    }
  return g_string_free (g_steal_pointer (&url), FALSE);
}

static char *
parse_token (GString *body, GError **error)
{
  g_autoptr(json_t) root = sbx_json_parse_checked (body->str, body->len, NULL);
  const char *token;

  if (!json_is_object (root))
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "the token server's answer is not a JSON object"), NULL;
  token = sbx_json_get_string (root, "token");
  if (token == NULL)
    token = sbx_json_get_string (root, "access_token");
  if (token == NULL || *token == '\0' || strpbrk (token, "\r\n") != NULL)
    return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "the token server's answer has no token"), NULL;
  return g_strdup (token);
}

static gboolean
fetch_token (SbxRegistryClient *client, const SbxAuthChallenge *c, GError **error)
{
  g_autofree char *default_scope = g_strdup_printf ("repository:%s:pull", client->repository);
  g_autofree char *url = token_url (c, default_scope);
  g_autofree char *basic = client->basic_auth ? g_strconcat ("Authorization: Basic ", client->basic_auth, NULL) : NULL;
  struct curl_slist *headers = basic ? curl_slist_append (NULL, basic) : NULL;
  Response r = { .body = g_string_new (NULL), .max_body = MAX_TOKEN_BODY };
  g_autofree char *token = NULL;
  CURLcode code;
  gboolean ok;

  /* Credentials go to the realm the registry names: never in clear text unless the user
   * turned TLS checks off for this registry. */
  if (basic != NULL && client->tls_verify && !g_str_has_prefix (c->realm, "https://"))
    {
      curl_slist_free_all (headers);
      response_clear (&r);
      return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED, "token realm %s: credentials are only sent over "
                                                              "https (--tls-verify=false allows it)",
                          c->realm),
             FALSE;
    }
  ok = perform (client, url, headers, &r, &code, error);
  curl_slist_free_all (headers);
  if (ok && r.status / 100 != 2)
    ok = http_error (&r, "token request", error);
  if (ok && (token = parse_token (r.body, error)) == NULL)
    ok = FALSE;
  if (ok)
    set_authorization (client, g_strconcat ("Authorization: Bearer ", token, NULL));
  response_clear (&r);
  if (!ok)
    g_prefix_error (error, "token from %s: ", c->realm);
  return ok;
}

/* Answers a 401: TRUE when the request is worth retrying with new credentials. */
static gboolean
authenticate (SbxRegistryClient *client, Response *r, GError **error)
{
  g_autoptr(SbxAuthChallenge) c = NULL;

  if (r->www_authenticate == NULL)
    return http_error (r, "no WWW-Authenticate challenge with the 401", error);
  if ((c = sbx_auth_challenge_parse (r->www_authenticate, error)) == NULL)
    return FALSE;
  if (strcmp (c->scheme, "basic") == 0)
    {
      if (client->basic_auth == NULL)
        return g_set_error (error, SBX_ERROR, SBX_ERROR_FAILED,
                            "HTTP 401: the registry wants a user name and password (none in the auth files)"),
               FALSE;
      set_authorization (client, g_strconcat ("Authorization: Basic ", client->basic_auth, NULL));
      return TRUE;
    }
  return fetch_token (client, c, error);
}

/* GET https://host/v2/@path, answering one 401; @r holds the final answer. */
static gboolean
request (SbxRegistryClient *client, const char *path, const char *accept, Response *r, GError **error)
{
  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autofree char *scheme = get_scheme (client);
      g_autofree char *url = g_strdup_printf ("%s://%s/v2/%s", scheme, client->host, path);
      g_autofree char *auth = get_authorization (client);
      g_autofree char *range = r->sink && r->sink->offset > 0
                               ? g_strdup_printf ("Range: bytes=%" G_GINT64_FORMAT "-", r->sink->offset)
                               : NULL;
      struct curl_slist *headers = NULL;
      CURLcode code;
      gboolean ok;

      if (accept)
        headers = curl_slist_append (headers, accept);
      if (auth)
        headers = curl_slist_append (headers, auth);
      if (range)
        headers = curl_slist_append (headers, range);
      r->sink_started = FALSE;
      ok = perform (client, url, headers, r, &code, error);
      curl_slist_free_all (headers);
      if (!ok)
        return FALSE;
      if (r->status != 401 || attempt == 1)
        return TRUE;
      if (!authenticate (client, r, error))
        return FALSE;
    }
  return TRUE;
}

/* GET /v2/: reachability, and http instead of https when TLS is off and the server speaks none. */
static gboolean
ping (SbxRegistryClient *client, GError **error)
{
  Response r = { .body = g_string_new (NULL), .max_body = MAX_ERROR_BODY };
  g_autoptr(GError) local_error = NULL;
  g_autofree char *url = g_strdup_printf ("https://%s/v2/", client->host);
  CURLcode code = CURLE_OK;
  gboolean ok = perform (client, url, NULL, &r, &code, &local_error);

  if (!ok && !client->tls_verify && (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_RECV_ERROR))
    {
      g_clear_error (&local_error);
      g_free (client->scheme);
      client->scheme = g_strdup ("http");
      g_free (url);
      url = g_strdup_printf ("http://%s/v2/", client->host);
      ok = perform (client, url, NULL, &r, &code, &local_error);
    }
  response_clear (&r);
  if (!ok)
    return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
  return TRUE;
}

SbxRegistryClient *
sbx_registry_client_new (const SbxReference *ref, gboolean tls_verify, GError **error)
{
  g_autoptr(SbxRegistryClient) client = g_new0 (SbxRegistryClient, 1);

  g_mutex_init (&client->lock);
  client->registry = g_strdup (ref->registry);
  client->host = g_strdup (sbx_reference_api_host (ref));
  client->repository = g_strdup (ref->repository);
  client->tls_verify = tls_verify;
  client->scheme = g_strdup ("https");
  if (!sbx_registry_find_auth (ref->registry, &client->basic_auth, error) || !ping (client, error))
    return NULL;
  return g_steal_pointer (&client);
}

GBytes *
sbx_registry_client_get_manifest (SbxRegistryClient *client, const char *reference,
                                  char **out_content_type, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/manifests/%s", client->repository, reference);
  g_autofree char *what = g_strdup_printf ("manifest %s", reference);
  Response r = { .body = g_string_new (NULL), .max_body = SBX_REGISTRY_MAX_MANIFEST };
  GBytes *bytes = NULL;

  if (!request (client, path, manifest_accept, &r, error))
    g_prefix_error (error, "%s: ", what);
  else if (r.status != 200)
    http_error (&r, what, error);
  else
    {
      *out_content_type = g_steal_pointer (&r.content_type);
      bytes = g_bytes_new (r.body->str, r.body->len);
    }
  response_clear (&r);
  return bytes;
}

gboolean
sbx_registry_client_get_blob (SbxRegistryClient *client, const char *digest,
                              SbxBlobSink *sink, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/blobs/%s", client->repository, digest);
  g_autofree char *what = g_strdup_printf ("blob %s", digest);
  Response r = { .body = g_string_new (NULL), .max_body = MAX_ERROR_BODY, .sink = sink };
  gboolean ok = request (client, path, NULL, &r, error);

  if (!ok)
    g_prefix_error (error, "%s: ", what);
  else if (r.status / 100 != 2)
    ok = http_error (&r, what, error);
  response_clear (&r);
  return ok;
}
