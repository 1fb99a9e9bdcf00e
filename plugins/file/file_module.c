/*
 * file_module.c - the installed file.so: exports only cobocred_module_init.
 * The module struct (file_module, in ops.c) lives in libfile.la, which the
 * unit tests link.
 */
#include "config.h"

#include "file.h"

COBOCRED_MODULE_INIT(file_module)
