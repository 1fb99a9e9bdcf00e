/*
 * cmd_proxy.c - cobo-credential proxy: runs cobo-credential-proxy with the
 * same arguments.
 *
 * The proxy is a program of its own (src/proxy/main.c says why); this
 * command only finds it and execs it, so `cobo-credential proxy` is the
 * one name users learn and the CLI never loads libmicrohttpd.
 * COBO_CREDENTIAL_PROXY_PROGRAM names another build of it (the tests run
 * the one just built); it is the user's own environment, like PATH.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef PROXY_PROGRAM
#define PROXY_PROGRAM "/usr/libexec/cobo-credential/cobo-credential-proxy"
#endif

int cmd_proxy(struct cli *cli, int argc, char **argv)
{
	const char *prog = getenv("COBO_CREDENTIAL_PROXY_PROGRAM");
	char **args;
	int i, n = 0;

	if (prog == NULL || prog[0] == '\0')
		prog = PROXY_PROGRAM;
	args = calloc((size_t)argc + 3, sizeof(*args));
	if (args == NULL) {
		cli_err("out of memory");
		return CLI_EX_INTERNAL;
	}
	args[n++] = (char *)"cobo-credential-proxy";
	if (cli->config != NULL) {
		args[n++] = (char *)"--config";
		args[n++] = (char *)cli->config;
	}
	for (i = 1; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(stdout);
	execv(prog, args);
	cli_err("cannot run %s: %s; reinstall cobo-credential", prog, strerror(errno));
	free(args);
	return CLI_EX_INTERNAL;
}
