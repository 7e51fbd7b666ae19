#!/usr/bin/env bash
# tests/crawl.sh - chaff crawl against its own two-site server on 127.0.0.1
# (tests/crawl_server.py): robots.txt rules and Crawl-delay, per-host
# spacing, focus, depth, redirects, 404, 503 + Retry-After, slow, oversized
# and non-HTML pages; the WARC read back by chaff bulk and by warcio (digests
# recomputed); a wget --warc-file archive of the same site read by chaff; a
# crawl killed with SIGKILL and resumed. Only loopback addresses are used.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
servers=""
trap 'for p in $servers; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

if ! command -v python3 >/dev/null; then
	echo "skip: python3 is absent; crawl tests not run" >&2
	summary
	exit
fi

# start_server DIR: run the server, set $spid $A $B (its two ports)
start_server() {
	python3 "$here/crawl_server.py" "$1/log" "$1/ports" &
	spid=$!
	servers="$servers $spid"
	for _ in $(seq 100); do
		[ -s "$1/ports" ] && break
		sleep 0.1
	done
	read -r A B <"$1/ports"
}

# py ARGS... <<SCRIPT: checks written in python print "ok ..." or "FAIL ...";
# a script that dies (a traceback) fails too
py() {
	local line prc
	python3 - "$@" >"$TMP/py.out" 2>&1
	prc=$?
	while IFS= read -r line; do
		case $line in
		ok*) ok ;;
		FAIL*) bad "${line#FAIL }" ;;
		*) echo "$line" >&2 ;;
		esac
	done <"$TMP/py.out"
	[ "$prc" -eq 0 ] || bad "python checks exited $prc"
}

common="--allow-private -n 60 -d 2 --delay 200 --timeout 2000 --max-bytes 64k"

# ---- usage and the private-address guard ----
mkdir -p "$TMP/s1"
start_server "$TMP/s1"
echo "http://127.0.0.1:$A/" >"$TMP/seeds"
run_cmd "$CHAFF" crawl "$TMP/seeds"
check_eq "no -o is a usage error" "$rc" 2
run_cmd "$CHAFF" crawl -o - --resume "$TMP/seeds"
check_eq "--resume with -o - is a usage error" "$rc" 2
run_cmd "$CHAFF" crawl -n 3 -o "$TMP/refused.warc.gz" "$TMP/seeds"
check_eq "loopback refused without --allow-private: exit 1" "$rc" 1
check "refusal is reported" grep -q "refusing a loopback or private address" "$TMP/err"
check_eq "nothing reached the server" "$(wc -l <"$TMP/s1/log")" 0

# ---- the full crawl, scored as it goes ----
run_cmd "$CHAFF" crawl $common --score -o "$TMP/crawl.warc.gz" "$TMP/seeds"
check_eq "crawl exits 0" "$rc" 0
[ "$rc" -eq 0 ] || cat "$TMP/err" >&2
cp "$TMP/out" "$TMP/scores.jsonl"
check "archive published" test -s "$TMP/crawl.warc.gz"
check "no .open left" test ! -e "$TMP/crawl.warc.gz.open"
check "no journal left" test ! -e "$TMP/crawl.warc.gz.frontier"
run_cmd "$CHAFF" bulk "$TMP/crawl.warc.gz"
check_eq "chaff bulk reads the crawl's WARC" "$rc" 0
cp "$TMP/out" "$TMP/bulk.jsonl"

py "$TMP/s1/log" "$TMP/crawl.warc.gz" "$TMP/bulk.jsonl" "$TMP/scores.jsonl" "$A" "$B" <<'EOF'
import gzip, json, sys, zlib
log, warc, bulk, scores, A, B = sys.argv[1:7]
def ok(msg): print("ok", msg)
def check(cond, msg): print(("ok " if cond else "FAIL ") + msg)

reqs = []  # (time, port, path, ua)
for line in open(log):
    head, ua = line.rstrip("\n").split("\t", 1)
    t, port, method, path = head.split(" ", 3)
    reqs.append((float(t), port, path, ua))
