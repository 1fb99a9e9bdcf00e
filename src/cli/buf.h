/*
 * buf.h - a bounded, growable text buffer in wiped secret memory: command
 * output that may hold a token is built here, written once, then wiped.
 */
#ifndef COBOCRED_CLI_BUF_H
#define COBOCRED_CLI_BUF_H

#include <stddef.h>

#include "cobocred/module.h"

#define CLI_BUF_MAX (1024 * 1024)

struct cli_buf {
	char *p;	/* secret memory, NUL-terminated; NULL until the first add */
	size_t len;
	size_t cap;
	int failed;	/* out of memory or over CLI_BUF_MAX: contents incomplete */
};

void cli_buf_add(struct cli_buf *b, const char *s, size_t n);
void cli_buf_adds(struct cli_buf *b, const char *s);
void cli_buf_addf(struct cli_buf *b, const char *fmt, ...) COBOCRED_PRINTF(2, 3);
/* "" when empty, never NULL. */
const char *cli_buf_str(const struct cli_buf *b);
/* Wipes and frees the contents; the buffer is empty and reusable after. */
void cli_buf_free(struct cli_buf *b);

#endif
