/*
 * origin.c - strict request-field parsers and the origin rule (origin.h).
 *
 * Why so strict: every spelling a parser here accepts must name exactly
 * one server, the one a client connecting with that spelling reaches.  A
 * trailing dot, an all-numeric or hex last label (which inet_aton and
 * browsers read as IPv4 in other notations), an IDN or a percent escape
 * each open a second reading, so each is refused rather than normalised.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "origin.h"

static int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
	return is_lower(c | 0x20) || is_digit(c);
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int reason(const char **why, const char *msg)
{
	if (why != NULL)
		*why = msg;
	return -1;
}

int cobocred_parse_protocol(const char *s, const char **why)
{
	size_t i;

	if (s == NULL || !is_lower((unsigned char)s[0]))
		return reason(why, "a protocol starts with a lower-case letter");
	for (i = 1; s[i] != '\0'; i++) {
		int c = (unsigned char)s[i];

		if (!is_lower(c) && !is_digit(c) && c != '+' && c != '.' && c != '-')
			return reason(why,
				      "a protocol is lower-case letters, digits, '+', '.', '-'");
	}
	if (i > COBOCRED_SCHEME_MAX)
		return reason(why, "the protocol is too long");
	return 0;
}

unsigned cobocred_default_port(const char *scheme)
{
	if (strcmp(scheme, "https") == 0)
		return 443;
	if (strcmp(scheme, "http") == 0)
		return 80;
	return 0;
}

/* 1-65535 in decimal, no sign, no leading zero. */
static int parse_port(const char *s, size_t n, unsigned *port, const char **why)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 5 || s[0] == '0')
		return reason(why, "the port is not a number in 1-65535");
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return reason(why, "the port is not a number in 1-65535");
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return reason(why, "the port is not a number in 1-65535");
	*port = v;
	return 0;
}

/* Dotted IPv4, four decimal parts 0-255 without leading zeros. */
static int parse_ipv4(const char *s, size_t n)
{
	size_t i = 0, parts = 0;

	while (parts < 4) {
		size_t start = i;
		unsigned v = 0;

		while (i < n && is_digit((unsigned char)s[i]) && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return -1;
		parts++;
		if (parts < 4 && (i >= n || s[i++] != '.'))
			return -1;
	}
	return i == n ? 0 : -1;
}

/* A label that inet_aton or a browser could read as a number. */
static int numeric_label(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		for (i = 2; i < n && is_hex((unsigned char)s[i]); i++)
			;
		return i == n;
	}
	for (i = 0; i < n && is_digit((unsigned char)s[i]); i++)
		;
	return n > 0 && i == n;
}

/* LDH labels joined by single dots; a numeric last label must be all of an IPv4 address. */
static int parse_dns(const char *s, size_t n, const char **why)
{
	size_t i, start = 0;

	if (n == 0)
		return reason(why, "the host is empty");
	if (n > COBOCRED_HOST_MAX)
		return reason(why, "the host name is longer than 253 characters");
	if (s[n - 1] == '.')
		return reason(why, "the host name ends in a dot");
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			int c = (unsigned char)s[i];

			if (c >= 0x80)
				return reason(why, "the host is not ASCII (write an IDN as xn--)");
			if (!is_alnum(c) && c != '-')
				return reason(why, "the host has a character that is not a letter, "
						   "digit, '-' or '.'");
			continue;
		}
		if (i == start || i - start > 63)
			return reason(why,
				      "a label of the host name is empty or over 63 characters");
		if (s[start] == '-' || s[i - 1] == '-')
			return reason(why, "a label of the host name starts or ends with '-'");
		if (i < n)
			start = i + 1;
	}
	if (numeric_label(s + start, n - start) && parse_ipv4(s, n) != 0)
		return reason(why, "the host is neither a DNS name nor a dotted IPv4 address");
	return 0;
}

