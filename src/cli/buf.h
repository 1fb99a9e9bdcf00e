/*
 * buf.h - the CLI's output buffer is the core's bounded secret buffer
 * (src/lib/sbuf.h): command output that may hold a token is built there,
 * written once, then wiped.  These names keep the CLI's call sites short.
 */
#ifndef COBOCRED_CLI_BUF_H
#define COBOCRED_CLI_BUF_H

#include "sbuf.h"

#define CLI_BUF_MAX COBOCRED_SBUF_DEFAULT_MAX

#define cli_buf cobocred_sbuf
#define cli_buf_add cobocred_sbuf_add
#define cli_buf_adds cobocred_sbuf_adds
#define cli_buf_addf cobocred_sbuf_addf
#define cli_buf_str cobocred_sbuf_str
#define cli_buf_free cobocred_sbuf_free

#endif
