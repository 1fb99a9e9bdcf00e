/*
 * prompt.c - a SecretService that performs prompts, within a deadline.
 *
 * A Secret Service prompt is a D-Bus conversation (call Prompt, wait for
 * the Completed signal), not necessarily a dialog: KeePassXC answers every
 * CreateItem and Item.Delete with a prompt that completes at once, with
 * the collection unlocked.  Refusing prompts would refuse every store
 * there, so we perform them all, but never wait for ever: a prompt that
 * has not completed by the deadline is dismissed (Prompt.Dismiss) and
 * reported as timed out.  The deadline is short when nobody can answer a
 * dialog (no terminal, or prompting off: a prompt that needs a person
 * will not complete) and long when a person is there.
 *
 * Outcomes are errors in kr_prompt_error_quark() with a code saying what
 * really happened (dismissed, timed out), so error.c never calls an
 * unlocked collection "locked".  If the provider completes the prompt
 * after all while our Dismiss is on its way, its answer wins: the action
 * was done, and we say so.
 */
#include "config.h"

#include "keyring.h"

#define KR_PROMPT_IFACE "org.freedesktop.Secret.Prompt"

/*
 * A prompt proxy libsecret made, kept until libsecret is done with it.
 * libsecret's sync calls make the proxy in a private main context and drop
 * that context before their last reference to the proxy: the proxy's signal
 * subscriptions then end with their destroy notifications queued in a
 * context nobody iterates (8 bytes each, under LeakSanitizer).  We keep a
 * reference to both and drop the proxy later, iterating its context.
 */
struct held {
	SecretPrompt *prompt;  /* owned ref */
	GMainContext *context; /* owned ref: where the proxy subscribed */
};

typedef struct {
	SecretService parent;
	int deadline_ms;
	GArray *held; /* owned: struct held, released by reap() */
} KrPromptService;

typedef struct {
	SecretServiceClass parent_class;
} KrPromptServiceClass;

G_DEFINE_TYPE(KrPromptService, kr_prompt_service, SECRET_TYPE_SERVICE)

GQuark kr_prompt_error_quark(void)
{
	return g_quark_from_static_string("cobocred-keyring-prompt");
}

void kr_prompt_service_set_deadline(SecretService *service, int deadline_ms)
{
	((KrPromptService *)service)->deadline_ms = deadline_ms;
}

/* One prompt conversation; the task's data. */
struct run {
	GDBusConnection *bus; /* owned ref */
	char *owner;	      /* owned: the provider's bus name */
	char *path;	      /* owned: the prompt object */
	GVariantType *want;   /* owned or NULL: the result type the caller expects */
	int deadline_ms;
	guint signal;	/* Completed subscription, 0 when gone */
	GSource *timer; /* owned ref or NULL: deadline, then the grace for Dismiss */
	int dismissing; /* the deadline passed and Dismiss was sent */
	int done;
};

static void run_free(gpointer data)
{
	struct run *r = data;

	g_object_unref(r->bus);
	g_free(r->owner);
	g_free(r->path);
	if (r->want != NULL)
		g_variant_type_free(r->want);
	g_free(r);
}

static void stop_timer(struct run *r)
{
	if (r->timer != NULL) {
		g_source_destroy(r->timer);
		g_source_unref(r->timer);
		r->timer = NULL;
	}
}

/* Ends the conversation once: result (consumed) or err (consumed). */
static void finish(GTask *task, GVariant *result, GError *err)
{
	struct run *r = g_task_get_task_data(task);

	if (r->done) {
		if (result != NULL)
			g_variant_unref(result);
		if (err != NULL)
			g_error_free(err);
		return;
	}
	r->done = 1;
	stop_timer(r);
	if (r->signal != 0)
		g_dbus_connection_signal_unsubscribe(r->bus, r->signal);
	r->signal = 0;
	if (err != NULL)
		g_task_return_error(task, err);
	else
		g_task_return_pointer(task, result, (GDestroyNotify)g_variant_unref);
}

static GError *outcome(const struct run *r)
{
	if (r->dismissing)
		return g_error_new(kr_prompt_error_quark(), KR_PROMPT_TIMEOUT,
				   "the keyring asked for a confirmation (a prompt) and it was not "
				   "answered within %d s, so it was dismissed",
				   (r->deadline_ms + 999) / 1000);
	return g_error_new_literal(kr_prompt_error_quark(), KR_PROMPT_DISMISSED,
				   "the keyring's prompt was dismissed (refused there)");
}

