/*
 * crypt.c - records sealed with AES-256-GCM under the fleet key.
 *
 * A sealed value is text: "cc2.KEYID.BASE64(nonce || ciphertext || tag)",
 * where KEYID names the key (the first 4 bytes of SHA-256 over a label and
 * the key, in hex), so a reader picks the right one of the two configured
 * keys and says plainly when it has neither.  The AAD is a label, the
 * length of the record's etcd key (8 bytes, big-endian) and every byte of
 * that key as etcd stores it: a record copied under another key, even one
 * that differs only after a NUL byte, fails authentication instead of
 * answering for another credential.  Nonces are 96 random bits per seal.
 *
 * "cc1." values (before the AAD held the length, the record a generation,
 * and names were keyed) are passed over, never opened: see
 * etcd_open_value.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

#include "etcd.h"
#include "hostmem.h"
#include "strutil.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define MAGIC "cc2."
#define MAGIC_V1 "cc1."
#define AAD_LABEL "cobo-credential etcd record v2"

void etcd_key_id(struct etcd_fleet_key *k)
{
	static const char label[] = "cobo-credential fleet key id";
	static const char naming[] = "cobo-credential etcd names v1";
	unsigned char buf[sizeof(label) + ETCD_KEY_LEN], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	memcpy(buf, label, sizeof(label));
	memcpy(buf + sizeof(label), k->key, ETCD_KEY_LEN);
	if (EVP_Digest(buf, sizeof(buf), md, &mdlen, EVP_sha256(), NULL) != 1)
		memset(md, 0, sizeof(md));
	OPENSSL_cleanse(buf, sizeof(buf));
	cobocred_hex_encode(md, ETCD_KEY_ID_LEN / 2, k->id);
	k->id[ETCD_KEY_ID_LEN] = '\0';
	/* A key of its own for names, so a name never says anything about the sealing key. */
	if (HMAC(EVP_sha256(), k->key, ETCD_KEY_LEN, (const unsigned char *)naming, sizeof(naming),
		 md, &mdlen) == NULL ||
	    mdlen != ETCD_KEY_LEN)
		k->set = 0; /* no names without it: the module reports the key unusable */
	else
		memcpy(k->name_key, md, ETCD_KEY_LEN);
	OPENSSL_cleanse(md, sizeof(md));
}

int etcd_name(const struct etcd_fleet_key *k, const char *const *parts, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE], *buf, *p;
	unsigned int mdlen = 0;
	size_t i, len = 0;
	int r = -1;

	for (i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	buf = malloc(len + 1);
	if (buf == NULL)
		return -1;
	for (p = buf, i = 0; i < n; i++) {
		memcpy(p, parts[i], strlen(parts[i]) + 1);
		p += strlen(parts[i]) + 1;
	}
	if (HMAC(EVP_sha256(), k->name_key, ETCD_KEY_LEN, buf, len, md, &mdlen) != NULL &&
	    mdlen == 32) {
		cobocred_hex_encode(md, 32, out);
		out[64] = '\0';
		r = 0;
	}
	free(buf);
	return r;
}

const struct etcd_fleet_key *etcd_lock_naming_key(const struct etcd_state *s)
{
	/*
	 * Every machine of a fleet must name a lock alike.  While a key is
	 * rotated, machines hold the old key as fleet_key or as
	 * fleet_key_previous: the old one names the lock for all of them.
	 */
	return s->keys[1].set ? &s->keys[1] : &s->keys[0];
}

char *etcd_b64(const unsigned char *in, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return out;
}

int etcd_unb64(const char *in, unsigned char **out, size_t *n)
{
	size_t len = strlen(in), pad = 0;
	int got;

	*out = NULL;
	if (len % 4 != 0 || len > (64u << 20))
		return -1;
	*out = malloc(len / 4 * 3 + 1);
	if (*out == NULL)
		return -1;
	got = len ? EVP_DecodeBlock(*out, (const unsigned char *)in, (int)len) : 0;
	if (got < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	pad = (len >= 1 && in[len - 1] == '=') + (len >= 2 && in[len - 2] == '=');
	*n = (size_t)got - pad;
	(*out)[*n] = '\0';
	return 0;
}

/* AES-256-GCM one shot; enc 1 seals, 0 opens (tag checked).  0 or -1. */
static int gcm(int enc, const unsigned char *key, const unsigned char *nonce,
	       const struct etcd_where *w, const unsigned char *in, size_t n, unsigned char *out,
	       unsigned char *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	unsigned char len8[8];
	int len = 0, ok, i;

	for (i = 0; i < 8; i++)
		len8[i] = (unsigned char)((uint64_t)w->len >> (56 - 8 * i));
	ok = c != NULL && w->len <= INT_MAX &&
	     EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
	     EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1 &&
	     EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)AAD_LABEL, sizeof(AAD_LABEL)) ==
		     1 &&
	     EVP_CipherUpdate(c, NULL, &len, len8, sizeof(len8)) == 1 &&
	     EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)w->key, (int)w->len) == 1 &&
	     EVP_CipherUpdate(c, out, &len, in, (int)n) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
	ok = ok && EVP_CipherFinal_ex(c, out + len, &len) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

