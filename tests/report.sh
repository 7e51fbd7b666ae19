#!/usr/bin/env bash
# report.sh - chaff report: JSON Lines of a bulk run -> one HTML page.
# Command-line behaviour, malformed and hostile input, a million lines in
# bounded memory, and the page as headless Chromium shows it (screenshots
# under $CHAFF_BUILD/report/ for a person to look at).
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
gen="$here/report/gen.py"
shots="${CHAFF_BUILD:-build}/report"
mkdir -p "$shots"

# count PATTERN FILE: lines of FILE matching PATTERN (grep -c without its exit 1)
count() { grep -c -- "$1" "$2" || true; }
# rows FILE: rows of the page table
rows() { sed -n '/<table id="pages">/,/<\/table>/p' "$1" | grep -c '<tr data-label=' || true; }

# --- the command line ---------------------------------------------------
run_cmd "$CHAFF" report
check_eq "no input: usage error" "$rc" 2
check "no input: says why" grep -q "no input given" "$TMP/err"
run_cmd "$CHAFF" report --top 0 x.jsonl
check_eq "--top 0: usage error" "$rc" 2
run_cmd "$CHAFF" report --top 2001 x.jsonl
check_eq "--top over the maximum: usage error" "$rc" 2
run_cmd "$CHAFF" report -h
check_eq "help: exit 0" "$rc" 0
check "help: on stdout" grep -q "usage: chaff report" "$TMP/out"
run_cmd "$CHAFF" help
check "listed in chaff help" grep -q "^  report " "$TMP/out"

# --- a synthetic run with broken lines ---------------------------------
python3 "$gen" lines 3000 --malformed 4 >"$TMP/syn.jsonl"
run_cmd "$CHAFF" report -o "$TMP/syn.html" "$TMP/syn.jsonl"
check_eq "malformed lines: exit 1" "$rc" 1
check_eq "malformed lines: each reported with its line" \
	"$(count "syn.jsonl:[0-9]*: " "$TMP/err")" 4
check "malformed lines: line numbers" grep -q "syn.jsonl:750: " "$TMP/err"
check "summary on stderr" grep -q "3000 lines: .* 4 malformed" "$TMP/err"
check "page written despite malformed lines" test -s "$TMP/syn.html"
check_eq "stdout empty with -o" "$(wc -c <"$TMP/out")" 0
check_eq "no temporary file left" "$(ls "$TMP" | grep -c '\.tmp$' || true)" 0
check_eq "default table: 500 rows" "$(rows "$TMP/syn.html")" 500
check "policy first in <head>" grep -q "^<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-" "$TMP/syn.html"
check_eq "one script element" "$(grep -o '<script' "$TMP/syn.html" | wc -l)" 1
check_eq "nothing external" "$(grep -Eo '(src|href)="(https?:)?//[^"]*' "$TMP/syn.html" | grep -v '^href=' | wc -l)" 0
for id in overview probabilities hosts signals review table notes; do
	check "section $id" grep -q "<section id=\"$id\">" "$TMP/syn.html"
done
check_eq "a histogram per label" "$(sed -n '/id="probabilities"/,/<\/section>/p' "$TMP/syn.html" | grep -c '<svg')" 3
check "skip reasons listed" grep -q '<td class="pd">not 2xx</td>' "$TMP/syn.html"
check "failures listed by kind" grep -q '<td class="pd">content decoding failed</td>' "$TMP/syn.html"

# Same lines, same bytes; stdin works like a file.
"$CHAFF" report -o "$TMP/again.html" "$TMP/syn.jsonl" 2>/dev/null
check "same input, same page" cmp -s "$TMP/syn.html" "$TMP/again.html"
"$CHAFF" report --top 50 - <"$TMP/syn.jsonl" >"$TMP/stdin.html" 2>"$TMP/err"
check_eq "stdin and --top 50" "$(rows "$TMP/stdin.html")" 50
check "stdin named in messages" grep -q "^chaff: report: (stdin):750: " "$TMP/err"

# Missing input: reported, the rest still read, exit 1.
run_cmd "$CHAFF" report -o "$TMP/two.html" "$TMP/nope.jsonl" "$TMP/syn.jsonl"
check_eq "missing input: exit 1" "$rc" 1
check "missing input: named" grep -q "nope.jsonl: No such file" "$TMP/err"
check "missing input: the others still read" grep -q "3000 lines" "$TMP/err"

