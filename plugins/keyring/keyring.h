/*
 * keyring.h - the keyring module's insides: Secret Service storage through
 * libsecret's synchronous API.
 *
 * Files: bus.c (is there a session bus at all, without GLib), service.c
 * (is there a Secret Service on it; connecting), prompt.c (a service
 * that performs prompts within a deadline), error.c (GError -> status +
 * one line), provider.c (the bus name, who owns it, the messages that
 * name it: calls no other file here), unlock.c (the unlock rule),
 * session.c (the transfer session), search.c, ops.c (get/store/erase/
 * list), store.c, options.c (open/close), map.h (the pure item layout).
 */
#ifndef KEYRING_KEYRING_H
#define KEYRING_KEYRING_H

#include <libsecret/secret.h>

#include "cobocred/module.h"

#define KR_BUS_NAME "org.freedesktop.secrets"
/*
 * Budget of each step of "is the keyring reachable at all": the bus probe's
 * handshake, then the one or two bus calls that look for the Secret
 * Service.  A machine without a session bus fails connect() at once, so
 * this bounds only a bus that accepted the connection: on a loaded machine
 * (a storm of 128 helpers at load 50 on 2 cores) dbus-daemon can take
 * longer than the 2.5 s the probe once had, and giving up early sent a get
 * on to mint as if nothing were cached.  A bus that stays silent is
 * TRYAGAIN (bus.c).
 */
#define KR_REACH_MS 15000
/* Per D-Bus call to the daemon once it is known to be there. */
#define KR_CALL_TIMEOUT_MS 15000
/* A search of a locked collection with nobody to unlock it (search.c). */
#define KR_LOCKED_SEARCH_MS 3000

/*
 * Prompt deadlines (prompt.c).  Nobody to answer (no terminal, or
 * prompting off): a prompt that needs a person will not complete, so it is
 * dismissed after KR_PROMPT_HEADLESS_MS (the prompt_timeout option); one
 * that is only a D-Bus conversation (KeePassXC's on every store and
 * delete) completes well within it.  A person at a terminal gets
 * KR_PROMPT_PERSON_MS to answer a dialog.  After Dismiss the provider has
 * KR_PROMPT_GRACE_MS to confirm.
 */
#define KR_PROMPT_HEADLESS_MS 5000
#define KR_PROMPT_PERSON_MS 300000
#define KR_PROMPT_GRACE_MS 2000
/* Codes of kr_prompt_error_quark(): what really happened to a prompt. */
#define KR_PROMPT_DISMISSED 1
#define KR_PROMPT_TIMEOUT 2

/* Who owns org.freedesktop.secrets (provider.c); KR_PROV_UNASKED until asked. */
enum kr_provider {
	KR_PROV_UNASKED = -1,
	KR_PROV_UNKNOWN,
	KR_PROV_GNOME,
	KR_PROV_KWALLET,
	KR_PROV_KEEPASSXC,
};

struct kr_state {
	const struct cobocred_host *host;
	int interactive;	   /* a person can answer prompts (unlock dialogs) */
	int prompt_ms;		   /* prompt deadline when nobody can answer */
	char *collection;	   /* owned: alias of the collection items are stored in */
	const char *git_ss_schema; /* xdg:schema of git items we write */
	GDBusConnection *bus;	   /* owned ref; NULL until checked */
	enum kr_provider provider; /* cached by kr_provider() */
	SecretService *service;	   /* owned; NULL until first use */
};

/* options.c: the module entry points open/close. */
int kr_open(const struct cobocred_host *host, int argc, const char *const *argv, void **state);
void kr_close(void *state);
/* COBO_CREDENTIAL_INTERACTIVE=never|always, else a terminal on stdin and stderr. */
int kr_interactive_mode(void);

/* ops.c */
int kr_get(void *state, const struct cobocred_query *q, struct cobocred_item **out);
int kr_store(void *state, const struct cobocred_item *item, const struct cobocred_query *replace);
int kr_erase(void *state, const struct cobocred_query *q);
int kr_list(void *state, const struct cobocred_query *q, struct cobocred_item **out);

/*
 * bus.c: checks without GLib (so nothing can autolaunch a bus) that
 * address names a session bus that answers the D-Bus handshake within
 * timeout_ms.  COBOCRED_SUCCESS; UNAVAIL with err when there is no bus
 * (nothing listens, or the peer is no bus); TRYAGAIN with err when a bus
 * accepted the connection and did not answer in time (busy, not absent).
 */
int kr_bus_probe(const char *address, int timeout_ms, char *err, size_t errlen);

