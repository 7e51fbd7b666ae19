#!/usr/bin/env bash
# train_warc.sh - labels files whose rows point into WARC archives: a
# .warc.gz of corpus pages (one gzip member per record), labelled by offset
# and by WARC-Record-ID as chaff bulk prints them; the same pages give the
# same model from a plain .warc, a whole-file gzip and the page files; the
# feature cache serves WARC rows; rows whose record is no page are reported
# with the archive, offset and reason.
. "$(dirname "$0")/lib.sh"
if ! command -v python3 >/dev/null; then
	echo "skip: python3 is absent; WARC training tests not run" >&2
	summary
	exit
fi
CORPUS=$(cd "$(dirname "$0")/../corpus" && pwd)
W=$TMP/warc
mkdir -p "$W"

# pages.tsv: the first page of each of the first 12 sites of each label
# (into the archive); held.tsv: the first page of the next 12 sites (held out).
python3 - "$CORPUS" "$W" <<'PY'
import os, sys
corpus, out = sys.argv[1], sys.argv[2]
first = {}
for line in open(os.path.join(corpus, "labels.tsv"), encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if len(f) < 4 or f[0] == "path" or f[1] == "none":
        continue
    first.setdefault((f[1], f[3]), f)
take, held = [], []
for label in ("reliable", "thin", "pharmacy_spam"):
    sites = sorted(s for (l, s) in first if l == label)
    take += [first[(label, s)] for s in sites[:12]]
    held += [first[(label, s)] for s in sites[12:24]]
with open(os.path.join(out, "pages.tsv"), "w") as p:
    for f in take:
        p.write("%s/%s\t%s\t%s\t%s\n" % (corpus, f[0], f[1], f[2], f[3]))
with open(os.path.join(out, "held.tsv"), "w") as p:
    for f in held:
        p.write("%s/%s\t%s\t%s\t%s\n" % (corpus, f[0], f[1], f[2], f[3]))
PY
check_eq "pages picked" "$(wc -l <"$W/pages.tsv")" 36
check_eq "held-out pages picked" "$(wc -l <"$W/held.tsv")" 36

# The archive: warcinfo, then a request and a response per page, a 404 and a
# metadata record; WARC/1.1, CRLF, one gzip member per record.
python3 - "$W/pages.tsv" "$W/pages.warc.gz" <<'PY'
import gzip, sys, uuid
pages, out = sys.argv[1], sys.argv[2]
n = 0
def record(f, typ, uri, ctype, block):
    global n
    n += 1
    rid = "<urn:uuid:%s>" % uuid.UUID(int=n, version=4)
    head = ["WARC/1.1", "WARC-Type: " + typ, "WARC-Record-ID: " + rid,
            "WARC-Date: 2024-03-01T12:00:%02dZ" % (n % 60)]
    if uri:
        head.append("WARC-Target-URI: " + uri)
    head += ["Content-Type: " + ctype, "Content-Length: %d" % len(block)]
    f.write(gzip.compress(("\r\n".join(head) + "\r\n\r\n").encode() + block + b"\r\n\r\n",
                          mtime=0))
def response(f, uri, ctype, body, status="200 OK"):
    http = ("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
            % (status, ctype, len(body))).encode()
    record(f, "response", uri, "application/http; msgtype=response", http + body)
with open(out, "wb") as f:
    record(f, "warcinfo", None, "application/warc-fields", b"software: train_warc.sh\r\n")
    for line in open(pages, encoding="utf-8"):
        path, label, url, site = line.rstrip("\n").split("\t")
        body = open(path, "rb").read()
        ctype = "text/plain; charset=utf-8" if path.endswith(".txt") else "text/html; charset=utf-8"
        host = url.split("/")[2]
        record(f, "request", url, "application/http; msgtype=request",
               ("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode())
        response(f, url, ctype, body)
    response(f, "https://gone.example/missing", "text/html", b"<p>gone</p>", "404 Not Found")
    record(f, "metadata", "https://gone.example/missing", "application/warc-fields",
           b"via: nowhere\r\n")
PY
zcat "$W/pages.warc.gz" >"$W/plain.warc"
zcat "$W/pages.warc.gz" | gzip -n >"$W/whole.warc.gz"

# Labels from what chaff bulk says of each record: url -> label and site.
# rows.py ARCHIVE-NAME BULK-JSONL MODE: MODE offset, id, or mixed (even rows
# by offset, odd ones by id).
cat >"$W/rows.py" <<'PY'
import json, sys
archive, bulk, mode = sys.argv[1], sys.argv[2], sys.argv[3]
want = {}
for line in open(sys.argv[4], encoding="utf-8"):
    path, label, url, site = line.rstrip("\n").split("\t")
    want[url] = (label, site)
i = 0
for line in open(bulk, encoding="utf-8"):
    d = json.loads(line)
    if d.get("type") != "response" or d.get("url") not in want:
        continue
    label, site = want[d["url"]]
    by_id = mode == "id" or (mode == "mixed" and i % 2)
    print("%s\t%s\t%s\t%s" % (archive, d["record_id"] if by_id else d["offset"], label, site))
    i += 1
PY
for a in pages.warc.gz plain.warc whole.warc.gz; do
	"$CHAFF" bulk "$W/$a" >"$W/$a.jsonl" 2>/dev/null
done
check_eq "bulk sees every record" "$(wc -l <"$W/pages.warc.gz.jsonl")" 75
python3 "$W/rows.py" pages.warc.gz "$W/pages.warc.gz.jsonl" mixed "$W/pages.tsv" >"$W/mixed.tsv"
python3 "$W/rows.py" plain.warc "$W/plain.warc.jsonl" offset "$W/pages.tsv" >"$W/plain.tsv"
python3 "$W/rows.py" whole.warc.gz "$W/whole.warc.gz.jsonl" id "$W/pages.tsv" >"$W/whole.tsv"
check_eq "mixed rows" "$(wc -l <"$W/mixed.tsv")" 36
check "rows by offset" grep -qP '^pages.warc.gz\t[0-9]+\t' "$W/mixed.tsv"
check "rows by record id" grep -qP '^pages.warc.gz\t<urn:uuid:[0-9a-f-]+>\t' "$W/mixed.tsv"

T="$CHAFF train --cache $TMP/cache"
run_cmd $T -o "$TMP/m.warc" "$W/mixed.tsv"
check_eq "train from WARC rows" "$rc" 0
check "all WARC pages read" grep -q '36 pages read (0 from the feature cache' "$TMP/err"
check "one pass for the ids" grep -q 'pages.warc.gz: looking up 18 record ids' "$TMP/err"
check "sites from the rows" grep -q "wrote $TMP/m.warc: 36 pages of 36 sites" "$TMP/err"
check_eq "model labels" "$(grep '^label ' "$TMP/m.warc" | tr '\n' ' ')" \
	"label reliable label thin label pharmacy_spam "

# The feature cache serves WARC rows; the model is the same bytes.
run_cmd $T -o "$TMP/m.warc2" "$W/mixed.tsv"
check "WARC rows from the cache" grep -q '36 pages read (36 from the feature cache' "$TMP/err"
check "reproducible from the cache" cmp -s "$TMP/m.warc" "$TMP/m.warc2"

# The same pages as files, as a plain WARC by offset, as a whole-file gzip by
# id (features made during the one pass): the same model.
run_cmd $CHAFF train --no-cache -o "$TMP/m.files" "$W/pages.tsv"
check_eq "train from files" "$rc" 0
check "files and WARC records give one model" cmp -s "$TMP/m.warc" "$TMP/m.files"
run_cmd $CHAFF train --no-cache -o "$TMP/m.plain" "$W/plain.tsv"
check_eq "plain WARC exit" "$rc" 0
check "plain WARC by offset" cmp -s "$TMP/m.warc" "$TMP/m.plain"
run_cmd $CHAFF train --no-cache -o "$TMP/m.whole" "$W/whole.tsv"
check_eq "whole-file gzip exit" "$rc" 0
check "whole-file gzip by id" cmp -s "$TMP/m.warc" "$TMP/m.whole"
run_cmd $T -o "$TMP/m.whole2" "$W/whole.tsv"
check "whole-file gzip features cached" grep -q '36 pages read (36 from the feature cache' "$TMP/err"
check "whole-file gzip from the cache" cmp -s "$TMP/m.warc" "$TMP/m.whole2"

# The model classifies held-out pages (other sites of the corpus).
run_cmd $CHAFF eval --json -m "$TMP/m.warc" "$W/held.tsv"
check_eq "held-out eval exit" "$rc" 0
acc=$(python3 -c 'import json,sys; print("%.3f" % json.load(sys.stdin)["accuracy"])' <"$TMP/out")
echo "held-out accuracy of the model trained from WARC rows: $acc (36 pages)" >&2
check "held-out accuracy at least 0.7" python3 -c "import sys; sys.exit(not $acc >= 0.7)"

# Rows whose record is no page, or no record at all: reported, the rest trains.
req=$(python3 -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l)
    if d.get("type") == "request": print(d["offset"]); break' <"$W/pages.warc.gz.jsonl")
gone=$(python3 -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l)
    if d.get("url") == "https://gone.example/missing" and d["type"] == "response": print(d["offset"], d["record_id"])' \
	<"$W/pages.warc.gz.jsonl")
size=$(stat -c %s "$W/pages.warc.gz")
cp "$W/mixed.tsv" "$W/bad.tsv"
{
	printf 'pages.warc.gz\t%s\tthin\n' "$req"
	printf 'pages.warc.gz\t%s\tthin\n' "${gone% *}"
	printf 'pages.warc.gz\t%s\tthin\n' "$((req + 3))"
	printf 'pages.warc.gz\t%s\tthin\n' "$size"
	printf 'pages.warc.gz\t<urn:uuid:00000000-0000-4000-8000-0000000000ff>\tthin\n'
	printf 'pages.warc.gz\t%s\tthin\n' "${gone#* }"
	printf 'whole.warc.gz\t0\tthin\n'
	printf 'missing.warc.gz\t0\tthin\n'
	printf 'pages.warc.gz\t-12\tthin\n'
} >>"$W/bad.tsv"
run_cmd $T -o "$TMP/m.bad" "$W/bad.tsv"
check_eq "bad WARC rows exit" "$rc" 1
check "bad WARC rows still train" grep -q '36 pages read' "$TMP/err"
check "request record" grep -q "bad.tsv:37: $W/pages.warc.gz: offset $req: record <urn:uuid:[0-9a-f-]*>: not a page: request" "$TMP/err"
check "404 record" grep -q "bad.tsv:38: $W/pages.warc.gz: offset ${gone% *}: record <urn:uuid:[0-9a-f-]*>: not a page: not 2xx" "$TMP/err"
check "offset inside a record" grep -q "bad.tsv:39: $W/pages.warc.gz: offset $((req + 3)): no WARC record or gzip member starts there" "$TMP/err"
check "offset past the end" grep -q "bad.tsv:40: $W/pages.warc.gz: offset $size: past the end of the archive ($size bytes)" "$TMP/err"
check "unknown record id" grep -q "bad.tsv:41: $W/pages.warc.gz: record <urn:uuid:00000000-0000-4000-8000-0000000000ff>: no such record in the archive" "$TMP/err"
check "record id of no page" grep -q "bad.tsv:42: $W/pages.warc.gz: record ${gone#* } at offset ${gone% *}: not a page: not 2xx" "$TMP/err"
check "offset into a whole-file gzip" grep -q "bad.tsv:43: $W/whole.warc.gz: offset 0: the gzip member there holds several records" "$TMP/err"
check "missing archive" grep -q "bad.tsv:44: $W/missing.warc.gz: cannot open" "$TMP/err"
check "neither offset nor id" grep -q "bad.tsv:45: $W/pages.warc.gz: record <-12>: no such record" "$TMP/err"
check "bad rows summary" grep -q '0 bad rows and 9 unreadable pages left out' "$TMP/err"

# A labels file with only background pages and one label is a usage error.
head -n 4 "$W/mixed.tsv" | sed 's/\t[a-z_]*\t\([^\t]*\)$/\tnone\t\1/' >"$W/none.tsv"
grep -P '\tthin\t' "$W/mixed.tsv" >>"$W/none.tsv"
run_cmd $T -o "$TMP/m.none" "$W/none.tsv"
check_eq "none and one label exit" "$rc" 2
check "none and one label message" grep -q "pages of at least two labels besides 'none' are needed, found 1 label and 4 background pages" "$TMP/err"
check "none and one label writes nothing" test ! -e "$TMP/m.none"

summary
