/*
 * module.c - the installed file.so: exports only cobocred_module_init.
 */
#include "config.h"

#include "file.h"

const struct cobocred_module *cobocred_module_init(uint32_t host_abi);

const struct cobocred_module *cobocred_module_init(uint32_t host_abi)
{
	if (COBOCRED_ABI_MAJOR_OF(host_abi) != COBOCRED_ABI_MAJOR)
		return NULL;
	return &file_module;
}
