/*
 * fuzz_secretref.c - libFuzzer target: a secret reference (src/util/
 * secretref.h) as a setting's value: accepted as keyring, file: with an
 * absolute path, or env: with the variable name written; or refused with
 * one line and nothing filled in.  (That a pasted secret is never quoted is
 * tests/core/test_secretref.c's: here any 8 bytes of the fixed text would
 * be a false alarm.)
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secretref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cobocred_secret_ref ref;
	char *v = malloc(size + 1), err[8192];
	unsigned allow = size > 0 && (data[0] & 1) ? COBOCRED_REF_ALLOW_KEYRING : 0;

	if (v == NULL)
		return 0;
	memcpy(v, data, size);
	v[size] = '\0'; /* a value is a C string: it ends at its first NUL */
	err[0] = '\0';
	if (cobocred_secret_ref_parse(v, allow, "/etc/cobo/config", &ref, err, sizeof(err)) == 0) {
		if ((ref.kind == COBOCRED_REF_KEYRING && !(allow & COBOCRED_REF_ALLOW_KEYRING)) ||
		    (ref.kind == COBOCRED_REF_FILE && ref.path[0] != '/') ||
		    (ref.kind == COBOCRED_REF_ENV &&
		     (ref.var[0] == '\0' || strcmp(ref.var, v + 4) != 0)) ||
		    ref.kind < COBOCRED_REF_KEYRING || ref.kind > COBOCRED_REF_ENV)
			__builtin_trap();
	} else if (ref.kind != 0 || err[0] == '\0' || strpbrk(err, "\r\n") != NULL) {
		__builtin_trap(); /* one line, nothing half-filled */
	}
	free(v);
	return 0;
}
