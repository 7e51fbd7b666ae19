#!/usr/bin/env python3
"""gen.py - JSON Lines like `chaff bulk` writes, for the report tests.

  gen.py lines N [--malformed K]   N lines: scored, skipped and failed records
                                   from many hosts (K broken lines mixed in)
  gen.py hostile                   records whose URLs, titles and evidence try
                                   to run script or break the page
  gen.py measure N CHAFF OUT.html  pipe N lines into `CHAFF report -o OUT -`
                                   and print its peak RSS (kB), bytes and time

The text is made up here (no seed page is quoted); numbers come from a
fixed seed, so every run writes the same lines.
"""
import json
import random
import resource
import subprocess
import sys
import time

LABELS = ["reliable", "thin", "pharmacy_spam"]
NAMED = ["repeated_sections", "price_blocks", "placeholder_studies",
         "truncated_references", "offtopic_widgets"]
GENERAL = ["text_length", "compression_ratio", "stopword_fraction", "link_density",
           "doi_pmid_refs", "author_lines", "filler_rate", "unit_prices",
           "pharmacy_calls", "dup_line_frac"]
REASONS = ["request", "not HTML", "not 2xx", "revisit", "warcinfo", "too large"]
EVIDENCE = {
    "price_blocks": ["Price: $1.10 per tablet", "Order now, bonus capsules",
                     "60 pills x 20 mg $49.00"],
    "repeated_sections": ["Possible Side Effects (x2)", "How to take it (x3)"],
    "placeholder_studies": ["Jones et al. (2017)", "a study in a leading journal"],
    "truncated_references": ["4. Brown A, Smith (", "[12] see"],
    "offtopic_widgets": ["Tags: travel, recipes", "Leave a reply", "Download our app"],
}


def kind_of(host_rank):
    """Hosts keep one kind: a few spam networks, some content farms."""
    r = host_rank % 10
    return "pharmacy_spam" if r < 2 else "thin" if r < 5 else "reliable"


def scored(rng, host, n, label):
    p = {k: 0.0 for k in LABELS}
    conf = rng.uniform(0.4, 1.0)
    p[label] = conf
    rest = [k for k in LABELS if k != label]
    # Split what is left so that the verdict stays the most probable label.
    a = rng.uniform(max(0.0, 1 - 2 * conf), min(1 - conf, conf))
    p[rest[0]] = a
    p[rest[1]] = 1 - conf - a
    signals = {}
    evidence = {}
    for s in NAMED:
        fire = rng.random() < (0.7 if (label == "pharmacy_spam" and s == "price_blocks")
                               or (label == "thin" and s != "price_blocks") else 0.08)
        signals[s] = rng.randint(1, 6) if fire else 0
        evidence[s] = rng.sample(EVIDENCE[s], 1) if fire else []
    for s in GENERAL:
        signals[s] = round(rng.random() * 3, 3) if rng.random() < 0.5 else 0
    top = [{"feature": s, "contribution": round(rng.uniform(-2, 3), 4)}
           for s in rng.sample(NAMED + GENERAL, 3)]
    return {
        "label": label,
        "scores": {k: round(v, 6) for k, v in p.items()},
        "signals": signals,
        "evidence": evidence,
        "top": top,
    }


