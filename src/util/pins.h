/*
 * pins.h - pin_sha256: public key pins for a TLS server, one rule for the
 * config parser (which refuses a bad setting with FILE:LINE) and for the
 * modules that pin (cobo-oauth per profile; a [module] section may use it).
 *
 * A pin is the SHA-256 of the server's SubjectPublicKeyInfo in standard
 * base64 (libcurl's CURLOPT_PINNEDPUBLICKEY "sha256//" form without the
 * prefix), as this computes it from the server's certificate:
 *
 *   openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der |
 *           openssl dgst -sha256 -binary | base64
 *
 *   pin_sha256 = PIN[, PIN...]   1 to COBOCRED_PINS_MAX pins, each exactly 44
 *                characters of standard base64 (A-Z a-z 0-9 + /) ending in
 *                one '=' and decoding to 32 bytes (canonical: no stray bits),
 *                separated by a comma and/or blanks; no empty element.
 *
 * Pins are compared, not parsed loosely: a typo fails closed (it would
 * otherwise pin nothing, or pin something else).  With pins set, a server
 * whose key matches none of them is refused before anything is sent.
 */
#ifndef COBOCRED_PINS_H
#define COBOCRED_PINS_H

#include <stddef.h>

#define COBOCRED_PINS_MAX 8
#define COBOCRED_PIN_B64_LEN 44
/* "sha256//PIN;" per pin, and the NUL. */
#define COBOCRED_PINS_CURL_MAX (COBOCRED_PINS_MAX * (8 + COBOCRED_PIN_B64_LEN + 1) + 1)

/* 0 if setting follows the pin_sha256 rule, else -1 with one line in err. */
int cobocred_pins_check(const char *setting, char *err, size_t errlen);
/*
 * The setting as libcurl's CURLOPT_PINNEDPUBLICKEY takes it,
 * "sha256//PIN;sha256//PIN", into out.  0, or -1 (with err) when the
 * setting breaks the rule or out is too small.
 */
int cobocred_pins_curl(const char *setting, char *out, size_t outlen, char *err, size_t errlen);

#endif
