#!/usr/bin/env bash
# golden.sh [--update] - `chaff features --json` of a fixed set of pages
# against the files in tests/golden/. With --update (`make golden`) the
# files are rewritten; review the diff before committing it.
#
# Pages of this project (tests/golden/pages/, corpus/) keep their whole
# output, evidence included. Pages from ../shared (the seeds, real pages)
# keep only signal values and evidence counts: their text must not be
# copied into the project.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
golden=$top/tests/golden
update=false
[ "${1:-}" = --update ] && update=true

corpus_pages="
pharmacy_spam/apexrx-sildenafil-1.html
pharmacy_spam/curamed-gabapentin-1.html
reliable/ashford-metformin-1.html
reliable/northvale-lisinopril-1.txt
thin/hbd-metformin-1.html
thin/quickpill-amoxicillin-1.txt
"
real_pages="
postlight/www.mentalfloss.com.html
trafilatura/link.springer.com.1007.html
trafilatura/thebalance.com.coinbase.html
readability/nytimes-5.html
"

# normalize NAME MODE < json : the stable form of one page's features
normalize() {
	python3 -c '
import json, sys
name, mode = sys.argv[1], sys.argv[2]
d = json.loads(sys.stdin.readline())
if "error" in d:
    out = {"page": name, "error": d["error"]}
elif mode == "full":
    out = {"page": name, "title": d["title"], "signals": d["signals"],
           "evidence": d["evidence"], "nterms": d["nterms"]}
else:
    out = {"page": name, "signals": d["signals"],
           "evidence_counts": {k: len(v) for k, v in d["evidence"].items()}}
print(json.dumps(out, indent=1, ensure_ascii=False))
' "$1" "$2"
}

pages=0
declare -A compared=()  # golden file names (without .json) accounted for
# one PATH NAME MODE
one() {
	local path=$1 name=$2 mode=$3 want=$golden/$2.json
	pages=$((pages + 1))
	compared[$name]=1
	if ! "$CHAFF" features --json "$path" 2>"$TMP/err" | normalize "$name" "$mode" >"$TMP/got"; then
		bad "$name: chaff features failed: $(cat "$TMP/err")"
		return
	fi
	if $update; then
		cp "$TMP/got" "$want"
		ok
	elif [ ! -f "$want" ]; then
		bad "$name: no golden file (run make golden)"
	elif cmp -s "$TMP/got" "$want"; then
		ok
	else
		bad "$name: features differ from $want (make golden rewrites it):"
		diff "$want" "$TMP/got" | head -20 >&2
	fi
}

for f in "$golden"/pages/*; do
	one "$f" "page-$(basename "$f")" full
done
# gone PATH NAME: a listed page is missing, so its golden file goes unchecked
gone() {
	bad "$1 is gone; its golden file is unchecked"
	compared[$2]=gone
}
for f in $corpus_pages; do
	name=corpus-${f//\//-}
	if [ -f "$top/corpus/$f" ]; then one "$top/corpus/$f" "$name" full; else gone "corpus/$f" "$name"; fi
done
shared=false
if have_shared; then
	shared=true
	for f in "$SHARED"/seeds/0*.txt; do
		one "$f" "seed-$(basename "$f" .txt)" values
	done
	for f in $real_pages; do
		name=real-${f//\//-}
		if [ -f "$SHARED/realdata/html/$f" ]; then
			one "$SHARED/realdata/html/$f" "$name" values
		else
			gone "$SHARED/realdata/html/$f" "$name"
		fi
	done
fi
check "no page compared" [ "$pages" -gt 0 ]
# Every golden file was compared: none is left over from a page gone or
# no longer listed. Those of $SHARED pages wait for $SHARED.
unshared=0
for g in "$golden"/*.json; do
	[ -f "$g" ] || continue
	name=$(basename "$g" .json)
	[ -n "${compared[$name]:-}" ] && continue
	case $name in
	seed-* | real-*) if ! $shared; then unshared=$((unshared + 1)); continue; fi ;;
	esac
	bad "tests/golden/$name.json was never compared (its page is gone or no longer listed)"
done
[ "$unshared" -eq 0 ] ||
	echo "skip: $unshared golden files of pages in $SHARED not compared" >&2
summary
