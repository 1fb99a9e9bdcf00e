/*
 * listen.c - the proxy's listening socket (proxy.h).
 *
 * Default: a unix socket in $XDG_RUNTIME_DIR/cobo-credential, a directory
 * that must be ours and private (0700) and a socket made 0600, so the
 * file system already keeps other users out; handler.c still checks every
 * connection's peer (SO_PEERCRED), which is what holds when a socket was
 * made by someone else (systemd's, or a --socket in a shared directory).
 * --listen: loopback TCP, where any local user can connect, so every
 * request must carry a random key that only the file owner can read.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fsutil.h"
#include "proxy.h"
#include "strutil.h"
#include "wipe.h"

static int fail(int *code, int value, const char *fmt, ...) COBOCRED_PRINTF(3, 4);
static int fail(int *code, int value, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cobo-credential-proxy: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	*code = value;
	return -1;
}

/* $XDG_RUNTIME_DIR/cobo-credential, created private or checked to be. */
static int runtime_dir(char *out, size_t outlen, int *code)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	char err[512];

	if (base == NULL || base[0] != '/')
		return fail(code, PROXY_EX_CONFIG,
			    "XDG_RUNTIME_DIR is unset or not absolute; "
			    "name a socket with --socket PATH");
	if ((size_t)snprintf(out, outlen, "%s/cobo-credential", base) >= outlen)
		return fail(code, PROXY_EX_CONFIG, "XDG_RUNTIME_DIR is too long");
	if (cobocred_mkdir_private(out, err, sizeof(err)) != 0)
		return fail(code, PROXY_EX_CONFIG, "%s", err);
	return 0;
}

/* The directory of path must be ours and closed to group and others. */
static int socket_dir_ok(const char *path, int *code)
{
	char dir[sizeof(((struct proxy_listener *)0)->sock_path)];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (slash == NULL || slash == path) {
		snprintf(dir, sizeof(dir), "%s", slash == NULL ? "." : "/");
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	if (stat(dir, &st) != 0)
		return fail(code, PROXY_EX_CONFIG, "cannot use directory %s: %s", dir,
			    strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		return fail(
			code, PROXY_EX_CONFIG,
			"the socket's directory %s must be yours and private; run: chmod 700 %s",
			dir, dir);
	return 0;
}

/* A socket file already at path: refuse a live proxy, remove a stale socket. */
static int clear_stale(const char *path, int *code)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, live;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return fail(code, PROXY_EX_CONFIG, "%s exists and is not a socket; remove it",
			    path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(code, PROXY_EX_OSERR, "socket: %s", strerror(errno));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	if (live)
		return fail(code, PROXY_EX_CONFIG, "a proxy already listens on %s", path);
	if (unlink(path) != 0)
		return fail(code, PROXY_EX_OSERR, "cannot remove the stale socket %s: %s", path,
			    strerror(errno));
	return 0;
}

static int listen_unix(struct proxy_listener *l, const char *path, int *code)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path) || path[0] != '/')
		return fail(code, PROXY_EX_USAGE,
			    "socket path '%s' must be absolute and under 108 bytes", path);
	if (socket_dir_ok(path, code) != 0 || clear_stale(path, code) != 0)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return fail(code, PROXY_EX_OSERR, "socket: %s", strerror(errno));
	old = umask(0177); /* the socket is born 0600: no window where others may connect */
	r = bind(l->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r != 0)
		return fail(code, PROXY_EX_OSERR, "cannot bind %s: %s", path, strerror(errno));
	memcpy(l->sock_path, path, strlen(path) + 1);
	l->owns_path = 1;
	if (chmod(path, 0600) != 0 || listen(l->fd, 128) != 0)
		return fail(code, PROXY_EX_OSERR, "cannot listen on %s: %s", path, strerror(errno));
	l->is_unix = 1;
	snprintf(l->where, sizeof(l->where), "unix:%s", path);
	return 0;
}

int proxy_parse_loopback(const char *s, struct sockaddr_storage *ss, unsigned *len, char *err,
			 size_t errlen)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	int64_t port;
	size_t hn;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || cobocred_parse_i64(colon + 1, 0, 65535, &port) != 0 ||
	    colon[1] == '+' || colon[1] == '-' || (colon[1] == '0' && colon[2] != '\0')) {
		snprintf(err, errlen, "--listen wants ADDR:PORT (127.0.0.1:8080, [::1]:8080)");
		return -1;
	}
	hn = (size_t)(colon - s);
	if (hn >= 2 && s[0] == '[' && s[hn - 1] == ']' && hn - 2 < sizeof(host)) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		memcpy(host, s + 1, hn - 2);
		host[hn - 2] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1 &&
		    IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr)) {
			*len = sizeof(*a6);
			return 0;
		}
	} else if (hn < sizeof(host)) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		memcpy(host, s, hn);
		host[hn] = '\0';
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		/* inet_pton takes dotted decimal only: no "127.1", no octal */
		if (inet_pton(AF_INET, host, &a4->sin_addr) == 1 &&
		    (ntohl(a4->sin_addr.s_addr) >> 24) == 127) {
			*len = sizeof(*a4);
			return 0;
		}
	}
	snprintf(err, errlen, "--listen takes a loopback address only (127.0.0.0/8 or [::1])");
	return -1;
}

