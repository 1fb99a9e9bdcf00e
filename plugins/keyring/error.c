/*
 * error.c - every GError becomes a status and one actionable line.
 */
#include "config.h"

#include <string.h>

#include "keyring.h"

/* The daemon or the bus is gone: another store may work. */
static int gone(const GError *e)
{
	return g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_FILE_NOT_FOUND) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_CHILD_EXITED) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) ||
	       g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
	       g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
	       g_error_matches(e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
	       g_error_matches(e, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
	       g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
}

/* Busy or slow: the same call may work in a moment. */
static int transient(const GError *e)
{
	return g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED) ||
	       g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
	       g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
	       g_error_matches(e, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT);
}

static int locked(const GError *e)
{
	return g_error_matches(e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED);
}

/* What to do about a prompt that did not complete (prompt.c). */
static const char *prompt_fix(const GError *e)
{
	if (e->code == KR_PROMPT_TIMEOUT)
		return "answer it: run from a terminal (or set COBO_CREDENTIAL_INTERACTIVE=always), "
		       "or turn that confirmation off in the keyring (KeePassXC: Settings > "
		       "Secret Service Integration), or raise prompt_timeout under [module "
		       "keyring]";
	return "retry and accept the prompt";
}

/* Copies msg into out on one line: control characters become spaces. */
static void one_line(char *out, size_t outlen, const char *msg)
{
	size_t i;

	g_strlcpy(out, msg != NULL ? msg : "unknown error", outlen);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
}

int kr_gerror(struct kr_state *st, const char *what, GError *err)
{
	const struct cobocred_host *h = st->host;
	char msg[400];
	int status;

	if (err == NULL) {
		h->set_error(h->ctx, "%s failed without a reason; report this bug", what);
		return COBOCRED_ERROR;
	}
	g_dbus_error_strip_remote_error(err);
	one_line(msg, sizeof(msg), err->message);
	if (locked(err)) {
		status = kr_locked(st, NULL);
	} else if (err->domain == kr_prompt_error_quark()) {
		/* unlocked, but the provider's prompt did not complete: say what happened */
		status = COBOCRED_TRYAGAIN;
		h->set_error(h->ctx, "%s: %s; %s", what, msg, prompt_fix(err));
	} else if (gone(err)) {
		status = COBOCRED_UNAVAIL;
		h->set_error(h->ctx,
			     "%s: the Secret Service is gone (%s); start gnome-keyring-daemon "
			     "(or log in to the desktop) and retry",
			     what, msg);
	} else if (transient(err)) {
		status = COBOCRED_TRYAGAIN;
		h->set_error(h->ctx, "%s: the Secret Service did not answer (%s); retry", what,
			     msg);
	} else {
		status = COBOCRED_ERROR;
		h->set_error(h->ctx, "%s failed: %s; check the keyring daemon (e.g. its journal)",
			     what, msg);
	}
	h->log(h->ctx, COBOCRED_LOG_DEBUG, "keyring: %s: %s", what, msg);
	g_error_free(err);
	return status;
}

int kr_unlock_error(struct kr_state *st, GError *err)
{
	const struct cobocred_host *h = st->host;
	char msg[400];

	if (err == NULL || (!locked(err) && err->domain != kr_prompt_error_quark()))
		return kr_gerror(st, "unlocking the keyring", err);
	/* the collection is locked, and stays so: that is the news, the prompt a detail */
	one_line(msg, sizeof(msg), err->message);
	kr_locked(st, msg);
	h->log(h->ctx, COBOCRED_LOG_DEBUG, "keyring: unlocking: %s", msg);
	g_error_free(err);
	return COBOCRED_TRYAGAIN;
}
