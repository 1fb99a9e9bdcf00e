/*
 * test_kernel.c - the kernel module with real keyctl system calls, in a
 * session keyring this program creates (keyctl_join_session_keyring), so
 * no test ever reads or writes the user's own keys.
 *
 * Covered: get/store/erase/list on Cobo and plain credentials, permissions
 * (the user only: possession is not enough), key timeout = token expiry, expiry by timeout
 * in the kernel, the keeping policy (refresh tokens, plain lifetimes),
 * replace, erase only of the rejected secret, keys that do not say what
 * they hold passed over, the named keyring and its checks, options that
 * fail closed, keyctl denied by a seccomp filter: UNAVAIL at once, and
 * another uid sharing our session keyring (as root: a child that changes
 * its uid keeps the session keyring): it reads none of our keys, and the
 * keys and keyrings it plants are refused (UNAVAIL), never answered or
 * written into.
 */
#include "config.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <keyutils.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cobocred.h"
#include "cutest.h"
#include "kernel.h"
#include "payload.h"
#include "secret.h"
#include "test_file_helpers.h"

static struct cobocred_ctx *ctx;
static const struct cobocred_host *host;
static void *st;
static key_serial_t ses;
static size_t live0;

static int kopen(int argc, const char *const *argv)
{
	if (st != NULL)
		kernel_close(st);
	st = NULL;
	return kernel_open(host, argc, argv, &st);
}

static key_serial_t ring_id(void)
{
	long r = keyctl_search(KEY_SPEC_SESSION_KEYRING, "keyring", "cobo-credential", 0);

	return r < 0 ? 0 : (key_serial_t)r;
}

static void setup(void)
{
	const char *const opts[] = { "lifetime=600" };

	keyctl_clear(KEY_SPEC_SESSION_KEYRING);
	add_key("keyring", "cobo-credential", NULL, 0, KEY_SPEC_SESSION_KEYRING);
	tf_home_setup();
	cobocred_ctx_new(NULL, &ctx);
	host = cobocred_ctx_host(ctx);
	live0 = cobocred_secret_live();
	CU_ASSERT_EQUAL(kopen(1, opts), COBOCRED_SUCCESS);
}

static void teardown(void)
{
	if (st != NULL)
		kernel_close(st);
	st = NULL;
	CU_ASSERT_EQUAL(cobocred_secret_live(), live0);
	cobocred_ctx_free(ctx);
	ctx = NULL;
	tf_home_cleanup();
}

static struct cobocred_item *cobo_item(const char *kind, const char *secret, int64_t ttl)
{
	struct cobocred_item *it = tf_item(COBOCRED_SCHEMA_COBO, secret, strlen(secret), "base_url",
					   "https://api.dev.cobo.com/v2", "client_id", "cid",
					   "org_id", "org-1", "kind", kind, NULL);
	int64_t now = cobocred_now(ctx);

	cobocred_item_set_times(it, now, now + ttl);
	return it;
}

static struct cobocred_query cobo_query(const char *kind, struct cobocred_attr *a)
{
	struct cobocred_query q = { .struct_size = sizeof(q), .schema = COBOCRED_SCHEMA_COBO };

	a[0] = (struct cobocred_attr){ "base_url", "https://api.dev.cobo.com/v2" };
	a[1] = (struct cobocred_attr){ "client_id", "cid" };
	a[2] = (struct cobocred_attr){ "org_id", "org-1" };
	a[3] = (struct cobocred_attr){ "kind", kind };
	q.attrs = a;
	q.n_attrs = 4;
	return q;
}

static int store(struct cobocred_item *it, const struct cobocred_query *replace)
{
	int r = kernel_store(st, it, replace);

	cobocred_item_free(it);
	return r;
}

static struct cobocred_item *git_item(const char *host_, const char *user, const char *pw)
{
	return tf_item(COBOCRED_SCHEMA_GIT, pw, strlen(pw), "protocol", "https", "host", host_,
		       "username", user, NULL);
}

/* The timeout column of /proc/keys for key id, in seconds; -1 none ("perm"), -2 not found. */
static long proc_timeout(key_serial_t id)
{
	char line[1024], want[32], t[32];
	FILE *f = fopen("/proc/keys", "r");
	long r = -2;

	snprintf(want, sizeof(want), "%08x ", (unsigned)id);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, want, strlen(want)) == 0 &&
		    sscanf(line, "%*s %*s %*s %31s", t) == 1) {
			size_t n = strlen(t);

			r = strcmp(t, "perm") == 0 ? -1 : strtol(t, NULL, 10);
			if (n > 0 && t[n - 1] == 'm')
				r *= 60;
			else if (n > 0 && t[n - 1] == 'h')
				r *= 3600;
		}
	if (f != NULL)
		fclose(f);
	return r;
}

static key_serial_t find_key(const char *schema, const struct cobocred_attr *a, size_t n)
{
	char d[KP_DESC_MAX + 1];
	long r;

	if (kp_describe(schema, a, n, d, sizeof(d)) != 0)
		return 0;
	r = keyctl_search(ring_id(), "user", d, 0);
	return r < 0 ? 0 : (key_serial_t)r;
}

