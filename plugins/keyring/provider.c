/*
 * provider.c - which program is the Secret Service, for advice that fits.
 *
 * "Unlock the keyring" means logging in to KDE or opening the wallet in
 * KWalletManager when kwalletd owns org.freedesktop.secrets, unlocking the
 * database when KeePassXC does, and `gnome-keyring-daemon --unlock` (or a
 * desktop login) for GNOME Keyring.  The bus tells us the owner's process
 * (GetConnectionUnixProcessID), its /proc/PID/comm names the program.  A
 * provider we cannot tell (another program, a bus in another PID
 * namespace, /proc not readable) gets the generic advice naming all three.
 *
 * The bottom of the module's imports: the bus name, who owns it, and the
 * messages that name the owner.  It calls no other file of the module, so
 * error.c, service.c, unlock.c and store.c can all call it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyring.h"

static const struct {
	const char *comm_prefix; /* comm is cut at 15 bytes: gnome-keyring-d */
	enum kr_provider provider;
} known[] = {
	{ "gnome-keyring", KR_PROV_GNOME },
	{ "kwalletd", KR_PROV_KWALLET }, /* kwalletd5, kwalletd6 */
	{ "ksecretd", KR_PROV_KWALLET }, /* KWallet's daemon from Frameworks 6.11 */
	{ "keepassxc", KR_PROV_KEEPASSXC },
};

enum kr_provider kr_provider_of_comm(const char *comm)
{
	size_t i;

	for (i = 0; comm != NULL && i < sizeof(known) / sizeof(known[0]); i++)
		if (strncmp(comm, known[i].comm_prefix, strlen(known[i].comm_prefix)) == 0)
			return known[i].provider;
	return KR_PROV_UNKNOWN;
}

const char *kr_bus_name(void)
{
	/* libsecret's own override, so our checks look where libsecret will */
	const char *env = getenv("SECRET_SERVICE_BUS_NAME");

	return env != NULL && env[0] != '\0' ? env : KR_BUS_NAME;
}

/* The owner's PID, or 0 when the bus will not say (or nobody owns the name). */
static guint32 owner_pid(struct kr_state *st)
{
	GVariant *v = g_dbus_connection_call_sync(st->bus, "org.freedesktop.DBus",
						  "/org/freedesktop/DBus", "org.freedesktop.DBus",
						  "GetConnectionUnixProcessID",
						  g_variant_new("(s)", kr_bus_name()),
						  G_VARIANT_TYPE("(u)"),
						  G_DBUS_CALL_FLAGS_NO_AUTO_START, KR_REACH_MS,
						  NULL, NULL);
	guint32 pid = 0;

	if (v != NULL) {
		g_variant_get(v, "(u)", &pid);
		g_variant_unref(v);
	}
	return pid;
}

enum kr_provider kr_provider(struct kr_state *st)
{
	char path[64], comm[32] = "";
	guint32 pid;
	FILE *f;

	if (st->provider != KR_PROV_UNASKED)
		return st->provider;
	st->provider = KR_PROV_UNKNOWN;
	if (st->bus == NULL || (pid = owner_pid(st)) == 0)
		return st->provider;
	snprintf(path, sizeof(path), "/proc/%u/comm", (unsigned)pid);
	f = fopen(path, "re");
	if (f != NULL) {
		if (fgets(comm, sizeof(comm), f) != NULL)
			st->provider = kr_provider_of_comm(comm);
		fclose(f);
	}
	st->host->log(st->host->ctx, COBOCRED_LOG_DEBUG, "keyring: the Secret Service is %s",
		      kr_provider_label(st->provider) ? kr_provider_label(st->provider)
						      : "an unknown program");
	return st->provider;
}

const char *kr_provider_label(enum kr_provider p)
{
	switch (p) {
	case KR_PROV_GNOME:
		return "GNOME Keyring";
	case KR_PROV_KWALLET:
		return "KWallet";
	case KR_PROV_KEEPASSXC:
		return "KeePassXC";
	default:
		return NULL;
	}
}

const char *kr_provider_unlock_advice(enum kr_provider p)
{
	switch (p) {
	case KR_PROV_GNOME:
		return "log in to the desktop, or run: gnome-keyring-daemon --unlock";
	case KR_PROV_KWALLET:
		return "open the wallet in KWalletManager, or log in to KDE (pam_kwallet5 opens "
		       "it)";
	case KR_PROV_KEEPASSXC:
		return "unlock the database in KeePassXC";
	default:
		return "e.g. log in to the desktop, run: gnome-keyring-daemon --unlock, open the "
		       "wallet in KWalletManager, or unlock the database in KeePassXC";
	}
}

const char *kr_provider_collection_advice(enum kr_provider p)
{
	switch (p) {
	case KR_PROV_GNOME:
		return "log in to the desktop once, or create one with seahorse";
	case KR_PROV_KWALLET:
		return "create the wallet in KWalletManager, then restart kwalletd5 (it shows a "
		       "new wallet at its next start)";
	case KR_PROV_KEEPASSXC:
		return "expose a group of the database in KeePassXC (Database settings > Secret "
		       "Service Integration)";
	default:
		return "log in to the desktop once, or use seahorse";
	}
}

int kr_locked(struct kr_state *st, const char *detail)
{
	enum kr_provider p = kr_provider(st);
	const char *label = kr_provider_label(p);

	/* "the keyring is locked" first: scripts and people grep for it */
	st->host->set_error(st->host->ctx,
			    "the keyring is locked%s%s%s; unlock it (%s) and retry%s%s%s",
			    label ? " (" : "", label ? label : "", label ? ")" : "",
			    kr_provider_unlock_advice(p), detail ? " (" : "", detail ? detail : "",
			    detail ? ")" : "");
	return COBOCRED_TRYAGAIN;
}

int kr_no_collection(struct kr_state *st)
{
	enum kr_provider p = kr_provider(st);
	const char *label = kr_provider_label(p);

	st->host->set_error(st->host->ctx,
			    "the keyring%s%s%s has no '%s' collection; create one (%s) or set "
			    "collection= under [module keyring]",
			    label ? " (" : "", label ? label : "", label ? ")" : "", st->collection,
			    kr_provider_collection_advice(p));
	return COBOCRED_UNAVAIL;
}
