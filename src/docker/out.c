/*
 * out.c - stdin and stdout for docker-credential-cobo.  Plain read(2) and
 * write(2): a secret passes through no stdio buffer we cannot wipe.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "helper.h"
#include "sbuf.h"

int docker_read_stdin(struct cobocred_sbuf *in)
{
	if (cobocred_sbuf_read(in, STDIN_FILENO, DOCKER_INPUT_MAX, NULL, NULL) == 0)
		return 0;
	if (errno == ENOMEM)
		docker_fail("out of memory reading the request");
	else
		docker_fail("cannot read the request from stdin: %s", strerror(errno));
	return -1;
}

int docker_reply(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int docker_fail(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t n, i;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	n = strlen(line);
	for (i = 0; i < n; i++) /* one line, whatever went into it */
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	line[n++] = '\n';
	(void)docker_reply(line, n);
	return 1;
}
