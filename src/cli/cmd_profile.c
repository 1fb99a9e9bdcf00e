/*
 * cmd_profile.c - 'cobo-credential profile list|show|remove'.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "confedit.h"
#include "logout.h"

static int list(struct cli *cli)
{
	size_t i, n = cobocred_profile_count(cli->ctx), w = 4;

	if (n == 0) {
		fprintf(stderr, "no profiles; create one with 'cobo-credential setup'\n");
		return CLI_EX_OK;
	}
	for (i = 0; i < n; i++)
		if (strlen(cobocred_profile_name(cli->ctx, i)) > w)
			w = strlen(cobocred_profile_name(cli->ctx, i));
	for (i = 0; i < n; i++) {
		const char *p = cobocred_profile_name(cli->ctx, i);

		printf("%-*s  %s  org %s\n", (int)w, p,
		       cobocred_profile_get(cli->ctx, p, "base_url"),
		       cobocred_profile_get(cli->ctx, p, "org_id"));
	}
	return CLI_EX_OK;
}

/* The settings in the order of the settings table of the module that reads them (cobo-oauth). */
static int show(struct cli *cli, const char *name)
{
	const struct cobocred_setting *t = NULL;
	const char *p;
	int r = cli_pick_profile(cli, name, &p), st;

	if (r != CLI_EX_OK)
		return r;
	st = cobocred_schema_settings(cli->ctx, COBOCRED_SCHEMA_COBO, &t);
	if (st != COBOCRED_SUCCESS) {
		cli_err("%s", cobocred_error(cli->ctx));
		return st == COBOCRED_ERROR ? CLI_EX_CONFIG : cli_exit_code(st);
	}
	printf("# from %s\n[profile %s]\n", cobocred_config_path(cli->ctx), p);
	for (; t != NULL && t->name != NULL; t++) {
		const char *v = cobocred_profile_get(cli->ctx, p, t->name);

		/* A pkcs11: URI may carry pin-value= in its query: never printed. */
		if (v != NULL && (t->flags & COBOCRED_SETTING_SECRET_REF) &&
		    strstr(v, "pin-value=") != NULL)
			printf("%-15s = %.*s?... (its query holds a PIN: not shown)\n", t->name,
			       (int)strcspn(v, "?"), v);
		else if (v != NULL)
			printf("%-15s = %s\n", t->name, v);
	}
	return CLI_EX_OK;
}

static int remove_profile(struct cli *cli, const char *name, int forget)
{
	struct cobocred_sbuf out = { 0 };
	char path[4096], *text = NULL;
	const char *p;
	int r = cli_pick_profile(cli, name, &p);

	if (r != CLI_EX_OK)
		return r;
	/* Copy: p and the path belong to the context, which the edit outlives. */
	snprintf(path, sizeof(path), "%s", cobocred_config_path(cli->ctx));
	r = cli_logout_profile(cli, p, NULL, forget);
	if (r != CLI_EX_OK)
		return r;
	if ((r = cli_conf_load_text(cli, path, &text)) != CLI_EX_OK)
		return r;
	if (cli_conf_remove_profile(text, p, &out) != 0) {
		cli_err("cannot find [profile %s] in %s to remove it; edit the file", p, path);
		r = CLI_EX_CONFIG;
	} else if ((r = cli_conf_save(path, cobocred_sbuf_str(&out))) == CLI_EX_OK) {
		printf("%s: removed from %s\n", p, path);
	}
	free(text);
	cobocred_sbuf_free(&out);
	return r;
}

int cmd_profile(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "forget-key", no_argument, NULL, 'k' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *verb;
	int c, forget = 0, done = 0, r, nargs;

	optind = 0;
	/* Permuting: 'profile remove NAME --forget-key' reads naturally. */
	while ((c = getopt_long(argc, argv, "kh", longopts, NULL)) != -1) {
		if (c == 'k') {
			forget = 1;
		} else {
			r = cli_common_opt(cli, "profile", c, &done);
			if (r != CLI_EX_OK || done)
				return r < 0 ? CLI_EX_USAGE : r;
		}
	}
	if (optind >= argc)
		return cli_usage_error("profile", "say list, show NAME or remove NAME");
	verb = argv[optind];
	nargs = argc - optind - 1;
	if (strcmp(verb, "list") != 0 && strcmp(verb, "show") != 0 && strcmp(verb, "remove") != 0)
		return cli_usage_error("profile", "unknown subcommand '%s'", verb);
	if (nargs > 1 || (nargs == 0 && strcmp(verb, "remove") == 0) ||
	    (nargs == 1 && strcmp(verb, "list") == 0))
		return cli_usage_error("profile", "wrong number of arguments for '%s'", verb);
	if (forget && strcmp(verb, "remove") != 0)
		return cli_usage_error("profile", "--forget-key goes with remove");
	if ((r = cli_open(cli)) != CLI_EX_OK)
		return r;
	if (strcmp(verb, "list") == 0)
		return list(cli);
	if (strcmp(verb, "show") == 0)
		return show(cli, nargs ? argv[optind + 1] : NULL);
	return remove_profile(cli, argv[optind + 1], forget);
}
