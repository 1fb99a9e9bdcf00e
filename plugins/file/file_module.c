/*
 * file_module.c - the installed file.so: the module struct and its one
 * exported symbol, cobocred_module_init.  The operations live in
 * libfile.la, which the unit tests link and call directly.
 */
#include "config.h"

#include "file.h"

COBOCRED_MODULE_DEFINE(file_module, "file",
		       .caps = COBOCRED_CAP_GET | COBOCRED_CAP_STORE | COBOCRED_CAP_ERASE |
			       COBOCRED_CAP_LIST,
		       .open = file_open, .close = file_close, .get = file_get,
		       .store = file_store_op, .erase = file_erase, .list = file_list)
