/*
 * main.c - docker-credential-cobo: a Docker credential helper (the
 * protocol of docker/docker-credential-helpers) over the cobo-credential
 * stack.  One argument names the command; the request is on stdin; the
 * answer or the error is one line on stdout; the exit status is 0 or 1.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "helper.h"

#define USAGE "Usage: docker-credential-cobo <store|get|erase|list|version>"

enum verb { V_STORE, V_GET, V_ERASE, V_LIST };

static int find_verb(const char *s)
{
	static const char *const verbs[] = { "store", "get", "erase", "list" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, verbs[i]) == 0)
			return i;
	return -1;
}

static int run(int verb)
{
	struct cobocred_ctx *ctx = NULL;
	struct cobocred_sbuf in;
	int r = 1;

	cobocred_sbuf_init(&in, 0);
	if (verb != V_LIST && docker_read_stdin(&in) != 0)
		goto out;
	if (cobocred_ctx_new(NULL, &ctx) != COBOCRED_SUCCESS) {
		docker_fail("%s", cobocred_error(ctx));
		goto out;
	}
	switch (verb) {
	case V_STORE:
		r = docker_cmd_store(ctx, in.p, in.len);
		break;
	case V_GET:
		r = docker_cmd_get(ctx, cobocred_sbuf_str(&in), in.len);
		break;
	case V_ERASE:
		r = docker_cmd_erase(ctx, cobocred_sbuf_str(&in), in.len);
		break;
	default:
		r = docker_cmd_list(ctx);
		break;
	}
	/* stderr: clients parse stdout only, and show stderr to the user. */
	if (*cobocred_warning(ctx) != '\0')
		fprintf(stderr, "docker-credential-cobo: warning: %s\n", cobocred_warning(ctx));
out:
	cobocred_sbuf_free(&in);
	cobocred_ctx_free(ctx);
	return r;
}

int main(int argc, char **argv)
{
	const char *arg;
	int verb;

	cobocred_harden_process();
	if (argc != 2)
		return docker_fail(USAGE);
	arg = argv[1];
	if (strcmp(arg, "version") == 0 || strcmp(arg, "--version") == 0 ||
	    strcmp(arg, "-v") == 0) {
		printf("docker-credential-cobo (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		printf("%s\n", USAGE);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	verb = find_verb(arg);
	if (verb < 0)
		return docker_fail("Unknown credential action `%.64s`", arg);
	return run(verb);
}
