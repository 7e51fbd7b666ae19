#!/usr/bin/env bash
# tests/merge.sh - chaff merge on made-up bulk lines (counts, hosts, failure
# markers, leftovers, bad lines, the bounded host table), then the batch
# mode of chaff bulk on real archives without Slurm (slices of a manifest,
# output names, failure markers, skip on re-run, $SLURM_ARRAY_TASK_ID, a
# SIGTERM midway) and merge over what it wrote.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

# line WARC URL LABEL|-  [SKIPPED]: one bulk-like JSON line.
line() {
	local f=$1 url=$2 label=$3 skipped=${4:-}
	printf '{"warc_file":"%s","offset":%d,"type":"response"' "$f" "$RANDOM"
	[ "$url" = - ] || printf ',"url":"%s"' "$url"
	if [ "$label" != - ]; then
		printf ',"label":"%s","scores":{"reliable":0.1,"thin":0.2,"pharmacy_spam":0.7},"signals":{"price_blocks":3},"evidence":{"price_blocks":["x \\"y\\" \\u00e9"]},"top":[]}\n' "$label"
	else
		printf ',"skipped":"%s"%s}\n' "$skipped" \
			"$([ "$skipped" = malformed ] && printf ',"error":"offset 9: bad header"')"
	fi
}

# ---------------------------------------------------------------------------
# merge on made-up outputs

M=$TMP/m
mkdir -p "$M"
{
	line a.warc.gz http://Shop.Example.TEST:8080/buy pharmacy_spam
	line a.warc.gz https://user@shop.example.test/x pharmacy_spam
	line a.warc.gz https://shop.example.test./y thin
	line a.warc.gz https://news.example.org/a reliable
	line a.warc.gz - - warcinfo
	line a.warc.gz https://news.example.org/a - request
	line a.warc.gz - - malformed
} >"$M/a.warc.gz-0000000000000001.jsonl"
{
	line b.warc http://[::1]:81/p reliable
	line b.warc https://news.example.org/b reliable
	line b.warc https://news.example.org/c - "not HTML"
} >"$M/b.warc-0000000000000002.jsonl"
: >"$M/empty.warc-0000000000000003.jsonl"
printf '{"warc_file":"/data/c.warc.bz2","error":"unsupported format: bzip2","task":4}\n' \
	>"$M/c.warc.bz2-0000000000000004.jsonl.failed"
# A marker whose archive was written since (the retry succeeded) is ignored.
line d.warc https://news.example.org/d reliable >"$M/d.warc-0000000000000005.jsonl"
printf '{"warc_file":"d.warc","error":"old"}\n' >"$M/d.warc-0000000000000005.jsonl.failed"
# A killed task's temporary, and files that are not outputs.
line e.warc https://e.example/ reliable >"$M/.e.warc-0000000000000006.jsonl.tmp.4242"
echo notes >"$M/README.txt"
mkdir "$M/logs"

run_cmd "$CHAFF" merge "$M"
check_eq "merge: exit 1 while an archive failed" "$rc" 1
check "merge text: outputs line" grep -q '^outputs: *4 archives, 1 failed, 1 leftover temporaries' "$TMP/out"
check "merge text: records line" \
	grep -q '^records: *11 (7 scored, 4 skipped), 1 damaged in 1 archives' "$TMP/out"
check "merge text: labels by count" \
	grep -qE '^  reliable +4 +57\.1%$' "$TMP/out"
check "merge text: pharmacy_spam" grep -qE '^  pharmacy_spam +2 +28\.6%$' "$TMP/out"
check "merge text: skip reasons" grep -qE '^  not HTML +1 +25\.0%$' "$TMP/out"
check "merge text: hosts, without url" grep -q '^hosts: 3 distinct, 2 records without a URL' "$TMP/out"
check "merge text: host with port, userinfo, case and final dot folded" \
	grep -qE '^  shop\.example\.test +3  pharmacy_spam 2, thin 1$' "$TMP/out"
