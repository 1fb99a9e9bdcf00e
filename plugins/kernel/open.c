/*
 * open.c - instances of the kernel module and their options.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostmem.h"
#include "state.h"
#include "strutil.h"

static const char *option(const char *arg, const char *key)
{
	size_t n = strlen(key);

	return strncmp(arg, key, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

/* A keyring name: printable ASCII without spaces, not starting with '.' or '@'. */
static int ring_name_ok(const char *v)
{
	size_t i;

	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			return 0;
	return i > 0 && i < sizeof(((struct kernel_state *)0)->name) && v[0] != '.' && v[0] != '@';
}

static int set_ring(struct kernel_state *s, const char *v, char *err, size_t errlen)
{
	s->spec = 0;
	s->name[0] = '\0';
	if (strcmp(v, "@u") == 0)
		s->spec = KEY_SPEC_USER_KEYRING;
	else if (strcmp(v, "@s") == 0)
		s->spec = KEY_SPEC_SESSION_KEYRING;
	else if (ring_name_ok(v))
		memcpy(s->name, v, strlen(v) + 1);
	else {
		snprintf(err, errlen,
			 "keyring: '%.40s' is not @u, @s or a keyring name (printable, no "
			 "spaces, not starting with '.' or '@', under %zu characters)",
			 v, sizeof(s->name));
		return -1;
	}
	return 0;
}

static int parse_option(struct kernel_state *s, const char *arg, char *err, size_t errlen)
{
	const char *v, *eq = strchr(arg, '=');
	size_t klen;

	if ((v = option(arg, "keyring")) != NULL)
		return set_ring(s, v, err, errlen);
	if ((v = option(arg, "lifetime")) != NULL) {
		if (cobocred_parse_i64(v, 0, KN_LIFETIME_MAX, &s->lifetime) == 0)
			return 0;
		snprintf(err, errlen, "lifetime: wants seconds from 0 (keep none) to %lld",
			 KN_LIFETIME_MAX);
		return -1;
	}
	if ((v = option(arg, "refresh_tokens")) != NULL) {
		if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
			s->refresh_tokens = strcmp(v, "yes") == 0;
			return 0;
		}
		snprintf(err, errlen, "refresh_tokens: wants yes or no");
		return -1;
	}
	klen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	snprintf(err, errlen,
		 "%.*s: unknown option of [module kernel]; known options: keyring, lifetime, "
		 "refresh_tokens",
		 (int)(klen > 40 ? 40 : klen), arg);
	return -1;
}

int kernel_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state)
{
	struct kernel_state *s;
	char err[KN_ERRLEN];
	int i, r = COBOCRED_ERROR;

	*state = NULL;
	cobocred_hostmem_bind(host->secret_alloc, host->secret_free);
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, sizeof(err), "out of memory opening the kernel module");
		goto out;
	}
	s->host = host;
	memcpy(s->name, KN_DEFAULT_RING, sizeof(KN_DEFAULT_RING));
	for (i = 0; i < argc; i++)
		if (parse_option(s, argv[i], err, sizeof(err)) != 0)
			goto out;
	*state = s;
	s = NULL;
	r = COBOCRED_SUCCESS;
out:
	if (r != COBOCRED_SUCCESS)
		host->set_error(host->ctx, "%s", err);
	free(s);
	return r;
}

void kernel_close(void *state)
{
	free(state);
}
