/*
 * pins.c - pin_sha256 settings (the rule is in pins.h).
 *
 * One tokenizer walks the setting for both the check and the conversion,
 * and the conversion checks the whole setting first, so a setting with one
 * bad pin never pins the others silently.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pins.h"

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * 32 bytes in canonical base64: 43 symbols and '='.  The 43rd symbol
 * carries 2 bits of padding, which must be zero (else two spellings
 * would name one key, and a typo there could go unseen).
 */
static const char *pin_problem(const char *p, size_t n)
{
	size_t i;

	if (n > 8 && strncmp(p, "sha256//", 8) == 0)
		return "starts with sha256// (write the base64 alone)";
	if (n != COBOCRED_PIN_B64_LEN)
		return "is not 44 base64 characters (the SHA-256 of a public key)";
	for (i = 0; i + 1 < n; i++)
		if (b64_value(p[i]) < 0)
			return "has a character outside standard base64 (A-Z a-z 0-9 + /)";
	if (p[n - 1] != '=')
		return "does not end in '=' (32 bytes in base64)";
	if ((b64_value(p[n - 2]) & 3) != 0)
		return "is not canonical base64 (its last character carries stray bits)";
	return NULL;
}

/* Shows at most 48 bytes of a bad pin, non-printable ones as '?'. */
static void shown(const char *p, size_t n, char *out, size_t outlen)
{
	size_t i, k = n < 48 ? n : 48;

	if (outlen == 0)
		return;
	if (k >= outlen)
		k = outlen - 1;
	for (i = 0; i < k; i++)
		out[i] = (p[i] > 0x20 && p[i] < 0x7f) ? p[i] : '?';
	out[k] = '\0';
}

/* Walks setting, checking every pin; with out, writes the curl form there.  0 or -1. */
static int walk(const char *setting, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *p = setting;
	size_t count = 0, o = 0, n;
	char bad[64];

	if (setting == NULL || setting[strspn(setting, ", \t")] == '\0') {
		snprintf(
			err, errlen,
			"pin_sha256: empty; give one or more base64 SHA-256 pins, or drop the line");
		return -1;
	}
	while (*p != '\0') {
		const char *why;
		size_t blanks = strspn(p, " \t");

		if (p[blanks] == ',') {
			snprintf(err, errlen,
				 "pin_sha256: an empty element; separate pins with one comma");
			return -1;
		}
		p += blanks;
		n = strcspn(p, ", \t");
		why = pin_problem(p, n);
		if (why != NULL) {
			shown(p, n, bad, sizeof(bad));
			snprintf(err, errlen, "pin_sha256: pin %zu '%s' %s", count + 1, bad, why);
			return -1;
		}
		if (++count > COBOCRED_PINS_MAX) {
			snprintf(err, errlen, "pin_sha256: more than %d pins", COBOCRED_PINS_MAX);
			return -1;
		}
		if (out != NULL) {
			if (o + 9 + n + 1 > outlen) {
				snprintf(err, errlen, "pin_sha256: too long");
				return -1;
			}
			if (o > 0)
				out[o++] = ';';
			memcpy(out + o, "sha256//", 8);
			memcpy(out + o + 8, p, n);
			o += 8 + n;
			out[o] = '\0';
		}
		p += n;
		p += strspn(p, " \t");
		if (*p == ',') {
			p++;
			if (p[strspn(p, " \t")] == '\0') {
				snprintf(
					err, errlen,
					"pin_sha256: ends in a comma; separate pins with one comma");
				return -1;
			}
		}
	}
	return 0;
}

int cobocred_pins_check(const char *setting, char *err, size_t errlen)
{
	return walk(setting, NULL, 0, err, errlen);
}

int cobocred_pins_curl(const char *setting, char *out, size_t outlen, char *err, size_t errlen)
{
	if (outlen == 0 || walk(setting, NULL, 0, err, errlen) != 0)
		return -1;
	out[0] = '\0';
	return walk(setting, out, outlen, err, errlen);
}
