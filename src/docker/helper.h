/*
 * helper.h - docker-credential-cobo: the commands and their I/O.
 *
 * Docker clients read the answer and every error from stdout (one line)
 * and the exit status (0 or 1); stderr is for traces only.
 */
#ifndef DOCKER_HELPER_H
#define DOCKER_HELPER_H

#include <stddef.h>

#include "cobocred.h"
#include "sbuf.h"

/* The reference helpers' exact "not found" text; clients compare it. */
#define DOCKER_NOT_FOUND "credentials not found in native keychain"

/*
 * Commands: each prints its answer or its error and returns the exit
 * status.  store wipes in[0, len) once it has parsed it.
 */
int docker_cmd_store(struct cobocred_ctx *ctx, char *in, size_t len);
int docker_cmd_get(struct cobocred_ctx *ctx, const char *in, size_t len);
int docker_cmd_erase(struct cobocred_ctx *ctx, const char *in, size_t len);
int docker_cmd_list(struct cobocred_ctx *ctx);

/*
 * All of stdin, at most DOCKER_INPUT_MAX + 1 bytes (one more than allowed,
 * so the parser sees it is too big), in the core's bounded secret buffer
 * (the caller frees it).  0, or -1 with the message printed.
 */
int docker_read_stdin(struct cobocred_sbuf *in);
/* Writes s[0, n) to stdout; 0 or -1. */
int docker_reply(const char *s, size_t n);
/* Prints one line (control characters blanked) to stdout; returns 1, the exit status. */
int docker_fail(const char *fmt, ...) COBOCRED_PRINTF(1, 2);

#endif
