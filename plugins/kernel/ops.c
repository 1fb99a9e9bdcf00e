/*
 * ops.c - the kernel module's operations: get, list, store, erase.
 *
 * A get whose query names a whole identity finds its key by description
 * in one keyctl_search; anything else walks the keyring's keys, filtering
 * on descriptions before reading a payload.  Every payload read is parsed
 * strictly and checked against its key's description and the query, so a
 * key that does not say what it holds is passed over, never answered.
 *
 * Every key is checked to be this uid's before it is read or removed:
 * another uid that shares our session keyring can plant keys there under
 * our descriptions.  A planted key the lookup meets (the exact key, or one
 * a walk would have matched) makes the operation UNAVAIL with the reason;
 * it is never read, answered, written or removed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostmem.h"
#include "item.h"
#include "itemmatch.h"
#include "kernel.h"
#include "payload.h"
#include "state.h"
#include "strutil.h"

static int report(const struct kernel_state *s, int st, const char *err)
{
	if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND)
		s->host->set_error(s->host->ctx, "%s", err);
	return st;
}

/* One key read and checked: its item (secret only with with_secret) when it matches q. */
struct reader {
	struct kernel_state *s;
	const struct cobocred_query *q;
	unsigned char *buf; /* secret memory, KP_MAX_BYTES + 1 */
	int with_secret;
	int64_t now;
	char refused[KN_ERRLEN]; /* the first planted key a walk met; "" for none */
};

static int secret_ok(const struct kp_view *v, const struct cobocred_query *q)
{
	return q == NULL || q->secret == NULL ||
	       (v->secret.n == q->secret_len &&
		cobocred_consttime_eq(v->secret.p, q->secret, q->secret_len));
}

/* q without its secret: secret_ok compares that on the payload, item or not. */
static int attrs_match(const struct cobocred_item *it, const struct cobocred_query *q)
{
	struct cobocred_query nq;

	if (q == NULL)
		return 1;
	nq = *q;
	nq.secret = NULL;
	nq.secret_len = 0;
	return cobocred_item_matches(it, &nq);
}

/* SUCCESS with *out, NOTFOUND (not ours, stale, or no match) or a failure. */
static int read_key(struct reader *r, key_serial_t key, const char *desc,
		    struct cobocred_item **out, char *err)
{
	char want[KP_DESC_MAX + 1], why[128];
	struct kp_view v;
	size_t len;
	int st = kn_read(key, r->buf, KP_MAX_BYTES + 1, &len, err);

	*out = NULL;
	if (st != COBOCRED_SUCCESS)
		return st;
	if (kp_parse(r->buf, len, &v, why, sizeof(why)) != 0 ||
	    kp_describe_view(&v, want, sizeof(want)) != 0 || strcmp(want, desc) != 0) {
		r->s->host->log(r->s->host->ctx, COBOCRED_LOG_DEBUG,
				"kernel: key %d passed over (%s)", (int)key,
				kp_parse(r->buf, len, &v, why, sizeof(why)) != 0
					? why
					: "payload does not match its description");
		st = COBOCRED_NOTFOUND;
	} else if ((v.expires_at != 0 && v.expires_at <= r->now) || !secret_ok(&v, r->q)) {
		st = COBOCRED_NOTFOUND;
	} else {
		*out = kn_item_from_view(r->s->host, &v, r->with_secret);
		if (*out == NULL) {
			snprintf(err, KN_ERRLEN, "out of memory reading a kernel key");
			st = COBOCRED_ERROR;
		} else if (!attrs_match(*out, r->q)) {
			r->s->host->item_free(*out);
			*out = NULL;
			st = COBOCRED_NOTFOUND;
		}
	}
	cobocred_wipe(r->buf, len);
	return st;
}

typedef int (*visit_fn)(struct reader *r, key_serial_t key, const char *desc, void *arg, char *err);

