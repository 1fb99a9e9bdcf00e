/*
 * response.h - strict parsing of the token endpoint's JSON: the token
 * answer and both error shapes.  Pure functions over bytes (a fuzz target).
 */
#ifndef COBO_OAUTH_RESPONSE_H
#define COBO_OAUTH_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#define OAUTH_TOKEN_MAX 4096	   /* bytes in an access or refresh token */
#define OAUTH_EXPIRES_MAX 31536000 /* one year, in seconds */
#define OAUTH_JSON_DEPTH 16	   /* deeper nesting is refused */
#define OAUTH_BODY_MAX (64 * 1024) /* larger responses are refused */
#define OAUTH_SKEW_DEFAULT 300	   /* max_clock_skew: seconds between Biz-Timestamp and us */
#define OAUTH_SKEW_MAX 86400	   /* the largest max_clock_skew accepted */

#define OAUTH_EARLY_MINT 1    /* order_refused: the answer to a mint */
#define OAUTH_EARLY_REFRESH 2 /* order_refused: the answer to a refresh */

/* A parsed token answer.  Tokens live in wiped secret memory. */
struct oauth_token {
	char *access_token; /* owned; NUL-terminated */
	size_t access_len;
	char *refresh_token; /* owned; NUL-terminated */
	size_t refresh_len;
	int64_t expires_in; /* seconds, 1..OAUTH_EXPIRES_MAX */
	int64_t signed_ms;  /* Biz-Timestamp of the answer that carried them; 0: unknown */
	/*
	 * Set with an ERROR verdict on a refresh answer refused only for its
	 * date (max_clock_skew; judge.c, judge_dated): Cobo has rotated the
	 * refresh token, so the one sent is spent and refresh_token is its
	 * successor, which the module keeps (token.c).  The access token is
	 * never answered or kept.
	 */
	int rotated_refused;
	/*
	 * Set with an ERROR verdict on an answer refused only because it was
	 * signed before the order bound allows (oauth_order_floor), dated
	 * within the request window: this machine's clock may run that far
	 * ahead of Cobo's.  One retry at once may learn the allowance
	 * arrived_ms - signed_ms (token.c, offset.h).  For a refresh,
	 * refresh_token is the successor, kept in memory for that retry only
	 * (never stored: a replayed capture may carry another org's).
	 */
	int order_refused;  /* 0, OAUTH_EARLY_MINT or OAUTH_EARLY_REFRESH */
	int64_t arrived_ms; /* oauth_now_ms() when the answer arrived; 0: no answer */
};

/*
 * Parses {"access_token","token_type":"Bearer","expires_in","refresh_token",...}.
 * Unknown fields are ignored; a missing or mistyped field, an absurd value
 * or malformed JSON gives -1 with a reason naming the field in err.
 * On success *out owns two tokens: release with oauth_token_clear().
 */
int oauth_parse_token(const char *body, size_t len, struct oauth_token *out, char *err,
		      size_t errlen);
/* Wipes and frees the tokens; leaves *t zeroed.  Safe on a zeroed struct. */
void oauth_token_clear(struct oauth_token *t);

/*
 * Freshness of a signed answer.  The signature covers Biz-Timestamp but
 * proves only who signed, not when it was sent: without this check an
 * answer captured once replays for as long as its tokens live.  ts must be
 * unix milliseconds in decimal digits (nothing else); it is accepted when
 * |ts - now_ms| <= max_skew seconds, to the millisecond.  0 when fresh;
 * OAUTH_TS_MALFORMED or OAUTH_TS_SKEWED with a one-line reason in err
 * (for a skew: both times in UTC and how far apart they are).
 */
#define OAUTH_TS_MALFORMED (-1)
#define OAUTH_TS_SKEWED (-2)
int oauth_timestamp_check(const char *ts, int64_t now_ms, long max_skew, char *err, size_t errlen);

/*
 * Order of a signed answer: what binds it to the request it answers.
 * Cobo signs Biz-Timestamp but nothing of the request (not its nonce, not
 * the org asked for), so a captured answer, fresh by the clock window
 * above, would pass for the answer to a later request or for another org.
 * Time is what can be bound: an answer is accepted only when it was
 * signed after the request went out, ts >= sent_ms - OAUTH_ORDER_SKEW_MS
 * (sent_ms: the request's Biz-Api-Nonce), and never before the newest
 * answer already accepted for the same (app, org), ts >= newest_ms
 * (0: none known).  The skew allows the local clock to run that far ahead
 * of Cobo's; it is also how long a captured answer can stand in for the
 * answer to a request sent after it.  0 when in order; OAUTH_TS_MALFORMED,
 * OAUTH_TS_BEFORE_SENT or OAUTH_TS_OLDER with a one-line reason in err.
 * The one place these times are compared.
 */
