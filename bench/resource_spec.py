"""bench/resource_spec.py - the signed resource call groups of bench/run.sh.

Per call, CPU (user + system, from wait4 through bench/spawn.c), the same two
calls by each client against the same local Cobo test server, which checks
what Cobo checks and echoes what arrived (tests/server/README.md):

- curl over the signing proxy's unix socket (the proxy's own CPU, read from
  /proc, added): N calls in one curl process, and a curl process per call;
- `cobo-credential api`, a process per call;
- Cobo's official JS SDK (@cobo/cobo-waas2, bench/sdk-js/), N calls in one
  node process, its start-up (node, the SDK loaded and configured) measured
  apart and subtracted, as a long-running program pays it once.

Every answer must be the echo of exactly the request meant (method, path,
query, body digest, org, app), N times for N calls: a failure never looks fast.
"""

import hashlib

QUERY = "wallet_type=Custodial&limit=10"
ORG, CLIENT = "org-res", "bench-client"
SDK = "Cobo's JS SDK (@cobo/cobo-waas2 1.8.0)"


def echo(method, query, body):
    """The start of the test server's echo of that request (its key order is fixed)."""
    return ('{"method":"%s","path":"/v2/wallets","query":"%s","body_sha256":"%s",'
            '"body_bytes":%d,"org_id":"%s","client_id":"%s",' % (
                method, query, hashlib.sha256(body).hexdigest(), len(body), ORG, CLIENT))


def group(e, cli, conf, kind):
    n, sock = int(e["CALLS"]), e["PROXY_SOCK"]
    post = kind == "post"
    body = open(e["RES_BODY"], "rb").read() if post else b""
    want = echo("POST" if post else "GET", "" if post else QUERY, body)
    path = "/wallets" if post else "/wallets?" + QUERY
    url = "http://localhost/v2" + path
    curl = ["curl", "-sS", "--fail", "--unix-socket", sock]
    if post:
        curl += ["-H", "Content-Type: application/json", "--data-binary", "@" + e["RES_BODY"]]
    api = [cli, "api"] + (["--body", e["RES_BODY"]] if post else []) + [path]
    proxy = int(e["PROXY_PID"])
    sdk_env = {"NODE_PATH": e["SDKJS"] + "/node_modules",
               "NODE_EXTRA_CA_CERTS": e["COBO_SERVER_CA"]}
    sdk = ["node", e["top_srcdir"] + "/bench/sdk-js/calls.js", e["COBO_SERVER_URL"], kind]
    sdk_args = [e["T_TMP"] + "/seed.hex", e["T_TMP"] + "/res.token", ORG, CLIENT]
    one = "curl over the signing proxy's socket, a process a call"
    start = "the JS SDK's start-up: node, the SDK loaded and configured, no call"
    title = ("POST /v2/wallets (a JSON body)" if post else "GET /v2/wallets?" + QUERY)
    return {"group": "signed resource calls, %s: CPU per call beside Cobo's JS SDK" % title,
            "per_call": True, "reference": SDK, "cases": [
        {"name": "curl over the signing proxy's socket, %d calls a process" % n,
         "argv": curl + [url] * n, "calls": n, "minus": one, "server_pid": proxy,
         "expect": want, "expect_count": n},
        {"name": one, "argv": curl + [url], "server_pid": proxy, "expect": want, "expect_count": 1},
        {"name": "cobo-credential api, a process a call", "argv": api, "env": conf("res"),
         "expect": want, "expect_count": 1},
        {"name": SDK, "argv": sdk + [str(n)] + sdk_args, "env": sdk_env, "calls": n,
         "minus": start, "expect": "ok %d %s calls" % (n, kind), "expect_count": 1},
        {"name": start, "argv": sdk + ["0"] + sdk_args, "env": sdk_env, "calls": 0,
         "expect": "ok 0 %s calls" % kind, "expect_count": 1}]}


def resource_groups(e, cli, conf):
    return [group(e, cli, conf, "get"), group(e, cli, conf, "post")]
