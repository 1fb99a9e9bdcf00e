/*
 * test_org_names.h - the profiles, the store and the expected answers of
 * test_org_names.c (test_org_names_env.c), as security-orgs-names.sh
 * generated them.
 */
#ifndef COBOCRED_TEST_ORG_NAMES_H
#define COBOCRED_TEST_ORG_NAMES_H

#include <stddef.h>

#define ON_UUID "e3986401-4aec-480a-973d-e775a4518413"
#define ON_MAX_PROFILES 20
#define ON_MAX_ORGS 48
#define ON_ORGS_MAX 512
#define ON_MAX_TOKENS 1024

struct on_profile {
	char name[64];
	char cid[32];
	char orgs[ON_ORGS_MAX]; /* comma-separated; "*" for any */
};
extern struct on_profile on_profiles[ON_MAX_PROFILES];
extern size_t on_n_profiles;
/* Every token in the store, each once. */
extern char on_tokens[ON_MAX_TOKENS][96];
extern size_t on_n_tokens;

/* The profiles, the store (a distinct token for every (app, org) a mistake
 * could answer), the config (COBO_CREDENTIAL_CONFIG) in tmp. */
void on_setup(const char *tmp);

/* "AT_CID_ORG": the token the store holds for (cid, org). */
void on_token(const char *cid, const char *org, char *buf, size_t len);
/* The orgs of a comma-separated list, into out; their number. */
size_t on_split(const char *orgs, char (*out)[64], size_t max);
/* 1 if p serves org: p lists it, or p's orgs are "*". */
int on_lists(const struct on_profile *p, const char *org);
/* The token user must get as a git user name (listed beats '*'), or "". */
void on_served(const char *user, char *buf, size_t len);
const struct on_profile *on_profile_named(const char *name);

#endif