/*
 * One key of a walk: visited when ours and its description can match q
 * (its permissions made ours alone first); a matching key of another uid
 * is remembered as refused and passed over.
 */
static int walk_one(struct reader *r, key_serial_t key, visit_fn visit, void *arg, char *err)
{
	char buf[KP_DESC_MAX + 128];
	struct kn_desc d;
	int st = kn_describe(key, buf, sizeof(buf), &d, err);

	if (st == COBOCRED_NOTFOUND || (st == COBOCRED_SUCCESS && (strcmp(d.type, "user") != 0 ||
								   strlen(d.desc) > KP_DESC_MAX ||
								   !kp_desc_matches(d.desc, r->q))))
		return COBOCRED_SUCCESS;
	if (st != COBOCRED_SUCCESS)
		return st;
	if (!kn_mine(&d)) {
		if (r->refused[0] == '\0')
			(void)kn_refuse(key, &d, r->refused);
		return COBOCRED_SUCCESS;
	}
	st = kn_tighten(key, &d, err);
	return st == COBOCRED_SUCCESS ? visit(r, key, d.desc, arg, err) : st;
}

/*
 * Calls visit for every key of ours in ring whose description can match
 * q; UNAVAIL after the walk when it met a planted key that would match.
 */
static int walk(struct reader *r, key_serial_t ring, visit_fn visit, void *arg, char *err)
{
	key_serial_t *ids = NULL;
	size_t i, n = 0;
	int st = kn_list(ring, &ids, &n, err);

	for (i = 0; i < n && st == COBOCRED_SUCCESS; i++)
		st = walk_one(r, ids[i], visit, arg, err);
	free(ids);
	if (st == COBOCRED_SUCCESS && r->refused[0] != '\0') {
		memcpy(err, r->refused, KN_ERRLEN);
		st = COBOCRED_UNAVAIL;
	}
	return st;
}

/* Keeps the newest item of a walk in *best. */
static int visit_best(struct reader *r, key_serial_t key, const char *desc, void *arg, char *err)
{
	struct cobocred_item **best = arg, *it = NULL;
	int st = read_key(r, key, desc, &it, err);

	if (st == COBOCRED_NOTFOUND)
		return COBOCRED_SUCCESS;
	if (st != COBOCRED_SUCCESS)
		return st;
	if (*best == NULL || it->created_at > (*best)->created_at) {
		r->s->host->item_free(*best);
		*best = it;
	} else {
		r->s->host->item_free(it);
	}
	return COBOCRED_SUCCESS;
}

static int reader_init(struct reader *r, struct kernel_state *s, const struct cobocred_query *q,
		       int with_secret, char *err)
{
	r->s = s;
	r->q = q;
	r->with_secret = with_secret;
	r->now = s->host->now(s->host->ctx);
	r->refused[0] = '\0';
	r->buf = s->host->secret_alloc(KP_MAX_BYTES + 1);
	if (r->buf != NULL)
		return COBOCRED_SUCCESS;
	snprintf(err, KN_ERRLEN, "out of memory reading the kernel keyring");
	return COBOCRED_ERROR;
}

/*
 * The exact key the query names, when it names one.  The search may find
 * it in a keyring linked under ring: the owner is checked before a read.
 */
static int get_exact(struct reader *r, key_serial_t ring, struct cobocred_item **out, char *err)
{
	char desc[KP_DESC_MAX + 1], buf[KP_DESC_MAX + 128];
	struct kn_desc d;
	key_serial_t key;
	int st;

	if (kp_describe(r->q->schema, r->q->attrs, r->q->n_attrs, desc, sizeof(desc)) != 0)
		return COBOCRED_NOTFOUND;
	st = kn_search(ring, desc, &key, err);
	if (st == COBOCRED_SUCCESS)
		st = kn_describe(key, buf, sizeof(buf), &d, err);
	if (st != COBOCRED_SUCCESS)
		return st;
	if (!kn_mine(&d))
		return kn_refuse(key, &d, err);
	if (strcmp(d.type, "user") != 0 || strcmp(d.desc, desc) != 0)
		return COBOCRED_NOTFOUND; /* replaced since the search */
	st = kn_tighten(key, &d, err);
	return st == COBOCRED_SUCCESS ? read_key(r, key, desc, out, err) : st;
}

