#!/usr/bin/env python3
"""A TLS file server for the registry tests, with the misbehaviours a real
index can show. Usage: https-server.py ROOT CERT KEY PORTFILE

  /stall/...   sends headers and a few bytes, then nothing
  /slow/F      serves ROOT/files/F at about 256 KiB/s
  /trickle/... sends a byte every quarter second, for a minute
  /loop/...    redirects to itself
  /error/...   HTTP 500
  /tofile/...  redirects to a file:// URL
  /hop/F       redirects to /files/F on this host
  /elsewhere/F redirects to /files/F on localhost (a host the tests do not allow)
  /json/N/     ROOT/json/N/index.json as PEP 691 JSON
  anything else: a file under ROOT (a folder gives its index.html)
"""
import http.server
import os
import ssl
import sys
import time

ROOT, CERT, KEY, PORTFILE = sys.argv[1:5]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, code, body=b"", ctype="application/octet-stream", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path.split("?")[0]
        if p.startswith("/stall/"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            time.sleep(60)
            return
        if p.startswith("/trickle/"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(240):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.25)
            return
        if p.startswith("/loop/"):
            return self.send(302, headers=[("Location", p)])
        if p.startswith("/error/"):
            return self.send(500, b"broken")
        if p.startswith("/hop/") or p.startswith("/elsewhere/"):
            host = "127.0.0.1" if p.startswith("/hop/") else "localhost"
            to = "https://%s:%d/files/%s" % (host, self.server.server_address[1], os.path.basename(p))
            return self.send(302, b"moved", headers=[("Location", to)])
        if p.startswith("/tofile/"):
            return self.send(302, headers=[("Location", "file:///etc/passwd")])
        if p.startswith("/slow/"):
            data = open(os.path.join(ROOT, "files", os.path.basename(p)), "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for i in range(0, len(data), 16384):
                self.wfile.write(data[i:i + 16384])
                self.wfile.flush()
                time.sleep(0.0625)
            return
        if p.startswith("/json/"):
            f = os.path.join(ROOT, p.lstrip("/"), "index.json")
            if os.path.isfile(f):
                return self.send(200, open(f, "rb").read(), "application/vnd.pypi.simple.v1+json")
            return self.send(404)
        f = os.path.normpath(os.path.join(ROOT, p.lstrip("/")))
        if not f.startswith(ROOT):
            return self.send(403)
        if os.path.isdir(f):
            f = os.path.join(f, "index.html")
            ctype = "text/html"
        else:
            ctype = "application/octet-stream"
        if not os.path.isfile(f):
            return self.send(404, b"not found")
        self.send(200, open(f, "rb").read(), ctype)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(PORTFILE + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