paths = {(p, path) for _, p, path, _ in reqs}
check(all("chaff/" in ua and "+http" in ua for *_, ua in reqs), "every request names chaff and a contact URL")

# robots.txt: rules obeyed, fetched first and once per host
for bad_path in ["/private/oxycodone-prices", "/drugs/tramadol.cgi"]:
    check((A, bad_path) not in paths, "disallowed %s never fetched" % bad_path)
check((A, "/private/public-ibuprofen") in paths, "Allow wins as the longer match")
for port in (A, B):
    mine = [r for r in reqs if r[1] == port]
    check(mine and mine[0][2] == "/robots.txt", "robots.txt first on port %s" % port)
    check(sum(1 for r in mine if r[2] == "/robots.txt") == 1, "robots.txt fetched once on port %s" % port)

# focus and depth
for off in [(A, "/recipes/chocolate-cake"), (A, "/about-us"), (B, "/gardening/tomatoes"),
            (A, "/drugs/codeine-sponsored")]:
    check(off not in paths, "not followed: %s" % off[1])
check((A, "/drugs/ibuprofen/side-effects") in paths, "depth 2 page fetched")
check((A, "/drugs/ibuprofen/side-effects/rare") not in paths, "depth 3 page not fetched")
check((B, "/pharmacology/statins") in paths, "second host crawled")

# per-host spacing: Crawl-delay 0.3 s on A, --delay 0.2 s on B. The gaps
# (server clock) are printed, not asserted: a loaded machine stretches or
# bunches them; unit_frontier checks the spacing and Retry-After logic itself.
for port, gap in ((A, 0.3), (B, 0.2)):
    times = sorted(r[0] for r in reqs if r[1] == port)
    check(len(times) >= 2, "several requests to port %s (%d)" % (port, len(times)))
    if len(times) >= 2:
        least = min(b - a for a, b in zip(times, times[1:]))
        print("spacing on port %s: %d requests, least gap %.3f s (delay %.1f s)"
              % (port, len(times), least, gap))
busy = sorted(r[0] for r in reqs if r[2] == "/drugs/busy-insulin")
check(len(busy) == 2, "503 Retry-After: retried once (%d requests)" % len(busy))
if len(busy) == 2:
    print("503 Retry-After: 1 - retry after %.3f s" % (busy[1] - busy[0]))

# the WARC: one gzip member per record, request/response pairs, every page once
raw = open(warc, "rb").read()
members, rest = 0, raw
while rest:
    d = zlib.decompressobj(16 + 15)
    d.decompress(rest)
    check(d.eof, "gzip member %d complete" % members)
    rest, members = d.unused_data, members + 1
data = gzip.decompress(raw)
recs, i = [], 0
while i < len(data):
    end = data.index(b"\r\n\r\n", i)
    lines = data[i:end].decode().split("\r\n")
    fields = dict(l.split(": ", 1) for l in lines[1:])
    n = int(fields["Content-Length"])
    recs.append((lines[0], fields, data[end + 4:end + 4 + n]))
    assert data[end + 4 + n:end + 8 + n] == b"\r\n\r\n"
    i = end + 8 + n
check(members == len(recs), "%d records in %d gzip members" % (len(recs), members))
check(recs[0][1]["WARC-Type"] == "warcinfo", "warcinfo first")
check(all(v == "WARC/1.1" for v, _, _ in recs), "WARC/1.1 everywhere")
ids = {f["WARC-Record-ID"]: f for _, f, _ in recs}
resp = [(f, b) for _, f, b in recs if f["WARC-Type"] == "response"]
req = [f for _, f, _ in recs if f["WARC-Type"] == "request"]
check(len(resp) == len(req), "one request per response")
check(all(ids.get(f["WARC-Concurrent-To"], {}).get("WARC-Concurrent-To") == f["WARC-Record-ID"] for f, _ in resp),
      "request and response point at each other (WARC-Concurrent-To)")
