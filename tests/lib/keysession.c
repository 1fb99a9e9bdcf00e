/*
 * keysession.c - runs a test in a private kernel session keyring.
 *
 * Every test runs under this wrapper (LOG_COMPILER in Makefile.am), so the
 * kernel module of the built-in stacks finds its keyring, a keyring named
 * cobo-credential, in a session keyring this test owns and drops at exit,
 * and never searches or creates one in the real user's keyring.  Where
 * keyctl is denied (a container's seccomp profile) the kernel module is
 * unavailable anyway and the test runs as it is.
 *
 *     keysession PROGRAM [ARG...]
 */
#include "config.h"

#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	key_serial_t ses;

	if (argc < 2) {
		fprintf(stderr, "usage: keysession PROGRAM [ARG...]\n");
		return 99;
	}
	ses = keyctl_join_session_keyring(NULL);
	if (ses < 0 && errno != EPERM && errno != ENOSYS && errno != EACCES) {
		fprintf(stderr, "keysession: cannot join a new session keyring: %s\n",
			strerror(errno));
		return 99;
	}
	if (ses >= 0 &&
	    add_key("keyring", "cobo-credential", NULL, 0, KEY_SPEC_SESSION_KEYRING) < 0) {
		fprintf(stderr, "keysession: cannot create the test's keyring: %s\n",
			strerror(errno));
		return 99;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "keysession: cannot run %s: %s\n", argv[1], strerror(errno));
	return 99;
}