/* service.c */
/* Bus reachable and a Secret Service on it (or activatable); opens st->bus. */
int kr_service_check(struct kr_state *st);
/* st->service ready for calls (checks first if needed). */
int kr_service_ready(struct kr_state *st);

/* prompt.c: a SecretService type that performs prompts within a deadline. */
GType kr_prompt_service_get_type(void);
void kr_prompt_service_set_deadline(SecretService *service, int deadline_ms);
GQuark kr_prompt_error_quark(void);

/* error.c: sets a one-line message for err (consumed) and returns its status. */
int kr_gerror(struct kr_state *st, const char *what, GError *err);
/* The same for a failed unlock of a locked collection: "locked", with what the prompt did. */
int kr_unlock_error(struct kr_state *st, GError *err);

/*
 * provider.c: the bottom of the module's imports (it calls no other file
 * of the module): the bus name, its owner, and the messages naming it.
 */
/* The Secret Service's bus name (libsecret's SECRET_SERVICE_BUS_NAME override). */
const char *kr_bus_name(void);
/* The provider a process named comm (/proc/PID/comm) is. */
enum kr_provider kr_provider_of_comm(const char *comm);
/* The provider owning the Secret Service name on st->bus, asked once. */
enum kr_provider kr_provider(struct kr_state *st);
/* "KWallet" & co., or NULL for an unknown provider. */
const char *kr_provider_label(enum kr_provider p);
/* How to unlock p's collection, for "...; HOW and retry". */
const char *kr_provider_unlock_advice(enum kr_provider p);
/* How to give p a collection to store in. */
const char *kr_provider_collection_advice(enum kr_provider p);
/* Sets the one-line "locked" message naming the provider, with detail (or NULL). TRYAGAIN. */
int kr_locked(struct kr_state *st, const char *detail);
/* Sets the one-line "no such collection" message naming the provider.  UNAVAIL. */
int kr_no_collection(struct kr_state *st);

/* unlock.c */
/*
 * Unlocks the collection items are stored in if it is locked, in any mode
 * (the rule is written there).  SUCCESS when it is unlocked (or there is no
 * such collection: the caller reports that), TRYAGAIN with the provider's
 * "locked" message when it stays locked, another status on a bus error.
 */
int kr_unlock_store_collection(struct kr_state *st);
/* The same for collection c, known to be locked. */
int kr_unlock_collection(struct kr_state *st, SecretCollection *c);
/* The Locked property of collection path (an alias path too): 1, 0, or -1 unknown. */
int kr_collection_locked(struct kr_state *st, const char *path);

/* session.c */
/*
 * The transfer session (OpenSession) is open; a session refused for its
 * key size is opened once more with a fresh key (see session.c).
 */
int kr_session_ready(struct kr_state *st);
/*
 * Drops the service object and with it the session, so that the next
 * kr_service_ready opens both afresh (a fresh key): for a session whose
 * key the provider derived otherwise than libsecret did (see session.c).
 * Objects got from the old service keep it alive; use new ones.
 */
void kr_session_renew(struct kr_state *st);
/* 1 if e is kwalletd5's refusal of a secret it could not decrypt. */
int kr_session_undecryptable(const GError *e);

/* search.c */
struct kr_hit {
	SecretItem *ss;		    /* owned ref */
	struct cobocred_item *item; /* owned (host item), with its secret unless locked */
	guint64 modified;
	guint64 seq; /* gnome-keyring's item number: creation order */
	int locked;
	struct kr_hit *next;
};
/*
 * Every keyring item matching q (q->secret compared where the secret
 * could be read; locked items match on attributes alone and are marked).
 * KR_SECRETS reads the secrets into the items; it and KR_UNLOCKED first
 * unlock locked matches where a prompt can work (search.c), for callers that
 * delete them; KR_ATTRS_ONLY does neither.  A q->secret to compare always
 * reads the secrets.  Without secrets a search is one D-Bus call per schema.
 */
enum kr_want { KR_ATTRS_ONLY, KR_UNLOCKED, KR_SECRETS };
/* Searches one kr_search makes at most while items vanish under it (search.c). */
#define KR_SEARCH_TRIES 8
int kr_search(struct kr_state *st, const struct cobocred_query *q, enum kr_want want,
	      struct kr_hit **out);
void kr_hits_free(struct kr_state *st, struct kr_hit *hits);
struct kr_attrs;
/* A hash table viewing a's strings (a must outlive it); g_hash_table_unref it. */
GHashTable *kr_attrs_hash(const struct kr_attrs *a);
/* Deletes one keyring item; an item that is already gone counts as deleted. */
int kr_delete(struct kr_state *st, SecretItem *item);

#endif
