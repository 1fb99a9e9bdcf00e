/*
 * inproc_cli.c - cobo-credential's commands in-process (inproc.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "../../src/cli/cli.h"
#include "inproc.h"

void inproc_cli(int argc, char **argv, struct inproc *res)
{
	struct cli cli = { 0 };
	struct inproc_capture c;
	int (*cmd)(struct cli *, int, char **) = NULL;

	if (strcmp(argv[0], "key") == 0)
		cmd = cmd_key;
	else if (strcmp(argv[0], "token") == 0)
		cmd = cmd_token;
	if (cmd == NULL) {
		fprintf(stderr, "inproc_cli: no command '%s' here\n", argv[0]);
		exit(99);
	}
	inproc_capture_begin(&c);
	res->rc = cmd(&cli, argc, argv);
	cli_close(&cli);
	inproc_capture_end(&c, res);
}
