/*
 * manifest.c - reads a module's manifest (NAME.module beside NAME.so)
 * without loading the module, and holds the loaded module to it.
 * See manifest.h for why and for the format.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg.h"
#include "fsutil.h"
#include "manifest.h"

#define LINE_MAX_LEN 1024
#define SEPARATORS " \t,"

/* The capability words; a new COBOCRED_CAP_* bit gets its word here. */
static const struct cap_word {
	const char *word;
	uint32_t bit;
} cap_words[] = {
	{ "get", COBOCRED_CAP_GET },	 { "store", COBOCRED_CAP_STORE },
	{ "erase", COBOCRED_CAP_ERASE }, { "list", COBOCRED_CAP_LIST },
	{ "mint", COBOCRED_CAP_MINT },
};
#define N_CAP_WORDS (sizeof(cap_words) / sizeof(cap_words[0]))

static uint32_t known_caps(void)
{
	uint32_t all = 0;
	size_t i;

	for (i = 0; i < N_CAP_WORDS; i++)
		all |= cap_words[i].bit;
	return all;
}

/* "PATH:LINE: " (or "PATH: " for line 0) and the message into err; returns -1. */
static int bad(const char *path, int line, char *err, size_t errlen, const char *fmt, ...)
	COBOCRED_PRINTF(5, 6);
static int bad(const char *path, int line, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n = line > 0 ? snprintf(err, errlen, "%s:%d: ", path, line)
			 : snprintf(err, errlen, "%s: ", path);

	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static char *trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int schema_word_ok(const char *w, size_t n)
{
	size_t i;

	if (n == 0 || n >= COBOCRED_MANIFEST_SCHEMA_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)w[i] <= 0x20 || (unsigned char)w[i] >= 0x7f)
			return 0;
	return 1;
}

static int parse_schemas(struct cobocred_manifest *m, const char *v, int line, char *err,
			 size_t errlen)
{
	size_t n;

	if (strcmp(v, "*") == 0)
		return (m->any_schema = 1), 0;
	for (v += strspn(v, SEPARATORS); *v; v += n, v += strspn(v, SEPARATORS)) {
		n = strcspn(v, SEPARATORS);
		if (n == 1 && *v == '*')
			return bad(
				m->path, line, err, errlen,
				"'*' (any schema) stands alone; write 'schemas = *' or the names");
		if (!schema_word_ok(v, n))
			return bad(m->path, line, err, errlen,
				   "schema '%.*s' is not a schema name (1 to %d printable "
				   "characters)",
				   (int)(n < 60 ? n : 60), v, COBOCRED_MANIFEST_SCHEMA_LEN - 1);
		if (m->n_schemas == COBOCRED_MANIFEST_SCHEMAS)
			return bad(m->path, line, err, errlen,
				   "more than %d schemas; write 'schemas = *' for a module "
				   "that serves any",
				   COBOCRED_MANIFEST_SCHEMAS);
		memcpy(m->schemas[m->n_schemas], v, n);
		m->schemas[m->n_schemas++][n] = '\0';
	}
	if (m->n_schemas == 0)
		return bad(m->path, line, err, errlen,
			   "schemas is empty; list the schemas the module serves, or * for any");
	return 0;
}

/* Known words set their bits; unknown ones are a newer host's business. */
static int parse_caps(struct cobocred_manifest *m, const char *v, int line, char *err,
		      size_t errlen)
{
	size_t n, i, words = 0;

	for (v += strspn(v, SEPARATORS); *v; v += n, v += strspn(v, SEPARATORS), words++) {
		n = strcspn(v, SEPARATORS);
		for (i = 0; i < N_CAP_WORDS; i++)
			if (strlen(cap_words[i].word) == n && strncmp(cap_words[i].word, v, n) == 0)
				m->caps |= cap_words[i].bit;
	}
	if (words == 0)
		return bad(m->path, line, err, errlen,
			   "capabilities is empty; list what the module does (get store "
			   "erase list mint)");
	return 0;
}

