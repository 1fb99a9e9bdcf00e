/*
 * inproc.h - the helpers' main paths run inside a unit test, their
 * stdout and stderr captured: what git-credential-cobo's main() and
 * cobo-credential's main() do around the front-end libraries (libgitcred,
 * libcli) and docker-credential-cobo's main() around its commands
 * (src/docker/cmd.c), minus argv parsing and process set-up.  A generated variant
 * then costs a call, not a helper process (under ASan each process is
 * ~70 ms of CPU, most of it LeakSanitizer's exit check); the scripts keep
 * a few variants through the real binaries so the wiring stays proven.
 * The configuration comes from the environment, as for the binaries
 * (COBO_CREDENTIAL_CONFIG, COBO_CREDENTIAL_MODULE_PATH, ...).
 */
#ifndef COBOCRED_TEST_INPROC_H
#define COBOCRED_TEST_INPROC_H

#include <stddef.h>

#define INPROC_MAX 8192

struct inproc {
	int rc; /* the exit status the binary would return */
	/* its stdout and stderr, trailing line ends dropped (as the scripts' $(...) and t_slurp) */
	char out[INPROC_MAX];
	char err[INPROC_MAX];
};

/* snprintf into buf that must fit: a path or a message cut short would
 * make a variant prove nothing, so the run stops (exit 99). */
void inproc_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Points stdout and stderr at scratch files until inproc_capture_end,
 * which restores them and fills res->out and res->err. */
struct inproc_capture {
	int saved[2]; /* the test's own stdout and stderr */
};
void inproc_capture_begin(struct inproc_capture *c);
void inproc_capture_end(struct inproc_capture *c, struct inproc *res);

/* git-credential-cobo ACTION (get, store, erase) with request (git's key=value lines) on stdin. */
void inproc_git(const char *action, const char *request, struct inproc *res);
/* The same with len bytes of stdin, which may hold NUL. */
void inproc_git_n(const char *action, const char *request, size_t len, struct inproc *res);

/* docker-credential-cobo get with len bytes (inproc_docker.c) of stdin (the server string). */
void inproc_docker_get(const char *in, size_t len, struct inproc *res);

/* cobo-credential ARGV... (argv[0] is the command: "key" or "token"; inproc_cli.c). */
void inproc_cli(int argc, char **argv, struct inproc *res);

#endif
