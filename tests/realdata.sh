#!/usr/bin/env bash
# realdata.sh - the seeds get their labels; the 639 real pages of
# ../shared/realdata/html score in one invocation, one line each, and
# (none being a pharmacy) at most 0.5% of them come out pharmacy_spam.
. "$(dirname "$0")/lib.sh"
have_shared || { summary; exit; }

seeds=$SHARED/seeds
while IFS=$'\t' read -r file label _; do
	[ "$file" = file ] && continue
	got=$("$CHAFF" score --json "$seeds/$file" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline()).get("label"))')
	check_eq "seed $file" "$got" "$label"
done < "$seeds/labels.tsv"

html=$SHARED/realdata/html
tail -n +2 "$html/index.tsv" | cut -f1 | sed "s|^|$html/|" > "$TMP/pages"
total=$(wc -l < "$TMP/pages")
xargs -d '\n' timeout 900 "$CHAFF" score --json < "$TMP/pages" > "$TMP/real.jsonl" 2> "$TMP/real.err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then bad "scoring the real pages exited $rc"; fi
lines=$(wc -l < "$TMP/real.jsonl")
check_eq "one line per real page" "$lines" "$total"
python3 - "$TMP/real.jsonl" "$total" > "$TMP/real.summary" <<'PY'
import json, sys
path, total = sys.argv[1], int(sys.argv[2])
labels, errors, bad = {}, 0, 0
spam = []
for line in open(path, encoding="utf-8"):
    try:
        d = json.loads(line)
    except ValueError:
        bad += 1
        continue
    if "error" in d:
        errors += 1
        continue
    labels[d["label"]] = labels.get(d["label"], 0) + 1
    if d["label"] == "pharmacy_spam":
        spam.append(d["target"])
print(bad, errors, labels.get("pharmacy_spam", 0), " ".join(f"{k}={v}" for k, v in sorted(labels.items())))
for s in spam:
    print("  pharmacy_spam:", s)
PY
read -r badjson errors spam dist < "$TMP/real.summary"
check_eq "every line is JSON" "$badjson" 0
echo "real pages: $dist, errors $errors, pharmacy_spam $spam of $total" >&2
tail -n +2 "$TMP/real.summary" >&2
# at most 0.5%: 3 of 639
limit=$((total / 200))
if [ "$spam" -le "$limit" ]; then ok; else bad "pharmacy_spam on $spam real pages (limit $limit)"; fi
if [ "$errors" -le $((total / 100)) ]; then ok; else bad "$errors real pages failed"; fi
summary
