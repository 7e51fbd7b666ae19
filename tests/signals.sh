#!/usr/bin/env bash
# signals.sh - the acceptance lines of the signals: the five named signals
# and their evidence on the seeds, and their precision over the 639 real
# (non-pharmacy) pages of ../shared/realdata/html: price_blocks and
# placeholder_studies may fire on at most 2% of them.
. "$(dirname "$0")/lib.sh"
have_shared || { summary; exit; }

seeds=$SHARED/seeds
for n in 001 002 003; do
	"$CHAFF" features --json "$seeds/${n}_"*.txt > "$TMP/seed$n.json" || bad "features of seed $n"
done

# expect FILE PYTHON-EXPRESSION DESCRIPTION: s = signals, e = evidence
expect() {
	if python3 -c '
import json, re, sys
d = json.loads(open(sys.argv[1]).readline())
s, e = d["signals"], d["evidence"]
ev = lambda name: e.get(name, [])
has = lambda name, pat: any(re.search(pat, x) for x in ev(name))
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$1" "$2"; then ok; else bad "$3"; fi
}

f=$TMP/seed001.json
expect "$f" 'all(s[k] > 0 for k in ("repeated_sections", "price_blocks", "placeholder_studies", "truncated_references", "offtopic_widgets"))' \
	"seed 001: all five named signals non-zero"
expect "$f" 'has("price_blocks", r"per pill \(x3\)") and has("repeated_sections", r"per pill \(x3\)")' \
	"seed 001: the repeated price box is evidence"
expect "$f" 'sum(bool(re.search(r"et al\.|^Study \d|John Doe|Jane Doe", x)) for x in ev("placeholder_studies")) >= 3' \
	"seed 001: at least three placeholder study attributions"
expect "$f" 'has("truncated_references", r"et al\. \($")' \
	"seed 001: the reference entry that breaks off"
expect "$f" 'has("offtopic_widgets", r"^See also") and has("offtopic_widgets", r"^Tags:") and has("offtopic_widgets", r"^Leave a Reply")' \
	"seed 001: See also, Tags and Leave a Reply widgets"
expect "$TMP/seed002.json" 's["offtopic_widgets"] > 0 and has("offtopic_widgets", r"Kitchen")' \
	"seed 002: the kitchen teaser is off-topic"
for n in 002 003; do
	expect "$TMP/seed$n.json" 's["price_blocks"] == 0 and s["placeholder_studies"] == 0' \
		"seed $n: price_blocks and placeholder_studies are 0"
done

html=$SHARED/realdata/html
tail -n +2 "$html/index.tsv" | cut -f1 | sed "s|^|$html/|" > "$TMP/pages"
xargs -d '\n' "$CHAFF" features --json < "$TMP/pages" > "$TMP/real.jsonl" 2> "$TMP/real.err"
python3 - "$TMP/real.jsonl" "$(wc -l < "$TMP/pages")" > "$TMP/precision" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
total = int(sys.argv[2])
ok = [r for r in rows if "signals" in r]
print(len(rows) == total and len(ok) == total)
for name in ("price_blocks", "placeholder_studies"):
    fired = [r["target"].split("/html/")[-1] for r in ok if r["signals"][name] > 0]
    print(name, len(fired), len(ok), " ".join(fired))
PY
read -r all_read < "$TMP/precision"
check_eq "every real page gives features" "$all_read" True
while read -r name fired total pages; do
	echo "$name fires on $fired of $total real pages${pages:+: $pages}" >&2
	check "$name fires on at most 2% of the real pages ($fired/$total)" \
		[ $((fired * 100)) -le $((total * 2)) ]
done < <(tail -n +2 "$TMP/precision")
summary
