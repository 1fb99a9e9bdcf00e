/*
 * test_org_names.c - the user name picks an org, never a profile by name
 * (issue 27; SECURITY.md): security-orgs-names.sh's generated requests,
 * in-process through the helpers' own code (inproc.h), the real git
 * client asking through a recorder (clients.h).
 *
 * One host, many profiles: `any` (org_id = *), profiles named like org
 * ids that list other orgs (org-x: org-a; a UUID-named one: org-d;
 * gen-01..12: go-01..12 each), one named like an org it lists among
 * others (org-b: org-b, org-c) and one listing 40 orgs (many).  The file
 * store holds a distinct token for every (app, org) a mistake could
 * answer.  Generated user names (every profile name and listed org,
 * case-flipped, cut short, extended, unlisted ones) go through the git
 * helper's stdin, the real `git credential fill` (https://USER@HOST/ and
 * credential.https://HOST.username), the Docker helper (cobo://PROFILE/ORG)
 * and the CLI (--profile NAME [--org ORG]).  Each answer must be exactly
 * the token of the org the user name names, from the profile listing it,
 * else from `any`; never a profile's by name.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clients.h"
#include "cutest.h"
#include "test_org_names.h"

#define H "api.dev.cobo.com"

static struct inproc res; /* 16 KiB: not on the stack */
static unsigned n_judged;

/*
 * OUT holds WANT if any, and no other token of the store (a token is
 * looked for as a substring, as the script's case patterns did).
 */
static void judge(const char *desc, const char *out, const char *want)
{
	const char *bad = NULL, *other = NULL;
	size_t i;

	n_judged++;
	for (i = 0; i < on_n_tokens; i++)
		if (strstr(out, on_tokens[i]) != NULL && strcmp(on_tokens[i], want) != 0)
			bad = "ANOTHER TOKEN", other = on_tokens[i];
	if (bad == NULL && *want != '\0' && strstr(out, want) == NULL)
		bad = "no token";
	if (bad != NULL)
		fprintf(stderr, "\n  %s: %s %s (want %s)\n    out: %s\n", desc, bad,
			other != NULL ? other : "", *want != '\0' ? want : "none", out);
	CU_ASSERT(bad == NULL);
}

/* Generated user names: every profile name and listed org, and near misses. */
static size_t variants(char (*out)[96], size_t max)
{
	static const char *const fixed[] = { "org-z", "org-q", "*", "org-x,org-a" };
	static const char *const orgs[] = { "org-a", "org-c", "org-d", "m-01",
					    "m-17",  "m-40",  "go-01", "go-12" };
	const char *names[ON_MAX_PROFILES + 8];
	size_t n = 0, i, k, nn = 0;

	for (i = 0; i < 4 && n < max; i++)
		inproc_fmt(out[n++], 96, "%s", fixed[i]);
	for (i = 0; i < on_n_profiles; i++)
		names[nn++] = on_profiles[i].name;
	for (i = 0; i < 8; i++)
		names[nn++] = orgs[i];
	for (i = 0; i < nn && n + 4 <= max; i++) {
		size_t len = strlen(names[i]);

		inproc_fmt(out[n++], 96, "%s", names[i]);
		inproc_fmt(out[n], 96, "%s", names[i]);
		for (k = 0; out[n][k] != '\0'; k++)
			out[n][k] = (char)toupper((unsigned char)out[n][k]);
		n++;
		inproc_fmt(out[n++], 96, "%.*s", (int)(len - 1), names[i]);
		inproc_fmt(out[n++], 96, "%sx", names[i]);
	}
	return n;
}

/* The value of git's KEY= line in out, or "". */
static const char *field(const char *out, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p = out;

	buf[0] = '\0';
	while (*p != '\0') {
		size_t n = strcspn(p, "\n");

		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			inproc_fmt(buf, len, "%.*s", (int)(n - klen - 1), p + klen + 1);
			break;
		}
		p += n + (p[n] == '\n');
	}
	return buf;
}

static void test_git_stdin(void)
{
	static char users[256][96];
	size_t n = variants(users, 256), i;
	char req[256], desc[256], want[128], both[2 * INPROC_MAX + 2], user[128];

	for (i = 0; i < n; i++) {
		int len = snprintf(req, sizeof(req), "protocol=https\nhost=" H "\nusername=%s\n\n",
				   users[i]);

		on_served(users[i], want, sizeof(want));
		inproc_git_n("get", req, (size_t)len, &res);
		inproc_fmt(both, sizeof(both), "%s\n%s", res.out, res.err);
		inproc_fmt(desc, sizeof(desc), "helper: https://%s@" H, users[i]);
		judge(desc, both, want);
		if (*want != '\0')
			CU_ASSERT_STRING_EQUAL(field(res.out, "username", user, sizeof(user)),
					       users[i]);
	}
}

