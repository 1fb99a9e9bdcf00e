/*
 * inproc_docker.c - docker-credential-cobo get in-process (inproc.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../../src/docker/helper.h"
#include "inproc.h"

/* As src/docker/main.c's run() for get. */
static int docker_get(const char *in, size_t len)
{
	struct cobocred_ctx *ctx = NULL;
	int r = 1;

	if (cobocred_ctx_new(NULL, &ctx) != COBOCRED_SUCCESS) {
		docker_fail("%s", cobocred_error(ctx));
		goto out;
	}
	r = docker_cmd_get(ctx, in, len);
	if (*cobocred_warning(ctx) != '\0')
		fprintf(stderr, "docker-credential-cobo: warning: %s\n", cobocred_warning(ctx));
out:
	cobocred_ctx_free(ctx);
	return r;
}

void inproc_docker_get(const char *in, size_t len, struct inproc *res)
{
	struct inproc_capture c;

	inproc_capture_begin(&c);
	res->rc = docker_get(in, len);
	inproc_capture_end(&c, res);
}
