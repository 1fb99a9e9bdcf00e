/*
 * state.h - one open instance of the kernel module, and the keyctl layer.
 */
#ifndef KERNEL_STATE_H
#define KERNEL_STATE_H

#include <keyutils.h>
#include <stddef.h>
#include <stdint.h>

#include "cobocred/module.h"

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

/* open.c */
int kernel_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state);
void kernel_close(void *state);

/*
 * ring.c: every call returns a COBOCRED_* status and, on failure, a
 * message in err (KN_ERRLEN bytes).  A system call the kernel or a
 * seccomp filter refuses (EPERM, ENOSYS, EACCES) is UNAVAIL, as is a full
 * key quota (EDQUOT): the stack moves on to the next tier.
 */
int kn_errno_status(int e, const char *what, char *err);
/* The keyring; with create, made (and linked from the user keyring) when absent. */
int kn_ring(struct kernel_state *s, int create, key_serial_t *ring, char *err);
/* The key of ours called desc in ring, or NOTFOUND. */
int kn_search(key_serial_t ring, const char *desc, key_serial_t *key, char *err);
/* Reads key's payload into buf (cap bytes, secret memory); *len set. */
int kn_read(key_serial_t key, unsigned char *buf, size_t cap, size_t *len, char *err);
/* Adds or replaces the key desc in ring; sets its permissions and timeout (0: none). */
int kn_add(key_serial_t ring, const char *desc, const void *payload, size_t len, unsigned timeout,
	   key_serial_t *key, char *err);
/* Removes key at once (invalidate). */
int kn_remove(key_serial_t key, char *err);
/*
 * The keys linked in ring, in *ids (malloc'd, *n of them; free()).
 * Returns SUCCESS (maybe zero keys) or a failure.
 */
int kn_list(key_serial_t ring, key_serial_t **ids, size_t *n, char *err);
/* The description of a key of type user owned by us, in buf; NOTFOUND for anything else. */
int kn_describe(key_serial_t key, char *buf, size_t cap, char *err);

#endif
