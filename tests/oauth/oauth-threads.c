/*
 * oauth-threads.c - the transport from many threads, as the proxy uses it:
 * signing serialised under one mutex (the context is single-threaded),
 * sending through cobocred_transport_send at once from every thread.
 *
 *   oauth-threads PROFILE THREADS ROUNDS
 *
 * The threads start together at a barrier; each request carries its
 * thread and round in the query, and its answer (the test server's echo)
 * must carry the same, verified.  Prints "ok=N bad=M" and exits with M
 * (capped at 100).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cobocred.h"
#include "strutil.h"

static struct cobocred_ctx *ctx;
static struct cobocred_transport *tr;
static const char *profile;
static int rounds;
static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;
static int ok, bad;

static void count(int good, const char *why, int t, int i)
{
	pthread_mutex_lock(&ctx_lock);
	if (good)
		ok++;
	else {
		bad++;
		fprintf(stderr, "thread %d round %d: %s\n", t, i, why);
	}
	pthread_mutex_unlock(&ctx_lock);
}

/* One request: signed under the lock, sent without it. */
static void one(int t, int i)
{
	char query[64], want[96];
	struct cobocred_http_request req = { .struct_size = sizeof(req),
					     .method = "GET",
					     .path = "/v2/wallets",
					     .query = query };
	struct cobocred_signed *s = NULL;
	struct cobocred_http_reply *rep = NULL;
	int st;

	snprintf(query, sizeof(query), "thread=%d&round=%d", t, i);
	pthread_mutex_lock(&ctx_lock);
	st = cobocred_request_sign(ctx, profile, NULL, &req, &s);
	if (st != COBOCRED_SUCCESS)
		fprintf(stderr, "sign: %s\n", cobocred_error(ctx));
	pthread_mutex_unlock(&ctx_lock);
	if (st != COBOCRED_SUCCESS) {
		count(0, "sign failed", t, i);
		return;
	}
	req.nonce = s->nonce;
	st = cobocred_transport_send(tr, &req, (const char *const *)s->headers, &rep);
	snprintf(want, sizeof(want), "\"query\":\"%s\"", query);
	if (st != COBOCRED_SUCCESS)
		count(0, rep != NULL ? rep->error : "no reply", t, i);
	else
		count(rep->status == 200 && rep->verified && rep->body != NULL &&
			      strstr((const char *)rep->body, want) != NULL,
		      "not the echo of this request", t, i);
	cobocred_transport_reply_free(tr, rep);
	cobocred_signed_free(s);
}

static void *run(void *arg)
{
	int t = (int)(intptr_t)arg, i;

	pthread_barrier_wait(&start);
	for (i = 0; i < rounds; i++)
		one(t, i);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[256];
	int64_t nt = 0, nr = 0;
	int n, i, st;

	if (argc != 4 || cobocred_parse_i64(argv[2], 1, 256, &nt) != 0 ||
	    cobocred_parse_i64(argv[3], 1, 10000, &nr) != 0) {
		fprintf(stderr, "usage: oauth-threads PROFILE THREADS ROUNDS\n");
		return 100;
	}
	n = (int)nt;
	rounds = (int)nr;
	profile = argv[1];
	if (cobocred_ctx_new(NULL, &ctx) != COBOCRED_SUCCESS ||
	    (st = cobocred_request_transport(ctx, profile, &tr)) != COBOCRED_SUCCESS) {
		fprintf(stderr, "%s\n", ctx != NULL ? cobocred_error(ctx) : "out of memory");
		return 100;
	}
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, run, (void *)(intptr_t)i) != 0)
			return 100;
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("ok=%d bad=%d\n", ok, bad);
	cobocred_transport_free(tr);
	cobocred_ctx_free(ctx);
	return bad > 100 ? 100 : bad;
}
