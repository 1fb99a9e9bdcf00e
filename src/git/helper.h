/*
 * helper.h - the three actions of git-credential-cobo over the core's
 * fill / approve / reject (cobocred.h): the core checks the request and
 * decides whether a Cobo profile or the plain store answers it; this room
 * only speaks git's protocol.
 */
#ifndef COBOCRED_GIT_HELPER_H
#define COBOCRED_GIT_HELPER_H

#include <stdint.h>

#include "cobocred.h"
#include "output.h"
#include "protocol.h"

enum git_action { GIT_ACT_GET, GIT_ACT_STORE, GIT_ACT_ERASE, GIT_ACT_UNKNOWN };

struct git_opts {
	int64_t timeout;    /* --timeout=SECONDS; 0: none */
	const char *config; /* --config=PATH; NULL: the search order */
};

/* The action named by argv's verb; GIT_ACT_UNKNOWN for any other (ignored). */
enum git_action git_action_parse(const char *verb);

/* The core's request for r (borrows r's strings: keep r alive). */
void git_request(const struct git_req *r, const struct git_opts *o, struct cobocred_request *out);

/*
 * Runs act for r, appending the answer (get only) to out.  Prints at most
 * one line on stderr, and only when something is wrong.  Returns the exit
 * status: 0 when git should simply move on (nothing found, or a get the
 * store could not answer), 1 when a store or erase failed.
 */
int git_helper_run(struct cobocred_ctx *ctx, enum git_action act, const struct git_req *r,
		   const struct git_opts *o, struct cobocred_sbuf *out);

/* "git-credential-cobo: MESSAGE" on stderr. */
void git_msg(const char *fmt, ...) COBOCRED_PRINTF(1, 2);

#endif
