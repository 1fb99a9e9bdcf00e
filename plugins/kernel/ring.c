/*
 * ring.c - the keyctl layer: every system call of the module is here.
 *
 * Why these calls: a lookup is keyctl_search for the exact description
 * (the kernel walks the keyring) and one keyctl_read into a buffer big
 * enough for any payload, so a cached get costs a handful of system
 * calls.  Erase uses keyctl_invalidate, not unlink: a key linked
 * elsewhere too is gone everywhere at once.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "payload.h"
#include "state.h"

/*
 * The user only: no possessor, group or other bits.  Possession is not
 * identity: a process of another uid that inherits our session keyring
 * (su and sudo -u without pam_keyinit) possesses everything linked from
 * it, and the kernel adds possessor bits to whatever its uid gets.  Our
 * own process reaches its keys as their owner through the user bits.
 */
#define KN_PERM KEY_USR_ALL
#define KN_PERM_OTHERS 0x0000ffffu
#define LIST_MAX 65536

int kn_errno_status(int e, const char *what, char *err)
{
	switch (e) {
	case ENOKEY:
	case EKEYEXPIRED:
	case EKEYREVOKED:
		return COBOCRED_NOTFOUND;
	case EPERM:
	case ENOSYS:
	case EACCES:
		snprintf(err, KN_ERRLEN,
			 "the kernel keyring is not available here (%s: %s); the next tier "
			 "serves (a container's seccomp profile denies keyctl; run "
			 "'cobo-credential doctor')",
			 what, strerror(e));
		return COBOCRED_UNAVAIL;
	case EDQUOT:
		snprintf(err, KN_ERRLEN,
			 "the kernel key quota is full (%s: %s); the next tier serves "
			 "(raise /proc/sys/kernel/keys/maxkeys or maxbytes, or run 'keyctl show "
			 "@u' to see what holds it)",
			 what, strerror(e));
		return COBOCRED_UNAVAIL;
	default:
		snprintf(err, KN_ERRLEN, "kernel keyring: %s: %s", what, strerror(e));
		return COBOCRED_ERROR;
	}
}

/* "type;uid;gid;perm;desc" into d: 0, or -1 when it does not read so. */
static int parse_describe(char *buf, struct kn_desc *d)
{
	char *f[4], *p = buf, *end;
	int i;

	for (i = 0; i < 4; i++) {
		f[i] = p;
		p = strchr(p, ';');
		if (p == NULL)
			return -1;
		*p++ = '\0';
	}
	d->type = f[0];
	errno = 0;
	d->uid = strtol(f[1], &end, 10);
	if (errno != 0 || *end != '\0' || end == f[1])
		return -1;
	d->perm = strtoul(f[3], &end, 16);
	if (*end != '\0' || end == f[3])
		return -1;
	d->desc = p;
	return 0;
}

int kn_describe(key_serial_t key, char *buf, size_t cap, struct kn_desc *d, char *err)
{
	long n = keyctl_describe(key, buf, cap);

	if (n < 0 && errno == EACCES)
		return COBOCRED_NOTFOUND; /* not ours to view, so not ours */
	if (n < 0)
		return kn_errno_status(errno, "describing a key", err);
	if ((size_t)n >= cap || parse_describe(buf, d) != 0)
		return COBOCRED_NOTFOUND;
	return COBOCRED_SUCCESS;
}

int kn_mine(const struct kn_desc *d)
{
	return d->uid == (long)getuid();
}

int kn_refuse(key_serial_t key, const struct kn_desc *d, char *err)
{
	snprintf(err, KN_ERRLEN,
		 "kernel %s %d '%.200s' belongs to uid %ld, not to this user (uid %ld): "
		 "refused, the kernel tier is unavailable and the next tier serves (another "
		 "user who shares this session keyring planted it, as after su or sudo -u "
		 "without pam_keyinit; remove it: keyctl unlink %d)",
		 strcmp(d->type, "keyring") == 0 ? "keyring" : "key", (int)key, d->desc, d->uid,
		 (long)getuid(), (int)key);
	return COBOCRED_UNAVAIL;
}

int kn_tighten(key_serial_t key, const struct kn_desc *d, char *err)
{
	if (d->perm == KN_PERM)
		return COBOCRED_SUCCESS;
	if (keyctl_setperm(key, KN_PERM) == 0)
		return COBOCRED_SUCCESS;
	return kn_errno_status(errno, "closing a key of ours to its possessors", err);
}