static void on_completed(GDBusConnection *bus, const char *sender, const char *path,
			 const char *iface, const char *signal, GVariant *params, gpointer data)
{
	GTask *task = data;
	struct run *r = g_task_get_task_data(task);
	GVariant *result = NULL;
	gboolean dismissed = TRUE;

	if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(bv)"))) {
		finish(task, NULL,
		       g_error_new(SECRET_ERROR, SECRET_ERROR_PROTOCOL,
				   "the keyring's prompt completed with a malformed answer (%s)",
				   g_variant_get_type_string(params)));
		return;
	}
	g_variant_get(params, "(bv)", &dismissed, &result);
	if (dismissed) {
		g_variant_unref(result);
		finish(task, NULL, outcome(r));
	} else if (r->want != NULL && !g_variant_is_of_type(result, r->want)) {
		finish(task, NULL,
		       g_error_new(SECRET_ERROR, SECRET_ERROR_PROTOCOL,
				   "the keyring's prompt completed with an answer of type %s",
				   g_variant_get_type_string(result)));
		g_variant_unref(result);
	} else {
		finish(task, result, NULL);
	}
}

/* The reply to Prompt: an error ends it; otherwise Completed will come. */
static void on_prompted(GObject *source, GAsyncResult *res, gpointer data)
{
	GTask *task = data;
	GError *err = NULL;
	GVariant *v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &err);

	if (v != NULL)
		g_variant_unref(v);
	if (err != NULL)
		finish(task, NULL, err);
	g_object_unref(task);
}

static void on_dismissed(GObject *source, GAsyncResult *res, gpointer data)
{
	GTask *task = data;
	struct run *r = g_task_get_task_data(task);
	GError *err = NULL;
	GVariant *v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &err);

	if (v != NULL)
		g_variant_unref(v);
	if (err != NULL) { /* no Completed will follow */
		g_error_free(err);
		finish(task, NULL, outcome(r));
	}
	g_object_unref(task);
}

static gboolean on_grace(gpointer data)
{
	GTask *task = data;

	/* Dismissed, but the provider did not say so: it is timed out all the same. */
	finish(task, NULL, outcome(g_task_get_task_data(task)));
	return G_SOURCE_REMOVE;
}

static void start_timer(GTask *task, int ms, GSourceFunc fn)
{
	struct run *r = g_task_get_task_data(task);

	stop_timer(r);
	r->timer = g_timeout_source_new((guint)ms);
	g_source_set_callback(r->timer, fn, g_object_ref(task), g_object_unref);
	g_source_attach(r->timer, g_task_get_context(task));
}

static gboolean on_deadline(gpointer data)
{
	GTask *task = data;
	struct run *r = g_task_get_task_data(task);

	if (r->done)
		return G_SOURCE_REMOVE;
	r->dismissing = 1;
	g_dbus_connection_call(r->bus, r->owner, r->path, KR_PROMPT_IFACE, "Dismiss", NULL, NULL,
			       G_DBUS_CALL_FLAGS_NO_AUTO_START, KR_PROMPT_GRACE_MS, NULL,
			       on_dismissed, g_object_ref(task));
	start_timer(task, KR_PROMPT_GRACE_MS, on_grace); /* drops this source */
	return G_SOURCE_REMOVE;
}

/*
 * Drops the proxies of prompts whose libsecret call has returned, each with
 * its context iterated so the notifications queued there run.  A proxy made
 * in the context running now belongs to a call still in progress: kept.
 */
static void reap(KrPromptService *self, int all)
{
	GMainContext *now = g_main_context_ref_thread_default();
	guint i = 0;

	while (i < self->held->len) {
		struct held h = g_array_index(self->held, struct held, i);

		if (!all && h.context == now) {
			i++;
			continue;
		}
		g_array_remove_index_fast(self->held, i);
		g_object_unref(h.prompt);
		while (g_main_context_iteration(h.context, FALSE))
			;
		g_main_context_unref(h.context);
	}
	g_main_context_unref(now);
}

/* Keeps prompt (and the context running now) for reap(). */
static void hold(KrPromptService *self, SecretPrompt *prompt)
{
	struct held h = { g_object_ref(prompt), g_main_context_ref_thread_default() };

	reap(self, 0);
	g_array_append_val(self->held, h);
}

