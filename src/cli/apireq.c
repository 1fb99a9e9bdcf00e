/*
 * apireq.c - options, request and exit codes shared by 'sign' and 'api'.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apireq.h"
#include "sbuf.h"
#include "tokens.h"

int cli_req_parse(struct cli *cli, const char *cmd, int argc, char **argv, struct cli_req_opts *o,
		  int *done)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "org", required_argument, NULL, 'o' },
		{ "method", required_argument, NULL, 'X' },
		{ "body", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "include", no_argument, NULL, 'i' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, r, is_sign = strcmp(cmd, "sign") == 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:o:X:d:f:ih", longopts, NULL)) != -1) {
		if (c == 'p') {
			o->profile = optarg;
		} else if (c == 'o') {
			if ((r = cli_org_arg(cmd, optarg)) != CLI_EX_OK)
				return r;
			o->org = optarg;
		} else if (c == 'X') {
			o->method = optarg;
		} else if (c == 'd') {
			o->body = optarg;
		} else if (c == 'f' && is_sign) {
			if (strcmp(optarg, "header") != 0 && strcmp(optarg, "json") != 0)
				return cli_usage_error(cmd,
						       "unknown format '%s'; use header or json",
						       optarg);
			o->json = strcmp(optarg, "json") == 0;
		} else if (c == 'i' && !is_sign) {
			o->include = 1;
		} else if (c == 'f' || c == 'i') {
			return cli_usage_error(cmd, "option '%s' is not one of %s's",
					       argv[optind - 1], cmd);
		} else {
			r = cli_common_opt(cli, cmd, c, done);
			if (r != CLI_EX_OK || *done)
				return r < 0 ? CLI_EX_USAGE : r;
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd,
				       optind >= argc ? "no %s given" : "more than one %s given",
				       is_sign ? "URL" : "PATH or URL");
	o->target = argv[optind];
	return CLI_EX_OK;
}

/* The method: upper-case letters only, at most 16 (the core checks again). */
static int pick_method(const char *cmd, const struct cli_req_opts *o, char *out, size_t outlen)
{
	const char *m = o->method != NULL ? o->method : o->body != NULL ? "POST" : "GET";
	size_t i, n = strlen(m);

	if (n == 0 || n >= outlen)
		return cli_usage_error(cmd, "--method must be an HTTP method such as GET or POST");
	for (i = 0; i < n; i++) {
		char ch = m[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A'); /* methods are upper-case on the wire */
		if (ch < 'A' || ch > 'Z')
			return cli_usage_error(
				cmd, "--method must be an HTTP method such as GET or POST");
		out[i] = ch;
	}
	out[n] = '\0';
	return CLI_EX_OK;
}

/* The whole body, at most COBOCRED_REQUEST_BODY_MAX bytes, into secret memory. */
static int read_body(const char *path, struct cli_req *r)
{
	struct cobocred_sbuf b;
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		cli_err("cannot read the body from %s: %s", path, strerror(errno));
		return CLI_EX_NOTFOUND;
	}
	rc = cobocred_sbuf_read(&b, fd, COBOCRED_REQUEST_BODY_MAX, NULL, NULL);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc != 0) {
		cli_err("cannot read the body from %s: %s", path, strerror(errno));
		return CLI_EX_IOERR;
	}
	if (b.len > COBOCRED_REQUEST_BODY_MAX) {
		cobocred_sbuf_free(&b);
		cli_err("the body in %s is larger than %d bytes; not sending it", path,
			COBOCRED_REQUEST_BODY_MAX);
		return CLI_EX_DATAERR;
	}
	r->body_len = b.len;
	r->body = b.p; /* secret memory, ours now; "" for an empty file */
	return r->body != NULL ? CLI_EX_OK : CLI_EX_INTERNAL;
}

int cli_req_build(struct cli *cli, const char *cmd, const struct cli_req_opts *o, struct cli_req *r)
{
	int rc, st;

	memset(r, 0, sizeof(*r));
	if ((rc = pick_method(cmd, o, r->method, sizeof(r->method))) != CLI_EX_OK ||
	    (rc = cli_open(cli)) != CLI_EX_OK ||
	    (rc = cli_pick_profile(cli, o->profile, &r->profile)) != CLI_EX_OK ||
	    (rc = cli_pick_org(cli, r->profile, o->org, &r->org)) != CLI_EX_OK)
		return rc;
	st = cobocred_request_target(cli->ctx, r->profile, o->target, &r->path, &r->query);
	if (st != COBOCRED_SUCCESS) {
		cli_err("%s", cobocred_error(cli->ctx));
		return st == COBOCRED_ERROR ? CLI_EX_USAGE : cli_exit_code(st);
	}
	if (o->body != NULL && (rc = read_body(o->body, r)) != CLI_EX_OK)
		return rc;
	r->req.struct_size = sizeof(r->req);
	r->req.method = r->method;
	r->req.path = r->path;
	r->req.query = r->query;
	r->req.body = (const unsigned char *)r->body;
	r->req.body_len = r->body_len;
	return CLI_EX_OK;
}

void cli_req_free(struct cli_req *r)
{
	struct cobocred_sbuf b = { .p = r->body, .len = r->body_len };

	free(r->path);
	free(r->query);
	if (r->body != NULL)
		cobocred_sbuf_free(&b);
	memset(r, 0, sizeof(*r));
}

int cli_http_exit(long status)
{
	if (status == 401 || status == 403)
		return CLI_EX_DENIED;
	if (status == 404)
		return CLI_EX_NOTFOUND;
	if (status == 408 || status == 429 || status >= 500)
		return CLI_EX_TRANSIENT;
	return CLI_EX_DATAERR;
}
