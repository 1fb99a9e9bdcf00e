/*
 * test_spellings_cases.c - the generated spellings of test_spellings.c, as
 * security-origin.sh generated them (each list below is one of its loops).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "test_spellings.h"

#define H "api.dev.cobo.com"
#define ORG "org-sec-origin"
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void git_urls(enum verdict k, const char *const *urls, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		origin_git_url(k, urls[i]);
}

/* https://H:PORT/ for each port, and https://PREFIX:PORT/ when prefix is set. */
static void git_ports(enum verdict k, const char *const *ports, size_t n, const char *prefix)
{
	char url[256];
	size_t i;

	for (i = 0; i < n; i++) {
		inproc_fmt(url, sizeof(url), "https://" H ":%s/", ports[i]);
		origin_git_url(k, url);
		if (prefix == NULL)
			continue;
		inproc_fmt(url, sizeof(url), "https://%s:%s/", prefix, ports[i]);
		origin_git_url(k, url);
	}
}

void test_git_client(void)
{
	static const char *const token[] = {
		"https://" H "/",
		"https://" H ":443/",
		"https://API.DEV.COBO.COM/",
		"https://Api.Dev.Cobo.Com:443/o/r.git",
		"https://" ORG "@" H "/",
		"https://" ORG "@" H ":443/",
	};
	static const char *const schemes[] = { "http",	 "ftp", "ssh",	   "git",
					       "gopher", "x",	"svn+ssh", "x-y.z" };
	static const char *const near_ports[] = { "8443", "80", "444", "1", "65535" };
	static const char *const bad_ports[] = { "0",  "65536", "99999", "0443", "00443", "+443",
						 "-1", "443x",	"4a3",	 "",	 "1e3",	  " 443" };
	static const char *const escapes[] = { "20", "21", "22", "23", "24", "25", "26", "27",
					       "28", "29", "2a", "2b", "2c", "2f", "3a", "3b",
					       "3c", "3d", "3e", "3f", "40", "5b", "5c", "5d",
					       "5e", "5f", "60", "7b", "7c", "7d", "7e", "7f" };
	/* raw delimiters and userinfo: git splits these itself; the host it
	 * asks for is another host, or the username is not the org */
	static const char *const other[] = {
		"https://evil.example@" H "/",	    "https://evil.example:pw@" H "/",
		"https://" H "@evil.example/",	    "https://" H ":443@evil.example/",
		"https://" H ".evil.example/",	    "https://evil.example/" H,
		"https://evil.example#@" H "/",	    "https://evil.example?@" H "/",
		"https://evil.example\\@" H "/",    "https://" H "%2eevil.example/",
		"https://xn--pi-6cd.dev.cobo.com/",
	};
	/* trailing dot, IDN and look-alikes, other IPv4 notations */
	static const char *const refused[] = {
		"https://" H "./",
		"https://API.DEV.COBO.COM./",
		"https://" H ".:443/",
		"https://api.dev.cobo.c\xc3\xb6m/",
		"https://\xd0\xb0pi.dev.cobo.com/",
		"https://api.dev.cobo.com\xe3\x80\x82/",
		"https://\xef\xbd\x81\xef\xbd\x90\xef\xbd\x89.dev.cobo.com/",
		"https://api.dev.cobo.com%e3%80%82/",
		"https://127.1/",
		"https://0x7f.0.0.1/",
		"https://2130706433/",
		"https://127.000.0.1/",
		"https://[::1%25lo]/",
		"https://[::1/",
		"https://api..dev.cobo.com/",
		"https://-api.dev.cobo.com/",
		"https://.api.dev.cobo.com/",
	};
	char url[256];
	size_t i;

	git_urls(TOKEN, token, N(token));
	/* The user name picks an org, never a profile by name. */
	origin_git_url(OTHER, "https://dev@" H ":443/");
	/* git decodes the URL before it asks: an escaped letter names the same origin. */
	origin_git_url(TOKEN, "https://%61pi.dev.cobo.com/");
	for (i = 0; i < N(schemes); i++) {
		inproc_fmt(url, sizeof(url), "%s://" H "/", schemes[i]);
		origin_git_url(NEAR, url);
	}
	git_ports(NEAR, near_ports, N(near_ports), "API.dev.cobo.com");
	git_ports(REFUSED, bad_ports, N(bad_ports), NULL);
	/* every delimiter and special character, percent-encoded into the host on either side */
	for (i = 0; i < N(escapes); i++) {
		inproc_fmt(url, sizeof(url), "https://evil.example%%%s" H "/x", escapes[i]);
		origin_git_url(REFUSED, url);
		inproc_fmt(url, sizeof(url), "https://" H "%%%sevil.example/x", escapes[i]);
		origin_git_url(REFUSED, url);
	}
	git_urls(OTHER, other, N(other));
	git_urls(REFUSED, refused, N(refused));
}

