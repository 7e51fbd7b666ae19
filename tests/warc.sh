#!/usr/bin/env bash
# warc.sh - chaff bulk over every real archive under $SHARED/realdata/warc:
# no crash, no hang; records in = lines out (also with -j 2 and scoring);
# damage reported with its offset on stderr and as a line; and the same
# records, with the same WARC-Record-IDs and target URIs in the same order,
# as the warcio npm package (tests/node) reads from every file it reads
# cleanly. For the files it does not, what chaff must read is written below.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$SHARED/realdata/warc
have_shared || { summary; exit; }

warcio=yes
if ! command -v node >/dev/null || [ ! -d "$top/tests/node/node_modules/warcio" ]; then
	echo "skip: node or tests/node/node_modules/warcio is absent (npm install in tests/node);" \
	     "comparison with warcio not run" >&2
	warcio=
fi

# Files that are not WARC: refused with a clear message, nothing read.
foreign='\.(arc|arc\.gz|wacz|bz2|lz4)$'

# Files warcio reads without complaint but wrongly. example-wrong-chunks
# splits a response over two gzip members; warcio.js then silently drops the
# request record after it (its Content-Length, block and payload digests show
# the response really is 1613 bytes, as chaff reads it).
declare -A warcio_misses=(
	[webrecorder__warcio/test/data/example-wrong-chunks.warc.gz]="response request"
)

# Broken files: the records chaff must read ("type:id-suffix" in order, id
# suffix "-" for none) and the damage it must report ("offset:what").
declare -A want_records want_damage
want_records[chatnoir-eu__chatnoir-resiliparse/tests/data/clipped.warc.gz]="response:d07bb5>"
want_damage[chatnoir-eu__chatnoir-resiliparse/tests/data/clipped.warc.gz]="0:truncated"
f=webrecorder__warcio/history_59198eb/test/data/standard-torture-validate-field.warc
want_records[$f]="does-not-exist:validate-field> invalid:- request:-"
want_damage[$f]="1465:malformed"
f=webrecorder__warcio/test/data/example-wrong-chunks.warc.gz
want_records[$f]="response:574b2f432b7e> request:68cecd628908>"
want_damage[$f]="0:warning"
for f in webrecorder__warcio/test/data/example-trunc.warc \
         webrecorder__warcio.js/test/data/example-bad-length.warc; do
	want_damage[$f]="1197:warning"
done
want_damage[webrecorder__pywb/sample_archive/warcs/example.warc]="4061:warning"
for f in webrecorder__warcio/history_59198eb/test/data/example-digest-bad.warc.test \
         webrecorder__warcio/history_59198eb/test/data/example.warc.test \
         webrecorder__warcio/history_59198eb/test/data/standard-torture-validate-field.warc.test \
         webrecorder__warcio/history_59198eb/test/data/standard-torture-validate-record.warc.test; do
	want_records[$f]=""  # validator output, not WARC: one "malformed" line
	want_damage[$f]="0:malformed"
done

# check_lines JSONL STDERR NAME: every line well-formed, damage lines carry
# their offset, and stderr names each one. Prints the records as
# "type<TAB>record-id<TAB>url" to records.tsv and the damage as
# "offset:kind" lines to damage.txt.
check_lines() {
	python3 - "$@" <<'EOF'
import json, re, sys
out, err, name = sys.argv[1], sys.argv[2], sys.argv[3]
problems = []
records, damage = [], []
lines = open(out, encoding='utf-8').read().splitlines()
msgs = open(err, encoding='utf-8', errors='replace').read().splitlines()
offsets = set()
for m in msgs:
    hit = re.match(r'chaff: bulk: .*?: offset (\d+): ', m)
    if hit:
        offsets.add(int(hit.group(1)))
for n, line in enumerate(lines, 1):
    try:
        o = json.loads(line)
    except ValueError:
        problems.append('line %d is not JSON' % n)
        continue
    if not isinstance(o.get('offset'), int) or 'warc_file' not in o:
        problems.append('line %d has no warc_file or offset' % n)
        continue
    if o.get('skipped') == 'malformed':
        if not re.match(r'offset %d: ' % o['offset'], o.get('error', '')):
            problems.append('line %d: malformed without its offset: %s' % (n, o.get('error')))
        damage.append('%d:malformed' % o['offset'])
    else:
        records.append('\t'.join([o.get('type', ''), o.get('record_id', ''), o.get('url', '')]))
        if o.get('skipped') == 'truncated':
            damage.append('%d:truncated' % o['offset'])
        elif 'warning' in o:
            damage.append('%d:warning' % o['offset'])
    if (o.get('skipped') in ('malformed', 'truncated') or 'warning' in o) and \
            o['offset'] not in offsets:
        problems.append('line %d: offset %d not reported on stderr' % (n, o['offset']))
total = [m for m in msgs if re.match(r'chaff: bulk: .*: \d+ records, ', m)]
if not total or int(re.search(r': (\d+) records, ', total[-1]).group(1)) != len(lines):
    problems.append('summary on stderr does not count %d lines' % len(lines))
open('records.tsv', 'w').write(''.join(r + '\n' for r in records))
open('damage.txt', 'w').write(''.join(d + '\n' for d in damage))
for p in problems:
    print('%s: %s' % (name, p))
EOF
}

# is_subsequence A B: every line of A appears in B, in order.
is_subsequence() {
	python3 -c '
import sys
a = [l for l in open(sys.argv[1]).read().splitlines() if l]
b = open(sys.argv[2]).read().splitlines()
i = 0
for l in b:
    if i < len(a) and a[i] == l:
        i += 1
sys.exit(0 if i == len(a) else 1)' "$1" "$2"
}