check "merge text: top host first" grep -qE '^  news\.example\.org +5  reliable 3$' "$TMP/out"
check "merge text: IPv6 host" grep -qE '^  \[::1\] +1  reliable 1$' "$TMP/out"
check "merge text: the failure" grep -q '^  /data/c.warc.bz2: unsupported format: bzip2$' "$TMP/out"
check "merge text: stale marker ignored" eval "! grep -q old '$TMP/out'"
check "merge text: stale marker counted" grep -q ', 1 stale failure markers' "$TMP/out"

run_cmd "$CHAFF" merge --json --top 2 "$M"
check_eq "merge --json" "$out" '{"outputs":4,"failed":1,"temporaries":1,"stale_markers":1,"records":11,"scored":7,"skipped":4,"errors":1,"damaged_archives":1,"bad_lines":0,"labels":{"reliable":4,"pharmacy_spam":2,"thin":1},"skipped_reasons":{"malformed":1,"not HTML":1,"request":1,"warcinfo":1},"hosts":{"distinct":3,"exact":true,"max_error":0,"without_url":2,"top":[{"host":"news.example.org","records":5,"labels":{"reliable":3}},{"host":"shop.example.test","records":3,"labels":{"pharmacy_spam":2,"thin":1}}]},"failures":[{"warc_file":"/data/c.warc.bz2","error":"unsupported format: bzip2","task":4}]}'
if command -v python3 >/dev/null; then
	check "merge --json is JSON" python3 -m json.tool "$TMP/out" >/dev/null
fi

# Files and stdin; a clean set exits 0.
run_cmd "$CHAFF" merge --json "$M/b.warc-0000000000000002.jsonl" - <"$M/d.warc-0000000000000005.jsonl"
check_eq "merge files and stdin: exit" "$rc" 0
check "merge files and stdin: counts" grep -q '^{"outputs":2,"failed":0,"temporaries":0,"stale_markers":0,"records":4,' "$TMP/out"

