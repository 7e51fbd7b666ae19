#!/usr/bin/env bash
# cli.sh - the command-line contract: help, usage errors, exit codes, JSON shape.
. "$(dirname "$0")/lib.sh"

# help and version go to stdout with status 0
run_cmd "$CHAFF" help;            check_eq "help status" "$rc" 0
case $out in *"commands:"*score*bulk*) ok;; *) bad "help lists the commands";; esac
run_cmd "$CHAFF" score -h;        check_eq "score -h status" "$rc" 0
case $out in *"usage: chaff score"*) ok;; *) bad "score -h shows usage";; esac
run_cmd "$CHAFF" help bulk;       check_eq "help bulk status" "$rc" 0
run_cmd "$CHAFF" --version;       check_eq "--version status" "$rc" 0
case $out in "chaff "[0-9]*) ok;; *) bad "--version prints chaff N";; esac

# usage errors: stderr, status 2, nothing on stdout
run_cmd "$CHAFF";                 check_eq "no command" "$rc" 2
run_cmd "$CHAFF" frobnicate;      check_eq "unknown command" "$rc" 2
case $err in *"not a chaff command"*) ok;; *) bad "unknown command message: $err";; esac
run_cmd "$CHAFF" score;           check_eq "score without target" "$rc" 2
check_eq "usage error prints nothing on stdout" "$out" ""
run_cmd "$CHAFF" score --bogus x; check_eq "unknown option" "$rc" 2
run_cmd "$CHAFF" score -m /nonexistent/model x.html; check_eq "missing model file" "$rc" 2
case $err in *"/nonexistent/model"*) ok;; *) bad "model error names the file: $err";; esac
run_cmd "$CHAFF" bulk;            check_eq "bulk without archive" "$rc" 2
run_cmd "$CHAFF" bulk -j 0 x;     check_eq "bulk -j 0" "$rc" 2

# a page scores; JSON has exactly the contract's fields, in order
cat > "$TMP/p.html" <<'HTML'
<html><head><title>Metformin tablets</title></head><body><article>
<h1>Metformin</h1><p>Metformin is used to treat type 2 diabetes. The usual starting dose is
500 mg twice daily with meals. Common side effects include nausea and diarrhoea.</p>
</article></body></html>
HTML
run_cmd "$CHAFF" score --json "$TMP/p.html"
check_eq "score --json status" "$rc" 0
keys=$(printf '%s\n' "$out" | python3 -c 'import json,sys; print(",".join(json.loads(sys.stdin.readline()).keys()))')
check_eq "JSON keys" "$keys" "target,url,label,scores,signals,evidence,top"
labels=$(printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print(",".join(sorted(d["scores"])), round(sum(d["scores"].values()),3))')
check_eq "scores cover the labels and sum to 1" "$labels" "pharmacy_spam,reliable,thin 1.0"
sig=$(printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print(all(k in d["signals"] for k in ["repeated_sections","price_blocks","placeholder_studies","truncated_references","offtopic_widgets"]))')
check_eq "the five named signals are present" "$sig" True

# failures: {"target","error"}, the run goes on, status 1
run_cmd "$CHAFF" score --json "$TMP/missing.html" "$TMP/p.html"
check_eq "one failed target -> status 1" "$rc" 1
n=$(printf '%s\n' "$out" | wc -l)
check_eq "one line per target" "$n" 2
first=$(printf '%s\n' "$out" | head -1 | python3 -c 'import json,sys; print(",".join(json.loads(sys.stdin.readline()).keys()))')
check_eq "error line fields" "$first" "target,error"
case $err in *"chaff: score: $TMP/missing.html: "*) ok;; *) bad "error names the place: $err";; esac

# stdin
run_cmd sh -c "\"$CHAFF\" score --json - < \"$TMP/p.html\""
check_eq "stdin status" "$rc" 0
case $out in *'"target":"-"'*) ok;; *) bad "stdin target is -";; esac

# text output names the verdict and the signals
run_cmd "$CHAFF" score "$TMP/p.html"
case $out in *"$TMP/p.html: "*"scores:"*"price_blocks"*) ok;; *) bad "text output: $out";; esac

# a full disk is not success
if [ -w /dev/full ]; then
	run_cmd sh -c "\"$CHAFF\" score --json \"$TMP/p.html\" > /dev/full"
	check_eq "write error -> status 1" "$rc" 1
fi

# --parse-scripts gives Gumbo the script and style bodies too: the same verdict, features and title
cat >"$TMP/scripts.html" <<'HTML'
<html><head><title>Metformin dosing</title><style>p { color: red } /* </p> */</style>
<script>var s = "<p>not text</p>"; if (a < b && c > d) { x(); }</script></head>
<body><h1>Metformin</h1><script><!-- <script> </script> still script --></script>
<p>Metformin is taken with meals to lower blood sugar in type 2 diabetes.</p>
<svg><style>.a{}</style><script href="x.js"/></svg><p>Kidney function is checked yearly.</p>
</body></html>
HTML
for cmd in score features; do
	run_cmd "$CHAFF" $cmd --json "$TMP/scripts.html"; a=$out
	run_cmd "$CHAFF" $cmd --json --parse-scripts "$TMP/scripts.html"
	check_eq "$cmd --parse-scripts status" "$rc" 0
	check_eq "$cmd: the same output with --parse-scripts" "$out" "$a"
done
case $a in *"not text"*|*"still script"*) bad "script text reached the document";; *) ok;; esac

# a model whose weights could add up to infinity is refused, naming the line
sed 's/^s0 [^ ]* /s0 1e308 /' "$(dirname "$0")/../model/default.model" >"$TMP/huge.model"
run_cmd "$CHAFF" score -m "$TMP/huge.model" --json "$TMP/p.html"
check_eq "model with a weight of 1e308 refused" "$rc" 2
case $err in *"huge.model"*"line 84"*"weight"*) ok;; *) bad "error names the model line: $err";; esac

# URLs: only http and https
run_cmd "$CHAFF" score --json ftp://example.invalid/x
check_eq "ftp URL is a failed target" "$rc" 1
summary
