/*
 * format.h - the file store's data model and its on-disk text format.
 *
 * Pure code, no I/O and no host: the parser is a fuzz target.  Format 1:
 *
 *   cobo-credential-store 1
 *   item
 *   schema org.git.Password
 *   label Git%20credential          (optional)
 *   attr host example.com           (0..FILE_MAX_ATTRS, names unique)
 *   secret hunter2
 *   refresh ...                     (optional)
 *   created 1700000000
 *   expires 0
 *   end
 *
 * Every value is percent-encoded: any byte outside '!'..'~', and '%'
 * itself, is written as %XX, so the file is plain ASCII and any secret
 * byte (NUL, newline, UTF-8) round-trips exactly.  Keys are separated
 * from values by exactly one space; every line ends in '\n'.
 */
#ifndef FILE_FORMAT_H
#define FILE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define FILE_FORMAT_MAGIC "cobo-credential-store"
#define FILE_FORMAT_VERSION 1

#define FILE_MAX_ATTRS 32 /* as many as a host item holds */
#define FILE_MAX_ITEMS 65536
#define FILE_FIELD_MAX 65535			 /* decoded schema, label, attr, refresh */
#define FILE_SECRET_MAX (2u << 20)		 /* decoded secret bytes */
#define FILE_LINE_MAX (3 * FILE_SECRET_MAX + 16) /* "secret " + every byte as %XX */

struct file_attr {
	char *name;  /* owned */
	char *value; /* owned */
};

struct file_item {
	char *schema;		 /* owned */
	char *label;		 /* owned; NULL if none */
	struct file_attr *attrs; /* owned array of n_attrs */
	size_t n_attrs;
	unsigned char *secret; /* owned secret memory, NUL after secret_len */
	size_t secret_len;
	char *refresh; /* owned secret memory; NULL if none */
	int64_t created_at;
	int64_t expires_at;
};

/* Items in file order: the last one is the most recently stored. */
struct file_store {
	struct file_item *items; /* owned array */
	size_t n, cap;
};

void file_store_init(struct file_store *s);
/* Frees every item (secrets wiped) and leaves s empty. */
void file_store_clear(struct file_store *s);
void file_item_clear(struct file_item *it);

/* Moves *it to the end of s (it is zeroed); 0, or -1 on OOM or too many items. */
int file_store_append(struct file_store *s, struct file_item *it);
/* Frees every item for which drop(item, arg) is non-zero, keeping the order; the number freed. */
size_t file_store_remove_if(struct file_store *s,
			    int (*drop)(const struct file_item *it, const void *arg),
			    const void *arg);

/* Checks an item against the format's bounds.  0, or -1 with err. */
int file_item_check(const struct file_item *it, char *err, size_t errlen);

/*
 * Parses a whole store file.  On success *out (initialised here) holds the
 * items; on failure it is left empty and err says "line N: what is wrong"
 * (never quoting a value).  COBOCRED_SUCCESS, or COBOCRED_ERROR (corrupt
 * or out of memory).
 */
int file_store_parse(const char *buf, size_t len, struct file_store *out, char *err, size_t errlen);

/*
 * Serialises s in at most max bytes.  *out is secret memory (free with
 * cobocred_hostmem_free), NUL-terminated, *outlen bytes.  0; 1 when it
 * would take more than max bytes; -1 (OOM).
 */
int file_store_serialize(const struct file_store *s, size_t max, char **out, size_t *outlen);

#endif
