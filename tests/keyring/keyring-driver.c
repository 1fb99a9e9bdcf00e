/*
 * keyring-driver.c - drives the core (and so the configured stack) from a
 * script on stdin, for the keyring integration tests.  Secrets come only
 * from stdin, never argv.
 *
 * Input, one directive per line:
 *   op get|store|erase|list      schema NAME
 *   attr NAME=VALUE              absent NAME   (query: must be absent)
 *   secret TEXT                  label TEXT    (rest of the line, may be empty)
 *   expires N   created N        refresh TOKEN
 *   exact                        (query flag COBOCRED_QUERY_EXACT)
 *   attrs-only                   (query flag COBOCRED_QUERY_ATTRS_ONLY)
 *   replace NAME=VALUE           (store: a replace query with these attributes)
 *   run                          (runs the op so far and starts a new one, in
 *                                the same context: several ops per process)
 * Output: "status NAME", then per item "item", "schema S", "label L",
 * "attr K=V"..., "secret S", "expires N", "created N", "refresh T", "end".
 * The error line goes to stderr.  Exit status: the last op's status.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "secret.h"
#include "strutil.h"

#define MAX_ATTRS 32
#define MAX_LINE (4u << 20)

struct script {
	char op[16];
	char *schema, *label, *secret, *refresh;
	size_t secret_len;
	int64_t expires, created;
	uint32_t flags;
	struct cobocred_attr attrs[MAX_ATTRS], rattrs[MAX_ATTRS];
	size_t n, rn;
	int has_replace;
};

static int add_attr(struct cobocred_attr *v, size_t *n, char *arg, int absent)
{
	char *eq = absent ? NULL : strchr(arg, '=');

	if (*n >= MAX_ATTRS || (!absent && eq == NULL))
		return -1;
	if (eq != NULL)
		*eq = '\0';
	v[*n].name = strdup(arg);
	v[*n].value = absent ? NULL : strdup(eq + 1);
	(*n)++;
	return 0;
}

static int directive(struct script *s, char *line, size_t len)
{
	char *arg = strchr(line, ' ');
	size_t alen;

	if (arg != NULL)
		*arg++ = '\0';
	else
		arg = line + strlen(line);
	alen = len - (size_t)(arg - line);
	if (strcmp(line, "op") == 0)
		snprintf(s->op, sizeof(s->op), "%s", arg);
	else if (strcmp(line, "schema") == 0)
		s->schema = strdup(arg);
	else if (strcmp(line, "label") == 0)
		s->label = strdup(arg);
	else if (strcmp(line, "secret") == 0) {
		s->secret = cobocred_secret_dup(arg, alen);
		s->secret_len = alen;
	} else if (strcmp(line, "refresh") == 0)
		s->refresh = cobocred_secret_dup(arg, alen);
	else if (strcmp(line, "expires") == 0)
		return cobocred_parse_i64(arg, INT64_MIN, INT64_MAX, &s->expires);
	else if (strcmp(line, "created") == 0)
		return cobocred_parse_i64(arg, INT64_MIN, INT64_MAX, &s->created);
	else if (strcmp(line, "exact") == 0)
		s->flags |= COBOCRED_QUERY_EXACT;
	else if (strcmp(line, "attrs-only") == 0)
		s->flags |= COBOCRED_QUERY_ATTRS_ONLY;
	else if (strcmp(line, "attr") == 0)
		return add_attr(s->attrs, &s->n, arg, 0);
	else if (strcmp(line, "absent") == 0)
		return add_attr(s->attrs, &s->n, arg, 1);
	else if (strcmp(line, "replace") == 0) {
		s->has_replace = 1;
		return add_attr(s->rattrs, &s->rn, arg, 0);
	} else
		return -1;
	return 0;
}

/* Reads directives up to "run" (1) or EOF (0); -1 on a bad line. */
static int read_script(struct script *s)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = 0;

	while (r == 0 && (n = getline(&line, &cap, stdin)) > 0) {
		if ((size_t)n > MAX_LINE)
			r = -1;
		else {
			if (line[n - 1] == '\n')
				line[--n] = '\0';
			if (strcmp(line, "run") == 0)
				r = 1;
			else if (n > 0 && directive(s, line, (size_t)n) != 0) {
				fprintf(stderr, "driver: bad line: %.40s\n", line);
				r = -1;
			}
		}
		cobocred_wipe(line, cap);
	}
	free(line);
	return r;
}