/* The end of a get or list: what it read goes out only with SUCCESS. */
static int read_end(struct kernel_state *s, struct reader *r, int st, struct cobocred_item **out,
		    const char *err)
{
	if (st != COBOCRED_SUCCESS) {
		s->host->item_free(*out);
		*out = NULL;
	}
	s->host->secret_free(r->buf);
	return report(s, st, err);
}

int kernel_get(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct kernel_state *s = state;
	struct reader r = { 0 };
	char err[KN_ERRLEN] = "";
	key_serial_t ring;
	int st;

	*out = NULL;
	if (q == NULL || q->schema == NULL || !kn_takes_schema(s, q->schema))
		return COBOCRED_NOTFOUND;
	st = kn_ring(s, 0, &ring, err);
	if (st == COBOCRED_SUCCESS)
		st = reader_init(&r, s, q, 1, err);
	if (st == COBOCRED_SUCCESS)
		st = get_exact(&r, ring, out, err);
	if (st == COBOCRED_NOTFOUND && !(q->flags & COBOCRED_QUERY_EXACT)) {
		st = walk(&r, ring, visit_best, out, err);
		if (st == COBOCRED_SUCCESS && *out == NULL)
			st = COBOCRED_NOTFOUND;
	}
	return read_end(s, &r, st, out, err);
}

/* Appends every match to the chain at arg. */
static int visit_list(struct reader *r, key_serial_t key, const char *desc, void *arg, char *err)
{
	struct cobocred_item ***tail = arg, *it = NULL;
	int st = read_key(r, key, desc, &it, err);

	if (st == COBOCRED_NOTFOUND)
		return COBOCRED_SUCCESS;
	if (st == COBOCRED_SUCCESS) {
		**tail = it;
		*tail = &it->next;
	}
	return st;
}

int kernel_list(void *state, const struct cobocred_query *q, struct cobocred_item **out)
{
	struct kernel_state *s = state;
	struct cobocred_item **tail = out;
	struct reader r = { 0 };
	char err[KN_ERRLEN] = "";
	key_serial_t ring;
	int st;

	*out = NULL;
	st = kn_ring(s, 0, &ring, err);
	if (st == COBOCRED_SUCCESS)
		st = reader_init(&r, s, q, q == NULL || !(q->flags & COBOCRED_QUERY_ATTRS_ONLY),
				 err);
	if (st == COBOCRED_SUCCESS)
		st = walk(&r, ring, visit_list, &tail, err);
	if (st == COBOCRED_SUCCESS && *out == NULL)
		st = COBOCRED_NOTFOUND;
	return read_end(s, &r, st, out, err);
}

/* Removes a matching key, except the one called keep (NULL: none); counts removals. */
struct removal {
	const char *keep;
	size_t removed;
};

static int visit_remove(struct reader *r, key_serial_t key, const char *desc, void *arg, char *err)
{
	struct removal *rm = arg;
	struct cobocred_item *it = NULL;
	int st;

	if (rm->keep != NULL && strcmp(desc, rm->keep) == 0)
		return COBOCRED_SUCCESS;
	st = read_key(r, key, desc, &it, err);
	r->s->host->item_free(it);
	if (st == COBOCRED_NOTFOUND)
		return COBOCRED_SUCCESS;
	if (st == COBOCRED_SUCCESS && (st = kn_remove(key, err)) == COBOCRED_SUCCESS)
		rm->removed++;
	return st == COBOCRED_NOTFOUND ? COBOCRED_SUCCESS : st;
}

