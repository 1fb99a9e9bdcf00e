/*
 * unlock.c - the unlock rule: the collection items are stored in is
 * unlocked by calling Unlock, in any mode.
 *
 * Whether an Unlock needs a person cannot be known before asking: right
 * after a KDE login the open wallet's collection reads Locked=true and
 * KWallet answers Unlock with a prompt that completes at once, with no
 * dialog (git-credential-libsecret and secret-tool unlock it so and work);
 * an open KeePassXC database answers with no prompt at all; a locked GNOME
 * Keyring or a closed KeePassXC database answers with a prompt that shows
 * a password dialog.  So Unlock is always called, and a prompt it answers
 * with is performed by prompt.c within the prompt deadline: with nobody to
 * answer (no terminal, or COBO_CREDENTIAL_INTERACTIVE=never) that is
 * prompt_timeout, after which the prompt is dismissed (no dialog is left
 * behind) and the call fails at once as locked, naming the provider and
 * what to do (provider.c).  Nothing is written to a locked collection, so
 * a failed call leaves nothing behind.
 */
#include "config.h"

#include "keyring.h"

int kr_collection_locked(struct kr_state *st, const char *path)
{
	char *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(st->service));
	GVariant *v = NULL, *inner = NULL;
	int locked = -1;

	if (owner != NULL && g_variant_is_object_path(path))
		v = g_dbus_connection_call_sync(
			g_dbus_proxy_get_connection(G_DBUS_PROXY(st->service)), owner, path,
			"org.freedesktop.DBus.Properties", "Get",
			g_variant_new("(ss)", "org.freedesktop.Secret.Collection", "Locked"),
			G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, KR_CALL_TIMEOUT_MS,
			NULL, NULL);
	if (v != NULL) {
		g_variant_get(v, "(v)", &inner);
		if (g_variant_is_of_type(inner, G_VARIANT_TYPE_BOOLEAN))
			locked = g_variant_get_boolean(inner);
		g_variant_unref(inner);
		g_variant_unref(v);
	}
	g_free(owner);
	return locked;
}

int kr_unlock_collection(struct kr_state *st, SecretCollection *c)
{
	const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(c));
	GList *one = g_list_append(NULL, c), *done = NULL;
	GError *ge = NULL;
	int r = COBOCRED_SUCCESS;

	secret_service_unlock_sync(st->service, one, NULL, &done, &ge);
	g_list_free(one);
	if (ge != NULL)
		r = kr_unlock_error(st, ge);
	else if (done == NULL && kr_collection_locked(st, path) != 0)
		r = kr_locked(st, NULL);
	else
		st->host->log(st->host->ctx, COBOCRED_LOG_DEBUG,
			      "keyring: unlocked the '%s' collection", st->collection);
	g_list_free_full(done, g_object_unref);
	return r;
}

int kr_unlock_store_collection(struct kr_state *st)
{
	SecretCollection *c; /* owned ref, or NULL: no such collection */
	GError *ge = NULL;
	int r = COBOCRED_SUCCESS;

	c = secret_collection_for_alias_sync(st->service, st->collection, SECRET_COLLECTION_NONE,
					     NULL, &ge);
	if (ge != NULL)
		return kr_gerror(st, "opening the keyring collection", ge);
	/* no such collection: the caller says so */
	if (c != NULL && secret_collection_get_locked(c))
		r = kr_unlock_collection(st, c);
	if (c != NULL)
		g_object_unref(c);
	return r;
}
