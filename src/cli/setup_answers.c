/*
 * setup_answers.c - gathering and checking setup's answers.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "confedit.h"
#include "prompt.h"
#include "secret.h"
#include "setup_answers.h"

enum {
	O_NAME = 0x2000,
	O_ENV,
	O_URL,
	O_SKEY,
	O_CLIENT,
	O_ORG,
	O_KEYFILE,
	O_GEN,
	O_STORE,
	O_CA,
	O_HTTP,
	O_NOVERIFY,
	O_FORCE,
	O_PKCS11
};

static const struct option longopts[] = {
	{ "name", required_argument, NULL, O_NAME },
	{ "env", required_argument, NULL, O_ENV },
	{ "base-url", required_argument, NULL, O_URL },
	{ "server-key", required_argument, NULL, O_SKEY },
	{ "client-id", required_argument, NULL, O_CLIENT },
	{ "org-id", required_argument, NULL, O_ORG },
	{ "key-file", required_argument, NULL, O_KEYFILE },
	{ "generate-key", no_argument, NULL, O_GEN },
	{ "pkcs11", required_argument, NULL, O_PKCS11 },
	{ "key-store", required_argument, NULL, O_STORE },
	{ "ca-file", required_argument, NULL, O_CA },
	{ "allow-http", no_argument, NULL, O_HTTP },
	{ "no-verify", no_argument, NULL, O_NOVERIFY },
	{ "force", no_argument, NULL, O_FORCE },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const char *const env_urls[][2] = {
	{ "dev", "https://api.dev.cobo.com/v2" },
	{ "sandbox", "https://api.sandbox.cobo.com/v2" },
	{ "prod", "https://api.cobo.com/v2" },
};

const char *setup_env_url(const char *env)
{
	size_t i;

	for (i = 0; i < sizeof(env_urls) / sizeof(env_urls[0]); i++)
		if (strcmp(env, env_urls[i][0]) == 0)
			return env_urls[i][1];
	return NULL;
}

/* Copies a flag value; too long is a usage error. */
static int copy(char *dst, size_t len, const char *flag, const char *v)
{
	if (strlen(v) >= len)
		return cli_usage_error("setup", "the value of --%s is too long", flag);
	memcpy(dst, v, strlen(v) + 1);
	return CLI_EX_OK;
}

static int flag(struct cli *cli, struct setup *s, int c, int *done)
{
	int r;

	switch (c) {
	case O_NAME:
		return copy(s->name, sizeof(s->name), "name", optarg);
	case O_ENV:
		return copy(s->env, sizeof(s->env), "env", optarg);
	case O_URL:
		return copy(s->base_url, sizeof(s->base_url), "base-url", optarg);
	case O_SKEY:
		return copy(s->server_key, sizeof(s->server_key), "server-key", optarg);
	case O_CLIENT:
		return copy(s->client_id, sizeof(s->client_id), "client-id", optarg);
	case O_ORG:
		return copy(s->org_id, sizeof(s->org_id), "org-id", optarg);
	case O_KEYFILE:
		return copy(s->key_file, sizeof(s->key_file), "key-file", optarg);
	case O_PKCS11:
		return copy(s->pkcs11, sizeof(s->pkcs11), "pkcs11", optarg);
	case O_CA:
		return copy(s->ca_file, sizeof(s->ca_file), "ca-file", optarg);
	case O_GEN:
		s->generate = 1;
		return CLI_EX_OK;
	case O_HTTP:
		s->allow_http = 1;
		return CLI_EX_OK;
	case O_NOVERIFY:
		s->no_verify = 1;
		return CLI_EX_OK;
	case O_FORCE:
		s->force = 1;
		return CLI_EX_OK;
	case O_STORE:
		if (cli_key_store_parse(optarg, &s->store) != 0)
			return cli_usage_error("setup", "--key-store is auto, keyring or file");
		return CLI_EX_OK;
	default:
		r = cli_common_opt(cli, "setup", c, done);
		return r < 0 ? CLI_EX_USAGE : r;
	}
}

int setup_parse(struct cli *cli, int argc, char **argv, struct setup *s, int *done)
{
	int c, r;

	memset(s, 0, sizeof(*s));
	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1)
		if ((r = flag(cli, s, c, done)) != CLI_EX_OK || *done)
			return r;
	if (optind < argc)
		return cli_usage_error(
			"setup", "unexpected argument '%s'%s", argv[optind],
			"; secrets are read from --key-file FILE or stdin, never argv");
	if (s->env[0] && s->base_url[0])
		return cli_usage_error("setup", "--env and --base-url exclude each other");
	if (s->generate && s->key_file[0])
		return cli_usage_error("setup", "--key-file and --generate-key exclude each other");
	if (s->pkcs11[0] && (s->generate || s->key_file[0]))
		return cli_usage_error("setup", "--pkcs11 excludes --key-file and --generate-key");
	if (s->pkcs11[0] && strncmp(s->pkcs11, "pkcs11:", 7) != 0)
		return cli_usage_error("setup", "--pkcs11 takes a pkcs11: URI (RFC 7512)");
	return CLI_EX_OK;
}

