/*
 * appsecret.c - saving, checking and forgetting app secrets.  Keys are
 * generated and parsed by the Cobo schema's owner module through the core;
 * this file moves their canonical text and wipes every copy.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appsecret.h"
#include "fsutil.h"
#include "sbuf.h"
#include "secret.h"
#include "strutil.h"

void cli_key_free(struct cli_key *k)
{
	cobocred_secret_free(k->secret);
	k->secret = NULL;
	k->len = 0;
}

/*
 * Runs a key operation (generate when text is NULL) in ctx, or in a
 * context on the built-in default when ctx is NULL.  COBOCRED_* status.
 */
static int key_op(struct cobocred_ctx *ctx, const char *text, size_t len, struct cli_key *k,
		  char *err, size_t errlen)
{
	struct cobocred_ctx *tmp = NULL;
	int st = COBOCRED_SUCCESS;

	memset(k, 0, sizeof(*k));
	err[0] = '\0';
	if (ctx == NULL && (st = cobocred_ctx_new_builtin(&tmp)) != COBOCRED_SUCCESS)
		snprintf(err, errlen, "%s", tmp != NULL ? cobocred_error(tmp) : "out of memory");
	if (ctx == NULL)
		ctx = tmp;
	if (st == COBOCRED_SUCCESS) {
		st = text == NULL
			     ? cobocred_key_generate(ctx, COBOCRED_SCHEMA_COBO, &k->secret, &k->len,
						     k->pub, sizeof(k->pub))
			     : cobocred_key_import(ctx, COBOCRED_SCHEMA_COBO, text, len, &k->secret,
						   &k->len, k->pub, sizeof(k->pub));
		if (st != COBOCRED_SUCCESS)
			snprintf(err, errlen, "%s", cobocred_error(ctx));
	}
	cobocred_ctx_free(tmp);
	return st;
}

int cli_key_generate(struct cli *cli, struct cli_key *k, char *err, size_t errlen)
{
	return key_op(cli->ctx, NULL, 0, k, err, errlen);
}

int cli_key_import(struct cli *cli, const char *text, size_t len, struct cli_key *k, char *err,
		   size_t errlen)
{
	return key_op(cli->ctx, text, len, k, err, errlen);
}

/* 1 if a and b hold the same canonical key (constant time in the bytes). */
static int same_key(const struct cli_key *a, const struct cli_key *b)
{
	return a->len == b->len && cobocred_consttime_eq(a->secret, b->secret, a->len);
}

int cli_key_store_parse(const char *s, enum cli_key_store *out)
{
	if (strcmp(s, "auto") == 0)
		*out = CLI_STORE_AUTO;
	else if (strcmp(s, "keyring") == 0)
		*out = CLI_STORE_KEYRING;
	else if (strcmp(s, "file") == 0)
		*out = CLI_STORE_FILE;
	else
		return -1;
	return 0;
}

