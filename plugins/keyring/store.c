/*
 * store.c - storing an item, then removing what it replaces.
 *
 * Order matters for the token lifecycle: the new item is written first
 * and only then are the items it replaces deleted (every match of the
 * caller's replace query and of the item's own identity, except the new
 * item itself).  A crash or a dead daemon in between leaves an extra old
 * item, which get never prefers (newest wins) and the next store removes;
 * it never leaves no item at all, so a refresh token cannot be lost.
 *
 * A session whose key kwalletd5 derived otherwise (session.c) gets a
 * CreateItem refused after kwalletd5 registered the item, with no secret.
 * That item is deleted, in a new session, before the next attempt:
 * kwalletd5 files the next item under the same entry, so deleting the
 * leftover later would delete the new item's secret with it.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "itemmatch.h"
#include "keyring.h"
#include "map.h"

/* create(): the provider could not decrypt the secret (session.c). */
#define KR_BAD_SESSION (-3)
/* CreateItem attempts, each in its own session. */
#define KR_CREATE_TRIES 2

/* The collection items are stored in, unlocked; TRYAGAIN if it stays locked. */
static int open_collection(struct kr_state *st, SecretCollection **out)
{
	SecretCollection *c;
	GError *ge = NULL;
	int r;

	*out = NULL;
	c = secret_collection_for_alias_sync(st->service, st->collection, SECRET_COLLECTION_NONE,
					     NULL, &ge);
	if (ge != NULL)
		return kr_gerror(st, "opening the keyring collection", ge);
	if (c == NULL)
		return kr_no_collection(st);
	/* In any mode: a prompt that needs a person is bounded (unlock.c). */
	if (secret_collection_get_locked(c) &&
	    (r = kr_unlock_collection(st, c)) != COBOCRED_SUCCESS) {
		g_object_unref(c);
		return r;
	}
	*out = c;
	return COBOCRED_SUCCESS;
}

/* What a store writes; payload is host secret memory, owned by kr_store. */
struct kr_new {
	const struct kr_attrs *ss;
	const char *label;
	const char *payload;
	size_t plen;
};

/* One CreateItem; KR_BAD_SESSION when the provider could not read the secret. */
static int create(struct kr_state *st, SecretCollection *c, const struct kr_new *n,
		  SecretItem **out)
{
	GHashTable *attrs = NULL;
	SecretValue *v = NULL; /* libsecret's copy of the payload, wiped when freed */
	GError *ge = NULL;
	int r;

	*out = NULL;
	if ((r = kr_session_ready(st)) != COBOCRED_SUCCESS)
		goto out;
	attrs = kr_attrs_hash(n->ss);
	v = secret_value_new(n->payload, (gssize)n->plen, "text/plain");
	/*
	 * Always a new item; drop_matches then removes what it replaces.  No
	 * REPLACE: KeePassXC 2.7.4 never completes the prompt of a CreateItem
	 * that would update an item in place, and write-then-delete is the
	 * order the lifecycle wants anyway (see above).
	 */
	*out = secret_item_create_sync(c, NULL, attrs, n->label, v, SECRET_ITEM_CREATE_NONE, NULL,
				       &ge);
	if (*out != NULL)
		r = COBOCRED_SUCCESS;
	else if (kr_session_undecryptable(ge))
		r = KR_BAD_SESSION;
	else
		r = kr_gerror(st, "storing in the keyring", g_steal_pointer(&ge));
out:
	g_clear_error(&ge);
	if (v != NULL)
		secret_value_unref(v);
	if (attrs != NULL)
		g_hash_table_unref(attrs);
	return r;
}

/*
 * What refused attempts since `since` left: matches of id that the
 * keyring dates no earlier than that and that hold no secret.  Nothing
 * else is touched before the store succeeds (the lifecycle rule above).
 */
static int drop_leftovers(struct kr_state *st, const struct cobocred_query *id, guint64 since)
{
	struct kr_hit *hits = NULL, *x;
	int r = kr_search(st, id, KR_SECRETS, &hits);

	for (x = hits; x != NULL && r == COBOCRED_SUCCESS; x = x->next)
		if (!x->locked && x->item->secret_len == 0 && x->modified >= since)
			r = kr_delete(st, x->ss);
	kr_hits_free(st, hits); /* the other matches' secrets, wiped */
	return r;
}

