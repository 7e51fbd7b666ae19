#!/usr/bin/env python3
"""A small two-site web server on 127.0.0.1 for the crawler's tests.

Usage: crawl_server.py LOG PORTS_FILE

Site A (first port) has robots.txt rules for chaff (Disallow, Allow,
wildcards, Crawl-delay), medication and off-topic pages, a redirect, a 404,
a 503 with Retry-After, a slow page, an oversized page, a gzip-encoded page,
a chunked page and a PDF. Site B (second port) has no robots.txt (404).
Every request is logged to LOG as "TIME PORT METHOD PATH<TAB>USER-AGENT" the
moment it arrives. The ports are written to PORTS_FILE ("A B") once both
listen. The server stops by itself after 10 minutes at the latest.
"""
import gzip
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG_LOCK = threading.Lock()
STATE = {"busy": 0}


def para(topic, n=3):
    words = ("This page describes %s: what it is used for, the usual dosage for "
             "adults, the common side effects and when to talk to a doctor or a "
             "pharmacist before taking it." % topic)
    return "".join("<p>%s Section %d of the %s leaflet.</p>\n" % (words, i + 1, topic)
                   for i in range(n))


def page(title, body, links=()):
    items = "".join('<li><a href="%s"%s>%s</a></li>\n' % (h, extra, t) for h, t, extra in
                    [(l[0], l[1], l[2] if len(l) > 2 else "") for l in links])
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>%s</title></head>\n<body><h1>%s</h1>\n%s<ul>\n%s</ul>\n</body></html>\n"
            % (title, title, body, items)).encode()


def site_a(port_b):
    return {
        "/": page("Medicines index", para("our medicine guides"), [
            ("/drugs/ibuprofen", "Ibuprofen"),
            ("HTTP://127.0.0.1:{port}/drugs/ibuprofen#dosage", "Ibuprofen dosage"),
            ("/drugs/./%69buprofen", "Ibuprofen again"),
            ("/drugs/metformin-dosage", "Metformin"),
            ("/recipes/chocolate-cake", "Chocolate cake recipe"),
            ("/private/oxycodone-prices", "Oxycodone prices"),
            ("/private/public-ibuprofen", "Ibuprofen for the public"),
            ("/drugs/tramadol.cgi", "Tramadol"),
            ("/old-aspirin", "Aspirin"),
            ("/drugs/missing-warfarin", "Warfarin"),
            ("/drugs/busy-insulin", "Insulin"),
            ("/drugs/slow-amoxicillin", "Amoxicillin"),
            ("/drugs/huge-paracetamol", "Paracetamol"),
            ("/downloads/chart", "Medication chart (PDF)"),
            ("/drugs/codeine-sponsored", "Codeine", ' rel="nofollow"'),
            ("mailto:pharmacist@example.org", "Ask a pharmacist"),
            ("javascript:void(0)", "Dosage calculator"),
            ("http://127.0.0.1:%d/" % port_b, "Medication safety at our partner"),
        ]),
        "/drugs/ibuprofen": page("Ibuprofen", para("ibuprofen"), [
            ("ibuprofen/side-effects", "Side effects of ibuprofen"),
            ("/about-us", "About us"),
            ("/drugs/naproxen", "Naproxen, a similar medicine"),
        ]),
        "/drugs/ibuprofen/side-effects": page("Ibuprofen side effects", para("ibuprofen"), [
            ("/drugs/ibuprofen/side-effects/rare", "Rare side effects"),
        ]),
        "/drugs/ibuprofen/side-effects/rare": page("Rare", para("rare reactions")),
        "/drugs/metformin-dosage": page("Metformin dosage", para("metformin")),
        "/drugs/aspirin": page("Aspirin", para("aspirin")),
        "/drugs/naproxen": page("Naproxen", para("naproxen")),
        "/drugs/tramadol.cgi": page("Tramadol", para("tramadol")),
        "/private/oxycodone-prices": page("Oxycodone", para("oxycodone")),
        "/private/public-ibuprofen": page("Ibuprofen for everyone", para("ibuprofen")),
        "/recipes/chocolate-cake": page("Chocolate cake", "<p>Flour, sugar, cocoa.</p>"),
        "/about-us": page("About us", "<p>We are a small team.</p>"),
        "/drugs/codeine-sponsored": page("Codeine", para("codeine")),
        "/drugs/busy-insulin": page("Insulin", para("insulin")),
    }


