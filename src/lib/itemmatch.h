/*
 * itemmatch.h - query matching on items (see itemmatch.c for the rules).
 */
#ifndef COBOCRED_ITEMMATCH_H
#define COBOCRED_ITEMMATCH_H

#include "cobocred/module.h"

/* The value of attribute name, or NULL. */
const char *cobocred_item_attr(const struct cobocred_item *item, const char *name);
/* 1 if item matches q (schema, attributes, secret if q has one), else 0. */
int cobocred_item_matches(const struct cobocred_item *item, const struct cobocred_query *q);

#endif
