/*
 * search.c - finding our items in the keyring.
 *
 * We search without loading secrets, keep what matches the query's
 * attributes by our own rules, and only then fetch the secrets of those
 * items: a broad search (git items are searched without a schema name)
 * never pulls unrelated secrets over the bus.  Locked matches are
 * unlocked first where a prompt can work (see unlock_hits), and reported
 * as locked otherwise.
 */
#include "config.h"

#include <string.h>

#include "keyring.h"
#include "map.h"

static const char *const builtin_schemas[] = {
	COBOCRED_SCHEMA_GIT,
	COBOCRED_SCHEMA_DOCKER,
	COBOCRED_SCHEMA_COBO,
	COBOCRED_SCHEMA_APP_SECRET,
	NULL,
};

/*
 * An item that vanishes between the search and the read is a miss to
 * search again, never an error: a store writes the new item and then
 * deletes the one it replaces, so a reader that searched before the
 * delete finds the new item on its next search.  (Reported as an error,
 * the vanished item failed a helper; as a miss, it sent the token
 * lifecycle to a second refresh.)  KR_VANISHED is this file's own code.
 */
#define KR_VANISHED (-2)

/*
 * libsecret's proxy for an item whose path no longer exists fails with
 * G_DBUS_ERROR_UNKNOWN_METHOD, "No such secret item at path: ..."; the
 * daemon itself says NO_SUCH_OBJECT or UNKNOWN_OBJECT.
 */
static int vanished(const GError *e)
{
	return g_error_matches(e, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
}

/* err's status, or KR_VANISHED (err consumed either way). */
static int search_error(struct kr_state *st, const char *what, GError *err)
{
	if (vanished(err)) {
		st->host->log(st->host->ctx, COBOCRED_LOG_DEBUG,
			      "keyring: %s: an item vanished meanwhile; searching again", what);
		g_error_free(err);
		return KR_VANISHED;
	}
	return kr_gerror(st, what, err);
}

GHashTable *kr_attrs_hash(const struct kr_attrs *a)
{
	GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
	size_t i;

	for (i = 0; i < a->n; i++)
		g_hash_table_insert(h, (gpointer)a->v[i].name, (gpointer)a->v[i].value);
	return h;
}

/* A keyring item's attributes; -1 when they do not fit (then it is not ours). */
static int ss_attrs(SecretItem *item, struct kr_attrs *out)
{
	GHashTable *h = secret_item_get_attributes(item);
	GHashTableIter iter;
	gpointer k, v;
	int r = 0;

	kr_attrs_init(out);
	g_hash_table_iter_init(&iter, h);
	while (r == 0 && g_hash_table_iter_next(&iter, &k, &v))
		r = kr_attrs_add(out, k, v);
	g_hash_table_unref(h);
	return r;
}

/*
 * The trailing number of an item path (".../collection/login/12"):
 * gnome-keyring numbers items in creation order, which breaks ties
 * between items modified in the same second.  Other providers name items
 * otherwise (KeePassXC: a UUID) but answer a search in creation order, so
 * the position in the answer (pos, from 1) stands in.
 */
static guint64 item_seq(SecretItem *ss, guint64 pos)
{
	const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(ss));
	const char *slash = strrchr(path, '/');
	guint64 v = 0;

	if (slash == NULL || slash[1] == '\0' ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) || strlen(slash + 1) > 18)
		return pos;
	for (slash++; *slash; slash++)
		v = v * 10 + (guint64)(*slash - '0');
	return v;
}

/* Appends a hit for ss if it is one of ours and matches qa.  0, or -1 (OOM). */
static int consider(struct kr_state *st, const struct cobocred_query *qa, const char *schema,
		    SecretItem *ss, guint64 pos, struct kr_hit ***tail)
{
	const struct cobocred_host *h = st->host;
	struct cobocred_item *it = NULL;
	struct kr_attrs a;
	struct kr_hit *hit;
	char *label;
	int r;

	if (ss_attrs(ss, &a) != 0)
		return 0;
	label = secret_item_get_label(ss);
	r = kr_item_from_ss(h, schema, &a, label, (int64_t)secret_item_get_created(ss), &it);
	g_free(label);
	if (r != 0 || !kr_item_matches(it, qa)) {
		h->item_free(it);
		return r < 0 ? -1 : 0;
	}
	hit = g_new0(struct kr_hit, 1);
	hit->ss = g_object_ref(ss);
	hit->item = it;
	hit->modified = secret_item_get_modified(ss);
	hit->seq = item_seq(ss, pos);
	hit->locked = secret_item_get_locked(ss);
	**tail = hit;
	*tail = &hit->next;
	return 0;
}

