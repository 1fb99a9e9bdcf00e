/*
 * gen.c - the newest generation of each record this machine has seen.
 *
 * etcd keeps a key's history, and anyone who may write to etcd can put an
 * older sealed record back under its own key: it is a genuine record, so
 * it opens.  Each record carries a generation, sealed with it, that grows
 * with every write; a reader refuses one older than the newest it has seen
 * of that record (ops.c).  "Seen" spans this process (the marks in memory)
 * and every helper run of this user on this machine before it: the marks
 * are kept in the file etcd-generations of the host's private state
 * directory ($XDG_RUNTIME_DIR/cobo-credential, or the cache directory when
 * that is not the user's own), one line per record:
 *
 *     HEX-SHA-256-OF-THE-ETCD-KEY GENERATION EXPIRES
 *
 * written under a lock file beside it and replaced atomically, so marks
 * only grow.  A mark goes a day after its record's token expired (the
 * engine answers no expired token), and at most MAX_SEEN are kept (the
 * soonest to expire go first).  The file is a convenience, not a trust
 * anchor: when it cannot be read or written the marks of this process
 * still hold, and the failure is traced.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "etcd.h"
#include "fsutil.h"
#include "lockwait.h"
#include "strutil.h"

#define MAX_SEEN 4096
#define FILE_MAX ((size_t)MAX_SEEN * 128)
#define GRACE (24 * 3600)
#define LOCK_WAIT_MS 2000

static void name_of(const char *key, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(key, strlen(key), md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		memset(md, 0, 32);
	cobocred_hex_encode(md, 32, out);
	out[64] = '\0';
}

static int path_of(struct etcd_state *s, const char *suffix, char *buf, size_t len)
{
	const char *dir = s->host->state_dir(s->host->ctx);
	int n;

	if (dir == NULL)
		return -1;
	n = snprintf(buf, len, "%s/etcd-generations%s", dir, suffix);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static struct etcd_seen *find(struct etcd_seen *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Raises (or adds) name's mark in *v; 1 when it changed, 0 when not, -1 out of memory. */
static int merge_one(struct etcd_seen **v, size_t *n, const char *name, int64_t gen, int64_t exp)
{
	struct etcd_seen *e = find(*v, *n, name), *p;

	if (e != NULL) {
		if (gen <= e->gen)
			return 0;
		e->gen = gen;
		if (exp == 0 || (e->expires != 0 && exp > e->expires))
			e->expires = exp;
		return 1;
	}
	p = realloc(*v, (*n + 1) * sizeof(**v));
	if (p == NULL)
		return -1;
	*v = p;
	e = &p[(*n)++];
	memcpy(e->name, name, sizeof(e->name));
	e->gen = gen;
	e->expires = exp;
	return 1;
}

