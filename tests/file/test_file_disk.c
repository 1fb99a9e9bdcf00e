/*
 * test_file_disk.c - the file module against a hostile disk: corrupt
 * files left byte-for-byte untouched, loose permissions refused with the
 * fix, an impossible directory, RLIMIT_FSIZE mid-write, lock contention,
 * and concurrent writers in several processes losing no update.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "test_file_fixture.h"
#include "test_file_helpers.h"

#define STORE_DIR ".local/share/cobo-credential"
#define CORRUPT_HINT "the file is left untouched, move it away to start over"

/* Files in the store directory other than the store and its lock (temp files). */
static int stray_files(void)
{
	DIR *d = opendir(tf_path(STORE_DIR));
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strcmp(e->d_name, "store") != 0 && strcmp(e->d_name, "store.lock") != 0)
			n++;
	closedir(d);
	return n;
}

static int has(const char *msg, const char *want)
{
	if (strstr(msg, want) != NULL)
		return 1;
	fprintf(stderr, "\n  wanted '%s' in '%s'\n", want, msg);
	return 0;
}

/* The store's bytes and identity, to prove nothing was rewritten. */
struct snapshot {
	char *bytes;
	size_t len;
	struct stat st;
};

static void snap(struct snapshot *s)
{
	s->bytes = tf_read(tf_store_path(), &s->len);
	CU_ASSERT_FATAL(s->bytes != NULL && stat(tf_store_path(), &s->st) == 0);
}

static void assert_unchanged(struct snapshot *s)
{
	struct snapshot now;

	snap(&now);
	CU_ASSERT(now.len == s->len && memcmp(now.bytes, s->bytes, s->len) == 0);
	CU_ASSERT(now.st.st_ino == s->st.st_ino && now.st.st_mode == s->st.st_mode);
	CU_ASSERT(now.st.st_mtim.tv_sec == s->st.st_mtim.tv_sec &&
		  now.st.st_mtim.tv_nsec == s->st.st_mtim.tv_nsec);
	CU_ASSERT_EQUAL(stray_files(), 0);
	free(now.bytes);
	free(s->bytes);
}

static void corrupt_case(const char *text, const char *line_what)
{
	struct cobocred_attr a[] = { { "host", "h" } };
	struct cobocred_query q = { .struct_size = sizeof(q),
				    .schema = "s",
				    .n_attrs = 1,
				    .attrs = a };
	struct cobocred_item *out = NULL;
	struct snapshot s;
	char want[600];

	mkdir(tf_path(".local"), 0700);
	mkdir(tf_path(".local/share"), 0700);
	mkdir(tf_path(STORE_DIR), 0700);
	CU_ASSERT_FATAL(tf_write(tf_store_path(), text, strlen(text), 0600) == 0);
	snap(&s);
	snprintf(want, sizeof(want), "%s %s", tf_store_path(), line_what);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", "new", 3, "host", "h", NULL), &q), COBOCRED_ERROR);
	CU_ASSERT(has(tf_error(), want) && has(tf_error(), CORRUPT_HINT));
	CU_ASSERT(strstr(tf_error(), "SUPERSECRET") == NULL);
	CU_ASSERT_EQUAL(tf_erase(&q), COBOCRED_ERROR);
	CU_ASSERT(has(tf_error(), want));
	CU_ASSERT_EQUAL(tf_get(&q, &out), COBOCRED_ERROR);
	CU_ASSERT_EQUAL(tf_list(NULL, &out), COBOCRED_ERROR);
	CU_ASSERT_PTR_NULL(out);
	assert_unchanged(&s);
}

static void test_corrupt_untouched(void)
{
	corrupt_case("cobo-credential-store 1\nitem\nschema s\nsecret SUPERSECRET\n",
		     "line 4: the file ends inside an item");
	corrupt_case("cobo-credential-store 9\n", "line 1: format version 9 is newer");
	corrupt_case("cobo-credential-store 1\nitem\nschema s\nattr host h\nsecret SUPER%ZZ\n"
		     "created 0\nexpires 0\nend\n",
		     "line 5: bad escape");
	corrupt_case("", "line 1: empty file");
	tf_assert_no_secret_leak();
}