urls = [f["WARC-Target-URI"] for f, _ in resp]
check(len(urls) == len(set(urls)), "every page written once")
fetched = {"http://127.0.0.1:%s%s" % (p, path) for p, path in paths if path != "/robots.txt"}
check(set(urls) == fetched, "every fetched page is in the WARC (%d)" % len(fetched))
by_url = {f["WARC-Target-URI"].split("/", 3)[3]: (f, b) for f, b in resp}
check(all(b.startswith(b"HTTP/1.1 ") for f, b in resp), "status lines are HTTP/1.1")
check(by_url["drugs/slow-amoxicillin"][0].get("WARC-Truncated") == "time", "slow page: WARC-Truncated: time")
check(by_url["drugs/huge-paracetamol"][0].get("WARC-Truncated") == "length", "oversized page: WARC-Truncated: length")
check(len(by_url["drugs/huge-paracetamol"][1]) < 64 * 1024 + 1024, "oversized page cut at --max-bytes")
check(by_url["downloads/chart"][0].get("WARC-Truncated") == "unspecified", "PDF: head kept, body not fetched")
check(by_url["old-aspirin"][1].startswith(b"HTTP/1.1 301"), "redirect hop recorded")
check("drugs/aspirin" in by_url, "redirect target recorded")
check(by_url["drugs/missing-warfarin"][1].startswith(b"HTTP/1.1 404"), "404 recorded")
check(b"\r\nX-Crawler-Transfer-Encoding: chunked\r\n" in by_url["drugs/naproxen"][1], "chunked: header renamed")
check(b"\r\nContent-Encoding: gzip\r\n" in by_url["drugs/metformin-dosage"][1], "gzip payload kept encoded")

# chaff bulk and --score agree with the archive
lines = [json.loads(l) for l in open(bulk)]
check(len(lines) == len(recs), "chaff bulk: one line per record")
check(sum(1 for l in lines if "label" in l) >= 8, "chaff bulk scored the pages")
sc = [json.loads(l) for l in open(scores)]
check(len(sc) == len(resp), "--score: one line per response")
s_by = {l["url"].split("/", 3)[3]: l for l in sc}
check("label" in s_by["drugs/ibuprofen"], "--score: a page is scored")
check(s_by["old-aspirin"].get("skipped") == "not 2xx", "--score: a redirect is skipped")
EOF

if command -v node >/dev/null && [ -d "$here/node/node_modules/warcio" ]; then
	run_cmd node "$here/node/warc_digests.mjs" "$TMP/crawl.warc.gz"
	check_eq "warcio reads the WARC and its digests match" "$rc" 0
	check "warcio recomputed digests" grep -q " 0 mismatched" "$TMP/out"
	[ "$rc" -eq 0 ] || grep -v "=ok" "$TMP/out" "$TMP/err" >&2
else
	echo "skip: node or tests/node/node_modules/warcio absent (npm install in tests/node)" >&2
fi

# ---- -o - piped into chaff bulk ----
echo "http://127.0.0.1:$B/" >"$TMP/seeds_b"
"$CHAFF" crawl --allow-private -n 3 --delay 100 -o - "$TMP/seeds_b" 2>"$TMP/err" |
	"$CHAFF" bulk - >"$TMP/pipe.jsonl" 2>"$TMP/err2"
check_eq "crawl -o - | bulk -: both exit 0" "${PIPESTATUS[*]}" "0 0"
check "bulk scored what the pipe carried" grep -q '"label"' "$TMP/pipe.jsonl"

# ---- chaff reads a WARC that wget wrote of the same site ----
if command -v wget >/dev/null; then
	(cd "$TMP" && wget -q -e robots=off --warc-file=wget -O /dev/null \
		"http://127.0.0.1:$A/drugs/ibuprofen" "http://127.0.0.1:$A/drugs/aspirin" \
		"http://127.0.0.1:$B/pharmacology/statins")
	run_cmd "$CHAFF" bulk "$TMP/wget.warc.gz"
	check_eq "chaff bulk reads wget's WARC" "$rc" 0
	check_eq "wget's three pages scored" "$(grep -c '"label"' "$TMP/out")" 3
else
	echo "skip: wget absent; wget WARC not read" >&2
fi

