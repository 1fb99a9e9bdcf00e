/*
 * cutest.c - the shared CUnit runner and temp-dir helpers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cutest.h"

static char tmpdir[256];

static void remove_tmpdir(void)
{
	char cmd[300];

	if (tmpdir[0] == '\0')
		return;
	/* The path is ours (mkdtemp), with no shell metacharacters. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", tmpdir);
}

const char *cutest_tmpdir(void)
{
	char buf[512];
	const char *base = getenv("TMPDIR");

	if (tmpdir[0] != '\0')
		return tmpdir;
	snprintf(tmpdir, sizeof(tmpdir), "%s/cobo-unit.XXXXXX", base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	atexit(remove_tmpdir);
	setenv("HOME", tmpdir, 1);
	snprintf(buf, sizeof(buf), "%s/config", tmpdir);
	setenv("XDG_CONFIG_HOME", buf, 1);
	snprintf(buf, sizeof(buf), "%s/data", tmpdir);
	setenv("XDG_DATA_HOME", buf, 1);
	snprintf(buf, sizeof(buf), "%s/run", tmpdir);
	mkdir(buf, 0700);
	setenv("XDG_RUNTIME_DIR", buf, 1);
	unsetenv("COBO_CREDENTIAL_CONFIG");
	unsetenv("COBO_CREDENTIAL_TRACE");
	unsetenv("COBO_CREDENTIAL_NOW_OFFSET");
	return tmpdir;
}

void cutest_write(const char *path, const char *text, unsigned mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 || chmod(path, mode) != 0) {
		perror(path);
		exit(99);
	}
}

const char *cutest_read_file(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* Builds CUnit's registry from the suite tables; 0 or -1. */
static int add_suites(const struct cutest_suite *suites, CU_SetUpFunc setup,
		      CU_TearDownFunc teardown)
{
	const struct cutest_case *c;
	CU_pSuite s;

	for (; suites->name != NULL; suites++) {
		s = CU_add_suite_with_setup_and_teardown(suites->name, NULL, NULL, setup, teardown);
		if (s == NULL)
			return -1;
		for (c = suites->cases; c->name != NULL; c++)
			if (CU_add_test(s, c->name, c->fn) == NULL)
				return -1;
	}
	return 0;
}

int cutest_run_fixture(const struct cutest_suite *suites, void (*setup)(void),
		       void (*teardown)(void))
{
	unsigned failures;
	int r = 99;

	(void)cutest_tmpdir();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	if (add_suites(suites, setup, teardown) != 0)
		goto out;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	if (CU_get_error() != CUE_SUCCESS)
		failures++;
	/* 77 and 99 mean "skipped" and "hard error" to automake: stay below. */
	r = failures > 76 ? 76 : (int)failures;
out:
	CU_cleanup_registry();
	return r;
}

int cutest_run(const struct cutest_suite *suites)
{
	return cutest_run_fixture(suites, NULL, NULL);
}