static void test_cobo_round_trip(void)
{
	struct cobocred_attr a[4];
	struct cobocred_query q = cobo_query("access", a);
	struct cobocred_item *got = NULL;
	char buf[KP_DESC_MAX + 128];
	key_serial_t key;
	long t;

	CU_ASSERT_EQUAL(kernel_get(st, &q, &got), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(store(cobo_item("access", "at-1", 3600), &q), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(kernel_get(st, &q, &got), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(got->secret_len, 4);
	CU_ASSERT_EQUAL(memcmp(got->secret, "at-1", 4), 0);
	CU_ASSERT_STRING_EQUAL(got->schema, COBOCRED_SCHEMA_COBO);
	CU_ASSERT_EQUAL(got->n_attrs, 4);
	cobocred_item_free(got);
	key = find_key(COBOCRED_SCHEMA_COBO, a, 4);
	CU_ASSERT_FATAL(key > 0);
	/* type user, ours, the user only (no possessor bits), readable description */
	CU_ASSERT(keyctl_describe(key, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(strncmp(buf, "user;", 5), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ";003f0000;cobo-credential:com.cobo.credential.Token:"));
	/* so is the keyring, whatever it was made with */
	CU_ASSERT(keyctl_describe(ring_id(), buf, sizeof(buf)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ";003f0000;cobo-credential"));
	/* the key times out when the token expires (m: /proc/keys rounds to minutes) */
	t = proc_timeout(key);
	CU_ASSERT(t >= 3540 && t <= 3600);
}

static void test_refresh_policy(void)
{
	const char *const yes[] = { "refresh_tokens=yes" };
	struct cobocred_attr a[4];
	struct cobocred_query q = cobo_query("refresh", a);
	struct cobocred_item *got = NULL;

	CU_ASSERT_EQUAL(store(cobo_item("refresh", "rt-1", 86400 * 30), &q), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(find_key(COBOCRED_SCHEMA_COBO, a, 4), 0);
	CU_ASSERT_EQUAL_FATAL(kopen(1, yes), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(store(cobo_item("refresh", "rt-1", 86400 * 30), &q), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(kernel_get(st, &q, &got), COBOCRED_SUCCESS);
	cobocred_item_free(got);
}

static void test_plain_needs_lifetime(void)
{
	struct cobocred_attr a[2] = { { "protocol", "https" }, { "host", "git.example.com" } };
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = COBOCRED_SCHEMA_GIT,
				    .n_attrs = 2,
				    .attrs = a };
	struct cobocred_item *got = NULL;
	key_serial_t key;
	struct cobocred_attr full[3] = { { "protocol", "https" },
					 { "host", "git.example.com" },
					 { "username", "bob" } };

	CU_ASSERT_EQUAL_FATAL(kopen(0, NULL), COBOCRED_SUCCESS); /* lifetime 0: keeps none */
	CU_ASSERT_EQUAL(store(git_item("git.example.com", "bob", "pw"), NULL), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(kernel_get(st, &q, &got), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(find_key(COBOCRED_SCHEMA_GIT, full, 3), 0);
	CU_ASSERT_EQUAL_FATAL(kopen(1, (const char *const[]){ "lifetime=900" }), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(store(git_item("git.example.com", "bob", "pw"), NULL), COBOCRED_SUCCESS);
	/* a query without the username finds it by walking the keyring */
	CU_ASSERT_EQUAL_FATAL(kernel_get(st, &q, &got), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(got, "username"), "bob");
	cobocred_item_free(got);
	key = find_key(COBOCRED_SCHEMA_GIT, full, 3);
	CU_ASSERT(key > 0);
	CU_ASSERT(proc_timeout(key) >= 840 && proc_timeout(key) <= 900);
}

static void test_replace_and_erase(void)
{
	struct cobocred_attr a[1] = { { "host", "git.example.com" } };
	struct cobocred_query byhost = { .struct_size = sizeof(byhost),
					 .schema = COBOCRED_SCHEMA_GIT,
					 .n_attrs = 1,
					 .attrs = a };
	struct cobocred_query rej = byhost;
	struct cobocred_item *list = NULL, *it;
	size_t n = 0;

	CU_ASSERT_EQUAL(store(git_item("git.example.com", "alice", "pw-a"), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(store(git_item("git.example.com", "bob", "pw-b"), NULL), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(store(git_item("other.example.com", "bob", "pw-o"), NULL),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(kernel_list(st, &byhost, &list), COBOCRED_SUCCESS);
	for (it = list; it != NULL; it = it->next)
		n++;
	CU_ASSERT_EQUAL(n, 2);
	cobocred_item_free(list);
	/* erase only the rejected secret */
	rej.secret = (const unsigned char *)"wrong";
	rej.secret_len = 5;
	CU_ASSERT_EQUAL(kernel_erase(st, &rej), COBOCRED_NOTFOUND);
	rej.secret = (const unsigned char *)"pw-a";
	rej.secret_len = 4;
	CU_ASSERT_EQUAL(kernel_erase(st, &rej), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(kernel_list(st, &byhost, &list), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(list, "username"), "bob");
	CU_ASSERT_PTR_NULL(list->next);
	cobocred_item_free(list);
	/* replace: a store for the host drops every other match */
	CU_ASSERT_EQUAL(store(git_item("git.example.com", "carol", "pw-c"), &byhost),
			COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(kernel_list(st, &byhost, &list), COBOCRED_SUCCESS);
	CU_ASSERT_STRING_EQUAL(cobocred_item_attr(list, "username"), "carol");
	CU_ASSERT_PTR_NULL(list->next);
	cobocred_item_free(list);
	/* an empty pattern never erases everything */
	CU_ASSERT_EQUAL(kernel_erase(st, &(struct cobocred_query){ .struct_size = 1 }),
			COBOCRED_ERROR);
	CU_ASSERT_EQUAL(kernel_list(st, NULL, &list), COBOCRED_SUCCESS);
	cobocred_item_free(list);
}

static void test_list_attrs_only(void)
{
	struct cobocred_attr a[4];
	struct cobocred_query q = cobo_query("access", a);
	struct cobocred_item *list = NULL;

	CU_ASSERT_EQUAL(store(cobo_item("access", "at-2", 600), &q), COBOCRED_SUCCESS);
	q.flags = COBOCRED_QUERY_ATTRS_ONLY;
	CU_ASSERT_EQUAL_FATAL(kernel_list(st, &q, &list), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(list->secret_len, 0);
	CU_ASSERT(list->expires_at > 0);
	cobocred_item_free(list);
}

/* Keys of ours that do not say what they hold are passed over, never answered. */
static void test_bad_keys_passed_over(void)
{
	static unsigned char buf[KP_MAX_BYTES];
	struct cobocred_attr a[4], other[4];
	struct cobocred_query q = cobo_query("access", a);
	struct cobocred_item *got = NULL, *it;
	char d[KP_DESC_MAX + 1], err[128];
	size_t len;

	CU_ASSERT_EQUAL_FATAL(kp_describe(COBOCRED_SCHEMA_COBO, a, 4, d, sizeof(d)), 0);
	CU_ASSERT(add_key("user", d, "garbage", 7, ring_id()) > 0);
	CU_ASSERT_EQUAL(kernel_get(st, &q, &got), COBOCRED_NOTFOUND);
	/* a valid payload under another identity's description */
	it = cobo_item("access", "someone-elses", 600);
	CU_ASSERT_EQUAL_FATAL(kp_encode(it, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	cobocred_item_free(it);
	memcpy(other, a, sizeof(other));
	other[2].value = "org-2";
	CU_ASSERT_EQUAL_FATAL(kp_describe(COBOCRED_SCHEMA_COBO, other, 4, d, sizeof(d)), 0);
	CU_ASSERT(add_key("user", d, buf, len, ring_id()) > 0);
	q = cobo_query("access", other);
	CU_ASSERT_EQUAL(kernel_get(st, &q, &got), COBOCRED_NOTFOUND);
	CU_ASSERT_PTR_NULL(got);
}

/* Expiry by timeout: the kernel drops the key, the payload alone would not. */
static void test_expiry_by_timeout(void)
{
	struct cobocred_attr a[1] = { { "host", "git.example.com" } };
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = COBOCRED_SCHEMA_GIT,
				    .n_attrs = 1,
				    .attrs = a };
	struct cobocred_item *got = NULL;
	time_t t0 = time(NULL);
	int r = COBOCRED_SUCCESS;

	CU_ASSERT_EQUAL_FATAL(kopen(1, (const char *const[]){ "lifetime=1" }), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(store(git_item("git.example.com", "bob", "pw"), NULL), COBOCRED_SUCCESS);
	/* The wait is the behaviour: poll until the kernel expires it; 10 s is 5x a slow tick. */
	while (r == COBOCRED_SUCCESS && time(NULL) - t0 < 10) {
		cobocred_item_free(got);
		got = NULL;
		r = kernel_get(st, &q, &got);
		if (r == COBOCRED_SUCCESS)
			usleep(50000);
	}
	CU_ASSERT_EQUAL(r, COBOCRED_NOTFOUND);
	CU_ASSERT(time(NULL) - t0 >= 1);
	cobocred_item_free(got);
}

static void test_options_fail_closed(void)
{
	static const char *const bad[] = { "lifetime=-1", "lifetime=x", "refresh_tokens=1",
					   "keyring=@x",  "keyring=",	"keyring=.hidden",
					   "keyring=a b", "colour=red", "lifetime=99999999999" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char key[32];

		snprintf(key, sizeof(key), "%.*s: ", (int)strcspn(bad[i], "="), bad[i]);
		CU_ASSERT_EQUAL(kopen(1, &bad[i]), COBOCRED_ERROR);
		CU_ASSERT_EQUAL(strncmp(cobocred_error(ctx), key, strlen(key)), 0);
	}
}

static void test_ring_choices(void)
{
	struct cobocred_attr a[4];
	struct cobocred_query q = cobo_query("access", a);
	struct cobocred_item *got = NULL;
	key_serial_t own;

	/* keyring=@s: keys straight in the session keyring */
	CU_ASSERT_EQUAL_FATAL(kopen(1, (const char *const[]){ "keyring=@s" }), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(store(cobo_item("access", "at-s", 600), &q), COBOCRED_SUCCESS);
	CU_ASSERT(keyctl_search(KEY_SPEC_SESSION_KEYRING, "user",
				"cobo-credential:com.cobo.credential.Token:base_url=https%3A//"
				"api.dev.cobo.com/v2;client_id=cid;kind=access;org_id=org-1",
				0) > 0);
	/* a named keyring found in the session keyring; one open to others is refused */
	own = add_key("keyring", "cobo-test-open", NULL, 0, KEY_SPEC_SESSION_KEYRING);
	CU_ASSERT_FATAL(own > 0);
	CU_ASSERT_EQUAL(keyctl_setperm(own, KEY_POS_ALL | KEY_USR_ALL | KEY_OTH_VIEW), 0);
	CU_ASSERT_EQUAL_FATAL(kopen(1, (const char *const[]){ "keyring=cobo-test-open" }),
			      COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(kernel_get(st, &q, &got), COBOCRED_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(cobocred_error(ctx), "keyctl setperm"));
	CU_ASSERT_EQUAL(keyctl_setperm(own, KEY_POS_ALL | KEY_USR_ALL), 0);
	CU_ASSERT_EQUAL_FATAL(kopen(1, (const char *const[]){ "keyring=cobo-test-open" }),
			      COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(kernel_get(st, &q, &got), COBOCRED_NOTFOUND);
	CU_ASSERT_EQUAL(store(cobo_item("access", "at-n", 600), &q), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(kernel_get(st, &q, &got), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(memcmp(got->secret, "at-n", 4), 0);
	cobocred_item_free(got);
}

/* In a child under a seccomp filter denying the key system calls with e. */
static int denied_child(int e)
{
	struct cobocred_attr a[4];
	struct cobocred_query q = cobo_query("access", a);
	struct cobocred_item *got = NULL;
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	int bad = 0;

	if (f == NULL || seccomp_rule_add(f, SCMP_ACT_ERRNO(e), SCMP_SYS(keyctl), 0) != 0 ||
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(e), SCMP_SYS(add_key), 0) != 0 ||
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(e), SCMP_SYS(request_key), 0) != 0 ||
	    seccomp_load(f) != 0)
		return 99;
	seccomp_release(f);
	if (keyctl_get_keyring_ID(KEY_SPEC_SESSION_KEYRING, 0) >= 0 || errno != e)
		return 98; /* the filter does not deny */
	bad += kernel_get(st, &q, &got) != COBOCRED_UNAVAIL;
	bad += strstr(cobocred_error(ctx), "not available here") == NULL;
	bad += kernel_store(st, got, &q) != COBOCRED_ERROR; /* NULL item: a bug */
	got = cobo_item("access", "at-d", 600);
	bad += kernel_store(st, got, &q) != COBOCRED_UNAVAIL;
	cobocred_item_free(got);
	got = NULL;
	bad += kernel_erase(st, &q) != COBOCRED_UNAVAIL;
	bad += kernel_list(st, &q, &got) != COBOCRED_UNAVAIL;
	return bad;
}

static void test_denied_is_unavail(void)
{
	static const int errs[] = { EPERM, ENOSYS };
	size_t i;

	for (i = 0; i < 2; i++) {
		int status = -1;
		pid_t pid;

		CU_ASSERT_EQUAL_FATAL(kopen(0, NULL), COBOCRED_SUCCESS); /* not resolved yet */
		pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0)
			_exit(denied_child(errs[i]));
		CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
		CU_ASSERT_TRUE(WIFEXITED(status));
		CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
	}
}

/*
 * Writes DIR/config (its path into path): a stack of the kernel tier over a
 * file store in DIR, the store line as given, the kernel keyring @s.
 */
static void write_kernel_file_config(const char *dir, const char *store, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/config", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f,
		"[stack]\nget = kernel file\nstore = %s\nerase = kernel file\n"
		"[module kernel]\nkeyring = @s\n[module file]\npath = %s/store\n",
		store, dir);
	fclose(f);
}

/* Fills this uid's key quota in the session keyring; 0 once add_key says EDQUOT. */
static int fill_quota(void)
{
	static char blob[1000];
	size_t size = sizeof(blob);
	char desc[32];
	int i;

	memset(blob, 'q', sizeof(blob));
	/* Big keys first, then smaller ones until not even one byte fits. */
	for (i = 0; i < 100000 && size > 0; i++) {
		snprintf(desc, sizeof(desc), "f%d", i);
		if (add_key("user", desc, blob, size, KEY_SPEC_SESSION_KEYRING) >= 0)
			continue;
		if (errno != EDQUOT)
			return -1;
		size /= 4;
	}
	return size == 0 ? 0 : -1;
}

/*
 * In a child: as a fresh uid when root (its own small quota; the real
 * users' quotas are never touched), in a new session keyring whose keys
 * go at exit.  With the quota full, the module is UNAVAIL, and a stack
 * `kernel file` keeps the token in the file: a full kernel tier is not an
 * error that loses a token.
 */
static int quota_child(const char *dir)
{
	struct cobocred_attr a[4];
	struct cobocred_query q = cobo_query("access", a);
	struct cobocred_item *it, *got = NULL;
	struct cobocred_ctx *c = NULL;
	char cfg[512], mods[512];
	int bad = 0, r;

	if (getuid() == 0) {
		uid_t u = (uid_t)(61000 + getpid() % 4000);

		if (setgroups(0, NULL) != 0 || setresgid(u, u, u) != 0 || setresuid(u, u, u) != 0)
			return 90;
	}
	if (keyctl_join_session_keyring(NULL) < 0 || fill_quota() != 0)
		return 91;
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	setenv("HOME", dir, 1);
	/* the copies test_quota_full made: this uid may not enter the build tree */
	snprintf(mods, sizeof(mods), "%s/modules", dir);
	setenv("COBO_CREDENTIAL_MODULE_PATH", mods, 1);
	setenv("XDG_RUNTIME_DIR", dir, 1);
	setenv("XDG_DATA_HOME", dir, 1);
	if (cobocred_ctx_new(cfg, &c) != COBOCRED_SUCCESS)
		return 92;
	it = tf_item(COBOCRED_SCHEMA_COBO, "at-quota", 8, "base_url", "https://api.dev.cobo.com/v2",
		     "client_id", "cid", "org_id", "org-1", "kind", "access", NULL);
	cobocred_item_set_times(it, cobocred_now(c), cobocred_now(c) + 600);
	/* the module alone: UNAVAIL, saying why */
	r = kernel_open(cobocred_ctx_host(c), 1, (const char *const[]){ "keyring=@s" }, &st);
	bad += r != COBOCRED_SUCCESS;
	bad += kernel_store(st, it, &q) != COBOCRED_UNAVAIL;
	bad += strstr(cobocred_error(c), "quota is full") == NULL;
	kernel_close(st);
	st = NULL;
	/* the stack: the file keeps it */
	bad += cobocred_store(c, it, &q) != COBOCRED_SUCCESS;
	bad += cobocred_get(c, &q, &got) != COBOCRED_SUCCESS;
	bad += got == NULL || got->secret_len != 8 || memcmp(got->secret, "at-quota", 8) != 0;
	bad += got == NULL || strcmp(cobocred_item_origin(got), "file") != 0;
	cobocred_item_free(got);
	cobocred_item_free(it);
	cobocred_ctx_free(c);
	return bad;
}

static void test_quota_full(void)
{
	char dir[] = "/tmp/cobo-kernel-quota.XXXXXX", path[600], text[1024];
	const char *mods = getenv("COBO_CREDENTIAL_MODULE_PATH");
	int status = -1;
	pid_t pid;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mods); /* make check sets it */
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_kernel_file_config(dir, "kernel file", path, sizeof(path));
	chmod(path, 0644);
	/*
	 * The child runs as another uid, which may not enter the build tree
	 * (a clone in /root, mode 0700 on Debian): it loads root-owned copies
	 * of the two modules from the test's own directory.
	 */
	snprintf(text, sizeof(text),
		 "mkdir -m 755 '%s/modules' && cp -L '%s/kernel.so' '%s/file.so' '%s/modules/'",
		 dir, mods, mods, dir);
	CU_ASSERT_EQUAL_FATAL(system(text), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		if (getuid() == 0) {
			uid_t u = (uid_t)(61000 + getpid() % 4000);

			if (chown(dir, u, u) != 0)
				_exit(89);
		}
		_exit(quota_child(dir));
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
	if (WEXITSTATUS(status) != 0)
		printf("quota child: exit %d (89-92: set-up, else failed checks)\n",
		       WEXITSTATUS(status));
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(path), 0);
}

/* ---- another uid that shares our session keyring ------------------------------------- */

/* A uid of no user, one per test run (its key quota starts empty); set in main. */
static uid_t other;

static uid_t other_uid(void)
{
	return other;
}

/* fn(arg) in a child as other_uid(): changing uid keeps the session keyring. Its exit code. */
static int as_other(int (*fn)(const void *), const void *arg)
{
	int status = -1;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		uid_t u = other_uid();

		if (setgroups(0, NULL) != 0 || setresgid(u, u, u) != 0 || setresuid(u, u, u) != 0)
			_exit(90);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int holds(const char *buf, long n, const char *needle)
{
	size_t k = strlen(needle);
	long i;

	for (i = 0; k > 0 && i + (long)k <= n; i++)
		if (memcmp(buf + i, needle, k) == 0)
			return 1;
	return 0;
}

/* Every key the caller can read under ring (keyrings followed): how many hold secret. */
static int spy_walk(key_serial_t ring, const char *secret, int depth)
{
	static char buf[KP_MAX_BYTES + 1];
	key_serial_t ids[512];
	char d[256];
	long n = keyctl_read(ring, (char *)ids, sizeof(ids)), i, r;
	int bad = 0;

	if (n < 0)
		return 0;
	n = (n > (long)sizeof(ids) ? (long)sizeof(ids) : n) / (long)sizeof(key_serial_t);
	for (i = 0; i < n; i++) {
		if (keyctl_describe(ids[i], d, sizeof(d)) > 0 && strncmp(d, "keyring;", 8) == 0) {
			bad += depth < 4 ? spy_walk(ids[i], secret, depth + 1) : 0;
			continue;
		}
		r = keyctl_read(ids[i], buf, sizeof(buf));
		bad += r > 0 && holds(buf, r > (long)sizeof(buf) ? (long)sizeof(buf) : r, secret);
	}
	return bad;
}

/* What the other uid tries on our keys: key and ring 0 when unknown. */
struct spy {
	const char *secret, *desc;
	key_serial_t key, ring;
};

static int spy(const void *arg)
{
	const struct spy *sp = arg;
	char buf[KP_DESC_MAX + 128];
	int bad = spy_walk(KEY_SPEC_SESSION_KEYRING, sp->secret, 0);
	long r = keyctl_search(KEY_SPEC_SESSION_KEYRING, "user", sp->desc, 0);

	if (r >= 0) {
		long n = keyctl_read((key_serial_t)r, buf, sizeof(buf));

		bad += n > 0 &&
		       holds(buf, n > (long)sizeof(buf) ? (long)sizeof(buf) : n, sp->secret);
	}
	if (sp->key > 0) {
		bad += keyctl_read(sp->key, buf, sizeof(buf)) >= 0 || errno != EACCES;
		bad += keyctl_describe(sp->key, buf, sizeof(buf)) >= 0;
		bad += keyctl_setperm(sp->key, 0x3f3f3f3f) == 0;
		bad += keyctl_update(sp->key, "x", 1) == 0;
		bad += keyctl_invalidate(sp->key) == 0;
	}
	if (sp->ring > 0) {
		bad += keyctl_read(sp->ring, buf, sizeof(buf)) >= 0;
		bad += keyctl_search(sp->ring, "user", sp->desc, 0) >= 0;
		bad += add_key("user", "planted", "x", 1, sp->ring) >= 0;
		bad += keyctl_setperm(sp->ring, 0x3f3f3f3f) == 0;
		bad += keyctl_clear(sp->ring) == 0;
	}
	return bad > 60 ? 60 : bad;
}

static int other_uid_ok(void)
{
	if (getuid() == 0)
		return 1;
	printf("not root: no other uid to share the session keyring with; not tested\n");
	return 0;
}

static void test_other_uid_reads_nothing(void)
{
	static const char *const modes[][2] = { { "lifetime=600", "keyring=cobo-credential" },
						{ "lifetime=600", "keyring=@s" } };
	struct cobocred_attr a[4], a2[4];
	struct cobocred_query q = cobo_query("access", a), o2 = cobo_query("access", a2);
	struct cobocred_item *got = NULL;
	char d[KP_DESC_MAX + 1], buf[KP_DESC_MAX + 128];
	struct spy sp = { "at-ours-only", d, 0, 0 };
	size_t i;

	a2[2].value = "org-2";

	if (!other_uid_ok())
		return;
	CU_ASSERT_EQUAL_FATAL(kp_describe(COBOCRED_SCHEMA_COBO, a, 4, d, sizeof(d)), 0);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(kopen(2, modes[i]), COBOCRED_SUCCESS);
		CU_ASSERT_EQUAL(store(cobo_item("access", sp.secret, 600), &q), COBOCRED_SUCCESS);
		sp.ring = i == 0 ? ring_id() : 0;
		sp.key = (key_serial_t)keyctl_search(i == 0 ? sp.ring : KEY_SPEC_SESSION_KEYRING,
						     "user", d, 0);
		CU_ASSERT_FATAL(sp.key > 0);
		CU_ASSERT_EQUAL(as_other(spy, &sp), 0);
		/* a key and keyring as older versions made them, open to possessors */
		CU_ASSERT_EQUAL(keyctl_setperm(sp.key, 0x3f3f0000), 0);
		if (sp.ring > 0)
			CU_ASSERT_EQUAL(keyctl_setperm(sp.ring, 0x3f3f0000), 0);
		CU_ASSERT_EQUAL_FATAL(kopen(2, modes[i]), COBOCRED_SUCCESS);
		if (i == 0) {
			/* the named keyring is closed at first use, with every key of ours in it */
			CU_ASSERT_EQUAL(kernel_get(st, &o2, &got), COBOCRED_NOTFOUND);
		} else {
			/* in @s, a key of ours is closed when it is read */
			CU_ASSERT_EQUAL_FATAL(kernel_get(st, &q, &got), COBOCRED_SUCCESS);
			CU_ASSERT_EQUAL(memcmp(got->secret, sp.secret, strlen(sp.secret)), 0);
		}
		cobocred_item_free(got);
		got = NULL;
		CU_ASSERT(keyctl_describe(sp.key, buf, sizeof(buf)) > 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, ";003f0000;"));
		CU_ASSERT(sp.ring == 0 || keyctl_describe(sp.ring, buf, sizeof(buf)) > 0);
		CU_ASSERT(sp.ring == 0 || strstr(buf, ";003f0000;") != NULL);
		CU_ASSERT_EQUAL(as_other(spy, &sp), 0);
		keyctl_clear(KEY_SPEC_SESSION_KEYRING);
		add_key("keyring", "cobo-credential", NULL, 0, KEY_SPEC_SESSION_KEYRING);
	}
}

/*
 * What the other uid plants: a key under our token's exact description
 * (a token of its own, or garbage), a git credential a host-only query
 * would match, a keyring called like ours in the session keyring, and a
 * keyring of its own in the session keyring holding a key under our
 * description.
 */
enum { P_EXACT, P_GARBAGE, P_PARTIAL, P_RING, P_NESTED, P_SHAPES };

struct plant {
	int shape;
	unsigned perm;
	key_serial_t into; /* our keyring (open to possessors, as older versions made it) or @s */
};

static int plant(const void *arg)
{
	static unsigned char buf[KP_MAX_BYTES];
	const struct plant *p = arg;
	struct cobocred_attr a[4];
	struct cobocred_query q = cobo_query("access", a);
	struct cobocred_item *it = p->shape == P_PARTIAL
					   ? git_item("git.example.com", "mallory", "pw-planted")
					   : cobo_item("access", "at-planted", 600);
	char d[KP_DESC_MAX + 1], err[128];
	key_serial_t where = p->into, k;
	size_t len = 0;
	int bad = kp_describe(it->schema, it->attrs, it->n_attrs, d, sizeof(d)) != 0 ||
		  kp_encode(it, buf, sizeof(buf), &len, err, sizeof(err)) != 0;

	(void)q;
	cobocred_item_free(it);
	if (bad)
		return 80;
	if (p->shape == P_RING) {
		k = add_key("keyring", "cobo-credential", NULL, 0, KEY_SPEC_SESSION_KEYRING);
		return k < 0 ? 81 : keyctl_setperm(k, p->perm) != 0 ? 82 : 0;
	}
	if (p->shape == P_NESTED) {
		where = add_key("keyring", "planted", NULL, 0, KEY_SPEC_SESSION_KEYRING);
		if (where < 0)
			return 83;
	}
	if (p->shape == P_GARBAGE)
		k = add_key("user", d, "garbage", 7, where);
	else
		k = add_key("user", d, buf, len, where);
	if (k < 0 || keyctl_setperm(k, p->perm) != 0)
		return 84;
	return p->shape == P_NESTED && keyctl_setperm(where, p->perm) != 0 ? 85 : 0;
}

/*
 * What the kernel lets us, a possessor that is not the owner, do with a
 * key of perm: possessor bits add to the other bits, but only for a key
 * we possess, and possessing it takes finding it (the search bit).
 */
static int we_search(unsigned perm)
{
	return ((perm >> 24) | perm) & KEY_OTH_SEARCH;
}

static int we_view(unsigned perm)
{
	return (perm & KEY_OTH_VIEW) || (we_search(perm) && ((perm >> 24) & KEY_OTH_VIEW));
}

/* One planted shape: refused when seen, never answered, never given our token. */
static void plant_variant(int shape, unsigned perm, int at_s)
{
	const char *const opts[] = { "lifetime=600",
				     at_s ? "keyring=@s" : "keyring=cobo-credential" };
	struct cobocred_attr a[4], h[1] = { { "host", "git.example.com" } };
	struct cobocred_query q = cobo_query("access", a);
	struct cobocred_query hq = { .struct_size = sizeof(hq),
				     .schema = COBOCRED_SCHEMA_GIT,
				     .n_attrs = 1,
				     .attrs = h };
	struct cobocred_item *got = NULL;
	char d[KP_DESC_MAX + 1], msg[128];
	struct spy sp = { "at-ours-only", d, 0, 0 };
	struct plant p = { shape, perm, KEY_SPEC_SESSION_KEYRING };
	int want, r, r2 = -1, r3 = -1, bad = 0;
	key_serial_t ring;

	keyctl_clear(KEY_SPEC_SESSION_KEYRING);
	ring = add_key("keyring", "cobo-credential", NULL, 0, KEY_SPEC_SESSION_KEYRING);
	CU_ASSERT_FATAL(ring > 0 && keyctl_setperm(ring, 0x3f3f0000) == 0);
	if (!at_s)
		p.into = ring;
	CU_ASSERT_EQUAL_FATAL(kp_describe(COBOCRED_SCHEMA_COBO, a, 4, d, sizeof(d)), 0);
	CU_ASSERT_EQUAL_FATAL(kopen(2, opts), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(as_other(plant, &p), 0);
	/* seen: refused, the tier UNAVAIL with the reason; unseen: never read */
	want = COBOCRED_UNAVAIL;
	if ((shape == P_PARTIAL && !we_view(perm)) || (shape == P_NESTED && !we_search(perm)))
		want = COBOCRED_NOTFOUND;
	r = shape == P_PARTIAL ? kernel_get(st, &hq, &got) : kernel_get(st, &q, &got);
	bad += r != want;
	bad += r == COBOCRED_UNAVAIL && strstr(cobocred_error(ctx), "refused") == NULL;
	bad += got != NULL;
	cobocred_item_free(got);
	got = NULL;
	/*
	 * Storing ours displaces a plant of its description, never writing
	 * into it; then ours answers.  A refused keyring takes nothing.
	 */
	if (shape != P_RING) {
		q.flags = COBOCRED_QUERY_EXACT;
		r2 = store(cobo_item("access", sp.secret, 600), &q);
		q.flags = 0;
		bad += r2 != COBOCRED_SUCCESS;
		r3 = kernel_get(st, &q, &got);
		bad += r3 != COBOCRED_SUCCESS || got == NULL ||
		       got->secret_len != strlen(sp.secret);
		cobocred_item_free(got);
		got = NULL;
	}
	bad += as_other(spy, &sp) != 0;
	/* erase takes ours, never the plant: one an erase would match makes it UNAVAIL */
	if (shape != P_RING) {
		bad += kernel_erase(st, &hq) != (shape == P_PARTIAL ? want : COBOCRED_NOTFOUND);
		bad += kernel_erase(st, &q) != COBOCRED_SUCCESS;
		/* ours gone, a nested plant under our description is met again */
		bad += kernel_get(st, &q, &got) != (shape == P_NESTED ? want : COBOCRED_NOTFOUND);
	}
	snprintf(msg, sizeof(msg), "shape %d perm %08x %s: get %d (want %d), store %d, get %d",
		 shape, perm, at_s ? "@s" : "named", r, want, r2, r3);
	if (bad != 0)
		printf("%s: %d wrong\n", msg, bad);
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_other_uid_plants_refused(void)
{
	static const unsigned perms[] = { 0x3f3f3f3f, 0x3f000000, 0x3f3f0000, 0x3f010000,
					  0x0b000000, 0x01000000, 0x0000000b, 0x00000000 };
	size_t i;
	int shape;

	if (!other_uid_ok())
		return;
	for (shape = 0; shape < P_SHAPES; shape++)
		for (i = 0; i < sizeof(perms) / sizeof(perms[0]); i++) {
			if (shape != P_NESTED)
				plant_variant(shape, perms[i], 0);
			if (shape != P_RING)
				plant_variant(shape, perms[i], 1);
		}
	keyctl_clear(KEY_SPEC_SESSION_KEYRING);
	add_key("keyring", "cobo-credential", NULL, 0, KEY_SPEC_SESSION_KEYRING);
}

/* The stack over a refused kernel tier: the file answers, the reason is the kernel's. */
static void test_other_uid_stack_moves_on(void)
{
	char dir[] = "/tmp/cobo-kernel-plant.XXXXXX", path[600], text[1024];
	struct cobocred_attr a[4];
	struct cobocred_query q = cobo_query("access", a);
	struct plant p = { P_EXACT, 0x3f3f3f3f, KEY_SPEC_SESSION_KEYRING };
	struct cobocred_item *it, *got = NULL;
	struct cobocred_ctx *c = NULL;

	if (!other_uid_ok())
		return;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_kernel_file_config(dir, "file", path, sizeof(path));
	snprintf(text, sizeof(text), "%s/trace", dir);
	setenv("COBO_CREDENTIAL_TRACE", text, 1);
	CU_ASSERT_EQUAL_FATAL(cobocred_ctx_new(path, &c), COBOCRED_SUCCESS);
	unsetenv("COBO_CREDENTIAL_TRACE");
	it = cobo_item("access", "at-in-the-file", 600);
	CU_ASSERT_EQUAL(cobocred_store(c, it, &q), COBOCRED_SUCCESS);
	cobocred_item_free(it);
	CU_ASSERT_EQUAL_FATAL(as_other(plant, &p), 0);
	CU_ASSERT_EQUAL(cobocred_get(c, &q, &got), COBOCRED_SUCCESS);
	CU_ASSERT(got != NULL && got->secret_len == 14 &&
		  memcmp(got->secret, "at-in-the-file", 14) == 0);
	CU_ASSERT(got != NULL && strcmp(cobocred_item_origin(got), "file") == 0);
	cobocred_item_free(got);
	cobocred_ctx_free(c);
	/* the trace says why the kernel tier was passed over */
	snprintf(path, sizeof(path), "grep -q 'belongs to uid %u, not to this user' '%s/trace'",
		 (unsigned)other_uid(), dir);
	CU_ASSERT_EQUAL(system(path), 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(path), 0);
	keyctl_clear(KEY_SPEC_SESSION_KEYRING);
	add_key("keyring", "cobo-credential", NULL, 0, KEY_SPEC_SESSION_KEYRING);
}

static const struct cutest_case cases[] = {
	{ "key quota full: UNAVAIL, the file keeps the token", test_quota_full },
	{ "Cobo token: round trip, perms, timeout", test_cobo_round_trip },
	{ "refresh tokens only when asked", test_refresh_policy },
	{ "plain credentials only with a lifetime", test_plain_needs_lifetime },
	{ "replace, list, erase only the rejected secret", test_replace_and_erase },
	{ "list attrs only", test_list_attrs_only },
	{ "keys that do not say what they hold", test_bad_keys_passed_over },
	{ "expiry by the kernel's timeout", test_expiry_by_timeout },
	{ "options fail closed", test_options_fail_closed },
	{ "keyring choices and checks", test_ring_choices },
	{ "keyctl denied (seccomp): UNAVAIL", test_denied_is_unavail },
	{ "another uid in our session keyring reads nothing of ours",
	  test_other_uid_reads_nothing },
	{ "keys and keyrings another uid plants are refused, generated",
	  test_other_uid_plants_refused },
	{ "a refused kernel tier: the stack moves on, the trace says why",
	  test_other_uid_stack_moves_on },
	{ NULL, NULL },
};

int main(void)
{
	static const struct cutest_suite suites[] = { { "kernel module", cases }, { NULL, NULL } };

	other = (uid_t)(63000 + getpid() % 2000);
	/* Our own session keyring: never the user's keys. */
	ses = keyctl_join_session_keyring(NULL);
	if (ses < 0) {
		printf("keyctl is not permitted here (%s): cannot test the kernel module\n",
		       strerror(errno));
		return 77;
	}
	return cutest_run_fixture(suites, setup, teardown);
}
