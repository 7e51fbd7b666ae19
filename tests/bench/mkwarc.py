#!/usr/bin/env python3
"""Build a WARC archive from the real pages in ../shared/realdata/html.

    mkwarc.py HTML_DIR OUT [--records N | --copies K] [--framing F] [--list FILE]

The pages listed in HTML_DIR/index.tsv (.html.gz ones decompressed) are
written as a crawler would: a warcinfo record, then for each page a request
and a response (HTTP/1.1 200, text/html) and, with --records, a metadata
record, every record with its WARC-Block-Digest (and the response its
WARC-Payload-Digest). --copies K writes every page K times; --records N
writes exactly N records, cycling through the pages. --framing: "member"
(one gzip member per record, the norm; default), "whole" (the file is one
gzip member) or "plain". --list writes the HTML bytes of every response, in
order, as "length<TAB>path" lines for the bare-parser benchmarks.

Used by `make bench` (tests/bench/run.sh) and tests/bulk_mem.sh. Standard
library only; the output is deterministic (fixed dates, ids from a counter).
"""
import argparse
import base64
import gzip
import hashlib
import os
import sys
import zlib


def pages(html_dir):
    """(path, url, bytes) of every page in index.tsv, in its order."""
    with open(os.path.join(html_dir, "index.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    for n, row in enumerate(rows):
        path = os.path.join(html_dir, row[0])
        with open(path, "rb") as f:
            data = f.read()
        if path.endswith(".gz"):
            data = gzip.decompress(data)
        url = row[2] if len(row) > 2 and row[2] else "http://bench.example/%d/%s" % (n, row[0])
        yield path, url, data


def sha1(b):
    return "sha1:" + base64.b32encode(hashlib.sha1(b).digest()).decode()


class Writer:
    def __init__(self, out, framing):
        self.out = out
        self.framing = framing
        self.whole = zlib.compressobj(6, zlib.DEFLATED, 31) if framing == "whole" else None
        self.count = 0

    def record(self, rtype, block, uri=None, ctype=None, extra=()):
        self.count += 1
        lines = ["WARC/1.1", "WARC-Type: " + rtype,
                 "WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-%012d>" % self.count,
                 "WARC-Date: 2024-05-01T%02d:%02d:%02dZ" % (self.count // 3600 % 24,
                                                           self.count // 60 % 60,
                                                           self.count % 60)]
        if uri:
            lines.append("WARC-Target-URI: " + uri)
        lines.extend(extra)
        lines.append("WARC-Block-Digest: " + sha1(block))
        if ctype:
            lines.append("Content-Type: " + ctype)
        lines.append("Content-Length: %d" % len(block))
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + block + b"\r\n\r\n"
        if self.framing == "member":
            self.out.write(gzip.compress(data, 6, mtime=0))
        elif self.framing == "whole":
            self.out.write(self.whole.compress(data))
        else:
            self.out.write(data)

    def close(self):
        if self.whole:
            self.out.write(self.whole.flush())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("html_dir")
    ap.add_argument("out")
    ap.add_argument("--records", type=int)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--framing", choices=["member", "whole", "plain"], default="member")
    ap.add_argument("--list")
    a = ap.parse_args()

    all_pages = list(pages(a.html_dir))
    if not all_pages:
        sys.exit("mkwarc: no pages in %s" % a.html_dir)
    tmp = a.out + ".tmp"
    listing = open(a.list, "w", encoding="utf-8") if a.list else None
    with open(tmp, "wb") as out:
        w = Writer(out, a.framing)
        w.record("warcinfo", b"software: chaff tests/bench/mkwarc.py\r\n"
                 b"format: WARC File Format 1.1\r\n", ctype="application/warc-fields")
        n = 0
        while True:
            if a.records is None and n == a.copies * len(all_pages):
                break
            if a.records is not None and w.count >= a.records:
                break
            path, url, body = all_pages[n % len(all_pages)]
            if n >= len(all_pages):
                url += ("&" if "?" in url else "?") + "copy=%d" % (n // len(all_pages))
            host = url.split("/")[2] if "://" in url else "bench.example"
            req = ("GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: chaff-bench\r\n\r\n" % host).encode()
            head = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    "Content-Length: %d\r\n\r\n" % len(body)).encode()
            left = None if a.records is None else a.records - w.count
            w.record("request", req, url, "application/http; msgtype=request")
            if left is None or left > 1:
                w.record("response", head + body, url, "application/http; msgtype=response",
                         ["WARC-Payload-Digest: " + sha1(body)])
                if listing:
                    listing.write("%d\t%s\n" % (len(body), path))
            if a.records is not None and w.count < a.records:
                w.record("metadata", ("fetchTimeMs: %d\r\n" % (n % 997)).encode(), url,
                         "application/warc-fields")
            n += 1
        w.close()
    if listing:
        listing.close()
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
