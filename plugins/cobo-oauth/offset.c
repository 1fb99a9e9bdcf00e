/*
 * offset.c - the learned clock allowance per Cobo server: the file, its
 * checks and its two moves (see offset.h for why it exists).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fsutil.h"
#include "offset.h"
#include "response.h"
#include "strutil.h"

#define MAGIC "cobo-clock 1 "
#define AHEAD_MAX ((int64_t)OAUTH_REQUEST_WINDOW * 1000)

static int64_t clamp(int64_t ahead_ms)
{
	return ahead_ms < 0 ? 0 : ahead_ms > AHEAD_MAX ? AHEAD_MAX : ahead_ms;
}

/* Decimal digits, no sign, no leading zero, at most AHEAD_MAX.  0 or -1. */
static int parse_ms(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 6 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > AHEAD_MAX)
		return -1;
	*out = v;
	return 0;
}

int oauth_offset_parse(const char *buf, size_t len, const char *hostport, int64_t *ahead_ms,
		       char *why, size_t whylen)
{
	size_t m = strlen(MAGIC), h = strlen(hostport);
	const char *num;

	*ahead_ms = 0;
	if (len > OAUTH_OFFSET_FILE_MAX) {
		snprintf(why, whylen, "longer than %d bytes", OAUTH_OFFSET_FILE_MAX);
		return -1;
	}
	if (len < m || memcmp(buf, MAGIC, m) != 0) {
		snprintf(why, whylen, "it does not start with \"%s\"", MAGIC);
		return -1;
	}
	if (len < m + h + 1 || memcmp(buf + m, hostport, h) != 0 || buf[m + h] != ' ') {
		snprintf(why, whylen, "it is not for the server %s", hostport);
		return -1;
	}
	num = buf + m + h + 1;
	if (len < m + h + 3 || buf[len - 1] != '\n' ||
	    parse_ms(num, (size_t)(buf + len - 1 - num), ahead_ms) != 0) {
		snprintf(why, whylen, "no single line ending in milliseconds 0..%lld",
			 (long long)AHEAD_MAX);
		return -1;
	}
	return 0;
}

/* The file's checks: a regular file of ours, 0600, not too long.  0 or -1 with why. */
static int file_ok(const char *path, const struct stat *st, char *why, size_t whylen)
{
	if (!S_ISREG(st->st_mode))
		snprintf(why, whylen, "%s is not a regular file; remove it", path);
	else if (st->st_uid != geteuid())
		snprintf(why, whylen, "%s is owned by uid %u, not by you; remove it", path,
			 (unsigned)st->st_uid);
	else if ((st->st_mode & 07777) != 0600)
		snprintf(why, whylen, "%s has mode %04o, not 0600; remove it", path,
			 (unsigned)(st->st_mode & 07777));
	else if (st->st_size > OAUTH_OFFSET_FILE_MAX)
		snprintf(why, whylen, "%s is longer than %d bytes; remove it", path,
			 OAUTH_OFFSET_FILE_MAX);
	else
		return 0;
	return -1;
}

