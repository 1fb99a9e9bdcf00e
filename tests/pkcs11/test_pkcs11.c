/*
 * test_pkcs11.c - the pieces of the PKCS#11 app key that need no token:
 * CKA_EC_POINT decoding (raw and DER-wrapped, every wrong length and tag
 * refused) and the URI rules p11uri.c adds over p11-kit's parser (the PIN
 * sources, pin-value= only from a private config file, no PIN in the form
 * shown in messages, unknown attributes refused).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cutest.h"
#include "hostmem.h"
#include "secret.h"
#include "p11uri.h"

static char dir[4096];
static char conf[4200];
static char err[2048];

static void test_ec_point(void)
{
	unsigned char v[40], pub[32], want[32];
	size_t n, i;

	for (i = 0; i < 32; i++)
		want[i] = (unsigned char)(0xa0 + i);
	memcpy(v, want, 32);
	CU_ASSERT_EQUAL(oauth_p11_ec_point(v, 32, pub), 0);
	CU_ASSERT_EQUAL(memcmp(pub, want, 32), 0);
	v[0] = 0x04;
	v[1] = 0x20;
	memcpy(v + 2, want, 32);
	memset(pub, 0, sizeof(pub));
	CU_ASSERT_EQUAL(oauth_p11_ec_point(v, 34, pub), 0);
	CU_ASSERT_EQUAL(memcmp(pub, want, 32), 0);
	/* Every other length, and a wrapped point with the wrong tag or length. */
	for (n = 0; n <= sizeof(v); n++)
		if (n != 32 && n != 34)
			CU_ASSERT_EQUAL(oauth_p11_ec_point(v, n, pub), -1);
	v[0] = 0x03;
	CU_ASSERT_EQUAL(oauth_p11_ec_point(v, 34, pub), -1);
	v[0] = 0x04;
	v[1] = 0x21;
	CU_ASSERT_EQUAL(oauth_p11_ec_point(v, 34, pub), -1);
}

/* Parses text; returns parse's result with u cleared afterwards unless keep. */
static int parse(const char *text, const char *config, struct oauth_p11_uri *u)
{
	err[0] = '\0';
	return oauth_p11_uri_parse(text, config, u, err, sizeof(err));
}

static void test_uri_sources(void)
{
	struct oauth_p11_uri u;

	CU_ASSERT_EQUAL(parse("pkcs11:token=cobo-app;object=k", conf, &u), 0);
	CU_ASSERT_EQUAL(u.pin_kind, OAUTH_PIN_STORE);
	CU_ASSERT_PTR_NULL(u.module_path);
	oauth_p11_uri_clear(&u);
	CU_ASSERT_EQUAL(
		parse("pkcs11:token=t;object=k?module-path=/usr/lib/m.so&pin-source=file:/k/pin",
		      conf, &u),
		0);
	CU_ASSERT_EQUAL(u.pin_kind, OAUTH_PIN_FILE);
	CU_ASSERT_STRING_EQUAL(u.pin_path, "/k/pin");
	CU_ASSERT_STRING_EQUAL(u.module_path, "/usr/lib/m.so");
	oauth_p11_uri_clear(&u);
	/* Relative to the config file's directory, as every path of the config. */
	CU_ASSERT_EQUAL(parse("pkcs11:token=t?pin-source=file:pin.txt", conf, &u), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(u.pin_path, dir));
	oauth_p11_uri_clear(&u);
	CU_ASSERT_EQUAL(parse("pkcs11:token=t?pin-source=|/bin/echo", conf, &u), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "pin-source= must be file:PATH"));
	oauth_p11_uri_clear(&u);
	CU_ASSERT_EQUAL(parse("pkcs11:token=t?pin-source=file:", conf, &u), -1);
	oauth_p11_uri_clear(&u);
	CU_ASSERT_EQUAL(parse("pkcs11:token=t;bogus-attr=1", conf, &u), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "an attribute p11-kit does not know"));
	oauth_p11_uri_clear(&u);
	CU_ASSERT_EQUAL(parse("pkcs11:token=%zz", conf, &u), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a PKCS#11 URI p11-kit reads"));
	oauth_p11_uri_clear(&u);
}

/* pin-value=: only from a private config file, and never shown again. */
static void test_uri_pin_value(void)
{
	static const char *const v = "pkcs11:token=t;object=k?pin-value=S3cr3tPIN";
	struct oauth_p11_uri u;

	CU_ASSERT_EQUAL(chmod(conf, 0600), 0);
	CU_ASSERT_EQUAL(parse(v, conf, &u), 0);
	CU_ASSERT_EQUAL(u.pin_kind, OAUTH_PIN_VALUE);
	CU_ASSERT_STRING_EQUAL(u.pin_value, "S3cr3tPIN");
	CU_ASSERT_PTR_NULL(strstr(u.shown, "S3cr3tPIN"));
	CU_ASSERT_PTR_NULL(strstr(u.shown, "pin-value"));
	CU_ASSERT_PTR_NOT_NULL(strstr(u.shown, "token=t"));
	oauth_p11_uri_clear(&u);
	CU_ASSERT_EQUAL(chmod(conf, 0640), 0);
	CU_ASSERT_EQUAL(parse(v, conf, &u), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "which others can read; run chmod 600"));
	CU_ASSERT_PTR_NULL(strstr(err, "S3cr3tPIN"));
	oauth_p11_uri_clear(&u);
	CU_ASSERT_EQUAL(parse(v, NULL, &u), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "pin-value= on the command line"));
	oauth_p11_uri_clear(&u);
	CU_ASSERT_EQUAL(chmod(conf, 0600), 0);
	CU_ASSERT_EQUAL(parse("pkcs11:token=t?pin-value=S3cr3tPIN&pin-source=file:/p", conf, &u),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "both; keep one"));
	CU_ASSERT_PTR_NULL(strstr(err, "S3cr3tPIN"));
	oauth_p11_uri_clear(&u);
}

int main(void)
{
	static const struct cutest_case cases[] = {
		{ "CKA_EC_POINT: raw and DER-wrapped", test_ec_point },
		{ "URI: PIN sources, module-path, refusals", test_uri_sources },
		{ "URI: pin-value only from a private config", test_uri_pin_value },
		{ NULL, NULL },
	};
	static const struct cutest_suite suites[] = {
		{ "pkcs11", cases },
		{ NULL, NULL },
	};

	/* As the host binds it for the module: the PIN in wiped secret memory. */
	cobocred_hostmem_bind(cobocred_secret_alloc, cobocred_secret_free);
	snprintf(dir, sizeof(dir), "%s", cutest_tmpdir());
	snprintf(conf, sizeof(conf), "%s/config", dir);
	cutest_write(conf, "", 0600);
	return cutest_run(suites);
}
