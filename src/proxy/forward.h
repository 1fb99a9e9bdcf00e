/*
 * forward.h - one admitted request to the profile's origin and back.
 */
#ifndef COBOCRED_PROXY_FORWARD_H
#define COBOCRED_PROXY_FORWARD_H

#include <stddef.h>

#include "proxy.h"

/* What the handler admitted (every pointer the caller's, valid for the call). */
struct proxy_fwd {
	const char *method;
	const char *target; /* origin-form, checked by confine.c: path?query as sent */
	const char *org;    /* the org cobocred_profile_org answered (a copy) */
	const unsigned char *body;
	size_t body_len;
};

/* The upstream answer, its response signature verified. */
struct proxy_answer {
	int status;
	char *body; /* owned (malloc); may be NULL when body_len is 0 */
	size_t body_len;
	char content_type[128];
	/* An error of the proxy's own instead (status 502/503/...): static error name, detail. */
	const char *error;
	char detail[512];
};

/*
 * Signs (under p->lock) and sends (outside it); on a 401 for the token,
 * one refresh and one retry.  Always fills a: either the upstream's answer
 * or the proxy's own error (a->error non-NULL).
 */
void proxy_forward(struct proxy *p, const struct proxy_fwd *f, struct proxy_answer *a);
void proxy_answer_clear(struct proxy_answer *a);

#endif
