/*
 * test_spellings.c - a Cobo token goes only to its own https origin (issue
 * 11: "one origin rule, in the core, used by every front-end"; SECURITY.md).
 *
 * One profile, base_url https://api.dev.cobo.com/v2, whose access token is
 * already cached in the file store (nothing here touches the network).
 * Then many generated spellings of that origin - every URL delimiter raw
 * and percent-encoded, userinfo, schemes, ports, case, trailing dot, IDN
 * look-alikes, IPv4 notations, CR/LF/NUL - through the real git client
 * and the real docker CLI where they carry the input (clients.h:
 * what they ask is answered by the helper's code in-process), and on the
 * helpers' stdin where they do not.  Each verdict:
 *   token     the token is answered (positive controls: the real origin)
 *   refused   no token; exactly one line saying "refusing ..."
 *   near      no token; exactly one line: not sending it to another scheme/port
 *   other     no token (another host, or a username that is not the org)
 * and the token never appears on stdout or stderr of anything else.
 * security-origin.sh runs a few of each through the real helper binaries.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cutest.h"
#include "test_spellings.h"

#define H "api.dev.cobo.com"
#define ORG "org-sec-origin"

static const char *const verdict_name[N_VERDICTS] = { "token", "refused", "near", "other" };
static unsigned counts[N_VERDICTS];
static char token[64];
static char store[600];
static struct inproc res; /* 16 KiB: not on the stack */

static unsigned nonblank_lines(const char *s)
{
	unsigned n = 0;

	while (*s != '\0') {
		size_t len = strcspn(s, "\n");

		n += len > 0;
		s += len + (s[len] == '\n');
	}
	return n;
}

/* msg: what the helper said on its message channel (git: stderr; Docker:
 * stdout when it failed, and stderr). */
static void judge(enum verdict k, const char *desc, const char *out, const char *msg)
{
	unsigned lines = nonblank_lines(msg);
	const char *bad = NULL;

	counts[k]++;
	if (k == TOKEN && strstr(out, token) == NULL)
		bad = "no token answered";
	if (k == REFUSED && (lines != 1 || (strstr(msg, "refusing") == NULL &&
					    strstr(msg, "NUL character") == NULL)))
		bad = "wanted one 'refusing' line";
	if (k == NEAR &&
	    (lines != 1 || strstr(msg, "not sending the token of Cobo profile 'dev'") == NULL))
		bad = "wanted one 'not sending the token' line";
	if (k != TOKEN && (strstr(out, token) != NULL || strstr(msg, token) != NULL))
		bad = "THE TOKEN WAS ANSWERED";
	if (bad != NULL)
		fprintf(stderr, "\n  %s: %s (%s)\n    out: %s\n    msg: %s\n", verdict_name[k],
			desc, bad, out, msg);
	CU_ASSERT(bad == NULL);
}

/* The helper's lines in git's stderr: those it wrote itself. */
static void git_lines(const char *err, char *msg, size_t len)
{
	static const char prefix[] = "git-credential-cobo: ";
	size_t w = 0;

	msg[0] = '\0';
	while (*err != '\0') {
		size_t n = strcspn(err, "\n");

		if (strncmp(err, prefix, sizeof(prefix) - 1) == 0 && w + n + 2 < len) {
			memcpy(msg + w, err, n);
			w += n;
			msg[w++] = '\n';
			msg[w] = '\0';
		}
		err += n + (err[n] == '\n');
	}
	if (w > 0)
		msg[w - 1] = '\0';
}

/* `git credential fill` with url=URL. */
void origin_git_url(enum verdict k, const char *url)
{
	char desc[600], msg[INPROC_MAX];

	inproc_fmt(desc, sizeof(desc), "git credential fill url=%s", url);
	/* A URL with a password git answers itself: no helper, no token, no line. */
	if (clients_git(url, NULL, &res) != 0)
		res.out[0] = res.err[0] = '\0';
	git_lines(res.err, msg, sizeof(msg));
	judge(k, desc, res.out, msg);
}

/* The git helper alone, len bytes of request. */
void origin_git_req(enum verdict k, const char *desc, const char *req, size_t len)
{
	char d[600];

	inproc_fmt(d, sizeof(d), "helper get: %s", desc);
	inproc_git_n("get", req, len, &res);
	judge(k, d, res.out, res.err);
}

/* The Docker helper's message channel: stdout when it failed (bar "not found"), then stderr. */
static void docker_msg(char *msg, size_t len)
{
	int failed = res.rc != 0 &&
		     strcmp(res.out, "credentials not found in native keychain") != 0;

	inproc_fmt(msg, len, "%s%s%s", failed ? res.out : "", failed ? "\n" : "", res.err);
}

