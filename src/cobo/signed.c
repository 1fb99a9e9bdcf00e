/*
 * signed.c - signed Cobo API requests (cobocred.h): a token from the
 * lifecycle, a nonce from the clock, the signature from the module that
 * owns the app key; and send with one recovery from a rejected token.
 *
 * The core never sees the app secret: it passes the request to the
 * module's sign op and gets back the public key and the signature.  The
 * token and the header lines that carry it live in host secret memory.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cobocred.h"
#include "core.h"
#include "reqops.h"
#include "secret.h"

#define METHOD_MAX 16

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

const char *cobocred_request_refusal(const struct cobocred_http_request *req)
{
	size_t i;

	if (req == NULL || req->struct_size < sizeof(struct cobocred_http_request))
		return "the request is not a struct cobocred_http_request";
	if (req->method == NULL || req->method[0] == '\0')
		return "the request has no method";
	for (i = 0; req->method[i] != '\0'; i++)
		if (i >= METHOD_MAX || req->method[i] < 'A' || req->method[i] > 'Z')
			return "the method is not an upper-case word (GET, POST, ...)";
	if (req->path == NULL || req->path[0] != '/' || !printable(req->path))
		return "the path is not '/' and printable ASCII";
	if (req->query != NULL && !printable(req->query))
		return "the query is not printable ASCII";
	if (req->body_len > COBOCRED_REQUEST_BODY_MAX)
		return "the body is larger than 8 MiB";
	if (req->body == NULL && req->body_len > 0)
		return "the request has a body length but no body";
	return NULL;
}

/* Real time in unix ms, as Cobo checks Biz-Api-Nonce (never the tests' shifted clock). */
static void nonce_now(char out[24])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, 24, "%lld", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* 1 if s is 1..max-1 hex digits, NUL-ended within max bytes. */
static int hex_field(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == 0 || n >= max)
		return 0;
	return strspn(s, "0123456789abcdefABCDEF") == n;
}

/* "name: value" in secret memory, or NULL. */
static char *header_line(const char *name, const char *value, size_t vlen)
{
	size_t nl = strlen(name), n = nl + 2 + vlen;
	char *p = cobocred_secret_alloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, name, nl);
	memcpy(p + nl, ": ", 2);
	memcpy(p + nl + 2, value, vlen);
	p[n] = '\0';
	return p;
}

void cobocred_signed_free(struct cobocred_signed *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < 4; i++)
		cobocred_secret_free(s->headers[i]);
	cobocred_secret_free(s->token);
	cobocred_wipe(s, sizeof(*s));
	free(s);
}

/* The token of it: printable, no ':' games, bounded; copied into s. */
static int keep_token(struct cobocred_ctx *ctx, const struct cobocred_item *it,
		      struct cobocred_signed *s)
{
	size_t i;

	for (i = 0; i < it->secret_len; i++)
		if (it->secret[i] < 0x21 || it->secret[i] > 0x7e)
			break;
	if (it->secret == NULL || it->secret_len == 0 || i < it->secret_len ||
	    it->secret_len > 8192) {
		cobocred_set_error(ctx, "the cached access token is not one header value; "
					"run 'cobo-credential logout' and try again");
		return -1;
	}
	s->token = cobocred_secret_dup(it->secret, it->secret_len);
	s->token_len = it->secret_len;
	return s->token != NULL ? 0 : -1;
}

/* The module's signature, checked, into the four header lines. */
static int make_headers(struct cobocred_ctx *ctx, const struct cobocred_signature *sig,
			struct cobocred_signed *s)
{
	if (!hex_field(sig->api_key, sizeof(sig->api_key)) ||
	    !hex_field(sig->signature, sizeof(sig->signature))) {
		cobocred_set_error(ctx, "the signing module answered a malformed signature; "
					"report this bug");
		return -1;
	}
	s->headers[0] = cobocred_secret_alloc(22 + s->token_len + 1);
	if (s->headers[0] != NULL) {
		memcpy(s->headers[0], "Authorization: Bearer ", 22);
		memcpy(s->headers[0] + 22, s->token, s->token_len + 1);
	}
	s->headers[1] = header_line("Biz-Api-Key", sig->api_key, strlen(sig->api_key));
	s->headers[2] = header_line("Biz-Api-Nonce", s->nonce, strlen(s->nonce));
	s->headers[3] = header_line("Biz-Api-Signature", sig->signature, strlen(sig->signature));
	s->headers[4] = NULL;
	if (s->headers[0] == NULL || s->headers[1] == NULL || s->headers[2] == NULL ||
	    s->headers[3] == NULL) {
		cobocred_set_error(ctx, "out of memory");
		return -1;
	}
	return 0;
}