# ---- Crawl-delay over --max-crawl-delay: capped, and said so ----
run_cmd "$CHAFF" crawl --allow-private -n 2 -d 1 --delay 50 --max-crawl-delay 100 \
	-o "$TMP/capped.warc.gz" "$TMP/seeds"
check_eq "capped crawl exits 0" "$rc" 0
check "Crawl-delay capped and logged" grep -q "Crawl-delay of 300 ms capped at 100 ms" "$TMP/err"
kill "$spid"
A1=$A B1=$B

# ---- SIGKILL midway, then --resume ----
mkdir -p "$TMP/s2"
start_server "$TMP/s2"
echo "http://127.0.0.1:$A/" >"$TMP/seeds2"
out2="$TMP/killed.warc.gz"
"$CHAFF" crawl $common -o "$out2" "$TMP/seeds2" 2>"$TMP/err" &
cpid=$!
for _ in $(seq 200); do
	[ "$(wc -l <"$TMP/s2/log")" -ge 7 ] && break
	sleep 0.05
done
kill -9 "$cpid"
wait "$cpid" 2>/dev/null
check "killed crawl left OUT.open" test -s "$out2.open"
check "killed crawl left its journal" test -s "$out2.frontier"
check "killed crawl published nothing" test ! -e "$out2"
cp "$out2.open" "$TMP/snapshot.warc.gz"
"$CHAFF" bulk "$TMP/snapshot.warc.gz" >"$TMP/before.jsonl" 2>/dev/null
logged=$(wc -l <"$TMP/s2/log")
run_cmd "$CHAFF" crawl $common --resume -o "$out2" "$TMP/seeds2"
check_eq "resumed crawl exits 0" "$rc" 0
[ "$rc" -eq 0 ] || cat "$TMP/err" >&2
check "resume says where it starts" grep -q "resuming:" "$TMP/err"
check "resumed archive published" test -s "$out2"
check "no .open left after resume" test ! -e "$out2.open"
run_cmd "$CHAFF" bulk "$out2"
check_eq "chaff bulk reads the resumed WARC" "$rc" 0
cp "$TMP/out" "$TMP/after.jsonl"
if command -v node >/dev/null && [ -d "$here/node/node_modules/warcio" ]; then
	run_cmd node "$here/node/warc_digests.mjs" "$out2"
	check_eq "warcio reads the resumed WARC, digests match" "$rc" 0
fi
tail -n +"$((logged + 1))" "$TMP/s2/log" >"$TMP/s2/log.after"
py "$TMP/before.jsonl" "$TMP/after.jsonl" "$TMP/bulk.jsonl" "$TMP/s2/log.after" "$A" "$B" "$A1" "$B1" <<'EOF'
import json, sys
before, after, full, log_after, A, B, A1, B1 = sys.argv[1:9]
def check(cond, msg): print(("ok " if cond else "FAIL ") + msg)
def site(url, a, b):  # the same page of either server, whatever its ports
    return url.replace("127.0.0.1:%s/" % a, "A/").replace("127.0.0.1:%s/" % b, "B/")
def responses(path, a, b):
    return [site(l["url"], a, b) for l in map(json.loads, open(path)) if l.get("type") == "response"]
bef, aft, full = responses(before, A, B), responses(after, A, B), responses(full, A1, B1)
print("killed after %d pages; %d in the end" % (len(bef), len(aft)))
check(len(bef) >= 1, "the kill came after some pages were written")
check(len(aft) == len(set(aft)), "every page exactly once after resume")
check(sorted(aft) == sorted(full), "resumed crawl has the same pages as an uninterrupted one")
again = []
for l in open(log_after):
    t, port, method, path = l.split("\t")[0].split(" ", 3)
    again.append(site("http://127.0.0.1:%s%s" % (port, path), A, B))
refetched = [u for u in again if u in bef]
check(not refetched, "pages already written were not fetched again %s" % refetched)
lines = [json.loads(l) for l in open(after)]
check(sum(1 for l in lines if l["type"] == "warcinfo") == 1, "one warcinfo in the resumed archive")
EOF
kill "$spid"
summary
