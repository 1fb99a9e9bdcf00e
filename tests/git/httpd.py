#!/usr/bin/python3
"""A loopback git smart-HTTP server for the clone tests.

git-http-backend (git's own server side) runs as a CGI for every request;
this file only does what a web server would: HTTP Basic authentication in
front of it and, for the Cobo case, a proxy of /v2/ to the Cobo test
server so the profile's base_url host is this server's host:port.

    httpd.py --root DIR --port-file FILE --log FILE
             (--basic USER:PASS | --cobo ORIGIN --ca CA.pem)

--basic     the credential the server accepts
--cobo      accept username ORG and password TOKEN when ORIGIN's
            /_test/token_valid says TOKEN is a valid access token of ORG;
            requests under /v2/ are forwarded to ORIGIN
Binds 127.0.0.1 only, on an ephemeral port written (atomically) to the
port file once it listens.  Each request logs "METHOD PATH STATUS USER".
"""
import argparse
import base64
import http.server
import json
import os
import socketserver
import ssl
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

ARGS = None


def log_line(text):
    with open(ARGS.log, "a", encoding="utf-8") as f:
        f.write(text + "\n")


def cobo_context():
    return ssl.create_default_context(cafile=ARGS.ca)


def token_valid(user, token):
    q = urllib.parse.urlencode({"token": token})
    url = ARGS.cobo + "/_test/token_valid?" + q
    with urllib.request.urlopen(url, context=cobo_context(), timeout=10) as r:
        info = json.loads(r.read())
    return bool(info.get("valid")) and info.get("org_id") == user


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "cobo-git-test/1"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, headers, body):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def credentials(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None, None
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None, None
        return user, password

    def authorised(self, user, password):
        if user is None:
            return False
        if ARGS.basic:
            return f"{user}:{password}" == ARGS.basic
        return token_valid(user, password)

    def proxy(self, body):
        req = urllib.request.Request(ARGS.cobo + self.path, data=body or None,
                                     method=self.command)
        for k in self.headers:
            if k.lower() not in ("host", "connection", "content-length"):
                req.add_header(k, self.headers[k])
        try:
            with urllib.request.urlopen(req, context=cobo_context(), timeout=30) as r:
                status, headers, data = r.status, r.getheaders(), r.read()
        except urllib.error.HTTPError as e:
            status, headers, data = e.code, e.headers.items(), e.read()
        keep = [(k, v) for k, v in headers
                if k.lower() not in ("content-length", "connection", "transfer-encoding",
                                     "date", "server")]
        log_line(f"{self.command} {self.path.split('?')[0]} {status} proxy")
        self.reply(status, keep, data)

    def backend(self, user, body):
        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": ARGS.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": urllib.parse.unquote(path),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": user,
            "REMOTE_ADDR": self.client_address[0],
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.0",
        }
        for h, var in (("Content-Encoding", "HTTP_CONTENT_ENCODING"),
                       ("Git-Protocol", "GIT_PROTOCOL")):
            if self.headers.get(h):
                env[var] = self.headers[h]
        out = subprocess.run(["git", "http-backend"], input=body, env=env,
                             capture_output=True, check=False).stdout
        head, _, data = out.partition(b"\r\n\r\n")
        if not _:
            head, _, data = out.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            elif k:
                headers.append((k, v.strip()))
        return status, headers, data

    def handle_any(self):
        body = self.read_body()
        if ARGS.cobo and self.path.startswith("/v2/"):
            return self.proxy(body)
        user, password = self.credentials()
        if not self.authorised(user, password):
            log_line(f"{self.command} {self.path.split('?')[0]} 401 {user or '-'}")
            return self.reply(401, [("WWW-Authenticate", 'Basic realm="git"')],
                              b"authentication required\n")
        status, headers, data = self.backend(user, body)
        log_line(f"{self.command} {self.path.split('?')[0]} {status} {user}")
        return self.reply(status, headers, data)

    do_GET = handle_any
    do_POST = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--basic")
    p.add_argument("--cobo")
    p.add_argument("--ca")
    ARGS = p.parse_args()
    if bool(ARGS.basic) == bool(ARGS.cobo):
        sys.exit("httpd.py: give exactly one of --basic and --cobo")
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{srv.server_address[1]}\n")
    os.rename(tmp, ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