void origin_docker_cli(enum verdict k, const char *server)
{
	char desc[600], msg[2 * INPROC_MAX + 2];

	inproc_fmt(desc, sizeof(desc), "docker login '%s'", server);
	if (clients_docker(server, &res) != 0) {
		fprintf(stderr, "\n  %s: the helper was never asked\n", desc);
		CU_FAIL("docker never asked the helper");
		return;
	}
	docker_msg(msg, sizeof(msg));
	judge(k, desc, res.out, msg);
}

void origin_docker_in(enum verdict k, const char *desc, const char *in, size_t len)
{
	char d[600], msg[2 * INPROC_MAX + 2];

	inproc_docker_get(in, len, &res);
	inproc_fmt(d, sizeof(d), "docker-credential-cobo get: %s (exit %d)", desc, res.rc);
	docker_msg(msg, sizeof(msg));
	judge(k, d, res.out, msg);
	if (k != TOKEN && res.rc != 1)
		fprintf(stderr, "\n  %s: exit %d, not 1\n", d, res.rc);
	CU_ASSERT(k == TOKEN || res.rc == 1);
}

static void test_counts(void)
{
	printf("\nvariants: %u refused, %u near misses, %u other hosts, %u positive controls\n",
	       counts[REFUSED], counts[NEAR], counts[OTHER], counts[TOKEN]);
	CU_ASSERT(counts[REFUSED] >= 150 && counts[NEAR] >= 20 && counts[OTHER] >= 15 &&
		  counts[TOKEN] >= 15);
	/* the store still holds only the seeded item */
	CU_ASSERT_PTR_NOT_NULL(strstr(cutest_read_file(store), "\nitem\n"));
	CU_ASSERT_PTR_NULL(strstr(strstr(cutest_read_file(store), "\nitem\n") + 1, "\nitem\n"));
}

/* The cached access token of profile 'dev', fresh for ten years, and the config. */
static void setup(void)
{
	const char *tmp = cutest_tmpdir();
	char conf[700], dir[700], text[2048];
	long long now = (long long)time(NULL);
	unsigned char b[8];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i;

	if (f == NULL || fread(b, 1, sizeof(b), f) != sizeof(b)) {
		perror("/dev/urandom");
		exit(99);
	}
	fclose(f);
	i = (size_t)snprintf(token, sizeof(token), "AT_SecOrigin_");
	for (size_t j = 0; j < sizeof(b); j++)
		inproc_fmt(token + i + 2 * j, 3, "%02x", b[j]);
	inproc_fmt(store, sizeof(store), "%s/store", tmp);
	inproc_fmt(text, sizeof(text),
		   "cobo-credential-store 1\nitem\nschema com.cobo.credential.Token\n"
		   "label Cobo-origin-test\nattr base_url https://" H "/v2\n"
		   "attr client_id cid-sec-origin\nattr org_id " ORG "\nattr kind access\n"
		   "secret %s\ncreated %lld\nexpires %lld\nend\n",
		   token, now, now + 10LL * 365 * 86400);
	cutest_write(store, text, 0600);
	inproc_fmt(dir, sizeof(dir), "%s/cobo-credential", getenv("XDG_CONFIG_HOME"));
	(void)mkdir(getenv("XDG_CONFIG_HOME"), 0700);
	(void)mkdir(dir, 0700);
	inproc_fmt(conf, sizeof(conf), "%s/config", dir);
	inproc_fmt(text, sizeof(text),
		   "[stack]\nget   = file\nstore = file\nerase = file\nlist  = file\n"
		   "[module file]\npath = %s\n"
		   "[profile dev]\nbase_url = https://" H "/v2\nclient_id = cid-sec-origin\n"
		   "org_id = " ORG "\n",
		   store);
	cutest_write(conf, text, 0600);
	setenv("COBO_CREDENTIAL_CONFIG", conf, 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	clients_init(tmp);
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "git: the real client", test_git_client },
		{ "git: the helper's stdin", test_git_stdin },
		{ "docker: the real CLI", test_docker_client },
		{ "docker: the helper's stdin", test_docker_stdin },
		{ "every verdict exercised; the store untouched", test_counts },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = {
		{ "a Cobo token goes only to its own https origin", cases },
		{ NULL, NULL },
	};

	static const char *const clients[] = { "git", "docker", NULL };

	clients_require(clients);
	setup();
	return cutest_run(suites);
}
