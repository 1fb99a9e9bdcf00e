/*
 * test_org_names_env.c - see test_org_names.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cutest.h"
#include "inproc.h"
#include "test_org_names.h"

#define H "api.dev.cobo.com"

struct on_profile on_profiles[ON_MAX_PROFILES];
size_t on_n_profiles;
char on_tokens[ON_MAX_TOKENS][96];
size_t on_n_tokens;

static void add_profile(const char *name, const char *cid, const char *orgs)
{
	struct on_profile *p = &on_profiles[on_n_profiles++];

	inproc_fmt(p->name, sizeof(p->name), "%s", name);
	inproc_fmt(p->cid, sizeof(p->cid), "%s", cid);
	inproc_fmt(p->orgs, sizeof(p->orgs), "%s", orgs);
}

/* The script's PROFILES: any, org-x, org-b, the UUID, gen-01..12, many. */
static void profiles(void)
{
	char name[16], cid[16], org[16], many[ON_ORGS_MAX] = "";
	int i;

	add_profile("any", "cid-any", "*");
	add_profile("org-x", "cid-x", "org-a");
	add_profile("org-b", "cid-b", "org-b,org-c");
	add_profile(ON_UUID, "cid-u", "org-d");
	for (i = 1; i <= 12; i++) {
		inproc_fmt(name, sizeof(name), "gen-%02d", i);
		inproc_fmt(cid, sizeof(cid), "cid-g%02d", i);
		inproc_fmt(org, sizeof(org), "go-%02d", i);
		add_profile(name, cid, org);
	}
	for (i = 1; i <= 40; i++) {
		size_t n = strlen(many);

		inproc_fmt(many + n, sizeof(many) - n, "%sm-%02d", i > 1 ? "," : "", i);
	}
	add_profile("many", "cid-many", many);
}

void on_token(const char *cid, const char *org, char *buf, size_t len)
{
	inproc_fmt(buf, len, "AT_%s_%s", cid, org);
}

size_t on_split(const char *orgs, char (*out)[64], size_t max)
{
	size_t n = 0;

	while (*orgs != '\0' && n < max) {
		size_t len = strcspn(orgs, ",");

		inproc_fmt(out[n++], 64, "%.*s", (int)len, orgs);
		orgs += len + (orgs[len] == ',');
	}
	return n;
}

int on_lists(const struct on_profile *p, const char *org)
{
	static char orgs[ON_MAX_ORGS][64];
	size_t n = on_split(p->orgs, orgs, ON_MAX_ORGS), i;

	for (i = 0; i < n; i++)
		if (strcmp(orgs[i], "*") == 0 || strcmp(orgs[i], org) == 0)
			return 1;
	return 0;
}

const struct on_profile *on_profile_named(const char *name)
{
	size_t i;

	for (i = 0; i < on_n_profiles; i++)
		if (strcmp(on_profiles[i].name, name) == 0)
			return &on_profiles[i];
	fprintf(stderr, "test_org_names: no profile %s\n", name);
	exit(99);
}

/* The profile (not '*') listing org, or NULL. */
static const struct on_profile *listing(const char *org)
{
	size_t i;

	for (i = 0; i < on_n_profiles; i++)
		if (strcmp(on_profiles[i].orgs, "*") != 0 && on_lists(&on_profiles[i], org))
			return &on_profiles[i];
	return NULL;
}

/* '*' has a token for every profile name and listed org, and org-z. */
static int any_has(const char *org)
{
	size_t i;

	if (strcmp(org, "org-z") == 0 || listing(org) != NULL)
		return 1;
	for (i = 0; i < on_n_profiles; i++)
		if (strcmp(on_profiles[i].name, org) == 0)
			return 1;
	return 0;
}

void on_served(const char *user, char *buf, size_t len)
{
	const struct on_profile *p = *user != '\0' ? listing(user) : NULL;

	buf[0] = '\0';
	if (p != NULL)
		on_token(p->cid, user, buf, len);
	else if (*user != '\0' && any_has(user))
		on_token("cid-any", user, buf, len);
}

