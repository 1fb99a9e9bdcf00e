/*
 * main.c - cobo-credential-proxy: options, start-up and the signal loop.
 *
 * The proxy is its own program, run by `cobo-credential proxy` (which
 * execs it with the same arguments) or by its systemd user unit, because
 * libmicrohttpd brings GnuTLS with it: linked into cobo-credential it
 * would load on every `cobo-credential token`.
 *
 * Signals are blocked before any thread starts, so only the main thread
 * takes them, synchronously (sigwait): SIGTERM and SIGINT stop new
 * connections, wait for the requests in flight and exit 0; SIGHUP loads
 * the configuration again and swaps the new context in under the lock.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <microhttpd.h>

#include "handler.h"
#include "load.h"
#include "proxy.h"
#include "strutil.h"

static const char usage_text[] =
	"usage: cobo-credential proxy [--profile P] [--socket PATH | --listen ADDR:PORT]\n"
	"                             [--access-log] [--timeout S] [--max-body BYTES]\n"
	"                             [--max-headers BYTES] [--config FILE]\n"
	"A local reverse proxy that signs: send GET /v2/... without auth to it; it adds\n"
	"the org access token and the app-key signature and forwards to the profile.\n"
	"Default listener: $XDG_RUNTIME_DIR/cobo-credential/proxy.sock.  At start it prints\n"
	"'listen WHERE' (and with --listen 'key-file PATH') on standard output.\n";

enum { OPT_CONFIG = 0x100, OPT_TIMEOUT, OPT_MAX_BODY, OPT_MAX_HEADERS };

static int size_opt(const char *name, const char *v, int64_t min, int64_t max, int64_t *out)
{
	if (cobocred_parse_i64(v, min, max, out) == 0)
		return 0;
	fprintf(stderr, "cobo-credential-proxy: %s wants a number from %lld to %lld\n", name,
		(long long)min, (long long)max);
	return -1;
}

/* -1: go on; else the exit code. */
static int parse_opts(struct proxy_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "profile", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "access-log", no_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "max-body", required_argument, NULL, OPT_MAX_BODY },
		{ "max-headers", required_argument, NULL, OPT_MAX_HEADERS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t v;
	int c;

	opterr = 0; /* one line of ours instead of getopt's */
	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case 'p':
			o->profile = optarg;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'a':
			o->access_log = 1;
			break;
		case OPT_TIMEOUT:
			if (size_opt("--timeout", optarg, 1, 3600, &v) != 0)
				return PROXY_EX_USAGE;
			o->timeout = (unsigned)v;
			break;
		case OPT_MAX_BODY:
			if (size_opt("--max-body", optarg, 0, COBOCRED_REQUEST_BODY_MAX, &v) != 0)
				return PROXY_EX_USAGE;
			o->max_body = (size_t)v;
			break;
		case OPT_MAX_HEADERS:
			if (size_opt("--max-headers", optarg, 1024, 1 << 20, &v) != 0)
				return PROXY_EX_USAGE;
			o->max_headers = (size_t)v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return PROXY_EX_OK;
		default:
			fprintf(stderr,
				"cobo-credential-proxy: bad option '%s'; try 'cobo-credential proxy "
				"--help'\n",
				argv[optind - 1]);
			return PROXY_EX_USAGE;
		}
	}
	if (optind < argc || (o->socket != NULL && o->listen != NULL)) {
		fprintf(stderr, "cobo-credential-proxy: %s\n",
			optind < argc ? "unexpected argument"
				      : "--socket and --listen exclude each other");
		return PROXY_EX_USAGE;
	}
	return -1;
}

void proxy_flight_enter(struct proxy *p)
{
	pthread_mutex_lock(&p->flight_lock);
	p->inflight++;
	pthread_mutex_unlock(&p->flight_lock);
}

void proxy_flight_leave(struct proxy *p)
{
	pthread_mutex_lock(&p->flight_lock);
	if (--p->inflight == 0)
		pthread_cond_broadcast(&p->flight_cond);
	pthread_mutex_unlock(&p->flight_lock);
}