int oauth_offset_read(const char *path, const char *hostport, int64_t *ahead_ms, char *why,
		      size_t whylen)
{
	char buf[OAUTH_OFFSET_FILE_MAX + 1], reason[256];
	struct stat st;
	ssize_t n;
	int fd, r = -1;

	*ahead_ms = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(why, whylen, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (file_ok(path, &st, why, whylen) != 0)
		goto out;
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (oauth_offset_parse(buf, (size_t)n, hostport, ahead_ms, reason, sizeof(reason)) != 0) {
		snprintf(why, whylen, "%s: %s; remove it", path, reason);
		goto out;
	}
	r = 1;
out:
	close(fd);
	return r;
}

int oauth_offset_write(const char *path, const char *hostport, int64_t ahead_ms, char *why,
		       size_t whylen)
{
	char line[OAUTH_OFFSET_FILE_MAX + 1];
	int n = snprintf(line, sizeof(line), MAGIC "%s %lld\n", hostport,
			 (long long)clamp(ahead_ms));

	if (n < 0 || (size_t)n > OAUTH_OFFSET_FILE_MAX || strchr(hostport, '\n') != NULL ||
	    strchr(hostport, ' ') != NULL) {
		snprintf(why, whylen, "the server name does not fit the file");
		return -1;
	}
	return cobocred_write_atomic(path, line, (size_t)n, 0600, why, whylen);
}

int oauth_offset_path(const char *dir, const char *hostport, char *path, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[65];
	int n;

	if (dir == NULL ||
	    EVP_Digest(hostport, strlen(hostport), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return -1;
	cobocred_hex_encode(md, 32, hex);
	n = snprintf(path, len, "%s/cobo-clock-%s", dir, hex);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int64_t oauth_offset_get_at(const char *path, const char *hostport)
{
	char why[4096 + 256];
	int64_t ahead = 0;

	return oauth_offset_read(path, hostport, &ahead, why, sizeof(why)) == 1 ? ahead : 0;
}

int oauth_offset_lower_at(const char *path, const char *hostport, int64_t sample_ms, char *why,
			  size_t whylen)
{
	int64_t ahead = 0;

	/* Nothing learned (or a refused file): 0 already allows no more. */
	if (oauth_offset_read(path, hostport, &ahead, why, whylen) != 1 ||
	    clamp(sample_ms) >= ahead)
		return 0;
	return oauth_offset_write(path, hostport, sample_ms, why, whylen);
}

/* 1 with *ahead_ms, 0 none, -1 refused or no path (traced); path filled when it fits. */
static int load(const struct cobocred_host *h, const char *hostport, char *path, size_t len,
		int64_t *ahead_ms)
{
	char why[4096 + 256];
	int r;

	*ahead_ms = 0;
	if (oauth_offset_path(h->state_dir(h->ctx), hostport, path, len) != 0) {
		h->log(h->ctx, COBOCRED_LOG_INFO,
		       "cobo-oauth: no state directory for the clock allowance of %s", hostport);
		return -1;
	}
	r = oauth_offset_read(path, hostport, ahead_ms, why, sizeof(why));
	if (r < 0)
		h->log(h->ctx, COBOCRED_LOG_INFO,
		       "cobo-oauth: clock allowance ignored (taken as 0): %s", why);
	return r;
}

int64_t oauth_offset_get(const struct cobocred_host *h, const char *hostport)
{
	char path[4096];
	int64_t ahead = 0;

	(void)load(h, hostport, path, sizeof(path), &ahead);
	return ahead;
}

static void save(const struct cobocred_host *h, const char *path, const char *hostport,
		 int64_t ahead_ms, const char *what)
{
	char why[4096 + 256];

	if (oauth_offset_write(path, hostport, ahead_ms, why, sizeof(why)) != 0)
		h->log(h->ctx, COBOCRED_LOG_INFO, "cobo-oauth: clock allowance not kept: %s", why);
	else
		h->log(h->ctx, COBOCRED_LOG_DEBUG,
		       "cobo-oauth: clock allowance for %s %s to %lld ms", hostport, what,
		       (long long)clamp(ahead_ms));
}

void oauth_offset_lower(const struct cobocred_host *h, const char *hostport, int64_t sample_ms)
{
	char path[4096];
	int64_t ahead = 0;

	/* Nothing learned (or a refused file): 0 already allows no more. */
	if (load(h, hostport, path, sizeof(path), &ahead) == 1 && clamp(sample_ms) < ahead)
		save(h, path, hostport, sample_ms, "lowered");
}

void oauth_offset_raise(const struct cobocred_host *h, const char *hostport, int64_t ahead_ms)
{
	char path[4096];

	if (oauth_offset_path(h->state_dir(h->ctx), hostport, path, sizeof(path)) == 0)
		save(h, path, hostport, ahead_ms, "raised");
}
