/*
 * cmd_setup.c - 'cobo-credential setup': profile, app secret, config file,
 * then a minted token as proof, and the lines to configure git and Docker.
 *
 * Order matters: the config file is written first (its stack decides where
 * the secret can go), then the secret is stored and the file pointed at it.
 * If storing the secret fails, the config file is put back as it was.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "appsecret.h"
#include "cli.h"
#include "confedit.h"
#include "orgset.h"
#include "secret.h"
#include "setup_answers.h"
#include "strutil.h"

/*
 * The app secret from the chosen source into k, generated or parsed by the
 * Cobo schema's owner module (no configuration is open yet: the built-in one).
 */
static int get_key(struct cli *cli, struct setup *s, struct cli_key *k)
{
	char *text = NULL, err[600];
	size_t len = 0;
	int r = CLI_EX_OK, st;

	memset(k, 0, sizeof(*k));
	if (s->pkcs11[0])
		return CLI_EX_OK; /* the key is in the token: nothing to read or store */
	if (s->generate) {
		st = cli_key_generate(cli, k, err, sizeof(err));
	} else if (s->pasted != NULL) {
		st = cli_key_import(cli, s->pasted, s->pasted_len, k, err, sizeof(err));
	} else if ((r = cli_read_key_text(s->key_file, &text, &len)) == CLI_EX_OK) {
		st = cli_key_import(cli, text, len, k, err, sizeof(err));
		cobocred_secret_free(text);
	} else {
		return r; /* already reported */
	}
	if (st != COBOCRED_SUCCESS) {
		cli_err("app secret: %s", err);
		r = st != COBOCRED_ERROR ? cli_exit_code(st)
		    : s->generate	 ? CLI_EX_INTERNAL
					 : CLI_EX_DATAERR;
	}
	return r;
}

/* Writes the profile section with app_secret = spec into text, then to path. */
static int write_profile(const struct setup *s, const char *text, const char *spec,
			 const char *path)
{
	struct cli_kv kv[8];
	struct cobocred_sbuf out = { 0 };
	size_t n = 0;
	int r;

	kv[n++] = (struct cli_kv){ "base_url", s->base_url };
	kv[n++] = (struct cli_kv){ "server_key", s->server_key };
	kv[n++] = (struct cli_kv){ "client_id", s->client_id };
	kv[n++] = (struct cli_kv){ "org_id", s->org_id };
	kv[n++] = (struct cli_kv){ "app_secret", spec };
	if (s->ca_file[0])
		kv[n++] = (struct cli_kv){ "ca_file", s->ca_file };
	if (s->allow_http)
		kv[n++] = (struct cli_kv){ "allow_http", "yes" };
	if (cli_conf_put_profile(text, s->name, kv, n, &out) != 0) {
		cli_err("out of memory");
		r = CLI_EX_INTERNAL;
	} else {
		r = cli_conf_save(path, cobocred_sbuf_str(&out));
	}
	cobocred_sbuf_free(&out);
	return r;
}

/* 1 if text already has [profile name]. */
static int has_profile(const char *text, const char *name)
{
	struct cobocred_sbuf tmp = { 0 };
	int r = cli_conf_remove_profile(text, name, &tmp) == 0;

	cobocred_sbuf_free(&tmp);
	return r;
}

/* Puts the config file back as it was before setup touched it. */
static void rollback(const char *path, const char *orig)
{
	if (orig != NULL ? cli_conf_save(path, orig) != CLI_EX_OK : unlink(path) != 0)
		cli_err("could not restore %s; check it by hand", path);
	else
		cli_err("%s left as it was", path);
}

/*
 * Profiles whose base_url names host: how many, and how many of them list
 * org (git's user name picks by org, never by profile name).
 */
static size_t same_host(struct cli *cli, const char *host, const char *org, size_t *listing)
{
	size_t i, n = 0;
	char h[300];

	*listing = 0;
	for (i = 0; i < cobocred_profile_count(cli->ctx); i++) {
		const char *p = cobocred_profile_name(cli->ctx, i);
		const char *u = cobocred_profile_get(cli->ctx, p, "base_url");

		if (u == NULL || cobocred_base_url_hostport(u, h, sizeof(h)) != 0 ||
		    strcmp(h, host) != 0)
			continue;
		n++;
		*listing += cobocred_orgs_lists(cobocred_profile_get(cli->ctx, p, "org_id"), org);
	}
	return n;
}

static void print_next_steps(struct cli *cli, const struct setup *s)
{
	const char *scheme = strncasecmp(s->base_url, "http://", 7) == 0 ? "http" : "https";
	char host[300];
	size_t listing;

	if (cobocred_base_url_hostport(s->base_url, host, sizeof(host)) != 0)
		return;
	printf("\nUse it from git:\n  git config --global credential.%s://%s.helper cobo\n", scheme,
	       host);
	if (same_host(cli, host, s->org_id, &listing) > 1 && listing == 1)
		printf("  git config --global credential.%s://%s.username %s   "
		       "(several profiles use %s; git's user name names the org)\n",
		       scheme, host, s->org_id, host);
	else if (listing > 1)
		printf("  (%zu profiles on %s serve org %s: git cannot choose among them by the "
		       "user name; use one, or cobo-credential token --profile %s)\n",
		       listing, host, s->org_id, s->name);
	printf("Docker, skopeo, podman: in ~/.docker/config.json (or containers auth.json)\n"
	       "  { \"credHelpers\": { \"%s\": \"cobo\" } }\n",
	       host);
	printf("Anything else:\n  cobo-credential token --profile %s "
	       "[--format raw|json|header|env|exec-credential]\n",
	       s->name);
}

