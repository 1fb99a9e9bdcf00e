/*
 * test_file_helpers.c - see test_file_helpers.h.
 */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_file_helpers.h"

static char home[256];

const char *tf_home_setup(void)
{
	const char *base = getenv("TMPDIR");
	char env[512];

	snprintf(home, sizeof(home), "%s/cobo-test-file.XXXXXX",
		 base != NULL && base[0] == '/' ? base : "/tmp");
	if (mkdtemp(home) == NULL)
		return NULL;
	setenv("HOME", home, 1);
	snprintf(env, sizeof(env), "%s/.local/share", home);
	setenv("XDG_DATA_HOME", env, 1);
	snprintf(env, sizeof(env), "%s/.config", home);
	setenv("XDG_CONFIG_HOME", env, 1);
	snprintf(env, sizeof(env), "%s/.cache", home);
	setenv("XDG_CACHE_HOME", env, 1);
	snprintf(env, sizeof(env), "%s/run", home);
	setenv("XDG_RUNTIME_DIR", env, 1);
	mkdir(env, 0700);
	unsetenv("COBO_CREDENTIAL_CONFIG");
	unsetenv("COBO_CREDENTIAL_TRACE");
	unsetenv("COBO_CREDENTIAL_NOW_OFFSET");
	return home;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

void tf_home_cleanup(void)
{
	if (home[0] != '\0')
		nftw(home, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	home[0] = '\0';
}

const char *tf_path(const char *rel)
{
	static char bufs[4][512];
	static int next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", home, rel);
	return b;
}

char *tf_read(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	got = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (got != st.st_size) {
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	*len = (size_t)got;
	return buf;
}

int tf_write(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, data, len);
	if (fchmod(fd, mode) != 0 || close(fd) != 0 || w != (ssize_t)len)
		return -1;
	return 0;
}

struct cobocred_item *tf_item(const char *schema, const void *secret, size_t len, ...)
{
	struct cobocred_item *it = cobocred_item_new(schema);
	const char *name;
	va_list ap;

	if (it == NULL || cobocred_item_set_secret(it, secret, len) != 0)
		abort();
	va_start(ap, len);
	while ((name = va_arg(ap, const char *)) != NULL)
		if (cobocred_item_add_attr(it, name, va_arg(ap, const char *)) != 0)
			abort();
	va_end(ap);
	return it;
}
