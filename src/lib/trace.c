/*
 * trace.c - COBO_CREDENTIAL_TRACE: "1" traces to stderr, a path appends to
 * that file (created 0600).  Every line is scrubbed of live secrets before
 * it is written, as a last line of defence behind "never log secrets".
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "secret.h"

#define TRACE_MAX 2048
#define REDACT_MIN 6 /* shorter secrets would redact ordinary words */

void cobocred_trace_open(struct cobocred_ctx *ctx)
{
	const char *t = getenv("COBO_CREDENTIAL_TRACE");
	int fd;

	ctx->trace = NULL;
	if (t == NULL || *t == '\0' || strcmp(t, "0") == 0)
		return;
	if (strcmp(t, "1") == 0 || strcmp(t, "stderr") == 0) {
		ctx->trace = stderr;
		return;
	}
	fd = open(t, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		ctx->trace = fdopen(fd, "a");
	if (ctx->trace == NULL) {
		if (fd >= 0)
			close(fd);
		ctx->trace = stderr;
		fprintf(stderr, "cobo-credential: cannot open trace file %s; tracing to stderr\n", t);
	}
}

void cobocred_trace_close(struct cobocred_ctx *ctx)
{
	if (ctx->trace != NULL && ctx->trace != stderr)
		fclose(ctx->trace);
	ctx->trace = NULL;
}

struct redact {
	char *buf;
};

static int redact_one(const char *s, size_t n, void *arg)
{
	struct redact *r = arg;
	static const char mark[] = "[REDACTED]";
	char *pos = r->buf, *hit;

	/* Resume after each replacement, so a secret that looks like the mark cannot loop. */
	while ((hit = memmem(pos, strlen(pos), s, n)) != NULL) {
		size_t tail = strlen(hit + n);

		if (n >= sizeof(mark) - 1) {
			memcpy(hit, mark, sizeof(mark) - 1);
			memmove(hit + sizeof(mark) - 1, hit + n, tail + 1);
			pos = hit + sizeof(mark) - 1;
		} else {
			memset(hit, '*', n);
			pos = hit + n;
		}
	}
	return 0;
}

/* Scrubs every live secret from buf (in place; the text only shrinks). */
static void redact(char *buf)
{
	struct redact r = { buf };

	cobocred_secret_foreach(REDACT_MIN, redact_one, &r);
}

void cobocred_vtrace(struct cobocred_ctx *ctx, const char *fmt, va_list ap)
{
	char buf[TRACE_MAX];

	if (ctx == NULL || ctx->trace == NULL)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	redact(buf);
	fprintf(ctx->trace, "cobo-credential[%ld]: %s\n", (long)getpid(), buf);
	fflush(ctx->trace);
}

void cobocred_trace(struct cobocred_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cobocred_vtrace(ctx, fmt, ap);
	va_end(ap);
}

/* Formats into buf as one line with no secrets and no terminal escapes,
 * whatever a module, a server or a request put in it. */
__attribute__((format(printf, 3, 0)))
static void one_line(char *buf, size_t len, const char *fmt, va_list ap)
{
	char *nl;

	vsnprintf(buf, len, fmt, ap);
	redact(buf);
	for (nl = buf; *nl; nl++)
		if (*nl == '\r' || *nl == '\n' || *nl == '\t')
			*nl = ' ';
		else if ((unsigned char)*nl < 0x20 || *nl == 0x7f)
			*nl = '?';
}

void cobocred_verror(struct cobocred_ctx *ctx, const char *fmt, va_list ap)
{
	one_line(ctx->error, sizeof(ctx->error), fmt, ap);
	cobocred_trace(ctx, "error: %s", ctx->error);
}

void cobocred_set_warning(struct cobocred_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	one_line(ctx->warning, sizeof(ctx->warning), fmt, ap);
	va_end(ap);
	cobocred_trace(ctx, "warning: %s", ctx->warning);
}

void cobocred_set_error(struct cobocred_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cobocred_verror(ctx, fmt, ap);
	va_end(ap);
}
