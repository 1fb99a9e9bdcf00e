/*
 * status.h - the one table of status names (enum cobocred_status in
 * cobocred/module.h): the core's traces and [stack] actions, the
 * front-ends and modules (the test module reads statuses from its options)
 * all spell them from here.  Stateless: safe everywhere.
 */
#ifndef COBOCRED_STATUS_H
#define COBOCRED_STATUS_H

#include <stddef.h>

/* "SUCCESS", "NOTFOUND", ...; "INVALID" for a value out of range. */
const char *cobocred_status_name(int status);
/* The status named s[0, n), in any case; -1 for no status. */
int cobocred_status_from_name(const char *s, size_t n);

#endif
