/*
 * offset.h - how far this machine's clock has been seen to run ahead of
 * a Cobo server's, kept between calls (issue 30).
 *
 * The order bound (response.h, oauth_order_floor) refuses an answer signed
 * more than OAUTH_ORDER_SKEW_MS before our request went out; a machine
 * whose clock runs 5-300 s ahead is inside Cobo's request window, so Cobo
 * takes its request (and spends a refresh token) but the answer looks
 * replayed.  Every answer gives a sample, arrival - Biz-Timestamp: latency
 * and replays only make it larger, so the smallest sample is the bound to
 * trust.  The allowance is only RAISED by two answers in order (token.c:
 * an answer refused for its date, then a retry at once that passes with
 * the first answer's sample), and every accepted answer may LOWER it.
 *
 * One file per server (base_url's host:port) in the host's private state
 * directory: cobo-clock-HEX(SHA-256(host:port)), 0600, one line
 *
 *     cobo-clock 1 HOST:PORT AHEAD_MS\n
 *
 * AHEAD_MS decimal, 0..OAUTH_REQUEST_WINDOW * 1000, no sign, no leading
 * zero.  Written whole (temp file + rename), so a reader sees one
 * writer's line or another's, never a mix; between concurrent writers the
 * last wins, and every value any of them writes is a sample of this same
 * clock.  A file that is not a regular file of ours with mode 0600, or
 * that does not parse, is ignored (0: nothing learned) with a trace line.
 */
#ifndef COBO_OAUTH_OFFSET_H
#define COBO_OAUTH_OFFSET_H

#include <stddef.h>
#include <stdint.h>

#include "cobocred/module.h"

#define OAUTH_OFFSET_FILE_MAX 512 /* bytes: a longer file is refused */

/*
 * Parses one file's bytes for server hostport.  0 with *ahead_ms set, or
 * -1 with a one-line reason in why.  Pure (a unit-test target).
 */
int oauth_offset_parse(const char *buf, size_t len, const char *hostport, int64_t *ahead_ms,
		       char *why, size_t whylen);

/*
 * Reads the file at path for hostport: 1 with *ahead_ms set, 0 when there
 * is none, -1 when it is refused (why: which rule, and the fix).
 */
int oauth_offset_read(const char *path, const char *hostport, int64_t *ahead_ms, char *why,
		      size_t whylen);
/* Writes ahead_ms (clamped to 0..window) for hostport at path, atomically.  0 or -1 with why. */
int oauth_offset_write(const char *path, const char *hostport, int64_t ahead_ms, char *why,
		       size_t whylen);
/* path = DIR/cobo-clock-HEX for hostport.  0, or -1 when it does not fit. */
int oauth_offset_path(const char *dir, const char *hostport, char *path, size_t len);

/*
 * The two moves at a known path, without the host (for api_send.c, which
 * runs outside the host's lock): the allowance at path (0: none or
 * refused), and lowering it to sample_ms (0, or -1 with why when it could
 * not be written; nothing is written when it would not go down).
 */
int64_t oauth_offset_get_at(const char *path, const char *hostport);
int oauth_offset_lower_at(const char *path, const char *hostport, int64_t sample_ms, char *why,
			  size_t whylen);

/* The allowance learned for hostport, ms (0: none, or the file refused: traced). */
int64_t oauth_offset_get(const struct cobocred_host *h, const char *hostport);
/*
 * An accepted answer's sample (arrival - Biz-Timestamp, ms): the kept
 * allowance becomes the smaller of the two.  Nothing is written when it
 * would not go down.
 */
void oauth_offset_lower(const struct cobocred_host *h, const char *hostport, int64_t sample_ms);
/* Raises the allowance to ahead_ms after the ordered second answer (token.c).  Traced. */
void oauth_offset_raise(const struct cobocred_host *h, const char *hostport, int64_t ahead_ms);

#endif
