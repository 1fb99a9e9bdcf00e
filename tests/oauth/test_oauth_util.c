/*
 * test_oauth_util.c - helpers for the cobo-oauth unit tests.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutest.h"
#include "strutil.h"
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

size_t oauth_test_unhex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = strlen(hex);

	if (n % 2 != 0 || n / 2 > max || cobocred_hex_decode(hex, out, n / 2) != 0)
		return (size_t)-1;
	return n / 2;
}

const char *oauth_test_hex(const unsigned char *in, size_t n)
{
	static char buf[2 * 128 + 1];

	cobocred_hex_encode(in, n > 128 ? 128 : n, buf);
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