ROBOTS_A = b"""# rules for the crawler tests
User-agent: *
Disallow: /

User-agent: chaff
Disallow: /private/
Allow: /private/public-ibuprofen
Disallow: /*.cgi$
Crawl-delay: 0.3
Sitemap: /sitemap.xml
"""


def site_b():
    return {
        "/": page("Medication safety", para("medication safety"), [
            ("/pharmacology/statins", "Statins explained"),
            ("/gardening/tomatoes", "Growing tomatoes"),
        ]),
        "/pharmacology/statins": page("Statins", para("statins")),
        "/gardening/tomatoes": page("Tomatoes", "<p>Water them often.</p>"),
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "crawltest/1"

    def log_message(self, fmt, *args):
        pass

    def log_request_line(self):
        port = self.server.server_address[1]
        ua = self.headers.get("User-Agent", "")
        with LOG_LOCK:
            with open(self.server.log_path, "a") as f:
                f.write("%.6f %d %s %s\t%s\n" % (time.time(), port, self.command, self.path, ua))

    def send(self, status, body, ctype="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.log_request_line()
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def route(self):
        srv = self.server
        path = self.path
        pages = srv.pages
        if srv.name == "a":
            if path == "/robots.txt":
                return self.send(200, ROBOTS_A, "text/plain")
            if path == "/old-aspirin":
                return self.send(301, b"moved", headers=[("Location", "/drugs/aspirin")])
            if path == "/drugs/busy-insulin":
                STATE["busy"] += 1
                if STATE["busy"] == 1:
                    return self.send(503, b"busy", headers=[("Retry-After", "1")])
            if path == "/drugs/slow-amoxicillin":
                return self.slow()
            if path == "/drugs/huge-paracetamol":
                body = page("Paracetamol", para("paracetamol", 600))
                return self.send(200, body)
            if path == "/downloads/chart":
                return self.send(200, b"%PDF-1.4\n" + b"0" * 50000, "application/pdf")
            if path == "/drugs/metformin-dosage" and "gzip" in self.headers.get(
                    "Accept-Encoding", ""):
                return self.send(200, gzip.compress(pages[path]),
                                 headers=[("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")])
            if path == "/drugs/naproxen":
                return self.chunked(pages[path])
        if path in pages:
            return self.send(200, pages[path])
        return self.send(404, page("Not found", "<p>No such page.</p>"))

    def chunked(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(body), 700):
            part = body[i:i + 700]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.write(b"0\r\n\r\n")

    def slow(self):
        body = page("Amoxicillin", para("amoxicillin", 8))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step = max(1, len(body) // 40)
        for i in range(0, len(body), step):  # about 4 s in all
            self.wfile.write(body[i:i + step])
            self.wfile.flush()
            time.sleep(0.1)


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the crawler hangs up on slow and oversized pages: expected


def serve(name, pages, log_path):
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.name = name
    srv.pages = pages
    srv.log_path = log_path
    return srv


def main():
    log_path, ports_file = sys.argv[1], sys.argv[2]
    open(log_path, "w").close()
    b = serve("b", site_b(), log_path)
    port_b = b.server_address[1]
    a = serve("a", {}, log_path)
    port_a = a.server_address[1]
    a.pages = {k: v.replace(b"{port}", str(port_a).encode()) for k, v in site_a(port_b).items()}
    for s in (a, b):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(ports_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (port_a, port_b))
    os.rename(ports_file + ".tmp", ports_file)
    time.sleep(600)


if __name__ == "__main__":
    main()