static void test_file_permissions(void)
{
	struct cobocred_item *out = NULL;
	struct snapshot s;
	char want[600];

	CU_ASSERT_EQUAL_FATAL(tf_store(tf_item("s", "x", 1, NULL), NULL), COBOCRED_SUCCESS);
	CU_ASSERT_FATAL(chmod(tf_store_path(), 0644) == 0);
	snap(&s);
	snprintf(want, sizeof(want), "run: chmod 600 %s", tf_store_path());
	CU_ASSERT_EQUAL(tf_get(NULL, &out), COBOCRED_ERROR);
	CU_ASSERT(has(tf_error(), want) && has(tf_error(), "mode 644"));
	CU_ASSERT_EQUAL(tf_store(tf_item("s", "y", 1, NULL), NULL), COBOCRED_ERROR);
	CU_ASSERT(has(tf_error(), want));
	assert_unchanged(&s); /* not rewritten, not silently chmod-ed */
	CU_ASSERT_FATAL(chmod(tf_store_path(), 0600) == 0);
	if (geteuid() == 0) { /* a file of another user is refused too */
		CU_ASSERT_FATAL(chown(tf_store_path(), 4242, 4242) == 0);
		CU_ASSERT_EQUAL(tf_get(NULL, &out), COBOCRED_ERROR);
		CU_ASSERT(has(tf_error(), "owned by uid 4242"));
		CU_ASSERT_FATAL(chown(tf_store_path(), 0, 0) == 0);
	}
	CU_ASSERT_EQUAL(tf_get(NULL, &out), COBOCRED_SUCCESS);
	cobocred_item_free(out);
	tf_assert_no_secret_leak();
}

static void test_dir_permissions(void)
{
	struct cobocred_item *out = NULL;
	struct snapshot s;
	char want[600];

	CU_ASSERT_EQUAL_FATAL(tf_store(tf_item("s", "x", 1, NULL), NULL), COBOCRED_SUCCESS);
	CU_ASSERT_FATAL(chmod(tf_path(STORE_DIR), 0755) == 0);
	snap(&s);
	snprintf(want, sizeof(want), "run: chmod 700 %s", tf_path(STORE_DIR));
	CU_ASSERT_EQUAL(tf_get(NULL, &out), COBOCRED_ERROR);
	CU_ASSERT(has(tf_error(), want) && has(tf_error(), "mode 755"));
	CU_ASSERT_EQUAL(tf_store(tf_item("s", "y", 1, NULL), NULL), COBOCRED_ERROR);
	CU_ASSERT(has(tf_error(), want));
	CU_ASSERT_EQUAL(tf_erase(&(struct cobocred_query){ .schema = "s" }), COBOCRED_ERROR);
	CU_ASSERT_FATAL(chmod(tf_path(STORE_DIR), 0700) == 0);
	assert_unchanged(&s);
	CU_ASSERT_FATAL(chmod(tf_path(STORE_DIR), 0750) == 0);
	CU_ASSERT_EQUAL(tf_list(NULL, &out), COBOCRED_ERROR);
	CU_ASSERT_FATAL(chmod(tf_path(STORE_DIR), 0700) == 0);
	CU_ASSERT_EQUAL(tf_list(NULL, &out), COBOCRED_SUCCESS);
	cobocred_item_free(out);
	tf_assert_no_secret_leak();
}

static void test_dir_impossible(void)
{
	const char *argv[1];
	char opt[600];
	struct cobocred_item *out = NULL;

	/* A regular file where a directory should be: nothing can be created. */
	CU_ASSERT_FATAL(tf_write(tf_path("blocker"), "x", 1, 0600) == 0);
	snprintf(opt, sizeof(opt), "path=%s", tf_path("blocker/sub/store"));
	argv[0] = opt;
	CU_ASSERT_EQUAL_FATAL(tf_open(1, argv), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", "x", 1, NULL), NULL), COBOCRED_UNAVAIL);
	CU_ASSERT(has(tf_error(), "cannot create") && has(tf_error(), "path="));
	CU_ASSERT(has(tf_error(), tf_path("blocker/sub")));
	CU_ASSERT_EQUAL(tf_get(NULL, &out), COBOCRED_NOTFOUND); /* nothing can be stored there */
	CU_ASSERT_EQUAL(tf_erase(&(struct cobocred_query){ .schema = "s" }), COBOCRED_NOTFOUND);
	tf_assert_no_secret_leak();
}

/* In a child: a store past RLIMIT_FSIZE must fail cleanly (exit 0), not die. */
static int child_fsize(void)
{
	struct rlimit rl = { 4096, 4096 };
	static char big[65536];

	memset(big, 'b', sizeof(big));
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		return 2;
	if (tf_store(tf_item("s", big, sizeof(big), "n", "2", NULL), NULL) != COBOCRED_ERROR)
		return 3;
	if (strstr(tf_error(), "File too large") == NULL || strstr(tf_error(), "unchanged") == NULL)
		return 4;
	return 0;
}

static void test_rlimit_fsize(void)
{
	struct cobocred_item *out = NULL;
	struct snapshot s;
	int status = -1;
	pid_t pid;

	CU_ASSERT_EQUAL_FATAL(tf_store(tf_item("s", "small", 5, "n", "1", NULL), NULL),
			      COBOCRED_SUCCESS);
	snap(&s);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(child_fsize());
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "\n  child status %#x\n", (unsigned)status);
	assert_unchanged(&s);
	CU_ASSERT_EQUAL(tf_get(NULL, &out), COBOCRED_SUCCESS);
	CU_ASSERT(out != NULL && strcmp((const char *)out->secret, "small") == 0);
	cobocred_item_free(out);
	tf_assert_no_secret_leak();
}

