/*
 * inproc.c - see inproc.h: the capture, and the git helper.  stdout and stderr are pointed at files for the
 * length of one call, as a shell's redirections would, so the test reads
 * exactly the lines the binary would print.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cutest.h"
#include "../../src/git/helper.h"
#include "inproc.h"
#include "sbuf.h"

void inproc_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		fprintf(stderr, "test: '%.60s...' does not fit in %zu bytes\n", buf, len);
		exit(99);
	}
}

static void scratch(char *buf, size_t len, int fd)
{
	inproc_fmt(buf, len, "%s/inproc.%d", cutest_tmpdir(), fd);
}

void inproc_capture_begin(struct inproc_capture *c)
{
	char path[512];
	int fd;

	fflush(stdout);
	fflush(stderr);
	for (fd = 1; fd <= 2; fd++) {
		int f;

		scratch(path, sizeof(path), fd);
		f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		c->saved[fd - 1] = dup(fd);
		if (f < 0 || c->saved[fd - 1] < 0 || dup2(f, fd) < 0) {
			perror("inproc capture");
			exit(99);
		}
		close(f);
	}
}

static void slurp(int fd, char *dst)
{
	char path[512];
	size_t n;

	scratch(path, sizeof(path), fd);
	inproc_fmt(dst, INPROC_MAX, "%s", cutest_read_file(path));
	n = strlen(dst);
	while (n > 0 && dst[n - 1] == '\n')
		dst[--n] = '\0';
}

void inproc_capture_end(struct inproc_capture *c, struct inproc *res)
{
	int fd;

	fflush(stdout);
	fflush(stderr);
	for (fd = 1; fd <= 2; fd++) {
		if (dup2(c->saved[fd - 1], fd) < 0) {
			perror("inproc restore");
			exit(99);
		}
		close(c->saved[fd - 1]);
	}
	slurp(1, res->out);
	slurp(2, res->err);
}

/* As src/git/main.c's run(): parse, open the context, run, print. */
static int git_run(enum git_action act, const char *request, size_t len)
{
	struct cobocred_ctx *ctx = NULL;
	struct git_req req;
	struct git_opts o;
	struct cobocred_sbuf out;
	char err[256];
	int rc = 1;

	memset(&req, 0, sizeof(req));
	memset(&o, 0, sizeof(o));
	cobocred_sbuf_init(&out, GIT_OUTPUT_MAX);
	if (git_req_parse(request, len, &req, NULL, err, sizeof(err)) != 0) {
		git_msg("%s", err);
		goto out;
	}
	if (cobocred_ctx_new(NULL, &ctx) != COBOCRED_SUCCESS) {
		git_msg("%s", cobocred_error(ctx));
		rc = act == GIT_ACT_GET ? 0 : 1;
		goto out;
	}
	rc = git_helper_run(ctx, act, &req, &o, &out);
	if (cobocred_sbuf_write(&out, STDOUT_FILENO) != 0)
		rc = 1;
	if (*cobocred_warning(ctx) != '\0')
		git_msg("warning: %s", cobocred_warning(ctx));
out:
	cobocred_sbuf_free(&out);
	git_req_clear(&req);
	cobocred_ctx_free(ctx);
	return rc;
}

void inproc_git_n(const char *action, const char *request, size_t len, struct inproc *res)
{
	struct inproc_capture c;

	inproc_capture_begin(&c);
	res->rc = git_run(git_action_parse(action), request, len);
	inproc_capture_end(&c, res);
}

void inproc_git(const char *action, const char *request, struct inproc *res)
{
	inproc_git_n(action, request, strlen(request), res);
}
