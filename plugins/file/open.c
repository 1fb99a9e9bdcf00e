/*
 * open.c - instances of the file module and their options.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "hostmem.h"
#include "state.h"
#include "strutil.h"

#define MAX_BYTES_MIN 4096
#define MAX_BYTES_MAX (1LL << 30)
#define LOCK_TIMEOUT_MAX 600000

struct options {
	const char *path; /* NULL: the default */
	size_t max_bytes;
	int lock_timeout_ms;
};

/* "key=" at the start of arg: the value, else NULL. */
static const char *option(const char *arg, const char *key)
{
	size_t n = strlen(key);

	return strncmp(arg, key, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

static int parse_option(const char *arg, struct options *o, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '='), *v;
	size_t klen;
	int64_t n;

	if ((v = option(arg, "path")) != NULL) {
		o->path = v;
		return 0;
	}
	if ((v = option(arg, "max_bytes")) != NULL) {
		if (cobocred_parse_i64(v, MAX_BYTES_MIN, MAX_BYTES_MAX, &n) != 0) {
			snprintf(err, errlen,
				 "[module file] max_bytes= wants a number of bytes "
				 "from %d to %lld",
				 MAX_BYTES_MIN, MAX_BYTES_MAX);
			return -1;
		}
		o->max_bytes = (size_t)n;
		return 0;
	}
	if ((v = option(arg, "lock_timeout_ms")) != NULL) {
		if (cobocred_parse_i64(v, 0, LOCK_TIMEOUT_MAX, &n) != 0) {
			snprintf(err, errlen,
				 "[module file] lock_timeout_ms= wants milliseconds "
				 "from 0 to %d",
				 LOCK_TIMEOUT_MAX);
			return -1;
		}
		o->lock_timeout_ms = (int)n;
		return 0;
	}
	klen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	snprintf(err, errlen,
		 "[module file] unknown option '%.*s'; known options: path, "
		 "max_bytes, lock_timeout_ms",
		 (int)(klen > 40 ? 40 : klen), arg);
	return -1;
}

int file_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state)
{
	struct options o = { NULL, FILE_DEFAULT_MAX_BYTES, FILE_DEFAULT_LOCK_TIMEOUT_MS };
	struct file_state *s = NULL;
	char err[1024], why[512], path[4096];
	int i, r = COBOCRED_ERROR;

	*state = NULL;
	/* Secrets only in host memory, where the trace writer can redact them. */
	cobocred_hostmem_bind(host->secret_alloc, host->secret_free);
	for (i = 0; i < argc; i++)
		if (parse_option(argv[i], &o, err, sizeof(err)) != 0)
			goto out;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, sizeof(err), "out of memory opening the file store");
		goto out;
	}
	s->host = host;
	/* Relative to the config file's directory, ~/ under HOME (fsutil.h). */
	if (o.path != NULL && cobocred_path_resolve(cobocred_host_config_file(host), o.path, path,
						    sizeof(path), why, sizeof(why)) != 0) {
		snprintf(err, sizeof(err), "path: %s", why);
		goto out;
	}
	r = file_io_paths(&s->paths, o.path != NULL ? path : NULL, o.max_bytes, err, sizeof(err));
	if (r != COBOCRED_SUCCESS)
		goto out;
	s->paths.lock_timeout_ms = o.lock_timeout_ms;
	*state = s;
	s = NULL;
out:
	if (r != COBOCRED_SUCCESS)
		host->set_error(host->ctx, "%s", err);
	free(s);
	return r;
}

void file_close(void *state)
{
	free(state);
}
