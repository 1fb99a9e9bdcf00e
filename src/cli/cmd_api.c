/*
 * cmd_api.c - 'cobo-credential api': sign, send, verify, print.
 *
 * Only an answer whose Cobo signature verified is printed (the module
 * fails closed otherwise).  A 2xx exits 0; an HTTP error prints the body
 * too (it is Cobo's, and verified) and one line on stderr with the status
 * and Cobo's error_code and error_message, and exits per cli_http_exit.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "apireq.h"

static int write_all(const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, c, n);

		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* --include: the status line and headers as received, then the body. */
static int print_reply(const struct cobocred_http_reply *rep, int include)
{
	if (include && rep->headers != NULL && write_all(rep->headers, rep->headers_len) != 0)
		return -1;
	return rep->body_len > 0 ? write_all(rep->body, rep->body_len) : 0;
}

static int http_error(const struct cobocred_http_reply *rep)
{
	char code[64], msg[256];

	if (cobocred_reply_error(rep, code, sizeof(code), msg, sizeof(msg)) == 0)
		cli_err("HTTP %ld: error %s: %s", rep->status, code[0] ? code : "(none)",
			msg[0] ? msg : "(no message)");
	else
		cli_err("HTTP %ld (no Cobo error in the answer)", rep->status);
	return cli_http_exit(rep->status);
}

int cmd_api(struct cli *cli, int argc, char **argv)
{
	struct cli_req_opts o = { 0 };
	struct cli_req r;
	struct cobocred_http_reply *rep = NULL;
	int done = 0, rc, st;

	rc = cli_req_parse(cli, "api", argc, argv, &o, &done);
	if (rc != CLI_EX_OK || done)
		return rc;
	rc = cli_req_build(cli, "api", &o, &r);
	if (rc != CLI_EX_OK)
		goto out;
	st = cobocred_request_send(cli->ctx, r.profile, r.org, &r.req, &rep);
	if (st != COBOCRED_SUCCESS) {
		rc = cli_fail(cli, st);
		goto out;
	}
	if (print_reply(rep, o.include) != 0) {
		cli_err("cannot write the answer to standard output");
		rc = CLI_EX_IOERR;
	} else if (rep->status < 200 || rep->status > 299) {
		rc = http_error(rep);
	}
out:
	if (cli->ctx != NULL)
		cobocred_reply_free(cli->ctx, rep);
	cli_req_free(&r);
	return rc;
}