/* protocol=P, host=H: each spelling of https that is not "https". */
static void git_protocols(void)
{
	static const char *const protos[] = { "HTTPS",	"Https",  "https ",  " https",
					      "https:", "1https", "ht\ttps", "https\\x" };
	char req[256], desc[128];
	size_t i;

	for (i = 0; i < N(protos); i++) {
		int n = snprintf(req, sizeof(req), "protocol=%s\nhost=" H "\n\n", protos[i]);

		inproc_fmt(desc, sizeof(desc), "protocol='%s'", protos[i]);
		origin_git_req(REFUSED, desc, req, (size_t)n);
	}
}

/* host=H followed and preceded by each odd character. */
static void git_host_chars(void)
{
	static const char *const chars[] = { "\t",   " ",    "\\\\",	 "/",		"?", "#",
					     "@",    "%",    ";",	 ",",		"[", "]",
					     "\x1b", "\x7f", "\xc2\xa0", "\xe2\x80\x8b" };
	char req[256], desc[128];
	size_t i;

	for (i = 0; i < N(chars); i++) {
		int n = snprintf(req, sizeof(req), "protocol=https\nhost=" H "%s\n\n", chars[i]);

		inproc_fmt(desc, sizeof(desc), "host=" H "%s", chars[i]);
		origin_git_req(REFUSED, desc, req, (size_t)n);
		n = snprintf(req, sizeof(req), "protocol=https\nhost=%s" H "\n\n", chars[i]);
		inproc_fmt(desc, sizeof(desc), "host=%s" H, chars[i]);
		origin_git_req(REFUSED, desc, req, (size_t)n);
	}
}

void test_git_stdin(void)
{
	static const char *const line_ends[] = { "0a", "0d", "00", "0A", "0D" };
	char req[256], desc[128];
	size_t i;

	GIT_REQ(NEAR, "protocol=http host=" H " (issue 11, attack 1)",
		"protocol=http\nhost=" H "\n\n");
	GIT_REQ(REFUSED, "host=evil.example@" H " (attack 2)",
		"protocol=https\nhost=evil.example@" H "\n\n");
	GIT_REQ(REFUSED, "url= with %40 in the host (attack 2)",
		"url=https://evil.example%40" H "/x\n\n");
	GIT_REQ(REFUSED, "protocol=x://" H "/ host=evil.example (attack 2)",
		"protocol=x://" H "/\nhost=evil.example\n\n");
	GIT_REQ(REFUSED, "protocol=https://evil.example/ host=" H,
		"protocol=https://evil.example/\nhost=" H "\n\n");
	git_protocols();
	git_host_chars();
	GIT_REQ(REFUSED, "CR in the host", "protocol=https\nhost=" H "\rx\n\n");
	GIT_REQ(REFUSED, "NUL in the host", "protocol=https\nhost=" H "\0x\n\n");
	GIT_REQ(REFUSED, "CR in the protocol", "protocol=https\rx\nhost=" H "\n\n");
	for (i = 0; i < N(line_ends); i++) {
		int n = snprintf(req, sizeof(req), "url=https://" H "%%%s.evil/\n\n", line_ends[i]);

		inproc_fmt(desc, sizeof(desc), "url= with %%%s in the host", line_ends[i]);
		origin_git_req(REFUSED, desc, req, (size_t)n);
	}
	GIT_REQ(NEAR, "a later protocol= wins", "protocol=https\nhost=" H "\nprotocol=http\n\n");
	GIT_REQ(OTHER, "a username that is not the org",
		"protocol=https\nhost=" H "\nusername=evil\n\n");
	GIT_REQ(TOKEN, "control: host=" H ":443", "protocol=https\nhost=" H ":443\n\n");
	GIT_REQ(TOKEN, "control: username is the org",
		"protocol=https\nhost=" H "\nusername=" ORG "\n\n");
}

