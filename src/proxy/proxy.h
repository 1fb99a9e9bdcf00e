/*
 * proxy.h - cobo-credential-proxy, the local signing proxy: shared state
 * and the boundaries between its files.
 *
 *   main.c     options, start-up, the signal loop (SIGTERM drains, SIGHUP reloads)
 *   listen.c   the listening socket: unix socket (default), loopback TCP
 *              with a key file, or a socket systemd passed (LISTEN_FDS)
 *   peer.c     who may use it: SO_PEERCRED on the unix socket, the
 *              Cobo-Proxy-Key header (constant time) on TCP
 *   confine.c  what may pass: method, origin-form target under the base
 *              path, client headers (pure functions; unit-tested)
 *   handler.c  the libmicrohttpd request handler: collects the request,
 *              applies the rules above, answers refusals
 *   forward.c  signs through the core and sends through the module's
 *              transport, one refresh and one retry on a 401 for the token
 *   tokens.c   the in-process token cache, one token per org
 *   load.c     the configuration served: context, profile, base path
 *   reply.c    JSON error bodies and the access log
 *
 * Threads: libmicrohttpd runs a thread per connection.  The core context
 * is not thread-safe, so every call on it (token, org, sign) runs under
 * p->lock; the upstream send runs outside it, concurrently.
 */
#ifndef COBOCRED_PROXY_H
#define COBOCRED_PROXY_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cobocred.h"

/* Exit codes, as cobo-credential's (sysexits). */
enum proxy_exit {
	PROXY_EX_OK = 0,
	PROXY_EX_USAGE = 64,
	PROXY_EX_INTERNAL = 70,
	PROXY_EX_OSERR = 71,
	PROXY_EX_CONFIG = 78,
};

/* Defaults of the bounds (each has an option; see usage in main.c). */
#define PROXY_MAX_BODY_DEFAULT (1024 * 1024)
#define PROXY_MAX_HEADERS_DEFAULT (16 * 1024)
#define PROXY_TIMEOUT_DEFAULT 30
#define PROXY_KEY_BYTES 32
#define PROXY_KEY_HEX (2 * PROXY_KEY_BYTES)
#define PROXY_MAX_TARGET 8192

struct proxy_opts {
	const char *config;  /* --config FILE; NULL: the search order */
	const char *profile; /* --profile; NULL: $COBO_CREDENTIAL_PROFILE or the only one */
	const char *socket;  /* --socket PATH */
	const char *listen;  /* --listen ADDR:PORT */
	int access_log;
	unsigned timeout; /* seconds a client may stay silent */
	size_t max_body;
	size_t max_headers;
};

/* The listening socket (listen.c). */
struct proxy_listener {
	int fd;
	int is_unix;		     /* else loopback TCP: the key is required */
	int owns_path;		     /* we bound sock_path: unlink it at exit */
	char sock_path[108];	     /* sun_path */
	char where[160];	     /* "unix:PATH" or "http://127.0.0.1:PORT" */
	char key_path[4096];	     /* TCP: the key file; "" for unix */
	char key[PROXY_KEY_HEX + 1]; /* TCP: the key, hex */
};

/*
 * What one configuration load gives (load.c).  SIGHUP makes a new one;
 * the old one is freed when the last send through its transport is over.
 */
struct proxy_token;
struct proxy_core {
	struct cobocred_ctx *ctx;	      /* owned */
	const char *profile;		      /* the profile served (points into ctx) */
	char base_path[1024];		      /* its base_url's path: "" or "/v2" */
	struct cobocred_transport *transport; /* owned; made on first use */
	struct proxy_token *tokens;	      /* owned cache (tokens.c) */
	unsigned refs;			      /* sends in flight on transport */
};

struct proxy {
	struct proxy_opts opt;
	struct proxy_listener lst;
	uid_t uid; /* ours: the only peer the unix socket serves */

	pthread_mutex_t lock;	 /* guards core, every call on core->ctx, and refs */
	struct proxy_core *core; /* owned; swapped on SIGHUP */

	/* In-flight requests, for draining on SIGTERM (own mutex: never held across I/O). */
	pthread_mutex_t flight_lock;
	pthread_cond_t flight_cond;
	unsigned inflight;
};

/* ---- listen.c ---- */
/*
 * Opens the listener the options ask for into p->lst.  Returns 0, or -1
 * after printing one line on stderr; *code gets the exit code.
 */
int proxy_listen(struct proxy *p, int *code);
/* Removes what proxy_listen created (socket path, key file) and closes the fd. */
void proxy_listen_close(struct proxy_listener *l);
/*
 * The socket systemd passed (sd_listen_fds(3) protocol: LISTEN_PID is us,
 * LISTEN_FDS >= 1; the first is fd 3): 3, 0 when none was passed, -1 when
 * the variables are set but wrong (message in err).  Unsets them.
 */
int proxy_socket_activation(char *err, size_t errlen);
/* Parses "ADDR:PORT" (127.0.0.0/8 or [::1]; port 0-65535). 0 or -1 with err. */
struct sockaddr_storage;
int proxy_parse_loopback(const char *s, struct sockaddr_storage *ss, unsigned *len, char *err,
			 size_t errlen);

/* ---- peer.c ---- */
/* 1 if the unix socket fd's peer is uid (SO_PEERCRED), 0 if not or unknown. */
int proxy_peer_is(int fd, uid_t uid);
/* 1 if value (the client's Cobo-Proxy-Key, may be NULL) equals key, in constant time. */
int proxy_key_ok(const char *value, const char *key);

/* ---- main.c helpers shared with handler.c ---- */
void proxy_flight_enter(struct proxy *p);
void proxy_flight_leave(struct proxy *p);

#endif
