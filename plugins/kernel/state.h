/*
 * state.h - one open instance of the kernel module, and the keyctl layer.
 */
#ifndef KERNEL_STATE_H
#define KERNEL_STATE_H

#include <keyutils.h>
#include <stddef.h>
#include <stdint.h>

#include "cobocred/module.h"
#include "kernel.h"

#define KN_DEFAULT_RING "cobo-credential"
#define KN_LIFETIME_MAX (366LL * 24 * 3600)
#define KN_ERRLEN 512

struct kernel_state {
	const struct cobocred_host *host; /* the host's; valid until close */
	key_serial_t spec;		  /* KEY_SPEC_* for @u / @s; 0 for a named keyring */
	char name[128];			  /* the named keyring ("" for @u / @s) */
	int64_t lifetime;		  /* seconds plain credentials are kept; 0: none */
	int refresh_tokens;		  /* keep kind=refresh Cobo tokens */
	key_serial_t ring;		  /* resolved keyring; 0 until first use */
};

/*
 * ring.c: every call returns a COBOCRED_* status and, on failure, a
 * message in err (KN_ERRLEN bytes).  A system call the kernel or a
 * seccomp filter refuses (EPERM, ENOSYS, EACCES) is UNAVAIL, as is a full
 * key quota (EDQUOT): the stack moves on to the next tier.  So is a key or
 * keyring of another uid found where ours should be: possession is not
 * ownership (a process of another uid may share our session keyring), so
 * every key and keyring the module reads or writes into is checked to be
 * this uid's, and its keys and named keyring are open to this uid only.
 */
int kn_errno_status(int e, const char *what, char *err);
/*
 * The keyring, checked to be ours; with create, made (and linked from the
 * user keyring) when absent.
 */
int kn_ring(struct kernel_state *s, int create, key_serial_t *ring, char *err);
/* The key called desc in ring (or a keyring under it), or NOTFOUND; its owner is unchecked. */
int kn_search(key_serial_t ring, const char *desc, key_serial_t *key, char *err);
/* Reads key's payload into buf (cap bytes, secret memory); *len set. */
int kn_read(key_serial_t key, unsigned char *buf, size_t cap, size_t *len, char *err);
/*
 * Adds the key desc to ring with its permissions and timeout (0: none),
 * displacing any key of that description (never writing into it).
 */
int kn_add(key_serial_t ring, const char *desc, const void *payload, size_t len, unsigned timeout,
	   key_serial_t *key, char *err);
/* Removes key at once (invalidate). */
int kn_remove(key_serial_t key, char *err);
/*
 * The keys linked in ring, in *ids (malloc'd, *n of them; free()).
 * Returns SUCCESS (maybe zero keys) or a failure.
 */
int kn_list(key_serial_t ring, key_serial_t **ids, size_t *n, char *err);
/* A key as keyctl_describe tells it; the strings point into the caller's buffer. */
struct kn_desc {
	const char *type, *desc;
	long uid;
	unsigned long perm;
};

/*
 * Describes key into buf (cap bytes) and *d: SUCCESS, NOTFOUND when the
 * text does not fit or does not read as a description, or a failure.
 */
int kn_describe(key_serial_t key, char *buf, size_t cap, struct kn_desc *d, char *err);
/* 1 when d's key belongs to this process's uid. */
int kn_mine(const struct kn_desc *d);
/*
 * The refusal of a key or keyring that is not ours where we expected one
 * of ours (planted by another uid sharing the session keyring): UNAVAIL,
 * with the reason and the command that removes it in err.
 */
int kn_refuse(key_serial_t key, const struct kn_desc *d, char *err);
/*
 * A key of ours gets exactly the module's permissions (the user only)
 * before it is read: keys older versions made were open to possessors.
 */
int kn_tighten(key_serial_t key, const struct kn_desc *d, char *err);

#endif