/*
 * Closes ring and every key of ours directly in it to all but us: a named
 * keyring open to possessors was made by an older version, and so were
 * its keys, which would stay open until they time out.
 */
static int tighten_ring(key_serial_t ring, const struct kn_desc *d, char *err)
{
	char buf[KP_DESC_MAX + 128];
	key_serial_t *ids = NULL;
	struct kn_desc kd;
	size_t i, n = 0;
	int st = kn_tighten(ring, d, err);

	if (st == COBOCRED_SUCCESS)
		st = kn_list(ring, &ids, &n, err);
	for (i = 0; i < n && st == COBOCRED_SUCCESS; i++)
		if (kn_describe(ids[i], buf, sizeof(buf), &kd, err) == COBOCRED_SUCCESS &&
		    kn_mine(&kd) && strcmp(kd.type, "user") == 0)
			st = kn_tighten(ids[i], &kd, err);
	free(ids);
	return st;
}

/*
 * A keyring we keep keys in: ours (a planted one is refused, UNAVAIL).
 * A named one must be closed to group and others (ERROR with the command
 * that fixes it: the user opened it) and loses any possessor bits (older
 * versions and pam's defaults gave them) before anything is read.
 */
static int check_ring(key_serial_t ring, const char *name, char *err)
{
	char buf[KP_DESC_MAX + 128];
	struct kn_desc d;
	int st = kn_describe(ring, buf, sizeof(buf), &d, err);

	if (st == COBOCRED_NOTFOUND || (st == COBOCRED_SUCCESS && strcmp(d.type, "keyring") != 0)) {
		snprintf(err, KN_ERRLEN,
			 "kernel keyring %d is not a keyring this module can read: refused, the "
			 "kernel tier is unavailable",
			 (int)ring);
		return COBOCRED_UNAVAIL;
	}
	if (st != COBOCRED_SUCCESS)
		return st;
	if (!kn_mine(&d))
		return kn_refuse(ring, &d, err);
	if (name == NULL)
		return COBOCRED_SUCCESS; /* @u or @s: the kernel's own, as it made it */
	if (strcmp(d.desc, name) != 0) {
		snprintf(err, KN_ERRLEN,
			 "kernel keyring %d is called '%.200s', not '%s': refused, the kernel "
			 "tier is unavailable",
			 (int)ring, d.desc, name);
		return COBOCRED_UNAVAIL;
	}
	if (d.perm & KN_PERM_OTHERS) {
		snprintf(err, KN_ERRLEN,
			 "kernel keyring '%s' is open to group or others (permissions %08lx); "
			 "run: keyctl setperm %d 0x%08x",
			 name, d.perm, (int)ring, (unsigned)KN_PERM);
		return COBOCRED_ERROR;
	}
	return d.perm == KN_PERM ? COBOCRED_SUCCESS : tighten_ring(ring, &d, err);
}

static int search_in(key_serial_t where, const char *type, const char *desc, key_serial_t *id,
		     char *err)
{
	long r = keyctl_search(where, type, desc, 0);

	if (r >= 0) {
		*id = (key_serial_t)r;
		return COBOCRED_SUCCESS;
	}
	if (errno == EACCES) {
		/* Found, but not searchable by us: somebody else's, in our way. */
		snprintf(err, KN_ERRLEN,
			 "a kernel %s called '%.200s' that this user may not use is in the way: "
			 "refused, the kernel tier is unavailable and the next tier serves "
			 "(another user who shares this session keyring planted it; see "
			 "keyctl show @s)",
			 type, desc);
		return COBOCRED_UNAVAIL;
	}
	return kn_errno_status(errno, "searching the keyring", err);
}

/*
 * Adds a key made for us alone and links it into dest.  It is made in
 * this thread's keyring, which no other process possesses, and gets its
 * permissions and timeout there: in dest (our session or user keyring,
 * which another uid sharing the session possesses) it never shows the
 * kernel's default possessor bits, even for a moment.  Linking displaces
 * a key of the same type and description from dest without writing to
 * it, so a key planted under our description never receives our payload
 * (add_key would update it in place).
 */
