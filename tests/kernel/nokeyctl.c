/*
 * nokeyctl.c - runs a program with the kernel key system calls denied,
 * as Docker's default seccomp profile does.
 *
 *     nokeyctl [-e EPERM|ENOSYS] PROGRAM [ARG...]
 *
 * A libseccomp filter makes keyctl, add_key and request_key fail with
 * that errno (EPERM by default: what Docker's profile answers); every
 * other system call is allowed.  The filter is inherited by every child,
 * so a whole helper run sees no kernel keyring.
 */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int deny(int e)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	int r = -1;

	if (f == NULL)
		return -1;
	if (seccomp_rule_add(f, SCMP_ACT_ERRNO(e), SCMP_SYS(keyctl), 0) == 0 &&
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(e), SCMP_SYS(add_key), 0) == 0 &&
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(e), SCMP_SYS(request_key), 0) == 0 &&
	    seccomp_load(f) == 0)
		r = 0;
	seccomp_release(f);
	return r;
}

int main(int argc, char **argv)
{
	int e = EPERM, i = 1;

	if (argc > 2 && strcmp(argv[1], "-e") == 0) {
		if (strcmp(argv[2], "ENOSYS") == 0)
			e = ENOSYS;
		else if (strcmp(argv[2], "EPERM") != 0) {
			fprintf(stderr, "nokeyctl: -e takes EPERM or ENOSYS\n");
			return 99;
		}
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: nokeyctl [-e EPERM|ENOSYS] PROGRAM [ARG...]\n");
		return 99;
	}
	if (deny(e) != 0) {
		fprintf(stderr, "nokeyctl: cannot load the seccomp filter\n");
		return 99;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "nokeyctl: cannot run %s: %s\n", argv[i], strerror(errno));
	return 99;
}
