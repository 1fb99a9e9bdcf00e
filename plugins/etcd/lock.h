/*
 * lock.h - the fleet lock the module offers the host (ABI 1.3 `locks`).
 */
#ifndef ETCD_LOCK_H
#define ETCD_LOCK_H

#include "etcd.h"

extern const struct cobocred_lock_ops etcd_lock_ops;
/* Revokes the leases of locks still held (close). */
void etcd_locks_release_all(struct etcd_state *s);

#endif
