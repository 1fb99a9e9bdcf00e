/*
 * cmd_doctor.c - 'cobo-credential doctor': a checklist of everything a
 * token depends on, each failure with the fix.  Exit 1 if any check fails.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "appsecret.h"
#include "cli.h"
#include "doctor.h"
#include "fsutil.h"
#include "orgset.h"
#include "secretref.h"
#include "strutil.h"
#include "tokens.h"

#define CLOCK_MIN 1704067200LL /* 2024-01-01: earlier means the clock is wrong */
#define CLOCK_MAX 4102444800LL /* 2100-01-01 */

enum { DOC_OK = DOCTOR_OK, DOC_WARN = DOCTOR_WARN, DOC_FAIL = DOCTOR_FAIL };

struct doctor {
	struct cli *cli;
	int fails;
	int warns;
	int keyring_needed; /* some profile keeps its app secret in the store stack */
	int instances;	    /* module instances on the [stack] lines */
	int kernel_used;    /* a kernel instance is on a [stack] line */
};

static void report(struct doctor *d, int level, const char *fix, const char *fmt, ...)
	COBOCRED_PRINTF(4, 5);
static void report(struct doctor *d, int level, const char *fix, const char *fmt, ...)
{
	static const char *const tags[] = { "[ok]  ", "[warn]", "[FAIL]" };
	va_list ap;

	printf("%s ", tags[level]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (fix != NULL && level != DOC_OK)
		printf("       fix: %s\n", fix);
	d->fails += level == DOC_FAIL;
	d->warns += level == DOC_WARN;
}

static void report_va(void *arg, int level, const char *fix, const char *fmt, ...)
	COBOCRED_PRINTF(4, 5);
static void report_va(void *arg, int level, const char *fix, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	report(arg, level, fix, "%s", line);
}

/* The kernel tier: only when a [stack] line names a kernel instance. */
static void check_kernel(struct doctor *d)
{
	struct doctor_report r = { report_va, d };

	if (d->kernel_used)
		doctor_check_kernel(&r);
}

static void check_clock(struct doctor *d)
{
	const char *off = getenv("COBO_CREDENTIAL_NOW_OFFSET");
	int64_t now = (int64_t)time(NULL);
	char t[32];

	cobocred_rfc3339(now, t, sizeof(t));
	if (now < CLOCK_MIN || now > CLOCK_MAX)
		report(d, DOC_FAIL,
		       "set the clock and keep it synchronised: timedatectl set-ntp true",
		       "clock: the system time is %s; Cobo refuses requests signed that far off",
		       t);
	else
		report(d, DOC_OK, NULL, "clock: %s (Cobo accepts a few minutes of skew)", t);
	if (off != NULL && *off != '\0' && strcmp(off, "0") != 0)
		report(d, DOC_WARN, "unset COBO_CREDENTIAL_NOW_OFFSET (it is for tests)",
		       "clock: COBO_CREDENTIAL_NOW_OFFSET=%.20s shifts token times", off);
}

/*
 * Profile keys are judged by the module that reads them (cobo-oauth's
 * settings table), which the core consults as it loads that module.
 */
static void check_settings(struct doctor *d)
{
	const struct cobocred_setting *t = NULL;
	int st;

	if (cobocred_profile_count(d->cli->ctx) == 0)
		return;
	st = cobocred_schema_settings(d->cli->ctx, COBOCRED_SCHEMA_COBO, &t);
	if (st == COBOCRED_ERROR)
		report(d, DOC_FAIL,
		       "edit the file at the line named (or check its owner and "
		       "mode), then run doctor again",
		       "config: %s", cobocred_error(d->cli->ctx));
	else if (st == COBOCRED_SUCCESS)
		report(d, DOC_OK, NULL,
		       "profiles: every setting known to the module that reads it");
}

static const char keyring_fix[] =
	"run inside a desktop session (a D-Bus session bus with a Secret Service such as "
	"gnome-keyring), or on a headless machine keep the key in a file: "
	"cobo-credential key import --key-store file --profile PROFILE KEYFILE";

static void probe_fn(void *arg, const char *op, const char *instance, int status, const char *msg)
{
	struct doctor *d = arg;

	d->instances++;
	d->kernel_used |= strcmp(instance, "kernel") == 0;
	if (status == COBOCRED_SUCCESS)
		report(d, DOC_OK, NULL, "module %s: loaded (first used by '%s')", instance, op);
	else if (strcmp(instance, "keyring") == 0)
		report(d, d->keyring_needed ? DOC_FAIL : DOC_WARN, keyring_fix,
		       "keyring: unreachable: %s", msg);
	else if (status == COBOCRED_UNAVAIL)
		report(d, DOC_WARN, "nothing to do if this machine is not meant to use it",
		       "module %s: unavailable here: %s", instance, msg);
	else
		report(d, DOC_FAIL,
		       "install the module, fix its name on the [stack] line, or mark "
		       "it optional with a leading '-'",
		       "module %s: %s", instance, msg);
}

static void check_modules(struct doctor *d)
{
	size_t i;

	for (i = 0; i < cobocred_profile_count(d->cli->ctx); i++) {
		const char *s = cobocred_profile_get(d->cli->ctx,
						     cobocred_profile_name(d->cli->ctx, i),
						     "app_secret");

		if (s == NULL || strcmp(s, "keyring") == 0)
			d->keyring_needed = 1;
	}
	cobocred_stack_probe(d->cli->ctx, probe_fn, d);
	if (d->instances == 0)
		report(d, DOC_FAIL,
		       "add a [stack] section (see cobo-credential.conf(5)) or delete "
		       "the file to use the built-in default",
		       "stack: no modules configured");
}

/* A file: key must be private before anything reads it (ssh's rule). */
static int check_key_file(struct doctor *d, const char *p, const char *path)
{
	char full[4096], err[COBOCRED_TRUST_ERR_MAX], fix[4200];
	struct stat st;

	/* path: resolved by the secret-reference parser; its directories checked as
	 * cobo-oauth checks them before it signs. */
	if (cobocred_trusted_path(cobocred_config_path(d->cli->ctx), path, full, sizeof(full), err,
				  sizeof(err)) != 0) {
		report(d, DOC_FAIL, "fix app_secret in the config, or the directories named",
		       "%s: key file: %s", p, err);
		return -1;
	}
	if (stat(full, &st) != 0) {
		snprintf(fix, sizeof(fix),
			 "cobo-credential key import --profile %s --key-store file "
			 "KEYFILE (or fix app_secret in the config)",
			 p);
		report(d, DOC_FAIL, fix, "%s: key file %s does not exist", p, full);
		return -1;
	}
	if (cobocred_check_perms(full, &st, COBOCRED_FILE_PRIVATE, err, sizeof(err)) != 0) {
		snprintf(fix, sizeof(fix), "chmod 600 %s (and chown it to yourself)", full);
		report(d, DOC_FAIL, fix, "%s: key file: %s", p, err);
		return -1;
	}
	return 0;
}

/*
 * The fix for a key in a PKCS#11 token, by what cobo-oauth's line names:
 * the module, the token, the key or the PIN (it reaches the token; this
 * process never loads a PKCS#11 module itself).
 */
static void pkcs11_fix(int st, const char *msg, const char *p, char *fix, size_t len)
{
	if (strstr(msg, "PKCS#11 module") != NULL || strstr(msg, "registered with p11-kit"))
		snprintf(fix, len,
			 "install the token's PKCS#11 module, or point module-path= in the URI at "
			 "it (p11-kit list-modules shows the registered ones)");
	else if (strstr(msg, "no token matches") != NULL)
		snprintf(fix, len,
			 "insert the token, or fix token= in the URI (pkcs11-tool "
			 "--list-token-slots shows the labels)");
	else if (strstr(msg, "PIN") != NULL)
		snprintf(fix, len,
			 "fix the PIN source: pin-source=file:PATH (a 0600 file), pin-value= in a "
			 "0600 config, or the keyring item pkcs11_token=LABEL");
	else if (st == COBOCRED_UNAVAIL)
		snprintf(fix, len,
			 "make the key in the token: cobo-credential key generate --pkcs11 URI "
			 "--profile %s",
			 p);
	else
		snprintf(fix, len,
			 "name exactly one Ed25519 private key in app_secret of [profile %s]", p);
}

/*
 * How much of app_secret to show: all of it, but of a pkcs11: URI only its
 * path (which token, which key), never its query: pin-value= may be there.
 */
static int shown_len(const struct cobocred_secret_ref *ref, const char *spec)
{
	if (spec == NULL)
		return (int)strlen("keyring");
	if (ref->kind == COBOCRED_REF_PKCS11)
		return (int)strcspn(spec, "?");
	return (int)strlen(spec);
}

static int check_secret(struct doctor *d, const char *p)
{
	const char *spec = cobocred_profile_get(d->cli->ctx, p, "app_secret");
	char err[1024], fix[300], pub[CLI_PUB_TEXT];
	struct cobocred_secret_ref ref;
	int st;

	/* Read as cobo-oauth reads it (secretref.h): one parser, one answer. */
	if (cobocred_secret_ref_parse(spec != NULL ? spec : "keyring",
				      COBOCRED_REF_ALLOW_KEYRING | COBOCRED_REF_ALLOW_PKCS11,
				      cobocred_config_path(d->cli->ctx), &ref, err,
				      sizeof(err)) != 0) {
		snprintf(fix, sizeof(fix), "fix app_secret in [profile %s] of the config", p);
		report(d, DOC_FAIL, fix, "%s: app_secret: %s", p, err);
		return -1;
	}
	if (ref.kind == COBOCRED_REF_FILE && check_key_file(d, p, ref.path) != 0)
		return -1;
	/* Read as cobo-oauth reads it to sign; the CLI never parses the key itself. */
	st = cobocred_key_public(d->cli->ctx, COBOCRED_SCHEMA_COBO, p, pub, sizeof(pub));
	snprintf(err, sizeof(err), "%s", cobocred_error(d->cli->ctx));
	if (st == COBOCRED_SUCCESS) {
		report(d, DOC_OK, NULL, "%s: app secret (%.*s) readable; public key %s", p,
		       shown_len(&ref, spec), spec != NULL ? spec : "keyring", pub);
		return 0;
	}
	if (ref.kind == COBOCRED_REF_PKCS11)
		pkcs11_fix(st, err, p, fix, sizeof(fix));
	else if (st == COBOCRED_TRYAGAIN)
		snprintf(fix, sizeof(fix),
			 "unlock the login keyring (Seahorse, or log in to the "
			 "desktop), then retry");
	else if (st == COBOCRED_UNAVAIL)
		snprintf(fix, sizeof(fix), "%s", keyring_fix);
	else
		snprintf(fix, sizeof(fix),
			 "store the key: cobo-credential key import --profile %s "
			 "KEYFILE",
			 p);
	report(d, DOC_FAIL, fix, "%s: app secret: %s", p, err);
	return -1;
}

/* The fix for a failed round trip, from its status and message. */
static void round_trip_fix(int st, const char *msg, const char *p, char *fix, size_t len)
{
	if (strcasestr(msg, "signature") != NULL && strcasestr(msg, "response") != NULL)
		snprintf(fix, len,
			 "check server_key in [profile %s]: dev, sandbox, prod, or the "
			 "server's own 64-hex response key",
			 p);
	else if (strcasestr(msg, "nonce") != NULL || strcasestr(msg, "clock") != NULL)
		snprintf(fix, len, "synchronise the system clock (timedatectl set-ntp true)");
	else if (st == COBOCRED_DENIED)
		snprintf(fix, len,
			 "check client_id and org_id of [profile %s], that the app is "
			 "installed in the org, and that 'cobo-credential key public --profile %s' "
			 "is the key registered for the app",
			 p, p);
	else if (st == COBOCRED_TRYAGAIN || st == COBOCRED_UNAVAIL)
		snprintf(fix, len,
			 "check the network, base_url and ca_file of [profile %s], then "
			 "retry",
			 p);
	else
		snprintf(fix, len,
			 "see the message; COBO_CREDENTIAL_TRACE=1 cobo-credential token "
			 "--profile %s shows every step",
			 p);
}

static void check_round_trip_org(struct doctor *d, const char *p, const char *org, int multi)
{
	struct cobocred_item *it = NULL;
	char fix[600], t[32], who[200];
	int st;

	snprintf(who, sizeof(who), "%s%s%s", p, multi ? ": org " : "", multi ? org : "");
	/* Drop the cached access token so the answer must come from the server. */
	st = cli_cached_erase(d->cli, p, org, COBOCRED_KIND_ACCESS);
	if (st == COBOCRED_SUCCESS || st == COBOCRED_NOTFOUND)
		st = cobocred_token_get_org(d->cli->ctx, p, org, 0, &it);
	if (st != COBOCRED_SUCCESS) {
		round_trip_fix(st, cobocred_error(d->cli->ctx), p, fix, sizeof(fix));
		report(d, DOC_FAIL, fix, "%s: round trip to %s: %s", who,
		       cobocred_profile_get(d->cli->ctx, p, "base_url"),
		       cobocred_error(d->cli->ctx));
		return;
	}
	cobocred_rfc3339(it->expires_at, t, sizeof(t));
	report(d, DOC_OK, NULL,
	       "%s: round trip to %s: TLS and signatures verified, new token "
	       "valid until %s",
	       who, cobocred_profile_get(d->cli->ctx, p, "base_url"), t);
	cobocred_item_free(it);
}

/* A round trip for each org the profile lists; org_id = * names none to try. */
static void check_round_trip(struct doctor *d, const char *p)
{
	const char *setting = cobocred_profile_get(d->cli->ctx, p, "org_id"), *o;
	char org[COBOCRED_ORG_MAX + 1], fix[300];
	size_t i, len, n = cobocred_orgs_count(setting);

	if (cobocred_orgs_any(setting)) {
		snprintf(fix, sizeof(fix),
			 "try one org: cobo-credential token --profile %s --org ORG", p);
		report(d, DOC_WARN, fix, "%s: serves any org: no round trip (no org to try)", p);
		return;
	}
	for (i = 0; (o = cobocred_orgs_nth(setting, i, &len)) != NULL; i++) {
		snprintf(org, sizeof(org), "%.*s", (int)len, o);
		check_round_trip_org(d, p, org, n > 1);
	}
}

static int parse_opts(struct cli *cli, int argc, char **argv, const char **profile, int *offline,
		      int *done)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "offline", no_argument, NULL, 'o' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:oh", longopts, NULL)) != -1) {
		if (c == 'p') {
			*profile = optarg;
		} else if (c == 'o') {
			*offline = 1;
		} else {
			r = cli_common_opt(cli, "doctor", c, done);
			if (r != CLI_EX_OK || *done)
				return r < 0 ? CLI_EX_USAGE : r;
		}
	}
	if (optind < argc)
		return cli_usage_error("doctor", "unexpected argument '%s'", argv[optind]);
	return CLI_EX_OK;
}

