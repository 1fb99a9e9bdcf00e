/*
 * cutest.h - the one CUnit runner of the tree: main() of every unit-test
 * program lists its suites and returns cutest_run() (or cutest_run_fixture()
 * when each test needs a fresh fixture); the exit status is the failure count.
 */
#ifndef COBOCRED_CUTEST_H
#define COBOCRED_CUTEST_H

#include <CUnit/Basic.h>

struct cutest_case {
	const char *name;
	void (*fn)(void);
};

struct cutest_suite {
	const char *name;
	const struct cutest_case *cases; /* terminated by { NULL, NULL } */
};

/*
 * Runs the suites (terminated by { NULL, NULL }) in CUnit's verbose mode, which
 * prints CUnit's closing summary.  Returns the number of failed assertions,
 * capped at 76 because automake reads 77 as "skipped" and 99 as a hard error;
 * 99 if CUnit's registry cannot be built.
 */
int cutest_run(const struct cutest_suite *suites);

/* As cutest_run(), with setup() before and teardown() after each test (either may be NULL). */
int cutest_run_fixture(const struct cutest_suite *suites, void (*setup)(void),
		       void (*teardown)(void));

/* A private temp dir for the test run, created once and removed at exit;
 * HOME and the XDG variables point into it. */
const char *cutest_tmpdir(void);

/* Writes text to path with mode; aborts the test run on failure. */
void cutest_write(const char *path, const char *text, unsigned mode);

/* The text of path, at most 8 KiB of it ("" when it cannot be read), in a
 * buffer the next call overwrites. */
const char *cutest_read_file(const char *path);

#endif
