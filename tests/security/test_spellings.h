/*
 * test_spellings.h - what test_spellings's two files share: the verdicts
 * (test_spellings.c) and the variants (test_spellings_cases.c).
 */
#ifndef COBOCRED_TEST_SPELLINGS_H
#define COBOCRED_TEST_SPELLINGS_H

#include <stddef.h>

#include "clients.h"

enum verdict { TOKEN, REFUSED, NEAR, OTHER, N_VERDICTS };

/* One variant and its verdict (test_spellings.c); a failure prints what came back. */
void origin_git_url(enum verdict k, const char *url);
void origin_git_req(enum verdict k, const char *desc, const char *req, size_t len);
void origin_docker_cli(enum verdict k, const char *server);
void origin_docker_in(enum verdict k, const char *desc, const char *in, size_t len);
/* A request or a Docker input from a string literal, NUL bytes and all. */
#define GIT_REQ(k, desc, lit) origin_git_req(k, desc, lit, sizeof(lit) - 1)
#define DOCKER_IN(k, desc, lit) origin_docker_in(k, desc, lit, sizeof(lit) - 1)

/* The generated variants (test_spellings_cases.c). */
void test_git_client(void);
void test_git_stdin(void);
void test_docker_client(void);
void test_docker_stdin(void);

#endif