static void check_profiles(struct doctor *d, const char *only, int offline)
{
	size_t i, n = cobocred_profile_count(d->cli->ctx);

	if (n == 0)
		report(d, DOC_WARN, "create one: cobo-credential setup",
		       "profiles: none configured");
	for (i = 0; i < n; i++) {
		const char *p = cobocred_profile_name(d->cli->ctx, i);

		if (only != NULL && strcmp(p, only) != 0)
			continue;
		if (check_secret(d, p) == 0 && !offline)
			check_round_trip(d, p);
	}
}

int cmd_doctor(struct cli *cli, int argc, char **argv)
{
	struct doctor d = { .cli = cli };
	const char *only = NULL, *path;
	int offline = 0, done = 0, r, st;

	if ((r = parse_opts(cli, argc, argv, &only, &offline, &done)) != CLI_EX_OK || done)
		return r;
	st = cobocred_ctx_new(cli->config, &cli->ctx);
	if (cli->ctx == NULL) {
		cli_err("out of memory");
		return CLI_EX_INTERNAL;
	}
	if (st != COBOCRED_SUCCESS) {
		report(&d, DOC_FAIL,
		       "edit the file at the line named (or check its owner and "
		       "mode), then run doctor again",
		       "config: %s", cobocred_error(cli->ctx));
		cli_close(cli);
	} else {
		path = cobocred_config_path(cli->ctx);
		report(&d, DOC_OK, NULL, "config: %s, %zu profile(s)",
		       path ? path : "built-in default (no config file)",
		       cobocred_profile_count(cli->ctx));
		if (only != NULL && (r = cli_pick_profile(cli, only, &only)) != CLI_EX_OK)
			return r;
		check_modules(&d);
		check_kernel(&d);
		check_settings(&d);
	}
	check_clock(&d);
	if (cli->ctx != NULL)
		check_profiles(&d, only, offline);
	if (d.fails)
		printf("%d check(s) failed, %d warning(s)\n", d.fails, d.warns);
	else
		printf("all checks passed (%d warning(s))\n", d.warns);
	return d.fails ? CLI_EX_CHECKS : CLI_EX_OK;
}
