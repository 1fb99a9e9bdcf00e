/*
 * origin.h - strict parsers for the fields a request names a server by,
 * and the one origin rule: a Cobo profile's token goes only to a request
 * whose scheme, host and port equal those of the profile's base_url.
 *
 * Each field is parsed on its own and the parsed values are compared; a
 * URL is never assembled from fields to be parsed again (that is how
 * "host=evil.example@api.dev.cobo.com" once reached the token).
 *
 *   protocol  [a-z][a-z0-9+.-]*, at most COBOCRED_SCHEME_MAX bytes
 *   host      a DNS name of LDH labels (no trailing dot), a dotted IPv4
 *             address, or [IPv6]; then an optional :PORT, 1-65535, no
 *             leading zero.  Nothing else: no userinfo, no percent
 *             encoding, no other delimiter, nothing outside ASCII.
 *
 * Internal to the core; the unit tests and the fuzz target use it.
 */
#ifndef COBOCRED_ORIGIN_H
#define COBOCRED_ORIGIN_H

#include <stddef.h>

#define COBOCRED_SCHEME_MAX 32
/* 253 for a DNS name; an IPv6 literal in brackets is at most 47. */
#define COBOCRED_HOST_MAX 253

struct cobocred_origin {
	char scheme[COBOCRED_SCHEME_MAX + 1]; /* lower-case */
	char host[COBOCRED_HOST_MAX + 1];     /* lower-case; IPv6 canonical, in brackets */
	unsigned port;			      /* given, or the scheme's default; 0: none known */
};

/* 0 if s is a protocol name as above, else -1 with a reason in *why (static text). */
int cobocred_parse_protocol(const char *s, const char **why);

/*
 * Parses s[0, n) as host[:port] into o->host and o->port (0 when no port
 * is given; o->scheme untouched).  0, or -1 with *why (static text).
 */
int cobocred_parse_hostport(const char *s, size_t n, struct cobocred_origin *o, const char **why);

/* The default port of scheme (https 443, http 80), or 0. */
unsigned cobocred_default_port(const char *scheme);

/*
 * A profile's base_url: https://host[:port][/path] (or http:// when the
 * profile allows it; the caller decides).  0 or -1 with *why.
 */
int cobocred_parse_base_url(const char *url, struct cobocred_origin *o, const char **why);

/*
 * A Docker server address: host[:port][/path], https://host[:port][/path]
 * or http://host[:port][/path] (scheme "http", which never matches a
 * profile).  0 or -1 with *why.
 */
int cobocred_parse_docker_server(const char *s, struct cobocred_origin *o, const char **why);

/* 1 if a and b name the same origin (scheme, host, port; default port normalised). */
int cobocred_origin_same(const struct cobocred_origin *a, const struct cobocred_origin *b);

/*
 * s as it may be shown in a one-line message: printable ASCII kept, every
 * other byte as \xHH, cut at about 80 characters.  Returns out.
 */
const char *cobocred_show(const char *s, char *out, size_t outlen);

#endif
