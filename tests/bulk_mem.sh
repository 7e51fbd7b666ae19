#!/usr/bin/env bash
# bulk_mem.sh - chaff bulk -j 2 over 10,000 records (a crawl-like archive
# built in $TMP from the real pages of $SHARED/realdata/html: warcinfo, then
# request, response and metadata per page) scores every page, writes one
# line per record in input order, and keeps its peak RSS under 100 MB.
# Given a sanitizer build (make check), whose shadow memory and quarantine
# dwarf the bound, it checks that build's output and measures the plain one
# named by $CHAFF_PLAIN (skipping the bound when there is none).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
have_shared || { summary; exit; }

records=10000
limit_kb=$((100 * 1024))
archive=$TMP/crawl.warc.gz
python3 "$top/tests/bench/mkwarc.py" "$SHARED/realdata/html" "$archive" --records "$records"
check "mkwarc.py built no archive" test -s "$archive"

# run_bulk CHAFF: bulk -j 2 over the archive into $TMP/out.jsonl and
# err.txt; prints the exit status and the peak RSS in KB, from the kernel's
# own accounting of the child (ru_maxrss).
run_bulk() {
	python3 - "$1" "$archive" "$TMP" <<'EOF'
import resource, subprocess, sys
chaff, archive, tmp = sys.argv[1:4]
with open(tmp + '/out.jsonl', 'wb') as out, open(tmp + '/err.txt', 'wb') as err:
    rc = subprocess.call([chaff, 'bulk', '-j', '2', '--no-progress', archive],
                         stdout=out, stderr=err)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
}

# check_output WHICH: one line per record, every response scored, in order.
check_output() {
	check_eq "lines out for $records records in ($1)" "$(wc -l <"$TMP/out.jsonl")" "$records"
	scored=$(grep -c '"label"' "$TMP/out.jsonl")
	check_eq "responses scored ($1)" "$scored" $(((records - 1) / 3))
	check "summary does not count $records records ($1)" \
		grep -q ": $records records, $scored scored" "$TMP/err.txt"
	# The record ids count up 1, 2, 3...: lines in input order.
	python3 - "$TMP/out.jsonl" <<'EOF' >"$TMP/order"
import json, sys
ids = [int(json.loads(l)['record_id'][-13:-1]) for l in open(sys.argv[1], encoding='utf-8')]
print('ok' if ids == list(range(1, len(ids) + 1)) else 'out of order')
EOF
	check_eq "lines in input order ($1)" "$(cat "$TMP/order")" ok
}

measured=yes
if grep -aq -m1 "__asan_init" "$CHAFF"; then
	run_bulk "$CHAFF" >"$TMP/peak"
	read -r rc peak <"$TMP/peak"
	echo "bulk -j 2 on $records records, ASan build: peak RSS $((peak / 1024)) MB" >&2
	check_eq "exit status (ASan build)" "$rc" 0
	check_output "ASan build"
	# The bound is measured on a plain build, given as $CHAFF_PLAIN (make
	# check builds build/chaff first and passes it); never built here.
	plain=${CHAFF_PLAIN:-}
	if [ -n "$plain" ] && [ -x "$plain" ] && ! grep -aq -m1 "__asan_init" "$plain"; then
		CHAFF=$plain
	else
		measured=
		echo "skip: no plain build in CHAFF_PLAIN (${plain:-unset}); peak memory not asserted" >&2
	fi
fi
if [ -n "$measured" ]; then
	run_bulk "$CHAFF" >"$TMP/peak"
	read -r rc peak <"$TMP/peak"
	echo "bulk -j 2 on $records records: peak RSS $((peak / 1024)) MB, exit $rc" >&2
	check_eq "exit status" "$rc" 0
	check_output "$(basename "$(dirname "$CHAFF")")/chaff"
	check "peak RSS $((peak / 1024)) MB over 100 MB" test "$peak" -lt "$limit_kb"
fi
summary
