/*
 * cmd_sign.c - 'cobo-credential sign': the four headers of one signed
 * Cobo API request, for any HTTP client (curl -H @-).
 *
 * The headers are printed with write(2) from secret memory, on stdout only
 * and only when everything succeeded: a refused URL prints nothing.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "apireq.h"
#include "format.h"
#include "sbuf.h"

static const char *const names[4] = { "Authorization", "Biz-Api-Key", "Biz-Api-Nonce",
				      "Biz-Api-Signature" };

/* {"Authorization":"Bearer T",...}: each line's value after "Name: ". */
static int as_json(const struct cobocred_signed *s, struct cobocred_sbuf *out)
{
	size_t i, skip;

	cobocred_sbuf_adds(out, "{");
	for (i = 0; i < 4; i++) {
		skip = strlen(names[i]) + 2;
		cobocred_sbuf_adds(out, i ? "," : "");
		cli_json_string(out, names[i], strlen(names[i]));
		cobocred_sbuf_adds(out, ":");
		if (cli_json_string(out, s->headers[i] + skip, strlen(s->headers[i] + skip)) != 0)
			return -1;
	}
	cobocred_sbuf_adds(out, "}\n");
	return out->failed ? -1 : 0;
}

static int as_lines(const struct cobocred_signed *s, struct cobocred_sbuf *out)
{
	size_t i;

	for (i = 0; i < 4; i++) {
		cobocred_sbuf_adds(out, s->headers[i]);
		cobocred_sbuf_adds(out, "\n");
	}
	return out->failed ? -1 : 0;
}

int cmd_sign(struct cli *cli, int argc, char **argv)
{
	struct cli_req_opts o = { 0 };
	struct cli_req r;
	struct cobocred_signed *s = NULL;
	struct cobocred_sbuf out;
	int done = 0, rc, st;

	rc = cli_req_parse(cli, "sign", argc, argv, &o, &done);
	if (rc != CLI_EX_OK || done)
		return rc;
	cobocred_sbuf_init(&out, 0);
	rc = cli_req_build(cli, "sign", &o, &r);
	if (rc != CLI_EX_OK)
		goto out;
	st = cobocred_request_sign(cli->ctx, r.profile, r.org, &r.req, &s);
	if (st != COBOCRED_SUCCESS) {
		rc = cli_fail(cli, st);
		goto out;
	}
	if ((o.json ? as_json(s, &out) : as_lines(s, &out)) != 0) {
		cli_err("cannot format the headers (out of memory)");
		rc = CLI_EX_INTERNAL;
		goto out;
	}
	if (cobocred_sbuf_write(&out, STDOUT_FILENO) != 0) {
		cli_err("cannot write the headers to standard output");
		rc = CLI_EX_IOERR;
	}
out:
	cobocred_sbuf_free(&out);
	cobocred_signed_free(s);
	cli_req_free(&r);
	return rc;
}
