/*
 * ops.c - get, list, erase on keyring search results.
 */
#include "config.h"

#include "keyring.h"
#include "map.h"

/*
 * 1 if a is a better answer than b: modified later, then created later
 * (times are whole seconds, so the keyring's item order breaks ties).
 */
static int newer(const struct kr_hit *a, const struct kr_hit *b)
{
	if (a->modified != b->modified)
		return a->modified > b->modified;
	if (a->item->created_at != b->item->created_at)
		return a->item->created_at > b->item->created_at;
	return a->seq > b->seq;
}

static int notfound(struct kr_state *st)
{
	st->host->set_error(st->host->ctx, "no matching item in the keyring");
	return COBOCRED_NOTFOUND;
}

static int locked_status(struct kr_state *st)
{
	return kr_locked(st, NULL);
}

int kr_get(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct kr_state *st = state;
	struct kr_hit *hits = NULL, *x, *best = NULL;
	int64_t now = st->host->now(st->host->ctx);
	int r, nlocked = 0;

	*out = NULL;
	r = kr_search(st, q, KR_SECRETS, &hits);
	if (r != COBOCRED_SUCCESS)
		return r;
	for (x = hits; x != NULL; x = x->next) {
		if (x->locked)
			nlocked++;
		else if ((x->item->expires_at == 0 || x->item->expires_at > now) &&
			 (best == NULL || newer(x, best)))
			best = x;
	}
	if (best != NULL) {
		*out = best->item; /* ownership moves to the caller */
		best->item = NULL;
		r = COBOCRED_SUCCESS;
	} else {
		/* only locked matches: one of them may be the answer */
		r = nlocked > 0 ? locked_status(st) : notfound(st);
	}
	kr_hits_free(st, hits);
	return r;
}

/* Moves x's item to the end of the chain at *head. */
static void append_item(struct cobocred_item **head, struct kr_hit *x)
{
	struct cobocred_item **pp = head;

	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = x->item;
	x->item = NULL;
}

int kr_list(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct kr_state *st = state;
	struct kr_hit *hits = NULL, *x, *best;
	/* Attributes are readable on locked items too: then the list is whole. */
	int attrs_only = (q->flags & COBOCRED_QUERY_ATTRS_ONLY) != 0, r;

	*out = NULL;
	r = kr_search(st, q, attrs_only ? KR_ATTRS_ONLY : KR_SECRETS, &hits);
	if (r != COBOCRED_SUCCESS)
		return r;
	for (x = hits; x != NULL && !attrs_only; x = x->next)
		if (x->locked)
			r = COBOCRED_TRYAGAIN;
	if (r == COBOCRED_TRYAGAIN) {
		kr_hits_free(st, hits);
		return locked_status(st); /* a partial list would look complete */
	}
	/* selection by recency: lists are short, and the order is then stable */
	do {
		best = NULL;
		for (x = hits; x != NULL; x = x->next)
			if (x->item != NULL && (best == NULL || newer(x, best)))
				best = x;
		if (best != NULL)
			append_item(out, best);
	} while (best != NULL);
	kr_hits_free(st, hits);
	return *out != NULL ? COBOCRED_SUCCESS : notfound(st);
}

/* An erase needs a real pattern: an empty one never means "everything". */
static int has_pattern(const struct cobocred_query *q)
{
	size_t i;

	if (q->secret != NULL)
		return 1;
	for (i = 0; i < q->n_attrs; i++)
		if (q->attrs[i].value != NULL)
			return 1;
	return 0;
}

int kr_erase(void *state, const struct cobocred_query *q)
{
	struct kr_state *st = state;
	struct kr_hit *hits = NULL, *x;
	int r, nlocked = 0, ndeleted = 0;

	if (!has_pattern(q)) {
		st->host->set_error(st->host->ctx, "refusing to erase every keyring item of a "
						   "schema; name at least one attribute");
		return COBOCRED_ERROR;
	}
	r = kr_search(st, q, KR_UNLOCKED, &hits); /* secrets only to compare q->secret */
	for (x = hits; x != NULL && r == COBOCRED_SUCCESS; x = x->next) {
		if (x->locked)
			nlocked++;
		else if ((r = kr_delete(st, x->ss)) == COBOCRED_SUCCESS)
			ndeleted++;
	}
	kr_hits_free(st, hits);
	if (r != COBOCRED_SUCCESS)
		return r;
	if (nlocked > 0)
		return locked_status(st);
	return ndeleted > 0 ? COBOCRED_SUCCESS : notfound(st);
}
