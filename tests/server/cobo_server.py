#!/usr/bin/python3
"""Cobo WaaS 2.0 compatible HTTPS test server for cobo-credential integration tests.

Implements the org-token endpoints (mint / refresh) with CoboAuth request-signature
verification, resource calls (any other /v2/... path, any method) that need the Org Access
Token and the signature of the token's app and echo what arrived, signed responses (Biz-Timestamp / Biz-Resp-Signature), an unsigned
control API under /_test/ (on the main port, and alone on a plain-HTTP control port
whose number goes to DIR/ctl_port) and a queue of injectable faults.

Run with Debian's interpreter and python3-cryptography only:

    /usr/bin/python3 tests/server/cobo_server.py --state-dir DIR [--port 0] [--http]
        [--cert-mode good|expired|wronghost|untrusted] [--response-seed HEX]
        [--access-ttl S] [--refresh-ttl S] [--nonce-window S]

Tool sub-commands (no server):
    cobo_server.py keygen                      -> "SEED_HEX PUBKEY_HEX"
    cobo_server.py pubkey SEED_HEX             -> PUBKEY_HEX
    cobo_server.py sign SEED_HEX METHOD TARGET [BODY]
                                               -> the three Biz-Api-* header lines

See README.md next to this file.
"""

import argparse
import copy
import datetime
import hashlib
import http.server
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_ACCESS_TTL = 43200
DEFAULT_REFRESH_TTL = 2592000
DEFAULT_NONCE_WINDOW = 300          # seconds, +/-
MAX_REQUEST_BODY = 1 << 20          # 1 MiB

# error codes used by this server (documented in README.md)
E_INTERNAL = 2000
E_MISSING_PARAM = 2002
E_INVALID_PARAM = 2003
E_UNSUPPORTED_GRANT = 2006
E_MISSING_HEADER = 2021
E_BAD_NONCE = 2022
E_BAD_API_KEY = 2023
E_BAD_SIGNATURE = 2024
E_UNKNOWN_CLIENT = 2025
E_NOT_FOUND = 2028
E_METHOD = 2029
E_NOT_INSTALLED = 2030
E_BAD_TOKEN = 2031                  # resource calls: bearer missing, unknown, expired or revoked
E_TOO_LARGE = 2040

FAULT_MODES = {
    "status", "delay", "close", "reset", "truncated_json", "invalid_json",
    "missing_field", "wrong_type", "bad_signature", "no_signature",
    "wrong_key_signature", "huge_body", "lost_reply", "expires_in", "empty_token",
}
FAULT_ON = {"mint", "refresh", "token", "resource", "any"}
# answers that are signed correctly but not fresh (README "Stale and replayed answers")
FAULT_MODES |= {"stale", "replay", "echo_refresh"}
FAULT_MODES.add("hold")             # a barrier: see Holds below
HOLD_MAX_S = 300                    # a held request is let go after this, whatever happens


# --------------------------------------------------------------------------- crypto

def now_ms():
    return int(time.time() * 1000)


def double_sha256(data):
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def _b(x):
    if x is None:
        return b""
    if isinstance(x, (bytes, bytearray)):
        return bytes(x)
    return str(x).encode("utf-8")


def request_string_to_sign(method, path, nonce, query, body):
    """METHOD|PATH|NONCE|QUERY|BODY as bytes; every part is used exactly as sent."""
    return b"|".join([_b(method), _b(path), _b(nonce), _b(query), _b(body)])


def key_from_seed(seed_hex):
    seed = bytes.fromhex(seed_hex)
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes (64 hex chars)")
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed)


def pubkey_hex_of(priv):
    return priv.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def sign_request(seed_hex, method, path, nonce, query, body):
    priv = key_from_seed(seed_hex)
    digest = double_sha256(request_string_to_sign(method, path, nonce, query, body))
    return pubkey_hex_of(priv), priv.sign(digest).hex()


def verify_request_signature(method, path, nonce, query, body, key_hex, sig_hex,
                             now=None, window_ms=None):
    """Server-side CoboAuth check. Returns (ok, error_code, message).

    window_ms=None disables the nonce time-window check (offline vector tests)."""
    if not key_hex or not nonce or not sig_hex:
        return False, E_MISSING_HEADER, "missing Biz-Api-Key, Biz-Api-Nonce or Biz-Api-Signature header"
    if not re.fullmatch(r"[0-9]{1,19}", nonce):
        return False, E_BAD_NONCE, "Biz-Api-Nonce must be unix time in milliseconds"
    if window_ms is not None:
        t = now_ms() if now is None else now
        if abs(t - int(nonce)) > window_ms:
            return False, E_BAD_NONCE, "Biz-Api-Nonce outside the allowed time window"
    try:
        kb = bytes.fromhex(key_hex)
        if len(kb) != 32:
            raise ValueError
        pub = ed25519.Ed25519PublicKey.from_public_bytes(kb)
    except ValueError:
        return False, E_BAD_API_KEY, "Biz-Api-Key is not a 32-byte Ed25519 public key in hex"
    try:
        sb = bytes.fromhex(sig_hex)
        if len(sb) != 64:
            raise ValueError
    except ValueError:
        return False, E_BAD_SIGNATURE, "Biz-Api-Signature is not a 64-byte hex signature"
    digest = double_sha256(request_string_to_sign(method, path, nonce, query, body))
    try:
        pub.verify(sb, digest)
    except InvalidSignature:
        return False, E_BAD_SIGNATURE, "signature verification failed"
    return True, 0, "ok"


def response_digest(body, timestamp):
    return double_sha256(_b(body) + b"|" + _b(timestamp))


