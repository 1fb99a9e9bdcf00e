/*
 * cutest.h - the shared CUnit runner: main() of a test program calls
 * cutest_run() with its suites; the exit status is the failure count.
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

/* Runs the suites (terminated by { NULL, NULL }); returns failures (capped at 125). */
int cutest_run(const struct cutest_suite *suites);

/* A private temp dir for the test run, created once and removed at exit;
 * HOME and the XDG variables point into it. */
const char *cutest_tmpdir(void);

/* Writes text to path with mode; aborts the test run on failure. */
void cutest_write(const char *path, const char *text, unsigned mode);

#endif
