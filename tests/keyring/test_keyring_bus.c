/*
 * test_keyring_bus.c - reaching the keyring without GLib's help: the bus
 * address probe against fake sockets, GError -> status mapping, options
 * and the interactive switch.  No daemon needed.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cobocred.h"
#include "cutest.h"
#include "../../plugins/keyring/keyring.h"

static struct cobocred_ctx *ctx;

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A listening unix socket at dir/name (backlog only: nobody accepts). */
static int listener(const char *name, char *path, size_t len)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(path, len, "%s/%s", cutest_tmpdir(), name);
	unlink(path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	CU_ASSERT_FATAL(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
			listen(fd, 4) == 0);
	return fd;
}

/* A child that accepts one connection, reads, answers reply, and exits. */
static pid_t responder(int lfd, const char *reply)
{
	pid_t pid = fork();

	if (pid == 0) {
		char buf[64];
		int c = accept(lfd, NULL, NULL);

		if (c >= 0 && read(c, buf, sizeof(buf)) > 0 && reply != NULL) {
			(void)!write(c, reply, strlen(reply));
			while (read(c, buf, sizeof(buf)) > 0) /* until the prober hangs up */
				;
		}
		_exit(0);
	}
	return pid;
}

static int probe(const char *addr, int ms)
{
	char err[512] = "";
	int r = kr_bus_probe(addr, ms, err, sizeof(err));

	CU_ASSERT(r == COBOCRED_SUCCESS || (err[0] != '\0' && strchr(err, '\n') == NULL));
	return r;
}

