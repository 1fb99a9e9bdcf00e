/*
 * fuzz_manifest.c - libFuzzer target: a module manifest (NAME.module,
 * src/engine/manifest.h) is accepted with every required key once and sane
 * values, or refused with one "FILE[:LINE]: ..." line; never a crash.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cfg.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct cobocred_manifest *m)
{
	size_t i;

	if (m->name_line <= 0 || m->abi_line <= 0 || m->schemas_line <= 0 || m->caps_line <= 0 ||
	    !cobocred_module_name_ok(m->name) || m->abi_major != COBOCRED_ABI_MAJOR ||
	    m->n_schemas > COBOCRED_MANIFEST_SCHEMAS || (m->any_schema && m->n_schemas != 0) ||
	    (!m->any_schema && m->n_schemas == 0))
		__builtin_trap();
	for (i = 0; i < m->n_schemas; i++)
		if (m->schemas[i][0] == '\0' || strpbrk(m->schemas[i], " \t,") != NULL ||
		    !cobocred_manifest_names(m, m->schemas[i]))
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cobocred_manifest m;
	char err[1024];

	err[0] = '\0';
	if (cobocred_manifest_parse("fuzz.module", (const char *)data, size, &m, err,
				    sizeof(err)) == 0)
		check_accepted(&m);
	else if (strncmp(err, "fuzz.module:", 12) != 0 || strpbrk(err, "\r\n") != NULL)
		__builtin_trap(); /* one line, citing the file */
	return 0;
}