# Blank lines, CRLF, a byte order mark, no final newline, over-long lines.
printf '\xef\xbb\xbf{"url":"https://a.example/","label":"thin","scores":{"thin":0.8,"reliable":0.2}}\r\n\n  \n{"skipped":"request"}\r\n{"x":"%0900d"}\n{"label":"reliable","scores":{"reliable":0.9,"thin":0.1}}' 7 >"$TMP/edge.jsonl"
run_cmd "$CHAFF" report --max-line 1k -o "$TMP/edge.html" "$TMP/edge.jsonl"
check_eq "edge lines: exit 0" "$rc" 0
check "edge lines: counted" grep -q "6 lines: 2 scored, 1 skipped, 0 failed, 0 malformed" "$TMP/err"
printf '{"x":"%02000d"}\n{"skipped":"request"}\n' 7 >"$TMP/long.jsonl"
run_cmd "$CHAFF" report --max-line 1k -o "$TMP/long.html" "$TMP/long.jsonl"
check_eq "over-long line: exit 1" "$rc" 1
check "over-long line: reported" grep -q "long.jsonl:1: line longer than 1024 bytes" "$TMP/err"
check "over-long line: the next one read" grep -q "1 skipped" "$TMP/err"

# Other label names are data.
printf '{"url":"https://b.example/","label":"spam","scores":{"ham":0.1,"spam":0.9}}\n' >"$TMP/labels.jsonl"
run_cmd "$CHAFF" report --good ham -o "$TMP/labels.html" "$TMP/labels.jsonl"
check_eq "other labels: exit 0" "$rc" 0
check "other labels: host table for the flagged one" grep -q 'Hosts with the most .*spam' "$TMP/labels.html"

# Heavy hosts among far more distinct hosts than the counters per label:
# found, in order, each once, with their exact counts.
python3 - >"$TMP/heavy.jsonl" <<'EOF'
import random
rng = random.Random(3)
lines = []
for h in range(1, 6):
    lines += ['{"url":"https://heavy%d.example/p%d","label":"pharmacy_spam",'
              '"scores":{"pharmacy_spam":0.9,"reliable":0.1}}' % (h, i) for i in range(1100 - 100 * h)]
lines += ['{"url":"https://one%d.example/","label":"pharmacy_spam",'
          '"scores":{"pharmacy_spam":0.8,"reliable":0.2}}' % i for i in range(20000)]
lines += ['{"url":"https://heavy1.example/r%d","label":"reliable",'
          '"scores":{"pharmacy_spam":0.1,"reliable":0.9}}' % i for i in range(1000)]
rng.shuffle(lines)
print("\n".join(lines))
EOF
"$CHAFF" report -o "$TMP/heavy.html" "$TMP/heavy.jsonl" 2>/dev/null
sed -n '/Hosts with the most/,/<\/table>/p' "$TMP/heavy.html" |
	sed -n 's|.*<td class="n">\([0-9]\)</td><td class="pd">\([^<]*\)</td><td class="n">\([^<]*\)</td>.*<td class="n">\([^<]*\)</td><td class="n">[^<]*</td><td><svg.*|\1 \2 \3 \4|p' |
	head -n 6 >"$TMP/heavy.top"
check_eq "heavy hosts: found in order with their counts" "$(head -n 5 "$TMP/heavy.top" | tr '\n' ' ')" \
	"1 heavy1.example 1,000 2,000 2 heavy2.example 900 900 3 heavy3.example 800 800 4 heavy4.example 700 700 5 heavy5.example 600 600 "
check_eq "heavy hosts: each listed once" \
	"$(sed -n '/Hosts with the most/,/<\/table>/p' "$TMP/heavy.html" | grep -o 'heavy[0-9].example' | sort | uniq -d | wc -l)" 0

# The longest strings, the most labels and signals: the page stays small.
python3 - >"$TMP/worst.jsonl" <<'EOF'
import json
q = '"&<' * 700
labels = ["l%02d_%s" % (i, "x" * 50) for i in range(16)]
for i in range(600):
    print(json.dumps({
        "url": "https://h%d.example/%s" % (i, q), "title": q, "label": labels[i % 16],
        "scores": {l: 1 / 16 for l in labels},
        "signals": {("s%03d_" % k) + "y" * 70: 1 for k in range(128)},
        "evidence": {("s%03d_" % k) + "y" * 70: [q, q] for k in range(6)},
        "top": [{"feature": q[:200], "contribution": 1.0}] * 10,
        "skipped" if i % 50 == 0 else "x": "reason %d %s" % (i, q[:100])}))
EOF
run_cmd "$CHAFF" report --good none -o "$TMP/worst.html" "$TMP/worst.jsonl"
size=$(wc -c <"$TMP/worst.html")
check_eq "worst-case strings: exit 0" "$rc" 0
check "worst-case strings: page under 2 MiB with the defaults ($size bytes)" test "$size" -lt 2097152

