/*
 * match.h - query matching for the file store's items.
 *
 * The same rules as the host's cobocred_item_matches() (a module cannot
 * call host symbols): schema equal (a NULL query schema matches any);
 * every query attribute present with an equal value, a NULL-valued one
 * absent; with COBOCRED_QUERY_EXACT no item attribute the query lacks;
 * when the query has a secret, the item's secret equal to it.
 */
#ifndef FILE_MATCH_H
#define FILE_MATCH_H

#include "cobocred/module.h"
#include "format.h"

/* 1 if it matches q, else 0.  A NULL q matches everything. */
int file_item_matches(const struct file_item *it, const struct cobocred_query *q);

#endif
