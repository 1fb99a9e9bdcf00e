/*
 * orgset.h - org ids and a profile's org_id setting, one rule for the core
 * (routing, token identity, the command line) and the cobo-oauth module
 * (what it mints for).
 *
 * An org id goes into the mint request's query string, into every store's
 * lookup attributes and, hashed, into a lock name; it comes from a config
 * file, a git user name (https://ORG@host/) or a command line.  So it is
 * checked strictly, never escaped into shape:
 *
 *   org id   [A-Za-z0-9][A-Za-z0-9_-]{0,63}  (Cobo's are UUIDs), compared
 *            byte for byte: "ABC" and "abc" are two orgs.
 *   org_id   "*" alone (any org that installed the app), or one or more
 *            org ids separated by a comma and/or blanks ("a, b c"), each
 *            once.  Nothing else: no empty element, no "*" in a list.
 *
 * A setting that breaks the rule names no org at all (fail closed); the
 * config parser refuses it with FILE:LINE before anything runs.
 */
#ifndef COBOCRED_ORGSET_H
#define COBOCRED_ORGSET_H

#include <stddef.h>

#define COBOCRED_ORG_MAX 64

/* 1 if s[0, n) is an org id. */
int cobocred_org_id_okn(const char *s, size_t n);
/* 1 if the string s is an org id. */
int cobocred_org_id_ok(const char *s);
/* 0 if setting follows the org_id rule, else -1 with one line in err. */
int cobocred_orgs_check(const char *setting, char *err, size_t errlen);
/* 1 if setting is a valid "*". */
int cobocred_orgs_any(const char *setting);
/* The number of org ids a valid setting lists (0 for "*" and for an invalid one). */
size_t cobocred_orgs_count(const char *setting);
/* The i-th listed org id, pointing into setting, *len bytes; NULL past the end. */
const char *cobocred_orgs_nth(const char *setting, size_t i, size_t *len);
/* 1 if a valid setting lists org by name ("*" lists none). */
int cobocred_orgs_lists(const char *setting, const char *org);
/* 1 if org is an org id that a valid setting serves: listed, or any under "*". */
int cobocred_orgs_has(const char *setting, const char *org);
/* "org a", "orgs a, b" or "any org that installed the app", for messages.  Returns out. */
const char *cobocred_orgs_show(const char *org_id_setting, char *out, size_t outlen);

#endif
