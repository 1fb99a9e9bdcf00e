/*
 * jsonout.c - writing JSON strings as Go's encoding/json encoder does
 * (HTML-safe escaping on, as json.NewEncoder has it by default), so our
 * answers are byte for byte those of the reference helpers.
 */
#include "config.h"

#include <string.h>

#include "json.h"
#include "sbuf.h"

void djson_put(struct cobocred_sbuf *w, const char *s, size_t n)
{
	(void)cobocred_sbuf_add(w, s, n); /* a refusal sticks in w->failed */
}

/* The escape for one ASCII byte, or NULL if it goes out as it is. */
static const char *ascii_escape(unsigned char c, char tmp[7])
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default:
		break;
	}
	if (c >= 0x20 && c != '<' && c != '>' && c != '&')
		return NULL;
	memcpy(tmp, "\\u00", 4);
	tmp[4] = hex[c >> 4];
	tmp[5] = hex[c & 0xF];
	tmp[6] = '\0';
	return tmp;
}

void djson_put_string(struct cobocred_sbuf *w, const unsigned char *s, size_t n)
{
	size_t i = 0, len;
	char tmp[7];

	djson_put(w, "\"", 1);
	while (i < n) {
		const char *esc = NULL;
		uint32_t cp;

		if (s[i] < 0x80) {
			esc = ascii_escape(s[i], tmp);
			len = 1;
		} else {
			cp = djson_utf8_decode(s + i, n - i, &len);
			if (cp == 0xFFFD && len == 1)
				esc = "\\ufffd";
			else if (cp == 0x2028)
				esc = "\\u2028";
			else if (cp == 0x2029)
				esc = "\\u2029";
		}
		if (esc != NULL)
			djson_put(w, esc, strlen(esc));
		else
			djson_put(w, (const char *)s + i, len);
		i += len;
	}
	djson_put(w, "\"", 1);
}