static void test_probe_no_address(void)
{
	char err[512];

	CU_ASSERT_EQUAL(kr_bus_probe(NULL, 100, err, sizeof(err)), COBOCRED_UNAVAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no D-Bus session bus"));
	CU_ASSERT_EQUAL(probe("", 100), COBOCRED_UNAVAIL);
	CU_ASSERT_EQUAL(probe("unix:path=/nonexistent/bus", 100), COBOCRED_UNAVAIL);
	CU_ASSERT_EQUAL(probe("autolaunch:", 100), COBOCRED_UNAVAIL);
	CU_ASSERT_EQUAL(probe("garbage", 100), COBOCRED_UNAVAIL);
	CU_ASSERT_EQUAL(probe("unix:tmpdir=/tmp", 100), COBOCRED_UNAVAIL);
}

static void test_probe_bus(void)
{
	char path[256], addr[400];
	int lfd = listener("bus", path, sizeof(path));
	pid_t pid = responder(lfd, "REJECTED EXTERNAL\r\n");

	snprintf(addr, sizeof(addr), "autolaunch:;unix:path=/nonexistent;unix:path=%s,guid=ab",
		 path);
	CU_ASSERT_EQUAL(probe(addr, 2000), COBOCRED_SUCCESS);
	waitpid(pid, NULL, 0);
	/* %-escapes in the path, as D-Bus addresses allow */
	pid = responder(lfd, "REJECTED EXTERNAL\r\n");
	snprintf(addr, sizeof(addr), "unix:path=%s%%2fbus", cutest_tmpdir());
	CU_ASSERT_EQUAL(probe(addr, 2000), COBOCRED_SUCCESS);
	waitpid(pid, NULL, 0);
	close(lfd);
}

static void test_probe_not_a_bus(void)
{
	char path[256], addr[400];
	int lfd = listener("notbus", path, sizeof(path));
	long long t0;
	pid_t pid = responder(lfd, "HTTP/1.0 400 Bad\r\n");

	snprintf(addr, sizeof(addr), "unix:path=%s", path);
	CU_ASSERT_EQUAL(probe(addr, 2000), COBOCRED_UNAVAIL);
	waitpid(pid, NULL, 0);
	/* a peer that closes at once */
	pid = responder(lfd, NULL);
	CU_ASSERT_EQUAL(probe(addr, 2000), COBOCRED_UNAVAIL);
	waitpid(pid, NULL, 0);
	/* a hung bus: accepted by the kernel, never answered: bounded by the
	 * deadline, and busy (TRYAGAIN), not absent: UNAVAIL would send a get on
	 * to mint as if nothing were cached (test_keyring_slowbus) */
	t0 = ms_now();
	CU_ASSERT_EQUAL(probe(addr, 300), COBOCRED_TRYAGAIN);
	CU_ASSERT(ms_now() - t0 < 1000);
	close(lfd);
}

static void test_probe_other_transports(void)
{
	/* left to GDBus (no X11 autolaunch is possible with an explicit address) */
	CU_ASSERT_EQUAL(probe("tcp:host=127.0.0.1,port=1", 100), COBOCRED_SUCCESS);
}

static int map(GQuark domain, int code, const char *msg)
{
	struct kr_state st = { .host = cobocred_ctx_host(ctx) };

	return kr_gerror(&st, "testing", g_error_new_literal(domain, code, msg));
}

/* The "locked" line when the provider is not known: advice for every provider. */
#define LOCKED_GENERIC "the keyring is locked; unlock it (e.g. log in to the desktop, "

static void test_gerror_mapping(void)
{
	CU_ASSERT_EQUAL(map(SECRET_ERROR, SECRET_ERROR_IS_LOCKED, "locked"), COBOCRED_TRYAGAIN);
	CU_ASSERT_EQUAL(strncmp(cobocred_error(ctx), LOCKED_GENERIC, strlen(LOCKED_GENERIC)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "gnome-keyring-daemon --unlock"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "KWalletManager"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "KeePassXC"));
	/* a prompt that did not complete says what happened, never "locked" (issue 15) */
	CU_ASSERT_EQUAL(map(kr_prompt_error_quark(), KR_PROMPT_TIMEOUT, "not answered in 5 s"),
			COBOCRED_TRYAGAIN);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "not answered in 5 s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "COBO_CREDENTIAL_INTERACTIVE"));
	CU_ASSERT_PTR_NULL(strstr(cobocred_error(ctx), "locked"));
	CU_ASSERT_EQUAL(map(kr_prompt_error_quark(), KR_PROMPT_DISMISSED, "dismissed"),
			COBOCRED_TRYAGAIN);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "dismissed"));
	CU_ASSERT_PTR_NULL(strstr(cobocred_error(ctx), "locked"));
	/* ... unless it was the unlock prompt of a locked collection */
	{
		struct kr_state st = { .host = cobocred_ctx_host(ctx) };

		CU_ASSERT_EQUAL(kr_unlock_error(&st, g_error_new_literal(kr_prompt_error_quark(),
									 KR_PROMPT_DISMISSED,
									 "dismissed")),
				COBOCRED_TRYAGAIN);
		CU_ASSERT_EQUAL(strncmp(cobocred_error(ctx), LOCKED_GENERIC,
					strlen(LOCKED_GENERIC)),
				0);
		CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "(dismissed)"));
	}
	CU_ASSERT_EQUAL(map(G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN, "gone"), COBOCRED_UNAVAIL);
	CU_ASSERT_EQUAL(map(G_IO_ERROR, G_IO_ERROR_CLOSED, "closed"), COBOCRED_UNAVAIL);
	CU_ASSERT_EQUAL(map(G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY, "slow"), COBOCRED_TRYAGAIN);
	CU_ASSERT_EQUAL(map(G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT, "slow"), COBOCRED_TRYAGAIN);
	CU_ASSERT_EQUAL(map(G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "line one\nline two\r"),
			COBOCRED_ERROR);
	/* one line, always */
	CU_ASSERT_PTR_NULL(strchr(cobocred_error(ctx), '\n'));
	CU_ASSERT_PTR_NULL(strchr(cobocred_error(ctx), '\r'));
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "line one line two"));
}

static void test_interactive_switch(void)
{
	setenv("COBO_CREDENTIAL_INTERACTIVE", "never", 1);
	CU_ASSERT_EQUAL(kr_interactive_mode(), 0);
	setenv("COBO_CREDENTIAL_INTERACTIVE", "always", 1);
	CU_ASSERT_EQUAL(kr_interactive_mode(), 1);
	setenv("COBO_CREDENTIAL_INTERACTIVE", "auto", 1);
	CU_ASSERT_EQUAL(kr_interactive_mode(), isatty(0) && isatty(2));
	setenv("COBO_CREDENTIAL_INTERACTIVE", "never", 1);
}

