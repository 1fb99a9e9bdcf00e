/*
 * state.h - one open instance of the file module.
 */
#ifndef FILE_STATE_H
#define FILE_STATE_H

#include "cobocred/module.h"
#include "file.h"
#include "io.h"

struct file_state {
	const struct cobocred_host *host; /* the host's; valid until close */
	struct file_paths paths;
};

#endif