void test_docker_client(void)
{
	/* docker login SERVER asks the helper for SERVER as typed (it drops
	 * only an http(s):// prefix and a /path), before anything else. */
	static const char *const token[] = { H, "API.DEV.COBO.COM", H ":443",
					     "Api.Dev.Cobo.Com:443" };
	static const char *const refused[] = {
		"evil.example@" H,   H "@evil.example",	   "evil.example:pw@" H, H "%2fx",
		H "%40evil.example", "evil.example%40" H,  H "\\@evil.example",	 H "#@evil.example",
		H "?@evil.example",  "%61pi.dev.cobo.com",
	};
	static const char *const near[] = { H ":8443", H ":80", H ":444" };
	/* trailing dot, IDN and other spellings that are no registry address:
	 * plain credentials only (found by the string as spelled), never the token */
	static const char *const other[] = {
		H ".",
		"API.DEV.COBO.COM.",
		"\xd0\xb0pi.dev.cobo.com",
		"api.dev.cobo.c\xc3\xb6m",
		"\xef\xbd\x81\xef\xbd\x90\xef\xbd\x89.dev.cobo.com",
		H ":0",
		H ":65536",
		H ":0443",
		"[" H "]",
		H ".evil.example",
	};
	size_t i;

	for (i = 0; i < N(token); i++)
		origin_docker_cli(TOKEN, token[i]);
	for (i = 0; i < N(refused); i++)
		origin_docker_cli(REFUSED, refused[i]);
	for (i = 0; i < N(near); i++)
		origin_docker_cli(NEAR, near[i]);
	for (i = 0; i < N(other); i++)
		origin_docker_cli(OTHER, other[i]);
}

void test_docker_stdin(void)
{
	static const char *const other[] = { "ftp://" H, "HTTPS://" H, "https:/" H, "https//" H,
					     "x://" H };
	size_t i;

	DOCKER_IN(NEAR, "http://" H " (http:// never matches a Cobo profile)", "http://" H);
	DOCKER_IN(NEAR, "http://" H ":443", "http://" H ":443");
	DOCKER_IN(NEAR, "http://" H "/v2", "http://" H "/v2");
	DOCKER_IN(REFUSED, "https://evil.example@" H, "https://evil.example@" H);
	DOCKER_IN(REFUSED, "https://" H "@evil.example", "https://" H "@evil.example");
	DOCKER_IN(REFUSED, "a line break splitting userinfo (lines are joined)",
		  "evil.example\n@" H);
	DOCKER_IN(REFUSED, "a tab inside", H "\tx");
	DOCKER_IN(REFUSED, "ESC inside", H "\x1bx");
	DOCKER_IN(REFUSED, "NUL inside", H "\0x");
	for (i = 0; i < N(other); i++)
		origin_docker_in(OTHER, other[i], other[i], strlen(other[i]));
	DOCKER_IN(TOKEN, "control: https://" H "/v2", "https://" H "/v2");
	DOCKER_IN(TOKEN, "control: " H "/v2/", H "/v2/");
}
