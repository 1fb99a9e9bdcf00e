/*
 * bus.c - is there a D-Bus session bus, before any GLib call.
 *
 * GIO, asked for the session bus with DBUS_SESSION_BUS_ADDRESS unset, may
 * autolaunch one through X11 (dbus-launch) or hang on a dead socket.  So
 * we read the address ourselves, connect to each unix socket it names and
 * check that the peer speaks the D-Bus handshake (a NUL, "AUTH", expecting
 * "REJECTED <mechanisms>"), all within a deadline.  Other transports
 * (tcp, ...) are left to GDBus; autolaunch: never counts.
 *
 * A socket that accepts the connection but has not answered by the
 * deadline is a bus that is busy, not a machine without one: TRYAGAIN,
 * never UNAVAIL.  UNAVAIL ("no keyring here") sends a get on to mint as if
 * nothing were cached and a store on to the next tier: with a storm of
 * helpers connecting at once, a loaded host's dbus-daemon can take longer
 * than the probe's old 2.5 s (one helper of 128 on a cached token minted).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "keyring.h"
#include "strutil.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The %-unescaped value of key in "k=v,k=v" (entry[0..n)); 0 found, -1 not. */
static int entry_value(const char *entry, size_t n, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key), i = 0, o = 0;

	while (i < n) {
		size_t e = i;

		while (e < n && entry[e] != ',')
			e++;
		if (e - i > klen && entry[i + klen] == '=' && memcmp(entry + i, key, klen) == 0) {
			for (i += klen + 1; i < e && o + 1 < outlen; i++) {
				int hi, lo;

				if (entry[i] == '%' && i + 2 < e &&
				    (hi = cobocred_hex_digit(entry[i + 1])) >= 0 &&
				    (lo = cobocred_hex_digit(entry[i + 2])) >= 0) {
					out[o++] = (char)(hi << 4 | lo);
					i += 2;
				} else {
					out[o++] = entry[i];
				}
			}
			out[o] = '\0';
			return i == e ? 0 : -1; /* -1: too long */
		}
		i = e + 1;
	}
	return -1;
}

/* What probing one address entry found. */
enum probe_result { PROBE_BUS = 0, PROBE_NONE = -1, PROBE_SILENT = -2 };

/* Sends the handshake's first words and waits for REJECTED: PROBE_BUS, _NONE or _SILENT. */
static int handshake(int fd, long long deadline)
{
	static const char hello[] = "\0AUTH\r\n";
	char buf[64];
	size_t got = 0;

	if (send(fd, hello, sizeof(hello) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(hello) - 1))
		return PROBE_NONE;
	while (got < 8) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t r;
		int n;

		if (left <= 0 || (n = poll(&p, 1, (int)left)) == 0)
			return PROBE_SILENT; /* connected, and no answer in time */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return PROBE_NONE;
		r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (r <= 0)
			return PROBE_NONE;
		got += (size_t)r;
	}
	return memcmp(buf, "REJECTED", 8) == 0 ? PROBE_BUS : PROBE_NONE;
}

/* Connects to a unix socket (abstract when abstract != 0) and probes it. */
static int probe_unix(const char *path, int abstract, long long deadline)
{
	struct sockaddr_un sa;
	size_t n = strlen(path);
	socklen_t len;
	int fd, r = PROBE_NONE;

	if (n == 0 || n + (abstract ? 1 : 0) >= sizeof(sa.sun_path))
		return PROBE_NONE;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + (abstract ? 1 : 0), path, n);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (abstract ? 1 : 0));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return PROBE_NONE;
	if (connect(fd, (struct sockaddr *)&sa, len) == 0)
		r = handshake(fd, deadline);
	close(fd);
	return r;
}

/* One address entry: PROBE_BUS (or left to GDBus), _NONE or _SILENT. */
static int probe_entry(const char *e, size_t n, long long deadline)
{
	const char *colon = memchr(e, ':', n);
	char v[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	const char *rt;

	if (colon == NULL)
		return PROBE_NONE;
	if ((size_t)(colon - e) != 4 || memcmp(e, "unix", 4) != 0) /* tcp, nonce-tcp, ... */
		return (colon - e == 10 && memcmp(e, "autolaunch", 10) == 0) ? PROBE_NONE
									     : PROBE_BUS;
	n -= (size_t)(colon + 1 - e);
	e = colon + 1;
	if (entry_value(e, n, "path", v, sizeof(v)) == 0)
		return probe_unix(v, 0, deadline);
	if (entry_value(e, n, "abstract", v, sizeof(v)) == 0)
		return probe_unix(v, 1, deadline);
	if (entry_value(e, n, "runtime", v, sizeof(v)) == 0 && strcmp(v, "yes") == 0 &&
	    (rt = getenv("XDG_RUNTIME_DIR")) != NULL && rt[0] == '/' &&
	    snprintf(v, sizeof(v), "%s/bus", rt) < (int)sizeof(v))
		return probe_unix(v, 0, deadline);
	return PROBE_NONE;
}

int kr_bus_probe(const char *address, int timeout_ms, char *err, size_t errlen)
{
	long long deadline = now_ms() + timeout_ms;
	const char *p = address;
	int silent = 0;

	if (address == NULL || address[0] == '\0') {
		snprintf(err, errlen,
			 "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset); "
			 "the keyring is not reachable");
		return COBOCRED_UNAVAIL;
	}
	while (*p) {
		size_t n = strcspn(p, ";");
		int r = n > 0 ? probe_entry(p, n, deadline) : PROBE_NONE;

		if (r == PROBE_BUS)
			return COBOCRED_SUCCESS;
		silent |= r == PROBE_SILENT;
		p += n + (p[n] == ';');
	}
	if (silent) {
		snprintf(err, errlen,
			 "the D-Bus session bus at DBUS_SESSION_BUS_ADDRESS accepted the "
			 "connection but did not answer within %d ms (busy?); retry",
			 timeout_ms);
		return COBOCRED_TRYAGAIN;
	}
	snprintf(err, errlen,
		 "no D-Bus session bus answers at DBUS_SESSION_BUS_ADDRESS; "
		 "the keyring is not reachable (start a session bus or log in to the desktop)");
	return COBOCRED_UNAVAIL;
}
