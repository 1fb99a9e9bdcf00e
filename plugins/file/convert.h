/*
 * convert.h - between the host's items and the file store's own.
 */
#ifndef FILE_CONVERT_H
#define FILE_CONVERT_H

#include <stddef.h>

#include "cobocred/module.h"
#include "format.h"

/*
 * Copies a caller's item into *out (zeroed first; secrets into secret
 * memory), refusing one the format cannot hold.  0, or -1 with err.
 */
int file_item_from_host(const struct cobocred_item *in, struct file_item *out, char *err,
			size_t errlen);

/* A new host item equal to fi (the host owns it), or NULL on OOM. */
struct cobocred_item *file_item_to_host(const struct cobocred_host *h, const struct file_item *fi);

#endif
