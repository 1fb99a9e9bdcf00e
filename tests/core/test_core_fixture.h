/*
 * test_core_fixture.h - the fixture the core's unit tests share: a config
 * written from a printf format into the run's temp dir, and the call log
 * every scripted fixture module (tests/modules/scripted.c) appends to, so a
 * test asserts which modules ran, in what order, and which never loaded.
 */
#ifndef COBOCRED_TEST_CORE_FIXTURE_H
#define COBOCRED_TEST_CORE_FIXTURE_H

#include "cobocred.h"

/* The call log's path (TMPDIR/calls.log); configs pass it as `log = %s`. */
const char *fixture_log(void);

/* What the modules logged since the last fixture_ctx() (cutest_read_file). */
const char *fixture_calls(void);

/* The path fixture_ctx() writes the config to. */
const char *fixture_conf(void);

/* Writes the config from a printf format, empties the call log and returns
 * a context over the config.  When the config is refused the context still
 * comes back, holding the error (cobocred_error; also printed on stderr),
 * so a test can assert on it; NULL only when out of memory.  The caller
 * owns the context. */
struct cobocred_ctx *fixture_ctx(const char *fmt, ...) COBOCRED_PRINTF(1, 2);

/* The same for a config that must load: a refusal prints its status and
 * message and fails the test fatally.  The caller owns the context. */
struct cobocred_ctx *fixture_ctx_ok(const char *text);

#endif
