/*
 * test_paths_env.c - the shared set-up of test_paths (test_paths.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cutest.h"
#include "test_paths.h"

struct paths_env pe;

void paths_must(int ok, const char *what, const char *path)
{
	if (ok)
		return;
	fprintf(stderr, "test_paths: %s %s: %s\n", what, path, strerror(errno));
	exit(99);
}

void paths_mkdir(const char *path, unsigned mode)
{
	paths_must(mkdir(path, 0700) == 0 && chmod(path, mode) == 0, "mkdir", path);
}

void paths_copy(const char *from, const char *to, unsigned mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	paths_must(in >= 0 && out >= 0, "open for a copy", to);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		paths_must(write(out, buf, (size_t)n) == n, "write", to);
	paths_must(n == 0 && close(out) == 0 && chmod(to, mode) == 0, "copy", to);
	close(in);
}

void paths_conf(const char *path, const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cutest_write(path, text, 0600);
}

void paths_use_conf(const char *path)
{
	setenv("COBO_CREDENTIAL_CONFIG", path, 1);
}

void paths_drop_conf(void)
{
	unsetenv("COBO_CREDENTIAL_CONFIG");
}

/* Nothing listens on port 9: a token get that passes every file check
 * ends in "cannot reach" (no server needed). */
void paths_profile(const char *path, const char *extra)
{
	paths_conf(path,
		   "[profile p]\nbase_url = https://127.0.0.1:9\nclient_id = cid\norg_id = org1\n"
		   "server_key = dev\n%s",
		   extra);
}

/* `schemas =` sends a git get to etcd, so the helper loads it and reads its files. */
void paths_etcd(const char *path, const char *extra)
{
	paths_conf(path,
		   "[stack]\nget = etcd\n[module etcd]\nendpoints = http://127.0.0.1:9\n"
		   "schemas = org.git.Password\n%s",
		   extra);
}

/* The scripted test module as "probe", which answers mod-ok. */
void paths_probe(const char *path)
{
	paths_conf(path, "[stack]\nget = probe\n[module probe]\nget = SUCCESS\nsecret = mod-ok\n");
}

/* re with @T@, @ME@ and @OTHER@ replaced. */
static void expand(const char *re, char *out, size_t len)
{
	size_t w = 0;

	while (*re != '\0' && w + 1 < len) {
		char num[24];
		const char *put = NULL;
		size_t skip = 0;

		if (strncmp(re, "@T@", 3) == 0)
			put = pe.tmp, skip = 3;
		else if (strncmp(re, "@ME@", 4) == 0)
			inproc_fmt(num, sizeof(num), "%u", (unsigned)pe.me), put = num, skip = 4;
		else if (strncmp(re, "@OTHER@", 7) == 0)
			inproc_fmt(num, sizeof(num), "%u", (unsigned)pe.other), put = num, skip = 7;
		if (put == NULL) {
			out[w++] = *re++;
			continue;
		}
		w += (size_t)snprintf(out + w, len - w, "%s", put);
		if (w >= len)
			w = len - 1;
		re += skip;
	}
	out[w] = '\0';
}

int paths_match(const char *what, const char *re, const char *text)
{
	char pattern[2048];
	regex_t rx;
	int hit;

	expand(re, pattern, sizeof(pattern));
	if (regcomp(&rx, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		fprintf(stderr, "test_paths: bad pattern %s\n", pattern);
		exit(99);
	}
	hit = regexec(&rx, text, 0, NULL, 0) == 0;
	regfree(&rx);
	if (!hit)
		fprintf(stderr, "\n  %s:\n    wanted /%s/\n    got    '%s'\n", what, pattern, text);
	return hit;
}

int paths_git_etcd(struct inproc *res)
{
	static unsigned runs;
	char trace[512];

	inproc_fmt(trace, sizeof(trace), "%s/trace.%u", pe.tmp, ++runs);
	setenv("COBO_CREDENTIAL_TRACE", trace, 1);
	inproc_git("get", "protocol=https\nhost=x.example\n\n", res);
	unsetenv("COBO_CREDENTIAL_TRACE");
	return access(trace, F_OK) == 0 &&
	       strstr(cutest_read_file(trace), "loaded module 'etcd'") != NULL;
}