static int verify(struct cli *cli, const struct setup *s)
{
	struct cobocred_item *it = NULL;
	char t[32];
	int st;

	st = cobocred_token_get(cli->ctx, s->name, 0, &it);
	if (st != COBOCRED_SUCCESS) {
		cli_err("the profile is saved, but no token could be had: %s",
			cobocred_error(cli->ctx));
		cli_err("fix that, then check with 'cobo-credential token --profile %s' or "
			"'cobo-credential doctor'",
			s->name);
		return cli_exit_code(st);
	}
	cobocred_rfc3339(it->expires_at, t, sizeof(t));
	printf("token: ok, valid until %s\n", it->expires_at ? t : "(no expiry)");
	cobocred_item_free(it);
	return CLI_EX_OK;
}

/* Stores the secret, points the profile at it; rolls back on failure. */
static int store_secret(struct cli *cli, const struct setup *s, const struct cli_key *k,
			const char *text, const char *path, const char *orig)
{
	char spec[4200], place[4200];
	int r;

	cli_close(cli);
	cli->config = path;
	if ((r = cli_open(cli)) == CLI_EX_OK)
		r = cli_secret_save(cli, s->client_id, k, s->store, s->force, spec, sizeof(spec),
				    place, sizeof(place));
	if (r == CLI_EX_OK && strcmp(spec, "keyring") != 0 &&
	    (r = write_profile(s, text, spec, path)) == CLI_EX_OK) {
		cli_close(cli);
		r = cli_open(cli);
	}
	if (r != CLI_EX_OK) {
		rollback(path, orig);
		return r;
	}
	printf("profile %s saved in %s\napp secret stored in %s\n", s->name, path, place);
	return CLI_EX_OK;
}

/* A key in a token: the profile points at it; its public key is read from the token. */
static int use_token(struct cli *cli, const struct setup *s, const char *text, const char *path,
		     const char *orig)
{
	char pub[CLI_PUB_TEXT];
	int r, st;

	cli_close(cli);
	cli->config = path;
	if ((r = write_profile(s, text, s->pkcs11, path)) != CLI_EX_OK ||
	    (r = cli_open(cli)) != CLI_EX_OK) {
		rollback(path, orig);
		return r;
	}
	st = cobocred_key_public(cli->ctx, COBOCRED_SCHEMA_COBO, s->name, pub, sizeof(pub));
	if (st != COBOCRED_SUCCESS) {
		cli_err("%s: %s", s->name, cobocred_error(cli->ctx));
		rollback(path, orig);
		return st == COBOCRED_ERROR ? CLI_EX_CONFIG : cli_exit_code(st);
	}
	printf("profile %s saved in %s\napp secret in the token: %s\npublic key: %s\n", s->name,
	       path, s->pkcs11, pub);
	return s->no_verify ? CLI_EX_OK : verify(cli, s);
}

static int run(struct cli *cli, struct setup *s, const struct cli_key *k)
{
	char path[4096], *text = NULL, *orig = NULL;
	int existed, r;

	if (cli_conf_target(cli, path, sizeof(path)) != 0) {
		cli_err("no place for the config file: set HOME or use --config FILE");
		return CLI_EX_CONFIG;
	}
	existed = access(path, F_OK) == 0;
	/* The configuration in use must load before anything is changed. */
	if (existed || (cli->config == NULL && getenv("COBO_CREDENTIAL_CONFIG") == NULL)) {
		cli->config = existed ? path : NULL;
		if ((r = cli_open(cli)) != CLI_EX_OK) {
			cli_err("fix the configuration first; setup changes nothing until it loads");
			return r;
		}
	}
	if ((r = cli_conf_load_text(cli, path, &text)) != CLI_EX_OK)
		return r;
	if (has_profile(text, s->name) && !s->force) {
		cli_err("profile %s already exists in %s; pass --force to replace it", s->name,
			path);
		r = CLI_EX_USAGE;
	} else if (existed && (orig = strdup(text)) == NULL) {
		cli_err("out of memory");
		r = CLI_EX_INTERNAL;
	} else if (s->pkcs11[0]) {
		if ((r = use_token(cli, s, text, path, orig)) == CLI_EX_OK)
			print_next_steps(cli, s);
	} else if ((r = write_profile(s, text, "keyring", path)) == CLI_EX_OK &&
		   (r = store_secret(cli, s, k, text, path, orig)) == CLI_EX_OK) {
		printf("public key: %s\n", k->pub);
		if (s->generate)
			printf("register this public key in the app's manifest, then check with "
			       "'cobo-credential token --profile %s'\n",
			       s->name);
		else if (!s->no_verify)
			r = verify(cli, s);
		if (r == CLI_EX_OK)
			print_next_steps(cli, s);
	}
	free(text);
	free(orig);
	return r;
}

int cmd_setup(struct cli *cli, int argc, char **argv)
{
	struct setup s;
	struct cli_key k = { 0 };
	int done = 0, r;

	r = setup_parse(cli, argc, argv, &s, &done);
	if (r == CLI_EX_OK && !done && (r = setup_complete(&s)) == CLI_EX_OK &&
	    (r = get_key(cli, &s, &k)) == CLI_EX_OK)
		r = run(cli, &s, &k);
	cli_key_free(&k);
	setup_free(&s);
	return r;
}