/* After a refused attempt: a new session, the collection again, the leftover gone. */
static int renew(struct kr_state *st, SecretCollection **c, const struct cobocred_query *id,
		 guint64 since)
{
	int r;

	g_clear_object(c); /* it holds the old service, and with it the old session */
	kr_session_renew(st);
	if ((r = kr_service_ready(st)) == COBOCRED_SUCCESS &&
	    (r = open_collection(st, c)) == COBOCRED_SUCCESS)
		r = drop_leftovers(st, id, since);
	return r;
}

/*
 * Creates the item in *c (replaced when renewed).  A refused attempt is
 * cleaned up and made again in a new session, KR_CREATE_TRIES attempts in
 * all; the last refusal is cleaned up too and reported as TRYAGAIN.
 */
static int create_item(struct kr_state *st, SecretCollection **c, const struct kr_new *n,
		       const struct cobocred_query *id, SecretItem **out)
{
	guint64 since = (guint64)time(NULL);
	int r, tries = 0;

	while ((r = create(st, *c, n, out)) == KR_BAD_SESSION) {
		if ((r = renew(st, c, id, since)) != COBOCRED_SUCCESS)
			break;
		if (++tries == KR_CREATE_TRIES) {
			st->host->set_error(st->host->ctx,
					    "storing in the keyring failed: the Secret Service "
					    "could not read the secret in %d sessions; retry",
					    KR_CREATE_TRIES);
			r = COBOCRED_TRYAGAIN;
			break;
		}
	}
	return r;
}

/* Deletes every match of q except keep. */
static int drop_matches(struct kr_state *st, const struct cobocred_query *q, SecretItem *keep)
{
	const char *kpath = g_dbus_proxy_get_object_path(G_DBUS_PROXY(keep));
	struct kr_hit *hits = NULL, *x;
	int r = kr_search(st, q, KR_UNLOCKED, &hits);

	for (x = hits; x != NULL && r == COBOCRED_SUCCESS; x = x->next) {
		if (strcmp(g_dbus_proxy_get_object_path(G_DBUS_PROXY(x->ss)), kpath) == 0)
			continue;
		if (x->locked) /* another, locked collection: leave it, get prefers ours */
			st->host->log(
				st->host->ctx, COBOCRED_LOG_INFO,
				"keyring: an old item in a locked collection was not replaced");
		else
			r = kr_delete(st, x->ss);
	}
	kr_hits_free(st, hits);
	return r;
}

int kr_store(void *state, const struct cobocred_item *item, const struct cobocred_query *replace)
{
	struct kr_state *st = state;
	const struct cobocred_host *h = st->host;
	struct cobocred_attr idattrs[KR_MAX_ATTRS];
	struct cobocred_query id;
	SecretCollection *c = NULL;
	SecretItem *created = NULL;
	struct kr_attrs ss;
	char label[KR_ARENA], err[512];
	struct kr_new n = { &ss, label, NULL, 0 };
	char *payload = NULL; /* host secret memory */
	size_t plen = 0;
	int r = COBOCRED_ERROR;

	if (kr_item_to_ss(st->git_ss_schema, item, &ss, label, sizeof(label), err, sizeof(err)) !=
		    0 ||
	    kr_payload_build(h, item, &payload, &plen, err, sizeof(err)) != 0) {
		h->set_error(h->ctx, "%s", err);
		goto out;
	}
	n.payload = payload;
	n.plen = plen;
	kr_identity_query(item, &id, idattrs);
	if ((r = kr_service_ready(st)) != COBOCRED_SUCCESS ||
	    (r = open_collection(st, &c)) != COBOCRED_SUCCESS ||
	    (r = create_item(st, &c, &n, &id, &created)) != COBOCRED_SUCCESS)
		goto out;
	r = drop_matches(st, &id, created);
	if (r == COBOCRED_SUCCESS && replace != NULL && !cobocred_query_same(&id, replace))
		r = drop_matches(st, replace, created);
out:
	h->secret_free(payload);
	if (created != NULL)
		g_object_unref(created);
	if (c != NULL)
		g_object_unref(c);
	return r;
}
