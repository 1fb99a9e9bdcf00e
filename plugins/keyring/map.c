/*
 * map.c - our items as Secret Service items: attributes, labels, payloads,
 * search attributes and the identity a store replaces.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "map.h"

/* Our git attribute names and git-credential-libsecret's names for them. */
static const struct cobocred_attr git_names[] = {
	{ "protocol", "protocol" },
	{ "host", "server" }, /* plus "port" when host has one */
	{ "path", "object" },
	{ "username", "user" },
};
#define N_GIT (sizeof(git_names) / sizeof(git_names[0]))

static const char *git_ss_name(const char *ours)
{
	size_t i;

	for (i = 0; i < N_GIT; i++)
		if (strcmp(git_names[i].name, ours) == 0)
			return git_names[i].value;
	return NULL;
}

/* Our metadata, and what providers add (read back, they are ignored). */
static int reserved_name(const char *name)
{
	return strcmp(name, KR_XDG_SCHEMA) == 0 || strcmp(name, "expires_at") == 0 ||
	       strcmp(name, "created_at") == 0 || kr_provider_attr(name);
}

/* One git attribute (ours: name=value) in git-credential-libsecret's form. */
static int git_attr_to_ss(struct kr_attrs *ss, const char *name, const char *value)
{
	const char *ssname = git_ss_name(name), *port;
	size_t n;

	if (ssname == NULL)
		return KR_NOMATCH;
	if (strcmp(name, "host") != 0)
		return kr_attrs_add(ss, ssname, value);
	kr_split_host(value, &n, &port);
	if (kr_attrs_addn(ss, "server", value, n) != 0)
		return -1;
	return port != NULL ? kr_attrs_add(ss, "port", port) : 0;
}

/*
 * Usernames as git does it: git-credential-libsecret omits "user" when the
 * request has no username, and stores an explicitly empty one as user=""
 * (git's t0303 "helper can store empty username").  We map attribute for
 * attribute, so absent and empty stay distinct and both round-trip.
 */
static int git_to_ss(const struct cobocred_item *it, struct kr_attrs *ss, char *label,
		     size_t labellen, char *err, size_t errlen)
{
	const char *proto = NULL, *host = NULL, *path = NULL;
	size_t i;
	int r;

	for (i = 0; i < it->n_attrs; i++) {
		const char *name = it->attrs[i].name, *value = it->attrs[i].value;

		if (strpbrk(value, "\r\n") != NULL) {
			snprintf(err, errlen,
				 "git credential field '%s' contains a newline; "
				 "refusing to store it",
				 name);
			return -1;
		}
		r = git_attr_to_ss(ss, name, value);
		if (r == KR_NOMATCH) {
			snprintf(err, errlen,
				 "git credentials carry only protocol, host, path and "
				 "username, not '%s'; drop that attribute",
				 name);
			return -1;
		}
		if (r != 0)
			goto toolong;
		proto = strcmp(name, "protocol") == 0 ? value : proto;
		host = strcmp(name, "host") == 0 ? value : host;
		path = strcmp(name, "path") == 0 ? value : path;
	}
	/* git's own label: "Git: PROTOCOL://HOST[:PORT]/PATH" */
	snprintf(label, labellen, "Git: %s://%s/%s", proto ? proto : "", host ? host : "",
		 path ? path : "");
	return 0;
toolong:
	snprintf(err, errlen, "git credential attributes are too long to store (over %d bytes)",
		 KR_ARENA);
	return -1;
}

static int docker_to_ss(const struct cobocred_item *it, struct kr_attrs *ss, char *label,
			size_t labellen, char *err, size_t errlen)
{
	const char *server = NULL, *user = NULL;
	size_t i;

	for (i = 0; i < it->n_attrs; i++) {
		if (strcmp(it->attrs[i].name, "server") == 0)
			server = it->attrs[i].value;
		else if (strcmp(it->attrs[i].name, "username") == 0)
			user = it->attrs[i].value;
		else {
			snprintf(err, errlen,
				 "docker credentials carry only server and username, "
				 "not '%s'; drop that attribute",
				 it->attrs[i].name);
			return -1;
		}
	}
	if (server == NULL || user == NULL) {
		snprintf(err, errlen, "docker credentials need a server and a username");
		return -1;
	}
	/* docker-credential-secretservice lists items by label: the label is the URL. */
	snprintf(label, labellen, "%s", server);
	if (kr_attrs_add(ss, "label", KR_DOCKER_LABEL) != 0 ||
	    kr_attrs_add(ss, "server", server) != 0 || kr_attrs_add(ss, "username", user) != 0 ||
	    kr_attrs_add(ss, "docker_cli", "1") != 0) {
		snprintf(err, errlen, "docker credential attributes are too long to store");
		return -1;
	}
	return 0;
}

