/*
 * utf8.c - strict UTF-8 decoding and encoding (see utf8.h).
 */
#include "config.h"

#include <string.h>

#include "utf8.h"

uint32_t djson_utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, k;
	uint32_t cp;

	*len = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1, cp = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2, cp = c & 0x0Fu;
		lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
		hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3, cp = c & 0x07u;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF; /* <= U+10FFFF */
	} else {
		return DJSON_RUNE_ERROR;
	}
	if (n < need + 1)
		return DJSON_RUNE_ERROR;
	for (k = 1; k <= need; k++) {
		unsigned char b = s[k];

		if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
			return DJSON_RUNE_ERROR;
		cp = cp << 6 | (b & 0x3Fu);
	}
	*len = need + 1;
	return cp;
}

size_t djson_utf8_encode(uint32_t cp, unsigned char *out)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (out != NULL)
		memcpy(out, b, n);
	return n;
}