static int add_private(const char *type, const char *desc, const void *payload, size_t len,
		       unsigned timeout, key_serial_t dest, key_serial_t *key, char *err)
{
	key_serial_t id = add_key(type, desc, payload, len, KEY_SPEC_THREAD_KEYRING);
	int e;

	*key = 0;
	if (id < 0)
		return kn_errno_status(errno, "adding a key", err);
	if (keyctl_setperm(id, KN_PERM) < 0 ||
	    (timeout > 0 && keyctl_set_timeout(id, timeout) < 0)) {
		e = errno;
		keyctl_invalidate(id); /* never leave a key without its bounds */
		return kn_errno_status(e, "setting a key's permissions or timeout", err);
	}
	if (keyctl_link(id, dest) < 0) {
		e = errno;
		keyctl_invalidate(id);
		return kn_errno_status(e, "linking a key into the keyring", err);
	}
	(void)keyctl_unlink(id, KEY_SPEC_THREAD_KEYRING); /* else it goes with the thread */
	*key = id;
	return COBOCRED_SUCCESS;
}

static int named_ring(struct kernel_state *s, int create, key_serial_t *ring, char *err)
{
	int st = search_in(KEY_SPEC_SESSION_KEYRING, "keyring", s->name, ring, err);
	key_serial_t user;

	if (st == COBOCRED_NOTFOUND)
		st = search_in(KEY_SPEC_USER_KEYRING, "keyring", s->name, ring, err);
	if (st == COBOCRED_NOTFOUND && create) {
		user = keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 1);
		if (user < 0)
			return kn_errno_status(errno, "finding the user keyring", err);
		st = check_ring(user, NULL, err);
		if (st == COBOCRED_SUCCESS)
			st = add_private("keyring", s->name, NULL, 0, 0, user, ring, err);
		if (st == COBOCRED_SUCCESS)
			s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
				     "kernel: created keyring '%s' (%d) in the user keyring",
				     s->name, (int)*ring);
		return st;
	}
	if (st == COBOCRED_SUCCESS)
		st = check_ring(*ring, s->name, err);
	return st;
}

int kn_ring(struct kernel_state *s, int create, key_serial_t *ring, char *err)
{
	key_serial_t id;
	int st = COBOCRED_SUCCESS;

	if (s->ring != 0) {
		*ring = s->ring;
		return COBOCRED_SUCCESS;
	}
	if (s->spec != 0) {
		id = keyctl_get_keyring_ID(s->spec, create);
		if (id < 0)
			return kn_errno_status(errno, "finding the keyring", err);
		*ring = id;
		st = check_ring(id, NULL, err);
	} else {
		st = named_ring(s, create, ring, err);
	}
	if (st == COBOCRED_SUCCESS)
		s->ring = *ring;
	return st;
}

int kn_search(key_serial_t ring, const char *desc, key_serial_t *key, char *err)
{
	return search_in(ring, "user", desc, key, err);
}

int kn_read(key_serial_t key, unsigned char *buf, size_t cap, size_t *len, char *err)
{
	long n = keyctl_read(key, (char *)buf, cap);

	*len = 0;
	if (n < 0)
		return kn_errno_status(errno, "reading a key", err);
	if ((size_t)n > cap) {
		snprintf(err, KN_ERRLEN, "kernel key %d is larger than a credential; skipped",
			 (int)key);
		return COBOCRED_NOTFOUND;
	}
	*len = (size_t)n;
	return COBOCRED_SUCCESS;
}

int kn_add(key_serial_t ring, const char *desc, const void *payload, size_t len, unsigned timeout,
	   key_serial_t *key, char *err)
{
	return add_private("user", desc, payload, len, timeout, ring, key, err);
}

int kn_remove(key_serial_t key, char *err)
{
	if (keyctl_invalidate(key) == 0)
		return COBOCRED_SUCCESS;
	return kn_errno_status(errno, "removing a key", err);
}

int kn_list(key_serial_t ring, key_serial_t **ids, size_t *n, char *err)
{
	size_t cap = 64 * sizeof(key_serial_t);
	key_serial_t *v = NULL;
	long r;

	*ids = NULL;
	*n = 0;
	for (;;) {
		key_serial_t *nv = realloc(v, cap);

		if (nv == NULL) {
			free(v);
			snprintf(err, KN_ERRLEN, "out of memory listing the kernel keyring");
			return COBOCRED_ERROR;
		}
		v = nv;
		r = keyctl_read(ring, (char *)v, cap);
		if (r < 0) {
			free(v);
			return kn_errno_status(errno, "listing the keyring", err);
		}
		if ((size_t)r <= cap || cap >= LIST_MAX * sizeof(key_serial_t))
			break;
		cap = (size_t)r;
	}
	*ids = v;
	*n = ((size_t)r <= cap ? (size_t)r : cap) / sizeof(key_serial_t);
	return COBOCRED_SUCCESS;
}
