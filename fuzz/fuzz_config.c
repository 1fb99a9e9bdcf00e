/*
 * fuzz_config.c - libFuzzer target: the config parser must accept or
 * reject any bytes with a "FILE:LINE: ..." message, never crash or leak.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cobo_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cobocred_config *cfg = NULL;
	char err[512];
	int st;

	err[0] = '\0';
	st = cobocred_config_parse("fuzz.conf", (const char *)data, size, &cfg, err, sizeof(err));
	if (st == COBOCRED_SUCCESS) {
		if (cfg == NULL)
			__builtin_trap();
		cobocred_config_free(cfg);
	} else if (cfg != NULL || strncmp(err, "fuzz.conf:", 10) != 0) {
		__builtin_trap(); /* errors must cite the file and leave nothing half-built */
	}
	return 0;
}