/* The module signs req with s->nonce. */
static int module_sign(struct cobocred_ctx *ctx, const struct cobocred_request_ops *ops,
		       void *state, const char *profile, const struct cobocred_http_request *req,
		       struct cobocred_signed *s)
{
	struct cobocred_http_request r = *req;
	struct cobocred_signature sig;
	int st;

	memset(&sig, 0, sizeof(sig));
	sig.struct_size = sizeof(sig);
	r.struct_size = sizeof(r);
	r.query = req->query != NULL ? req->query : "";
	r.nonce = s->nonce;
	ctx->error[0] = '\0';
	st = ops->sign(state, profile, &r, &sig);
	if (st < 0 || st >= COBOCRED_STATUS_COUNT) {
		cobocred_set_error(ctx, "sign returned invalid status %d; report this bug", st);
		return COBOCRED_ERROR;
	}
	if (st != COBOCRED_SUCCESS) {
		if (ctx->error[0] == '\0')
			cobocred_set_error(ctx, "the module could not sign the request (%s)",
					   cobocred_status_name(st));
		return st;
	}
	sig.api_key[sizeof(sig.api_key) - 1] = sig.signature[sizeof(sig.signature) - 1] = '\0';
	return make_headers(ctx, &sig, s) == 0 ? COBOCRED_SUCCESS : COBOCRED_ERROR;
}

/*
 * The org checked, the module found, the token taken (given's, when the
 * caller keeps one: it must be that org's): everything but the signature.
 */
static int sign_setup(struct cobocred_ctx *ctx, const char *profile, const char *org,
		      const struct cobocred_item *given, const struct cobocred_http_request *req,
		      struct cobocred_signed *s, const struct cobocred_request_ops **ops,
		      void **state)
{
	struct cobocred_item *it = NULL;
	const char *why = cobocred_request_refusal(req), *o = NULL;
	int st;

	if (why != NULL) {
		cobocred_set_error(ctx, "cannot sign the request: %s", why);
		return COBOCRED_ERROR;
	}
	st = cobocred_profile_org(ctx, profile, org, &o);
	if (st != COBOCRED_SUCCESS)
		return st;
	if (strlen(o) >= sizeof(s->org)) {
		cobocred_set_error(ctx, "org id '%.40s...' is longer than %zu bytes", o,
				   sizeof(s->org) - 1);
		return COBOCRED_ERROR;
	}
	memcpy(s->org, o, strlen(o) + 1);
	*ops = cobocred_request_ops(ctx, state, &st);
	if (*ops == NULL)
		return st;
	if (given != NULL) {
		const char *go = cobocred_item_attr(given, "org_id");

		if (go == NULL || strcmp(go, s->org) != 0) {
			cobocred_set_error(ctx, "the token given is not one of org %s", s->org);
			return COBOCRED_ERROR;
		}
		return keep_token(ctx, given, s) == 0 ? COBOCRED_SUCCESS : COBOCRED_ERROR;
	}
	st = cobocred_token_get_org(ctx, profile, s->org, 0, &it);
	if (st == COBOCRED_SUCCESS && keep_token(ctx, it, s) != 0)
		st = COBOCRED_ERROR;
	cobocred_item_free(it);
	return st;
}

int cobocred_request_sign(struct cobocred_ctx *ctx, const char *profile, const char *org,
			  const struct cobocred_http_request *req, struct cobocred_signed **out)
{
	return cobocred_request_sign_with(ctx, profile, org, NULL, req, out);
}

int cobocred_request_sign_with(struct cobocred_ctx *ctx, const char *profile, const char *org,
			       const struct cobocred_item *token,
			       const struct cobocred_http_request *req,
			       struct cobocred_signed **out)
{
	const struct cobocred_request_ops *ops = NULL;
	struct cobocred_signed *s;
	void *state = NULL;
	int st;

	*out = NULL;
	s = calloc(1, sizeof(*s)); /* pointers to secrets, and none itself */
	if (s == NULL) {
		cobocred_set_error(ctx, "out of memory");
		return COBOCRED_ERROR;
	}
	st = sign_setup(ctx, profile, org, token, req, s, &ops, &state);
	if (st == COBOCRED_SUCCESS) {
		nonce_now(s->nonce);
		st = module_sign(ctx, ops, state, profile, req, s);
	}
	if (st != COBOCRED_SUCCESS) {
		cobocred_signed_free(s);
		return st;
	}
	*out = s;
	return COBOCRED_SUCCESS;
}
