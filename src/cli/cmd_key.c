/*
 * cmd_key.c - 'cobo-credential key generate|import|public'.  Secrets come
 * from files or stdin, never from argv, and go only to the store stack or
 * a 0600 file; stdout carries only public keys.  The key itself is the
 * Cobo schema owner's business (cobo-oauth, through the core): this file
 * parses nothing and loads no OpenSSL.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "appsecret.h"
#include "cli.h"
#include "confedit.h"
#include "fsutil.h"
#include "secret.h"
#include "strutil.h"

struct key_opts {
	const char *profile;
	const char *out;
	const char *pkcs11; /* generate inside this token (a pkcs11: URI) */
	enum cli_key_store store;
	int force;
};

static int parse_opts(struct cli *cli, int argc, char **argv, struct key_opts *o, int *done)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "key-store", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "pkcs11", required_argument, NULL, 'P' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "p:o:s:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->profile = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 's':
			if (cli_key_store_parse(optarg, &o->store) != 0)
				return cli_usage_error("key",
						       "--key-store is auto, keyring or file");
			break;
		case 'f':
			o->force = 1;
			break;
		case 'P':
			o->pkcs11 = optarg;
			break;
		default:
			r = cli_common_opt(cli, "key", c, done);
			if (r != CLI_EX_OK || *done)
				return r < 0 ? CLI_EX_USAGE : r;
		}
	}
	return CLI_EX_OK;
}

static void print_public(const char *pub)
{
	printf("%s\n", pub);
}

/* Points profile's app_secret at spec in the config file, if it differs. */
static int set_app_secret(struct cli *cli, const char *profile, const char *spec)
{
	const char *cur = cobocred_profile_get(cli->ctx, profile, "app_secret");
	const char *path = cobocred_config_path(cli->ctx);
	struct cobocred_sbuf out = { 0 };
	char *text = NULL;
	int r;

	if ((cur == NULL && strcmp(spec, "keyring") == 0) || (cur && strcmp(cur, spec) == 0))
		return CLI_EX_OK;
	if (!cli_conf_value_ok(spec)) {
		cli_err("the key file path '%s' cannot be written in the config file", spec);
		return CLI_EX_CONFIG;
	}
	if ((r = cli_conf_load_text(cli, path, &text)) != CLI_EX_OK)
		return r;
	if (cli_conf_set_key(text, profile, "app_secret", spec, &out) != 0) {
		cli_err("cannot update [profile %s] in %s; set 'app_secret = %s' there", profile,
			path, spec);
		r = CLI_EX_CONFIG;
	} else if ((r = cli_conf_save(path, cobocred_sbuf_str(&out))) == CLI_EX_OK) {
		fprintf(stderr, "%s: app_secret = %s in %s\n", profile, spec, path);
	}
	free(text);
	cobocred_sbuf_free(&out);
	return r;
}

/* Stores k as profile's app secret and prints its public key. */
static int save_for_profile(struct cli *cli, const struct key_opts *o, const struct cli_key *k)
{
	const char *p, *client;
	char spec[4200], place[4200];
	int r;

	if ((r = cli_open(cli)) != CLI_EX_OK || (r = cli_pick_profile(cli, o->profile, &p)) != 0)
		return r;
	client = cobocred_profile_get(cli->ctx, p, "client_id");
	r = cli_secret_save(cli, client, k, o->store, o->force, spec, sizeof(spec), place,
			    sizeof(place));
	if (r == CLI_EX_OK)
		r = set_app_secret(cli, p, spec);
	if (r != CLI_EX_OK)
		return r;
	print_public(k->pub);
	fprintf(stderr,
		"%s: app secret stored in %s; the public key above goes in the app's "
		"manifest\n",
		p, place);
	return CLI_EX_OK;
}

/* Writes the key to a new 0600 file (--out); replaces one only with --force. */
static int write_out_file(const char *path, const struct cli_key *k, int force)
{
	char *line = cobocred_secret_alloc(k->len + 1), err[600];
	size_t n = k->len + 1;
	int fd, r = CLI_EX_OK;
	ssize_t w = -1;

	if (line == NULL) {
		cli_err("out of memory");
		return CLI_EX_INTERNAL;
	}
	memcpy(line, k->secret, k->len);
	line[k->len] = '\n';
	if (force) {
		if (cobocred_write_atomic(path, line, n, 0600, err, sizeof(err)) != 0) {
			cli_err("%s", err);
			r = CLI_EX_IOERR;
		}
	} else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) <
		   0) {
		cli_err("cannot create %s: %s%s", path, strerror(errno),
			errno == EEXIST ? "; pick a new name or pass --force" : "");
		r = errno == EEXIST ? CLI_EX_USAGE : CLI_EX_IOERR;
	} else {
		w = write(fd, line, n);
		if (w != (ssize_t)n || fsync(fd) != 0 || close(fd) != 0) {
			cli_err("cannot write %s: %s", path, strerror(errno));
			unlink(path);
			r = CLI_EX_IOERR;
		}
	}
	cobocred_secret_free(line);
	return r;
}

/*
 * A key made inside a PKCS#11 token: nothing secret crosses this process,
 * only the public key comes back.  With --profile, the profile's
 * app_secret is pointed at the token.
 */
