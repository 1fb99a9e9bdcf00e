/*
 * usage.c - help texts, and the options every subcommand takes (--help
 * prints them).  Keep them in step with man/cobo-credential.1.  Imports run
 * one way: usage.c uses common.c (errors), never the other way.
 */
#include "config.h"

#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char overview[] =
	"usage: cobo-credential [--config FILE] COMMAND [OPTIONS]\n"
	"\n"
	"Cobo org access tokens for people, scripts and tools.\n"
	"\n"
	"commands:\n"
	"  setup                 create a profile, store its app secret, prove it works\n"
	"  profile list|show|remove\n"
	"                        inspect or remove profiles\n"
	"  key generate|import|public\n"
	"                        manage a profile's Ed25519 app key\n"
	"  token                 print a valid access token (raw, json, header, env,\n"
	"                        exec-credential)\n"
	"  sign URL              the 4 headers of a signed Cobo API request (curl -H @-)\n"
	"  api PATH|URL          send a signed Cobo API request and print the answer\n"
	"  status                what is cached per profile (never prints a secret)\n"
	"  logout                remove cached tokens\n"
	"  doctor                check the installation and print fixes\n"
	"  proxy                 a local reverse proxy that signs Cobo API requests\n"
	"  help COMMAND          help for one command (or: COMMAND --help)\n"
	"\n"
	"environment: COBO_CREDENTIAL_CONFIG, COBO_CREDENTIAL_PROFILE,\n"
	"  COBO_CREDENTIAL_TRACE=1|PATH (secrets redacted),\n"
	"  COBO_CREDENTIAL_INTERACTIVE=never (never prompt)\n"
	"\n"
	"exit status:\n"
	"  0 ok            64 usage error     65 value unsafe for the format\n"
	"  66 not found    70 internal error  74 I/O error\n"
	"  75 transient, retry later          77 denied: re-authorisation needed\n"
	"  78 configuration error             1 doctor: a check failed\n"
	"\n"
	"See cobo-credential(1) and cobo-credential.conf(5).\n";