static void default_label(const struct cobocred_item *it, char *label, size_t labellen)
{
	const char *v;
	int i;

	if (strcmp(it->schema, COBOCRED_SCHEMA_COBO) == 0) {
		const char *kind = NULL, *org = NULL, *url = NULL;

		for (i = 0; i < (int)it->n_attrs; i++) {
			v = it->attrs[i].value;
			kind = strcmp(it->attrs[i].name, COBOCRED_ATTR_KIND) == 0 ? v : kind;
			org = strcmp(it->attrs[i].name, "org_id") == 0 ? v : org;
			url = strcmp(it->attrs[i].name, "base_url") == 0 ? v : url;
		}
		snprintf(label, labellen, "Cobo Org %s Token (%s on %s)",
			 kind && strcmp(kind, COBOCRED_KIND_REFRESH) == 0 ? "Refresh" : "Access",
			 org ? org : "?", url ? url : "?");
	} else if (strcmp(it->schema, COBOCRED_SCHEMA_APP_SECRET) == 0) {
		snprintf(label, labellen, "Cobo App Secret");
		for (i = 0; i < (int)it->n_attrs; i++)
			if (strcmp(it->attrs[i].name, "client_id") == 0)
				snprintf(label, labellen, "Cobo App Secret (%s)",
					 it->attrs[i].value);
	} else {
		snprintf(label, labellen, "%s", it->schema);
	}
}

/* Adds unix time t as decimal metadata attribute name when it is set. */
static int add_time(struct kr_attrs *ss, const char *name, int64_t t)
{
	char buf[24];

	if (t == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%" PRId64, t);
	return kr_attrs_add(ss, name, buf);
}

/*
 * Cobo tokens (and every other schema) keep expires_at and created_at as
 * attributes, although the design (README, "Departures from the design") puts volatile data in the payload.  This
 * is deliberate: the payload must be exactly the token, so that
 * `secret-tool lookup base_url URL client_id ID org_id ORG kind access`
 * prints a usable token.  Searches never use these two attributes, and a
 * store replaces every item with the same lookup attributes
 * (kr_identity_query), so a changed expiry never leaves a duplicate.
 */
static int generic_to_ss(const struct cobocred_item *it, struct kr_attrs *ss, char *label,
			 size_t labellen, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < it->n_attrs; i++) {
		if (reserved_name(it->attrs[i].name)) {
			snprintf(err, errlen,
				 "attribute name '%s' is reserved by the keyring module "
				 "or the keyring itself; rename it",
				 it->attrs[i].name);
			return -1;
		}
		if (kr_attrs_add(ss, it->attrs[i].name, it->attrs[i].value) != 0)
			goto toolong;
	}
	if (add_time(ss, "expires_at", it->expires_at) != 0 ||
	    add_time(ss, "created_at", it->created_at) != 0)
		goto toolong;
	if (it->label != NULL && it->label[0] != '\0')
		snprintf(label, labellen, "%s", it->label);
	else
		default_label(it, label, labellen);
	return 0;
toolong:
	snprintf(err, errlen,
		 "credential attributes are too many or too long to store "
		 "(at most %d attributes, %d bytes)",
		 KR_MAX_ATTRS - 3, KR_ARENA);
	return -1;
}

int kr_item_to_ss(const char *git_ss_schema, const struct cobocred_item *it, struct kr_attrs *ss,
		  char *label, size_t labellen, char *err, size_t errlen)
{
	enum kr_kind kind = kr_kind_of(it->schema);

	kr_attrs_init(ss);
	if (kr_attrs_add(ss, KR_XDG_SCHEMA, kind == KR_GIT ? git_ss_schema : it->schema) != 0) {
		snprintf(err, errlen, "schema name too long");
		return -1;
	}
	if (kind == KR_GIT)
		return git_to_ss(it, ss, label, labellen, err, errlen);
	if (kind == KR_DOCKER)
		return docker_to_ss(it, ss, label, labellen, err, errlen);
	return generic_to_ss(it, ss, label, labellen, err, errlen);
}