/* A fresh key from the OS random generator, written to a 0600 file in the runtime dir. */
static int make_key(struct proxy_listener *l, unsigned port, int *code)
{
	unsigned char raw[PROXY_KEY_BYTES];
	char dir[4000], err[512];
	int r = -1;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		fail(code, PROXY_EX_OSERR, "getrandom: %s", strerror(errno));
		goto out;
	}
	cobocred_hex_encode(raw, sizeof(raw), l->key);
	if (runtime_dir(dir, sizeof(dir), code) != 0)
		goto out;
	snprintf(l->key_path, sizeof(l->key_path), "%s/proxy-%u.key", dir, port);
	if (cobocred_write_atomic(l->key_path, l->key, PROXY_KEY_HEX, 0600, err, sizeof(err)) !=
	    0) {
		l->key_path[0] = '\0';
		fail(code, PROXY_EX_OSERR, "%s", err);
		goto out;
	}
	r = 0;
out:
	cobocred_wipe(raw, sizeof(raw));
	return r;
}

static int listen_tcp(struct proxy_listener *l, const char *spec, int *code)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned len, port;
	char err[256], addr[64];
	int one = 1;

	if (proxy_parse_loopback(spec, &ss, &len, err, sizeof(err)) != 0)
		return fail(code, PROXY_EX_USAGE, "%s", err);
	l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return fail(code, PROXY_EX_OSERR, "socket: %s", strerror(errno));
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&ss, len) != 0 || listen(l->fd, 128) != 0)
		return fail(code, PROXY_EX_OSERR, "cannot listen on %s: %s", spec, strerror(errno));
	if (getsockname(l->fd, (struct sockaddr *)&ss, &sl) != 0)
		return fail(code, PROXY_EX_OSERR, "getsockname: %s", strerror(errno));
	if (ss.ss_family == AF_INET6) {
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		snprintf(l->where, sizeof(l->where), "http://[::1]:%u", port);
	} else {
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr));
		snprintf(l->where, sizeof(l->where), "http://%s:%u", addr, port);
	}
	return make_key(l, port, code);
}

int proxy_socket_activation(char *err, size_t errlen)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int64_t p, n;
	int r = -1;

	if (pid == NULL && fds == NULL)
		return 0;
	if (pid == NULL || fds == NULL || cobocred_parse_i64(pid, 1, INT32_MAX, &p) != 0 ||
	    cobocred_parse_i64(fds, 0, 64, &n) != 0) {
		snprintf(err, errlen, "LISTEN_PID and LISTEN_FDS are not what systemd sets");
		goto out;
	}
	r = (p == (int64_t)getpid() && n >= 1) ? 3 : 0;
	if (n > 1)
		snprintf(err, errlen, "systemd passed %d sockets; using the first", (int)n);
out:
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return r;
}

/* fd 3 from systemd: a listening unix stream socket, else refused. */
static int adopt(struct proxy_listener *l, int fd, int *code)
{
	struct sockaddr_un sa;
	socklen_t sl = sizeof(sa);
	int type = 0, acc = 0;
	socklen_t tl = sizeof(type), al = sizeof(acc);

	memset(&sa, 0, sizeof(sa));
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) != 0 || sa.sun_family != AF_UNIX ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) != 0 || !acc)
		return fail(code, PROXY_EX_CONFIG,
			    "the socket systemd passed (fd 3) is not a listening unix stream "
			    "socket; use ListenStream=PATH");
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	l->fd = fd;
	l->is_unix = 1;
	snprintf(l->where, sizeof(l->where), "unix:%.*s (from systemd)",
		 (int)(sizeof(sa.sun_path) - 1), sa.sun_path);
	return 0;
}

int proxy_listen(struct proxy *p, int *code)
{
	struct proxy_listener *l = &p->lst;
	char path[4096], err[256];
	int fd;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	err[0] = '\0';
	fd = proxy_socket_activation(err, sizeof(err));
	if (err[0] != '\0')
		fprintf(stderr, "cobo-credential-proxy: %s\n", err);
	if (fd < 0)
		return fail(code, PROXY_EX_CONFIG, "socket activation refused");
	if (fd > 0)
		return adopt(l, fd, code);
	if (p->opt.listen != NULL)
		return listen_tcp(l, p->opt.listen, code);
	if (p->opt.socket != NULL)
		return listen_unix(l, p->opt.socket, code);
	if (runtime_dir(path, sizeof(path), code) != 0)
		return -1;
	if (strlen(path) + sizeof("/proxy.sock") > sizeof(l->sock_path))
		return fail(code, PROXY_EX_CONFIG, "%s is too long for a socket path", path);
	memcpy(path + strlen(path), "/proxy.sock", sizeof("/proxy.sock"));
	return listen_unix(l, path, code);
}

void proxy_listen_close(struct proxy_listener *l)
{
	if (l->owns_path && l->sock_path[0] != '\0')
		unlink(l->sock_path);
	if (l->key_path[0] != '\0')
		unlink(l->key_path);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	cobocred_wipe(l->key, sizeof(l->key));
}