/* Parses the file's lines into *v (merged); lines that do not parse are dropped. */
static void parse(char *buf, size_t len, struct etcd_seen **v, size_t *n)
{
	char *p = buf, *end = buf + len, *nl, *f2, *f3;
	int64_t gen, exp;
	size_t i;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		*nl = '\0';
		f2 = strchr(p, ' ');
		f3 = f2 != NULL ? strchr(f2 + 1, ' ') : NULL;
		if (f2 == NULL || f3 == NULL || f2 - p != 64)
			continue;
		*f2 = *f3 = '\0';
		for (i = 0;
		     i < 64 && ((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')); i++)
			;
		if (i == 64 && cobocred_parse_i64(f2 + 1, 1, INT64_MAX, &gen) == 0 &&
		    cobocred_parse_i64(f3 + 1, 0, INT64_MAX, &exp) == 0)
			(void)merge_one(v, n, p, gen, exp);
	}
}

/* Reads the file's marks, merged into *v.  0, or -1 when it cannot be read (traced). */
static int read_file(struct etcd_state *s, struct etcd_seen **v, size_t *n)
{
	char path[4096], why[512], *buf = NULL;
	size_t len = 0;
	int st;

	if (path_of(s, "", path, sizeof(path)) != 0)
		return -1;
	st = cobocred_read_private_file(path, FILE_MAX, COBOCRED_FILE_PRIVATE, &buf, &len, why,
					sizeof(why));
	if (st == COBOCRED_NOTFOUND)
		return 0;
	if (st != COBOCRED_SUCCESS) {
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "etcd: generation marks not read: %s; the marks of this process "
			     "still hold",
			     why);
		return -1;
	}
	parse(buf, len, v, n);
	free(buf);
	return 0;
}

static void load(struct etcd_state *s)
{
	if (s->seen_loaded)
		return;
	s->seen_loaded = 1;
	(void)read_file(s, &s->seen, &s->n_seen);
}

int64_t etcd_gen_seen(struct etcd_state *s, const char *key)
{
	struct etcd_seen *e;
	char name[65];

	load(s);
	name_of(key, name);
	e = find(s->seen, s->n_seen, name);
	return e != NULL ? e->gen : 0;
}

/* Later expiry first; a mark without expiry (0) before all. */
static int by_expiry(const void *a, const void *b)
{
	const struct etcd_seen *x = a, *y = b;
	int64_t ex = x->expires == 0 ? INT64_MAX : x->expires;
	int64_t ey = y->expires == 0 ? INT64_MAX : y->expires;

	return ex < ey ? 1 : ex > ey ? -1 : 0;
}

/* Drops marks a day past their expiry, then all but the MAX_SEEN latest to expire. */
static void prune(struct etcd_state *s, struct etcd_seen *v, size_t *n)
{
	int64_t now = s->host->now(s->host->ctx);
	size_t i, k = 0;

	for (i = 0; i < *n; i++)
		if (v[i].expires == 0 || v[i].expires + GRACE > now)
			v[k++] = v[i];
	*n = k;
	if (*n > MAX_SEEN) {
		qsort(v, *n, sizeof(*v), by_expiry);
		*n = MAX_SEEN;
	}
}

/* Merges the marks of this process into the file, under its lock. */
static void write_back(struct etcd_state *s)
{
	char path[4096], lock[4096], why[512], *text = NULL;
	struct etcd_seen *v = NULL;
	size_t n = 0, i, len = 0;
	int fd = -1, changed = 0, m;

	if (path_of(s, "", path, sizeof(path)) != 0 || path_of(s, ".lock", lock, sizeof(lock)) != 0)
		return;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || cobocred_flock_wait(fd, LOCK_EX, LOCK_WAIT_MS) != 0) {
		snprintf(why, sizeof(why), "cannot lock %.400s", lock);
		goto out;
	}
	if (read_file(s, &v, &n) != 0) {
		why[0] = '\0'; /* traced; a file that cannot be read is not overwritten */
		goto out;
	}
	for (i = 0; i < s->n_seen; i++) {
		m = merge_one(&v, &n, s->seen[i].name, s->seen[i].gen, s->seen[i].expires);
		if (m < 0) {
			snprintf(why, sizeof(why), "out of memory");
			goto out;
		}
		changed |= m;
	}
	why[0] = '\0';
	if (!changed) /* another helper wrote these marks already */
		goto adopt;
	prune(s, v, &n);
	text = malloc(n * 128 + 1);
	for (i = 0; text != NULL && i < n; i++)
		len += (size_t)snprintf(text + len, 128, "%s %lld %lld\n", v[i].name,
					(long long)v[i].gen, (long long)v[i].expires);
	if (text == NULL || cobocred_write_atomic(path, text, len, 0600, why, sizeof(why)) != 0)
		goto out;
	why[0] = '\0';
adopt:
	free(s->seen); /* the file's marks now include ours */
	s->seen = v;
	s->n_seen = n;
	v = NULL;
out:
	if (why[0] != '\0')
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "etcd: generation marks not written: %s; the marks of this process "
			     "still hold",
			     why);
	free(text);
	free(v);
	if (fd >= 0)
		close(fd);
}

void etcd_gen_saw(struct etcd_state *s, const char *key, int64_t gen, int64_t expires)
{
	char name[65];
	struct etcd_seen *e;

	load(s);
	name_of(key, name);
	e = find(s->seen, s->n_seen, name);
	if (e != NULL && e->gen >= gen)
		return;
	if (merge_one(&s->seen, &s->n_seen, name, gen, expires) > 0)
		write_back(s);
}

void etcd_gen_free(struct etcd_state *s)
{
	free(s->seen);
	s->seen = NULL;
	s->n_seen = 0;
	s->seen_loaded = 0;
}
