#!/bin/bash
# Self-test of the Cobo-compatible test server: offline vector checks, then live checks of
# the protocol, control API, fault modes, certificate modes and shutdown.
# Prints "N passed, M failed" last; exits non-zero on any failure.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VECTORS=$(cd "$HERE/../vectors" && pwd)/cobo-signing.json
PY=/usr/bin/python3

# shellcheck source=cobo-server.sh
source "$HERE/cobo-server.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/cobo-selftest.XXXXXX")
cleanup() {
    cobo_server_stop
    rm -rf "$TMP"
}
trap cleanup EXIT

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok   - $*"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }
check() { # check NAME command...
    local name=$1
    shift
    if "$@" >"$TMP/check.out" 2>&1; then ok "$name"; else bad "$name"; sed 's/^/       /' "$TMP/check.out"; fi
}
# run the python harness; tally its "PASS name" / "FAIL name: why" lines
harness() {
    local line
    while IFS= read -r line; do
        case $line in
            PASS\ *) ok "${line#PASS }" ;;
            FAIL\ *) bad "${line#FAIL }" ;;
            "EXIT 0") ;;
            EXIT\ *) bad "python harness '$1' exited with status ${line#EXIT }" ;;
            *) echo "       $line" ;;
        esac
    done < <("$PY" "$TMP/client.py" "$@" 2>&1; echo "EXIT $?")
}

cat >"$TMP/client.py" <<'PYEOF'
import hashlib, http.client, json, os, secrets, socket, ssl, sys, threading, time, traceback
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

def out(ok, name, why=""):
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)), flush=True)

def check(name, cond, why=""):
    out(bool(cond), name, why)
    return bool(cond)

