/*
 * keyring_module.c - the installed shell of the keyring module: its one
 * exported symbol.  Everything else lives in libkeyring.la, which the
 * tests link.
 */
#include "config.h"

#include "keyring.h"

COBOCRED_MODULE_DEFINE(keyring_module, "keyring",
		       .caps = COBOCRED_CAP_GET | COBOCRED_CAP_STORE | COBOCRED_CAP_ERASE |
			       COBOCRED_CAP_LIST,
		       .open = kr_open, .close = kr_close, .get = kr_get, .store = kr_store,
		       .erase = kr_erase, .list = kr_list)
