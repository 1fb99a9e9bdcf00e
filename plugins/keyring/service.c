/*
 * service.c - reaching the Secret Service: a bus that answers, a daemon
 * that owns (or can be activated as) org.freedesktop.secrets, then a
 * libsecret service object.  A machine without a session bus answers
 * UNAVAIL at once (connect() fails); each of the first two steps has
 * KR_REACH_MS, which only a bus that accepted the connection can use up
 * (and then it is TRYAGAIN: busy, not absent).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "keyring.h"

/* One org.freedesktop.DBus call; NULL with *err on failure. */
static GVariant *bus_call(GDBusConnection *bus, const char *method, GVariant *args,
			  const char *reply, gint64 deadline, GError **err)
{
	gint64 left = (deadline - g_get_monotonic_time()) / 1000;

	return g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					   "org.freedesktop.DBus", method, args,
					   G_VARIANT_TYPE(reply), G_DBUS_CALL_FLAGS_NO_AUTO_START,
					   left > 1 ? (int)left : 1, NULL, err);
}

/* 1 if name is owned or activatable, 0 if not, -1 with *err. */
static int name_reachable(GDBusConnection *bus, const char *name, gint64 deadline, GError **err)
{
	GVariant *v = bus_call(bus, "NameHasOwner", g_variant_new("(s)", name), "(b)", deadline,
			       err);
	GVariantIter *it = NULL;
	const char *s;
	gboolean owned = FALSE;
	int r = -1;

	if (v == NULL)
		return -1;
	g_variant_get(v, "(b)", &owned);
	g_variant_unref(v);
	if (owned)
		return 1;
	v = bus_call(bus, "ListActivatableNames", NULL, "(as)", deadline, err);
	if (v == NULL)
		return -1;
	r = 0;
	g_variant_get(v, "(as)", &it);
	while (r == 0 && g_variant_iter_next(it, "&s", &s))
		r = strcmp(s, name) == 0;
	g_variant_iter_free(it);
	g_variant_unref(v);
	return r;
}

int kr_service_check(struct kr_state *st)
{
	gint64 deadline;
	char err[512];
	GError *ge = NULL;
	int st_probe, r;

	if (st->bus != NULL)
		return COBOCRED_SUCCESS;
	st_probe = kr_bus_probe(getenv("DBUS_SESSION_BUS_ADDRESS"), KR_REACH_MS, err, sizeof(err));
	if (st_probe != COBOCRED_SUCCESS) {
		st->host->set_error(st->host->ctx, "%s", err);
		return st_probe;
	}
	/* The address is set and answers, so this cannot autolaunch. */
	st->bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &ge);
	if (st->bus == NULL)
		return kr_gerror(st, "connecting to the D-Bus session bus", ge);
	/* A bus that goes away must not take the whole process with it (SIGTERM). */
	g_dbus_connection_set_exit_on_close(st->bus, FALSE);
	deadline = g_get_monotonic_time() + (gint64)KR_REACH_MS * 1000;
	r = name_reachable(st->bus, kr_bus_name(), deadline, &ge);
	if (r < 0)
		return kr_gerror(st, "asking the session bus for the Secret Service", ge);
	if (r == 0) {
		st->host->set_error(
			st->host->ctx,
			"no Secret Service (%s) on the D-Bus session "
			"bus; start gnome-keyring-daemon (or KWallet with apiEnabled=true under "
			"[org.freedesktop.secrets] in kwalletrc, or KeePassXC's Secret Service) "
			"or use another store",
			kr_bus_name());
		g_clear_object(&st->bus);
		return COBOCRED_UNAVAIL;
	}
	return COBOCRED_SUCCESS;
}

int kr_service_ready(struct kr_state *st)
{
	GError *ge = NULL;
	int r;

	if (st->service != NULL)
		return COBOCRED_SUCCESS;
	r = kr_service_check(st);
	if (r != COBOCRED_SUCCESS)
		return r;
	st->service = secret_service_open_sync(kr_prompt_service_get_type(), NULL,
					       SECRET_SERVICE_NONE, NULL, &ge);
	if (st->service == NULL)
		return kr_gerror(st, "connecting to the Secret Service", ge);
	kr_prompt_service_set_deadline(st->service,
				       st->interactive ? KR_PROMPT_PERSON_MS : st->prompt_ms);
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(st->service), KR_CALL_TIMEOUT_MS);
	return COBOCRED_SUCCESS;
}