static void test_open(void)
{
	const struct cobocred_host *h = cobocred_ctx_host(ctx);
	const char *bad[] = { "colour=blue" }, *badgit[] = { "git_schema=x" };
	const char *good[] = { "collection=session", "git_schema=org.git.Password" };
	void *st = (void *)1;
	long long t0;

	CU_ASSERT_EQUAL(kr_open(h, 1, bad, &st), COBOCRED_ERROR);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "colour"));
	CU_ASSERT_EQUAL(kr_open(h, 1, badgit, &st), COBOCRED_ERROR);
	/* good options, but no bus here: UNAVAIL at once, nothing autolaunched */
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	t0 = ms_now();
	CU_ASSERT_EQUAL(kr_open(h, 2, good, &st), COBOCRED_UNAVAIL);
	CU_ASSERT(ms_now() - t0 < 1000);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "no D-Bus session bus"));
}

/* The process that owns the Secret Service name, by its /proc/PID/comm. */
static void test_provider_of_comm(void)
{
	CU_ASSERT_EQUAL(kr_provider_of_comm("gnome-keyring-d\n"), KR_PROV_GNOME);
	CU_ASSERT_EQUAL(kr_provider_of_comm("kwalletd5\n"), KR_PROV_KWALLET);
	CU_ASSERT_EQUAL(kr_provider_of_comm("kwalletd6"), KR_PROV_KWALLET);
	CU_ASSERT_EQUAL(kr_provider_of_comm("ksecretd"), KR_PROV_KWALLET);
	CU_ASSERT_EQUAL(kr_provider_of_comm("keepassxc\n"), KR_PROV_KEEPASSXC);
	CU_ASSERT_EQUAL(kr_provider_of_comm("python3\n"), KR_PROV_UNKNOWN);
	CU_ASSERT_EQUAL(kr_provider_of_comm(""), KR_PROV_UNKNOWN);
	CU_ASSERT_EQUAL(kr_provider_of_comm(NULL), KR_PROV_UNKNOWN);
}

/* locked(P): the "locked" line for provider P; checks what every one shares. */
static const char *locked(enum kr_provider p, const char *detail)
{
	struct kr_state st = { .host = cobocred_ctx_host(ctx), .provider = p };
	const char *e;

	CU_ASSERT_EQUAL(kr_locked(&st, detail), COBOCRED_TRYAGAIN);
	e = cobocred_error(ctx);
	CU_ASSERT_EQUAL(strncmp(e, "the keyring is locked", 21), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e, "and retry"));
	CU_ASSERT_PTR_NULL(strchr(e, '\n'));
	return e;
}

/* Each provider's advice fits it, and names no other's. */
static void test_locked_advice(void)
{
	const char *e = locked(KR_PROV_KWALLET, NULL);

	CU_ASSERT_PTR_NOT_NULL(strstr(e, "(KWallet)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e, "KWalletManager"));
	CU_ASSERT_PTR_NULL(strstr(e, "gnome-keyring"));
	CU_ASSERT_PTR_NULL(strstr(e, "KeePassXC"));
	e = locked(KR_PROV_KEEPASSXC, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(e, "unlock the database in KeePassXC"));
	CU_ASSERT_PTR_NULL(strstr(e, "gnome-keyring"));
	CU_ASSERT_PTR_NULL(strstr(e, "KWallet"));
	e = locked(KR_PROV_GNOME, "the prompt was dismissed");
	CU_ASSERT_PTR_NOT_NULL(strstr(e, "(GNOME Keyring)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e, "gnome-keyring-daemon --unlock"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e, "(the prompt was dismissed)"));
	CU_ASSERT_PTR_NULL(strstr(e, "KWallet"));
	CU_ASSERT_PTR_NULL(strstr(e, "KeePassXC"));
}

static const struct cutest_case cases[] = {
	{ "no or unusable address", test_probe_no_address },
	{ "a bus that answers", test_probe_bus },
	{ "not a bus, or a hung one", test_probe_not_a_bus },
	{ "other transports are left to GDBus", test_probe_other_transports },
	{ "GError -> status, one line", test_gerror_mapping },
	{ "the provider, by its process name", test_provider_of_comm },
	{ "locked: advice that fits the provider", test_locked_advice },
	{ "COBO_CREDENTIAL_INTERACTIVE", test_interactive_switch },
	{ "open: options and no bus", test_open },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = {
		{ "keyring reach", cases },
		{ NULL, NULL },
	};
	int r;

	signal(SIGPIPE, SIG_IGN);
	cutest_tmpdir();
	cobocred_ctx_new(NULL, &ctx);
	r = cutest_run(suites);
	cobocred_ctx_free(ctx);
	return r;
}
