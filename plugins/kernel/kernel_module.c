/*
 * kernel_module.c - the installed kernel.so: the module struct and its one
 * exported symbol, cobocred_module_init.  The operations live in
 * libkernel.la, which the unit tests link and call directly.
 */
#include "config.h"

#include "kernel.h"

static const char *const kernel_schemas[] = {
	COBOCRED_SCHEMA_COBO,
	COBOCRED_SCHEMA_GIT,
	COBOCRED_SCHEMA_DOCKER,
	NULL,
};

COBOCRED_MODULE_DEFINE(kernel_module, "kernel",
		       .caps = COBOCRED_CAP_GET | COBOCRED_CAP_STORE | COBOCRED_CAP_ERASE |
			       COBOCRED_CAP_LIST,
		       .open = kernel_open, .close = kernel_close, .get = kernel_get,
		       .store = kernel_store, .erase = kernel_erase, .list = kernel_list,
		       .schemas = kernel_schemas)
