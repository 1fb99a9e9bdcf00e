/*
 * status.c - see status.h.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "cobocred/module.h"
#include "status.h"

static const char *const status_names[COBOCRED_STATUS_COUNT] = {
	"SUCCESS", "NOTFOUND", "UNAVAIL", "TRYAGAIN", "DENIED", "ERROR",
};

const char *cobocred_status_name(int status)
{
	return status >= 0 && status < COBOCRED_STATUS_COUNT ? status_names[status] : "INVALID";
}

int cobocred_status_from_name(const char *s, size_t n)
{
	int i;

	for (i = 0; i < COBOCRED_STATUS_COUNT; i++)
		if (strlen(status_names[i]) == n && strncasecmp(status_names[i], s, n) == 0)
			return i;
	return -1;
}
