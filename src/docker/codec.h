/*
 * codec.h - the Docker credential-helper wire format (store, get, erase,
 * list), read and written as the reference helpers of
 * docker/docker-credential-helpers do.  Pure and bounded: no I/O, no
 * configuration, no global state; a fuzz target can call every function.
 *
 *   store  stdin: {"ServerURL":..,"Username":..,"Secret":..}
 *   get    stdin: the server URL; stdout: the same JSON object
 *   erase  stdin: the server URL
 *   list   stdout: {"ServerURL":"Username",...}
 */
#ifndef DOCKER_CODEC_H
#define DOCKER_CODEC_H

#include <stddef.h>

/* Largest request read from stdin (a secret of 1 MiB fits with room to spare). */
#define DOCKER_INPUT_MAX ((size_t)2 * 1024 * 1024)
/* Largest server URL (stored or asked for). */
#define DOCKER_URL_MAX ((size_t)65535)

/* Error codes; docker_strerror() turns them into text. */
enum docker_err {
	DOCKER_OK = 0,
	DOCKER_E_NOMEM = -1,
	DOCKER_E_TOOBIG = -2,	  /* input over DOCKER_INPUT_MAX */
	DOCKER_E_EMPTY = -3,	  /* no JSON value at all */
	DOCKER_E_SYNTAX = -4,	  /* malformed JSON (offset set) */
	DOCKER_E_DEPTH = -5,	  /* nested too deeply (offset set) */
	DOCKER_E_NOT_OBJECT = -6, /* the value is not an object (got set) */
	DOCKER_E_TYPE = -7,	  /* a field is not a string (field, got set) */
	DOCKER_E_NO_URL = -8,	  /* "no credentials server URL" */
	DOCKER_E_NO_USER = -9,	  /* "no credentials username" */
	DOCKER_E_NUL = -10,	  /* a field holds a NUL character (field set) */
	DOCKER_E_URL_LONG = -11,  /* server URL over DOCKER_URL_MAX */
	DOCKER_E_LINEBREAK = -12, /* CR or LF in ServerURL or Username (field set) */
};

/* Where and why parsing failed. */
struct docker_error {
	int code;	   /* enum docker_err */
	size_t offset;	   /* byte offset of a syntax or depth error */
	const char *field; /* "ServerURL", "Username" or "Secret", or NULL */
	const char *got;   /* kind of the offending value ("a number"), or NULL */
};

/* A parsed store request. */
struct docker_creds {
	char *server_url; /* owned, heap */
	char *username;	  /* owned, heap */
	char *secret;	  /* owned, secret memory (cobocred_secret_alloc); NUL after it */
	size_t secret_len;
};

/*
 * Parses a store request in[0, len) as Go's json.Decoder.Decode into the
 * reference Credentials struct: field names match case-insensitively, the
 * last occurrence of a field wins, null leaves a field alone, unknown
 * fields are skipped, and anything after the first JSON value is ignored.
 * Then the reference checks (server URL, then username, not empty), and
 * ours: no NUL in any field, URL at most DOCKER_URL_MAX.
 * Returns 0 with *out filled (free with docker_creds_clear), or a negative
 * code with *out empty and err (may be NULL) filled.
 */
int docker_parse_store(const char *in, size_t len, struct docker_creds *out,
		       struct docker_error *err);
/* Frees and wipes the fields; c may be partly filled. */
void docker_creds_clear(struct docker_creds *c);

/*
 * The server URL of a get or erase request as the reference reads it: the
 * lines joined without their line ends (a CR before LF dropped too), then
 * Unicode white space trimmed from both ends.  Returns 0 with *url (heap,
 * caller frees), or DOCKER_E_NO_URL, DOCKER_E_URL_LONG, DOCKER_E_NUL,
 * DOCKER_E_TOOBIG, DOCKER_E_NOMEM.
 */
int docker_parse_url(const char *in, size_t len, char **url);

/*
 * The get answer: {"ServerURL":..,"Username":..,"Secret":..} and a newline.
 * *out is secret memory owned by the caller (cobocred_secret_free), *outlen
 * its length.  0 or a negative code.
 */
int docker_write_creds(const char *server_url, const char *username, const unsigned char *secret,
		       size_t secret_len, char **out, size_t *outlen);

/* One list entry. */
struct docker_list_entry {
	const char *server;
	const char *username;
};

/*
 * The list answer: a JSON object of server -> username and a newline,
 * keys sorted byte-wise as Go sorts map keys; when a server appears twice
 * the later entry wins (Go map assignment).  v is reordered.  *out is secret memory
 * owned by the caller (cobocred_secret_free).  0 or a negative code.
 */
int docker_write_list(struct docker_list_entry *v, size_t n, char **out, size_t *outlen);

/* The text for a code. */
const char *docker_strerror(int code);
/* A one-line message for err: what went wrong; what to do.  Returns buf. */
const char *docker_format_error(const struct docker_error *err, char *buf, size_t len);

#endif
