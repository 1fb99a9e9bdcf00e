/*
 * session.c - the transfer session secrets travel in (OpenSession).
 *
 * libsecret opens it on first need with a fresh Diffie-Hellman key pair.
 * kwalletd5 before KDE Frameworks 6.25 refuses a client public key shorter
 * than 128 bytes ("Client public key size is invalid"), and libsecret
 * drops the key's leading zero bytes, so about one session in a hundred
 * is refused there, for every client.  A fresh key is short again only
 * as rarely, so a session refused for that reason is opened once more
 * (libsecret makes a new key pair each time); a second refusal, or any
 * other error, is reported.  Opening a session stores nothing, so asking
 * twice is safe.
 *
 * kwalletd5 5.103 also derives, for about one session in two hundred, an
 * AES key that differs from libsecret's (the Diffie-Hellman shared value
 * hashed without its leading zero bytes on one side and with them on the
 * other).  Such a session looks healthy but carries nothing: every secret
 * kwalletd5 sends decodes to nothing (an item that seems to vanish, on
 * every retry in that session), and every secret sent to it is refused
 * with "Can't find session PATH" (org.qtproject.QtDBus.Error.
 * InvalidObjectPath, naming the session it has; libsecret reports it as
 * G_IO_ERROR_DBUS_ERROR with the text alone) after kwalletd5 has already
 * registered the new item with its attributes and an empty secret (seen
 * by sending 5.103 a secret encrypted with another key, and through
 * libsecret in a closed session).  Only a new session (a new key) helps:
 * readers (search.c) and the store (store.c) renew it.
 */
#include "config.h"

#include <string.h>

#include "keyring.h"

/* KWallet's refusal of a short client key (an InvalidArgs error). */
static int key_size_refused(const GError *e)
{
	return g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS) &&
	       strstr(e->message, "public key size") != NULL;
}

int kr_session_ready(struct kr_state *st)
{
	GError *ge = NULL;

	if (secret_service_ensure_session_sync(st->service, NULL, &ge))
		return COBOCRED_SUCCESS;
	if (key_size_refused(ge)) {
		st->host->log(st->host->ctx, COBOCRED_LOG_DEBUG,
			      "keyring: the Secret Service refused the session key's size; "
			      "opening the session again with a fresh key");
		g_clear_error(&ge);
		if (secret_service_ensure_session_sync(st->service, NULL, &ge))
			return COBOCRED_SUCCESS;
	}
	return kr_gerror(st, "opening a session with the Secret Service", ge);
}

void kr_session_renew(struct kr_state *st)
{
	st->host->log(st->host->ctx, COBOCRED_LOG_DEBUG,
		      "keyring: the session read or sent no secret; opening a new one");
	g_clear_object(&st->service);
}

int kr_session_undecryptable(const GError *e)
{
	/*
	 * A D-Bus error name GLib does not know, as libsecret hands it over
	 * (stripped of the name: G_IO_ERROR_DBUS_ERROR, the text alone), so
	 * the provider's answer, never one of libsecret's own errors.
	 */
	return g_error_matches(e, G_IO_ERROR, G_IO_ERROR_DBUS_ERROR) &&
	       strstr(e->message, "Can't find session") != NULL;
}