def sign_response(priv, body, timestamp):
    return priv.sign(response_digest(body, timestamp)).hex()


def verify_response(pub_hex, body, timestamp, sig_hex):
    try:
        pub = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub_hex))
        pub.verify(bytes.fromhex(sig_hex), response_digest(body, timestamp))
        return True
    except (ValueError, InvalidSignature):
        return False


# --------------------------------------------------------------------------- certificates

def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cobo-credential tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _make_ca(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def _make_leaf(ca_key, ca_cert, sans, expired):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    if expired:
        nb, na = now - datetime.timedelta(days=10), now - datetime.timedelta(days=1)
    else:
        nb, na = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=7)
    cert = (x509.CertificateBuilder()
            .subject_name(_name("cobo test server"))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(nb).not_valid_after(na)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def write_atomic(path, data, mode=0o644):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.replace(tmp, path)


def make_certificates(state_dir, cert_mode):
    """Creates DIR/ca.pem, DIR/server.pem, DIR/server.key; returns (cert_path, key_path)."""
    ca_key, ca_cert = _make_ca("cobo-credential test CA %s" % secrets.token_hex(4))
    issuer_key, issuer_cert = ca_key, ca_cert
    if cert_mode == "untrusted":
        # a second CA that nobody is told about
        issuer_key, issuer_cert = _make_ca("untrusted test CA %s" % secrets.token_hex(4))
    if cert_mode == "wronghost":
        sans = [x509.DNSName("wrong.example")]
    else:
        sans = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    leaf_key, leaf_cert = _make_leaf(issuer_key, issuer_cert, sans, cert_mode == "expired")
    cert_path = os.path.join(state_dir, "server.pem")
    key_path = os.path.join(state_dir, "server.key")
    write_atomic(os.path.join(state_dir, "ca.pem"), _pem(ca_cert))
    write_atomic(cert_path, _pem(leaf_cert))
    write_atomic(key_path, leaf_key.private_bytes(serialization.Encoding.PEM,
                                                  serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()), 0o600)
    return cert_path, key_path


# --------------------------------------------------------------------------- state

def _redact(text):
    text = re.sub(r"\b((?:AT|RT)_[A-Za-z0-9_\-]{0,3})[A-Za-z0-9_\-]*(?:\.\.\.)?", r"\1...", text)
    text = re.sub(r"(token=)([^&\s]{0,6})[^&\s]*", r"\1\2...", text)
    return text


def _short(tok):
    return (tok or "")[:6] + "..."


class State:
    def __init__(self, access_ttl, refresh_ttl, nonce_window):
        self.lock = threading.Lock()
        self.apps = {}          # client_id -> {"pubkey": hex, "orgs": set}
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.nonce_window = nonce_window
        self.reset()

    def reset(self):
        self.access = {}        # token -> {"org", "client", "expires_at"}
        self.refresh = {}       # token -> {"org", "client", "expires_at", "used", "revoked"}
        self.faults = []
        self.captures = []      # signed 2xx token answers as sent, for the replay fault
        self.stats = {}         # org or None -> counters
        self.reset_stats()

    def reset_stats(self):
        self.stats = {None: self._zero()}

    @staticmethod
    def _zero():
        # total and failed count token calls only; resource calls have their own pair
        return {"mint": 0, "refresh": 0, "total": 0, "failed": 0,
                "resource": 0, "resource_failed": 0}

    def count(self, kind, org, client=None, failed=False):
        """Counts a call globally, under its org and under ("client", its client_id)."""
        with self.lock:
            keys = [None] + ([org] if org else []) + ([("client", client)] if client else [])
            for k in keys:
                c = self.stats.setdefault(k, self._zero())
                if kind == "resource":
                    c["resource_failed" if failed else "resource"] += 1
                elif failed:
                    c["failed"] += 1
                else:
                    c[kind] += 1
                    c["total"] += 1

    def take_fault(self, kind):
        with self.lock:
            for i, f in enumerate(self.faults):
                on = f.get("on", "any")
                if on == "any" or on == kind or (on == "token" and kind in ("mint", "refresh")):
                    f = self.faults[i]
                    if f["count"] > 0:
                        f["count"] -= 1
                        if f["count"] == 0:
                            del self.faults[i]
                    return copy.deepcopy(f)
        return None

    def issue(self, org, client):
        now = time.time()
        at = "AT_" + secrets.token_urlsafe(32)
        rt = "RT_" + secrets.token_urlsafe(32)
        with self.lock:
            attl, rttl = self.access_ttl, self.refresh_ttl
            self.access[at] = {"org": org, "client": client, "expires_at": now + attl,
                               "revoked": False}
            self.refresh[rt] = {"org": org, "client": client, "expires_at": now + rttl,
                                "used": False, "revoked": False}
        return at, rt, attl


class Holds:
    """Barriers for tests: requests parked by the 'hold' fault until the test releases them.

    A held request has been counted and has taken its fault, and is not processed yet.
    POST /_test/release lets the oldest go; it is then processed normally (as after a
    'delay'), and is 'done' once its reply is sent or its client found gone.  Tests wait on
    these counters with GET /_test/held?wait=... instead of sleeping."""

    def __init__(self):
        self.cond = threading.Condition()
        self.parked = []        # one threading.Event per held request, oldest first
        self.arrived = 0        # requests held so far
        self.released = 0       # requests let go so far
        self.done = 0           # released requests whose handling has finished

    def counters(self):
        return {"held": len(self.parked), "arrived": self.arrived,
                "released": self.released, "done": self.done}

    def park(self, seconds):
        """Blocks the calling request until it is released (or after `seconds`)."""
        ev = threading.Event()
        with self.cond:
            self.parked.append(ev)
            self.arrived += 1
            self.cond.notify_all()
        let_go = ev.wait(seconds)
        with self.cond:
            if not let_go and ev in self.parked:
                self.parked.remove(ev)
                self.released += 1
                self.cond.notify_all()
        return let_go

    def finished(self):
        with self.cond:
            self.done += 1
            self.cond.notify_all()

    def release(self, n=None):
        with self.cond:
            go = self.parked if n is None else self.parked[:max(0, n)]
            self.parked = self.parked[len(go):]
            for ev in go:
                ev.set()
            self.released += len(go)
            self.cond.notify_all()
            return len(go), self.released

    def wait_for(self, key, n, seconds):
        """Waits until counter `key` is >= n; returns (reached, counters)."""
        with self.cond:
            reached = self.cond.wait_for(lambda: self.counters()[key] >= n, seconds)
            return reached, self.counters()


# --------------------------------------------------------------------------- HTTP

class Reply:
    """A response as built by the normal code path; faults mutate it before sending."""

    def __init__(self, status, obj=None, raw=None, headers=None):
        self.status = status
        self.obj = obj
        self.raw = raw
        self.headers = dict(headers or {})
        self.note = ""
        self.ts = None          # Biz-Timestamp to sign with (None: now); see Handler._freshness
        self.sig = None         # a Biz-Resp-Signature sent as is (a replayed answer)
        self.replayed = False   # a captured answer sent again: never captured itself

    def body(self):
        if self.raw is not None:
            return self.raw
        return json.dumps(self.obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def err(status, code, message):
    return Reply(status, {"error_code": code, "error_message": message,
                          "error_id": secrets.token_hex(16)})


def oauth_err(status, error, description):
    return Reply(status, {"error": error, "error_description": description})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cobo-test-server/1"
    sys_version = ""
    timeout = 120

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):       # we do our own logging
        pass

    # ---- plumbing

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = b""
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(65537)
                if len(out) > MAX_REQUEST_BODY:
                    raise ValueError("body too large")
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_REQUEST_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n > 0 else b""

    def _log(self, status, nbytes, note=""):
        dur = (time.time() - self._t0) * 1000
        line = "%s %s %s %s -> %s %s %.1fms%s%s" % (
            datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
            self.client_address[0] + ":" + str(self.client_address[1]),
            self.command, self.path, status, nbytes, dur,
            (" fault=" + self._fault["mode"]) if self._fault else "",
            (" " + note) if note else "")
        self.server.log(_redact(line))

    def _send(self, reply, signing="good"):
        body = reply.body()
        ts = reply.ts or str(now_ms())
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if signing != "none":
                if reply.sig is not None:
                    sig = reply.sig
                elif signing == "good":
                    sig = sign_response(self.server.response_key, body, ts)
                elif signing == "bad":
                    sig = sign_response(self.server.response_key, body + b" ", ts)
                else:  # wrongkey
                    sig = sign_response(self.server.wrong_key, body, ts)
                self.send_header("Biz-Timestamp", ts)
                self.send_header("Biz-Resp-Signature", sig)
                self._capture(reply, body, ts, sig, signing)
            for k, v in reply.headers.items():
                self.send_header(k, str(v))
            if self.close_connection:
                self.send_header("Connection", "close")
            # headers and body in one write (end_headers() + write() would be two)
            self._headers_buffer.append(b"\r\n")
            self._headers_buffer.append(body)
            self.flush_headers()
            self._log(reply.status, len(body), reply.note)
        except (OSError, ssl.SSLError) as e:
            self.close_connection = True
            self._log(reply.status, 0, (reply.note + " " if reply.note else "") +
                      "client gone: %s" % e.__class__.__name__)

    def _drop(self, how, note=""):
        """Closes the connection without any reply: 'close' = FIN, 'reset' = RST."""
        self.close_connection = True
        try:
            if how == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.rfile.close()           # drop the makefile() reference so close() is real
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._log("-", 0, ("%s " % note if note else "") + "connection %s without reply" %
                  ("reset" if how == "reset" else "closed"))

    # ---- dispatch

    def _dispatch(self):
        self._t0 = time.time()
        self._fault = None
        try:
            self._body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return self._send(err(413, E_TOO_LARGE, "request body too large or malformed"))
        path = self.path.split("?", 1)[0]
        if self.server.control_only and not path.startswith("/_test/"):
            return self._send(err(404, E_NOT_FOUND, "the control port serves /_test/ only"))
        if path.startswith("/_test/") or path == "/_test":
            try:
                return self._send(self._control(), "good")
            except Exception as e:  # a bad control call must not kill the connection silently
                return self._send(err(500, E_INTERNAL, "control error: %r" % e))
        if path.startswith("/v2/") or path == "/v2":
            self._held = False
            try:
                return self._v2()
            finally:
                if self._held:
                    self.server.holds.finished()
        return self._send(err(404, E_NOT_FOUND, "no such endpoint: %s" % path))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    # ---- /v2

    def _classify(self, path):
        if path == "/v2/oauth/token":
            if self.command == "GET":
                return "mint"
            if self.command == "POST":
                return "refresh"
            return "other"
        if path.startswith("/v2/"):
            return "resource"       # every other /v2/... path: see _resource
        return "other"

    def _v2(self):
        st = self.server.state
        path, _, query = self.path.partition("?")
        kind = self._classify(path)
        org, client = self._whose(kind, query)
        counted = kind in ("mint", "refresh", "resource")
        if counted:
            st.count(kind, org, client)
        fault = st.take_fault(kind)
        self._fault = fault
        mode = fault["mode"] if fault else None

        def failed():
            if counted:
                st.count(kind, org, client, failed=True)

        if mode == "delay":
            time.sleep(float(fault.get("seconds", 1.0)))
        if mode == "hold":
            self._held = True
            if not self.server.holds.park(min(float(fault.get("seconds", HOLD_MAX_S)), HOLD_MAX_S)):
                self.server.log("%s hold on %s timed out: let go" % (
                    datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3], self.path))
        if mode in ("close", "reset"):
            failed()
            return self._drop(mode)
        if mode == "status" and not fault.get("execute", False):
            reply = self._fault_status_reply(fault)
        else:
            if kind == "mint":
                reply = self._mint(query)
            elif kind == "refresh":
                reply = self._refresh()
            elif kind == "resource":
                reply = self._resource(path, query)
            elif path == "/v2/oauth/token":
                reply = err(405, E_METHOD, "method %s not allowed on %s" % (self.command, path))
            else:
                reply = err(404, E_NOT_FOUND, "no such endpoint: %s %s" % (self.command, path))
            if mode == "lost_reply":
                failed()
                return self._drop("close", reply.note)
            if mode == "status":
                note = reply.note
                reply = self._fault_status_reply(fault)
                reply.note = note
        signing = "good"
        if mode:
            signing = self._mutate(reply, fault)
        if reply.status >= 400:
            failed()
        return self._send(reply, signing)

    def _whose(self, kind, query):
        """(org_id, client_id) a call is counted under, as far as the server can tell
        before checking it: a mint's query, a refresh token's record, a bearer's record."""
        st = self.server.state
        if kind == "mint":
            q = urllib.parse.parse_qs(query, keep_blank_values=True)
            return (q.get("org_id") or [None])[0], (q.get("client_id") or [None])[0]
        rec = None
        if kind == "refresh":
            try:
                rt = json.loads(self._body.decode("utf-8")).get("refresh_token")
                with st.lock:
                    rec = st.refresh.get(rt) if isinstance(rt, str) else None
                    rec = dict(rec) if rec else None
            except (ValueError, AttributeError, UnicodeDecodeError):
                pass
        elif kind == "resource":
            rec = self._bearer()[1]
        return (rec["org"], rec["client"]) if rec else (None, None)

    def _fault_status_reply(self, fault):
        status = int(fault.get("status", 500))
        body = fault.get("body")
        if body is None:
            if status == 400:
                r = oauth_err(400, "invalid_grant", "injected fault: refresh token is invalid")
            elif status == 403:
                r = err(403, E_NOT_INSTALLED, "injected fault: app is not installed in this organization")
            else:
                r = err(status, E_INTERNAL, "injected fault: HTTP %d" % status)
        elif isinstance(body, str):
            r = Reply(status, raw=body.encode("utf-8"))
        else:
            r = Reply(status, body)
        r.headers.update(fault.get("headers") or {})
        return r

    def _mutate(self, reply, fault):
        """Applies a response-shaping fault; returns the signing mode."""
        mode = fault["mode"]
        obj = reply.obj if isinstance(reply.obj, dict) else None
        if mode == "status":
            return "good" if fault.get("signed", True) else "none"
        if mode == "bad_signature":
            return "bad"
        if mode == "no_signature":
            return "none"
        if mode == "wrong_key_signature":
            return "wrongkey"
        if mode == "truncated_json":
            b = reply.body()
            reply.raw = b[:max(1, len(b) // 2)]
        elif mode == "invalid_json":
            b = reply.body()
            reply.raw = b.replace(b'":', b'" ', 1) if b'":' in b else b"{not json"
        elif mode == "missing_field" and obj is not None:
            obj.pop(fault.get("field", "access_token"), None)
        elif mode == "wrong_type" and obj is not None:
            field = fault.get("field", "expires_in")
            if "value" in fault:
                obj[field] = fault["value"]
            else:
                v = obj.get(field)
                if isinstance(v, bool) or v is None:
                    obj[field] = "true" if v else "null"
                elif isinstance(v, (int, float)):
                    obj[field] = str(v)
                elif isinstance(v, str):
                    obj[field] = 12345
                else:
                    obj[field] = "wrong-type"
        elif mode == "huge_body":
            n = int(fault.get("bytes", 8 * 1024 * 1024))
            o = obj if obj is not None else {}
            o[fault.get("field", "padding")] = "x" * n
            reply.obj, reply.raw = o, None
        elif mode == "expires_in" and obj is not None and "access_token" in obj:
            obj["expires_in"] = fault.get("value")
        elif mode == "empty_token" and obj is not None and "access_token" in obj:
            obj["access_token"] = ""
        elif mode in ("stale", "replay", "echo_refresh"):
            self._freshness(reply, fault, obj)
        return "good"

    # ---- stale and replayed answers (README "Stale and replayed answers")

    def _capture(self, reply, body, ts, sig, signing):
        """Keeps every correctly signed 2xx token answer as sent, replays excepted."""
        if (signing != "good" or reply.sig is not None or reply.replayed
                or not 200 <= reply.status <= 299
                or self._classify(self.path.split("?", 1)[0]) not in ("mint", "refresh")):
            return
        st = self.server.state
        with st.lock:
            st.captures.append({"status": reply.status, "body": body, "ts": ts, "sig": sig,
                                "kind": self._classify(self.path.split("?", 1)[0])})

    def _freshness(self, reply, fault, obj):
        """stale: dated `seconds` away from now; replay: a captured answer byte for byte;
        echo_refresh: the refresh token sent comes back. All three stay correctly signed."""
        mode = fault["mode"]
        if mode == "stale":
            shift = int(round(float(fault.get("seconds", -3600)) * 1000))
            reply.ts = str(now_ms() + shift)
            reply.note = (reply.note + " " if reply.note else "") + "dated %+d ms" % shift
        elif mode == "echo_refresh" and obj is not None and "refresh_token" in obj:
            try:
                sent = json.loads(self._body.decode("utf-8")).get("refresh_token")
            except (ValueError, AttributeError, UnicodeDecodeError):
                sent = None
            if isinstance(sent, str):
                obj["refresh_token"] = sent
                reply.note = (reply.note + " " if reply.note else "") + "echoes " + _short(sent)
        elif mode == "replay":
            which = int(fault.get("answer", 1))
            st = self.server.state
            with st.lock:
                n = len(st.captures)
                cap = st.captures[which - 1 if which > 0 else n + which] \
                    if (1 <= which <= n or -n <= which <= -1) else None
            if cap is None:
                reply.status, reply.obj, reply.raw = 500, None, json.dumps(
                    {"error_code": E_INTERNAL, "error_message":
                     "replay fault: no captured answer %d (%d captured)" % (which, n)}).encode()
                return
            reply.status, reply.raw, reply.ts, reply.sig = (cap["status"], cap["body"],
                                                            cap["ts"], cap["sig"])
            reply.replayed = True
            reply.note = "replays answer %d of %s, dated %s" % (which, cap["kind"], cap["ts"])
            shift = int(round(float(fault.get("seconds", 0)) * 1000))
            if shift:
                # the same body captured `seconds` earlier (or later): signed anew, the
                # only way to date it otherwise without waiting that long
                reply.ts, reply.sig = str(int(cap["ts"]) + shift), None
                reply.note += ", re-dated %+d ms" % shift

    def _auth(self, query):
        """Checks the CoboAuth headers. Returns (reply_or_None, api_key_hex)."""
        h = self.headers
        if any(len(h.get_all(n) or []) > 1
               for n in ("Biz-Api-Key", "Biz-Api-Nonce", "Biz-Api-Signature")):
            return err(401, E_MISSING_HEADER, "a Biz-Api-* header is sent more than once"), ""
        key = (h.get("Biz-Api-Key") or "").strip()
        nonce = (h.get("Biz-Api-Nonce") or "").strip()
        sig = (h.get("Biz-Api-Signature") or "").strip()
        path = self.path.partition("?")[0]
        st = self.server.state
        window = st.nonce_window
        ok, code, msg = verify_request_signature(
            self.command, path, nonce, query, self._body, key, sig,
            window_ms=None if window is None or window < 0 else int(window * 1000))
        if not ok:
            return err(401, code, msg), key
        with st.lock:
            known = any(a["pubkey"] == key.lower() for a in st.apps.values())
        if not known:
            return err(401, E_BAD_API_KEY, "API key is not registered"), key
        return None, key.lower()

    def _app_checks(self, client_id, key, org, whose="this client_id"):
        st = self.server.state
        with st.lock:
            app = st.apps.get(client_id)
            app = copy.deepcopy(app) if app else None
        if app is None:
            return err(401, E_UNKNOWN_CLIENT, "unknown client_id")
        if app["pubkey"] != key:
            return err(401, E_BAD_API_KEY, "API key does not belong to %s" % whose)
        if org is not None and org not in app["orgs"]:
            return err(403, E_NOT_INSTALLED,
                       "app is not installed in organization %s" % org)
        return None

    def _token_reply(self, status, org, client):
        at, rt, attl = self.server.state.issue(org, client)
        r = Reply(status, {"access_token": at, "token_type": "Bearer", "scope": "",
                           "expires_in": int(attl), "refresh_token": rt})
        r.note = "org=%s issued %s %s" % (org, _short(at), _short(rt))
        return r

    def _mint(self, query):
        bad, key = self._auth(query)
        if bad:
            return bad
        q = urllib.parse.parse_qs(query, keep_blank_values=True)
        client_id = (q.get("client_id") or [""])[0]
        org = (q.get("org_id") or [""])[0]
        grant = (q.get("grant_type") or [""])[0]
        if not client_id or not org or not grant:
            return err(400, E_MISSING_PARAM, "client_id, org_id and grant_type are required")
        if grant != "org_implicit":
            return err(400, E_UNSUPPORTED_GRANT, "unsupported grant_type %r" % grant)
        bad = self._app_checks(client_id, key, org)
        if bad:
            return bad
        return self._token_reply(200, org, client_id)

    def _refresh(self):
        bad, key = self._auth("" if "?" not in self.path else self.path.partition("?")[2])
        if bad:
            return bad
        try:
            body = json.loads(self._body.decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            return err(400, E_INVALID_PARAM, "request body is not a JSON object")
        client_id, grant, rt = body.get("client_id"), body.get("grant_type"), body.get("refresh_token")
        if not client_id or not grant or not rt:
            return err(400, E_MISSING_PARAM, "client_id, grant_type and refresh_token are required")
        if not all(isinstance(x, str) for x in (client_id, grant, rt)):
            return err(400, E_INVALID_PARAM, "client_id, grant_type and refresh_token must be strings")
        if grant != "refresh_token":
            return err(400, E_UNSUPPORTED_GRANT, "unsupported grant_type %r" % grant)
        bad = self._app_checks(client_id, key, None)
        if bad:
            return bad
        st = self.server.state
        with st.lock:
            rec = st.refresh.get(rt)
            why = None
            if rec is None:
                why = "unknown refresh token"
            elif rec["client"] != client_id:
                why = "refresh token was issued to another client"
            elif rec["used"]:
                why = "refresh token already used"
            elif rec["revoked"]:
                why = "refresh token revoked"
            elif time.time() >= rec["expires_at"]:
                why = "refresh token expired"
            if why is None:
                app = st.apps.get(client_id)
                if rec["org"] not in app["orgs"]:
                    r = err(403, E_NOT_INSTALLED,
                            "app is not installed in organization %s" % rec["org"])
                    return r
                rec["used"] = True
                org = rec["org"]
        if why:
            r = oauth_err(400, "invalid_grant", why)
            r.note = "rejected %s: %s" % (_short(rt), why)
            return r
        r = self._token_reply(201, org, client_id)
        r.note = "consumed %s %s" % (_short(rt), r.note)
        return r

    def _bearer(self):
        """(token, a copy of its access record or None) from Authorization: Bearer.
        token is None when there is no single Bearer credential."""
        values = self.headers.get_all("Authorization") or []
        if len(values) != 1 or values[0][:7].lower() != "bearer ":
            return None, None
        tok = values[0][7:].strip()
        st = self.server.state
        with st.lock:
            rec = st.access.get(tok)
            return tok, (dict(rec) if rec else None)

    def _resource(self, path, query):
        """Any /v2/... call but the token endpoint, checked as Cobo checks resource calls:
        the app-key signature (the token calls' own check, _auth), then the Org Access
        Token, then that the key belongs to the app the token was issued to."""
        bad, key = self._auth(query)
        if bad:
            return bad
        tok, rec = self._bearer()
        why = None
        if tok is None:
            why = "missing Authorization: Bearer <Org Access Token> (exactly one)"
        elif rec is None:
            why = "unknown access token"
        elif rec["revoked"]:
            why = "access token revoked"
        elif time.time() >= rec["expires_at"]:
            why = "access token expired"
        if why:
            return err(401, E_BAD_TOKEN, why)
        bad = self._app_checks(rec["client"], key, rec["org"],
                               "the app the access token was issued to")
        if bad:
            return bad
        return Reply(200, self._echo(path, query, rec))

    def _echo(self, path, query, rec):
        """What arrived, so tests can prove bytes and headers pass unchanged. Header
        names are lower-cased; repeated headers are joined with ", "."""
        headers = {}
        for name, value in self.headers.items():
            n = name.lower()
            if n in ("authorization", "biz-api-signature"):
                value = "present"
            headers[n] = headers[n] + ", " + value if n in headers else value
        return {"method": self.command, "path": path, "query": query,
                "body_sha256": hashlib.sha256(self._body).hexdigest(),
                "body_bytes": len(self._body), "org_id": rec["org"],
                "client_id": rec["client"], "headers": headers}

    # ---- /_test control API

    def _json_in(self):
        if not self._body.strip():
            return {}
        o = json.loads(self._body.decode("utf-8"))
        if not isinstance(o, dict):
            raise ValueError("expected a JSON object")
        return o

    def _control(self):
        st = self.server.state
        path, _, query = self.path.partition("?")
        q = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        m = self.command
        try:
            j = self._json_in() if m in ("POST", "PUT") else {}
        except (ValueError, UnicodeDecodeError) as e:
            return Reply(400, {"error": "bad JSON: %s" % e})

        if path == "/_test/health":
            return Reply(200, {"ok": True, "pid": os.getpid()})

        if path == "/_test/apps":
            if m == "GET":
                with st.lock:
                    return Reply(200, {"apps": {c: {"pubkey_hex": a["pubkey"], "orgs": sorted(a["orgs"])}
                                                for c, a in st.apps.items()}})
            if m == "POST":
                cid, pk, orgs = j.get("client_id"), j.get("pubkey_hex"), j.get("orgs", [])
                if not isinstance(cid, str) or not cid:
                    return Reply(400, {"error": "client_id (string) required"})
                if not isinstance(pk, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", pk):
                    return Reply(400, {"error": "pubkey_hex must be 64 hex chars"})
                if not isinstance(orgs, list) or not all(isinstance(o, str) for o in orgs):
                    return Reply(400, {"error": "orgs must be a list of strings"})
                with st.lock:
                    st.apps[cid] = {"pubkey": pk.lower(), "orgs": set(orgs)}
                return Reply(200, {"ok": True, "client_id": cid, "orgs": sorted(set(orgs))})

        if path == "/_test/config" and m == "POST":
            with st.lock:
                if "access_ttl" in j:
                    st.access_ttl = float(j["access_ttl"])
                if "refresh_ttl" in j:
                    st.refresh_ttl = float(j["refresh_ttl"])
                if "nonce_window" in j:
                    st.nonce_window = None if j["nonce_window"] is None else float(j["nonce_window"])
                return Reply(200, {"access_ttl": st.access_ttl, "refresh_ttl": st.refresh_ttl,
                                   "nonce_window": st.nonce_window})
        if path == "/_test/config" and m == "GET":
            with st.lock:
                return Reply(200, {"access_ttl": st.access_ttl, "refresh_ttl": st.refresh_ttl,
                                   "nonce_window": st.nonce_window})

        if path == "/_test/fault" and m == "POST":
            mode = j.get("mode")
            if mode not in FAULT_MODES:
                return Reply(400, {"error": "unknown fault mode %r" % mode,
                                   "modes": sorted(FAULT_MODES)})
            on = j.get("on", "any")
            if on not in FAULT_ON:
                return Reply(400, {"error": "unknown 'on' %r" % on, "on": sorted(FAULT_ON)})
            f = dict(j)
            f["on"] = on
            f["count"] = int(j.get("count", 1))
            if f["count"] == 0 or f["count"] < -1:
                return Reply(400, {"error": "count must be >= 1 or -1"})
            with st.lock:
                st.faults.append(f)
                n = len(st.faults)
            return Reply(200, {"ok": True, "queued": n})
        if path == "/_test/fault/clear" and m == "POST":
            with st.lock:
                st.faults = []
            return Reply(200, {"ok": True})
        if path in ("/_test/fault", "/_test/faults") and m == "GET":
            with st.lock:
                return Reply(200, {"faults": copy.deepcopy(st.faults)})

        if path == "/_test/stats" and m == "GET":
            if "org_id" in q and "client_id" in q:
                return Reply(400, {"error": "ask for org_id or client_id, not both"})
            key = ("client", q["client_id"]) if "client_id" in q else q.get("org_id")
            with st.lock:
                return Reply(200, dict(st.stats.get(key, st._zero())))
        if path == "/_test/stats/reset" and m == "POST":
            with st.lock:
                st.reset_stats()
            return Reply(200, {"ok": True})

        if path in ("/_test/token_valid", "/_test/refresh_valid") and m == "GET":
            tok = q.get("token", "")
            now = time.time()
            with st.lock:
                table = st.access if path == "/_test/token_valid" else st.refresh
                rec = table.get(tok)
                rec = dict(rec) if rec else None
            if rec is None:
                return Reply(200, {"valid": False, "org_id": None, "client_id": None,
                                   "expires_at": None})
            valid = now < rec["expires_at"] and not rec.get("used") and not rec.get("revoked")
            out = {"valid": valid, "org_id": rec["org"], "client_id": rec["client"],
                   "expires_at": int(rec["expires_at"])}
            out["revoked"] = rec["revoked"]
            if "used" in rec:
                out["used"] = rec["used"]
            return Reply(200, out)

        if path == "/_test/revoke" and m == "POST":
            org = j.get("org_id")
            n = 0
            with st.lock:
                for rec in st.refresh.values():
                    if (org is None or rec["org"] == org) and not rec["revoked"]:
                        rec["revoked"] = True
                        n += 1
                na = 0
                if j.get("access"):
                    for t in [t for t, r in st.access.items() if org is None or r["org"] == org]:
                        del st.access[t]
                        na += 1
            return Reply(200, {"ok": True, "revoked": n, "revoked_access": na})

        if path == "/_test/revoke_access" and m == "POST":
            return self._revoke_access(j)

        if path == "/_test/expire" and m == "POST":
            org, kind = j.get("org_id"), j.get("kind", "access")
            n = 0
            with st.lock:
                tables = {"access": [st.access], "refresh": [st.refresh],
                          "both": [st.access, st.refresh]}.get(kind, [])
                for t in tables:
                    for rec in t.values():
                        if org is None or rec["org"] == org:
                            rec["expires_at"] = time.time() - 1
                            n += 1
            return Reply(200, {"ok": True, "expired": n})

        if path == "/_test/captures" and m == "GET":
            with st.lock:
                caps = [{"kind": c["kind"], "status": c["status"], "timestamp": c["ts"],
                         "body": c["body"].decode("utf-8", "replace")} for c in st.captures]
            return Reply(200, {"captures": caps})
        if path == "/_test/held" and m == "GET":
            return self._held_ctl(q)
        if path == "/_test/release" and m == "POST":
            return self._release_ctl(j)

        if path == "/_test/reset" and m == "POST":
            with st.lock:
                st.reset()
            return Reply(200, {"ok": True})

        return Reply(404, {"error": "no such control endpoint: %s %s" % (m, path)})

    def _revoke_access(self, j):
        """Marks access tokens revoked (refresh tokens untouched): the next resource call
        with one gets 401 2031, and its client must refresh. Selects by "token", or by
        "org_id" and/or "client_id"; an empty selection is refused, never "all"."""
        sel = {k: j[k] for k in ("token", "org_id", "client_id") if k in j}
        if not sel or not all(isinstance(v, str) and v for v in sel.values()):
            return Reply(400, {"error": "give token, org_id or client_id (non-empty strings)"})
        st = self.server.state
        n = 0
        with st.lock:
            for tok, rec in st.access.items():
                if ((sel.get("token", tok) == tok) and sel.get("org_id", rec["org"]) == rec["org"]
                        and sel.get("client_id", rec["client"]) == rec["client"]
                        and not rec["revoked"]):
                    rec["revoked"] = True
                    n += 1
        return Reply(200, {"ok": True, "revoked_access": n})

    # ---- /_test barriers (the 'hold' fault)

    @staticmethod
    def _wait_args(src):
        """(counter, n, seconds) from ?wait=N[&for=held|arrived|released|done][&timeout=S]."""
        key = src.get("for", "held")
        if key not in ("held", "arrived", "released", "done"):
            raise ValueError("'for' is one of held, arrived, released, done")
        return key, int(src.get("wait", 0)), min(float(src.get("timeout", 30)), 50)

    def _held_ctl(self, q):
        holds = self.server.holds
        try:
            key, n, secs = self._wait_args(q)
        except ValueError as e:
            return Reply(400, {"error": str(e)})
        reached, out = holds.wait_for(key, n, secs)
        out["ok"] = reached
        return Reply(200 if reached else 504, out)

    def _release_ctl(self, j):
        holds = self.server.holds
        n = j.get("count")
        if n is not None and (not isinstance(n, int) or n < 1):
            return Reply(400, {"error": "count must be an integer >= 1 (omit it for all)"})
        let_go, total = holds.release(n)
        reached, out = True, holds.counters()
        if j.get("wait"):
            # the requests released by this call and every earlier one have been answered
            reached, out = holds.wait_for("done", total, min(float(j.get("timeout", 30)), 50))
        out.update(ok=reached, let_go=let_go)
        return Reply(200 if reached else 504, out)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    control_only = False

    def __init__(self, addr, state, response_key, log_path, tls_ctx):
        self.state = state
        self.holds = Holds()
        self.response_key = response_key
        self.wrong_key = ed25519.Ed25519PrivateKey.generate()
        self.tls_ctx = tls_ctx
        self._log_lock = threading.Lock()
        self._log_file = open(log_path, "a", buffering=1, encoding="utf-8")
        super().__init__(addr, Handler)

    def log(self, line):
        with self._log_lock:
            try:
                self._log_file.write(line + "\n")
            except ValueError:
                pass

    def finish_request(self, request, client_address):
        try:   # headers and body go out in separate writes: avoid Nagle/delayed-ACK stalls
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if self.tls_ctx is None:
            return super().finish_request(request, client_address)
        try:
            request.settimeout(10)
            conn = self.tls_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.log(_redact("%s %s:%s TLS handshake failed: %s" % (
                datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
                client_address[0], client_address[1], e)))
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            conn.close()

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout, TimeoutError)):
            return
        super().handle_error(request, client_address)


class ControlServer(Server):
    """The control API (/_test/ only) on a port of its own, plain HTTP on
    127.0.0.1, sharing the main server's state, holds and log: the tests'
    many control calls then cost neither a TLS handshake nor a curl process
    (tests/server/cobo-server.sh talks to it from bash over /dev/tcp).  The
    Cobo API itself is served only on the main port."""
    control_only = True

    def __init__(self, main):
        self.state = main.state
        self.holds = main.holds
        self.response_key = main.response_key
        self.wrong_key = main.wrong_key
        self.tls_ctx = None
        self._log_lock = main._log_lock
        self._log_file = main._log_file
        http.server.ThreadingHTTPServer.__init__(self, ("127.0.0.1", 0), Handler)


# --------------------------------------------------------------------------- main

def tool_main(argv):
    cmd = argv[0]
    if cmd == "keygen":
        seed = secrets.token_hex(32)
        print(seed, pubkey_hex_of(key_from_seed(seed)))
        return 0
    if cmd == "pubkey" and len(argv) == 2:
        print(pubkey_hex_of(key_from_seed(argv[1])))
        return 0
    if cmd == "sign" and len(argv) in (4, 5):
        seed, method, target = argv[1], argv[2].upper(), argv[3]
        body = argv[4] if len(argv) == 5 else ""
        path, _, query = target.partition("?")
        nonce = str(now_ms())
        pub, sig = sign_request(seed, method, path, nonce, query, body.encode("utf-8"))
        print("Biz-Api-Key: " + pub)
        print("Biz-Api-Nonce: " + nonce)
        print("Biz-Api-Signature: " + sig)
        return 0
    sys.stderr.write("usage: cobo_server.py keygen | pubkey SEED | sign SEED METHOD TARGET [BODY]\n")
    return 2


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("keygen", "pubkey", "sign"):
        return tool_main(argv)
    p = argparse.ArgumentParser(description="Cobo WaaS 2.0 compatible test server")
    p.add_argument("--state-dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--http", action="store_true", help="serve plain HTTP instead of HTTPS")
    p.add_argument("--cert-mode", choices=["good", "expired", "wronghost", "untrusted"],
                   default="good")
    p.add_argument("--response-seed", help="64 hex chars: Ed25519 seed of the response key")
    p.add_argument("--access-ttl", type=float, default=DEFAULT_ACCESS_TTL)
    p.add_argument("--refresh-ttl", type=float, default=DEFAULT_REFRESH_TTL)
    p.add_argument("--nonce-window", type=float, default=DEFAULT_NONCE_WINDOW,
                   help="allowed |now - nonce| in seconds; negative disables the check")
    a = p.parse_args(argv)

    d = a.state_dir
    os.makedirs(d, exist_ok=True)
    for stale in ("port", "ctl_port", "pid"):
        try:
            os.unlink(os.path.join(d, stale))
        except FileNotFoundError:
            pass

    if a.response_seed:
        try:
            rkey = key_from_seed(a.response_seed)
        except ValueError as e:
            p.error("--response-seed: %s" % e)
    else:
        rkey = ed25519.Ed25519PrivateKey.generate()
    write_atomic(os.path.join(d, "server_pubkey"), pubkey_hex_of(rkey) + "\n")

    tls_ctx = None
    if not a.http:
        cert, key = make_certificates(d, a.cert_mode)
        tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        tls_ctx.load_cert_chain(cert, key)

    window = None if a.nonce_window < 0 else a.nonce_window
    state = State(a.access_ttl, a.refresh_ttl, window)
    srv = Server(("127.0.0.1", a.port), state, rkey, os.path.join(d, "server.log"), tls_ctx)
    port = srv.server_address[1]
    ctl = ControlServer(srv)
    threading.Thread(target=ctl.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def on_signal(signum, frame):
        threading.Thread(target=ctl.shutdown, daemon=True).start()
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    write_atomic(os.path.join(d, "pid"), "%d\n" % os.getpid())
    srv.log("%s server start pid=%d port=%d %s cert-mode=%s pubkey=%s" % (
        datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3], os.getpid(), port,
        "http" if a.http else "https", a.cert_mode, pubkey_hex_of(rkey)))
    write_atomic(os.path.join(d, "ctl_port"), "%d\n" % ctl.server_address[1])
    write_atomic(os.path.join(d, "port"), "%d\n" % port)   # last: signals readiness
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
        ctl.server_close()
        srv.log("%s server stop" % datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3])
        for f in ("port", "ctl_port", "pid"):
            try:
                os.unlink(os.path.join(d, f))
            except FileNotFoundError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
