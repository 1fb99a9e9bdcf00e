/*
 * kernel.h - the kernel module: the Linux key retention service as the
 * fast tier (a cached answer in a few system calls, no D-Bus) and the
 * headless cache that keeps access tokens in memory, never on disk.
 *
 * Keys are of type "user", readable by their user only (possession is
 * not enough: SECURITY.md, the kernel tier), named so that `keyctl show`
 * tells what they are (payload.h), and time out when the credential
 * expires.
 *
 * Options ([module kernel] section):
 *   keyring=NAME|@u|@s  where keys live (default cobo-credential: a keyring
 *                   of that name found in the session keyring, else in the
 *                   user keyring, else created in the user keyring)
 *   lifetime=SECONDS   plain git/docker credentials are kept this long
 *                   (as git's credential-cache --timeout); 0, the default,
 *                   keeps none: the module answers NOTFOUND for them
 *   refresh_tokens=no|yes  keep Cobo refresh tokens too (default no: a
 *                   30-day token belongs in the durable store)
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include "cobocred/module.h"

/*
 * The module's operations (struct cobocred_module's), named so that
 * kernel_module.c builds the module with COBOCRED_MODULE_DEFINE and the unit
 * tests call them directly.
 */
/* open.c */
int kernel_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state);
void kernel_close(void *state);
/* ops.c */
int kernel_get(void *state, const struct cobocred_query *q, struct cobocred_item **out);
int kernel_list(void *state, const struct cobocred_query *q, struct cobocred_item **out);
int kernel_store(void *state, const struct cobocred_item *item,
		 const struct cobocred_query *replace);
int kernel_erase(void *state, const struct cobocred_query *q);

#endif
