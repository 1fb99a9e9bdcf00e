/*
 * response.h - strict parsing of the token endpoint's JSON: the token
 * answer and both error shapes.  Pure functions over bytes (a fuzz target).
 */
#ifndef COBO_OAUTH_RESPONSE_H
#define COBO_OAUTH_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#define OAUTH_TOKEN_MAX 4096		/* bytes in an access or refresh token */
#define OAUTH_EXPIRES_MAX 31536000	/* one year, in seconds */
#define OAUTH_JSON_DEPTH 16		/* deeper nesting is refused */
#define OAUTH_BODY_MAX (64 * 1024)	/* larger responses are refused */

/* A parsed token answer.  Tokens live in wiped secret memory. */
struct oauth_token {
	char *access_token;  /* owned; NUL-terminated */
	size_t access_len;
	char *refresh_token; /* owned; NUL-terminated */
	size_t refresh_len;
	int64_t expires_in;  /* seconds, 1..OAUTH_EXPIRES_MAX */
};

/*
 * Parses {"access_token","token_type":"Bearer","expires_in","refresh_token",...}.
 * Unknown fields are ignored; a missing or mistyped field, an absurd value
 * or malformed JSON gives -1 with a reason naming the field in err.
 * On success *out owns two tokens: release with oauth_token_clear().
 */
int oauth_parse_token(const char *body, size_t len, struct oauth_token *out, char *err,
		      size_t errlen);
/* Wipes and frees the tokens; leaves *t zeroed.  Safe on a zeroed struct. */
void oauth_token_clear(struct oauth_token *t);

/* A parsed error answer, cleaned for display (no control characters). */
struct oauth_error {
	int oauth;	   /* 1: OAuth shape {"error","error_description"} */
	char code[64];	   /* error_code (as text), or the OAuth "error" */
	char message[256]; /* error_message or error_description */
	char id[80];	   /* error_id; "" if absent */
};

/*
 * Parses {"error_code","error_message","error_id"} or
 * {"error","error_description"}.  0 if either shape was recognised
 * (fields may still be empty), -1 otherwise.  *out is always initialised.
 */
int oauth_parse_error(const char *body, size_t len, struct oauth_error *out);

/* "error 2030: message (error id X)" or "invalid_grant: description". */
void oauth_error_format(const struct oauth_error *e, char *buf, size_t len);

#endif