/* SIGHUP: a new core in; the old one goes when its last send is over (forward.c). */
static void reload(struct proxy *p)
{
	struct proxy_core *nc = NULL, *old;
	int code;

	if (proxy_core_load(&p->opt, &nc, &code) != 0) {
		fprintf(stderr, "cobo-credential-proxy: SIGHUP: configuration not reloaded; "
				"still serving the old one\n");
		return;
	}
	pthread_mutex_lock(&p->lock);
	old = p->core;
	p->core = nc;
	if (old->refs > 0)
		old = NULL;
	pthread_mutex_unlock(&p->lock);
	proxy_core_free(old);
	fprintf(stderr, "cobo-credential-proxy: SIGHUP: configuration reloaded (profile %s)\n",
		nc->profile);
}

static struct MHD_Daemon *start_daemon(struct proxy *p)
{
	/* Room for the largest headers we accept plus the target and the read buffer, so
	 * our own 431 (with its JSON body) answers before libmicrohttpd's plain one. */
	size_t mem = p->opt.max_headers + PROXY_MAX_TARGET + 32 * 1024;

	return MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD |
					MHD_USE_ITC,
				0, NULL, NULL, proxy_access, p, MHD_OPTION_LISTEN_SOCKET, p->lst.fd,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)p->opt.timeout,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, mem,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
				MHD_OPTION_STRICT_FOR_CLIENT, (int)1, MHD_OPTION_URI_LOG_CALLBACK,
				proxy_uri_log, p, MHD_OPTION_NOTIFY_COMPLETED, proxy_completed, p,
				MHD_OPTION_NOTIFY_CONNECTION, proxy_connection, p,
				MHD_OPTION_UNESCAPE_CALLBACK, proxy_unescape, p, MHD_OPTION_END);
}

/* Takes signals until SIGTERM or SIGINT; returns after the drain. */
static void serve(struct proxy *p, struct MHD_Daemon *d, const sigset_t *set)
{
	int sig = 0;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload(p);
			continue;
		}
		break;
	}
	/* No new connections; the requests in flight finish and are answered. */
	if (MHD_quiesce_daemon(d) == MHD_INVALID_SOCKET)
		p->lst.fd = -1; /* libmicrohttpd keeps the socket and closes it */
	pthread_mutex_lock(&p->flight_lock);
	while (p->inflight > 0)
		pthread_cond_wait(&p->flight_cond, &p->flight_lock);
	pthread_mutex_unlock(&p->flight_lock);
	MHD_stop_daemon(d);
}

static void announce(const struct proxy_listener *l)
{
	printf("listen %s\n", l->where);
	if (l->key_path[0] != '\0')
		printf("key-file %s\n", l->key_path);
	fflush(stdout);
}

static int run(struct proxy *p)
{
	struct MHD_Daemon *d;
	sigset_t set;
	int code = PROXY_EX_OSERR;

	if (proxy_core_load(&p->opt, &p->core, &code) != 0)
		return code;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (proxy_listen(p, &code) != 0)
		goto out;
	d = start_daemon(p);
	if (d == NULL) {
		fprintf(stderr, "cobo-credential-proxy: cannot start the HTTP server on %s\n",
			p->lst.where);
		code = PROXY_EX_OSERR;
		goto out;
	}
	announce(&p->lst);
	serve(p, d, &set);
	code = PROXY_EX_OK;
out:
	proxy_listen_close(&p->lst);
	return code;
}

int main(int argc, char **argv)
{
	struct proxy p;
	int code;

	memset(&p, 0, sizeof(p));
	p.lst.fd = -1;
	p.opt.timeout = PROXY_TIMEOUT_DEFAULT;
	p.opt.max_body = PROXY_MAX_BODY_DEFAULT;
	p.opt.max_headers = PROXY_MAX_HEADERS_DEFAULT;
	p.uid = geteuid();
	cobocred_harden_process();
	code = parse_opts(&p.opt, argc, argv);
	if (code >= 0)
		return code;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "cobo-credential-proxy: cannot initialise libcurl\n");
		return PROXY_EX_INTERNAL;
	}
	pthread_mutex_init(&p.lock, NULL);
	pthread_mutex_init(&p.flight_lock, NULL);
	pthread_cond_init(&p.flight_cond, NULL);
	code = run(&p);
	proxy_core_free(p.core);
	curl_global_cleanup();
	return code;
}