static void script_free(struct script *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free((char *)s->attrs[i].name);
		free((char *)s->attrs[i].value);
	}
	for (i = 0; i < s->rn; i++) {
		free((char *)s->rattrs[i].name);
		free((char *)s->rattrs[i].value);
	}
	cobocred_secret_free(s->secret);
	cobocred_secret_free(s->refresh);
	free(s->schema);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

static void print_item(const struct cobocred_item *it)
{
	size_t i;

	printf("item\nschema %s\n", it->schema);
	if (it->label != NULL)
		printf("label %s\n", it->label);
	for (i = 0; i < it->n_attrs; i++)
		printf("attr %s=%s\n", it->attrs[i].name, it->attrs[i].value);
	if (it->secret != NULL) {
		fputs("secret ", stdout);
		fwrite(it->secret, 1, it->secret_len, stdout);
		putchar('\n');
	}
	if (it->expires_at != 0)
		printf("expires %" PRId64 "\n", it->expires_at);
	if (it->created_at != 0)
		printf("created %" PRId64 "\n", it->created_at);
	if (it->oauth_refresh_token != NULL)
		printf("refresh %s\n", it->oauth_refresh_token);
	printf("end\n");
}

static struct cobocred_item *build_item(const struct script *s)
{
	struct cobocred_item *it = cobocred_item_new(s->schema);
	size_t i;

	if (it == NULL)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (s->attrs[i].value != NULL)
			cobocred_item_add_attr(it, s->attrs[i].name, s->attrs[i].value);
	if (s->label != NULL)
		cobocred_item_set_label(it, s->label);
	if (s->secret != NULL)
		cobocred_item_set_secret(it, s->secret, s->secret_len);
	if (s->refresh != NULL)
		cobocred_item_set_refresh(it, s->refresh);
	cobocred_item_set_times(it, s->created, s->expires);
	return it;
}

static int run(struct cobocred_ctx *ctx, const struct script *s)
{
	struct cobocred_query q = {
		.struct_size = sizeof(q),
		.schema = s->schema,
		.n_attrs = s->n,
		.attrs = s->attrs,
		.secret = (const unsigned char *)s->secret,
		.secret_len = s->secret_len,
		.flags = s->flags,
	};
	struct cobocred_query rq = {
		.struct_size = sizeof(rq),
		.schema = s->schema,
		.n_attrs = s->rn,
		.attrs = s->rattrs,
	};
	struct cobocred_item *out = NULL, *it;
	int st;

	if (strcmp(s->op, "store") == 0) {
		it = build_item(s);
		st = it ? cobocred_store(ctx, it, s->has_replace ? &rq : NULL) : COBOCRED_ERROR;
		cobocred_item_free(it);
	} else if (strcmp(s->op, "get") == 0) {
		st = cobocred_get(ctx, &q, &out);
	} else if (strcmp(s->op, "list") == 0) {
		st = cobocred_list(ctx, &q, &out);
	} else if (strcmp(s->op, "erase") == 0) {
		st = cobocred_erase(ctx, &q);
	} else {
		fprintf(stderr, "driver: op must be get, store, erase or list\n");
		return COBOCRED_ERROR;
	}
	printf("status %s\n", cobocred_status_name(st));
	for (it = out; it != NULL; it = it->next)
		print_item(it);
	cobocred_item_free(out);
	if (st != COBOCRED_SUCCESS)
		fprintf(stderr, "error: %s\n", cobocred_error(ctx));
	return st;
}

int main(void)
{
	struct script s;
	struct cobocred_ctx *ctx = NULL;
	int st, more;

	memset(&s, 0, sizeof(s));
	st = cobocred_ctx_new(NULL, &ctx);
	if (st != COBOCRED_SUCCESS) {
		printf("status %s\n", cobocred_status_name(st));
		fprintf(stderr, "error: %s\n", ctx ? cobocred_error(ctx) : "out of memory");
		cobocred_ctx_free(ctx);
		return st;
	}
	do {
		more = read_script(&s);
		if (more < 0) {
			st = 99;
		} else if (s.op[0] != '\0') {
			st = run(ctx, &s);
			fflush(stdout);
			fflush(stderr);
		}
		script_free(&s);
	} while (more > 0);
	cobocred_ctx_free(ctx);
	return st;
}
