/*
 * test_spellings.h - what test_spellings's three files share: the verdicts
 * (test_spellings.c), the variants (test_spellings_cases.c), the clients
 * (test_spellings_run.c).
 */
#ifndef COBOCRED_TEST_SPELLINGS_H
#define COBOCRED_TEST_SPELLINGS_H

#include <stddef.h>

#include "inproc.h"

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

/* The recording helper in front of git and Docker; PATH, DOCKER_CONFIG and git's variables. */
void origin_clients_init(const char *tmp);

/*
 * `git credential fill` with url=URL (real git): the request git sends its
 * helper is recorded and answered by the git helper in-process.  0, or -1
 * when git never asked a helper.
 */
int origin_git_client(const char *url, struct inproc *res);

/* `docker login SERVER` (the real CLI): the same for the get Docker sends. */
int origin_docker_client(const char *server, struct inproc *res);

#endif
