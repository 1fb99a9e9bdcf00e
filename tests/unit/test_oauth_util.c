/*
 * test_oauth_util.c - helpers for the cobo-oauth unit tests.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutest.h"
#include "test_oauth_util.h"

struct json_object *oauth_test_load_json(const char *relpath)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	struct json_object *o;

	if (top == NULL || *top == '\0')
		top = OAUTH_TOP_SRCDIR;
	snprintf(path, sizeof(path), "%s/%s", top, relpath);
	o = json_object_from_file(path);
	if (o == NULL)
		fprintf(stderr, "cannot read %s: %s\n", path, json_util_get_last_err());
	return o;
}

const char *oauth_test_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

size_t oauth_test_strlen(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return 0;
	return (size_t)json_object_get_string_len(v);
}

static int nib(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t oauth_test_unhex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = strlen(hex), i;

	if (n % 2 != 0 || n / 2 > max)
		return (size_t)-1;
	for (i = 0; i < n / 2; i++) {
		int hi = nib((unsigned char)hex[2 * i]), lo = nib((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return (size_t)-1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return n / 2;
}

const char *oauth_test_hex(const unsigned char *in, size_t n)
{
	static char buf[2 * 128 + 1];
	size_t i;

	if (n > 128)
		n = 128;
	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", in[i]);
	buf[2 * n] = '\0';
	return buf;
}

const char *oauth_test_file(int slot, const char *name, const char *text, unsigned mode)
{
	static char paths[4][512];

	slot &= 3;
	snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", cutest_tmpdir(), name);
	cutest_write(paths[slot], text, mode);
	return paths[slot];
}