/* One SearchItems call with sa; keeps what matches qa. */
static int search_attrs(struct kr_state *st, const struct cobocred_query *qa, const char *schema,
			const struct kr_attrs *sa, struct kr_hit ***tail)
{
	GHashTable *attrs = kr_attrs_hash(sa);
	GList *found, *l;
	GError *ge = NULL;
	guint64 pos = 0;
	int r = 0;

	found = secret_service_search_sync(st->service, NULL, attrs, SECRET_SEARCH_ALL, NULL, &ge);
	g_hash_table_unref(attrs);
	if (ge != NULL)
		return search_error(st, "searching the keyring", ge);
	for (l = found; l != NULL && r == 0; l = l->next)
		r = consider(st, qa, schema, l->data, ++pos, tail);
	g_list_free_full(found, g_object_unref);
	if (r != 0)
		st->host->set_error(st->host->ctx, "out of memory reading the keyring");
	return r == 0 ? COBOCRED_SUCCESS : COBOCRED_ERROR;
}

static int search_schema(struct kr_state *st, const struct cobocred_query *qa, const char *schema,
			 struct kr_hit ***tail)
{
	static const char *const git_names[] = { KR_SS_GIT_LEGACY, COBOCRED_SCHEMA_GIT, NULL };
	const char *const *g;
	struct kr_attrs sa;
	int r = kr_query_to_search(qa, schema, &sa);

	if (r == KR_NOMATCH)
		return COBOCRED_SUCCESS;
	if (r != 0) {
		st->host->set_error(st->host->ctx, "query attributes too long for the keyring");
		return COBOCRED_ERROR;
	}
	if (sa.n > 0 || kr_kind_of(schema) != KR_GIT)
		return search_attrs(st, qa, schema, &sa, tail);
	/*
	 * Every git item: an empty search means "all" to gnome-keyring but
	 * "nothing" to KeePassXC, so ask for each schema name git writes.
	 */
	for (g = git_names, r = COBOCRED_SUCCESS; *g != NULL && r == COBOCRED_SUCCESS; g++) {
		kr_attrs_init(&sa);
		kr_attrs_add(&sa, KR_XDG_SCHEMA, *g);
		r = search_attrs(st, qa, schema, &sa, tail);
	}
	return r;
}

/*
 * 1 if the collection holding ss is locked (or cannot be asked), 0 if it
 * is unlocked and only the item is locked for us.
 */
static int in_locked_collection(struct kr_state *st, SecretItem *ss)
{
	const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(ss));
	const char *slash = strrchr(path, '/');
	char *coll;
	int locked = 1;

	if (slash != NULL && slash != path) {
		coll = g_strndup(path, (gsize)(slash - path));
		locked = kr_collection_locked(st, coll) != 0;
		g_free(coll);
	}
	return locked;
}

/*
 * 1 if our collection (the alias items are stored under) is known to be
 * locked.  KeePassXC answers a search on a locked database only once a
 * person has unlocked it (its "unlock before search"), so a read that
 * nobody could unlock (unlock.c) is answered "locked" before searching.
 */
static int store_collection_locked(struct kr_state *st)
{
	char *alias = g_strdup_printf("/org/freedesktop/secrets/aliases/%s", st->collection);
	int locked = kr_collection_locked(st, alias) == 1;

	g_free(alias);
	return locked;
}

