/*
 * noprompt.c - a SecretService that never shows a prompt.
 *
 * In non-interactive mode we avoid every call that needs a prompt (locked
 * items and collections are detected first), but a collection can be
 * locked between our check and our call.  libsecret would then run the
 * daemon's unlock prompt; this subclass makes any prompt fail at once
 * instead, which error.c reports as "the keyring is locked".
 */
#include "config.h"

#include "keyring.h"

typedef struct {
	SecretService parent;
} KrNopromptService;

typedef struct {
	SecretServiceClass parent_class;
} KrNopromptServiceClass;

G_DEFINE_TYPE(KrNopromptService, kr_noprompt_service, SECRET_TYPE_SERVICE)

GQuark kr_prompt_error_quark(void)
{
	return g_quark_from_static_string("cobocred-keyring-prompt");
}

static GVariant *refuse_sync(SecretService *self, SecretPrompt *prompt, GCancellable *cancellable,
			     const GVariantType *return_type, GError **error)
{
	g_set_error_literal(error, kr_prompt_error_quark(), 1,
			    "the keyring wants a prompt, and prompts are off");
	return NULL;
}

static void refuse_async(SecretService *self, SecretPrompt *prompt, const GVariantType *return_type,
			 GCancellable *cancellable, GAsyncReadyCallback callback,
			 gpointer user_data)
{
	g_task_report_new_error(self, callback, user_data, (gpointer)refuse_async,
				kr_prompt_error_quark(), 1,
				"the keyring wants a prompt, and prompts are off");
}

static GVariant *refuse_finish(SecretService *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void kr_noprompt_service_init(KrNopromptService *self)
{
}

static void kr_noprompt_service_class_init(KrNopromptServiceClass *klass)
{
	SecretServiceClass *sc = SECRET_SERVICE_CLASS(klass);

	sc->prompt_sync = refuse_sync;
	sc->prompt_async = refuse_async;
	sc->prompt_finish = refuse_finish;
}