static const struct help {
	const char *name;
	const char *text;
} helps[] = {
	{ "setup",
	  "usage: cobo-credential setup [OPTIONS]\n"
	  "\n"
	  "Creates (or with --force replaces) a profile, stores its app secret in the\n"
	  "keyring (a 0600 file where there is none), writes the config file and mints\n"
	  "a token to prove it.  On a terminal it asks for what is missing.\n"
	  "\n"
	  "  --name NAME            profile name (default: the environment, or 'default')\n"
	  "  --env dev|sandbox|prod a Cobo environment\n"
	  "  --base-url URL         a custom API base URL (with --server-key)\n"
	  "  --server-key KEY       dev|sandbox|prod or the server's 64-hex response key\n"
	  "  --client-id ID         the app's client id\n"
	  "  --org-id ID            the organisation id\n"
	  "  --key-file FILE|-      the app secret: PEM or 64 hex, from FILE or stdin\n"
	  "  --generate-key         make a new key pair instead; prints the public key\n"
	  "  --pkcs11 URI           the app key is inside a PKCS#11 token (no PIN in URI)\n"
	  "  --key-store auto|keyring|file\n"
	  "                         where the secret goes (default auto)\n"
	  "  --ca-file FILE         trust this CA too (private or test server)\n"
	  "  --allow-http           allow http:// to 127.0.0.1 (test servers only)\n"
	  "  --no-verify            do not mint a token to check the profile\n"
	  "  --force                replace an existing profile or stored secret\n" },
	{ "profile", "usage: cobo-credential profile list\n"
		     "       cobo-credential profile show NAME\n"
		     "       cobo-credential profile remove NAME [--forget-key]\n"
		     "\n"
		     "remove deletes the section from the config file and the profile's cached\n"
		     "tokens; with --forget-key also its stored app secret.\n" },
	{ "key",
	  "usage: cobo-credential key generate [--profile P | --out FILE] [--key-store S] [--force]\n"
	  "       cobo-credential key generate --pkcs11 URI [--profile P]\n"
	  "       cobo-credential key import [--profile P] [--key-store S] [--force] FILE|-\n"
	  "       cobo-credential key public [--profile P] [FILE|-]\n"
	  "\n"
	  "generate makes a new Ed25519 app key: the secret goes straight to the keyring\n"
	  "(or a 0600 file), the public key (64 hex) is printed for the app's manifest.\n"
	  "--out FILE writes the secret to a new 0600 file instead (for a later setup).\n"
	  "import stores an existing key (PEM or 64 hex).  public prints the public key.\n"
	  "S is auto (keyring if reachable, else file), keyring or file.\n" },
	{ "token",
	  "usage: cobo-credential token [--profile P] [--org ORG] [--format F]\n"
	  "                             [--min-valid SECONDS]\n"
	  "\n"
	  "Prints a valid access token: from the cache, refreshed or minted as needed.\n"
	  "--org: the org, for a profile whose org_id is a list or * (any org).\n"
	  "  raw              the token\n"
	  "  json             {access_token, token_type, expires_at, org_id, profile}\n"
	  "  header           Authorization: Bearer TOKEN\n"
	  "  env              COBO_ORG_ACCESS_TOKEN=... lines, safe for eval\n"
	  "  exec-credential  a Kubernetes client.authentication.k8s.io/v1 ExecCredential\n"
	  "--min-valid: the token must stay valid at least this long (default: the\n"
	  "refresh window, max(60 s, 10% of its lifetime)).\n" },
	{ "sign", "usage: cobo-credential sign [--profile P] [--org ORG] [--method M]\n"
		  "                            [--body FILE|-] [--format header|json] URL\n"
		  "\n"
		  "Prints Authorization, Biz-Api-Key, Biz-Api-Nonce and Biz-Api-Signature for\n"
		  "one request, one 'Name: value' per line (curl -H @-), or a JSON object.  URL\n"
		  "is a full URL of the profile's base_url (same scheme, host, port, under its\n"
		  "path) or a PATH relative to it; the query is signed as given.  The method is\n"
		  "GET, or POST with --body (at most 8 MiB, sent byte for byte).\n" },
	{ "api", "usage: cobo-credential api [--profile P] [--org ORG] [--method M]\n"
		 "                           [--body FILE|-] [--include] PATH|URL\n"
		 "\n"
		 "Signs and sends one request (PATH relative to base_url: /wallets?limit=10),\n"
		 "verifies Cobo's response signature and prints the body (--include: the\n"
		 "status line and headers first).  Exit 0 for 2xx; for an HTTP error, the\n"
		 "status and Cobo's error on stderr and exit 77 (401, 403), 66 (404), 75\n"
		 "(408, 429, 5xx) or 65 (other).  A token the server refuses is refreshed\n"
		 "and the request retried once.\n" },
	{ "status", "usage: cobo-credential status [--profile P] [--org ORG] [--json]\n"
		    "\n"
		    "Per profile and org: whether an access token is cached and when it expires,\n"
		    "whether a refresh token is present and how old it is, and which module holds\n"
		    "them (org_id = *: each org with cached tokens).  Never prints a secret.\n" },
	{ "logout",
	  "usage: cobo-credential logout [--profile P [--org ORG] | --all] [--forget-key]\n"
	  "\n"
	  "Removes cached access and refresh tokens: of one org with --org, else of\n"
	  "every org of the profile.  The app secret stays unless --forget-key is given.\n" },
	{ "doctor",
	  "usage: cobo-credential doctor [--profile P] [--offline]\n"
	  "\n"
	  "Checks config syntax, module loading, keyring reachability and lock state,\n"
	  "key file permissions, the clock, and (unless --offline) a TLS and signature\n"
	  "round trip per profile: its cached access token is dropped and a fresh one\n"
	  "fetched.  Prints [ok], [warn] or [FAIL] with a fix; exits 1 on any failure.\n" },
	{ "proxy",
	  "usage: cobo-credential proxy [--profile P] [--socket PATH | --listen ADDR:PORT]\n"
	  "                             [--access-log] [--timeout S] [--max-body BYTES]\n"
	  "                             [--max-headers BYTES]\n"
	  "\n"
	  "A local reverse proxy that signs: a client sends GET /v2/... with no auth; the\n"
	  "proxy adds the access token and the app-key signature, forwards it to the\n"
	  "profile's base_url and passes back the answer once Cobo's signature checks.\n"
	  "Default listener: $XDG_RUNTIME_DIR/cobo-credential/proxy.sock (0600; only you).\n"
	  "--listen 127.0.0.1:PORT: every request needs the Cobo-Proxy-Key header from\n"
	  "the key file it names.  Cobo-Org: ORG picks the org.  See cobo-credential(1).\n" },
};

void cli_usage(FILE *f, const char *name)
{
	size_t i;

	if (name != NULL)
		for (i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
			if (strcmp(helps[i].name, name) == 0) {
				fputs(helps[i].text, f);
				fputs("\ncommon options: --config FILE, --help\n", f);
				return;
			}
	fputs(overview, f);
}

int cli_common_opt(struct cli *cli, const char *cmd, int c, int *done)
{
	*done = 0;
	switch (c) {
	case CLI_OPT_CONFIG:
		cli->config = optarg;
		return CLI_EX_OK;
	case CLI_OPT_HELP:
		cli_usage(stdout, cmd);
		*done = 1;
		return CLI_EX_OK;
	case '?':
	case ':':
		/* getopt has printed what is wrong. */
		return cli_usage_error(cmd, NULL);
	default:
		return -1;
	}
}
