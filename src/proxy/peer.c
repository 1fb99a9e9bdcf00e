/*
 * peer.c - who may use the proxy (proxy.h).
 *
 * On the unix socket the kernel says who the peer is (SO_PEERCRED, taken
 * at connect()): only our own uid is served, whatever the socket file's
 * mode, so a socket systemd or a user made reachable to others still
 * serves no one else.  On loopback TCP any local user can connect, so the
 * key the proxy wrote to a 0600 file is the proof; it is compared in time
 * independent of its content.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "proxy.h"
#include "strutil.h"

int proxy_peer_is(int fd, uid_t uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	memset(&cred, 0, sizeof(cred));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred))
		return 0;
	return cred.uid == uid;
}

int proxy_key_ok(const char *value, const char *key)
{
	/* The length is public (always PROXY_KEY_HEX); only the bytes are compared blind. */
	if (value == NULL || strlen(value) != PROXY_KEY_HEX || strlen(key) != PROXY_KEY_HEX)
		return 0;
	return cobocred_consttime_eq(value, key, PROXY_KEY_HEX);
}
