/*
 * manifest.h - a module's manifest: NAME.module beside NAME.so, the few
 * facts the host needs before it loads the module (which schemas it
 * serves, whether it mints), read without dlopen (the p11-kit pattern).
 *
 * Why: loading cobo-oauth maps libcurl, OpenSSL and json-c, and a git get
 * that misses the stores would load it only to learn that it serves Cobo
 * tokens; a manifest says so up front, for our modules and third-party ones
 * alike.  The module's own declaration stays the truth: at load the host
 * holds it to its manifest, and refuses a mismatch (cobocred_manifest_check).
 *
 * The format (cobo-credential.conf(5), MODULE MANIFESTS): lines of
 * `key = value`, `#` comments, blank lines.  Required keys: name, abi (the
 * ABI major), schemas (names, or `*` for any), capabilities (get store
 * erase list mint).  Unknown keys and unknown capability words are ignored,
 * so a newer module's manifest reads in an older host; everything else is
 * refused with FILE:LINE.
 */
#ifndef COBOCRED_MANIFEST_H
#define COBOCRED_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "cobocred/module.h"

#define COBOCRED_MANIFEST_MAX 4096 /* bytes: a manifest is a few lines */
#define COBOCRED_MANIFEST_SCHEMAS 16
#define COBOCRED_MANIFEST_SCHEMA_LEN 128

/* A parsed manifest; plain data, no heap pointers. */
struct cobocred_manifest {
	char path[4096]; /* the file, for FILE:LINE messages */
	char name[64];
	uint32_t abi_major;
	int any_schema; /* schemas = * */
	size_t n_schemas;
	char schemas[COBOCRED_MANIFEST_SCHEMAS][COBOCRED_MANIFEST_SCHEMA_LEN];
	uint32_t caps; /* COBOCRED_CAP_* bits named; unknown words dropped */
	/* The line of each key, for messages. */
	int name_line, abi_line, schemas_line, caps_line;
};

/*
 * Parses len bytes of text read from path.  0, or -1 with
 * "PATH:LINE: what is wrong; what to do" (or "PATH: ..." for a missing
 * key) in err.
 */
int cobocred_manifest_parse(const char *path, const char *text, size_t len,
			    struct cobocred_manifest *m, char *err, size_t errlen);

/*
 * The manifest of the module at so_path ("DIR/NAME.so" -> "DIR/NAME.module"),
 * checked as the module is (cobocred_check_path_trust, owner, not writable
 * by others) and bounded in size.  Returns 0 (m filled), 1 when there is no
 * manifest, -1 with one line in err.
 */
int cobocred_manifest_read(const char *so_path, struct cobocred_manifest *m, char *err,
			   size_t errlen);

/*
 * Holds the module's own declaration (name, ABI major, caps, schemas) to
 * its manifest.  0, or -1 with "MANIFEST:LINE: KEY = ..., but SO declares
 * ...; the fix" in err.
 */
int cobocred_manifest_check(const struct cobocred_manifest *m, const struct cobocred_module *mod,
			    const char *so_path, char *err, size_t errlen);

/* 1 if m names schema (never for `schemas = *`). */
int cobocred_manifest_names(const struct cobocred_manifest *m, const char *schema);

#endif