def line(rng, i, nhosts):
    # Zipf-like host popularity: a few big hosts, a long tail.
    rank = min(int(rng.paretovariate(1.1)) - 1, nhosts - 1)
    host = "site%d.example" % rank if rank % 7 else "www.host-%d.example.org" % rank
    rec = {"warc_file": "crawl-%03d.warc.gz" % (i // 50000), "offset": i * 4096,
           "record_id": "<urn:uuid:%08x-0000-4000-8000-%012x>" % (i, i),
           "type": "response", "date": "2024-0%d-%02dT10:00:00Z" % (1 + i % 9, 1 + i % 28),
           "url": "https://%s/page/%d?q=%d" % (host, i, i % 97)}
    u = rng.random()
    if u < 0.22:
        rec["type"] = "request"
        rec["skipped"] = REASONS[min(int(rng.expovariate(1.0)), len(REASONS) - 1)]
    elif u < 0.24:
        rec["error"] = rng.choice(["no text to score", "content decoding failed: bad gzip"])
    else:
        label = kind_of(rank) if rng.random() < 0.85 else rng.choice(LABELS)
        rec.update(scored(rng, host, i, label))
    return json.dumps(rec, separators=(",", ":"))


def lines(n, malformed=0, out=sys.stdout):
    rng = random.Random(8)
    nhosts = max(10, n // 5)
    bad_every = n // malformed if malformed else 0
    buf = []
    for i in range(n):
        if bad_every and i % bad_every == bad_every - 1:
            buf.append(['{"url":"https://broken.example/', 'not json at all',
                        '[1,2,3]', '{"label":"thin",}'][(i // bad_every) % 4])
        else:
            buf.append(line(rng, i, nhosts))
        if len(buf) == 2000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


def fast_lines(n, out):
    """Many lines quickly: a pool of bodies, each line a new URL and host."""
    rng = random.Random(9)
    pool = []
    for i in range(3000):
        rec = json.loads(line(rng, i, 1000))
        del rec["url"]
        pool.append(json.dumps(rec, separators=(",", ":"))[1:])
    prefix = '{"url":"https://h%d.example/p/%d",'
    buf = []
    for i in range(n):
        # Half the pages come from a long tail of 200,000 hosts.
        h = i % 200003 if i % 2 else i % 37
        buf.append(prefix % (h, i) + pool[i % len(pool)])
        if len(buf) == 5000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


def hostile(out=sys.stdout):
    marker = "window.__pwned=1;document.title='PWNED';" \
             "document.documentElement.setAttribute('data-pwned','1')"
    attacks = [
        "<script>%s</script>" % marker,
        '"><img src=x onerror="%s">' % marker,
        "'><svg onload=\"%s\">" % marker,
        "</script><script>%s</script><!--" % marker,
        "</style><style>body{display:none}</style>",
        "<iframe src=\"javascript:%s\"></iframe>" % marker,
        "\u2028\u2029<!--<script>",
        "\u202eevil.exe\u202c reversed",
        "&lt;already escaped&gt; &amp; <b>bold</b>",
        "x" * 5000,
    ]
    recs = []
    for i, a in enumerate(attacks):
        recs.append({
            "warc_file": "evil%s.warc.gz" % a[:40], "offset": i, "type": "response",
            "date": "2024-01-01T00:00:00Z",
            "url": ["javascript:%s" % marker, "https://evil.example/%s" % a,
                    "data:text/html,%s" % a, "https://evil.example/\"onmouseover=\"%s" % marker,
                    "http://evil.example/" + a][i % 5],
            "title": a,
            "label": "pharmacy_spam" if i % 2 else "thin",
            "scores": {"reliable": 0.01, "thin": 0.3 if i % 2 else 0.9,
                       "pharmacy_spam": 0.69 if i % 2 else 0.09},
            "signals": {"price_blocks": 2, a[:60]: 1, "offtopic_widgets": 1},
            "evidence": {"price_blocks": [a, "safe text"], a[:60]: [a]},
            "top": [{"feature": a[:80], "contribution": 1.5}],
        })
    recs.append({"skipped": attacks[0], "type": "request", "url": attacks[1]})
    recs.append({"target": attacks[1], "error": attacks[0] + ": failed"})
    for r in recs:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    out.flush()
    # Broken UTF-8 inside strings, and a label made of markup.
    raw = sys.stdout.buffer
    raw.write(b'{"url":"https://bytes.example/\xff\xfe","title":"caf\xc3 \xed\xa0\x80 <b>",'
              b'"label":"thin","scores":{"thin":0.6,"reliable":0.2,"pharmacy_spam":0.2},'
              b'"evidence":{"offtopic_widgets":["\xc0\xaf<script>' + marker.encode() +
              b'</script>"]}}\n')
    raw.write(b'{"url":"https://label.example/","label":"<img src=x onerror=alert(1)>",'
              b'"scores":{"<img src=x onerror=alert(1)>":0.7,"reliable":0.3}}\n')
    raw.flush()


def measure(n, chaff, html):
    start = time.time()
    p = subprocess.Popen([chaff, "report", "--title", "a million lines", "-o", html, "-"],
                         stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                         bufsize=1 << 20)
    import io
    w = io.TextIOWrapper(p.stdin, encoding="utf-8", write_through=False)
    fast_lines(n, w)
    w.flush()
    p.stdin.close()
    err = p.stderr.read().decode("utf-8", "replace")
    rc = p.wait()
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write(err)
    print("rc %d maxrss_kb %d seconds %.1f" % (rc, rss, time.time() - start))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "lines":
        k = int(sys.argv[4]) if len(sys.argv) >= 5 and sys.argv[3] == "--malformed" else 0
        lines(int(sys.argv[2]), k)
    elif len(sys.argv) == 2 and sys.argv[1] == "hostile":
        hostile()
    elif len(sys.argv) == 5 and sys.argv[1] == "measure":
        measure(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
