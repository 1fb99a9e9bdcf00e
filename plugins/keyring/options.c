/*
 * options.c - opening and closing a keyring instance.
 *
 * Options ([module keyring] keys):
 *   collection = ALIAS
 *                the collection alias new items go to (default: "default",
 *                the login keyring; "session" keeps them in memory only)
 *   git_schema = org.gnome.keyring.NetworkPassword | org.git.Password
 *                the xdg:schema of git items we write.  The default is
 *                what git 2.39's git-credential-libsecret (Debian 12)
 *                writes and the only one it reads; newer git writes
 *                org.git.Password but reads any schema name, so the
 *                default keeps every git version able to read our items.
 *                Both are always read.
 *   prompt_timeout = SECONDS (1..600, default 5)
 *                how long a prompt may take when nobody can answer it (no
 *                terminal, or COBO_CREDENTIAL_INTERACTIVE=never); then it
 *                is dismissed and the operation fails as timed out (as
 *                locked when it was the unlock of our collection, which is
 *                asked in every mode: unlock.c).  With a person at a
 *                terminal prompts get 300 s (prompt.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyring.h"
#include "map.h"
#include "strutil.h"

int kr_interactive_mode(void)
{
	const char *v = getenv("COBO_CREDENTIAL_INTERACTIVE");

	if (v != NULL && (strcmp(v, "never") == 0 || strcmp(v, "0") == 0 || strcmp(v, "no") == 0))
		return 0;
	if (v != NULL && strcmp(v, "always") == 0)
		return 1;
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

static int option(struct kr_state *st, const char *arg)
{
	const struct cobocred_host *h = st->host;
	const char *eq = strchr(arg, '='), *v = eq ? eq + 1 : "";
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);

	if (klen == 10 && strncmp(arg, "collection", klen) == 0 && v[0] != '\0') {
		free(st->collection);
		st->collection = strdup(v);
		return st->collection != NULL ? 0 : -1;
	}
	if (klen == 10 && strncmp(arg, "git_schema", klen) == 0) {
		if (strcmp(v, KR_SS_GIT_LEGACY) == 0 || strcmp(v, COBOCRED_SCHEMA_GIT) == 0) {
			st->git_ss_schema = strcmp(v, COBOCRED_SCHEMA_GIT) == 0
						    ? COBOCRED_SCHEMA_GIT
						    : KR_SS_GIT_LEGACY;
			return 0;
		}
		/* "KEY:" first: the host points at the option's FILE:LINE (module.h). */
		h->set_error(h->ctx, "git_schema: unknown schema '%.60s'; use %s or %s", v,
			     KR_SS_GIT_LEGACY, COBOCRED_SCHEMA_GIT);
		return -1;
	}
	if (klen == 14 && strncmp(arg, "prompt_timeout", klen) == 0) {
		int64_t secs = 0;

		if (cobocred_parse_i64(v, 1, 600, &secs) == 0) {
			st->prompt_ms = (int)secs * 1000;
			return 0;
		}
		h->set_error(h->ctx, "prompt_timeout: '%.20s' is not a number of seconds (1..600)",
			     v);
		return -1;
	}
	h->set_error(h->ctx,
		     "%.*s: unknown keyring option '%.*s'; known options: collection, "
		     "git_schema, prompt_timeout",
		     (int)(klen > 60 ? 60 : klen), arg, (int)(klen > 60 ? 60 : klen), arg);
	return -1;
}

int kr_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state)
{
	struct kr_state *st;
	int i, r = COBOCRED_ERROR;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return COBOCRED_ERROR;
	st->host = host;
	st->provider = KR_PROV_UNASKED;
	st->git_ss_schema = KR_SS_GIT_LEGACY;
	st->interactive = kr_interactive_mode();
	st->prompt_ms = KR_PROMPT_HEADLESS_MS;
	for (i = 0; i < argc; i++)
		if (option(st, argv[i]) != 0)
			goto out;
	if (st->collection == NULL && (st->collection = strdup("default")) == NULL)
		goto out;
	/* Cheap and bounded: no bus or no Secret Service makes the module UNAVAIL now. */
	r = kr_service_check(st);
out:
	if (r == COBOCRED_SUCCESS)
		*state = st;
	else
		kr_close(st);
	return r;
}

void kr_close(void *state)
{
	struct kr_state *st = state;

	if (st == NULL)
		return;
	g_clear_object(&st->service);
	g_clear_object(&st->bus);
	free(st->collection);
	free(st);
}