/* Unlocks want (one prompt) and marks the hits it unlocked. */
static int unlock_some(struct kr_state *st, GList *want, struct kr_hit *hits, int whole)
{
	GList *done = NULL, *l;
	struct kr_hit *x;
	GError *ge = NULL;

	if (want == NULL)
		return COBOCRED_SUCCESS;
	secret_service_unlock_sync(st->service, want, NULL, &done, &ge);
	if (ge != NULL)
		return whole ? kr_unlock_error(st, ge)
			     : kr_gerror(st, "getting access to keyring items", ge);
	for (l = done; l != NULL; l = l->next)
		for (x = hits; x != NULL; x = x->next)
			if (strcmp(g_dbus_proxy_get_object_path(G_DBUS_PROXY(l->data)),
				   g_dbus_proxy_get_object_path(G_DBUS_PROXY(x->ss))) == 0)
				x->locked = 0;
	g_list_free_full(done, g_object_unref);
	return COBOCRED_SUCCESS;
}

/*
 * Locked matches.  Our own collection was unlocked before the search
 * where it could be (unlock.c).  An item of another locked collection
 * needs that collection's password, which only a person can give: it is
 * unlocked (one prompt) in interactive mode only, and otherwise reported
 * as locked (a get still answers from our collection).  A locked
 * item in an unlocked collection is one the provider asks to confirm
 * access to (KeePassXC's "confirm when passwords are retrieved"): that
 * prompt may well complete by itself, so it is performed in any mode,
 * within the prompt deadline (prompt.c).
 */
static int unlock_hits(struct kr_state *st, struct kr_hit *hits)
{
	GList *whole = NULL, *access = NULL;
	struct kr_hit *x;
	int r;

	for (x = hits; x != NULL; x = x->next) {
		if (!x->locked)
			continue;
		if (!in_locked_collection(st, x->ss))
			access = g_list_prepend(access, x->ss);
		else if (st->interactive)
			whole = g_list_prepend(whole, x->ss);
	}
	r = unlock_some(st, whole, hits, 1);
	if (r == COBOCRED_SUCCESS)
		r = unlock_some(st, access, hits, 0);
	g_list_free(whole);
	g_list_free(access);
	return r;
}

/* Fetches the secrets of the unlocked hits into their items. */
static int load_secrets(struct kr_state *st, struct kr_hit *hits)
{
	GList *want = NULL;
	struct kr_hit *x;
	GError *ge = NULL;
	int r = COBOCRED_SUCCESS;

	for (x = hits; x != NULL; x = x->next)
		if (!x->locked)
			want = g_list_prepend(want, x->ss);
	if (want == NULL)
		return COBOCRED_SUCCESS;
	r = kr_session_ready(st);
	if (r != COBOCRED_SUCCESS) {
		g_list_free(want);
		return r;
	}
	secret_item_load_secrets_sync(want, NULL, &ge);
	g_list_free(want);
	if (ge != NULL)
		return search_error(st, "reading secrets from the keyring", ge);
	for (x = hits; x != NULL && r == COBOCRED_SUCCESS; x = x->next) {
		SecretValue *v = x->locked ? NULL : secret_item_get_secret(x->ss);
		const char *p;
		gsize n = 0;

		/* No secret for an unlocked item: it vanished (the daemon skips a
		 * path it no longer has) or was locked meanwhile; a new search
		 * tells which, and finds what replaced it. */
		if (!x->locked && v == NULL)
			r = KR_VANISHED;
		if (v == NULL)
			continue;
		p = secret_value_get(v, &n);
		if (kr_item_set_payload(st->host, x->item, p != NULL ? p : "", p ? n : 0) != 0) {
			st->host->set_error(st->host->ctx, "out of memory reading the keyring");
			r = COBOCRED_ERROR;
		}
		secret_value_unref(v); /* libsecret wipes its copy */
	}
	return r;
}

/* Drops unlocked hits whose secret differs from q->secret (erase). */
static struct kr_hit *filter_secret(struct kr_state *st, const struct cobocred_query *q,
				    struct kr_hit *hits)
{
	struct kr_hit **pp = &hits, *x;

	while ((x = *pp) != NULL) {
		if (q->secret != NULL && !x->locked && !kr_item_matches(x->item, q)) {
			*pp = x->next;
			x->next = NULL;
			kr_hits_free(st, x);
		} else {
			pp = &x->next;
		}
	}
	return hits;
}

