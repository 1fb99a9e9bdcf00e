/*
 * etcd_module.c - the installed etcd.so: the module struct and its one
 * exported symbol, cobocred_module_init.  The operations (ops.c) and the
 * lock service (lock.c) live in libetcd.la, which the unit tests link.
 */
#include "config.h"

#include "etcd.h"
#include "lock.h"

static const char *const etcd_schemas[] = { COBOCRED_SCHEMA_COBO, NULL };

COBOCRED_MODULE_DEFINE(etcd_module, "etcd",
		       .caps = COBOCRED_CAP_GET | COBOCRED_CAP_STORE | COBOCRED_CAP_ERASE |
			       COBOCRED_CAP_LIST,
		       .open = etcd_open, .close = etcd_close, .get = etcd_get, .store = etcd_store,
		       .erase = etcd_erase, .list = etcd_list, .schemas = etcd_schemas,
		       .locks = &etcd_lock_ops)
