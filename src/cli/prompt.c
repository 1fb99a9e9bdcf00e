/*
 * prompt.c - terminal questions.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "appsecret.h" /* CLI_KEY_TEXT_MAX */
#include "prompt.h"
#include "secret.h"

/* One line from fd 0 without stdio buffering (no stray copies of secrets). */
static int read_line(char *buf, size_t len)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(STDIN_FILENO, &c, 1);

		if (r <= 0)
			return n > 0 ? (buf[n] = '\0', 0) : -1;
		if (c == '\n')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

int cli_prompt(const char *question, const char *def, char *buf, size_t len)
{
	for (;;) {
		if (def != NULL)
			fprintf(stderr, "%s [%s]: ", question, def);
		else
			fprintf(stderr, "%s: ", question);
		fflush(stderr);
		if (read_line(buf, len) != 0)
			return -1;
		if (buf[0] == '\0' && def != NULL)
			snprintf(buf, len, "%s", def);
		if (buf[0] != '\0')
			return 0;
	}
}

int cli_prompt_secret(const char *question, char **text, size_t *len)
{
	struct termios old, quiet;
	char line[256];
	char *buf = cobocred_secret_alloc(CLI_KEY_TEXT_MAX + 1);
	size_t n = 0;
	int echo_off, r = -1;

	*text = NULL;
	*len = 0;
	if (buf == NULL)
		return -1;
	fprintf(stderr, "%s (input hidden; end with an empty line):\n", question);
	echo_off = tcgetattr(STDIN_FILENO, &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	while (read_line(line, sizeof(line)) == 0 && line[0] != '\0') {
		size_t k = strlen(line);

		if (n + k + 1 > CLI_KEY_TEXT_MAX)
			break;
		memcpy(buf + n, line, k);
		buf[n + k] = '\n';
		n += k + 1;
		if (strncmp(line, "-----END ", 9) == 0)
			break;
	}
	cobocred_wipe(line, sizeof(line));
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	if (n > 0) {
		*text = buf;
		*len = n;
		buf = NULL;
		r = 0;
	}
	cobocred_secret_free(buf);
	return r;
}
