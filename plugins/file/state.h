/*
 * state.h - one open instance of the file module.
 */
#ifndef FILE_STATE_H
#define FILE_STATE_H

#include "cobocred/module.h"
#include "io.h"

struct file_state {
	const struct cobocred_host *host; /* the host's; valid until close */
	struct file_paths paths;
};

/* open.c */
int file_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state);
void file_close(void *state);

#endif
