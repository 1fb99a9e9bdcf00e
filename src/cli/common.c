/*
 * common.c - what every subcommand shares: the context, error printing
 * (usage errors too), the status -> exit code map, profile choice.  The
 * bottom of src/cli: it calls nothing else of the folder.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_vline(const char *fmt, va_list ap)
{
	char buf[2048];
	char *p;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* Messages quote argv and server text: one line, no terminal escapes. */
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "cobo-credential: %s\n", buf);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout); /* keep the order of stdout and stderr lines on a terminal or log */
	va_start(ap, fmt);
	cli_vline(fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	if (fmt != NULL) {
		va_start(ap, fmt);
		cli_vline(fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "cobo-credential: try 'cobo-credential %s%s--help'\n", cmd ? cmd : "",
		cmd ? " " : "");
	return CLI_EX_USAGE;
}

int cli_exit_code(int status)
{
	switch (status) {
	case COBOCRED_SUCCESS:
		return CLI_EX_OK;
	case COBOCRED_NOTFOUND:
		return CLI_EX_NOTFOUND;
	case COBOCRED_UNAVAIL:
	case COBOCRED_TRYAGAIN:
		return CLI_EX_TRANSIENT;
	case COBOCRED_DENIED:
		return CLI_EX_DENIED;
	default:
		return CLI_EX_INTERNAL;
	}
}

int cli_fail(struct cli *cli, int status)
{
	cli_err("%s", cli->ctx != NULL ? cobocred_error(cli->ctx) : "out of memory");
	/* A profile key refused as cobo-oauth loads is as much a config error as a parse error. */
	if (status == COBOCRED_ERROR && cli->ctx != NULL && cobocred_error_in_config(cli->ctx))
		return CLI_EX_CONFIG;
	return cli_exit_code(status);
}

int cli_open(struct cli *cli)
{
	int st;

	if (cli->ctx != NULL)
		return CLI_EX_OK;
	st = cobocred_ctx_new(cli->config, &cli->ctx);
	if (st == COBOCRED_SUCCESS)
		return CLI_EX_OK;
	if (cli->ctx == NULL) {
		cli_err("out of memory");
		return CLI_EX_INTERNAL;
	}
	/* A configuration that does not load is a config error, whatever the status. */
	cli_err("%s", cobocred_error(cli->ctx));
	cli_close(cli);
	return CLI_EX_CONFIG;
}

/* Ends the command: its warning (if any) goes to stderr, after the answer. */
void cli_close(struct cli *cli)
{
	if (cli->ctx != NULL && *cobocred_warning(cli->ctx) != '\0')
		cli_err("warning: %s", cobocred_warning(cli->ctx));
	cobocred_ctx_free(cli->ctx);
	cli->ctx = NULL;
}

/* Lists the profiles into buf as "a, b, c". */
static void profile_list(struct cobocred_ctx *ctx, char *buf, size_t len)
{
	size_t i, n = cobocred_profile_count(ctx), used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 cobocred_profile_name(ctx, i));

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int cli_pick_profile(struct cli *cli, const char *name, const char **out)
{
	const char *env = getenv("COBO_CREDENTIAL_PROFILE");
	char list[512];
	size_t i, n = cobocred_profile_count(cli->ctx);

	*out = NULL;
	if (name == NULL && env != NULL && *env != '\0')
		name = env;
	if (name != NULL) {
		for (i = 0; i < n; i++)
			if (strcmp(cobocred_profile_name(cli->ctx, i), name) == 0) {
				*out = cobocred_profile_name(cli->ctx, i);
				return CLI_EX_OK;
			}
		cli_err("no profile '%s' in %s; run 'cobo-credential profile list' or "
			"'cobo-credential setup'",
			name,
			cobocred_config_path(cli->ctx) ? cobocred_config_path(cli->ctx)
						       : "the built-in configuration");
		return CLI_EX_NOTFOUND;
	}
	if (n == 1) {
		*out = cobocred_profile_name(cli->ctx, 0);
		return CLI_EX_OK;
	}
	if (n == 0) {
		cli_err("no profiles configured; run 'cobo-credential setup' first");
		return CLI_EX_NOTFOUND;
	}
	profile_list(cli->ctx, list, sizeof(list));
	cli_err("%zu profiles (%s); choose one with --profile NAME", n, list);
	return CLI_EX_USAGE;
}

int cli_interactive(void)
{
	const char *v = getenv("COBO_CREDENTIAL_INTERACTIVE");

	/* The same words the keyring module honours for its unlock prompts. */
	if (v != NULL && (strcmp(v, "never") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0))
		return 0;
	if (v != NULL && strcmp(v, "always") == 0)
		return 1;
	return isatty(STDIN_FILENO);
}