static void start(SecretService *self, SecretPrompt *prompt, const GVariantType *want,
		  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	GDBusProxy *proxy = G_DBUS_PROXY(prompt);
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	struct run *r = g_new0(struct run, 1);

	r->bus = g_object_ref(g_dbus_proxy_get_connection(proxy));
	r->owner = g_dbus_proxy_get_name_owner(proxy);
	if (r->owner == NULL)
		r->owner = g_strdup(g_dbus_proxy_get_name(proxy));
	r->path = g_strdup(g_dbus_proxy_get_object_path(proxy));
	r->want = want != NULL ? g_variant_type_copy(want) : NULL;
	r->deadline_ms = ((KrPromptService *)self)->deadline_ms;
	g_task_set_task_data(task, r, run_free);
	g_task_set_check_cancellable(task, FALSE);
	/* Subscribed before Prompt is called: a prompt may complete at once. */
	r->signal = g_dbus_connection_signal_subscribe(r->bus, r->owner, KR_PROMPT_IFACE,
						       "Completed", r->path, NULL,
						       G_DBUS_SIGNAL_FLAGS_NONE, on_completed,
						       g_object_ref(task), g_object_unref);
	if (r->deadline_ms > 0)
		start_timer(task, r->deadline_ms, on_deadline);
	g_dbus_connection_call(r->bus, r->owner, r->path, KR_PROMPT_IFACE, "Prompt",
			       g_variant_new("(s)", ""), NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
			       KR_CALL_TIMEOUT_MS, NULL, on_prompted, task); /* takes our ref */
}

static void prompt_async(SecretService *self, SecretPrompt *prompt, const GVariantType *want,
			 GCancellable *cancellable, GAsyncReadyCallback callback,
			 gpointer user_data)
{
	hold((KrPromptService *)self, prompt);
	start(self, prompt, want, cancellable, callback, user_data);
}

static GVariant *prompt_finish(SecretService *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void on_sync_done(GObject *source, GAsyncResult *res, gpointer data)
{
	*(GAsyncResult **)data = g_object_ref(res);
}

static GVariant *prompt_sync(SecretService *self, SecretPrompt *prompt, GCancellable *cancellable,
			     const GVariantType *want, GError **error)
{
	GMainContext *mc = g_main_context_new();
	GAsyncResult *res = NULL;
	gpointer task; /* weak: NULL once the conversation's last reference is gone */
	GVariant *v;

	hold((KrPromptService *)self, prompt);
	g_main_context_push_thread_default(mc);
	start(self, prompt, want, cancellable, on_sync_done, &res);
	while (res == NULL)
		g_main_context_iteration(mc, TRUE);
	v = prompt_finish(self, res, error);
	/*
	 * The answer is in, but the conversation may not be over: Completed
	 * may come before the reply to Prompt, and that reply (or Dismiss's),
	 * the timer and the signal's destroy notify each hold a reference to
	 * the task that only this context can drop.  Dropping the context
	 * first would leak them.  Every call has a timeout, so this ends.
	 */
	task = res;
	g_object_add_weak_pointer(G_OBJECT(task), &task);
	g_object_unref(res);
	while (task != NULL)
		g_main_context_iteration(mc, TRUE);
	while (g_main_context_iteration(mc, FALSE)) /* what the last unref queued */
		;
	g_main_context_pop_thread_default(mc);
	g_main_context_unref(mc);
	return v;
}

static void kr_prompt_service_init(KrPromptService *self)
{
	self->deadline_ms = KR_PROMPT_HEADLESS_MS;
	self->held = g_array_new(FALSE, FALSE, sizeof(struct held));
}

static void kr_prompt_service_dispose(GObject *obj)
{
	KrPromptService *self = (KrPromptService *)obj;

	if (self->held != NULL) {
		reap(self, 1);
		g_array_unref(self->held);
		self->held = NULL;
	}
	G_OBJECT_CLASS(kr_prompt_service_parent_class)->dispose(obj);
}

static void kr_prompt_service_class_init(KrPromptServiceClass *klass)
{
	SecretServiceClass *sc = SECRET_SERVICE_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = kr_prompt_service_dispose;

	sc->prompt_sync = prompt_sync;
	sc->prompt_async = prompt_async;
	sc->prompt_finish = prompt_finish;
}
