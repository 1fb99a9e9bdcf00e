/*
 * output.h - the answer a helper prints: key=value lines, built whole in
 * wiped memory and written at once, so a refused value never leaves half
 * an answer on stdout.
 */
#ifndef COBOCRED_GIT_OUTPUT_H
#define COBOCRED_GIT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct git_out {
	char *buf; /* secret memory; owned */
	size_t len, cap;
};

/*
 * Appends "key=value\n".  Refuses (-1) a value holding CR, LF or NUL (it
 * would inject lines into git's reader: CVE-2020-5260) and a key that is
 * empty or holds '=', CR, LF or NUL.  -1 on OOM too.
 */
int git_out_add(struct git_out *o, const char *key, const char *value, size_t vlen);
/* The same for a C string. */
int git_out_add_str(struct git_out *o, const char *key, const char *value);
/* "key=N" for an int64. */
int git_out_add_i64(struct git_out *o, const char *key, int64_t v);
/* Writes everything to fd. 0 or -1. */
int git_out_write(const struct git_out *o, int fd);
/* Wipes and frees; o is empty and reusable after. */
void git_out_clear(struct git_out *o);

#endif