int etcd_seal(struct etcd_state *s, const struct etcd_where *where, const unsigned char *plain,
	      size_t n, char **out)
{
	size_t blen = NONCE_LEN + n + TAG_LEN, tlen;
	unsigned char *blob = malloc(blen);
	char *b64 = NULL;
	int r = COBOCRED_ERROR;

	*out = NULL;
	if (blob == NULL || RAND_bytes(blob, NONCE_LEN) != 1 ||
	    gcm(1, s->keys[0].key, blob, where, plain, n, blob + NONCE_LEN, blob + NONCE_LEN + n) !=
		    0 ||
	    (b64 = etcd_b64(blob, blen)) == NULL) {
		s->host->set_error(s->host->ctx, "etcd: cannot seal the record (OpenSSL)");
		goto out;
	}
	tlen = strlen(MAGIC) + ETCD_KEY_ID_LEN + 1 + strlen(b64) + 1;
	*out = malloc(tlen);
	if (*out == NULL)
		goto out;
	snprintf(*out, tlen, "%s%s.%s", MAGIC, s->keys[0].id, b64);
	r = COBOCRED_SUCCESS;
out:
	free(blob);
	free(b64);
	return r;
}

static const struct etcd_fleet_key *key_by_id(const struct etcd_state *s, const char *id)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (s->keys[i].set && strncmp(s->keys[i].id, id, ETCD_KEY_ID_LEN) == 0)
			return &s->keys[i];
	return NULL;
}

/* The key id of a record this machine cannot open, for etcd_get's message (hex only). */
static void note_foreign(struct etcd_state *s, const char *id)
{
	size_t i;

	for (i = 0; i < ETCD_KEY_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return;
	memcpy(s->foreign_id, id, ETCD_KEY_ID_LEN);
	s->foreign_id[ETCD_KEY_ID_LEN] = '\0';
}

int etcd_open_value(struct etcd_state *s, const struct etcd_where *where, const unsigned char *val,
		    size_t n, unsigned char **plain, size_t *plain_len)
{
	const size_t head = strlen(MAGIC) + ETCD_KEY_ID_LEN + 1;
	const struct etcd_fleet_key *k;
	unsigned char *blob = NULL;
	size_t blen = 0;
	int r = COBOCRED_ERROR;

	*plain = NULL;
	if (n >= strlen(MAGIC_V1) && memcmp(val, MAGIC_V1, strlen(MAGIC_V1)) == 0) {
		s->host->log(s->host->ctx, COBOCRED_LOG_INFO,
			     "etcd record %s is of the older cc1 format: passed over (a new one "
			     "is minted and written in its place)",
			     where->key);
		return COBOCRED_NOTFOUND;
	}
	if (n < head || memcmp(val, MAGIC, strlen(MAGIC)) != 0 || val[head - 1] != '.' ||
	    memchr(val, '\0', n) != NULL) {
		s->host->set_error(s->host->ctx,
				   "etcd record %s is not a cobo-credential record; remove it "
				   "or fix [module etcd] prefix",
				   where->key);
		return COBOCRED_ERROR;
	}
	k = key_by_id(s, (const char *)val + strlen(MAGIC));
	if (k == NULL) {
		note_foreign(s, (const char *)val + strlen(MAGIC));
		s->host->set_error(s->host->ctx,
				   "fleet_key: etcd record %s is sealed with fleet key id %.8s, "
				   "but this machine has key id %s%s%s; configure that key "
				   "(fleet_key or fleet_key_previous)",
				   where->key, (const char *)val + strlen(MAGIC), s->keys[0].id,
				   s->keys[1].set ? " and " : "",
				   s->keys[1].set ? s->keys[1].id : "");
		return COBOCRED_ERROR;
	}
	if (etcd_unb64((const char *)val + head, &blob, &blen) != 0 || blen < NONCE_LEN + TAG_LEN ||
	    (*plain = cobocred_hostmem_alloc(blen - NONCE_LEN - TAG_LEN + 1)) == NULL ||
	    gcm(0, k->key, blob, where, blob + NONCE_LEN, blen - NONCE_LEN - TAG_LEN, *plain,
		blob + blen - TAG_LEN) != 0) {
		s->host->set_error(s->host->ctx,
				   "etcd record %s failed authentication with fleet key id %s "
				   "(altered, or moved from another key); erase it and log in "
				   "again",
				   where->key, k->id);
		cobocred_hostmem_free(*plain);
		*plain = NULL;
		goto out;
	}
	*plain_len = blen - NONCE_LEN - TAG_LEN;
	r = COBOCRED_SUCCESS;
out:
	free(blob);
	return r;
}