/* One search (see kr_search); KR_VANISHED when an item vanished under it. */
static int search_once(struct kr_state *st, const struct cobocred_query *q, enum kr_want want,
		       struct kr_hit **out)
{
	const char *one[2] = { q->schema, NULL };
	const char *const *schemas = q->schema != NULL ? one : builtin_schemas;
	struct cobocred_query qa = *q; /* attributes only: secrets are checked once loaded */
	struct kr_hit *hits = NULL, **tail = &hits;
	int r = COBOCRED_SUCCESS, locked_search = 0;

	*out = NULL;
	qa.secret = NULL;
	qa.secret_len = 0;
	if (q->secret != NULL)
		want = KR_SECRETS;
	if (store_collection_locked(st) &&
	    (r = kr_unlock_store_collection(st)) != COBOCRED_SUCCESS) {
		if (r != COBOCRED_TRYAGAIN || want != KR_ATTRS_ONLY)
			return r;
		r = COBOCRED_SUCCESS;
		/*
		 * It stays locked.  Attributes of a locked collection: gnome-keyring shows them at
		 * once; KeePassXC holds the search until someone unlocks, so a
		 * short wait, and then "locked" is the truth.
		 */
		g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(st->service), KR_LOCKED_SEARCH_MS);
		locked_search = 1;
	}
	for (; r == COBOCRED_SUCCESS && *schemas != NULL; schemas++)
		r = search_schema(st, &qa, *schemas, &tail);
	if (locked_search) {
		g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(st->service), KR_CALL_TIMEOUT_MS);
		if (r == COBOCRED_TRYAGAIN)
			kr_locked(st, "it shows no items while locked");
	}
	if (r == COBOCRED_SUCCESS && want != KR_ATTRS_ONLY)
		r = unlock_hits(st, hits);
	if (r == COBOCRED_SUCCESS && want == KR_SECRETS)
		r = load_secrets(st, hits);
	if (r != COBOCRED_SUCCESS) {
		kr_hits_free(st, hits);
		return r;
	}
	*out = filter_secret(st, q, hits);
	return COBOCRED_SUCCESS;
}

int kr_search(struct kr_state *st, const struct cobocred_query *q, enum kr_want want,
	      struct kr_hit **out)
{
	int r = kr_service_ready(st), tries, renewed = 0;

	*out = NULL;
	for (tries = 1; r == COBOCRED_SUCCESS; tries++) {
		r = search_once(st, q, want, out);
		if (r != KR_VANISHED || tries == KR_SEARCH_TRIES)
			break;
		/*
		 * Again, the first time in a new session: a session whose key
		 * is not the provider's (session.c) reads nothing however often
		 * it asks, and a new key is good but for one time in hundreds;
		 * an item that really vanished (a concurrent store) needs only
		 * the new search, so one renewal is enough.
		 */
		if (renewed++ == 0)
			kr_session_renew(st);
		r = kr_service_ready(st); /* opens the new one; else a no-op */
	}
	if (r == KR_VANISHED) {
		/* Items replaced faster than we can read them: busy, not broken. */
		st->host->set_error(st->host->ctx,
				    "keyring items kept vanishing while being read (another "
				    "program is rewriting them); retry");
		r = COBOCRED_TRYAGAIN;
	}
	return r;
}

void kr_hits_free(struct kr_state *st, struct kr_hit *hits)
{
	while (hits != NULL) {
		struct kr_hit *next = hits->next;

		g_object_unref(hits->ss);
		st->host->item_free(hits->item);
		g_free(hits);
		hits = next;
	}
}

int kr_delete(struct kr_state *st, SecretItem *item)
{
	GError *ge = NULL;

	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(item), KR_CALL_TIMEOUT_MS);
	if (secret_item_delete_sync(item, NULL, &ge))
		return COBOCRED_SUCCESS;
	if (g_error_matches(ge, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) ||
	    g_error_matches(ge, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)) {
		g_error_free(ge); /* deleted by someone else meanwhile: fine */
		return COBOCRED_SUCCESS;
	}
	return kr_gerror(st, "deleting a keyring item", ge);
}
