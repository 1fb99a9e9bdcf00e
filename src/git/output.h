/*
 * output.h - the answer a helper prints: key=value lines, built whole in
 * the core's bounded secret buffer (sbuf.h) and written at once, so a
 * refused value never leaves half an answer on stdout.
 */
#ifndef COBOCRED_GIT_OUTPUT_H
#define COBOCRED_GIT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* An answer holds at most a request's worth of values twice over. */
#define GIT_OUTPUT_MAX ((size_t)4 * 1024 * 1024)

/*
 * Appends "key=value\n".  Refuses (-1) a value holding CR, LF or NUL (it
 * would inject lines into git's reader: CVE-2020-5260) and a key that is
 * empty or holds '=', CR, LF or NUL.  -1 when the buffer is full, too.
 */
int git_out_add(struct cobocred_sbuf *o, const char *key, const char *value, size_t vlen);
/* The same for a C string. */
int git_out_add_str(struct cobocred_sbuf *o, const char *key, const char *value);
/* "key=N" for an int64. */
int git_out_add_i64(struct cobocred_sbuf *o, const char *key, int64_t v);

#endif
