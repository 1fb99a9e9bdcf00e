/*
 * test_oauth_util.h - helpers shared by the cobo-oauth unit tests: the
 * vector files are read at run time, so no vector is copied by hand.
 */
#ifndef TEST_OAUTH_UTIL_H
#define TEST_OAUTH_UTIL_H

#include <stddef.h>

#include <json-c/json.h>

/* Parses $top_srcdir/relpath (or the configured source dir); NULL on failure. */
struct json_object *oauth_test_load_json(const char *relpath);
/* The string member key of o, or NULL if absent or not a string. */
const char *oauth_test_str(struct json_object *o, const char *key);
/* Length of the string member key of o (it may hold NUL-free UTF-8 of any length). */
size_t oauth_test_strlen(struct json_object *o, const char *key);
/* Decodes hex into out (at most max bytes); returns the byte count, or (size_t)-1. */
size_t oauth_test_unhex(const char *hex, unsigned char *out, size_t max);
/* A lower-case hex string of n bytes in a static buffer (n <= 128). */
const char *oauth_test_hex(const unsigned char *in, size_t n);
/* Writes a file under the test temp dir with mode; returns its path (static buffer per call slot 0..3). */
const char *oauth_test_file(int slot, const char *name, const char *text, unsigned mode);

#endif