int cli_client_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128 || s[0] == '.')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* ${XDG_DATA_HOME:-$HOME/.local/share}/cobo-credential into out. */
static int data_dir(char *out, size_t outlen)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/cobo-credential", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(out, outlen, "%s/.local/share/cobo-credential", home);
	else
		return -1;
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int cli_key_file_path(const char *client_id, char *out, size_t outlen)
{
	char dir[4096];
	int n;

	if (!cli_client_id_ok(client_id) || data_dir(dir, sizeof(dir)) != 0)
		return -1;
	n = snprintf(out, outlen, "%s/keys/%s.key", dir, client_id);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

struct probe {
	int usable;
};

static void probe_fn(void *arg, const char *op, const char *instance, int status, const char *msg)
{
	struct probe *p = arg;

	(void)op;
	(void)msg;
	if (strcmp(instance, "keyring") == 0 && status == COBOCRED_SUCCESS)
		p->usable = 1;
}

int cli_keyring_usable(struct cli *cli)
{
	struct probe p = { 0 };

	cobocred_stack_probe(cli->ctx, probe_fn, &p);
	return p.usable;
}

static void app_query(struct cobocred_query *q, struct cobocred_attr *attr, const char *client_id)
{
	memset(q, 0, sizeof(*q));
	attr->name = "client_id";
	attr->value = client_id;
	q->struct_size = sizeof(*q);
	q->schema = COBOCRED_SCHEMA_APP_SECRET;
	q->n_attrs = 1;
	q->attrs = attr;
}

/* The key stored for client_id in the store stack.  A COBOCRED_* status; err on failure. */
static int stack_load(struct cli *cli, const char *client_id, struct cli_key *k,
		      const char **origin, char *err, size_t errlen)
{
	static char where[64];
	struct cobocred_attr a;
	struct cobocred_query q;
	struct cobocred_item *it = NULL;
	char why[256];
	int st;

	memset(k, 0, sizeof(*k));
	app_query(&q, &a, client_id);
	st = cobocred_get(cli->ctx, &q, &it);
	if (st != COBOCRED_SUCCESS) {
		snprintf(err, errlen, "%s",
			 st == COBOCRED_NOTFOUND
				 ? "no app secret for this client_id in the credential store"
				 : cobocred_error(cli->ctx));
		return st;
	}
	snprintf(where, sizeof(where), "%s", cobocred_item_origin(it));
	if (cli_key_import(cli, (const char *)it->secret, it->secret_len, k, why, sizeof(why)) !=
	    COBOCRED_SUCCESS) {
		snprintf(err, errlen, "the app secret in the credential store (%s): %s", where,
			 why);
		st = COBOCRED_ERROR;
	}
	if (origin != NULL)
		*origin = where;
	cobocred_item_free(it);
	return st;
}

/* The CLI's own key file (an absolute path) as a key.  A COBOCRED_* status; err on failure. */
static int file_load(struct cli *cli, const char *path, struct cli_key *k, char *err, size_t errlen)
{
	char why[512];
	char *text = NULL;
	size_t len = 0;
	int st;

	memset(k, 0, sizeof(*k));
	st = cobocred_read_private_file(path, CLI_KEY_TEXT_MAX,
					COBOCRED_FILE_PRIVATE | COBOCRED_FILE_SECRET, &text, &len,
					why, sizeof(why));
	if (st != COBOCRED_SUCCESS) {
		snprintf(err, errlen, "app secret: %s", why);
		return st;
	}
	if (cli_key_import(cli, text, len, k, why, sizeof(why)) != COBOCRED_SUCCESS) {
		snprintf(err, errlen, "app secret %.200s: %.500s", path, why);
		st = COBOCRED_ERROR;
	}
	cobocred_secret_free(text);
	return st;
}

static int stack_save(struct cli *cli, const char *client_id, const struct cli_key *k)
{
	struct cobocred_item *it = cobocred_item_new(COBOCRED_SCHEMA_APP_SECRET);
	struct cobocred_attr a;
	struct cobocred_query q;
	char label[200];
	int st;

	snprintf(label, sizeof(label), "Cobo App Secret (%s)", client_id);
	if (it == NULL || cobocred_item_set_label(it, label) != 0 ||
	    cobocred_item_add_attr(it, "client_id", client_id) != 0 ||
	    cobocred_item_set_secret(it, k->secret, k->len) != 0) {
		cobocred_item_free(it);
		cli_err("out of memory");
		return CLI_EX_INTERNAL;
	}
	app_query(&q, &a, client_id);
	st = cobocred_store(cli->ctx, it, &q);
	cobocred_item_free(it);
	return st == COBOCRED_SUCCESS ? CLI_EX_OK : cli_fail(cli, st);
}

/* Creates the private key directory: data dir and keys/, both 0700. */
static int key_dir(char *err, size_t errlen)
{
	char dir[4096], keys[4200];

	if (data_dir(dir, sizeof(dir)) != 0) {
		snprintf(err, errlen, "no usable home directory for the key file; set HOME");
		return -1;
	}
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	return cobocred_mkdir_private(dir, err, errlen) != 0 ||
			       cobocred_mkdir_private(keys, err, errlen) != 0
		       ? -1
		       : 0;
}

static int file_save(const char *path, const struct cli_key *k)
{
	char *line = cobocred_secret_alloc(k->len + 1), err[600];
	int r = CLI_EX_OK;

	if (line == NULL) {
		cli_err("out of memory");
		return CLI_EX_INTERNAL;
	}
	memcpy(line, k->secret, k->len);
	line[k->len] = '\n';
	if (key_dir(err, sizeof(err)) != 0 ||
	    cobocred_write_atomic(path, line, k->len + 1, 0600, err, sizeof(err)) != 0) {
		cli_err("cannot write the key file: %s", err);
		r = CLI_EX_IOERR;
	}
	cobocred_secret_free(line);
	return r;
}

/* Refuses to replace a different stored secret without force. CLI_EX_*. */
static int check_existing(struct cli *cli, const char *client_id, enum cli_key_store where,
			  const char *path, const struct cli_key *k, int force)
{
	struct cli_key old = { 0 };
	char err[768];
	int st, same;

	if (where == CLI_STORE_FILE) {
		if (access(path, F_OK) != 0)
			return CLI_EX_OK;
		st = file_load(cli, path, &old, err, sizeof(err));
	} else {
		st = stack_load(cli, client_id, &old, NULL, err, sizeof(err));
	}
	if (st == COBOCRED_NOTFOUND)
		return CLI_EX_OK;
	same = st == COBOCRED_SUCCESS && same_key(&old, k);
	cli_key_free(&old);
	if (same || force)
		return CLI_EX_OK;
	if (st != COBOCRED_SUCCESS && where == CLI_STORE_KEYRING) {
		cli_err("cannot check for an existing app secret: %s", err);
		return cli_exit_code(st);
	}
	cli_err("a different app secret for client_id %s is already stored (%s); replacing it "
		"breaks the public key registered for the app; pass --force to replace it",
		client_id, where == CLI_STORE_FILE ? path : "credential store");
	return CLI_EX_USAGE;
}

int cli_secret_save(struct cli *cli, const char *client_id, const struct cli_key *k,
		    enum cli_key_store where, int force, char *spec, size_t speclen, char *place,
		    size_t placelen)
{
	char path[4096], err[512] = "";
	const char *origin = "?";
	struct cli_key check = { 0 };
	int r, same;

	if (cli_key_file_path(client_id, path, sizeof(path)) != 0) {
		cli_err("client_id '%.80s' is not usable in a file name, or HOME is unset",
			client_id);
		return CLI_EX_USAGE;
	}
	if (where == CLI_STORE_AUTO)
		where = cli_keyring_usable(cli) ? CLI_STORE_KEYRING : CLI_STORE_FILE;
	r = check_existing(cli, client_id, where, path, k, force);
	if (r != CLI_EX_OK)
		return r;
	r = where == CLI_STORE_FILE ? file_save(path, k) : stack_save(cli, client_id, k);
	if (r != CLI_EX_OK)
		return r;
	if (where == CLI_STORE_FILE) {
		snprintf(spec, speclen, "file:%s", path);
		snprintf(place, placelen, "%s (mode 0600)", path);
		return CLI_EX_OK;
	}
	/* Read it back: proves the store works and tells which module kept it. */
	same = stack_load(cli, client_id, &check, &origin, err, sizeof(err)) == COBOCRED_SUCCESS &&
	       same_key(&check, k);
	cli_key_free(&check);
	if (!same) {
		cli_err("the app secret was stored but does not read back (%s); run "
			"'cobo-credential doctor'",
			err);
		return CLI_EX_INTERNAL;
	}
	snprintf(spec, speclen, "keyring");
	snprintf(place, placelen, "the credential store (module %s)", origin);
	return CLI_EX_OK;
}

int cli_secret_forget(struct cli *cli, const char *client_id, char *done, size_t donelen)
{
	struct cobocred_attr a;
	struct cobocred_query q;
	char path[4096];
	int st, n = 0;

	done[0] = '\0';
	app_query(&q, &a, client_id);
	st = cobocred_erase(cli->ctx, &q);
	if (st == COBOCRED_SUCCESS)
		n = snprintf(done, donelen, "app secret removed from the credential store");
	else if (st != COBOCRED_NOTFOUND)
		return cli_fail(cli, st);
	if (cli_key_file_path(client_id, path, sizeof(path)) != 0)
		return CLI_EX_OK;
	if (unlink(path) == 0) {
		snprintf(done + n, donelen - (size_t)n, "%skey file %s removed", n ? "; " : "",
			 path);
	} else if (errno != ENOENT) {
		cli_err("cannot remove %s: %s", path, strerror(errno));
		return CLI_EX_IOERR;
	}
	return CLI_EX_OK;
}

/* A key pasted on stdin, through the core's bounded reader (secret memory). */
static int read_stdin(char **text, size_t *len)
{
	struct cobocred_sbuf in;

	if (cobocred_sbuf_read(&in, STDIN_FILENO, CLI_KEY_TEXT_MAX, NULL, NULL) != 0) {
		cli_err("cannot read standard input: %s", strerror(errno));
		return errno == ENOMEM ? CLI_EX_INTERNAL : CLI_EX_IOERR;
	}
	if (in.len > CLI_KEY_TEXT_MAX) {
		cobocred_sbuf_free(&in);
		cli_err("standard input is larger than %d bytes; that is not a key",
			CLI_KEY_TEXT_MAX);
		return CLI_EX_USAGE;
	}
	*text = in.p; /* handed over: the caller frees it with cobocred_secret_free */
	*len = in.len;
	return CLI_EX_OK;
}

int cli_read_key_text(const char *path, char **text, size_t *len)
{
	struct stat st;
	char err[512];
	int r;

	*text = NULL;
	*len = 0;
	if (strcmp(path, "-") == 0)
		return read_stdin(text, len);
	r = cobocred_read_private_file(path, CLI_KEY_TEXT_MAX, COBOCRED_FILE_SECRET, text, len, err,
				       sizeof(err));
	if (r != COBOCRED_SUCCESS) {
		cli_err("%s", err);
		return r == COBOCRED_NOTFOUND ? CLI_EX_NOTFOUND : CLI_EX_USAGE;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077))
		cli_err("note: %s is readable by others; delete it once imported", path);
	return CLI_EX_OK;
}
