/*
 * etcd_module.c - the installed etcd.so: exports only cobocred_module_init.
 * The module struct (etcd_module, in ops.c) lives in libetcd.la, which the
 * unit tests link.
 */
#include "config.h"

#include "etcd.h"

COBOCRED_MODULE_INIT(etcd_module)
