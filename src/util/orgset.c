/*
 * orgset.c - org ids and org_id settings (the rule is in orgset.h).
 *
 * Every reader walks the setting with the same tokenizer and checks it
 * whole first, so a setting with one bad element serves no org at all:
 * a typo never lets a half-read list through.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "orgset.h"

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int cobocred_org_id_okn(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || n == 0 || n > COBOCRED_ORG_MAX || !is_alnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

int cobocred_org_id_ok(const char *s)
{
	return s != NULL && cobocred_org_id_okn(s, strnlen(s, COBOCRED_ORG_MAX + 1));
}

/* An element as it may be shown in a message: printable ASCII, else '?'; cut at 40. */
static const char *shown(const char *s, size_t n, char out[48])
{
	size_t i;

	for (i = 0; i < n && i < 40; i++)
		out[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
	return out;
}

/* Tokenizer state: the next element of a setting. */
struct walk {
	const char *p;
	const char *elem; /* the element found */
	size_t len;
	int bad;     /* 1: empty element (a stray comma) */
	int started; /* an element was found */
};

/* Moves to the next element; 0 at the end. */
static int next_elem(struct walk *w)
{
	int comma = 0;

	while (is_blank(*w->p) || (*w->p == ',' && !comma)) {
		comma |= *w->p == ',';
		w->p++;
	}
	if (*w->p == ',' || (comma && (*w->p == '\0' || !w->started))) {
		w->bad = 1; /* ",,", a leading or a trailing comma */
		return 0;
	}
	if (*w->p == '\0')
		return 0;
	w->started = 1;
	w->elem = w->p;
	w->len = strcspn(w->p, ", \t");
	w->p += w->len;
	return 1;
}

/* 1 if elem (n bytes) appears among the elements before it. */
static int seen_before(const char *setting, const char *elem, size_t n)
{
	struct walk w = { .p = setting };

	while (next_elem(&w) && w.elem < elem)
		if (w.len == n && memcmp(w.elem, elem, n) == 0)
			return 1;
	return 0;
}

int cobocred_orgs_check(const char *setting, char *err, size_t errlen)
{
	struct walk w = { .p = setting };
	char buf[48];
	size_t n = 0;
	int r = -1;

	if (setting == NULL) {
		snprintf(err, errlen, "org_id is missing");
		return -1;
	}
	while (!w.bad && next_elem(&w)) {
		n++;
		if (w.len == 1 && w.elem[0] == '*') {
			if (n > 1 || next_elem(&w) || w.bad) {
				snprintf(err, errlen,
					 "org_id '*' (any org) stands alone; drop it or the org "
					 "ids");
				goto out;
			}
			r = 0;
			goto out;
		}
		if (!cobocred_org_id_okn(w.elem, w.len)) {
			snprintf(err, errlen,
				 "org_id: '%s' is not an org id (1-64 letters, digits, '-' or '_', "
				 "a letter or digit first); write org ids separated by commas, or "
				 "'*' for any org",
				 shown(w.elem, w.len, buf));
			goto out;
		}
		if (seen_before(setting, w.elem, w.len)) {
			snprintf(err, errlen, "org_id lists '%s' twice; keep one",
				 shown(w.elem, w.len, buf));
			goto out;
		}
	}
	if (w.bad)
		snprintf(err, errlen,
			 "org_id has an empty element (a stray comma); write org ids separated "
			 "by commas");
	else if (n == 0)
		snprintf(err, errlen,
			 "org_id is empty; name the org id, a list of them, or '*' for any org");
	else
		r = 0;
out:
	return r;
}

static int valid(const char *setting)
{
	char err[8];

	return cobocred_orgs_check(setting, err, sizeof(err)) == 0;
}

int cobocred_orgs_any(const char *setting)
{
	struct walk w = { .p = setting };

	return setting != NULL && next_elem(&w) && w.len == 1 && w.elem[0] == '*' && valid(setting);
}

const char *cobocred_orgs_nth(const char *setting, size_t i, size_t *len)
{
	struct walk w = { .p = setting };
	size_t k = 0;

	*len = 0;
	if (!valid(setting) || cobocred_orgs_any(setting))
		return NULL;
	while (next_elem(&w))
		if (k++ == i) {
			*len = w.len;
			return w.elem;
		}
	return NULL;
}

size_t cobocred_orgs_count(const char *setting)
{
	size_t n = 0, len;

	while (cobocred_orgs_nth(setting, n, &len) != NULL)
		n++;
	return n;
}

int cobocred_orgs_lists(const char *setting, const char *org)
{
	struct walk w = { .p = setting };
	size_t n;

	if (!cobocred_org_id_ok(org) || !valid(setting) || cobocred_orgs_any(setting))
		return 0;
	n = strlen(org);
	while (next_elem(&w))
		if (w.len == n && memcmp(w.elem, org, n) == 0)
			return 1;
	return 0;
}

int cobocred_orgs_has(const char *setting, const char *org)
{
	return cobocred_org_id_ok(org) &&
	       (cobocred_orgs_any(setting) || cobocred_orgs_lists(setting, org));
}

const char *cobocred_orgs_show(const char *setting, char *out, size_t outlen)
{
	size_t i, len, used = 0;
	const char *o;

	if (cobocred_orgs_any(setting)) {
		snprintf(out, outlen, "any org that installed the app");
		return out;
	}
	used = (size_t)snprintf(out, outlen, "org%s ", cobocred_orgs_count(setting) > 1 ? "s" : "");
	for (i = 0; (o = cobocred_orgs_nth(setting, i, &len)) != NULL && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%s%.*s", i ? ", " : "",
					 (int)len, o);
	return out;
}