# --- hostile strings ----------------------------------------------------
python3 "$gen" hostile >"$TMP/hostile.jsonl"
run_cmd "$CHAFF" report --title 'hostile <script>window.__pwned=1</script>' \
	-o "$TMP/hostile.html" "$TMP/hostile.jsonl"
check_eq "hostile: exit 0" "$rc" 0
check_eq "hostile: still one script element" "$(grep -o '<script' "$TMP/hostile.html" | wc -l)" 1
check_eq "hostile: no markup from the data" \
	"$(grep -Eo '<(img|svg onload|iframe|style>body)' "$TMP/hostile.html" | wc -l)" 0
check_eq "hostile: no javascript: or data: link" \
	"$(grep -Eio 'href="(javascript|data):' "$TMP/hostile.html" | wc -l)" 0
check "hostile: shown escaped" grep -q '&lt;script&gt;window.__pwned=1;' "$TMP/hostile.html"
check "hostile: valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$TMP/hostile.html"
cp "$TMP/hostile.html" "$shots/hostile.html"

# --- score --json output ------------------------------------------------
if have_shared; then
	"$CHAFF" score --json "$SHARED"/seeds/00[0-2]_*.txt "$TMP/missing.html" \
		>"$TMP/score.jsonl" 2>/dev/null
	run_cmd "$CHAFF" report -o "$TMP/score.html" "$TMP/score.jsonl"
	check_eq "score --json: exit 0" "$rc" 0
	check "score --json: counted" grep -q "4 lines: 3 scored, 0 skipped, 1 failed" "$TMP/err"
	check_eq "score --json: 3 rows" "$(rows "$TMP/score.html")" 3
fi

# --- a million lines in bounded memory ---------------------------------
python3 "$gen" measure 1000000 "$CHAFF" "$TMP/million.html" >"$TMP/measure" 2>"$TMP/err"
read -r _ mrc _ rss _ secs <"$TMP/measure"
size=$(wc -c <"$TMP/million.html")
echo "report of 1,000,000 lines: peak RSS ${rss} kB, page ${size} bytes, ${secs} s" >&2
check_eq "million lines: exit 0" "$mrc" 0
check "million lines: all read" grep -q "1000000 lines: " "$TMP/err"
check "million lines: peak RSS under 100 MB (${rss} kB)" test "$rss" -lt 100000
check "million lines: page under 5 MB ($size bytes)" test "$size" -lt 5000000
check_eq "million lines: 500 rows" "$(rows "$TMP/million.html")" 500

# --- in a real browser --------------------------------------------------
# browse NAME HTML MODE [ARGS]: run the Chromium checks, one ok/bad each.
browse() {
	local name=$1 html=$2 mode=$3 line
	shift 3
	node "$here/report/browse.mjs" --html "$html" --out "$shots" --name "$name" \
		--mode "$mode" "$@" >"$TMP/browse" 2>&1
	while IFS= read -r line; do
		case $line in
		ok\ *) ok ;;
		fail\ *) bad "chromium $name: ${line#fail }" ;;
		esac
	done <"$TMP/browse"
	grep -q '^ok no-errors-logged' "$TMP/browse" || bad "chromium $name: did not finish"
}
if [ -x /usr/bin/chromium ] && command -v node >/dev/null; then
	cp "$TMP/syn.html" "$shots/synthetic.html"
	browse synthetic "$shots/synthetic.html" normal --rows 500
	browse hostile "$shots/hostile.html" hostile
	# Without its policy the page must still run nothing from the data.
	browse hostile-no-csp "$shots/hostile.html" hostile --strip-csp
	if have_shared; then
		w=$SHARED/realdata/warc
		"$CHAFF" bulk -j 2 --no-progress -o "$TMP/real.jsonl" \
			"$w/chatnoir-eu__chatnoir-resiliparse/tests/data/warcfile.warc.gz" \
			"$w/webrecorder__pywb/sample_archive/warcs/iana.warc.gz" 2>/dev/null
		run_cmd "$CHAFF" report --title "real archives" -o "$shots/real.html" "$TMP/real.jsonl"
		check_eq "real bulk output: exit 0" "$rc" 0
		scored=$(grep -c '"label":' "$TMP/real.jsonl" || true)
		check "real bulk output: pages scored" test "$scored" -gt 0
		browse real "$shots/real.html" normal --rows "$scored"
	fi
	echo "screenshots: $shots/*.png" >&2
else
	echo "skip: /usr/bin/chromium or node is absent; the page was not checked in a browser" >&2
fi

summary