# Lines that are not bulk output are counted and reported, the rest counted.
{ line f.warc https://f.example/ thin; echo 'not json'; echo '{"warc_file":"f.warc",'; echo '[1,2]';
  echo; echo '{"foo":1}'; line f.warc https://f.example/ thin; } >"$TMP/bad.jsonl"
run_cmd "$CHAFF" merge --json "$TMP/bad.jsonl"
check_eq "bad lines: exit" "$rc" 1
check "bad lines: counted" grep -q '"records":2,.*"bad_lines":4,' "$TMP/out"
check "bad lines: first reported with its line" grep -q '^chaff: merge: .*bad.jsonl: line 2: ' "$TMP/err"
check "bad lines: second reported with its line" grep -q '^chaff: merge: .*bad.jsonl: line 3: ' "$TMP/err"
check "bad lines: not an object, with the reason" \
	grep -q '^chaff: merge: .*bad.jsonl: line 4: not a JSON object$' "$TMP/err"
check "bad lines: {\"foo\":1} is one" \
	grep -q '^chaff: merge: .*bad.jsonl: line 6: neither label nor skipped$' "$TMP/err"
check "bad lines: no \"(no reason)\" skip" eval "! grep -q 'no reason' '$TMP/out'"

# Past 100 bad lines in a run, the rest are counted but not listed.
for _ in $(seq 150); do echo x; done >"$TMP/bad150.jsonl"
run_cmd "$CHAFF" merge --json "$TMP/bad150.jsonl"
check "many bad lines: all counted" grep -q '"bad_lines":150,' "$TMP/out"
check_eq "many bad lines: 100 listed, then one line" "$(grep -c 'bad150.jsonl: line' "$TMP/err") $(grep -c 'further bad lines are counted but not listed' "$TMP/err")" "100 1"

# Names are cut to 256 bytes at a character boundary, so one long label
# neither grows memory nor vanishes from the JSON.
long=$(printf 'x%.0s' $(seq 255))
{ printf '{"url":"http://l.example/","label":"%s\u00e9yyyy"}\n' "$long"
  printf '{"url":"http://l.example/","label":"%s\u00e9zzzz"}\n' "$long"
} >"$TMP/long.jsonl"
printf '{"warc_file":"%s\u00e9w","error":"%s\u00e9e"}\n' "$long" "$long" >"$TMP/longf.jsonl.failed"
run_cmd "$CHAFF" merge --json "$TMP/long.jsonl" "$TMP/longf.jsonl.failed"
check "long label: cut at the boundary, counted together" grep -q "\"labels\":{\"$long\":2}" "$TMP/out"
check "long failure: file and error cut" \
	grep -q "\"failures\":\[{\"warc_file\":\"$long\",\"error\":\"$long\"}\]" "$TMP/out"

# A line over the ceiling is skipped, not held.
run_cmd "$CHAFF" merge /nonexistent/out.jsonl
check_eq "missing file: exit" "$rc" 1
check "missing file: message" grep -q '^chaff: merge: /nonexistent/out.jsonl: No such file' "$TMP/err"
run_cmd "$CHAFF" merge
check_eq "no argument: usage error" "$rc" 2
run_cmd "$CHAFF" merge --top 5000 "$M"
check_eq "--top over the ceiling: usage error" "$rc" 2
run_cmd "$CHAFF" merge -h
check "merge -h: help on stdout" grep -q '^usage: chaff merge' "$TMP/out"

# More distinct hosts than the table holds: the heavy hosts are still found,
# with counts over by at most the reported error; distinct hosts estimated.
awk 'BEGIN {
	for (i = 0; i < 70000; i++) {
		printf "{\"warc_file\":\"h\",\"url\":\"http://h%d.example/\",\"skipped\":\"request\"}\n", i
		if (i % 500 == 0) print "{\"warc_file\":\"h\",\"url\":\"http://heavy.example/\",\"label\":\"thin\"}"
		if (i % 1000 == 0) print "{\"warc_file\":\"h\",\"url\":\"http://second.example/\",\"label\":\"thin\"}"
	}
}' >"$TMP/hosts.jsonl"
run_cmd "$CHAFF" merge --json --top 2 "$TMP/hosts.jsonl"
check_eq "many hosts: exit" "$rc" 0
check "many hosts: approximate" grep -q '"exact":false' "$TMP/out"
heavy=$(sed -n 's/.*"host":"heavy.example","records":\([0-9]*\).*/\1/p' "$TMP/out")
second=$(sed -n 's/.*"host":"second.example","records":\([0-9]*\).*/\1/p' "$TMP/out")
maxerr=$(sed -n 's/.*"max_error":\([0-9]*\).*/\1/p' "$TMP/out")
distinct=$(sed -n 's/.*"distinct":\([0-9]*\).*/\1/p' "$TMP/out")
check "many hosts: heavy host first, count within the error" \
	test -n "$heavy" -a "${heavy:-0}" -ge 140 -a "${heavy:-0}" -le $((140 + ${maxerr:-0}))
check "many hosts: second host, count within the error" \
	test -n "$second" -a "${second:-0}" -ge 70 -a "${second:-0}" -le $((70 + ${maxerr:-0}))
check "many hosts: distinct estimated within 5% of 70002" \
	test "${distinct:-0}" -ge 66500 -a "${distinct:-0}" -le 73500

# ---------------------------------------------------------------------------
# chaff bulk --manifest, without Slurm

if ! have_shared; then
	summary
	exit
fi
R=$SHARED/realdata/warc
a1=$R/webrecorder__warcio/test/data/example.warc.gz
a2=$R/webrecorder__pywb/sample_archive/warcs/example.warc.gz   # same basename
a3=$R/commoncrawl__whirlwind-python/whirlwind.warc
bz=$R/slyrz__warc/testdata/test.warc.bz2
B=$TMP/batch
printf '# test manifest\n%s\n\n  %s  \n%s\n%s\n%s\n' "$a1" "$a2" "$bz" "$TMP/missing.warc.gz" "$a3" \
	>"$TMP/manifest"
name_of() {  # the output of archive $1, by its basename
	ls "$B" | grep -F -- "$(basename "$1")-" | grep '\.jsonl$'
}

