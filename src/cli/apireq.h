/*
 * apireq.h - what 'sign' and 'api' share: their options, the request they
 * build (method, target split by the core's origin rule, body read with a
 * cap), and the exit code for an HTTP status.
 */
#ifndef COBOCRED_CLI_APIREQ_H
#define COBOCRED_CLI_APIREQ_H

#include <stddef.h>

#include "cli.h"

struct cli_req_opts {
	const char *profile;
	const char *org;
	const char *method; /* NULL: GET, or POST with a body */
	const char *body;   /* FILE or "-" (stdin); NULL: none */
	int json;	    /* sign --format json */
	int include;	    /* api --include */
	const char *target; /* the PATH or URL argument */
};

/* Parses 'cmd' options (cmd is "sign" or "api").  CLI_EX_OK, or the usage error's code. */
int cli_req_parse(struct cli *cli, const char *cmd, int argc, char **argv, struct cli_req_opts *o,
		  int *done);

struct cli_req {
	const char *profile; /* ctx's */
	const char *org;     /* ctx's or argv's */
	char *path;	     /* owned */
	char *query;	     /* owned */
	char *body;	     /* owned (secret memory: a body may hold secrets); NULL: none */
	size_t body_len;
	char method[17];
	struct cobocred_http_request req; /* points into the above */
};

/*
 * Opens the context, picks the profile and org, splits the target (a
 * refusal: one line, CLI_EX_USAGE), reads the body (at most
 * COBOCRED_REQUEST_BODY_MAX bytes).  CLI_EX_OK or the error's exit code,
 * the error printed; release r with cli_req_free in both cases.
 */
int cli_req_build(struct cli *cli, const char *cmd, const struct cli_req_opts *o,
		  struct cli_req *r);
void cli_req_free(struct cli_req *r);

/* The exit code for an HTTP error status (see cobo-credential(1)). */
int cli_http_exit(long status);

#endif
