/*
 * clients.h - the real git and Docker clients in a unit test, with a
 * recording credential helper in front whose recorded request the
 * helper's own code then answers in-process (inproc.h).  The clients'
 * parsing (git decodes a URL and picks the user name, Docker drops a
 * scheme and a path) stays real; only the ASan helper process per
 * variant is gone.  The scripts keep a few variants through the clients
 * and the real helper binaries.
 */
#ifndef COBOCRED_TEST_CLIENTS_H
#define COBOCRED_TEST_CLIENTS_H

#include "inproc.h"

/*
 * Each of names (NULL-terminated) must be a program on PATH: the real
 * clients are what these tests drive.  Otherwise one line and exit 77,
 * automake's SKIP (a package build's root has no docker CLI).
 */
void clients_require(const char *const *names);

/* The recorder (in tmp, first on PATH), DOCKER_CONFIG and git's variables. */
void clients_init(const char *tmp);

/*
 * `git [-c CONFIG] credential fill` with url=URL: the request git sends
 * its helper is recorded and answered by the git helper in-process.  0,
 * or -1 when git never asked a helper (a URL with a password: git has its
 * answer).
 */
int clients_git(const char *url, const char *config, struct inproc *res);

/* `docker login SERVER` (the real CLI): the same for the get Docker sends. */
int clients_docker(const char *server, struct inproc *res);

#endif
