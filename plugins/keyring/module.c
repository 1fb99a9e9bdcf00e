/*
 * module.c - the installed shell of the keyring module: its one exported
 * symbol.  Everything else lives in libkeyring.la, which the tests link.
 */
#include "config.h"

#include "keyring.h"

const struct cobocred_module *cobocred_module_init(uint32_t host_abi);

static const struct cobocred_module keyring_module = {
	.abi_version = COBOCRED_ABI_VERSION,
	.struct_size = sizeof(struct cobocred_module),
	.name = "keyring",
	.caps = COBOCRED_CAP_GET | COBOCRED_CAP_STORE | COBOCRED_CAP_ERASE | COBOCRED_CAP_LIST,
	.open = kr_open,
	.close = kr_close,
	.get = kr_get,
	.store = kr_store,
	.erase = kr_erase,
	.list = kr_list,
};

const struct cobocred_module *cobocred_module_init(uint32_t host_abi)
{
	if (COBOCRED_ABI_MAJOR_OF(host_abi) != COBOCRED_ABI_MAJOR)
		return NULL;
	return &keyring_module;
}
