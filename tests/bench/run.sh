#!/usr/bin/env bash
# run.sh - `make bench`: build a large .warc.gz from the real pages of
# $SHARED/realdata/html (tests/bench/mkwarc.py, kept in build/bench/ until
# the script changes), then print side by side, in one run: chaff scan-only
# vs the warcio npm package vs pigz -dc -p1; chaff bulk -j1 vs a bare Gumbo
# parse of the same pages vs readability-lxml; -j2 vs -j1; peak memory.
# Figures only, never asserted. Environment: RUNS (3), COPIES (each page
# written COPIES times, 3), CHAFF (./chaff), SHARED (../shared).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
SHARED=${SHARED:-$top/../shared}
RUNS=${RUNS:-3}
COPIES=${COPIES:-3}
CHAFF=${CHAFF:-$top/chaff}
out=$top/build/bench
html=$SHARED/realdata/html

if [ ! -f "$html/index.tsv" ]; then
	echo "bench: $html/index.tsv is absent: no pages to build the archive from" >&2
	exit 1
fi
for tool in pigz node /usr/bin/python3; do
	command -v "$tool" >/dev/null || echo "bench: $tool is missing; its row is n/a" >&2
done
[ -d tests/node/node_modules/warcio ] ||
	echo "bench: tests/node/node_modules/warcio is missing (npm install in tests/node)" >&2
/usr/bin/python3 -c 'import readability' 2>/dev/null ||
	echo "bench: python3-readability is missing (apt-get install python3-readability)" >&2
mkdir -p "$out"

archive=$out/bench-$COPIES.warc.gz
if [ ! -s "$archive" ] || [ tests/bench/mkwarc.py -nt "$archive" ]; then
	echo "bench: building $archive from $html ($COPIES copies of each page)..." >&2
	python3 tests/bench/mkwarc.py "$html" "$archive" --copies "$COPIES" \
		--list "$out/pages-$COPIES.list" || exit 1
	python3 tests/bench/mkwarc.py "$html" "$out/once.warc" --copies 1 --framing plain \
		--list "$out/pages-1.list" || exit 1
	rm -f "$out/once.warc"
fi
if [ ! -x "$out/gumbo_bare" ] || [ tests/bench/gumbo_bare.c -nt "$out/gumbo_bare" ]; then
	${CC:-cc} -O2 -o "$out/gumbo_bare" tests/bench/gumbo_bare.c -lgumbo -lz || exit 1
fi
python3 tests/bench/bench.py "$CHAFF" "$archive" "$out/pages-$COPIES.list" \
	"$out/pages-1.list" "$out" "$RUNS"

# The stages of scoring on the same pages: how much feature extraction adds
# to the Gumbo parse (issue 3 asks for at most 10%).
if [ ! -x "$out/stages" ] || [ tests/bench/stages.c -nt "$out/stages" ] ||
   [ build/libchaff.a -nt "$out/stages" ]; then
	${CC:-cc} -O2 -D_GNU_SOURCE -Iinclude -I. -std=c11 -o "$out/stages" tests/bench/stages.c \
		build/libchaff.a -lgumbo -llinear -lcurl -lz -lbrotlidec -lm -pthread || exit 1
fi
echo
"$out/stages" "$out/pages-1.list" "$RUNS"