def dsha(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()

def pub_hex(priv):
    return priv.public_key().public_bytes(serialization.Encoding.Raw,
                                          serialization.PublicFormat.Raw).hex()

# ------------------------------------------------------------------ offline vectors
def vectors(server_dir, path):
    sys.path.insert(0, server_dir)
    import cobo_server as cs
    v = json.load(open(path, encoding="utf-8"))
    n = 0
    for c in v["request_cases"]:
        body = bytes.fromhex(c["body_utf8_hex"])
        check("vector %s: body hex matches body" % c["name"], body == c["body"].encode("utf-8"))
        sts = cs.request_string_to_sign(c["method"], c["path"], c["nonce"], c["params"], body)
        check("vector %s: str_to_sign" % c["name"], sts == c["str_to_sign"].encode("utf-8"))
        check("vector %s: digest" % c["name"], cs.double_sha256(sts).hex() == c["digest_hex"])
        okv, code, msg = cs.verify_request_signature(
            c["method"], c["path"], c["headers"]["Biz-Api-Nonce"], c["params"], body,
            c["headers"]["Biz-Api-Key"], c["headers"]["Biz-Api-Signature"], window_ms=None)
        check("vector %s: server verifier accepts" % c["name"], okv, msg)
        okw, code, msg = cs.verify_request_signature(
            c["method"], c["path"], c["nonce"], c["params"], body,
            c["public_key_hex"], c["signature_hex"], window_ms=300000)
        check("vector %s: live nonce window rejects old nonce" % c["name"], not okw and code == cs.E_BAD_NONCE)
        okt, _, _ = cs.verify_request_signature(
            c["method"], c["path"], c["nonce"], c["params"] + "x", body,
            c["public_key_hex"], c["signature_hex"], window_ms=None)
        check("vector %s: tampered query rejected" % c["name"], not okt)
        pk, sig = cs.sign_request(c["private_key_seed_hex"], c["method"], c["path"], c["nonce"],
                                  c["params"], body)
        check("vector %s: signer reproduces" % c["name"],
              pk == c["public_key_hex"] and sig == c["signature_hex"])
        n += 1
    check("vectors: at least 9 request cases", n >= 9, str(n))
    rk = cs.key_from_seed(v["response_signer_seed_hex"])
    for c in v["response_cases"]:
        got = cs.verify_response(c["server_public_key_hex"], c["body"].encode("utf-8"),
                                 c["timestamp"], c["signature_hex"])
        check("response vector %s: verify == %s" % (c["name"], c["expected_valid"]),
              got == c["expected_valid"])
        if c["expected_valid"]:
            check("response vector %s: server signer reproduces" % c["name"],
                  cs.sign_response(rk, c["body"].encode("utf-8"), c["timestamp"]) == c["signature_hex"])

# ------------------------------------------------------------------ live client
class Client:
    def __init__(self, d):
        self.d = d
        self.port = int(open(os.path.join(d, "port")).read())
        self.pub = open(os.path.join(d, "server_pubkey")).read().strip()
        self.ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.pem"))
        self.seen_tokens = set()

    def conn(self, timeout=20):
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=timeout)

    def req(self, method, target, body=b"", key=None, nonce=None, headers=None, conn=None,
            timeout=20, signed_as=None):
        """signed_as=(METHOD, TARGET, BODY): sign those instead of what is sent."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        h = dict(headers or {})
        if key is not None:
            sm, st_, sb = signed_as or (method, target, body)
            sb = sb.encode("utf-8") if isinstance(sb, str) else sb
            path, _, query = st_.partition("?")
            nonce = str(int(time.time() * 1000)) if nonce is None else nonce
            sts = b"|".join([sm.encode(), path.encode(), nonce.encode(), query.encode(), sb])
            h["Biz-Api-Key"] = pub_hex(key)
            h["Biz-Api-Nonce"] = nonce
            h["Biz-Api-Signature"] = key.sign(dsha(sts)).hex()
        if body:
            h.setdefault("Content-Type", "application/json")
        c = conn or self.conn(timeout)
        try:
            c.request(method, target, body=body if (body or method in ("POST", "PUT", "PATCH")) else None, headers=h)
            r = c.getresponse()
            data = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            for k in ("access_token", "refresh_token"):
                try:
                    t = json.loads(data).get(k)
                    if isinstance(t, str) and len(t) > 6:
                        self.seen_tokens.add(t)
                except Exception:
                    pass
            return r.status, hdrs, data
        finally:
            if conn is None:
                c.close()

    def sig_ok(self, hdrs, data, pub=None):
        ts, sig = hdrs.get("biz-timestamp"), hdrs.get("biz-resp-signature")
        if not ts or not sig:
            return False
        try:
            k = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub or self.pub))
            k.verify(bytes.fromhex(sig), dsha(data + b"|" + ts.encode()))
            return True
        except (ValueError, InvalidSignature):
            return False

    def ctl(self, method, path, obj=None):
        body = json.dumps(obj).encode() if obj is not None else (b"{}" if method == "POST" else b"")
        st, h, d = self.req(method, path, body)
        return st, json.loads(d)

RESOURCE_QUERY = "name=a%20b+c&plus=%2B1+2&raw=x+y&utf=caf%C3%A9&empty=&z=1&a=2"
RESOURCE_BODY = '{"note": "caf\u00e9 \u2603 \U0001F600", "amount": "1.50", "k": [1, 2]}'

def resource(c, app, other, stranger, at, CID, CID2, ORG, ORG2, is_error_shape, mint):
    bearer = {"Authorization": "Bearer " + at}

    def call(method, target, body=b"", key=app, headers=bearer, **kw):
        st, h, data = c.req(method, target, body, key=key, headers=headers, **kw)
        try:
            j = json.loads(data)
        except ValueError:
            j = None
        return st, h, data, j

    def refused(name, res, status, code, words=""):
        st, h, data, j = res
        check(name, st == status and is_error_shape(j) and j["error_code"] == code
              and words in j["error_message"] and c.sig_ok(h, data), (st, data))

    c.ctl("POST", "/_test/stats/reset")
    st, h, data, j = call("GET", "/v2/wallets?" + RESOURCE_QUERY)
    check("resource GET: 200, signed", st == 200 and c.sig_ok(h, data), (st, data))
    check("resource GET: echoes method, path, raw query, body digest, org, app",
          j["method"] == "GET" and j["path"] == "/v2/wallets" and j["query"] == RESOURCE_QUERY
          and j["body_sha256"] == hashlib.sha256(b"").hexdigest() and j["body_bytes"] == 0
          and j["org_id"] == ORG and j["client_id"] == CID, j)
    hd = j["headers"]
    check("resource GET: echoes headers (names lower-case), credentials as 'present'",
          hd.get("authorization") == "present" and hd.get("biz-api-signature") == "present"
          and hd.get("biz-api-key") == pub_hex(app) and hd.get("biz-api-nonce", "").isdigit()
          and hd.get("host") == "127.0.0.1:%d" % c.port, hd)
    check("resource GET: no token or signature value in the answer",
          at.encode() not in data and b"AT_" not in data, data)
    for m in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        body = RESOURCE_BODY.encode("utf-8")
        st, h, data, j = call(m, "/v2/wallets/w-1/sub%2Fpath?" + RESOURCE_QUERY, body,
                              headers=dict(bearer, **{"X-Client-Thing": "t \u00e9".encode().decode("latin-1")}))
        check("resource %s with a UTF-8 body: echoed byte-exact" % m, st == 200
              and j["method"] == m and j["path"] == "/v2/wallets/w-1/sub%2Fpath"
              and j["query"] == RESOURCE_QUERY
              and j["body_sha256"] == hashlib.sha256(body).hexdigest() and j["body_bytes"] == len(body)
              and j["headers"].get("content-length") == str(len(body))
              and j["headers"].get("x-client-thing") == "t \u00e9".encode().decode("latin-1"), (st, data))
    st, h, data, j = call("DELETE", "/v2/wallets/w-1")
    check("resource DELETE without a body", st == 200 and j["method"] == "DELETE"
          and j["query"] == "" and j["body_bytes"] == 0, (st, data))

    refused("bare bearer (no signature) -> 401 2021", call("GET", "/v2/wallets", key=None), 401, 2021)
    refused("signature without a bearer -> 401 2031",
            call("GET", "/v2/wallets", headers={}), 401, 2031, "missing Authorization")
    refused("unknown bearer -> 401 2031", call("GET", "/v2/wallets",
            headers={"Authorization": "Bearer AT_bogus"}), 401, 2031, "unknown")
    refused("bearer scheme missing -> 401 2031", call("GET", "/v2/wallets",
            headers={"Authorization": at}), 401, 2031)
    check("bearer scheme is case-insensitive", call("GET", "/v2/wallets",
          headers={"Authorization": "bearer " + at})[0] == 200)
    refused("signature by another app's key -> 401 2023", call("GET", "/v2/wallets", key=other),
            401, 2023, "the app the access token was issued to")
    at2 = mint(key=other, cid=CID2)[3]["access_token"]
    refused("token of another app (signed by this app) -> 401 2023",
            call("GET", "/v2/wallets", headers={"Authorization": "Bearer " + at2}), 401, 2023)
    check("token and key of the other app -> 200, its own client_id",
          call("GET", "/v2/wallets", key=other, headers={"Authorization": "Bearer " + at2})[3]
          .get("client_id") == CID2)
    refused("signature by an unregistered key -> 401 2023", call("GET", "/v2/wallets", key=stranger),
            401, 2023, "not registered")
    t = "/v2/wallets?" + RESOURCE_QUERY
    b = RESOURCE_BODY
    refused("tampered query -> 401 2024", call("POST", t + "&x=1", b, signed_as=("POST", t, b)), 401, 2024)
    refused("re-encoded query (%20 for +) -> 401 2024", call("GET", t.replace("+", "%20"),
            signed_as=("GET", t, b"")), 401, 2024)
    refused("reordered query -> 401 2024", call("GET", "/v2/wallets?a=2&z=1",
            signed_as=("GET", "/v2/wallets?z=1&a=2", b"")), 401, 2024)
    refused("tampered body -> 401 2024", call("POST", t, b.replace("1.50", "1.51"),
            signed_as=("POST", t, b)), 401, 2024)
    refused("tampered method -> 401 2024", call("PUT", t, b, signed_as=("POST", t, b)), 401, 2024)
    refused("tampered path -> 401 2024", call("POST", "/v2/wallets/x?" + RESOURCE_QUERY, b,
            signed_as=("POST", t, b)), 401, 2024)
    refused("path signed without /v2 -> 401 2024", call("GET", "/v2/wallets",
            signed_as=("GET", "/wallets", b"")), 401, 2024)
    old = str(int(time.time() * 1000) - 6 * 60 * 1000)
    refused("nonce 6 min old -> 401 2022", call("GET", "/v2/wallets", nonce=old), 401, 2022)
    fut = str(int(time.time() * 1000) + 6 * 60 * 1000)
    refused("nonce 6 min ahead -> 401 2022", call("GET", "/v2/wallets", nonce=fut), 401, 2022)
    st, h, data, j = call("GET", "/v2/wallets", headers={"Authorization": "Bearer " + at,
                                                          "authorization": "Bearer " + at})
    refused("two Authorization headers -> 401 2031", (st, h, data, j), 401, 2031)

    st, s = c.ctl("GET", "/_test/stats?org_id=" + ORG)
    check("stats: resource calls per org (bearer's org), failures apart",
          s["resource"] == 22 and s["resource_failed"] == 13 and s["total"] == 1, s)
    st, s = c.ctl("GET", "/_test/stats?client_id=" + CID2)
    check("stats: resource calls per app", s["resource"] == 2 and s["resource_failed"] == 1
          and s["mint"] == 1, s)
    st, s = c.ctl("GET", "/_test/stats")
    check("stats: resource calls globally (unknown bearers too)",
          s["resource"] == 26 and s["resource_failed"] == 17, s)

    # revocation of access tokens only: the next call is refused, a refresh recovers
    st, h, data, j = mint()
    atR, rtR = j["access_token"], j["refresh_token"]
    st, r = c.ctl("POST", "/_test/revoke_access", {})
    check("revoke_access with no selection -> 400 (never 'all')", st == 400, r)
    st, r = c.ctl("POST", "/_test/revoke_access", {"token": atR})
    check("revoke_access one token", st == 200 and r.get("revoked_access") == 1, r)
    refused("revoked access token -> 401 2031", call("GET", "/v2/wallets",
            headers={"Authorization": "Bearer " + atR}), 401, 2031, "revoked")
    st, v = c.ctl("GET", "/_test/token_valid?token=" + atR)
    check("token_valid: revoked", v.get("valid") is False and v.get("revoked") is True, v)
    check("revoke_access leaves other tokens alone", call("GET", "/v2/wallets")[0] == 200)
    st, hh, dd = c.req("POST", "/v2/oauth/token", json.dumps(
        {"client_id": CID, "grant_type": "refresh_token", "refresh_token": rtR}), key=app)
    atN = json.loads(dd).get("access_token")
    check("revoke_access keeps the refresh token: the refresh recovers", st == 201 and call(
        "GET", "/v2/wallets", headers={"Authorization": "Bearer %s" % atN})[0] == 200, (st, dd))
    st, r = c.ctl("POST", "/_test/revoke_access", {"client_id": CID2})
    check("revoke_access by client_id", st == 200 and r.get("revoked_access") == 1, r)
    st, r = c.ctl("POST", "/_test/revoke_access", {"org_id": ORG2})
    atO = mint(org=ORG2)[3]["access_token"]
    st, r = c.ctl("POST", "/_test/revoke_access", {"org_id": ORG2, "client_id": CID})
    check("revoke_access by org_id and client_id", st == 200 and r.get("revoked_access") == 1, r)

    # the app taken out of the org after the token was issued
    st, h, data, j = mint()
    atU = j["access_token"]
    c.ctl("POST", "/_test/apps", {"client_id": CID, "pubkey_hex": pub_hex(app), "orgs": [ORG2]})
    refused("app no longer installed in the token's org -> 403 2030", call("GET", "/v2/wallets",
            headers={"Authorization": "Bearer " + atU}), 403, 2030, "not installed")
    c.ctl("POST", "/_test/apps", {"client_id": CID, "pubkey_hex": pub_hex(app), "orgs": [ORG, ORG2]})
    check("installed again -> 200", call("GET", "/v2/wallets",
          headers={"Authorization": "Bearer " + atU})[0] == 200)

def live(d):
    c = Client(d)
    app = ed25519.Ed25519PrivateKey.generate()
    other = ed25519.Ed25519PrivateKey.generate()
    stranger = ed25519.Ed25519PrivateKey.generate()
    CID, CID2, ORG, ORG2, ORG3 = "selftest-app", "selftest-app-2", "org-a", "org-b", "org-not-installed"
    st, j = c.ctl("POST", "/_test/apps", {"client_id": CID, "pubkey_hex": pub_hex(app), "orgs": [ORG, ORG2]})
    check("register app", st == 200 and j.get("ok"), j)
    st, j = c.ctl("POST", "/_test/apps", {"client_id": CID2, "pubkey_hex": pub_hex(other), "orgs": [ORG]})
    check("register second app", st == 200, j)
    st, j = c.ctl("POST", "/_test/apps", {"client_id": "x", "pubkey_hex": "zz", "orgs": []})
    check("register app with bad key -> 400", st == 400, j)

    def mint_target(cid=CID, org=ORG, grant="org_implicit"):
        return "/v2/oauth/token?client_id=%s&org_id=%s&grant_type=%s" % (cid, org, grant)

    def mint(key=app, **kw):
        st, h, data = c.req("GET", mint_target(**kw), key=key)
        try:
            j = json.loads(data)
        except ValueError:
            j = None
        return st, h, data, j

    def refresh_body(rt, cid=CID, sdk=False):
        o = {"client_id": cid, "grant_type": "refresh_token", "refresh_token": rt}
        return json.dumps(o) if sdk else json.dumps(o, separators=(",", ":"))

    def refresh(rt, key=app, cid=CID, sdk=False):
        st, h, data = c.req("POST", "/v2/oauth/token", refresh_body(rt, cid, sdk), key=key)
        try:
            j = json.loads(data)
        except ValueError:
            j = None
        return st, h, data, j

    def is_error_shape(j):
        return (isinstance(j, dict) and isinstance(j.get("error_code"), int)
                and isinstance(j.get("error_message"), str) and isinstance(j.get("error_id"), str)
                and len(j["error_id"]) >= 16)

    # ---- mint
    st, h, data, j = mint()
    check("mint -> 200", st == 200, (st, data[:200]))
    check("mint: response shape", isinstance(j, dict) and j.get("token_type") == "Bearer"
          and j.get("scope") == "" and j.get("expires_in") == 43200
          and str(j.get("access_token", "")).startswith("AT_")
          and str(j.get("refresh_token", "")).startswith("RT_"), j)
    check("mint: response signature verifies", c.sig_ok(h, data))
    check("mint: Biz-Timestamp is current unix ms",
          abs(int(h.get("biz-timestamp", "0")) - time.time() * 1000) < 60000, h.get("biz-timestamp"))
    check("mint: HTTP/1.1 Content-Length", h.get("content-length") == str(len(data)))
    check("mint: signature fails with another key", not c.sig_ok(h, data, pub_hex(other)))
    at, rt = j["access_token"], j["refresh_token"]
    st, v = c.ctl("GET", "/_test/token_valid?token=" + at)
    check("token_valid: fresh access token", v.get("valid") is True and v.get("org_id") == ORG
          and v.get("expires_at", 0) > time.time() + 43000, v)
    st, v = c.ctl("GET", "/_test/refresh_valid?token=" + rt)
    check("refresh_valid: fresh refresh token", v.get("valid") is True and v.get("org_id") == ORG, v)
    st, v = c.ctl("GET", "/_test/token_valid?token=AT_nonexistent")
    check("token_valid: unknown token", v.get("valid") is False, v)

    # ---- resource calls: bearer AND signature (README "Resource calls")
    resource(c, app, other, stranger, at, CID, CID2, ORG, ORG2, is_error_shape, mint)

    # ---- keep-alive: two requests on one connection
    k = c.conn()
    s1 = c.req("GET", "/v2/wallets", key=app, headers={"Authorization": "Bearer " + at}, conn=k)[0]
    s2 = c.req("GET", mint_target(), key=app, conn=k)[0]
    k.close()
    check("keep-alive: two requests on one connection", s1 == 200 and s2 == 200, (s1, s2))

    # ---- refresh
    st, h, data, j = refresh(rt)
    check("refresh -> 201", st == 201, (st, data[:200]))
    check("refresh: new tokens, same shape", isinstance(j, dict) and j.get("access_token") not in (None, at)
          and j.get("refresh_token") not in (None, rt) and j.get("token_type") == "Bearer"
          and j.get("expires_in") == 43200, j)
    check("refresh: signed", c.sig_ok(h, data))
    rt2 = j["refresh_token"]
    st, h, data, j = refresh(rt)
    check("refresh token reuse -> 400 invalid_grant", st == 400 and j.get("error") == "invalid_grant"
          and isinstance(j.get("error_description"), str) and c.sig_ok(h, data), (st, data))
    st, v = c.ctl("GET", "/_test/refresh_valid?token=" + rt)
    check("refresh_valid: consumed token invalid", v.get("valid") is False and v.get("used") is True, v)
    st, h, data, j = refresh(rt2, sdk=True)
    check("refresh with SDK-style JSON (', ' separators) -> 201", st == 201, (st, data))
    rt3 = j["refresh_token"]
    st, h, data, j = refresh(rt3, key=other, cid=CID2)
    check("refresh token of another client -> 400 invalid_grant",
          st == 400 and j.get("error") == "invalid_grant", (st, data))
    st, h, data = c.req("POST", "/v2/oauth/token", "{not json", key=app)
    check("refresh with malformed body -> 400", st == 400 and is_error_shape(json.loads(data)), (st, data))
    st, h, data = c.req("POST", "/v2/oauth/token",
                        json.dumps({"client_id": CID, "grant_type": "password", "refresh_token": rt3}), key=app)
    check("refresh with wrong grant_type -> 400", st == 400, (st, data))

    # ---- request authentication
    st, h, data = c.req("GET", mint_target())
    j = json.loads(data)
    check("mint unsigned -> 401 error shape, signed", st == 401 and is_error_shape(j) and c.sig_ok(h, data), (st, data))
    path, _, q = mint_target().partition("?")
    nonce = str(int(time.time() * 1000))
    forged = app.sign(dsha(("GET|%s|%s|%s|" % (path, nonce, q + "&x=1")).encode())).hex()
    st, h, data = c.req("GET", mint_target(), headers={"Biz-Api-Key": pub_hex(app),
                        "Biz-Api-Nonce": nonce, "Biz-Api-Signature": forged})
    check("bad signature -> 401", st == 401 and json.loads(data).get("error_code") == 2024, (st, data))
    st, h, data = c.req("GET", mint_target(), headers={"Biz-Api-Key": pub_hex(app),
                        "Biz-Api-Nonce": nonce, "Biz-Api-Signature": "00" * 64})
    check("zero signature -> 401", st == 401, (st, data))
    old = str(int(time.time() * 1000) - 6 * 60 * 1000)
    st, h, data = c.req("GET", mint_target(), key=app, nonce=old)
    check("nonce 6 min old -> 401", st == 401 and json.loads(data).get("error_code") == 2022, (st, data))
    fut = str(int(time.time() * 1000) + 6 * 60 * 1000)
    st, h, data = c.req("GET", mint_target(), key=app, nonce=fut)
    check("nonce 6 min in future -> 401", st == 401, (st, data))
    near = str(int(time.time() * 1000) - 4 * 60 * 1000)
    st, h, data = c.req("GET", mint_target(), key=app, nonce=near)
    check("nonce 4 min old -> 200", st == 200, (st, data))
    # The window refusal as a client reads it (issue 30): 401 2022 naming the nonce, signed,
    # and dated by the server's own clock (Biz-Timestamp), whatever the nonce said; the
    # same for a refresh (POST), whose refresh token it leaves unspent, and at the bounds.
    for name, shift in (("ahead", 10 * 60 * 1000), ("behind", -10 * 60 * 1000)):
        t0 = int(time.time() * 1000)
        st, h, data = c.req("GET", mint_target(), key=app, nonce=str(t0 + shift))
        t1 = int(time.time() * 1000)
        j = json.loads(data)
        check("nonce 10 min %s -> 401 2022 naming the nonce" % name, st == 401
              and j.get("error_code") == 2022 and "nonce" in j.get("error_message", "").lower(),
              (st, data))
        check("nonce 10 min %s: refusal signed, dated by the server's clock" % name,
              c.sig_ok(h, data) and t0 <= int(h.get("biz-timestamp", "0")) <= t1, h)
    st, h, data, j = mint()
    rt_w = j.get("refresh_token") if isinstance(j, dict) else None
    st, h, data = c.req("POST", "/v2/oauth/token", refresh_body(rt_w), key=app,
                        nonce=str(int(time.time() * 1000) + 10 * 60 * 1000))
    check("refresh with a nonce 10 min ahead -> 401 2022, signed", st == 401 and
          json.loads(data).get("error_code") == 2022 and c.sig_ok(h, data), (st, data))
    st, h, data, j = refresh(rt_w)
    check("... and the refresh token it carried is still unspent", st == 201, (st, data))
    st, cfg = c.ctl("GET", "/_test/config")
    check("default nonce window is 300 s", cfg.get("nonce_window") == 300, cfg)
    st, h, data = c.req("GET", mint_target(), key=app, nonce=str(int(time.time() * 1000) - 298000))
    check("nonce 298 s old -> 200 (inside the 300 s window)", st == 200, (st, data))
    st, h, data = c.req("GET", mint_target(), key=app, nonce=str(int(time.time() * 1000) + 302000))
    check("nonce 302 s ahead -> 401 2022", st == 401 and json.loads(data).get("error_code") == 2022,
          (st, data))
    st, h, data, j = mint(key=stranger)
    check("unregistered key -> 401", st == 401 and is_error_shape(j), (st, data))
    st, h, data, j = mint(key=other)
    check("key of another client -> 401", st == 401 and is_error_shape(j) and j["error_code"] == 2023, (st, data))
    st, h, data, j = mint(cid="no-such-client")
    check("unknown client_id -> 401", st == 401 and is_error_shape(j) and j["error_code"] == 2025, (st, data))
    st, h, data, j = mint(org=ORG3)
    check("app not installed in org -> 403", st == 403 and is_error_shape(j)
          and "not installed" in j["error_message"] and 2000 <= j["error_code"] < 3000, (st, data))
    st, h, data, j = mint(grant="client_credentials")
    check("mint wrong grant_type -> 400", st == 400 and is_error_shape(j), (st, data))
    st, h, data = c.req("GET", "/v2/oauth/token?client_id=%s&grant_type=org_implicit" % CID, key=app)
    check("mint missing org_id -> 400", st == 400, (st, data))
    st, h, data = c.req("GET", "/v2/oauth/token?org_id=%s&client_id=%s&grant_type=org_implicit" % (ORG, CID), key=app)
    check("reordered query signed as sent -> 200", st == 200, (st, data))
    st, h, data = c.req("GET", "/v2/oauth/token?client_id=app+id%2F%CE%B1%2B%CE%B2&org_id=org%261%3D2+~x&grant_type=org_implicit", key=app)
    check("percent-encoded query verifies (then unknown client)", st == 401 and json.loads(data)["error_code"] == 2025, (st, data))
    st, h, data = c.req("GET", "/v3/nowhere", key=app)
    check("path outside /v2/ -> 404 signed", st == 404 and c.sig_ok(h, data), (st, data))
    st, h, data = c.req("GET", "/v2", key=app)
    check("/v2 itself -> 404 signed", st == 404 and c.sig_ok(h, data), (st, data))
    st, h, data = c.req("DELETE", "/v2/oauth/token", key=app)
    check("DELETE token endpoint -> 405", st == 405, (st, data))

    # ---- stats
    c.ctl("POST", "/_test/stats/reset")
    mint(); mint(org=ORG2); mint(org=ORG3)
    st, h, data, j = mint()
    refresh(j["refresh_token"])
    st, s = c.ctl("GET", "/_test/stats")
    Z = {"resource": 0, "resource_failed": 0}
    check("stats global", s == dict(Z, mint=4, refresh=1, total=5, failed=1), s)
    st, s = c.ctl("GET", "/_test/stats?org_id=" + ORG)
    check("stats per org", s == dict(Z, mint=2, refresh=1, total=3, failed=0), s)
    st, s = c.ctl("GET", "/_test/stats?org_id=" + ORG3)
    check("stats per org (failed)", s == dict(Z, mint=1, refresh=0, total=1, failed=1), s)
    st, s = c.ctl("GET", "/_test/stats?client_id=" + CID)
    check("stats per app", s == dict(Z, mint=4, refresh=1, total=5, failed=1), s)
    st, s = c.ctl("GET", "/_test/stats?client_id=%s&org_id=%s" % (CID, ORG))
    check("stats: org_id and client_id together -> 400", st == 400, s)

    # ---- faults
    def fault(**f):
        st, j = c.ctl("POST", "/_test/fault", f)
        if st != 200:
            out(False, "queue fault %s" % f, j)

    fault(mode="status", status=503)
    st, h, data, j = mint()
    check("fault status 503 (signed, error shape)", st == 503 and c.sig_ok(h, data) and is_error_shape(j), (st, data))
    st, h, data, j = mint()
    check("fault consumed after one request", st == 200, (st, data))
    fault(mode="status", status=429, signed=False, headers={"Retry-After": "1"}, body="slow down")
    st, h, data, j = mint()
    check("fault status 429 unsigned, raw body, extra header", st == 429 and data == b"slow down"
          and "biz-resp-signature" not in h and "biz-timestamp" not in h and h.get("retry-after") == "1", (st, h, data))
    fault(mode="status", status=403, body={"error_code": 2030, "error_message": "app not installed", "error_id": "ab" * 8})
    st, h, data, j = mint()
    check("fault status 403 with JSON body", st == 403 and j.get("error_code") == 2030 and c.sig_ok(h, data), (st, data))

    st, h, data, j = mint(); rtA = j["refresh_token"]
    fault(mode="status", status=400, on="refresh")
    st, h, data, j = mint()
    check("fault on=refresh does not hit mint", st == 200, (st, data))
    st, h, data, j = refresh(rtA)
    check("fault status 400 on refresh -> invalid_grant", st == 400 and j.get("error") == "invalid_grant", (st, data))
    st, v = c.ctl("GET", "/_test/refresh_valid?token=" + rtA)
    check("status fault does not execute the refresh", v.get("valid") is True, v)

    fault(mode="delay", seconds=0.4)
    t0 = time.time(); st, h, data, j = mint(); dt = time.time() - t0
    check("fault delay then normal answer", st == 200 and dt >= 0.4 and c.sig_ok(h, data), (st, dt))

    # hold: a barrier.  Requests wait until the test releases them; no timing involved.
    st, h0 = c.ctl("GET", "/_test/held")
    check("GET /_test/held: counters", st == 200 and h0.get("held") == 0 and h0.get("ok"), h0)
    fault(mode="hold", on="mint", count=2)
    got = []
    def held_mint():
        got.append(mint())
    ts = [threading.Thread(target=held_mint) for _ in range(2)]
    for t in ts: t.start()
    st, j = c.ctl("GET", "/_test/held?wait=2&timeout=10")
    check("hold: ?wait=2 returns once two requests are held",
          st == 200 and j.get("ok") and j.get("held") == 2
          and j.get("arrived") == h0["arrived"] + 2, j)
    check("hold: a held request gets no answer", got == [], [g[0] for g in got])
    st, j = c.ctl("GET", "/_test/held?wait=3&timeout=0.2")
    check("hold: ?wait past what will come -> 504 after the timeout", st == 504 and not j.get("ok")
          and j.get("held") == 2, (st, j))
    st, j = c.ctl("POST", "/_test/release", {"count": 1, "wait": True})
    check("release count 1, wait: one answered, one still held", st == 200 and j.get("let_go") == 1
          and j.get("held") == 1 and j.get("done") == h0["done"] + 1, j)
    st, j = c.ctl("POST", "/_test/release", {"wait": True})
    check("release all, wait", st == 200 and j.get("let_go") == 1 and j.get("held") == 0
          and j.get("done") == h0["done"] + 2, j)
    for t in ts: t.join(20)
    check("hold: released requests are answered normally",
          len(got) == 2 and all(g[0] == 200 and c.sig_ok(g[1], g[2]) for g in got),
          [g[:1] for g in got])
    st, h, data, j = mint(); rtH = j["refresh_token"]
    fault(mode="hold", on="refresh")
    def gone_refresh():
        try:
            c.req("POST", "/v2/oauth/token", refresh_body(rtH), key=app, timeout=0.3)
        except (OSError, http.client.HTTPException):
            pass
    t = threading.Thread(target=gone_refresh); t.start(); t.join(20)  # the client gave up
    st, v = c.ctl("GET", "/_test/refresh_valid?token=" + rtH)
    check("hold: the held refresh is not processed before release", v.get("used") is False, v)
    st, j = c.ctl("POST", "/_test/release", {"wait": True})
    st, v = c.ctl("GET", "/_test/refresh_valid?token=" + rtH)
    check("hold: released after the client left, the refresh is processed by the time release returns",
          j.get("let_go") == 1 and v.get("used") is True, (j, v))
    fault(mode="hold", seconds=0.2)
    st, h, data, j = mint()
    check("hold with 'seconds': let go by itself after that long", st == 200, st)
    st, j = c.ctl("POST", "/_test/release", {"count": 0})
    check("release count 0 -> 400", st == 400, j)
    st, j = c.ctl("GET", "/_test/held?for=nothing")
    check("held?for=unknown -> 400", st == 400, j)
    st, j = c.ctl("POST", "/_test/release")
    check("release with nothing held: 0 released", st == 200 and j.get("let_go") == 0, j)

    for m in ("close", "reset"):
        fault(mode=m)
        try:
            st, h, data, j = mint()
            check("fault %s: no reply" % m, False, (st, data))
        except (ConnectionError, ssl.SSLError, http.client.HTTPException, OSError) as e:
            check("fault %s: no reply" % m, True)
        st, h, data, j = mint()
        check("after %s fault the server answers" % m, st == 200, st)

    fault(mode="truncated_json")
    st, h, data, j = mint()
    check("fault truncated_json: validly signed, not JSON", st == 200 and j is None and c.sig_ok(h, data)
          and data.startswith(b'{"access_token"'), (st, data))
    fault(mode="invalid_json")
    st, h, data, j = mint()
    check("fault invalid_json: validly signed, not JSON", st == 200 and j is None and c.sig_ok(h, data), (st, data))
    fault(mode="missing_field", field="refresh_token")
    st, h, data, j = mint()
    check("fault missing_field", st == 200 and "refresh_token" not in j and "access_token" in j and c.sig_ok(h, data), data)
    fault(mode="wrong_type", field="expires_in")
    st, h, data, j = mint()
    check("fault wrong_type expires_in -> string", st == 200 and j.get("expires_in") == "43200" and c.sig_ok(h, data), data)
    fault(mode="wrong_type", field="access_token")
    st, h, data, j = mint()
    check("fault wrong_type access_token -> number", isinstance(j.get("access_token"), int), data)
    fault(mode="bad_signature")
    st, h, data, j = mint()
    check("fault bad_signature", st == 200 and j.get("access_token") and "biz-resp-signature" in h
          and not c.sig_ok(h, data), data)
    fault(mode="no_signature")
    st, h, data, j = mint()
    check("fault no_signature", st == 200 and "biz-resp-signature" not in h and "biz-timestamp" not in h, h)
    fault(mode="wrong_key_signature")
    st, h, data, j = mint()
    check("fault wrong_key_signature", st == 200 and len(h.get("biz-resp-signature", "")) == 128
          and not c.sig_ok(h, data), h)
    fault(mode="huge_body")
    st, h, data, j = mint()
    check("fault huge_body: 8 MiB, signed, JSON", st == 200 and len(data) >= 8 * 1024 * 1024
          and isinstance(j, dict) and j.get("access_token") and c.sig_ok(h, data), len(data))
    fault(mode="huge_body", bytes=100000, field="access_token")
    st, h, data, j = mint()
    check("fault huge_body in access_token", len(j.get("access_token", "")) == 100000, len(data))
    for val in (0, -5, 99999999999, "soon", None):
        fault(mode="expires_in", value=val)
        st, h, data, j = mint()
        check("fault expires_in=%r" % (val,), st == 200 and "expires_in" in j and j["expires_in"] == val
              and c.sig_ok(h, data), data)
    fault(mode="empty_token")
    st, h, data, j = mint()
    check("fault empty_token", st == 200 and j.get("access_token") == "" and j.get("refresh_token"), data)

    # stale and replayed answers: correctly signed, not fresh
    def ts_of(h):
        return int(h.get("biz-timestamp", "0"))
    fault(mode="stale", seconds=-3600)
    t0 = int(time.time() * 1000); st, h, data, j = mint(); t1 = int(time.time() * 1000)
    check("fault stale: signed, dated an hour ago", st == 200 and c.sig_ok(h, data) and j.get("access_token")
          and t0 - 3600000 <= ts_of(h) <= t1 - 3600000, (st, h.get("biz-timestamp"), t0))
    st, v = c.ctl("GET", "/_test/token_valid?token=" + j["access_token"])
    check("fault stale: the request was processed", v.get("valid") is True, v)
    fault(mode="stale", seconds=301.5, on="refresh")
    rtS = mint()[3]["refresh_token"]
    t0 = int(time.time() * 1000); st, h, data, j = refresh(rtS); t1 = int(time.time() * 1000)
    check("fault stale on refresh: dated 301.5 s ahead", st == 201 and c.sig_ok(h, data)
          and t0 + 301500 <= ts_of(h) <= t1 + 301500, (st, h.get("biz-timestamp"), t0))
    c.ctl("POST", "/_test/reset")
    st, h0, d0, j0 = mint()
    st, h1, d1, j1 = refresh(j0["refresh_token"])
    st, caps = c.ctl("GET", "/_test/captures")
    check("captures: the mint and the refresh answer, as sent",
          [(x["kind"], x["status"], x["timestamp"], x["body"].encode()) for x in caps["captures"]] ==
          [("mint", 200, h0["biz-timestamp"], d0), ("refresh", 201, h1["biz-timestamp"], d1)], caps)
    c.ctl("POST", "/_test/stats/reset")
    fault(mode="replay", on="refresh")
    st, h, data, j = refresh(j1["refresh_token"])
    check("fault replay: the first answer byte for byte", st == 200 and data == d0
          and h.get("biz-timestamp") == h0["biz-timestamp"]
          and h.get("biz-resp-signature") == h0["biz-resp-signature"] and c.sig_ok(h, data), (st, data))
    st, s = c.ctl("GET", "/_test/stats")
    check("fault replay: the request is counted", s.get("refresh") == 1 and s.get("failed") == 0, s)
    fault(mode="replay", answer=-1)
    st, h, data, j = mint()
    check("fault replay answer=-1: the last captured (replays are not captured)", st == 201 and data == d1
          and h.get("biz-resp-signature") == h1["biz-resp-signature"], (st, data))
    fault(mode="replay", answer=99)
    st, h, data, j = mint()
    check("fault replay without such a capture -> 500", st == 500 and "no captured answer 99" in j.get("error_message", ""), data)
    fault(mode="replay", answer=1, seconds=-60)
    st, h, data, j = mint()
    check("fault replay seconds=-60: the first answer re-signed a minute earlier", st == 200
          and data == d0 and ts_of(h) == ts_of(h0) - 60000 and c.sig_ok(h, data), (st, h, data))
    st, caps = c.ctl("GET", "/_test/captures")
    check("fault replay seconds=-60: not captured itself", len(caps["captures"]) == 2, caps)
    rtE = mint()[3]["refresh_token"]
    fault(mode="echo_refresh", on="refresh")
    st, h, data, j = refresh(rtE)
    check("fault echo_refresh: the sent refresh token comes back, signed", st == 201 and c.sig_ok(h, data)
          and j.get("refresh_token") == rtE and j.get("access_token"), data)
    st, caps = c.ctl("POST", "/_test/reset")
    st, caps = c.ctl("GET", "/_test/captures")
    check("reset clears the captures", caps == {"captures": []}, caps)

    # lost_reply: executed, then no reply
    c.ctl("POST", "/_test/stats/reset")
    st, h, data, j = mint(); rtL = j["refresh_token"]
    fault(mode="lost_reply", on="refresh")
    try:
        refresh(rtL)
        check("fault lost_reply: no reply", False)
    except (ConnectionError, ssl.SSLError, http.client.HTTPException, OSError):
        check("fault lost_reply: no reply", True)
    st, v = c.ctl("GET", "/_test/refresh_valid?token=" + rtL)
    check("fault lost_reply: old refresh token consumed", v.get("valid") is False and v.get("used") is True, v)
    st, h, data, j = refresh(rtL)
    check("after lost_reply the old refresh token is rejected", st == 400 and j.get("error") == "invalid_grant", data)
    st, s = c.ctl("GET", "/_test/stats")
    check("stats after lost_reply", s == {"mint": 1, "refresh": 2, "total": 3, "failed": 2,
                                          "resource": 0, "resource_failed": 0}, s)

    # count -1, count 2, clear, listing, bad modes
    fault(mode="status", status=500, count=-1, on="mint")
    r = [mint()[0] for _ in range(3)]
    check("fault count -1 persists", r == [500, 500, 500], r)
    st, j = c.ctl("GET", "/_test/faults")
    check("GET /_test/faults lists queue", len(j.get("faults", [])) == 1, j)
    c.ctl("POST", "/_test/fault/clear")
    check("fault clear", mint()[0] == 200)
    fault(mode="status", status=502, count=2)
    r = [mint()[0] for _ in range(3)]
    check("fault count 2", r == [502, 502, 200], r)
    st, j = c.ctl("POST", "/_test/fault", {"mode": "nonsense"})
    check("unknown fault mode -> 400", st == 400, j)
    st, h, data, j = mint(); atF = j["access_token"]
    fault(mode="status", status=418, on="resource")
    st, h, data = c.req("GET", mint_target(), key=app)
    check("fault on=resource: a mint passes by", st == 200, (st, data))
    st, h, data = c.req("DELETE", "/v2/any/thing", key=app, headers={"Authorization": "Bearer " + atF})
    check("fault on=resource: the next resource call takes it", st == 418 and c.sig_ok(h, data), (st, data))
    st, h, data = c.req("DELETE", "/v2/any/thing", key=app, headers={"Authorization": "Bearer " + atF})
    check("fault on=resource: used up", st == 200, (st, data))
    fault(mode="status", status=500, on="refresh")
    st, h, data = c.req("GET", "/v2/wallets", key=app, headers={"Authorization": "Bearer " + atF})
    check("fault on=refresh: a resource call passes by", st == 200, (st, data))
    c.ctl("POST", "/_test/fault/clear")
    st, j = c.ctl("POST", "/_test/fault", {"mode": "close", "on": "protected"})
    check("fault on=protected (gone) -> 400", st == 400 and "resource" in j.get("on", []), j)

    # ---- concurrency: 40 simultaneous connections
    c.ctl("POST", "/_test/stats/reset")
    N = 40
    barrier = threading.Barrier(N)
    results = [None] * N
    def worker(i):
        try:
            k = c.conn(timeout=30)
            k.connect()
            barrier.wait(timeout=20)
            st, h, data = c.req("GET", mint_target(), key=app, conn=k)
            results[i] = (st, c.sig_ok(h, data))
            k.close()
        except Exception as e:
            results[i] = repr(e)
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for t in ts: t.start()
    for t in ts: t.join()
    check("40 concurrent mints all 200 and signed", all(r == (200, True) for r in results),
          [r for r in results if r != (200, True)][:3])
    st, s = c.ctl("GET", "/_test/stats")
    check("stats count concurrent mints", s.get("mint") == N, s)

    # concurrent refreshes of one token: exactly one wins
    st, h, data, j = mint(); rtC = j["refresh_token"]
    res = []
    lock = threading.Lock()
    def rworker():
        s_ = refresh(rtC)[0]
        with lock:
            res.append(s_)
    ts = [threading.Thread(target=rworker) for _ in range(8)]
    for t in ts: t.start()
    for t in ts: t.join()
    check("8 concurrent refreshes of one token: exactly one 201", sorted(res) == [201] + [400] * 7, res)

    # ---- revoke / expire / config / reset
    st, h, data, j = mint(org=ORG2); rtR = j["refresh_token"]
    st, h, data, j = mint(); rtKeep = j["refresh_token"]
    st, j = c.ctl("POST", "/_test/revoke", {"org_id": ORG2})
    check("revoke org", st == 200 and j.get("revoked", 0) >= 1, j)
    st, h, data, j = refresh(rtR)
    check("revoked refresh token -> invalid_grant", st == 400 and j.get("error") == "invalid_grant", data)
    st, v = c.ctl("GET", "/_test/refresh_valid?token=" + rtKeep)
    check("revoke leaves other orgs alone", v.get("valid") is True, v)
    st, j = c.ctl("POST", "/_test/expire", {"org_id": ORG, "kind": "refresh"})
    st, h, data, j = refresh(rtKeep)
    check("expired refresh token -> invalid_grant", st == 400 and j.get("error") == "invalid_grant", data)

    st, j = c.ctl("POST", "/_test/config", {"access_ttl": 1, "refresh_ttl": 60})
    check("config TTLs", st == 200 and j.get("access_ttl") == 1, j)
    st, h, data, j = mint()
    check("mint with access_ttl 1 -> expires_in 1", j.get("expires_in") == 1, j)
    at1, rt1 = j["access_token"], j["refresh_token"]
    st, v = c.ctl("GET", "/_test/refresh_valid?token=" + rt1)
    check("refresh_ttl applied", 55 < v.get("expires_at", 0) - time.time() <= 61, v)
    time.sleep(1.1)
    st, v = c.ctl("GET", "/_test/token_valid?token=" + at1)
    check("access token expires after TTL", v.get("valid") is False and v.get("org_id") == ORG, v)
    st, h, data = c.req("GET", "/v2/wallets", key=app, headers={"Authorization": "Bearer " + at1})
    check("resource call with an expired token -> 401 2031", st == 401
          and json.loads(data).get("error_code") == 2031 and "expired" in json.loads(data)["error_message"],
          (st, data))
    c.ctl("POST", "/_test/config", {"access_ttl": 43200, "refresh_ttl": 2592000})

    st, j = c.ctl("POST", "/_test/reset")
    st, v = c.ctl("GET", "/_test/refresh_valid?token=" + rt1)
    st2, s = c.ctl("GET", "/_test/stats")
    check("reset clears tokens and counters", v.get("valid") is False and s["total"] == 0, (v, s))
    check("reset keeps apps", mint()[0] == 200)

    # ---- log hygiene
    log = open(os.path.join(d, "server.log"), encoding="utf-8").read()
    leaked = [t[:10] for t in c.seen_tokens if t in log]
    check("server.log never holds a full token (%d tokens checked)" % len(c.seen_tokens),
          not leaked and len(c.seen_tokens) > 50, leaked[:3])
    check("server.log has one line per request", log.count("/v2/oauth/token") > 100)

if __name__ == "__main__":
    try:
        if sys.argv[1] == "vectors":
            vectors(sys.argv[2], sys.argv[3])
        elif sys.argv[1] == "live":
            live(sys.argv[2])
    except Exception:
        traceback.print_exc()
        out(False, "harness %s crashed" % sys.argv[1], "see traceback")
        sys.exit(1)
PYEOF

T0=$(date +%s%N)

echo "# offline: server verifier and signer against tests/vectors/cobo-signing.json"
harness vectors "$HERE" "$VECTORS"

echo "# HTTPS server, cert-mode good"
SEED=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
EXPECT_PUB=$("$PY" "$HERE/cobo_server.py" pubkey "$SEED")
if cobo_server_start "$TMP/good" --response-seed "$SEED"; then
    ok "launcher starts the server"
else
    bad "launcher starts the server"
    echo "$PASSED passed, $((FAILED)) failed"
    exit 1
fi
check "state files exist (port pid ca.pem server_pubkey server.log)" \
    test -s "$COBO_SERVER_DIR/port" -a -s "$COBO_SERVER_DIR/pid" -a -s "$COBO_SERVER_DIR/ca.pem" \
    -a -s "$COBO_SERVER_DIR/server_pubkey" -a -f "$COBO_SERVER_DIR/server.log"
check "pid file names the launched process" test "$(<"$COBO_SERVER_DIR/pid")" = "$COBO_SERVER_PID"
check "COBO_SERVER_URL" test "$COBO_SERVER_URL" = "https://127.0.0.1:$COBO_SERVER_PORT/v2"
check "--response-seed sets COBO_SERVER_PUBKEY" test "$COBO_SERVER_PUBKEY" = "$EXPECT_PUB"
check "curl --cacert verifies 127.0.0.1" curl -sSf --cacert "$COBO_SERVER_CA" "https://127.0.0.1:$COBO_SERVER_PORT/_test/health"
check "curl --cacert verifies localhost" curl -sSf --cacert "$COBO_SERVER_CA" "https://localhost:$COBO_SERVER_PORT/_test/health"
check "openssl s_client: verify OK with ca.pem" bash -c \
    "openssl s_client -connect 127.0.0.1:$COBO_SERVER_PORT -CAfile '$COBO_SERVER_CA' -verify_ip 127.0.0.1 -verify_return_error </dev/null 2>&1 | grep -q 'Verify return code: 0 (ok)'"
check "curl without the CA fails" bash -c "! curl -sS --capath /nonexistent --cacert /dev/null https://127.0.0.1:$COBO_SERVER_PORT/_test/health"
check "listens on 127.0.0.1 only" "$PY" -c '
import sys
port = "%04X" % int(sys.argv[1])
rows = [l.split() for f in ("/proc/net/tcp", "/proc/net/tcp6") for l in open(f).readlines()[1:]]
listen = [r[1] for r in rows if r[3] == "0A" and r[1].endswith(":" + port)]
sys.exit(0 if listen == ["0100007F:" + port] else 1)' "$COBO_SERVER_PORT"

KEYS=$(cobo_server_keygen)
APP_SEED=${KEYS% *}
APP_PUB=${KEYS#* }
check "cobo_server_register_app" cobo_server_register_app shell-app "$APP_PUB" shell-org
check "cobo_server_ctl GET apps" bash -c "source '$HERE/cobo-server.sh'; cobo_server_ctl GET apps | grep -q shell-org"
check "cobo_server_ctl returns non-zero on HTTP error" bash -c "source '$HERE/cobo-server.sh'; ! cobo_server_ctl POST /_test/fault '{\"mode\":\"bogus\"}' >/dev/null"
BODY=$(cobo_server_signed_curl "$APP_SEED" GET "/v2/oauth/token?client_id=shell-app&org_id=shell-org&grant_type=org_implicit")
check "signed curl mint" grep -q '"token_type":"Bearer"' <<<"$BODY"
cobo_server_ctl POST fault '{"mode":"close"}' >/dev/null
cobo_server_signed_curl "$APP_SEED" GET "/v2/oauth/token?client_id=shell-app&org_id=shell-org&grant_type=org_implicit" >/dev/null 2>&1
rc=$?
check "curl sees close fault as empty reply (52)" test $rc -eq 52
cobo_server_ctl POST fault '{"mode":"reset"}' >/dev/null
cobo_server_signed_curl "$APP_SEED" GET "/v2/oauth/token?client_id=shell-app&org_id=shell-org&grant_type=org_implicit" 2>"$TMP/reset.err" >/dev/null
rc=$?
check "curl sees reset fault as connection reset (56)" bash -c "[ $rc -eq 56 ] && grep -qi reset '$TMP/reset.err'"

harness live "$COBO_SERVER_DIR"

GOOD_DIR=$COBO_SERVER_DIR
cobo_server_stop
check "SIGTERM: clean exit status 0" test "${COBO_SERVER_EXIT_STATUS:-x}" = 0
check "SIGTERM: port and pid files removed" test ! -e "$GOOD_DIR/port" -a ! -e "$GOOD_DIR/pid"
check "no tracebacks on stderr" bash -c "! grep -q Traceback '$GOOD_DIR/server.stderr'"

echo "# certificate modes"
for mode in expired wronghost untrusted; do
    if ! cobo_server_start "$TMP/$mode" --cert-mode "$mode"; then
        bad "start --cert-mode $mode"
        continue
    fi
    curl -sS --cacert "$COBO_SERVER_CA" "https://127.0.0.1:$COBO_SERVER_PORT/_test/health" >/dev/null 2>"$TMP/$mode.err"
    rc=$?
    case $mode in
        expired) want='expired' ;;
        wronghost) want='subject|name|match' ;;
        untrusted) want='issuer|self.signed|verify' ;;
    esac
    check "cert-mode $mode: curl --cacert refuses (60, /$want/)" bash -c "[ $rc -eq 60 ] && grep -Eqi '$want' '$TMP/$mode.err'"
    check "cert-mode $mode: control API still works" bash -c "source '$HERE/cobo-server.sh'; cobo_server_ctl GET health | grep -q true"
    cobo_server_stop
done
if cobo_server_start "$TMP/wh2" --cert-mode wronghost; then
    check "cert-mode wronghost: valid for wrong.example" curl -sSf --cacert "$COBO_SERVER_CA" \
        --resolve "wrong.example:$COBO_SERVER_PORT:127.0.0.1" "https://wrong.example:$COBO_SERVER_PORT/_test/health"
    cobo_server_stop
fi

echo "# plain HTTP, fixed port"
FREEPORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if cobo_server_start "$TMP/http" --http --port "$FREEPORT" --access-ttl 7; then
    check "--http URL and port" test "$COBO_SERVER_URL" = "http://127.0.0.1:$FREEPORT/v2"
    check "--http serves plain HTTP" bash -c "source '$HERE/cobo-server.sh'; cobo_server_ctl GET health | grep -q true"
    KEYS=$(cobo_server_keygen)
    cobo_server_register_app h "${KEYS#* }" o
    BODY=$(cobo_server_signed_curl "${KEYS% *}" GET "/v2/oauth/token?client_id=h&org_id=o&grant_type=org_implicit")
    check "--access-ttl 7 -> expires_in 7" grep -q '"expires_in":7,' <<<"$BODY"
    cobo_server_stop
else
    bad "start --http"
fi
check "bad --response-seed fails to start" bash -c "source '$HERE/cobo-server.sh'; ! cobo_server_start '$TMP/badseed' --response-seed zz 2>/dev/null"

T1=$(date +%s%N)
echo "# $(((T1 - T0) / 1000000)) ms"
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
