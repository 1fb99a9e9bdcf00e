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
#include "secret.h"
#include "strutil.h"

#define EXIT_USAGE 2

static void usage(FILE *f)
{
	fprintf(f, "usage: git-credential-cobo [--timeout=SECONDS] [--config=PATH] get|store|erase\n"
		   "  a git credential helper: git config --global credential.helper cobo\n");
}

/* Grows buf (secret memory) to hold at least want bytes, up to GIT_INPUT_MAX + 1. */
static int grow(char **buf, size_t len, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : 4096;
	char *nb;

	if (ncap > GIT_INPUT_MAX + 1)
		ncap = GIT_INPUT_MAX + 1;
	if ((nb = cobocred_secret_alloc(ncap)) == NULL)
		return -1;
	if (len > 0)
		memcpy(nb, *buf, len);
	cobocred_secret_free(*buf);
	*buf = nb;
	*cap = ncap;
	return 0;
}

/*
 * Reads the request: up to its blank line, EOF, or one byte past
 * GIT_INPUT_MAX (which the parser then refuses).  *out is secret memory.
 */
static int read_request(int fd, char **out, size_t *outlen)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, scan = 0;

	*out = NULL;
	*outlen = 0;
	for (;;) {
		ssize_t n;

		if (len == cap && (cap > GIT_INPUT_MAX || grow(&buf, len, &cap) != 0))
			break;
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cobocred_secret_free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (git_req_end(buf, len, &scan) != 0)
			break;
	}
	if (buf == NULL && (buf = cobocred_secret_alloc(1)) == NULL)
		return -1;
	*out = buf;
	*outlen = len;
	return 0;
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
	struct git_out out = { 0 };
	char *buf = NULL, err[256];
	size_t len = 0;
	int rc = 1, st;

	memset(&req, 0, sizeof(req));
	if (read_request(STDIN_FILENO, &buf, &len) != 0) {
		git_msg("cannot read the request: %s", strerror(errno));
		goto out;
	}
	st = git_req_parse(buf, len, &req, NULL, err, sizeof(err));
	cobocred_secret_free(buf); /* wipes the password git sent */
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
	if (git_out_write(&out, STDOUT_FILENO) != 0) {
		git_msg("cannot write the answer: %s", strerror(errno));
		rc = 1;
	}
	if (*cobocred_warning(ctx) != '\0')
		git_msg("warning: %s", cobocred_warning(ctx));
out:
	git_out_clear(&out);
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
