#!/usr/bin/env bash
# train.sh - chaff train and chaff eval on a tiny corpus made here: labels
# are data (three, two, four of them), the same corpus gives the same model
# bytes, the feature cache changes nothing but speed, and the exit codes.
. "$(dirname "$0")/lib.sh"

C=$TMP/corpus
mkdir -p "$C"
export XDG_CACHE_HOME=$TMP/xdg  # the default feature cache, kept in the scratch directory
drugs=(metformin lisinopril atorvastatin sertraline omeprazole amlodipine)

reliable_page() {  # site n drug
	cat <<EOF
<!doctype html><html lang="en"><head><title>$3: uses, dosage and side effects</title></head>
<body><article><h1>$3</h1>
<p class="byline">Written by Dr. Ana Lopez, PharmD. Medically reviewed by Dr. K. Osei, MD. Updated 12 March 2024.</p>
<h2>What $3 is used for</h2>
<p>$3 is a prescription medicine. The usual adult starting dose is 10 mg once daily, adjusted after
two weeks according to blood tests. Do not take it with grapefruit juice, and tell your doctor about
kidney disease, liver disease or pregnancy before starting.</p>
<h2>Side effects</h2>
<p>Common side effects include headache, nausea and dizziness in about 1 in 20 patients. Stop taking
$3 and seek care at once if you have swelling of the face or throat.</p>
<h2>Interactions</h2><p>Warfarin, lithium and potassium supplements interact with $3; your pharmacist
can check your other medicines.</p>
<h2>References</h2><ol>
<li>Nguyen T, Patel R. Outcomes of $3 therapy in adults. N Engl J Med. 2019;380:1021-30. doi:10.1056/NEJMoa18$2</li>
<li>U.S. Food and Drug Administration. $3 prescribing information. https://www.fda.gov/drugs/$3</li>
</ol></article><footer>Site $1 &middot; Contact &middot; Privacy</footer></body></html>
EOF
}

thin_page() {  # site n drug
	cat <<EOF
<html><head><title>Can you take $3? Everything you need to know!!</title></head><body>
<div class="post"><h1>Can you take $3? Everything you need to know</h1>
<p>Many people wonder about $3. It is something that lots of people talk about these days and it
might be worth thinking about. Everyone is different, so it really depends on you.</p>
<p>Some say $3 can help and some say it may not. It is always good to stay informed and do your own
research. At the end of the day, health is wealth, and $3 is one of those things to think about.</p>
<p>In conclusion, $3 may or may not be right for you. Talk to someone if you are unsure. Stay tuned
for more amazing tips and tricks on site $1 number $2!</p></div>
<div class="related"><h3>You may also like</h3><a href="/a">10 foods that surprise doctors</a>
<a href="/b">This one trick for better sleep</a></div>
<div class="app-promo">Download our app for daily wellness tips!</div></body></html>
EOF
}

spam_page() {  # site n drug
	cat <<EOF
<html><head><title>Buy $3 online without prescription - cheap $3 pills</title></head><body>
<div class="product"><h1>Buy $3 Online</h1>
<table class="prices"><tr><th>Package</th><th>Price</th><th>Per pill</th><th></th></tr>
<tr><td>10 mg x 30 pills</td><td>\$39.95</td><td>\$1.33 per pill</td><td><a href="/cart?add=$2">Add to cart</a></td></tr>
<tr><td>10 mg x 60 pills</td><td>\$69.95</td><td>\$1.17 per pill</td><td><a href="/cart?add=$2b">Add to cart</a></td></tr>
<tr><td>10 mg x 90 pills</td><td>\$89.95</td><td>\$0.99 per pill</td><td><a href="/cart?add=$2c">Add to cart</a></td></tr></table>
<p>Order $3 now! No prescription needed. Free bonus pills with every order. Worldwide shipping,
discreet packaging, secure checkout at $1. Best price guaranteed.</p>
<p>Buy cheap generic $3 online today. Bonus: 4 free pills. Order now and save 50%!</p>
</div><div class="tags">Tags: buy $3, cheap $3, $3 online, $3 no prescription</div></body></html>
EOF
}

