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
/*
 * 1 if a and b are the same pattern (schema, flags, attributes in any order,
 * neither with a secret), so they select the same items; else 0.
 */
int cobocred_query_same(const struct cobocred_query *a, const struct cobocred_query *b);

#endif
