/*
 * cli.h - cobo-credential, the command line: shared state, exit codes and
 * the subcommands.
 *
 * Each subcommand is one cmd_*.c file with one entry point taking the
 * arguments after its name.  Commands return an exit code (CLI_EX_*),
 * never call exit() themselves, and print one-line errors through
 * cli_err(): "cobo-credential: what went wrong; what to do".
 */
#ifndef COBOCRED_CLI_H
#define COBOCRED_CLI_H

#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

#include "cobocred.h"

/*
 * Exit codes, sysexits(3)-style.  They are documented in cobo-credential(1)
 * and in the usage text; scripts rely on them, so never renumber.
 */
enum cli_exit {
	CLI_EX_OK = 0,
	CLI_EX_CHECKS = 1,     /* doctor: at least one check failed */
	CLI_EX_USAGE = 64,     /* EX_USAGE: bad command line */
	CLI_EX_DATAERR = 65,   /* EX_DATAERR: a value cannot be written safely */
	CLI_EX_NOTFOUND = 66,  /* EX_NOINPUT: no such profile, key or token */
	CLI_EX_INTERNAL = 70,  /* EX_SOFTWARE: internal error, out of memory */
	CLI_EX_IOERR = 74,     /* EX_IOERR: cannot write a file or stdout */
	CLI_EX_TRANSIENT = 75, /* EX_TEMPFAIL: retry later (network, locked keyring) */
	CLI_EX_DENIED = 77,    /* EX_NOPERM: the server refused; re-authorise */
	CLI_EX_CONFIG = 78,    /* EX_CONFIG: configuration error */
};

/* Process-wide state of one invocation. */
struct cli {
	const char *config;	  /* --config FILE; NULL: the search order */
	struct cobocred_ctx *ctx; /* opened by cli_open(); owned */
};

/* Opens cli->ctx.  Returns CLI_EX_OK, or prints the error and returns the exit code. */
int cli_open(struct cli *cli);
/* Closes cli->ctx (e.g. to reopen after rewriting the config). */
void cli_close(struct cli *cli);

/* "cobo-credential: MESSAGE" on stderr. */
void cli_err(const char *fmt, ...) COBOCRED_PRINTF(1, 2);
/* Prints "cobo-credential: MESSAGE" on stderr, control characters as '?'. */
void cli_vline(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* The exit code for a core status (UNAVAIL and TRYAGAIN are transient). */
int cli_exit_code(int status);
/* Prints the core's last error and returns cli_exit_code(status). */
int cli_fail(struct cli *cli, int status);

/*
 * The profile a command acts on: name if given, else $COBO_CREDENTIAL_PROFILE,
 * else the only profile.  CLI_EX_OK with *out set (owned by the context),
 * or an error printed and its exit code.
 */
int cli_pick_profile(struct cli *cli, const char *name, const char **out);

/* 1 if prompting is allowed: COBO_CREDENTIAL_INTERACTIVE=always, or stdin is a terminal
 * and it is not never|no|0. */
int cli_interactive(void);

/* Subcommands: argv[0] is the subcommand name. */
int cmd_setup(struct cli *cli, int argc, char **argv);
int cmd_profile(struct cli *cli, int argc, char **argv);
int cmd_key(struct cli *cli, int argc, char **argv);
int cmd_sign(struct cli *cli, int argc, char **argv);
int cmd_api(struct cli *cli, int argc, char **argv);
int cmd_token(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_logout(struct cli *cli, int argc, char **argv);
int cmd_doctor(struct cli *cli, int argc, char **argv);
int cmd_proxy(struct cli *cli, int argc, char **argv);

/* usage.c: help texts.  name NULL: the overview. */
void cli_usage(FILE *f, const char *name);
/*
 * common.c: prints the message (if any) and "try 'cobo-credential CMD
 * --help'"; returns CLI_EX_USAGE.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...) COBOCRED_PRINTF(2, 3);

/*
 * usage.c: options every subcommand accepts: --config FILE and --help.  Subcommands
 * put CLI_COMMON_LONGOPTS in their getopt_long tables and pass unknown
 * option characters to cli_common_opt().
 */
#define CLI_OPT_CONFIG 0x1000
#define CLI_OPT_HELP 'h'
#define CLI_COMMON_LONGOPTS                                    \
	{ "config", required_argument, NULL, CLI_OPT_CONFIG }, \
	{                                                      \
		"help", no_argument, NULL, CLI_OPT_HELP        \
	}
/*
 * Handles a common option c.  Returns -1 when c is not common, CLI_EX_OK
 * when handled (*done set when the command must stop: help printed), or a
 * usage error.
 */
int cli_common_opt(struct cli *cli, const char *cmd, int c, int *done);

#endif
