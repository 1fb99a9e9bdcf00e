/*
 * bench/spawn.c - runs one command and reports what it cost:
 *
 *     spawn FD CMD [ARG...]  ->  stdin/stdout/stderr pass through; on FD:
 *                                "WALL_NS CPU_NS MAXRSS_KIB EXIT_CODE\n"
 *
 * Why not time it from Python: Linux charges a child's peak RSS from before
 * its exec() too, so a child forked from a 10 MB Python process reports at
 * least 10 MB whatever it runs.  Forked from this small static program, the
 * floor is this program's own few hundred KiB.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* The report descriptor: a decimal number from 3 to 1023, or -1. */
static int parse_fd(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 3 || v > 1023)
		return -1;
	return (int)v;
}

static long long tv_ns(const struct timeval *t)
{
	return t->tv_sec * 1000000000LL + t->tv_usec * 1000LL;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status, code, fd;
	pid_t pid;

	if (argc < 3 || (fd = parse_fd(argv[1])) < 0) {
		fprintf(stderr,
			"usage: spawn FD CMD [ARG...] (the report goes to FD, 3 or more)\n");
		return 64;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("spawn: fork");
		return 71;
	}
	if (pid == 0) {
		close(fd);
		execvp(argv[2], argv + 2);
		perror("spawn: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("spawn: wait4");
		return 71;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	dprintf(fd, "%lld %lld %ld %d\n", ns(&t1) - ns(&t0),
		tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime), ru.ru_maxrss, code);
	return 0;
}