# 3 sites per label, 3 pages per site; one page as .txt, one as .html.gz.
make_corpus() {
	local label site s n drug f
	printf 'path\tlabel\turl\tsite\n' >"$C/labels.tsv"
	for label in reliable thin pharmacy_spam; do
		mkdir -p "$C/$label"
		for s in 1 2 3; do
			site="$label-site$s.example"
			for n in 1 2 3; do
				drug=${drugs[$(((s * 3 + n) % ${#drugs[@]}))]}
				f="$label/s$s-$n.html"
				case $label in
				reliable) reliable_page "$site" "$s$n" "$drug" >"$C/$f" ;;
				thin) thin_page "$site" "$s$n" "$drug" >"$C/$f" ;;
				*) spam_page "$site" "$s$n" "$drug" >"$C/$f" ;;
				esac
				printf '%s\t%s\thttps://%s/%s-%s\n' "$f" "$label" "$site" "$drug" "$n" \
					>>"$C/labels.tsv"
			done
		done
	done
	gzip -n "$C/reliable/s1-1.html"
	sed -i 's#reliable/s1-1.html#reliable/s1-1.html.gz#' "$C/labels.tsv"
	sed -e 's/<[^>]*>//g' "$C/thin/s2-2.html" >"$C/thin/s2-2.txt"
	rm "$C/thin/s2-2.html"
	sed -i 's#thin/s2-2.html#thin/s2-2.txt#' "$C/labels.tsv"
}
make_corpus
T="$CHAFF train --cache $TMP/cache"

# Three labels; nothing on stdout; the model names them in corpus order.
run_cmd $T -o "$TMP/m1" "$C"
check_eq "train exit" "$rc" 0
check_eq "train stdout" "$out" ""
check "train summary" grep -q "wrote $TMP/m1: 27 pages of 9 sites" "$TMP/err"
check_eq "model magic" "$(head -n 1 "$TMP/m1")" "chaff-model 1"
check_eq "model labels" "$(grep '^label ' "$TMP/m1" | tr '\n' ' ')" \
	"label reliable label thin label pharmacy_spam "
check "model trained line" grep -q '^trained pages 27 sites 9 cost [0-9.e+-]* folds 5 macro_f1 ' "$TMP/m1"
check "model ends" test "$(tail -n 1 "$TMP/m1")" = "end"

# The same corpus gives the same bytes: from the cache, without it, again.
run_cmd $T -o "$TMP/m2" "$C"
check "features came from the cache" grep -q '27 pages read (27 from the feature cache' "$TMP/err"
check "reproducible model" cmp -s "$TMP/m1" "$TMP/m2"
run_cmd $CHAFF train --no-cache -o "$TMP/m3" "$C"
check "reproducible without cache" cmp -s "$TMP/m1" "$TMP/m3"
# A damaged cache is ignored and recomputed.
find "$TMP/cache" -name '*.cf' | while read -r f; do printf 'garbage' | dd of="$f" bs=1 seek=45 conv=notrunc 2>/dev/null; done
run_cmd $T -o "$TMP/m4" "$C"
check_eq "damaged cache exit" "$rc" 0
check "damaged cache ignored" grep -q "27 pages read (0 from the feature cache" "$TMP/err"
check "reproducible after cache damage" cmp -s "$TMP/m1" "$TMP/m4"
# The labels file may be named instead of its directory.
run_cmd $T -o "$TMP/m5" "$C/labels.tsv"
check "labels file path" cmp -s "$TMP/m1" "$TMP/m5"

# The model learnt the corpus and scores a page with it.
run_cmd $CHAFF eval -m "$TMP/m1" "$C"
check_eq "eval exit" "$rc" 0
check "default cache under XDG_CACHE_HOME" grep -q "feature cache in $TMP/xdg/chaff)" "$TMP/err"
check "eval table" grep -q '^macro-F1 1.000' "$TMP/out"
check "eval confusion" grep -q '^confusion matrix' "$TMP/out"
run_cmd $CHAFF eval -m "$TMP/m1" --json "$C"
check_eq "eval json exit" "$rc" 0
check "eval json" grep -q '^{"pages":27,"sites":9,"skipped":0,"model":"' "$TMP/out"
if command -v python3 >/dev/null; then
	check "eval json parses" python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["labels"]["thin"]["support"]==9' <"$TMP/out"
fi
run_cmd $CHAFF score --json -m "$TMP/m1" "$C/pharmacy_spam/s1-1.html"
check "score with trained model" grep -q '"label":"pharmacy_spam"' "$TMP/out"

# Site-grouped cross-validation.
run_cmd $CHAFF eval --cv 3 --cache "$TMP/cache" "$C"
check_eq "eval --cv exit" "$rc" 0
check "eval --cv" grep -q '^27 pages of 9 sites, 3-fold cross-validation by site' "$TMP/out"
run_cmd $CHAFF eval --cv 3 --json --cache "$TMP/cache" "$C"
check "eval --cv json" grep -q '"model":null,"folds":3,' "$TMP/out"

# Labels are data: one label fewer, one more.
grep -v pharmacy_spam "$C/labels.tsv" >"$C/two.tsv"
run_cmd $T -o "$TMP/two" "$C/two.tsv"
check_eq "two labels exit" "$rc" 0
check_eq "two labels" "$(grep -c '^label ' "$TMP/two")" 2
run_cmd $CHAFF eval -m "$TMP/two" "$C"
check_eq "eval of labels the model lacks" "$rc" 1
check "eval reports the missing label" grep -q "label 'pharmacy_spam' is not one of the model's" "$TMP/err"
mkdir -p "$C/recipe"
for n in 1 2 3 4; do
	cat >"$C/recipe/r$n.txt" <<EOF
Lemon cake number $n

Whisk 200 g of butter with 180 g of sugar until pale. Beat in three eggs, one at a time.
Fold in 200 g of flour, the zest of two lemons and a pinch of salt. Bake at 180 C for 40 minutes.
EOF
	printf 'recipe/r%s.txt\trecipe\thttps://cakes%s.example/lemon\n' "$n" "$n" >>"$C/four.tsv"
done
cat "$C/labels.tsv" >>"$C/four.tsv"
run_cmd $T -o "$TMP/four" "$C/four.tsv"
check_eq "four labels exit" "$rc" 0
check_eq "four labels" "$(grep '^label ' "$TMP/four" | tr '\n' ' ')" \
	"label recipe label reliable label thin label pharmacy_spam "
run_cmd $CHAFF score --json -m "$TMP/four" "$C/recipe/r1.txt"
check "four-label scores" grep -q '"scores":{"recipe":[0-9.e-]*,"reliable":' "$TMP/out"
# Background pages (label none): negatives for every label, never a class.
sed 's/\trecipe\t/\tnone\t/' "$C/four.tsv" >"$C/bg.tsv"
run_cmd $T -o "$TMP/bg" "$C/bg.tsv"
check_eq "background exit" "$rc" 0
check "background logged" grep -q "4 background pages (label none)" "$TMP/err"
check_eq "background is no label" "$(grep '^label ' "$TMP/bg" | tr '\n' ' ')" \
	"label reliable label thin label pharmacy_spam "
check "background pages trained on" grep -q "wrote $TMP/bg: 31 pages of 13 sites" "$TMP/err"
run_cmd $CHAFF score --json -m "$TMP/bg" "$C/recipe/r1.txt"
check "scores over the real labels" grep -q '"scores":{"reliable":[0-9.e-]*,"thin":[0-9.e-]*,"pharmacy_spam":[0-9.e-]*}' "$TMP/out"
run_cmd $CHAFF eval -m "$TMP/bg" "$C/bg.tsv"
check_eq "eval with background exit" "$rc" 0
check "eval counts labelled pages" grep -q '^27 pages of 13 sites' "$TMP/out"
check "eval background pages" grep -q '^4 background pages (label none), not in the figures above$' "$TMP/out"
check "eval background predictions" grep -q '^background pages predicted as pharmacy_spam: [0-4] of 4$' "$TMP/out"
run_cmd $CHAFF eval -m "$TMP/bg" --json "$C/bg.tsv"
check "eval json background" python3 -c 'import json,sys; d=json.load(sys.stdin); b=d["background"]; assert d["pages"]==27 and b["pages"]==4 and sum(b["predicted"].values())==4 and list(b["predicted"])==["reliable","thin","pharmacy_spam"]' <"$TMP/out"
run_cmd $CHAFF eval --cv 3 --json --cache "$TMP/cache" "$C/bg.tsv"
check_eq "eval --cv with background exit" "$rc" 0
check "eval --cv json background" python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["pages"]==27 and d["background"]["pages"]==4' <"$TMP/out"
# "# background: LABEL": the background pages are learned as that label.
{ printf '# background: reliable\n'; cat "$C/bg.tsv"; } >"$C/bg_rel.tsv"
run_cmd $T -o "$TMP/bg_rel" "$C/bg_rel.tsv"
check_eq "background-as exit" "$rc" 0
check "background learned as reliable" grep -q "4 background pages (label none): learned as reliable" "$TMP/err"
check "background-as model differs" sh -c "! cmp -s '$TMP/bg' '$TMP/bg_rel'"
run_cmd $CHAFF eval -m "$TMP/bg_rel" "$C/bg_rel.tsv"
check "background mostly reliable" grep -q '^background pages predicted as reliable: [3-4] of 4$' "$TMP/out"
{ printf '# background: nosuch\n'; cat "$C/bg.tsv"; } >"$C/bg_bad.tsv"
run_cmd $T -o "$TMP/bg_bad" "$C/bg_bad.tsv"
check "unknown background label reported" grep -q "'# background: nosuch' names no label" "$TMP/err"
run_cmd $CHAFF eval -m "$TMP/m1" --json "$C"
check "no background, zero counts" grep -q '"background":{"pages":0,"predicted":{"reliable":0,"thin":0,"pharmacy_spam":0}}}$' "$TMP/out"

# Two corpora in one run add up.
run_cmd $T -o "$TMP/both" "$C/two.tsv" "$C/four.tsv"
check_eq "two corpora, duplicates reported" "$rc" 1
check "duplicates named" grep -q "is listed already at" "$TMP/err"

# Bad rows and pages are reported with their place, the rest still trains.
cp "$C/labels.tsv" "$C/bad.tsv"
printf 'missing.html\treliable\n' >>"$C/bad.tsv"
printf 'only-one-field\n' >>"$C/bad.tsv"
printf 'x.html\tno spaces allowed\n' >>"$C/bad.tsv"
printf 'crawl.warc.gz\t1234\tthin\n' >>"$C/bad.tsv"
run_cmd $T -o "$TMP/bad" "$C/bad.tsv"
check_eq "bad rows exit" "$rc" 1
check "bad rows still write the model" test -s "$TMP/bad"
check "bad row place" grep -q "bad.tsv:30: rows are path<TAB>label" "$TMP/err"
check "bad label place" grep -q "bad.tsv:31: bad label name" "$TMP/err"
check "missing page place" grep -q "bad.tsv:29: $C/missing.html: cannot open" "$TMP/err"
check "missing archive place" grep -q "bad.tsv:32: $C/crawl.warc.gz: cannot open" "$TMP/err"

# Errors and usage.
run_cmd $T "$C"
check_eq "no -o" "$rc" 2
run_cmd $T -o "$TMP/x"
check_eq "no corpus" "$rc" 2
run_cmd $T --bogus -o "$TMP/x" "$C"
check_eq "unknown option" "$rc" 2
run_cmd $T -C -1 -o "$TMP/x" "$C"
check_eq "bad cost" "$rc" 2
run_cmd $T --cv 1 -o "$TMP/x" "$C"
check_eq "one fold" "$rc" 2
run_cmd $CHAFF eval --cv 3 -m "$TMP/m1" "$C"
check_eq "eval --cv with -m" "$rc" 2
run_cmd $T -o "$TMP/x" "$TMP/nonexistent"
check_eq "missing corpus" "$rc" 1
check "missing corpus message" grep -q "^chaff: train: $TMP/nonexistent: " "$TMP/err"
grep thin "$C/labels.tsv" >"$C/one.tsv"
run_cmd $T -o "$TMP/one" "$C/one.tsv"
check_eq "one label exit" "$rc" 2
check "one label message" grep -q "pages of at least two labels are needed" "$TMP/err"
check "one label writes nothing" test ! -e "$TMP/one"
run_cmd $T -o "$TMP/no/such/dir/m" "$C"
check_eq "unwritable output" "$rc" 1
head -n 5 "$TMP/m1" >"$TMP/cut.model"
run_cmd $CHAFF eval -m "$TMP/cut.model" "$C"
check_eq "damaged model exit" "$rc" 1
check "damaged model line" grep -q "cut.model: line 6: truncated: labels announced" "$TMP/err"
run_cmd $CHAFF train -h
check_eq "train -h" "$rc" 0
check "train usage" grep -q '^usage: chaff train' "$TMP/out"
run_cmd $CHAFF help eval
check "eval usage" grep -q '^usage: chaff eval' "$TMP/out"

summary
