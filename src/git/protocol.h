/*
 * protocol.h - git's credential helper protocol (gitcredentials(7),
 * git-credential(1)): the request a helper reads on stdin.
 *
 * The parser is pure and bounded (a fuzz target): it reads key=value lines
 * up to the first blank line or the end of the buffer, ignores keys it does
 * not know, and fails on input git would never send (NUL, a line without
 * '=', a line over GIT_LINE_MAX, input over GIT_INPUT_MAX, a url= it
 * cannot split).
 */
#ifndef COBOCRED_GIT_PROTOCOL_H
#define COBOCRED_GIT_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

/* Longest line read whole, excluding its "\n" or "\r\n" (git's own cap). */
#define GIT_LINE_MAX 65535
/* The whole request, blank-line terminator included. */
#define GIT_INPUT_MAX (1024 * 1024)

/* capability[] values the request announced (recorded, never answered). */
#define GIT_CAPA_AUTHTYPE 0x1u
#define GIT_CAPA_STATE 0x2u

/*
 * A parsed request.  Every string is owned by the request; password and
 * oauth_refresh_token live in wiped secret memory.  NULL means the key was
 * absent; "" means it was present and empty (git's "username=").
 */
struct git_req {
	char *protocol;
	char *host; /* may carry ":port"; IPv6 literals keep their brackets */
	char *path;
	char *username;
	char *password;		     /* secret memory */
	char *oauth_refresh_token;   /* secret memory */
	int64_t password_expiry_utc; /* 0: absent */
	int ephemeral;		     /* the credential must never be stored */
	unsigned capabilities;	     /* GIT_CAPA_* */
};

/*
 * Parses buf[0..len) into *out (cleared first; call git_req_clear after,
 * whatever the result).  Returns 0, or -1 with a one-line reason in err.
 * Sets *consumed, if not NULL, to the bytes up to and including the blank
 * line (or len).
 */
int git_req_parse(const char *buf, size_t len, struct git_req *out, size_t *consumed, char *err,
		  size_t errlen);

/* Frees and wipes everything the request owns; leaves it empty. */
void git_req_clear(struct git_req *r);

/*
 * Offset just past the request's terminating blank line in buf[0..len), or
 * 0 if there is none yet, so a reader can stop at the blank line without
 * waiting for EOF.  *scan (0 on the first call) remembers where the last
 * incomplete line starts: a reader calling this after every read looks at
 * each byte once.
 */
size_t git_req_end(const char *buf, size_t len, size_t *scan);

/*
 * Splits url into r the way git's credential_from_url does: r is cleared,
 * then protocol, username, password, host and path are set from
 * "proto://[user[:pass]@]host[/path]" (percent-decoded; the path loses its
 * leading and trailing slashes).  Returns 0, or -1 with a reason in err.
 */
int git_url_split(const char *url, size_t len, struct git_req *r, char *err, size_t errlen);

#endif