run_cmd "$CHAFF" bulk --manifest "$TMP/manifest" --task 0 --per-task 2 --out-dir "$B" -j 2
check_eq "task 0: exit" "$rc" 0
check_eq "task 0: two outputs (same basename, different paths)" "$(ls "$B" | grep -c '^example\.warc\.gz-[0-9a-f]\{16\}\.jsonl$')" 2
for a in "$a1" "$a2"; do
	want=$("$CHAFF" bulk -j 1 "$a" 2>/dev/null | wc -l)
	got=$(grep -l -F "\"warc_file\":\"$a\"" "$B"/*.jsonl | xargs cat | wc -l)
	check_eq "$a: lines = chaff bulk's" "$got" "$want"
done
check_eq "task 0: no temporaries left" "$(ls -A "$B" | grep -c '^\.')" 0

run_cmd "$CHAFF" bulk --manifest "$TMP/manifest" --task 1 --per-task 2 --out-dir "$B"
check_eq "task 1: exit 1 (two bad archives)" "$rc" 1
check "task 1: bzip2 refused with the reason" grep -q 'test.warc.bz2: unsupported format' "$TMP/err"
check "task 1: missing file reported" grep -q 'missing.warc.gz: .*No such file' "$TMP/err"
check_eq "task 1: failure markers" "$(ls "$B" | grep -c '\.jsonl\.failed$')" 2
check "task 1: marker names the archive, reason and task" \
	grep -q "^{\"warc_file\":\"$bz\",\"error\":\"unsupported format: .*\",\"task\":1}\$" "$B"/test.warc.bz2-*.failed

SLURM_ARRAY_TASK_ID=2 run_cmd "$CHAFF" bulk --manifest "$TMP/manifest" --per-task 2 --out-dir "$B"
check_eq "task from SLURM_ARRAY_TASK_ID: exit" "$rc" 0
check "task from SLURM_ARRAY_TASK_ID: whirlwind written" test -n "$(name_of "$a3")"
run_cmd "$CHAFF" bulk --manifest "$TMP/manifest" --task 3 --per-task 2 --out-dir "$B"
check_eq "task past the end: exit 0" "$rc" 0
check "task past the end: says so" grep -q 'task 3: no archives (the manifest has 5)' "$TMP/err"

# The retry: finished outputs skipped and untouched; failures tried again.
stat -c '%n %i %s %Y' "$B"/*.jsonl >"$TMP/before"
sleep 1
for t in 0 1 2; do
	"$CHAFF" bulk --manifest "$TMP/manifest" --task $t --per-task 2 --out-dir "$B" 2>>"$TMP/rerun.err"
done
stat -c '%n %i %s %Y' "$B"/*.jsonl >"$TMP/after"
check "re-run: outputs untouched" cmp -s "$TMP/before" "$TMP/after"
check_eq "re-run: three already done" "$(grep -c ': already done' "$TMP/rerun.err")" 3
check_eq "re-run: failures tried again" "$(grep -c 'unsupported format\|No such file' "$TMP/rerun.err")" 2

# A retry that succeeds removes the marker.
cp "$a3" "$TMP/missing.warc.gz"
run_cmd "$CHAFF" bulk --manifest "$TMP/manifest" --task 1 --per-task 2 --out-dir "$B"
check_eq "the missing archive appeared: still 1 for the bzip2" "$rc" 1
check_eq "its marker is gone" "$(ls "$B" | grep -c 'missing.warc.gz.*\.failed$')" 0
check "its output is there" test -n "$(name_of missing.warc.gz)"

run_cmd "$CHAFF" merge --json "$B"
check "merge of the batch: 4 outputs, 1 failure" grep -q '^{"outputs":4,"failed":1,"temporaries":0,' "$TMP/out"
total=$(cat "$B"/*.jsonl | wc -l)
check "merge of the batch: every line counted" grep -q "\"records\":$total," "$TMP/out"

# SIGTERM midway (scancel, a time limit): chaff removes its temporary.
big=$TMP/big.warc.gz
for _ in 1 2 3 4; do cat "$R/archivesunleashed__aut/src/test/resources/warc/example.warc.gz"; done >"$big"
printf '%s\n' "$big" >"$TMP/manifest2"
"$CHAFF" bulk --manifest "$TMP/manifest2" --task 0 --per-task 1 --out-dir "$B" -j 1 2>/dev/null &
pid=$!
for _ in $(seq 200); do
	[ -n "$(ls -A "$B" | grep '^\.big\.warc\.gz-.*\.tmp\.')" ] && break
	sleep 0.05
done
check "SIGTERM: the temporary was being written" test -n "$(ls -A "$B" | grep '^\.big\.warc\.gz-.*\.tmp\.')"
kill -TERM "$pid"
wait "$pid"
check_eq "SIGTERM: the task dies of it" "$?" 143
check_eq "SIGTERM: no temporary, no output" "$(ls -A "$B" | grep -c 'big\.warc\.gz')" 0

# Two tasks racing on one archive: one output, written once.
printf '%s\n' "$R/webrecorder__pywb/sample_archive/warcs/iana.warc.gz" >"$TMP/manifest4"
"$CHAFF" bulk --manifest "$TMP/manifest4" --task 0 --per-task 1 --out-dir "$TMP/race" -j 1 \
	2>"$TMP/race1.err" &
p1=$!
"$CHAFF" bulk --manifest "$TMP/manifest4" --task 0 --per-task 1 --out-dir "$TMP/race" -j 1 \
	2>"$TMP/race2.err" &
p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
check_eq "race: both exit 0" "$r1 $r2" "0 0"
check_eq "race: one output, nothing else" "$(ls -A "$TMP/race" | grep -c .)" 1
check_eq "race: written once, the other task skipped it" \
	"$(cat "$TMP/race1.err" "$TMP/race2.err" | grep -c '1 archives written\|: already done\|: done meanwhile')" 2

# Usage errors and refusals.
for args in "--manifest $TMP/manifest --per-task 2" "--manifest $TMP/manifest --out-dir $B" \
            "--manifest $TMP/manifest --per-task 0 --task 0 --out-dir $B" \
            "--manifest $TMP/manifest --task -1 --per-task 2 --out-dir $B" \
            "--manifest $TMP/manifest --task 0 --per-task 2 --out-dir $B $a1"; do
	# shellcheck disable=SC2086
	run_cmd env -u SLURM_ARRAY_TASK_ID "$CHAFF" bulk $args
	check_eq "usage error: $args" "$rc" 2
done
run_cmd env -u SLURM_ARRAY_TASK_ID "$CHAFF" bulk --manifest "$TMP/manifest" --per-task 2 --out-dir "$B"
check_eq "no --task and no SLURM_ARRAY_TASK_ID: usage error" "$rc" 2
SLURM_ARRAY_TASK_ID=x run_cmd "$CHAFF" bulk --manifest "$TMP/manifest" --per-task 2 --out-dir "$B"
check_eq "bad SLURM_ARRAY_TASK_ID: usage error" "$rc" 2
run_cmd "$CHAFF" bulk --manifest "$TMP/nothere" --task 0 --per-task 2 --out-dir "$B"
check_eq "missing manifest: exit 1" "$rc" 1
run_cmd "$CHAFF" bulk --manifest "$TMP/manifest" --task 0 --per-task 2 --out-dir "$TMP/manifest"
check_eq "out-dir is a file: exit 1" "$rc" 1
check "out-dir is a file: says so" grep -q 'not a directory' "$TMP/err"
run_cmd "$CHAFF" bulk --manifest "$TMP/manifest" --task 9223372036854775807 --per-task 2 --out-dir "$B"
check_eq "task * K overflowing: usage error" "$rc" 2
head -c 5000 /dev/zero | tr '\0' a >"$TMP/manifest3"
printf '\n%s\n' "$a3" >>"$TMP/manifest3"
run_cmd "$CHAFF" bulk --manifest "$TMP/manifest3" --task 0 --per-task 2 --out-dir "$B"
check_eq "overlong manifest line: exit 1" "$rc" 1
check "overlong manifest line: reported, the next entry still run" \
	grep -q 'entry 0: path longer than 4096 bytes' "$TMP/err"
check "overlong manifest line: next entry done" grep -q 'whirlwind.warc: already done' "$TMP/err"

summary
