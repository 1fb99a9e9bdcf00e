/*
 * utf8.h - UTF-8 as Go's unicode/utf8 reads and writes it: the one piece
 * both halves of the JSON code (json.c reads, jsonout.c writes) and the URL
 * reader (url.c) share.  The bottom of src/docker: it uses nothing else.
 */
#ifndef DOCKER_UTF8_H
#define DOCKER_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* What an invalid sequence decodes to (Go's utf8.RuneError). */
#define DJSON_RUNE_ERROR 0xFFFDu

/*
 * Strict UTF-8 decoding as Go's utf8.DecodeRune: returns the code point and
 * its length, or U+FFFD with length 1 for an invalid or truncated sequence.
 */
uint32_t djson_utf8_decode(const unsigned char *s, size_t n, size_t *len);
/* Encodes cp (<= U+10FFFF, not a surrogate) into out (NULL: count); returns 1-4. */
size_t djson_utf8_encode(uint32_t cp, unsigned char *out);

#endif
