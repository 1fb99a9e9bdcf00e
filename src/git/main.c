/*
 * main.c - git-credential-cobo [--timeout=SECONDS] [--config=PATH] ACTION
 *
 * git runs it as `git-credential-cobo ... get|store|erase` with the request
 * on stdin.  stdout carries only key=value lines; stderr stays empty unless
 * something is wrong (git and its tests compare it).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "sbuf.h"
#include "strutil.h"

#define EXIT_USAGE 2

static void usage(FILE *f)
{
	fprintf(f,
		"usage: git-credential-cobo [--timeout=SECONDS] [--config=PATH] get|store|erase\n"
		"  a git credential helper: git config --global credential.helper cobo\n");
}

/* The request ends at its blank line: stop reading there, not at EOF. */
static int request_done(const char *buf, size_t len, void *arg)
{
	return git_req_end(buf, len, arg) != 0;
}

/*
 * The value of option NAME at argv[*i]: "--NAME=VALUE" or "--NAME VALUE"
 * (git's own helpers accept both).  NULL if argv[*i] is another option.
 */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i] + 2;

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/* Options before the action; returns argv's index of the action, 0 after --help, or -1. */
static int parse_args(int argc, char **argv, struct git_opts *o)
{
	const char *v;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if ((v = opt_value(argc, argv, &i, "timeout")) != NULL) {
			if (cobocred_parse_i64(v, 1, 100LL * 365 * 86400, &o->timeout) != 0) {
				git_msg("--timeout wants a number of seconds, not '%s'", v);
				return -1;
			}
		} else if ((v = opt_value(argc, argv, &i, "config")) != NULL && *v != '\0') {
			o->config = v;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			git_msg("unknown option '%s'", argv[i]);
			usage(stderr);
			return -1;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return -1;
	}
	return i;
}

/* Parses stdin and runs the action. */
static int run(enum git_action act, const struct git_opts *o)
{
	struct cobocred_ctx *ctx = NULL;
	struct git_req req;
	struct cobocred_sbuf in, out;
	size_t scan = 0;
	char err[256];
	int rc = 1, st;

	memset(&req, 0, sizeof(req));
	cobocred_sbuf_init(&out, GIT_OUTPUT_MAX);
	/* One byte past GIT_INPUT_MAX is read, so the parser can refuse it. */
	if (cobocred_sbuf_read(&in, STDIN_FILENO, GIT_INPUT_MAX, request_done, &scan) != 0) {
		git_msg("cannot read the request: %s", strerror(errno));
		goto out;
	}
	st = git_req_parse(cobocred_sbuf_str(&in), in.len, &req, NULL, err, sizeof(err));
	cobocred_sbuf_free(&in); /* wipes the password git sent */
	if (st != 0) {
		git_msg("%s", err);
		goto out;
	}
	st = cobocred_ctx_new(o->config, &ctx);
	if (st != COBOCRED_SUCCESS) {
		git_msg("%s", cobocred_error(ctx));
		rc = act == GIT_ACT_GET ? 0 : 1;
		goto out;
	}
	rc = git_helper_run(ctx, act, &req, o, &out);
	if (cobocred_sbuf_write(&out, STDOUT_FILENO) != 0) {
		git_msg("cannot write the answer: %s", strerror(errno));
		rc = 1;
	}
	if (*cobocred_warning(ctx) != '\0')
		git_msg("warning: %s", cobocred_warning(ctx));
out:
	cobocred_sbuf_free(&out);
	git_req_clear(&req);
	cobocred_ctx_free(ctx);
	return rc;
}

int main(int argc, char **argv)
{
	struct git_opts o;
	enum git_action act;
	int i;

	cobocred_harden_process();
	i = parse_args(argc, argv, &o);
	if (i <= 0)
		return i == 0 ? 0 : EXIT_USAGE;
	act = git_action_parse(argv[i]);
	if (act == GIT_ACT_UNKNOWN)
		return 0; /* newer git may ask for actions we do not know: stay silent */
	return run(act, &o);
}