/* Asks for each missing value; on end of input gives up. */
static int ask(struct setup *s)
{
	char src[4096];

	if (!s->env[0] && !s->base_url[0]) {
		if (cli_prompt("Cobo environment (dev, sandbox, prod or custom)", "dev", s->env,
			       sizeof(s->env)) != 0)
			return -1;
		if (strcmp(s->env, "custom") == 0) {
			s->env[0] = '\0';
			if (cli_prompt("API base URL", NULL, s->base_url, sizeof(s->base_url)) != 0)
				return -1;
		}
	}
	if (s->base_url[0] && !s->server_key[0] &&
	    cli_prompt("Server response key (64 hex)", NULL, s->server_key,
		       sizeof(s->server_key)) != 0)
		return -1;
	if ((!s->client_id[0] &&
	     cli_prompt("App client id", NULL, s->client_id, sizeof(s->client_id)) != 0) ||
	    (!s->org_id[0] &&
	     cli_prompt("Organisation id", NULL, s->org_id, sizeof(s->org_id)) != 0) ||
	    (!s->name[0] && cli_prompt("Profile name", s->env[0] ? s->env : "default", s->name,
				       sizeof(s->name)) != 0))
		return -1;
	if (s->key_file[0] || s->generate || s->pkcs11[0])
		return 0;
	if (cli_prompt("App secret: a key file (PEM or 64 hex), a pkcs11: URI, 'paste' or "
		       "'generate'",
		       "generate", src, sizeof(src)) != 0)
		return -1;
	if (strncmp(src, "pkcs11:", 7) == 0)
		snprintf(s->pkcs11, sizeof(s->pkcs11), "%s", src);
	else if (strcmp(src, "generate") == 0)
		s->generate = 1;
	else if (strcmp(src, "paste") == 0)
		return cli_prompt_secret("Paste the app secret", &s->pasted, &s->pasted_len);
	else
		snprintf(s->key_file, sizeof(s->key_file), "%s", src);
	return 0;
}

static void append(char *list, size_t len, const char *what)
{
	size_t n = strlen(list);

	snprintf(list + n, len - n, " %s", what);
}

static int missing(const struct setup *s)
{
	char list[200] = "";

	if (!s->env[0] && !s->base_url[0])
		append(list, sizeof(list), "--env|--base-url");
	if (s->base_url[0] && !s->server_key[0])
		append(list, sizeof(list), "--server-key");
	if (!s->client_id[0])
		append(list, sizeof(list), "--client-id");
	if (!s->org_id[0])
		append(list, sizeof(list), "--org-id");
	if (!s->key_file[0] && !s->generate && !s->pkcs11[0])
		append(list, sizeof(list), "--key-file|--generate-key|--pkcs11");
	if (list[0] == '\0')
		return CLI_EX_OK;
	return cli_usage_error("setup",
			       "missing:%s (not a terminal, or "
			       "COBO_CREDENTIAL_INTERACTIVE=never: nothing is asked)",
			       list);
}

static int id_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 128 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == n;
}

static int check_url(struct setup *s)
{
	size_t n = strlen(s->base_url);
	int https = strncasecmp(s->base_url, "https://", 8) == 0;

	while (n > 8 && s->base_url[n - 1] == '/')
		s->base_url[--n] = '\0';
	if (!cli_conf_value_ok(s->base_url) || strpbrk(s->base_url, " \t?#") != NULL)
		return cli_usage_error("setup", "--base-url '%.80s' is not a plain URL",
				       s->base_url);
	if (!https && !(s->allow_http && strncasecmp(s->base_url, "http://", 7) == 0))
		return cli_usage_error("setup",
				       "--base-url must start with https:// (http:// only "
				       "with --allow-http, for a test server on 127.0.0.1)");
	return CLI_EX_OK;
}

static int check_server_key(struct setup *s)
{
	size_t i, n = strlen(s->server_key);

	if (setup_env_url(s->server_key) != NULL)
		return CLI_EX_OK;
	for (i = 0; i < n; i++)
		s->server_key[i] = (char)tolower((unsigned char)s->server_key[i]);
	if (n != 64 || strspn(s->server_key, "0123456789abcdef") != 64)
		return cli_usage_error("setup", "--server-key is dev, sandbox, prod or the "
						"server's 64-hex Ed25519 response key");
	return CLI_EX_OK;
}

static int check_ca(struct setup *s)
{
	char real[PATH_MAX];

	if (!s->ca_file[0])
		return CLI_EX_OK;
	if (realpath(s->ca_file, real) == NULL || access(real, R_OK) != 0) {
		cli_err("--ca-file %s is not a readable file", s->ca_file);
		return CLI_EX_NOTFOUND;
	}
	if (!cli_conf_value_ok(real))
		return cli_usage_error("setup", "--ca-file path cannot be written in the config");
	snprintf(s->ca_file, sizeof(s->ca_file), "%s", real);
	return CLI_EX_OK;
}

int setup_complete(struct setup *s)
{
	const char *url;
	int r;

	if (cli_interactive() && strcmp(s->key_file, "-") != 0 && ask(s) != 0) {
		cli_err("setup cancelled (end of input)");
		return CLI_EX_USAGE;
	}
	if ((r = missing(s)) != CLI_EX_OK)
		return r;
	if (s->env[0]) {
		if ((url = setup_env_url(s->env)) == NULL)
			return cli_usage_error("setup", "--env is dev, sandbox or prod, not '%s'",
					       s->env);
		snprintf(s->base_url, sizeof(s->base_url), "%s", url);
		if (!s->server_key[0])
			snprintf(s->server_key, sizeof(s->server_key), "%s", s->env);
	}
	if (!s->name[0])
		snprintf(s->name, sizeof(s->name), "%s", s->env[0] ? s->env : "default");
	if (!id_ok(s->name) || s->name[0] == '.')
		return cli_usage_error("setup", "--name '%s': use letters, digits, '.', '_', '-'",
				       s->name);
	if (!cli_client_id_ok(s->client_id) || !id_ok(s->org_id))
		return cli_usage_error("setup", "--client-id and --org-id use letters, digits, "
						"'.', '_', '-' only");
	if ((r = check_url(s)) != CLI_EX_OK || (r = check_server_key(s)) != CLI_EX_OK)
		return r;
	return check_ca(s);
}

void setup_free(struct setup *s)
{
	cobocred_secret_free(s->pasted);
	s->pasted = NULL;
}
