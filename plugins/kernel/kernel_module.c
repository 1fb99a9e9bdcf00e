/*
 * kernel_module.c - the installed kernel.so: exports only cobocred_module_init.
 * The module struct (kernel_module, in ops.c) lives in libkernel.la, which
 * the unit tests link.
 */
#include "config.h"

#include "kernel.h"

COBOCRED_MODULE_INIT(kernel_module)