static int key_generate_token(struct cli *cli, const struct key_opts *o)
{
	char pub[CLI_PUB_TEXT];
	const char *p = NULL;
	int r, st;

	if (o->out != NULL)
		return cli_usage_error("key", "--out and --pkcs11 exclude each other: the key "
					      "stays in the token");
	if ((r = cli_open(cli)) != CLI_EX_OK ||
	    (o->profile != NULL && (r = cli_pick_profile(cli, o->profile, &p)) != CLI_EX_OK))
		return r;
	st = cobocred_key_generate_token(cli->ctx, COBOCRED_SCHEMA_COBO, o->pkcs11, pub,
					 sizeof(pub));
	if (st != COBOCRED_SUCCESS) {
		cli_err("%s", cobocred_error(cli->ctx));
		return st == COBOCRED_ERROR ? CLI_EX_CONFIG : cli_exit_code(st);
	}
	if (p != NULL && (r = set_app_secret(cli, p, o->pkcs11)) != CLI_EX_OK)
		return r;
	print_public(pub);
	fprintf(stderr, "key made inside the token (sensitive, never extractable); the public key "
			"above goes in the app's manifest\n");
	return CLI_EX_OK;
}

static int key_generate(struct cli *cli, const struct key_opts *o)
{
	struct cli_key k;
	char err[600];
	int r, st;

	if (o->out != NULL && o->profile != NULL)
		return cli_usage_error("key", "--out and --profile exclude each other");
	st = cli_key_generate(cli, &k, err, sizeof(err));
	if (st != COBOCRED_SUCCESS) {
		cli_err("%s", err);
		return st == COBOCRED_ERROR ? CLI_EX_INTERNAL : cli_exit_code(st);
	}
	if (o->out == NULL) {
		r = save_for_profile(cli, o, &k);
	} else if ((r = write_out_file(o->out, &k, o->force)) == CLI_EX_OK) {
		print_public(k.pub);
		fprintf(stderr,
			"app secret written to %s (mode 0600); the public key above goes "
			"in the app's manifest; then: cobo-credential setup --key-file %s ...\n",
			o->out, o->out);
	}
	cli_key_free(&k);
	return r;
}

/* Reads a key from path ("-": stdin) and has the owner module parse it into k. */
static int read_key(struct cli *cli, const char *path, struct cli_key *k)
{
	char *text = NULL, err[600];
	size_t len = 0;
	int r = cli_read_key_text(path, &text, &len), st;

	memset(k, 0, sizeof(*k));
	if (r != CLI_EX_OK)
		return r;
	st = cli_key_import(cli, text, len, k, err, sizeof(err));
	if (st != COBOCRED_SUCCESS) {
		cli_err("%s: %s", strcmp(path, "-") == 0 ? "standard input" : path, err);
		r = st == COBOCRED_ERROR ? CLI_EX_DATAERR : cli_exit_code(st);
	}
	cobocred_secret_free(text);
	return r;
}

static int key_import(struct cli *cli, const struct key_opts *o, const char *path)
{
	struct cli_key k;
	int r;

	if (o->out != NULL)
		return cli_usage_error("key", "--out goes with generate");
	if ((r = read_key(cli, path, &k)) == CLI_EX_OK)
		r = save_for_profile(cli, o, &k);
	cli_key_free(&k);
	return r;
}

static int key_public(struct cli *cli, const struct key_opts *o, const char *path)
{
	struct cli_key k = { 0 };
	const char *p;
	int r, st;

	if (path != NULL) {
		r = read_key(cli, path, &k);
	} else if ((r = cli_open(cli)) == CLI_EX_OK &&
		   (r = cli_pick_profile(cli, o->profile, &p)) == CLI_EX_OK) {
		/* Read as the module reads it to sign: a loose key file is refused. */
		st = cobocred_key_public(cli->ctx, COBOCRED_SCHEMA_COBO, p, k.pub, sizeof(k.pub));
		if (st != COBOCRED_SUCCESS) {
			cli_err("%s: %s", p, cobocred_error(cli->ctx));
			r = st == COBOCRED_ERROR ? CLI_EX_CONFIG : cli_exit_code(st);
		}
	}
	if (r == CLI_EX_OK)
		print_public(k.pub);
	cli_key_free(&k);
	return r;
}

int cmd_key(struct cli *cli, int argc, char **argv)
{
	struct key_opts o = { .store = CLI_STORE_AUTO };
	const char *verb, *arg;
	int done = 0, r, nargs;

	if ((r = parse_opts(cli, argc, argv, &o, &done)) != CLI_EX_OK || done)
		return r;
	if (optind >= argc)
		return cli_usage_error("key", "say generate, import FILE|- or public");
	verb = argv[optind];
	nargs = argc - optind - 1;
	arg = nargs > 0 ? argv[optind + 1] : NULL;
	if (nargs > 1)
		return cli_usage_error("key", "too many arguments");
	if (o.pkcs11 != NULL && strcmp(verb, "generate") != 0)
		return cli_usage_error("key", "--pkcs11 goes with generate");
	if (strcmp(verb, "generate") == 0 && o.pkcs11 != NULL)
		return arg ? cli_usage_error("key", "generate takes no argument")
			   : key_generate_token(cli, &o);
	if (strcmp(verb, "generate") == 0)
		return arg ? cli_usage_error("key", "generate takes no argument; secrets never go "
						    "on the command line")
			   : key_generate(cli, &o);
	if (strcmp(verb, "import") == 0)
		return arg ? key_import(cli, &o, arg)
			   : cli_usage_error("key", "import needs FILE, or - for stdin");
	if (strcmp(verb, "public") == 0)
		return key_public(cli, &o, arg);
	return cli_usage_error("key", "unknown subcommand '%s'", verb);
}
