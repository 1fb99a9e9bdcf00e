/*
 * doctor_kernel.c - doctor's kernel keyring checks: may this process use
 * the key system calls, and how full is the user's key quota.
 *
 * Raw system calls and /proc, no libkeyutils: the command line links only
 * the core, and a read-only probe needs neither a keyring nor a key.
 */
#include "config.h"

#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "doctor.h"

/* The quota left before a store fails: a token's key is well under this. */
#define SPARE_KEYS 2
#define SPARE_BYTES 4096

static const char denied_fix[] =
	"nothing to do if tokens may live in the next tier; to use the kernel tier in a "
	"container, allow keyctl, add_key and request_key in its seccomp profile "
	"(docker run --security-opt seccomp=PROFILE.json)";

/* Reads "uid: usage nkeys/nikeys qnkeys/maxkeys qnbytes/maxbytes" for us from /proc/key-users. */
static int quota(long *keys, long *maxkeys, long *bytes, long *maxbytes)
{
	FILE *f = fopen("/proc/key-users", "r");
	char line[256];
	long uid, usage, nkeys, nikeys;
	int r = -1;

	while (f != NULL && r != 0 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " %ld: %ld %ld/%ld %ld/%ld %ld/%ld", &uid, &usage, &nkeys, &nikeys,
			   keys, maxkeys, bytes, maxbytes) == 8 &&
		    uid == (long)getuid())
			r = 0;
	if (f != NULL)
		fclose(f);
	return r;
}

void doctor_check_kernel(struct doctor_report *d)
{
	long keys = 0, maxkeys = 0, bytes = 0, maxbytes = 0;
	char fix[256];

	if (syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0) < 0) {
		d->report(d->arg, DOCTOR_WARN, denied_fix,
			  "kernel keyring: not usable here (keyctl: %s); the next tier serves",
			  strerror(errno));
		return;
	}
	if (quota(&keys, &maxkeys, &bytes, &maxbytes) != 0) {
		d->report(d->arg, DOCTOR_OK, NULL,
			  "kernel keyring: usable (no quota line for this user yet)");
		return;
	}
	if (keys + SPARE_KEYS > maxkeys || bytes + SPARE_BYTES > maxbytes) {
		snprintf(fix, sizeof(fix),
			 "see what holds it: keyctl show @u; or raise it: sysctl -w "
			 "kernel.keys.%smaxkeys=%ld kernel.keys.%smaxbytes=%ld",
			 getuid() == 0 ? "root_" : "", maxkeys * 2, getuid() == 0 ? "root_" : "",
			 maxbytes * 2);
		d->report(d->arg, DOCTOR_WARN, fix,
			  "kernel keyring: quota nearly full (%ld/%ld keys, %ld/%ld bytes); new "
			  "tokens go to the next tier",
			  keys, maxkeys, bytes, maxbytes);
		return;
	}
	d->report(d->arg, DOCTOR_OK, NULL,
		  "kernel keyring: usable, quota %ld/%ld keys, %ld/%ld bytes", keys, maxkeys, bytes,
		  maxbytes);
}