#define OAUTH_ORDER_SKEW_MS 5000
#define OAUTH_TS_BEFORE_SENT (-3)
#define OAUTH_TS_OLDER (-4)
int oauth_timestamp_order(const char *ts, int64_t sent_ms, int64_t newest_ms, char *err,
			  size_t errlen);
/*
 * The same with the allowance learned for a clock that runs ahead of
 * Cobo's (offset.h): ts >= oauth_order_floor(sent_ms, ahead_ms).
 */
int oauth_timestamp_order_ahead(const char *ts, int64_t sent_ms, int64_t ahead_ms,
				int64_t newest_ms, char *err, size_t errlen);
/*
 * The earliest Biz-Timestamp an answer to a request sent at sent_ms may
 * carry: sent_ms - a - OAUTH_ORDER_SKEW_MS, a = ahead_ms clamped to
 * [0, OAUTH_REQUEST_WINDOW s] (beyond the window Cobo refuses the request
 * anyway); INT64_MIN when that underflows.
 */
int64_t oauth_order_floor(int64_t sent_ms, int64_t ahead_ms);
/*
 * The retry that may raise the allowance (token.c) must confirm the first
 * answer's clock: its own sample, now_ms - ts, at least first_ms -
 * OAUTH_ORDER_SKEW_MS.  A clock running ahead gives both answers about the
 * same sample; a first answer that was a capture replayed gives a larger
 * one than a genuine retry answer, so a single capture never passes for a
 * clock ahead (it takes two in order).  0, OAUTH_TS_MALFORMED or
 * OAUTH_TS_UNCONFIRMED with a one-line reason in err.
 */
#define OAUTH_TS_UNCONFIRMED (-5)
int oauth_timestamp_confirms(const char *ts, int64_t now_ms, int64_t first_ms, char *err,
			     size_t errlen);
/* Biz-Timestamp ts as unix ms, or -1 when it is not unix ms in decimal digits. */
int64_t oauth_timestamp_ms(const char *ts);

/*
 * Cobo's clock against ours.  Every verified answer, success or error,
 * carries Cobo's time (Biz-Timestamp, signed): offset = Cobo's time - the
 * local time at arrival, in ms (positive: this machine is behind).  Cobo
 * refuses a request whose Biz-Api-Nonce is more than its request window
 * from its own clock; it does not publish the window, so this is the test
 * server's default (tests/server/README.md), the same as max_clock_skew's.
 */
#define OAUTH_REQUEST_WINDOW 300
/* Sets *offset_ms from ts (unix ms digits) and local_ms: 0, or -1 (malformed, overflow). */
int oauth_clock_offset(const char *ts, int64_t local_ms, int64_t *offset_ms);
/* 1 when |offset_ms| > window_s seconds (to the millisecond), else 0. */
int oauth_clock_beyond(int64_t offset_ms, long window_s);
/*
 * The one line that names a wrong clock: "this machine's clock is N s
 * ahead of Cobo's (local 2026-12-07T19:40:12Z, Cobo 2026-12-07T19:30:00Z):
 * set the time (NTP) and retry" (behind when offset_ms > 0; N in seconds,
 * to the nearest).
 */
void oauth_clock_message(int64_t offset_ms, int64_t local_ms, char *buf, size_t len);

/* 1 if t carries exactly the refresh token sent (sent_len bytes): a replayed answer. */
int oauth_token_echoes(const struct oauth_token *t, const char *sent, size_t sent_len);

/* A parsed error answer, cleaned for display (no control characters). */
struct oauth_error {
	int oauth;	   /* 1: OAuth shape {"error","error_description"} */
	char code[64];	   /* error_code (as text), or the OAuth "error" */
	char message[256]; /* error_message or error_description */
	char id[80];	   /* error_id; "" if absent */
};

/*
 * Parses {"error_code","error_message","error_id"} or
 * {"error","error_description"}.  0 if either shape was recognised
 * (fields may still be empty), -1 otherwise.  *out is always initialised.
 */
int oauth_parse_error(const char *body, size_t len, struct oauth_error *out);

/*
 * 1 if a signed error answer is Cobo's refusal of the request's
 * Biz-Api-Nonce for its time window: 401, error_code 2022, "nonce" in the
 * message (tests/server/README.md, "Time": the code is the test server's,
 * Cobo publishes none, so the words are checked too).
 */
int oauth_error_nonce_refused(long status, const struct oauth_error *e);

/* "error 2030: message (error id X)" or "invalid_grant: description". */
void oauth_error_format(const struct oauth_error *e, char *buf, size_t len);

#endif
