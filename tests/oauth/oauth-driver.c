/*
 * oauth-driver.c - a tiny front-end for the cobo-oauth integration tests
 * (the real CLI is another room's): drives the core as the helpers will.
 *
 *   oauth-driver token PROFILE [MIN_VALID]   cobocred_token_get
 *   oauth-driver list                        every stored Cobo token item
 *   oauth-driver app-secret CLIENT_ID        stores stdin as the app secret
 *
 * Prints "key=value" lines: status, error, token, created_at, expires_at;
 * for list one "item kind=K org=O created=C expires=E secret=S" line per
 * item and "count=N".  Exits with the status number (0 = SUCCESS).
 * A test program: it prints tokens, which a real front-end never does.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "secret.h"
#include "strutil.h"

static int cmd_token(struct cobocred_ctx *ctx, const char *profile, const char *min)
{
	struct cobocred_item *it = NULL;
	int64_t min_valid = 0;
	int st;

	if (min != NULL && cobocred_parse_i64(min, 0, 100000000, &min_valid) != 0)
		return COBOCRED_ERROR;
	st = cobocred_token_get(ctx, profile, min_valid, &it);
	printf("status=%s\n", cobocred_status_name(st));
	if (st != COBOCRED_SUCCESS) {
		printf("error=%s\n", cobocred_error(ctx));
		return st;
	}
	printf("token=%s\ncreated_at=%lld\nexpires_at=%lld\nlabel=%s\n", (const char *)it->secret,
	       (long long)it->created_at, (long long)it->expires_at, it->label ? it->label : "");
	cobocred_item_free(it);
	return st;
}

static int cmd_list(struct cobocred_ctx *ctx)
{
	struct cobocred_query q = { .struct_size = sizeof(q), .schema = COBOCRED_SCHEMA_COBO };
	struct cobocred_item *list = NULL, *it;
	int st, n = 0;

	st = cobocred_list(ctx, &q, &list);
	printf("status=%s\n", cobocred_status_name(st));
	for (it = list; it != NULL; it = it->next, n++) {
		const char *kind = cobocred_item_attr(it, "kind"),
			   *org = cobocred_item_attr(it, "org_id");

		printf("item kind=%s org=%s created=%lld expires=%lld secret=%s label=%s\n",
		       kind ? kind : "-", org ? org : "-", (long long)it->created_at,
		       (long long)it->expires_at, (const char *)it->secret,
		       it->label ? it->label : "");
	}
	printf("count=%d\n", n);
	cobocred_item_free(list);
	return st == COBOCRED_NOTFOUND ? COBOCRED_SUCCESS : st;
}

/*
 * Stores stdin as an app-secret item with the one attribute NAME = VALUE:
 * client_id for a key, pkcs11_token for a token's PIN (plugins/cobo-oauth
 * p11pin.c).
 */
static int cmd_app_secret(struct cobocred_ctx *ctx, const char *name, const char *client_id)
{
	struct cobocred_attr attrs[] = { { name, client_id } };
	struct cobocred_query q = {
		.struct_size = sizeof(q),
		.schema = COBOCRED_SCHEMA_APP_SECRET,
		.n_attrs = 1,
		.attrs = attrs,
		.flags = COBOCRED_QUERY_EXACT,
	};
	struct cobocred_item *it = cobocred_item_new(COBOCRED_SCHEMA_APP_SECRET);
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, stdin);
	int st = COBOCRED_ERROR;

	if (it != NULL && cobocred_item_add_attr(it, name, client_id) == 0 &&
	    cobocred_item_set_label(it, "Cobo App Secret (test)") == 0 &&
	    cobocred_item_set_secret(it, buf, n) == 0)
		st = cobocred_store(ctx, it, &q);
	printf("status=%s\n", cobocred_status_name(st));
	if (st != COBOCRED_SUCCESS)
		printf("error=%s\n", cobocred_error(ctx));
	cobocred_wipe(buf, sizeof(buf));
	cobocred_item_free(it);
	return st;
}

int main(int argc, char **argv)
{
	struct cobocred_ctx *ctx = NULL;
	int st;

	if (argc < 2) {
		fprintf(stderr,
			"usage: oauth-driver token PROFILE [MIN_VALID] | list | app-secret ID | "
			"token-pin LABEL\n");
		return 64;
	}
	st = cobocred_ctx_new(NULL, &ctx);
	if (ctx == NULL)
		return COBOCRED_ERROR;
	if (st != COBOCRED_SUCCESS) {
		printf("status=%s\nerror=%s\n", cobocred_status_name(st), cobocred_error(ctx));
	} else if (strcmp(argv[1], "token") == 0 && argc >= 3) {
		st = cmd_token(ctx, argv[2], argc > 3 ? argv[3] : NULL);
	} else if (strcmp(argv[1], "list") == 0) {
		st = cmd_list(ctx);
	} else if (strcmp(argv[1], "app-secret") == 0 && argc == 3) {
		st = cmd_app_secret(ctx, "client_id", argv[2]);
	} else if (strcmp(argv[1], "token-pin") == 0 && argc == 3) {
		st = cmd_app_secret(ctx, "pkcs11_token", argv[2]);
	} else {
		fprintf(stderr, "oauth-driver: unknown command\n");
		st = 64;
	}
	cobocred_ctx_free(ctx);
	return st;
}
