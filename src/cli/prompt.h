/*
 * prompt.h - questions on the terminal for an interactive setup.  Only
 * used when cli_interactive() says so; questions go to stderr.
 */
#ifndef COBOCRED_CLI_PROMPT_H
#define COBOCRED_CLI_PROMPT_H

#include <stddef.h>

/*
 * Asks question (showing def in brackets when not NULL) and reads one
 * line into buf; an empty answer takes def.  0, or -1 on end of input.
 */
int cli_prompt(const char *question, const char *def, char *buf, size_t len);

/*
 * Asks for a secret with echo off and reads lines until an empty line or
 * a line "-----END ...-----" (a pasted PEM key), into secret memory
 * (*text, free with cobocred_secret_free).  0, or -1.
 */
int cli_prompt_secret(const char *question, char **text, size_t *len);

#endif
