/*
 * test_core_fixture.c - the config-and-call-log fixture of the core's unit
 * tests (test_core_fixture.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cutest.h"
#include "test_core_fixture.h"

static char log_path[512], conf_path[512];

const char *fixture_log(void)
{
	if (log_path[0] == '\0')
		snprintf(log_path, sizeof(log_path), "%s/calls.log", cutest_tmpdir());
	return log_path;
}

const char *fixture_calls(void)
{
	return cutest_read_file(fixture_log());
}

const char *fixture_conf(void)
{
	if (conf_path[0] == '\0')
		snprintf(conf_path, sizeof(conf_path), "%s/test.conf", cutest_tmpdir());
	return conf_path;
}

/* Writes text as the config, empties the call log, opens a context; *st its status. */
static struct cobocred_ctx *open_text(const char *text, int *st)
{
	struct cobocred_ctx *ctx = NULL;

	unlink(fixture_log());
	cutest_write(fixture_conf(), text, 0600);
	*st = cobocred_ctx_new(fixture_conf(), &ctx);
	if (*st != COBOCRED_SUCCESS)
		fprintf(stderr, "config: %s: %s\n", cobocred_status_name(*st), cobocred_error(ctx));
	return ctx;
}

struct cobocred_ctx *fixture_ctx(const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return open_text(text, &st);
}

struct cobocred_ctx *fixture_ctx_ok(const char *text)
{
	int st;
	struct cobocred_ctx *ctx = open_text(text, &st);

	if (st != COBOCRED_SUCCESS) {
		cobocred_ctx_free(ctx);
		ctx = NULL;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	return ctx;
}
