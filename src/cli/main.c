/*
 * main.c - cobo-credential: global options, then one subcommand.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
} commands[] = {
	{ "setup", cmd_setup },	  { "profile", cmd_profile }, { "key", cmd_key },
	{ "token", cmd_token },	  { "status", cmd_status },   { "logout", cmd_logout },
	{ "doctor", cmd_doctor }, { "sign", cmd_sign },	      { "api", cmd_api },
	{ "proxy", cmd_proxy },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Global options before the command: --config FILE, --help, --version. */
static int global_opts(struct cli *cli, int argc, char **argv, int *i)
{
	for (*i = 1; *i < argc && argv[*i][0] == '-'; (*i)++) {
		const char *a = argv[*i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_usage(stdout, NULL);
			return 0;
		}
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("cobo-credential %s\n", PACKAGE_VERSION);
			return 0;
		}
		if (strcmp(a, "--config") == 0 && *i + 1 < argc) {
			cli->config = argv[++(*i)];
		} else if (strncmp(a, "--config=", 9) == 0) {
			cli->config = a + 9;
		} else {
			return cli_usage_error(NULL, "unknown option '%s'", a);
		}
	}
	return -1; /* go on to the command */
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct command *cmd;
	int i, r;

	cobocred_harden_process();
	r = global_opts(&cli, argc, argv, &i);
	if (r >= 0)
		return r;
	if (i >= argc)
		return cli_usage_error(NULL, "no command given");
	if (strcmp(argv[i], "help") == 0) {
		cli_usage(stdout, i + 1 < argc ? argv[i + 1] : NULL);
		return CLI_EX_OK;
	}
	cmd = find_command(argv[i]);
	if (cmd == NULL)
		return cli_usage_error(NULL, "unknown command '%s'", argv[i]);
	r = cmd->run(&cli, argc - i, argv + i);
	cli_close(&cli);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("cannot write to standard output");
		if (r == CLI_EX_OK)
			r = CLI_EX_IOERR;
	}
	return r;
}
