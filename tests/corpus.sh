#!/usr/bin/env bash
# corpus.sh - the shipped corpus is whole: every row points at a page, every
# page has one row, every label has >= 100 pages from >= 15 sites, and some
# pages of each label are plain text; 'none' holds the background pages.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../corpus" || exit 2

python3 - <<'PY' > "$TMP/corpus.out"
import collections, os
rows, problems = [], []
seen = set()
for n, line in enumerate(open("labels.tsv", encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if not line or line.startswith("#") or line.startswith("path\t"):
        continue
    f = line.split("\t")
    if len(f) != 4:
        problems.append(f"labels.tsv:{n}: {len(f)} fields, want 4")
        continue
    path, label, url, site = f
    if not os.path.isfile(path):
        problems.append(f"labels.tsv:{n}: {path}: no such file")
    if path in seen:
        problems.append(f"labels.tsv:{n}: {path}: listed twice")
    seen.add(path)
    rows.append((path, label, site))
for d in sorted({p.split("/")[0] for p, _, _ in rows}):
    for name in os.listdir(d):
        if f"{d}/{name}" not in seen:
            problems.append(f"{d}/{name}: page without a row")
by_label = collections.defaultdict(list)
for path, label, site in rows:
    by_label[label].append((path, site))
for label, items in sorted(by_label.items()):
    sites = {s for _, s in items}
    txt = sum(p.endswith(".txt") for p, _ in items)
    print(f"LABEL {label} {len(items)} {len(sites)} {txt}")
for p in problems:
    print("PROBLEM", p)
PY
while read -r kind a b c d; do
	case $kind in
	LABEL)
		echo "corpus: $a: $b pages, $c sites, $d plain text" >&2
		if [ "$b" -ge 100 ]; then ok; else bad "$a has $b pages (< 100)"; fi
		if [ "$c" -ge 15 ]; then ok; else bad "$a has $c sites (< 15)"; fi
		if [ "$d" -ge 5 ]; then ok; else bad "$a has $d plain-text pages (< 5)"; fi
		;;
	PROBLEM) bad "$a $b $c $d";;
	esac
done < "$TMP/corpus.out"
labels=$(grep -c '^LABEL' "$TMP/corpus.out")
check_eq "three labels and the background (none)" "$labels" 4
summary
