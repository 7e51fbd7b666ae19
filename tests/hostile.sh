#!/usr/bin/env bash
# hostile.sh - hostile input: each gives a verdict or a clear error within
# the limits, never a crash or a hang (run under ASan+UBSan by make check).
. "$(dirname "$0")/lib.sh"

# score_one NAME FILE [extra args]: exit 0 or 1, one JSON line, no sanitizer report
score_one() {
	local name=$1 file=$2
	shift 2
	run_cmd timeout 120 "$CHAFF" score --json "$@" "$file"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		bad "$name: exit status $rc"
		printf '%s\n' "$err" | tail -5 >&2
		return
	fi
	case $err in *Sanitizer*|*"runtime error"*) bad "$name: sanitizer report"; return;; esac
	if printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); sys.exit(0 if ("label" in d or "error" in d) else 1)'; then
		ok
	else
		bad "$name: no verdict and no error: $out"
	fi
}

python3 - "$TMP" <<'PY'
import gzip, os, random, sys
t = sys.argv[1]
open(f"{t}/deep.html", "w").write("<p>Some text before the nesting.</p>" + "<div>" * 100000 + "deep")
open(f"{t}/unclosed.html", "w").write("<b><i><font>" * 30000 + "text")
open(f"{t}/tables.html", "w").write("<table><tr><td>" * 20000)
with open(f"{t}/big.html", "w") as f:
    f.write("<html><body>")
    para = "<p>" + "Pharmacy words and ordinary words about medicine. " * 20 + "</p>\n"
    while f.tell() < 50 * 1024 * 1024:
        f.write(para)
# Seeded: the same junk every run (1 in 128 random files began like a UTF-16 BOM).
open(f"{t}/junk.bin", "wb").write(random.Random(7).randbytes(1 << 20))
open(f"{t}/invalid.html", "wb").write(b"<p>" + bytes(range(128, 256)) * 200 + b"\xed\xa0\x80\xc0\xaf</p>")
open(f"{t}/empty.html", "wb").write(b"")
open(f"{t}/bomb.html.gz", "wb").write(gzip.compress(b"\0" * (1 << 30), 9))
open(f"{t}/attrs.html", "w").write("<p " + " ".join(f"a{i}=x" for i in range(100000)) + ">x</p>")
open(f"{t}/utf16.html", "wb").write("\ufeff<p>Caf\u00e9 pills</p>".encode("utf-16-le"))
open(f"{t}/nul.txt", "wb").write(b"text with \0 nul bytes\n" * 100)
PY

score_one "100k nested tags" "$TMP/deep.html"
case $out in *'"label"'*) ok;; *) bad "deep page still gets a verdict (cut at the depth limit)";; esac
score_one "unclosed formatting tags" "$TMP/unclosed.html"
score_one "nested tables" "$TMP/tables.html"
score_one "50 MB file" "$TMP/big.html"
score_one "binary junk" "$TMP/junk.bin"
case $out in *'"error"'*) ok;; *) bad "binary junk is an error";; esac
score_one "invalid UTF-8" "$TMP/invalid.html"
score_one "empty file" "$TMP/empty.html"
case $out in *'"error":"no text to score: empty page"'*) ok;; *) bad "empty file message: $out";; esac
score_one "gzip bomb" "$TMP/bomb.html.gz"
score_one "100k attributes" "$TMP/attrs.html"
score_one "UTF-16 with BOM" "$TMP/utf16.html"
score_one "NUL bytes in text" "$TMP/nul.txt"
# tight limits from the command line
score_one "tiny parse cap" "$TMP/big.html" --max-parse 1k --max-bytes 64k
summary
