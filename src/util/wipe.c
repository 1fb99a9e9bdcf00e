/*
 * wipe.c - see wipe.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wipe.h"

void cobocred_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void cobocred_free_wiped(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