static void test_lock_timeout(void)
{
	const char *argv[] = { "lock_timeout_ms=200" };
	struct cobocred_item *out = NULL;
	int fd;

	CU_ASSERT_EQUAL_FATAL(tf_open(1, argv), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(tf_store(tf_item("s", "x", 1, NULL), NULL), COBOCRED_SUCCESS);
	fd = open(tf_path(STORE_DIR "/store.lock"), O_RDWR | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0 && flock(fd, LOCK_EX) == 0);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", "y", 1, NULL), NULL), COBOCRED_TRYAGAIN);
	CU_ASSERT(has(tf_error(), "locked by another process"));
	CU_ASSERT_EQUAL(tf_get(NULL, &out), COBOCRED_TRYAGAIN);
	CU_ASSERT(flock(fd, LOCK_UN) == 0 && flock(fd, LOCK_SH) == 0);
	CU_ASSERT_EQUAL(tf_get(NULL, &out), COBOCRED_SUCCESS); /* readers share */
	cobocred_item_free(out);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", "y", 1, NULL), NULL), COBOCRED_TRYAGAIN);
	close(fd);
	CU_ASSERT_EQUAL(tf_store(tf_item("s", "y", 1, NULL), NULL), COBOCRED_SUCCESS);
	tf_assert_no_secret_leak();
}

/* A small non-negative decimal, or -1. */
static int num(const char *s)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= 0 && v < 1000 ? (int)v : -1;
}

#define WRITERS 8
#define PER_WRITER 25

/* A child with its own context and instance; exit status 0 when all went well. */
static int writer(int id)
{
	char w[16], n[16], secret[32];
	int i;

	tf_new_ctx();
	if (tf.state == NULL)
		return 2;
	snprintf(w, sizeof(w), "%d", id);
	for (i = 0; i < PER_WRITER; i++) {
		struct cobocred_attr a[] = { { "writer", w }, { "n", n } };
		struct cobocred_query q = { .struct_size = sizeof(q),
					    .schema = "c",
					    .n_attrs = 2,
					    .attrs = a,
					    .flags = COBOCRED_QUERY_EXACT };

		snprintf(n, sizeof(n), "%d", i);
		snprintf(secret, sizeof(secret), "secret-%d-%d", id, i);
		if (tf_store(tf_item("c", secret, strlen(secret), "writer", w, "n", n, NULL), &q) !=
		    COBOCRED_SUCCESS) {
			fprintf(stderr, "writer %d: %s\n", id, tf_error());
			return 3;
		}
	}
	return 0;
}

/* A child that reads while the writers write: never an error, never half a file. */
static int reader(void)
{
	struct cobocred_item *out = NULL;
	int i, st;

	tf_new_ctx();
	for (i = 0; i < 100; i++) {
		st = tf_list(NULL, &out);
		cobocred_item_free(out);
		if (st != COBOCRED_SUCCESS && st != COBOCRED_NOTFOUND) {
			fprintf(stderr, "reader: %s\n", tf_error());
			return 3;
		}
	}
	return 0;
}

static void test_concurrent_writers(void)
{
	static char seen[WRITERS][PER_WRITER];
	struct cobocred_item *out = NULL, *it;
	pid_t pids[WRITERS + 1];
	int i, status;

	fflush(NULL);
	for (i = 0; i <= WRITERS; i++) {
		pids[i] = fork();
		CU_ASSERT_FATAL(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(i < WRITERS ? writer(i) : reader());
	}
	for (i = 0; i <= WRITERS; i++) {
		CU_ASSERT(waitpid(pids[i], &status, 0) == pids[i]);
		CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CU_ASSERT_EQUAL_FATAL(tf_list(NULL, &out), COBOCRED_SUCCESS);
	CU_ASSERT_EQUAL(tf_count(out), WRITERS * PER_WRITER);
	memset(seen, 0, sizeof(seen));
	for (it = out; it != NULL; it = it->next) {
		int w = num(cobocred_item_attr(it, "writer"));
		int n = num(cobocred_item_attr(it, "n"));

		if (w >= 0 && w < WRITERS && n >= 0 && n < PER_WRITER)
			seen[w][n]++;
	}
	for (i = 0; i < WRITERS * PER_WRITER; i++)
		CU_ASSERT_EQUAL(seen[i / PER_WRITER][i % PER_WRITER], 1);
	cobocred_item_free(out);
	CU_ASSERT_EQUAL(stray_files(), 0);
	tf_assert_no_secret_leak();
}

const struct cutest_case test_file_disk_cases[] = {
	{ "corrupt file left untouched", test_corrupt_untouched },
	{ "file permissions refused with the fix", test_file_permissions },
	{ "directory permissions refused with the fix", test_dir_permissions },
	{ "directory cannot be created", test_dir_impossible },
	{ "RLIMIT_FSIZE mid-write keeps the old file", test_rlimit_fsize },
	{ "lock contention gives TRYAGAIN", test_lock_timeout },
	{ "8 processes x 25 stores lose nothing", test_concurrent_writers },
	{ NULL, NULL },
};