static int parse_abi(struct cobocred_manifest *m, const char *v, int line, char *err, size_t errlen)
{
	size_t n = strlen(v);
	unsigned long major;

	if (n == 0 || n > 5 || strspn(v, "0123456789") != n)
		return bad(m->path, line, err, errlen,
			   "abi = %.20s is not an ABI major version; write 'abi = %u'", v,
			   COBOCRED_ABI_MAJOR);
	major = strtoul(v, NULL, 10);
	if (major != COBOCRED_ABI_MAJOR)
		return bad(m->path, line, err, errlen,
			   "abi = %lu, but this cobo-credential speaks ABI %u; install the "
			   "module built for this cobo-credential",
			   major, COBOCRED_ABI_MAJOR);
	m->abi_major = (uint32_t)major;
	return 0;
}

/* Where each required key is kept, for the duplicate and missing checks. */
static int *key_line(struct cobocred_manifest *m, const char *key)
{
	if (strcmp(key, "name") == 0)
		return &m->name_line;
	if (strcmp(key, "abi") == 0)
		return &m->abi_line;
	if (strcmp(key, "schemas") == 0)
		return &m->schemas_line;
	if (strcmp(key, "capabilities") == 0)
		return &m->caps_line;
	return NULL;
}

static int parse_value(struct cobocred_manifest *m, const char *key, const char *v, int line,
		       char *err, size_t errlen)
{
	if (strcmp(key, "name") == 0) {
		if (!cobocred_module_name_ok(v) || strlen(v) >= sizeof(m->name))
			return bad(m->path, line, err, errlen,
				   "name = %.60s is not a module name ([A-Za-z0-9_-], at most "
				   "63)",
				   v);
		snprintf(m->name, sizeof(m->name), "%s", v);
		return 0;
	}
	if (strcmp(key, "abi") == 0)
		return parse_abi(m, v, line, err, errlen);
	if (strcmp(key, "schemas") == 0)
		return parse_schemas(m, v, line, err, errlen);
	return parse_caps(m, v, line, err, errlen);
}

/* One line (NUL-terminated, no newline). */
static int parse_line(struct cobocred_manifest *m, char *s, int line, char *err, size_t errlen)
{
	char *eq, *key, *v;
	int *seen;
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return bad(m->path, line, err, errlen,
				   "a control character (0x%02x); a manifest is plain text "
				   "with Unix line ends",
				   (unsigned char)s[i]);
	s = trim(s);
	if (*s == '\0' || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (eq == NULL || eq == s)
		return bad(m->path, line, err, errlen, "not 'key = value'; fix or remove the line");
	*eq = '\0';
	key = trim(s);
	v = trim(eq + 1);
	seen = key_line(m, key);
	if (seen == NULL)
		return 0; /* a key of a newer host: ignored, as git ignores unknown keys */
	if (*seen != 0)
		return bad(m->path, line, err, errlen, "%s given twice (first on line %d)", key,
			   *seen);
	*seen = line;
	return parse_value(m, key, v, line, err, errlen);
}

int cobocred_manifest_parse(const char *path, const char *text, size_t len,
			    struct cobocred_manifest *m, char *err, size_t errlen)
{
	static const char *const required[] = { "name", "abi", "schemas", "capabilities" };
	const char *p = text, *end = text + len;
	char buf[LINE_MAX_LEN];
	int line = 0;
	size_t i;

	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "%s", path);
	if (len > COBOCRED_MANIFEST_MAX)
		return bad(path, 0, err, errlen, "larger than %d bytes; is it a manifest?",
			   COBOCRED_MANIFEST_MAX);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol != NULL ? (size_t)(eol - p) : (size_t)(end - p);

		line++;
		if (memchr(p, '\0', n) != NULL)
			return bad(path, line, err, errlen, "a NUL byte; a manifest is plain text");
		if (n >= sizeof(buf))
			return bad(path, line, err, errlen, "line longer than %d bytes",
				   LINE_MAX_LEN - 1);
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (parse_line(m, buf, line, err, errlen) != 0)
			return -1;
		p += n + (eol != NULL);
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (*key_line(m, required[i]) == 0)
			return bad(path, 0, err, errlen,
				   "no '%s = ...' line; a manifest names name, abi, schemas "
				   "and capabilities",
				   required[i]);
	return 0;
}