/* Removes the matches of q other than the key called keep. */
static int remove_matches(struct kernel_state *s, key_serial_t ring, const struct cobocred_query *q,
			  const char *keep, size_t *removed, char *err)
{
	struct removal rm = { keep, 0 };
	struct reader r = { 0 };
	int st = reader_init(&r, s, q, 0, err);

	if (st == COBOCRED_SUCCESS)
		st = walk(&r, ring, visit_remove, &rm, err);
	s->host->secret_free(r.buf);
	*removed = rm.removed;
	return st;
}

/* 1 when replace selects exactly the key called desc (add_key replaces it in place). */
static int replaces_only(const struct cobocred_query *replace, const char *desc)
{
	char d[KP_DESC_MAX + 1];

	return (replace->flags & COBOCRED_QUERY_EXACT) && replace->secret == NULL &&
	       kp_describe(replace->schema, replace->attrs, replace->n_attrs, d, sizeof(d)) == 0 &&
	       strcmp(d, desc) == 0;
}

static int put_item(struct kernel_state *s, const struct cobocred_item *item,
		    const struct cobocred_query *replace, unsigned timeout, char *err)
{
	char desc[KP_DESC_MAX + 1];
	unsigned char *buf = s->host->secret_alloc(KP_MAX_BYTES);
	key_serial_t ring, key;
	size_t len = 0, removed;
	int st = COBOCRED_ERROR;

	if (buf == NULL) {
		snprintf(err, KN_ERRLEN, "out of memory storing in the kernel keyring");
		return st;
	}
	if (kp_describe(item->schema, item->attrs, item->n_attrs, desc, sizeof(desc)) != 0 ||
	    kp_encode(item, buf, KP_MAX_BYTES, &len, err, KN_ERRLEN) != 0) {
		/* Too big for a key: not this tier's credential; the next tier keeps it. */
		s->host->log(s->host->ctx, COBOCRED_LOG_DEBUG,
			     "kernel: credential does not fit a key; not kept here");
		st = COBOCRED_NOTFOUND;
		goto out;
	}
	st = kn_ring(s, 1, &ring, err);
	if (st == COBOCRED_SUCCESS && replace != NULL && !replaces_only(replace, desc))
		st = remove_matches(s, ring, replace, desc, &removed, err);
	if (st == COBOCRED_SUCCESS)
		st = kn_add(ring, desc, buf, len, timeout, &key, err);
	if (st == COBOCRED_SUCCESS)
		s->host->log(s->host->ctx, COBOCRED_LOG_DEBUG,
			     "kernel: stored key %d, timeout %u s", (int)key, timeout);
out:
	s->host->secret_free(buf);
	return st;
}

int kernel_store(void *state, const struct cobocred_item *item,
		 const struct cobocred_query *replace)
{
	struct kernel_state *s = state;
	char err[KN_ERRLEN] = "";
	unsigned timeout;

	if (item == NULL) {
		snprintf(err, sizeof(err), "nothing to store; report this bug");
		return report(s, COBOCRED_ERROR, err);
	}
	/* Not kept here by policy: NOTFOUND, so the store line goes on. */
	if (kn_timeout(s, item, s->host->now(s->host->ctx), &timeout) != 0)
		return COBOCRED_NOTFOUND;
	return report(s, put_item(s, item, replace, timeout, err), err);
}

int kernel_erase(void *state, const struct cobocred_query *q)
{
	struct kernel_state *s = state;
	char err[KN_ERRLEN] = "";
	key_serial_t ring;
	size_t removed = 0;
	int st;

	if (q == NULL || (q->schema == NULL && q->n_attrs == 0)) {
		snprintf(err, sizeof(err), "refusing to erase with an empty pattern");
		return report(s, COBOCRED_ERROR, err);
	}
	st = kn_ring(s, 0, &ring, err);
	if (st == COBOCRED_SUCCESS)
		st = remove_matches(s, ring, q, NULL, &removed, err);
	if (st == COBOCRED_SUCCESS && removed == 0)
		st = COBOCRED_NOTFOUND;
	return report(s, st, err);
}
