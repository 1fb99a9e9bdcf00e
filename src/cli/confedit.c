/*
 * confedit.c - line-preserving edits of the configuration file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confedit.h"
#include "fsutil.h"

struct line {
	const char *p;
	size_t n; /* without the '\n' */
};

struct lines {
	struct line *v;
	size_t n;
};

static int split(const char *text, struct lines *ls)
{
	const char *p = text;
	size_t cap = 0;

	ls->v = NULL;
	ls->n = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (ls->n == cap) {
			struct line *v = realloc(ls->v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (v == NULL) {
				free(ls->v);
				return -1;
			}
			ls->v = v;
		}
		ls->v[ls->n].p = p;
		ls->v[ls->n++].n = n;
		p += n + (nl != NULL);
	}
	return 0;
}

static void skip_blank(const char **p, const char *end)
{
	while (*p < end && isspace((unsigned char)**p))
		(*p)++;
}

/* 0: not a section header; 1: another header; 2: "[profile name]". */
static int header_kind(const struct line *l, const char *name)
{
	const char *p = l->p, *end = l->p + l->n, *rb, *q;

	skip_blank(&p, end);
	if (p == end || *p != '[' || (rb = memchr(p, ']', (size_t)(end - p))) == NULL)
		return 0;
	p++;
	skip_blank(&p, rb);
	if ((size_t)(rb - p) < 8 || memcmp(p, "profile", 7) != 0 || !isspace((unsigned char)p[7]))
		return 1;
	p += 8;
	skip_blank(&p, rb);
	for (q = rb; q > p && isspace((unsigned char)q[-1]); q--)
		;
	return (size_t)(q - p) == strlen(name) && memcmp(p, name, (size_t)(q - p)) == 0 ? 2 : 1;
}

/* 1 if the line is "key = ..." for key (key NULL: any key). */
static int line_has_key(const struct line *l, const char *key)
{
	const char *p = l->p, *end = l->p + l->n, *eq, *k;

	skip_blank(&p, end);
	if (p == end || *p == '#' || *p == ';' || *p == '[')
		return 0;
	eq = memchr(p, '=', (size_t)(end - p));
	if (eq == NULL)
		return 0;
	if (key == NULL)
		return 1;
	for (k = eq; k > p && isspace((unsigned char)k[-1]); k--)
		;
	return (size_t)(k - p) == strlen(key) && memcmp(p, key, (size_t)(k - p)) == 0;
}

/*
 * Finds [profile name]: *h its header line, *last its last key line (or the
 * header), *end the next header (or the line count).  0 found, 1 not.
 */
static int find_section(const struct lines *ls, const char *name, size_t *h, size_t *last,
			size_t *end)
{
	size_t i;

	for (i = 0; i < ls->n && header_kind(&ls->v[i], name) != 2; i++)
		;
	if (i == ls->n)
		return 1;
	*h = *last = i;
	for (i++; i < ls->n && header_kind(&ls->v[i], name) == 0; i++)
		if (line_has_key(&ls->v[i], NULL))
			*last = i;
	*end = i;
	return 0;
}

static void put_lines(struct cobocred_sbuf *out, const struct lines *ls, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to && i < ls->n; i++) {
		cobocred_sbuf_add(out, ls->v[i].p, ls->v[i].n);
		cobocred_sbuf_add(out, "\n", 1);
	}
}

static void put_section(struct cobocred_sbuf *out, const char *name, const struct cli_kv *kv,
			size_t n)
{
	size_t i;

	cobocred_sbuf_addf(out, "[profile %s]\n", name);
	for (i = 0; i < n; i++)
		cobocred_sbuf_addf(out, "%s = %s\n", kv[i].key, kv[i].value);
}

int cli_conf_value_ok(const char *v)
{
	size_t n = strlen(v), i;

	if (n == 0 || n > 2048 || isspace((unsigned char)v[0]) ||
	    isspace((unsigned char)v[n - 1]) || v[0] == '#' || v[0] == ';')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		/* A '#' after a blank would start a comment when read back. */
		if (c < 0x20 || c == 0x7f || (c == '#' && isspace((unsigned char)v[i - 1])))
			return 0;
	}
	return 1;
}

int cli_conf_put_profile(const char *text, const char *name, const struct cli_kv *kv, size_t n,
			 struct cobocred_sbuf *out)
{
	struct lines ls;
	size_t h, last, end;

	if (split(text, &ls) != 0)
		return -1;
	if (find_section(&ls, name, &h, &last, &end) == 0) {
		put_lines(out, &ls, 0, h);
		put_section(out, name, kv, n);
		put_lines(out, &ls, last + 1, ls.n);
	} else {
		put_lines(out, &ls, 0, ls.n);
		if (ls.n > 0 && ls.v[ls.n - 1].n > 0)
			cobocred_sbuf_add(out, "\n", 1);
		put_section(out, name, kv, n);
	}
	free(ls.v);
	return out->failed ? -1 : 0;
}

