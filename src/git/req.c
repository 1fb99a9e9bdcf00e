/*
 * req.c - the request's one destructor, below both readers that fill a
 * request (protocol.c's lines, url.c's url=), so neither calls the other
 * to empty one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "secret.h"

void git_req_clear(struct git_req *r)
{
	free(r->protocol);
	free(r->host);
	free(r->path);
	free(r->username);
	cobocred_secret_free(r->password);
	cobocred_secret_free(r->oauth_refresh_token);
	memset(r, 0, sizeof(*r));
}
