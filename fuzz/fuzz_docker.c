/*
 * fuzz_docker.c - libFuzzer target: the Docker credential-helper reader
 * (src/docker/codec.h): the store request's JSON and the get/erase URL.
 *
 * Invariants checked beyond "no crash":
 *  - an accepted store request has a non-empty URL (at most
 *    DOCKER_URL_MAX bytes) and username, no NUL in any field, a secret
 *    that is never NULL; written back as a get answer and read again it
 *    gives exactly the same three fields;
 *  - a refused request leaves *out empty and has a one-line message;
 *  - an accepted URL is non-empty, holds no NUL or LF, has no white
 *    space at either end, and reads back unchanged;
 *  - no secret memory outlives the request.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

static void check_one_line(const char *s)
{
	size_t i, n = strlen(s);

	CHECK(n > 0);
	for (i = 0; i < n; i++)
		CHECK(s[i] != '\n' && s[i] != '\r');
}

static void check_empty(const struct docker_creds *c)
{
	CHECK(c->server_url == NULL && c->username == NULL && c->secret == NULL);
	CHECK(c->secret_len == 0);
}

/* get answer -> store parser: the same fields come back. */
static void round_trip(const struct docker_creds *c)
{
	struct docker_creds again;
	struct docker_error e;
	char *out = NULL;
	size_t outlen = 0;

	CHECK(docker_write_creds(c->server_url, c->username, (const unsigned char *)c->secret,
				 c->secret_len, &out, &outlen) == 0);
	CHECK(outlen > 0 && out[outlen - 1] == '\n');
	CHECK(memchr(out, '\n', outlen) == out + outlen - 1); /* one line */
	CHECK(docker_parse_store(out, outlen, &again, &e) == 0);
	CHECK(strcmp(again.server_url, c->server_url) == 0);
	CHECK(strcmp(again.username, c->username) == 0);
	CHECK(again.secret_len == c->secret_len);
	CHECK(memcmp(again.secret, c->secret, c->secret_len) == 0);
	docker_creds_clear(&again);
	cobocred_secret_free(out);
}

static void check_store(const char *buf, size_t len)
{
	struct docker_creds c;
	struct docker_error e;
	char msg[512];
	int rc;

	rc = docker_parse_store(buf, len, &c, &e);
	CHECK(rc == e.code || (rc == 0 && e.code == 0));
	if (rc != 0) {
		CHECK(rc < 0);
		check_empty(&c);
		check_one_line(docker_format_error(&e, msg, sizeof(msg)));
		return;
	}
	CHECK(c.server_url != NULL && c.username != NULL && c.secret != NULL);
	CHECK(c.server_url[0] != '\0' && c.username[0] != '\0');
	CHECK(strlen(c.server_url) <= DOCKER_URL_MAX);
	CHECK(c.secret[c.secret_len] == '\0');
	CHECK(memchr(c.secret, '\0', c.secret_len) == NULL);
	round_trip(&c);
	docker_creds_clear(&c);
	check_empty(&c);
}

static int ascii_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static void check_url(const char *buf, size_t len)
{
	char *url = NULL, *again = NULL;
	size_t n;
	int rc = docker_parse_url(buf, len, &url);

	if (rc != 0) {
		CHECK(rc < 0 && url == NULL);
		check_one_line(docker_strerror(rc));
		return;
	}
	CHECK(url != NULL);
	n = strlen(url);
	CHECK(n > 0 && n <= DOCKER_URL_MAX);
	CHECK(strchr(url, '\n') == NULL);
	CHECK(!ascii_space(url[0]) && !ascii_space(url[n - 1]));
	CHECK(docker_parse_url(url, n, &again) == 0);
	CHECK(strcmp(again, url) == 0);
	free(again);
	free(url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t live = cobocred_secret_live();

	check_store((const char *)data, size);
	check_url((const char *)data, size);
	CHECK(cobocred_secret_live() == live);
	return 0;
}
