#!/usr/bin/env python3
"""Write the seed corpus of fuzz_warc (tests/fuzz/corpus/fuzz_warc/).

Small archives made here, one per framing, version, record type, HTTP
coding and kind of damage the reader must survive; the pages inside are
made up for the purpose. Run from the repository root; the output is
deterministic, so re-running it changes nothing.
"""
import base64
import gzip
import hashlib
import os
import zlib

OUT = os.path.join("tests", "fuzz", "corpus", "fuzz_warc")

PAGE = (b"<!doctype html><html><head><title>Kettle care</title></head><body>"
        b"<h1>Descaling a kettle</h1><p>Boil a mix of water and vinegar, leave it an hour, "
        b"rinse twice.</p><p>Hard water areas need this every month.</p></body></html>")
TEXT = b"Descaling a kettle.\n\nBoil water and vinegar, then rinse twice.\n"


def sha1_b32(b):
    return "sha1:" + base64.b32encode(hashlib.sha1(b).digest()).decode()


def record(rtype, block, num, uri=None, ctype=None, version="WARC/1.1", eol=b"\r\n",
           length=None, extra=(), digest=True):
    """One WARC record: header lines, blank line, block, two line ends."""
    lines = [version, "WARC-Type: " + rtype,
             "WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-%012d>" % num,
             "WARC-Date: 2024-05-01T10:00:%02dZ" % (num % 60)]
    if uri:
        lines.append("WARC-Target-URI: " + uri)
    if digest:
        lines.append("WARC-Block-Digest: " + sha1_b32(block))
    if ctype:
        lines.append("Content-Type: " + ctype)
    lines.extend(extra)
    lines.append("Content-Length: %d" % (len(block) if length is None else length))
    head = eol.join(x.encode() for x in lines) + eol + eol
    return head + block + eol + eol


def gz(b):
    return gzip.compress(b, 6, mtime=0)


def chunked(body, step=40, ext=b""):
    out = b""
    for i in range(0, len(body), step):
        piece = body[i:i + step]
        out += b"%X%s\r\n" % (len(piece), ext) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def brotli_stored(data):
    """A brotli stream of one uncompressed meta-block (RFC 7932, 9.2)."""
    assert 0 < len(data) <= 65536
    bits = 0                          # WBITS: '0' -> 16
    bits |= 0 << 1                    # ISLAST = 0
    bits |= 0 << 2                    # MNIBBLES = 4
    bits |= (len(data) - 1) << 4      # MLEN - 1, 16 bits
    bits |= 1 << 20                   # ISUNCOMPRESSED
    head = bits.to_bytes(3, "little")
    return head + data + b"\x03"      # ISLAST, ISLASTEMPTY


def http(body, status=b"200 OK", ctype=b"text/html; charset=utf-8", headers=b""):
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype + b"\r\n" + headers +
            b"\r\n" + body)


def response(body, num, **kw):
    return record("response", body, num, uri="http://kettle.example/%d" % num,
                  ctype="application/http; msgtype=response", **kw)


