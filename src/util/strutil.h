/*
 * strutil.h - small string helpers shared by the core and front-ends.
 */
#ifndef COBOCRED_STRUTIL_H
#define COBOCRED_STRUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Trims ASCII whitespace in place; returns the first non-blank char. */
char *cobocred_trim(char *s);
/* Parses a decimal int64 in [min, max] with nothing after it. 0 or -1. */
int cobocred_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* 1 if the n bytes contain CR, LF or NUL. */
int cobocred_has_ctl_newline(const char *s, size_t n);
/*
 * Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0:
 * no overlong forms, no UTF-16 surrogates, nothing past U+10FFFF.
 */
size_t cobocred_utf8_len(const unsigned char *s, size_t n);
/* Hex encode n bytes into out (2n+1 bytes). */
void cobocred_hex_encode(const unsigned char *in, size_t n, char *out);
/* The value of one hex digit (either case), or -1. */
int cobocred_hex_digit(int c);
/* Decodes exactly 2n hex chars into out[n]; 0 or -1. */
int cobocred_hex_decode(const char *hex, unsigned char *out, size_t n);
/* 1 if a and b (each n bytes) are equal, in time independent of content. */
int cobocred_consttime_eq(const void *a, const void *b, size_t n);
/* Formats unix time t as RFC 3339 UTC ("2026-11-25T21:00:00Z"); out >= 21 bytes. */
void cobocred_rfc3339(int64_t t, char *out, size_t outlen);

#endif
