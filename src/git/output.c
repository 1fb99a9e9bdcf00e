/*
 * output.c - key=value answer lines (see output.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output.h"
#include "strutil.h"

int git_out_add(struct cobocred_sbuf *o, const char *key, const char *value, size_t vlen)
{
	size_t kn = strlen(key), len = o->len;

	if (kn == 0 || memchr(key, '=', kn) != NULL || cobocred_has_ctl_newline(key, kn) ||
	    cobocred_has_ctl_newline(value, vlen))
		return -1;
	if (o->max == 0)
		o->max = GIT_OUTPUT_MAX;
	if (cobocred_sbuf_add(o, key, kn) != 0 || cobocred_sbuf_add(o, "=", 1) != 0 ||
	    cobocred_sbuf_add(o, value, vlen) != 0 || cobocred_sbuf_add(o, "\n", 1) != 0) {
		o->len = len; /* nothing of a refused line stays */
		if (o->p != NULL)
			o->p[len] = '\0';
		return -1;
	}
	return 0;
}

int git_out_add_str(struct cobocred_sbuf *o, const char *key, const char *value)
{
	return git_out_add(o, key, value, strlen(value));
}

int git_out_add_i64(struct cobocred_sbuf *o, const char *key, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return git_out_add_str(o, key, num);
}