def seeds():
    info = record("warcinfo", b"software: make_warc_corpus\r\n", 1,
                  ctype="application/warc-fields")
    req = record("request", b"GET / HTTP/1.1\r\nHost: kettle.example\r\n\r\n", 2,
                 uri="http://kettle.example/", ctype="application/http; msgtype=request")
    plain_resp = response(http(PAGE), 3)
    s = {}
    s["plain"] = info + req + plain_resp
    s["member_per_record"] = gz(info) + gz(req) + gz(plain_resp)
    s["whole_gzip"] = gz(info + req + plain_resp)
    s["concatenated"] = gz(info) + gz(plain_resp) + gz(info) + gz(req)
    s["chunked_gzip"] = response(http(chunked(gz(PAGE), 33, b";x=1"),
                                      headers=b"Content-Encoding: gzip\r\n"
                                              b"Transfer-Encoding: chunked\r\n"), 4)
    s["deflate_zlib"] = response(http(zlib.compress(PAGE),
                                      headers=b"Content-Encoding: deflate\r\n"), 5)
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    s["deflate_raw"] = response(http(raw.compress(PAGE) + raw.flush(),
                                     headers=b"Content-Encoding: deflate\r\n"), 6)
    s["brotli"] = response(http(brotli_stored(PAGE), headers=b"Content-Encoding: br\r\n"), 7)
    s["gzip_bomb"] = response(http(gz(b"<p>" + b"a" * 2000000),
                                   headers=b"Content-Encoding: gzip\r\n"), 8)
    s["bad_chunks"] = response(http(b"zz\r\n" + PAGE,
                                    headers=b"Transfer-Encoding: chunked\r\n"), 9)
    s["huge_chunk"] = response(http(b"FFFFFFFFFFFFFFFFFF\r\n" + PAGE,
                                    headers=b"Transfer-Encoding: chunked\r\n"), 10)
    s["http2_no_reason"] = response(b"HTTP/2 200\r\ncontent-type: text/html\r\n\r\n" + PAGE, 11)
    s["cr_cr_lf"] = response(b"HTTP/1.1 200\r\r\nContent-Type : text/html\r\r\n\r\r\n" + PAGE, 12)
    s["bare_body"] = response(PAGE, 13)
    s["not_2xx"] = response(http(b"gone", status=b"404 Not Found"), 14)
    s["not_html"] = response(http(b"\x89PNG\r\n", ctype=b"image/png"), 15)
    s["warc10_angle_uri"] = record("response", http(PAGE), 16, version="WARC/1.0",
                                   uri="<http://kettle.example/16>",
                                   ctype="application/http; msgtype=response")
    s["warc018"] = record("response", http(PAGE), 17, version="WARC/0.18",
                          uri="http://kettle.example/17", ctype="application/http; msgtype=response")
    s["warc017_lf_only"] = record("response", http(PAGE), 18, version="WARC/0.17", eol=b"\n",
                                  uri="http://kettle.example/18",
                                  ctype="application/http; msgtype=response")
    s["resource_text"] = record("resource", TEXT, 19, uri="http://kettle.example/t.txt",
                                ctype="text/plain")
    s["conversion_wet"] = record("conversion", TEXT, 20, uri="http://kettle.example/",
                                 ctype="text/plain")
    s["revisit"] = record("revisit", b"HTTP/1.1 200 OK\r\n\r\n", 21, uri="http://kettle.example/",
                          ctype="application/http; msgtype=response",
                          extra=["WARC-Profile: http://netpreserve.org/warc/1.1/revisit/"
                                 "identical-payload-digest"])
    s["metadata_continuation"] = (record("metadata", b"a: b\r\n", 22, ctype="application/warc-fields")
                                  + record("continuation", b"rest", 23))
    s["sha256_hex_digest"] = record("resource", PAGE, 24, uri="http://kettle.example/h",
                                    ctype="text/html", digest=False,
                                    extra=["WARC-Block-Digest: sha256:" +
                                           hashlib.sha256(PAGE).hexdigest()])
    s["digest_mismatch"] = record("resource", PAGE, 25, uri="http://kettle.example/m",
                                  ctype="text/html", digest=False,
                                  extra=["WARC-Block-Digest: sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"])
    s["length_short"] = response(http(PAGE), 26, length=len(http(PAGE)) - 7) + info
    s["length_long"] = response(http(PAGE), 27, length=len(http(PAGE)) + 300) + info + req
    s["length_huge"] = response(http(PAGE), 28, length=10 ** 15) + info
    s["length_bad"] = (record("resource", PAGE, 29, ctype="text/html", extra=[], length=None)
                       .replace(b"Content-Length: %d" % len(PAGE), b"Content-Length: 1\t2x")
                       + info)
    s["garbage_between"] = info + b"\x00\x00 not a record at all\r\n" + req
    s["nul_padding"] = gz(info) + b"\x00" * 64 + gz(req)
    s["gzip_truncated"] = gz(info) + gz(plain_resp)[:150]
    damaged = bytearray(gz(plain_resp))
    damaged[30:34] = b"\xff\xff\xff\xff"
    s["gzip_corrupt_middle"] = gz(info) + bytes(damaged) + gz(req)
    s["gzip_garbage_between"] = gz(info) + b"junk junk junk" + gz(req)
    s["header_truncated"] = info + b"WARC/1.1\r\nWARC-Type: response\r\nContent-Le"
    s["block_truncated"] = info + plain_resp[:len(plain_resp) // 2]
    s["many_fields"] = record("resource", TEXT, 30, ctype="text/plain",
                              extra=["X-Field-%d: %d" % (i, i) for i in range(100)])
    s["bzip2"] = b"BZh91AY&SY" + b"\x00" * 20
    s["arc"] = b"filedesc://kettle.arc 0.0.0.0 20240501100000 text/plain 9\n1 0 test\n"
    s["html_not_warc"] = PAGE
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