/* "[v6]" into canonical lower-case form. */
static int parse_ipv6(const char *s, size_t n, char *out, size_t outlen, const char **why)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;
	size_t i;

	if (n < 3 || n - 2 >= sizeof(tmp) || s[n - 1] != ']')
		return reason(why, "the IPv6 address is not in brackets");
	for (i = 1; i + 1 < n; i++)
		if (!is_hex((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
			return reason(why, "the IPv6 address has a character that is not a hex "
					   "digit, ':' or '.' (no zone ids)");
	memcpy(tmp, s + 1, n - 2);
	tmp[n - 2] = '\0';
	if (inet_pton(AF_INET6, tmp, &a) != 1 || inet_ntop(AF_INET6, &a, tmp, sizeof(tmp)) == NULL)
		return reason(why, "the IPv6 address does not parse");
	if (snprintf(out, outlen, "[%s]", tmp) >= (int)outlen)
		return reason(why, "the IPv6 address does not parse");
	return 0;
}

int cobocred_parse_hostport(const char *s, size_t n, struct cobocred_origin *o, const char **why)
{
	const char *colon;
	size_t hn, i;

	o->host[0] = '\0';
	o->port = 0;
	if (memchr(s, '\0', n) != NULL)
		return reason(why, "the host has a NUL byte");
	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (close == NULL)
			return reason(why, "the IPv6 address is not in brackets");
		hn = (size_t)(close - s) + 1;
		if (parse_ipv6(s, hn, o->host, sizeof(o->host), why) != 0)
			return -1;
		if (hn < n && s[hn] != ':')
			return reason(why,
				      "the IPv6 address is followed by something other than :PORT");
		return hn == n ? 0 : parse_port(s + hn + 1, n - hn - 1, &o->port, why);
	}
	colon = memchr(s, ':', n);
	hn = colon != NULL ? (size_t)(colon - s) : n;
	if (parse_dns(s, hn, why) != 0)
		return -1;
	for (i = 0; i < hn; i++) /* ASCII letters, digits, '-', '.' only by now */
		o->host[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i]);
	o->host[hn] = '\0';
	return colon == NULL ? 0 : parse_port(colon + 1, n - hn - 1, &o->port, why);
}

/* scheme "://" host[:port] then end, or '/' and a path of printable ASCII. */
static int parse_url_rest(const char *rest, struct cobocred_origin *o, const char **why)
{
	size_t n = strcspn(rest, "/"), i;

	if (cobocred_parse_hostport(rest, n, o, why) != 0)
		return -1;
	for (i = n; rest[i] != '\0'; i++) {
		int c = (unsigned char)rest[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\')
			return reason(why, "the path has a space, control or non-ASCII character");
	}
	if (o->port == 0)
		o->port = cobocred_default_port(o->scheme);
	return 0;
}

int cobocred_parse_base_url(const char *url, struct cobocred_origin *o, const char **why)
{
	memset(o, 0, sizeof(*o));
	if (strncmp(url, "https://", 8) == 0) {
		memcpy(o->scheme, "https", 6);
		return parse_url_rest(url + 8, o, why);
	}
	if (strncmp(url, "http://", 7) == 0) {
		memcpy(o->scheme, "http", 5);
		return parse_url_rest(url + 7, o, why);
	}
	return reason(why, "base_url does not start with https://");
}

int cobocred_parse_docker_server(const char *s, struct cobocred_origin *o, const char **why)
{
	const char *sep = strstr(s, "://");

	if (sep == NULL) {
		memset(o, 0, sizeof(*o));
		memcpy(o->scheme, "https", 6); /* a bare registry address is reached over https */
		return parse_url_rest(s, o, why);
	}
	if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
		return reason(why,
			      "the server address has a scheme other than https:// or http://");
	return cobocred_parse_base_url(s, o, why);
}

int cobocred_origin_same(const struct cobocred_origin *a, const struct cobocred_origin *b)
{
	unsigned pa = a->port ? a->port : cobocred_default_port(a->scheme);
	unsigned pb = b->port ? b->port : cobocred_default_port(b->scheme);

	return a->host[0] != '\0' && pa != 0 && pa == pb && strcmp(a->scheme, b->scheme) == 0 &&
	       strcmp(a->host, b->host) == 0;
}

const char *cobocred_show(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, w = 0;

	if (outlen == 0)
		return out;
	for (i = 0; s[i] != '\0' && w + 5 < outlen && w < 80; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[w++] = (char)c;
		} else {
			out[w++] = '\\';
			out[w++] = 'x';
			out[w++] = hex[c >> 4];
			out[w++] = hex[c & 15];
		}
	}
	if (s[i] != '\0' && w + 4 < outlen) {
		memcpy(out + w, "...", 3);
		w += 3;
	}
	out[w] = '\0';
	return out;
}
