/*
 * secret.c - the host's secret memory: wiped, and registered for redaction.
 *
 * The registry lives here, in the core, and nowhere else: modules and the
 * util library reach it only through the host (host->secret_alloc, or
 * util/hostmem.c bound to it), so every live secret in the process is one
 * the trace writer can redact.
 *
 * Layout: [struct secret_hdr][n bytes][NUL].  The header links the buffer
 * into a list of live secrets.  The helpers are single-threaded programs,
 * but a mutex keeps the list sound should a module use threads.
 * No mlock: page-granular locks cannot be nested per buffer, and the
 * front-ends disable core dumps instead (see harden.c).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostmem.h"
#include "secret.h"

struct secret_hdr {
	struct secret_hdr *prev, *next;
	size_t len;
	uint64_t magic;
};

#define SECRET_MAGIC 0x5ec2e7c0b0c2ed00ull

static struct secret_hdr *live;
static size_t live_count;
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;

void *cobocred_secret_alloc(size_t n)
{
	struct secret_hdr *h;
	size_t total;

	if (n > SIZE_MAX - sizeof(*h) - 1)
		return NULL;
	total = sizeof(*h) + n + 1;
	h = calloc(1, total);
	if (h == NULL)
		return NULL;
	h->len = n;
	h->magic = SECRET_MAGIC;
	pthread_mutex_lock(&live_lock);
	h->next = live;
	if (live != NULL)
		live->prev = h;
	live = h;
	live_count++;
	pthread_mutex_unlock(&live_lock);
	return h + 1;
}

void cobocred_secret_free(void *p)
{
	struct secret_hdr *h;
	size_t total;

	if (p == NULL)
		return;
	h = (struct secret_hdr *)p - 1;
	if (h->magic != SECRET_MAGIC)
		abort(); /* not ours, or freed twice: never continue with a corrupt heap */
	pthread_mutex_lock(&live_lock);
	if (h->prev != NULL)
		h->prev->next = h->next;
	else
		live = h->next;
	if (h->next != NULL)
		h->next->prev = h->prev;
	live_count--;
	pthread_mutex_unlock(&live_lock);
	total = sizeof(*h) + h->len + 1;
	explicit_bzero(h, total);
	free(h);
}

char *cobocred_secret_dup(const void *s, size_t n)
{
	char *p = cobocred_secret_alloc(n);

	if (p != NULL && n > 0)
		memcpy(p, s, n);
	return p;
}

void cobocred_secret_foreach(size_t min_len, int (*fn)(const char *s, size_t n, void *arg),
			     void *arg)
{
	struct secret_hdr *h;

	pthread_mutex_lock(&live_lock);
	for (h = live; h != NULL; h = h->next) {
		if (h->len >= min_len && fn((const char *)(h + 1), h->len, arg) != 0)
			break;
	}
	pthread_mutex_unlock(&live_lock);
}

size_t cobocred_secret_live(void)
{
	size_t n;

	pthread_mutex_lock(&live_lock);
	n = live_count;
	pthread_mutex_unlock(&live_lock);
	return n;
}

/*
 * Binds the util library's secret memory (hostmem.c) to this registry when
 * the program starts, before main: the front-ends allocate secrets before
 * they make a context, and util helpers (cobocred_read_private_file with
 * COBOCRED_FILE_SECRET) must land here too.  Modules have their own copy of
 * the util library and bind it in open() to host->secret_alloc.
 */
__attribute__((constructor)) static void secret_bind_util(void)
{
	cobocred_hostmem_bind(cobocred_secret_alloc, cobocred_secret_free);
}