/* One stored access token for (cid, org), once. */
static void item(FILE *f, const char *cid, const char *org, long long now)
{
	char tok[96];
	size_t i;

	on_token(cid, org, tok, sizeof(tok));
	for (i = 0; i < on_n_tokens; i++)
		if (strcmp(on_tokens[i], tok) == 0)
			return;
	if (on_n_tokens >= ON_MAX_TOKENS) {
		fprintf(stderr, "test_org_names: too many tokens\n");
		exit(99);
	}
	inproc_fmt(on_tokens[on_n_tokens++], sizeof(on_tokens[0]), "%s", tok);
	fprintf(f,
		"item\nschema com.cobo.credential.Token\nlabel names-test\n"
		"attr base_url https://" H "/v2\nattr client_id %s\nattr org_id %s\n"
		"attr kind access\nsecret %s\ncreated %lld\nexpires %lld\nend\n",
		cid, org, tok, now, now + 10LL * 365 * 86400);
}

/* '*' answers every org it has; each other profile its own orgs and every
 * profile's name as an org: what a routing by name would answer. */
static void store(const char *path)
{
	static char orgs[ON_MAX_ORGS][64];
	long long now = (long long)time(NULL);
	FILE *f = fopen(path, "w");
	size_t i, j, n;

	if (f == NULL || chmod(path, 0600) != 0) {
		perror(path);
		exit(99);
	}
	fprintf(f, "cobo-credential-store 1\n");
	for (i = 0; i < on_n_profiles; i++) {
		item(f, "cid-any", on_profiles[i].name, now);
		n = on_split(on_profiles[i].orgs, orgs, ON_MAX_ORGS);
		for (j = 0; j < n; j++)
			if (strcmp(orgs[j], "*") != 0)
				item(f, "cid-any", orgs[j], now);
	}
	item(f, "cid-any", "org-z", now);
	for (i = 0; i < on_n_profiles; i++) {
		const struct on_profile *p = &on_profiles[i];

		if (strcmp(p->orgs, "*") == 0)
			continue;
		n = on_split(p->orgs, orgs, ON_MAX_ORGS);
		for (j = 0; j < n; j++)
			item(f, p->cid, orgs[j], now);
		for (j = 0; j < on_n_profiles; j++)
			item(f, p->cid, on_profiles[j].name, now);
	}
	if (fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

/* The file stack on the store, and every profile (org_id = "a, b"). */
static void config(const char *conf, const char *st)
{
	FILE *f = fopen(conf, "w");
	size_t i, k;

	if (f == NULL || chmod(conf, 0600) != 0) {
		perror(conf);
		exit(99);
	}
	fprintf(f,
		"[stack]\nget   = file\nstore = file\nerase = file\nlist  = file\n"
		"[module file]\npath = %s\n",
		st);
	for (i = 0; i < on_n_profiles; i++) {
		const struct on_profile *p = &on_profiles[i];

		fprintf(f, "[profile %s]\nbase_url = https://" H "/v2\nclient_id = %s\norg_id = ",
			p->name, p->cid);
		for (k = 0; p->orgs[k] != '\0'; k++) {
			if (p->orgs[k] == ',')
				fputc(' ', f);
			fputc(p->orgs[k] == ',' ? ',' : p->orgs[k], f);
		}
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		perror(conf);
		exit(99);
	}
}

void on_setup(const char *tmp)
{
	char st[600], dir[600], conf[700];

	profiles();
	inproc_fmt(st, sizeof(st), "%s/store", tmp);
	store(st);
	inproc_fmt(dir, sizeof(dir), "%s/cobo-credential", getenv("XDG_CONFIG_HOME"));
	(void)mkdir(getenv("XDG_CONFIG_HOME"), 0700);
	(void)mkdir(dir, 0700);
	inproc_fmt(conf, sizeof(conf), "%s/config", dir);
	config(conf, st);
	setenv("COBO_CREDENTIAL_CONFIG", conf, 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
}
