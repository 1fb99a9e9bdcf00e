/*
 * harden.c - process hardening for the front-ends: a crash must not write
 * tokens or keys to a core file, and other processes of the same user must
 * not read our memory through ptrace or /proc/PID/mem.
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "engine.h"

void cobocred_harden_process(void)
{
	struct rlimit rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
	/* A write past RLIMIT_FSIZE must fail with EFBIG (reported, store kept),
	 * not kill the helper halfway through a store. */
	(void)signal(SIGXFSZ, SIG_IGN);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