cd "$TMP" || exit 2
nfiles=0 nclean=0
while IFS= read -r -d '' path; do
	f=${path#"$dir"/}
	nfiles=$((nfiles + 1))
	timeout 60 "$CHAFF" bulk --scan-only -j 1 --no-progress "$path" >out.jsonl 2>err.txt
	rc=$?
	if [ "$rc" -gt 1 ]; then
		bad "$f: chaff bulk exited $rc (crash or hang)"
		continue
	fi
	ok
	if [[ $f =~ $foreign ]]; then
		check_eq "$f: lines for a file that is not WARC" "$(wc -l <out.jsonl)" 0
		check "$f: refused with a reason" grep -q "not supported" err.txt
		check_eq "$f: exit status" "$rc" 1
		continue
	fi
	problems=$(check_lines out.jsonl err.txt "$f")
	check_eq "$f: lines well-formed and damage reported" "$problems" ""
	if [ -s damage.txt ] && grep -qv ':warning$' damage.txt; then
		check_eq "$f: exit status after damage" "$rc" 1
	else
		check_eq "$f: exit status" "$rc" 0
	fi

	# Output in input order whatever the threads: -j 2 writes the same lines.
	timeout 60 "$CHAFF" bulk --scan-only -j 2 --no-progress "$path" >out2.jsonl 2>/dev/null
	check "$f: -j 2 output differs from -j 1" cmp -s out.jsonl out2.jsonl

	if [ -n "${want_records[$f]+set}" ]; then
		got="" want=""
		while IFS=$'\t' read -r type id _; do
			got="$got${got:+ }$type:${id:--}"
		done <records.tsv
		for w in ${want_records[$f]}; do
			# Expected ids are suffixes: take as much of the real id.
			id=${got#*"${w%%:*}:"} id=${id%% *}
			case $id in *"${w#*:}") want="$want${want:+ }${w%%:*}:$id" ;;
			            *) want="$want${want:+ }$w" ;; esac
		done
		check_eq "$f: records read around the damage" "$got" "$want"
	fi
	if [ -n "${want_damage[$f]+set}" ]; then
		check "$f: damage ${want_damage[$f]} not reported" grep -qx "${want_damage[$f]}" damage.txt
	fi

	[ -n "$warcio" ] || continue
	node "$top/tests/node/warcio_list.mjs" "$path" >warcio.tsv 2>warcio.err
	status=$(tail -n 1 warcio.err)
	case $status in
	clean*)
		nclean=$((nclean + 1))
		if [ -n "${warcio_misses[$f]+set}" ]; then
			check "$f: chaff lost a record warcio read" is_subsequence warcio.tsv records.tsv
			check_eq "$f: types of the records warcio misses" \
				"$(cut -f1 records.tsv | paste -sd' ')" "${warcio_misses[$f]}"
		elif ! cmp -s warcio.tsv records.tsv; then
			bad "$f: records differ from warcio's (< warcio, > chaff):"
			diff warcio.tsv records.tsv | head -n 10 >&2
		else
			ok
		fi
		;;
	*)
		# warcio complained: every record it found with an id, chaff finds too.
		cut -f2 warcio.tsv | grep -v '^$' >warcio.ids
		cut -f2 records.tsv >chaff.ids
		check "$f: a record warcio read is missing" is_subsequence warcio.ids chaff.ids
		;;
	esac
done < <(find "$dir" -type f -print0 | sort -z)

check "no archives found under $dir" test "$nfiles" -gt 50
[ -z "$warcio" ] || check "warcio read too few files cleanly ($nclean)" test "$nclean" -gt 40

# Standard input reads as the file does (gzip told by magic, not by name).
for f in webrecorder__pywb/sample_archive/warcs/iana.warc.gz \
         chatnoir-eu__chatnoir-resiliparse/tests/data/warcfile.warc \
         slyrz__warc/testdata/test.warc.gz; do
	"$CHAFF" bulk --scan-only -j 2 --no-progress "$dir/$f" 2>/dev/null |
		sed 's/^{"warc_file":"[^"]*"/{"warc_file":"-"/' >file.jsonl
	"$CHAFF" bulk --scan-only -j 2 --no-progress - <"$dir/$f" >stdin.jsonl 2>/dev/null
	check "$f: reading the file gave no output" test -s file.jsonl
	check "$f: reading standard input differs from reading the file" cmp -s file.jsonl stdin.jsonl
done

# Scoring (not scan-only) over all of them at once, two threads: records in =
# lines out, the same records in the same order as the scan.
find "$dir" -type f ! -name '*.arc*' ! -name '*.wacz' ! -name '*.bz2' ! -name '*.lz4' -print0 |
	sort -z >files
xargs -0 "$CHAFF" bulk --scan-only -j 1 --no-progress <files >scan.jsonl 2>/dev/null
timeout 300 xargs -0 "$CHAFF" bulk -j 2 --no-progress <files >score.jsonl 2>score.err
rc=$?
check "bulk -j 2 scoring crashed or hung (exit $rc)" test "$rc" -le 1 -o "$rc" -eq 123
python3 - scan.jsonl score.jsonl <<'EOF' >keys.diff
import json, sys
def keys(path):
    return [(o['warc_file'], o['offset'], o.get('record_id'), o.get('type'))
            for o in map(json.loads, open(path, encoding='utf-8'))]
a, b = keys(sys.argv[1]), keys(sys.argv[2])
scored = sum(1 for o in map(json.loads, open(sys.argv[2], encoding='utf-8')) if 'label' in o)
if a != b:
    print('scan read %d lines, scoring %d' % (len(a), len(b)))
if scored < 50:
    print('only %d pages scored' % scored)
EOF
check_eq "scoring writes one line per record, in order" "$(cat keys.diff)" ""
summary
