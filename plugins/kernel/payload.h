/*
 * payload.h - what one kernel key holds, and the key's description.
 *
 * Pure code, no system calls and no host: the parser is a fuzz target
 * (fuzz/fuzz_kernel_payload.c).  A key's payload is bounded by what the
 * kernel keeps for a "user" key (32767 bytes).  Format 1, integers
 * little-endian:
 *
 *   "CCKP" u8 version=1 u8 flags (1: label, 2: refresh token)
 *   i64 created_at  i64 expires_at  u8 n_attrs (<= KP_MAX_ATTRS)
 *   str schema  [str label]  n_attrs x (str name, str value)
 *   str secret  [str refresh]
 *
 * where str is a u16 length and that many bytes.  Names, values, schema
 * and label hold no NUL; the secret may hold any byte.  Every byte of the
 * payload is accounted for: trailing bytes are corruption.
 *
 * The description is what `keyctl show` prints, so a person can read it:
 *   cobo-credential:SCHEMA:name=value;name=value
 * attributes sorted by name, every byte outside '!'..'~' and each of
 * '%' ';' '=' written %XX.  It holds lookup attributes only, never a secret
 * or a time; a key's description is also its identity in the keyring
 * (add_key with the same description replaces the payload in place).
 */
#ifndef KERNEL_PAYLOAD_H
#define KERNEL_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "cobocred/module.h"

#define KP_MAGIC "CCKP"
#define KP_VERSION 1
#define KP_MAX_BYTES 32767 /* the kernel's limit for a user key's payload */
#define KP_MAX_ATTRS 32
#define KP_DESC_MAX 4095 /* the kernel's limit for a description */
#define KP_DESC_PREFIX "cobo-credential:"

/* A view into a payload buffer: not NUL-terminated. */
struct kp_str {
	const char *p;
	size_t n;
};

struct kp_view {
	int64_t created_at, expires_at;
	struct kp_str schema;
	struct kp_str label; /* p NULL when absent */
	size_t n_attrs;
	struct kp_str names[KP_MAX_ATTRS], values[KP_MAX_ATTRS];
	struct kp_str secret;
	struct kp_str refresh; /* p NULL when absent */
};

/*
 * Parses buf (len bytes) into v, whose views point into buf.  0, or -1 with
 * err ("what is wrong", never quoting a value): bad magic, a version this
 * build does not read, truncation, trailing bytes, a NUL in a text field,
 * an empty or repeated attribute name.
 */
int kp_parse(const unsigned char *buf, size_t len, struct kp_view *v, char *err, size_t errlen);

/*
 * The payload of item in out (at most outlen bytes; KP_MAX_BYTES is
 * enough).  *outlen set; 0, or -1 when the item does not fit the format
 * (too many attributes, a field too long, a NUL in a text field) with err.
 */
int kp_encode(const struct cobocred_item *item, unsigned char *out, size_t cap, size_t *outlen,
	      char *err, size_t errlen);

/*
 * The description of schema + attrs (attrs in any order, at most
 * KP_MAX_ATTRS, NULL values skipped) in out (cap >= KP_DESC_MAX + 1).
 * 0, or -1 when it would pass KP_DESC_MAX bytes or an attribute is repeated.
 */
int kp_describe(const char *schema, const struct cobocred_attr *attrs, size_t n_attrs, char *out,
		size_t cap);

/* The same for a parsed payload: what a key holding it must be called. */
int kp_describe_view(const struct kp_view *v, char *out, size_t cap);

/*
 * 1 when the description desc (of a key of ours: KP_DESC_PREFIX) can match
 * q: same schema, every attribute of q present with an equal value (absent
 * when q's value is NULL), and with COBOCRED_QUERY_EXACT no other
 * attribute.  Cheap pre-filter before a key's payload is read; the payload
 * is checked again after.
 */
int kp_desc_matches(const char *desc, const struct cobocred_query *q);

#endif
