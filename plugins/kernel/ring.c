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

/* Possessor and user only: no group, no other. */
#define KN_PERM (KEY_POS_ALL | KEY_USR_ALL)
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

/* "type;uid;gid;perm;desc": SUCCESS with the parts, or NOTFOUND when not a key for us. */
static int parse_describe(char *d, const char *type, char **desc, unsigned long *perm)
{
	char *f[4], *p = d, *end;
	int i;
	long uid;

	for (i = 0; i < 4; i++) {
		f[i] = p;
		p = strchr(p, ';');
		if (p == NULL)
			return COBOCRED_NOTFOUND;
		*p++ = '\0';
	}
	if (strcmp(f[0], type) != 0)
		return COBOCRED_NOTFOUND;
	errno = 0;
	uid = strtol(f[1], &end, 10);
	if (errno != 0 || *end != '\0' || uid != (long)getuid())
		return COBOCRED_NOTFOUND;
	*perm = strtoul(f[3], &end, 16);
	if (*end != '\0')
		return COBOCRED_NOTFOUND;
	*desc = p;
	return COBOCRED_SUCCESS;
}

/* A named keyring must be ours and closed to group and others. */
static int check_ring(key_serial_t ring, const char *name, char *err)
{
	char buf[KP_DESC_MAX + 128], *desc = NULL;
	unsigned long perm = 0;
	long n = keyctl_describe(ring, buf, sizeof(buf));

	if (n < 0)
		return kn_errno_status(errno, "describing the keyring", err);
	if ((size_t)n >= sizeof(buf) ||
	    parse_describe(buf, "keyring", &desc, &perm) != COBOCRED_SUCCESS ||
	    strcmp(desc, name) != 0) {
		snprintf(err, KN_ERRLEN,
			 "kernel keyring '%s' (%d) is not a keyring of this user; unlink it: "
			 "keyctl unlink %d",
			 name, (int)ring, (int)ring);
		return COBOCRED_ERROR;
	}
	if (perm & KN_PERM_OTHERS) {
		snprintf(err, KN_ERRLEN,
			 "kernel keyring '%s' is open to group or others (permissions %08lx); "
			 "run: keyctl setperm %d 0x%08x",
			 name, perm, (int)ring, (unsigned)KN_PERM);
		return COBOCRED_ERROR;
	}
	return COBOCRED_SUCCESS;
}

static int search_in(key_serial_t where, const char *type, const char *desc, key_serial_t *id,
		     char *err)
{
	long r = keyctl_search(where, type, desc, 0);

	if (r >= 0) {
		*id = (key_serial_t)r;
		return COBOCRED_SUCCESS;
	}
	return kn_errno_status(errno, "searching the keyring", err);
}

static int named_ring(struct kernel_state *s, int create, key_serial_t *ring, char *err)
{
	int st = search_in(KEY_SPEC_SESSION_KEYRING, "keyring", s->name, ring, err);
	key_serial_t id;

	if (st == COBOCRED_NOTFOUND)
		st = search_in(KEY_SPEC_USER_KEYRING, "keyring", s->name, ring, err);
	if (st == COBOCRED_NOTFOUND && create) {
		id = add_key("keyring", s->name, NULL, 0, KEY_SPEC_USER_KEYRING);
		if (id < 0)
			return kn_errno_status(errno, "creating the keyring", err);
		if (keyctl_setperm(id, KN_PERM) < 0)
			return kn_errno_status(errno, "setting the keyring's permissions", err);
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "kernel: created keyring '%s' (%d) in the user keyring", s->name,
			     (int)id);
		*ring = id;
		return COBOCRED_SUCCESS;
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
	key_serial_t id = add_key("user", desc, payload, len, ring);

	if (id < 0)
		return kn_errno_status(errno, "adding a key", err);
	*key = id;
	if (keyctl_setperm(id, KN_PERM) < 0 ||
	    (timeout > 0 && keyctl_set_timeout(id, timeout) < 0)) {
		int e = errno;

		keyctl_invalidate(id); /* never leave a key without its bounds */
		return kn_errno_status(e, "setting a key's permissions or timeout", err);
	}
	return COBOCRED_SUCCESS;
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

int kn_describe(key_serial_t key, char *buf, size_t cap, char *err)
{
	char tmp[KP_DESC_MAX + 128], *desc = NULL;
	unsigned long perm;
	long n = keyctl_describe(key, tmp, sizeof(tmp));
	int st;

	if (n < 0)
		return kn_errno_status(errno, "describing a key", err);
	if ((size_t)n >= sizeof(tmp))
		return COBOCRED_NOTFOUND;
	st = parse_describe(tmp, "user", &desc, &perm);
	if (st != COBOCRED_SUCCESS || strlen(desc) >= cap)
		return COBOCRED_NOTFOUND;
	memcpy(buf, desc, strlen(desc) + 1);
	return COBOCRED_SUCCESS;
}