int cobocred_manifest_read(const char *so_path, struct cobocred_manifest *m, char *err,
			   size_t errlen)
{
	char path[4096];
	char *buf = NULL;
	size_t n = strlen(so_path), len = 0;
	struct stat st;
	int r, w;

	if (n < 3 || strcmp(so_path + n - 3, ".so") != 0 ||
	    (size_t)snprintf(path, sizeof(path), "%.*s.module", (int)(n - 3), so_path) >=
		    sizeof(path)) {
		snprintf(err, errlen, "%.200s: no manifest name for it", so_path);
		return -1;
	}
	if (stat(path, &st) != 0 && errno == ENOENT)
		return 1;
	/* Trusted as the module is: whoever can swap it can make us skip the module. */
	w = snprintf(err, errlen, "%s is not safe to read: ", path);
	if (w < 0 || (size_t)w >= errlen ||
	    cobocred_check_path_trust(path, err + w, errlen - (size_t)w) != 0)
		return -1;
	r = cobocred_read_private_file(path, COBOCRED_MANIFEST_MAX, COBOCRED_FILE_NOT_WRITABLE,
				       &buf, &len, err, errlen);
	if (r == COBOCRED_NOTFOUND)
		return 1;
	if (r != COBOCRED_SUCCESS)
		return -1;
	r = cobocred_manifest_parse(path, buf, len, m, err, errlen);
	free(buf);
	return r;
}

int cobocred_manifest_names(const struct cobocred_manifest *m, const char *schema)
{
	size_t i;

	for (i = 0; !m->any_schema && i < m->n_schemas; i++)
		if (strcmp(m->schemas[i], schema) == 0)
			return 1;
	return 0;
}

static void caps_text(uint32_t caps, char *out, size_t len)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < N_CAP_WORDS && n < len; i++)
		if (caps & cap_words[i].bit) {
			int w = snprintf(out + n, len - n, "%s%s", n ? " " : "", cap_words[i].word);

			n += w > 0 ? (size_t)w : 0;
		}
	if (n == 0)
		snprintf(out, len, "(none)");
}

/* The module's schemas as text: "*" for NULL (any). */
static void schemas_text(const char *const *s, char *out, size_t len)
{
	size_t n = 0;

	snprintf(out, len, "%s", s == NULL ? "*" : "(none)");
	for (; s != NULL && *s != NULL && n < len; s++) {
		int w = snprintf(out + n, len - n, "%s%s", n ? " " : "", *s);

		n += w > 0 ? (size_t)w : 0;
	}
}

/* 1 if the module's list (NULL: any) is the manifest's, as sets. */
static int same_schemas(const struct cobocred_manifest *m, const char *const *s)
{
	size_t n = 0, i;

	if (s == NULL || m->any_schema)
		return s == NULL && m->any_schema;
	for (; s[n] != NULL; n++)
		if (!cobocred_manifest_names(m, s[n]))
			return 0;
	for (i = 0; i < m->n_schemas; i++) {
		const char *const *p = s;

		while (*p != NULL && strcmp(*p, m->schemas[i]) != 0)
			p++;
		if (*p == NULL)
			return 0;
	}
	return 1;
}

#define FIX "the manifest must say what the module declares: install both from one build"

int cobocred_manifest_check(const struct cobocred_manifest *m, const struct cobocred_module *mod,
			    const char *so_path, char *err, size_t errlen)
{
	char want[512], got[512];
	uint32_t caps = mod->caps & known_caps();

	if (mod->name == NULL || strcmp(mod->name, m->name) != 0)
		return bad(m->path, m->name_line, err, errlen,
			   "name = %s, but %s declares '%.60s'; " FIX, m->name, so_path,
			   mod->name != NULL ? mod->name : "");
	if (COBOCRED_ABI_MAJOR_OF(mod->abi_version) != m->abi_major)
		return bad(m->path, m->abi_line, err, errlen,
			   "abi = %u, but %s was built for ABI %u; " FIX, m->abi_major, so_path,
			   COBOCRED_ABI_MAJOR_OF(mod->abi_version));
	if (caps != m->caps) {
		caps_text(m->caps, want, sizeof(want));
		caps_text(caps, got, sizeof(got));
		return bad(m->path, m->caps_line, err, errlen,
			   "capabilities = %s, but %s declares %s; " FIX, want, so_path, got);
	}
	if (!same_schemas(m, mod->schemas)) {
		schemas_text(mod->schemas, got, sizeof(got));
		return bad(m->path, m->schemas_line, err, errlen,
			   "schemas do not match: %s declares %.300s; " FIX, so_path, got);
	}
	return 0;
}