static void test_git_client(void)
{
	static const char *const users[] = { "org-x",  "org-a", "org-b", "org-c", ON_UUID, "org-d",
					     "gen-07", "go-07", "many",	 "m-17",  "org-q" };
	char url[256], cfg[256], desc[256], want[128], both[2 * INPROC_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		on_served(users[i], want, sizeof(want));
		inproc_fmt(url, sizeof(url), "https://%s@" H "/repo.git", users[i]);
		if (clients_git(url, NULL, &res) != 0)
			res.out[0] = res.err[0] = '\0';
		inproc_fmt(both, sizeof(both), "%s%s", res.out, res.err);
		inproc_fmt(desc, sizeof(desc), "git: https://%s@" H "/", users[i]);
		judge(desc, both, want);
		inproc_fmt(cfg, sizeof(cfg), "credential.https://" H ".username=%s", users[i]);
		if (clients_git("https://" H "/repo.git", cfg, &res) != 0)
			res.out[0] = res.err[0] = '\0';
		inproc_fmt(both, sizeof(both), "%s\n%s", res.out, res.err);
		inproc_fmt(desc, sizeof(desc), "git: %s", cfg);
		judge(desc, both, want);
	}
}

/* cobo://PROFILE/ORG for each profile's name and each org it lists. */
static void test_docker(void)
{
	static char users[ON_MAX_ORGS + 1][64];
	char in[256], want[128], desc[300], both[2 * INPROC_MAX + 2];
	size_t i, j, n;

	for (i = 0; i < on_n_profiles; i++) {
		const struct on_profile *p = &on_profiles[i];

		inproc_fmt(users[0], sizeof(users[0]), "%s", p->name);
		n = 1 + on_split(p->orgs, users + 1, ON_MAX_ORGS);
		for (j = 0; j < n; j++) {
			const char *org = strcmp(users[j], "*") == 0 ? "org-z" : users[j];
			int len = snprintf(in, sizeof(in), "cobo://%s/%s", p->name, org);

			want[0] = '\0';
			if (on_lists(p, org))
				on_token(p->cid, org, want, sizeof(want));
			inproc_docker_get(in, (size_t)len, &res);
			inproc_fmt(both, sizeof(both), "%s%s", res.out, res.err);
			inproc_fmt(desc, sizeof(desc), "docker: %s", in);
			judge(desc, both, want);
		}
	}
}

static void cli_token(const char *profile, const char *org)
{
	char *argv[] = { "token", "--profile", (char *)profile, "--org", (char *)org, NULL };

	inproc_cli(org != NULL ? 5 : 3, argv, &res);
}

/* --profile NAME still names a profile; --org an org it serves. */
static void test_cli(void)
{
	static const char *const names[] = { "org-x", "gen-03", ON_UUID };
	char want[128], desc[256], both[2 * INPROC_MAX + 2];
	size_t i;

	for (i = 0; i < 3; i++) {
		const struct on_profile *p = on_profile_named(names[i]);

		on_token(p->cid, p->orgs, want, sizeof(want));
		cli_token(p->name, NULL);
		inproc_fmt(both, sizeof(both), "%s\n%s", res.out, res.err);
		inproc_fmt(desc, sizeof(desc), "cli: token --profile %s", p->name);
		judge(desc, both, want);
		cli_token(p->name, p->name);
		inproc_fmt(both, sizeof(both), "%s\n%s", res.out, res.err);
		inproc_fmt(desc, sizeof(desc), "cli: token --profile %s --org %s", p->name,
			   p->name);
		judge(desc, both, "");
		CU_ASSERT(res.rc != 0);
	}
	on_token("cid-any", "org-x", want, sizeof(want));
	cli_token("any", "org-x");
	inproc_fmt(both, sizeof(both), "%s\n%s", res.out, res.err);
	judge("cli: token --profile any --org org-x", both, want);
}

static void test_count(void)
{
	printf("\n# %u requests judged\n", n_judged);
	CU_ASSERT(n_judged > 150);
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "the git helper's stdin: every generated user name", test_git_stdin },
		{ "the real git client: https://USER@HOST/ and credential.HOST.username",
		  test_git_client },
		{ "Docker: cobo://PROFILE/ORG for every profile and org", test_docker },
		{ "the CLI: --profile NAME, --org ORG", test_cli },
		{ "generated requests judged", test_count },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = {
		{ "the user name picks an org, never a profile by name", cases },
		{ NULL, NULL },
	};

	static const char *const clients[] = { "git", NULL };

	clients_require(clients);
	on_setup(cutest_tmpdir());
	clients_init(cutest_tmpdir());
	return cutest_run(suites);
}
