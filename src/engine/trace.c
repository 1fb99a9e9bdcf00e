/*
 * trace.c - COBO_CREDENTIAL_TRACE: "1" traces to stderr, a path appends to
 * that file (created 0600; never through a symlink, refused unless it is a
 * regular file of ours: then tracing is off and stderr says why once).  Every line is scrubbed of live secrets before
 * it is written, as a last line of defence behind "never log secrets".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "secret.h"

#define TRACE_MAX 2048
#define REDACT_MIN 6 /* shorter secrets would redact ordinary words */

/*
 * Opens PATH for appending without following a symlink or blocking on a
 * FIFO, and keeps it only when it is a regular file of ours: a trace file
 * another user owns (or planted) must not receive our lines.  -1 with why.
 */
static int trace_file_open(const char *path, char *why, size_t len)
{
	struct stat st;
	int fd, flags;

	fd = open(path,
		  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
		  0600);
	if (fd < 0) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(why, len, "%s", strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
	} else if (st.st_uid != geteuid()) {
		snprintf(why, len, "owned by uid %u, not by you", (unsigned)st.st_uid);
	} else {
		flags = fcntl(fd, F_GETFL);
		if (flags >= 0)
			(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
		return fd;
	}
	close(fd);
	return -1;
}

void cobocred_trace_open(struct cobocred_ctx *ctx)
{
	const char *t = getenv("COBO_CREDENTIAL_TRACE");
	char why[128];
	int fd;

	ctx->trace = NULL;
	if (t == NULL || *t == '\0' || strcmp(t, "0") == 0)
		return;
	if (strcmp(t, "1") == 0 || strcmp(t, "stderr") == 0) {
		ctx->trace = stderr;
		return;
	}
	fd = trace_file_open(t, why, sizeof(why));
	if (fd >= 0 && (ctx->trace = fdopen(fd, "a")) == NULL) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		close(fd);
	}
	if (ctx->trace == NULL)
		fprintf(stderr,
			"cobo-credential: not tracing to %s (%s); "
			"point COBO_CREDENTIAL_TRACE at a file of yours\n",
			t, why);
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
__attribute__((format(printf, 3, 0))) static void one_line(char *buf, size_t len, const char *fmt,
							   va_list ap)
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