int cli_conf_remove_profile(const char *text, const char *name, struct cobocred_sbuf *out)
{
	struct lines ls;
	size_t h, last, end;
	int r = 1;

	if (split(text, &ls) != 0)
		return -1;
	if (find_section(&ls, name, &h, &last, &end) == 0) {
		/* Take the blank line that separated it from the section before, too. */
		put_lines(out, &ls, 0, h > 0 && ls.v[h - 1].n == 0 ? h - 1 : h);
		put_lines(out, &ls, last + 1, ls.n);
		r = 0;
	}
	free(ls.v);
	return out->failed ? -1 : r;
}

int cli_conf_set_key(const char *text, const char *name, const char *key, const char *value,
		     struct cobocred_sbuf *out)
{
	struct lines ls;
	size_t h, last, end, i;
	int r = 1;

	if (split(text, &ls) != 0)
		return -1;
	if (find_section(&ls, name, &h, &last, &end) == 0) {
		for (i = h + 1; i < end && !line_has_key(&ls.v[i], key); i++)
			;
		/* Replace the key's line, or add one after the section's last key. */
		put_lines(out, &ls, 0, i < end ? i : last + 1);
		cobocred_sbuf_addf(out, "%s = %s\n", key, value);
		put_lines(out, &ls, i < end ? i + 1 : last + 1, ls.n);
		r = 0;
	}
	free(ls.v);
	return out->failed ? -1 : r;
}

int cli_conf_target(const struct cli *cli, char *path, size_t len)
{
	const char *env = getenv("COBO_CREDENTIAL_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (cli->config != NULL)
		n = snprintf(path, len, "%s", cli->config);
	else if (env != NULL && *env != '\0')
		n = snprintf(path, len, "%s", env);
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(path, len, "%s/cobo-credential/config", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(path, len, "%s/.config/cobo-credential/config", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int read_text(const char *path, char **text)
{
	char err[600];
	size_t len;
	int st;

	st = cobocred_read_private_file(path, COBOCRED_CONFIG_MAX_BYTES, COBOCRED_FILE_NOT_WRITABLE,
					text, &len, err, sizeof(err));
	if (st == COBOCRED_SUCCESS && memchr(*text, '\0', len) != NULL) {
		free(*text);
		*text = NULL;
		snprintf(err, sizeof(err), "%s holds a NUL byte; it is not a config file", path);
		st = COBOCRED_ERROR;
	}
	if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND)
		cli_err("%s", err);
	return st;
}

/*
 * The text to edit: the target file, else the file in use, else a new file
 * that holds only a header.  A new file gets no [stack] and no [module]
 * lines: the built-in stack and each module's own defaults apply without
 * them, so setup writes only what differs from the defaults (the profile).
 */
int cli_conf_load_text(struct cli *cli, const char *target, char **text)
{
	const char *inuse = cli->ctx ? cobocred_config_path(cli->ctx) : NULL;
	static const char head[] = "# cobo-credential configuration: see cobo-credential.conf(5)\n"
				   "# No [stack] section: the built-in default stack applies.\n";
	int st;

	*text = NULL;
	st = read_text(target, text);
	if (st == COBOCRED_NOTFOUND && inuse != NULL && strcmp(inuse, target) != 0)
		st = read_text(inuse, text); /* the system-wide file becomes the user's start */
	if (st == COBOCRED_SUCCESS)
		return CLI_EX_OK;
	if (st != COBOCRED_NOTFOUND)
		return CLI_EX_CONFIG;
	*text = strdup(head);
	if (*text == NULL) {
		cli_err("out of memory");
		return CLI_EX_INTERNAL;
	}
	return CLI_EX_OK;
}

/* Creates the parent directory of path (private) when it does not exist. */
static int parent_dir(const char *path)
{
	char copy[4096], err[600];
	struct stat st;
	const char *dir;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy)) {
		cli_err("config path too long");
		return -1;
	}
	dir = dirname(copy);
	if (stat(dir, &st) == 0)
		return 0;
	if (cobocred_mkdir_private(dir, err, sizeof(err)) != 0) {
		cli_err("%s", err);
		return -1;
	}
	return 0;
}

int cli_conf_save(const char *path, const char *text)
{
	struct cobocred_ctx *check = NULL;
	char tmp[4200], err[600];
	int st;

	if (parent_dir(path) != 0)
		return CLI_EX_IOERR;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if (cobocred_write_atomic(tmp, text, strlen(text), 0600, err, sizeof(err)) != 0) {
		cli_err("%s", err);
		return CLI_EX_IOERR;
	}
	st = cobocred_ctx_new(tmp, &check);
	if (st != COBOCRED_SUCCESS) {
		cli_err("the rewritten configuration does not parse (%s); %s is unchanged; "
			"report this bug",
			cobocred_error(check), path);
		cobocred_ctx_free(check);
		unlink(tmp);
		return CLI_EX_INTERNAL;
	}
	cobocred_ctx_free(check);
	if (rename(tmp, path) != 0) {
		cli_err("cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		return CLI_EX_IOERR;
	}
	return CLI_EX_OK;
}
