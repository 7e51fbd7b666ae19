/*
 * unit_model.c - model/: the model file (round trip, every kind of damage),
 * prediction on hand-made features (calibration, label order,
 * contributions), the verdict JSON, metrics, labels files, the feature
 * cache, and training on a synthetic dataset (determinism, CV, calibration).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chaff.h"
#include "model/model_impl.h"
#include "tests/check.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

/* A valid model; %s are the names of two real signals. */
static const char model_fmt[] =
	"chaff-model 1\n"
	"# a hand-made model\n"
	"labels 3\n"
	"label reliable\n"
	"label thin\n"
	"label pharmacy_spam\n"
	"signals 3\n"
	"signal %s log1p 0 2 -2 2\n"
	"signal %s identity 0.5 0.25 -4 4\n"
	"signal no_such_signal_xyz identity 0 1 -1 1\n"
	"terms bits 10 seed 0 ngrams 1 2 scale 1\n"
	"calibration temperature 2\n"
	"trained pages 10 sites 3 cost 1 folds 3 macro_f1 0.75\n"
	"weights 4\n"
	"bias 0.5 0 -0.5\n"
	"s0 -1 -0.5 3\n"
	"s1 0 1.5 0.5\n"
	"t7 0.25 -0.25 -1\n"
	"end\n";

static char valid[2048];

static void make_valid(void)
{
	snprintf(valid, sizeof(valid), model_fmt, chaff_signal_name(CHAFF_SIG_PRICE_BLOCKS),
	         chaff_signal_name(CHAFF_SIG_REPEATED_SECTIONS));
}

static struct chaff_model *parse_ok(const char *text)
{
	struct chaff_model *m = NULL;
	char why[CHAFF_WHY_MAX] = "";
	enum chaff_err err = chaff_model_parse(&m, text, strlen(text), why);

	CHECK_INT(err, CHAFF_OK);
	if (err)
		fprintf(stderr, "  why: %s\n", why);
	return m;
}

/* text with the first `from` replaced by `to` (twice when from2 is set). */
static char *mutate(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	struct chaff_buf b;

	chaff_buf_init(&b, SIZE_MAX);
	if (!at) {
		fprintf(stderr, "mutation '%s' does not apply\n", from);
		chaff_buf_puts(&b, "");
		return chaff_buf_detach(&b, NULL);
	}
	chaff_buf_append(&b, text, (size_t)(at - text));
	chaff_buf_puts(&b, to);
	chaff_buf_puts(&b, at + strlen(from));
	return chaff_buf_detach(&b, NULL);
}

static void test_parse_valid(void)
{
	struct chaff_model *m = parse_ok(valid);
	struct chaff_model_info in;

	if (!m)
		return;
	CHECK_INT(chaff_model_nlabels(m), 3);
	CHECK_STR(chaff_model_label(m, 0), "reliable");
	CHECK_STR(chaff_model_label(m, 1), "thin");
	CHECK_STR(chaff_model_label(m, 2), "pharmacy_spam");
	CHECK(chaff_model_label(m, 3) == NULL);
	CHECK_INT(chaff_model_label_index(m, "thin"), 1);
	CHECK_INT(chaff_model_label_index(m, "nope"), -1);
	CHECK_INT(chaff_model_hash_bits(m), 10);
	chaff_model_info(m, &in);
	CHECK_INT(in.pages, 10);
	CHECK_INT(in.sites, 3);
	CHECK_INT(in.folds, 3);
	CHECK(NEAR(in.cost, 1));
	CHECK(NEAR(in.macro_f1, 0.75));
	CHECK(NEAR(in.temperature, 2));
	chaff_model_free(m);
	chaff_model_free(NULL);
}

static void test_round_trip(void)
{
	struct chaff_model *m = parse_ok(valid), *m2;
	struct chaff_buf a, b;

	if (!m)
		return;
	chaff_buf_init(&a, SIZE_MAX);
	chaff_buf_init(&b, SIZE_MAX);
	CHECK_INT(chaff_model_write(m, &a), CHAFF_OK);
	m2 = parse_ok(a.data);
	if (m2) {
		CHECK_INT(chaff_model_write(m2, &b), CHAFF_OK);
		CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
		CHECK_INT(m2->nterms, 1);
		CHECK_INT(m2->nsignals, 3);
	}
	/* The same rows as the hand-made text, numbers unchanged. */
	CHECK(strstr(a.data, "\nt7 0.25 -0.25 -1\n") != NULL);
	CHECK(strstr(a.data, "\nweights 4\n") != NULL);
	/* A ceiling too small for the text is reported, not overrun. */
	chaff_buf_release(&b);
	chaff_buf_init(&b, 100);
	CHECK_INT(chaff_model_write(m, &b), CHAFF_ERR_TOO_LARGE);
	chaff_buf_release(&a);
	chaff_buf_release(&b);
	chaff_model_free(m2);
	chaff_model_free(m);
}

static void test_save_load(void)
{
	char dir[] = "/tmp/unit_model.XXXXXX", path[256], why[CHAFF_WHY_MAX] = "";
	struct chaff_model *m = parse_ok(valid), *m2 = NULL;
	FILE *f;

	if (!m)
		return;
	if (!mkdtemp(dir)) {
		CHECK(0);  /* no scratch directory */
		chaff_model_free(m);
		return;
	}
	snprintf(path, sizeof(path), "%s/m.model", dir);
	CHECK_INT(chaff_model_save(m, path, why), CHAFF_OK);
	CHECK_INT(chaff_model_load(&m2, path, why), CHAFF_OK);
	CHECK(m2 && m2->nlabels == 3);
	chaff_model_free(m2);
	m2 = NULL;
	CHECK_INT(chaff_model_load(&m2, "/nonexistent/m.model", why), CHAFF_ERR_IO);
	CHECK(m2 == NULL);
	f = fopen(path, "wb");
	fputs("<html>not a model</html>\n", f);
	fclose(f);
	CHECK_INT(chaff_model_load(&m2, path, why), CHAFF_ERR_MODEL);
	CHECK_STR(why, "line 1: not a chaff model file");
	CHECK_INT(chaff_model_save(m, "/nonexistent/dir/m.model", why), CHAFF_ERR_IO);
	unlink(path);
	rmdir(dir);
	chaff_model_free(m);
}

struct damage {
	const char *from, *to;      /* replace the first `from` by `to` */
	const char *from2, *to2;    /* and then this one, when set */
	const char *want;           /* prefix of why */
};

static const struct damage damages[] = {
	{"chaff-model 1\n", "chaff-model 2\n", NULL, NULL,
	 "line 1: model format version 2; this chaff reads version 1"},
	{"chaff-model 1\n", "solver_type L2R_LR\n", NULL, NULL, "line 1: not a chaff model"},
	{"chaff-model 1\n", "# chaff-model 1\n", NULL, NULL, "line 1: not a chaff model"},
	{"chaff-model 1\n", "chaff-model 01\n", NULL, NULL, "line 1: bad format version"},
	{"labels 3\n", "labels 4\n", NULL, NULL, "line 7: labels announced 4 lines, found 3"},
	{"labels 3\n", "labels 1\n", NULL, NULL, "line 3: labels: between 2"},
	{"labels 3\n", "labels 17\n", NULL, NULL, "line 3: labels: between 2"},
	{"labels 3\n", "labels 99999999999999999999999\n", NULL, NULL, "line 3: labels"},
	{"label thin\n", "label reliable\n", NULL, NULL, "line 5: duplicate label 'reliable'"},
	{"label thin\n", "label th!n\n", NULL, NULL, "line 5: bad label name"},
	{"label thin\n", "label\n", NULL, NULL, "line 5: expected 'label NAME'"},
	{"label thin\n", "label  thin\n", NULL, NULL, "line 5: stray space"},
	{"label thin\n", "label thin \n", NULL, NULL, "line 5: stray space"},
	{"label thin\n", "label thin\r\n", NULL, NULL, "line 5: unexpected byte 0x0d"},
	{"label thin\n", "label t\thin\n", NULL, NULL, "line 5: unexpected byte 0x09"},
	{"label thin\n", "\n", NULL, NULL, "line 5: empty line"},
	{"signals 3\n", "signals 2\n", NULL, NULL, "line 10: expected 'terms'"},
	{"signals 3\n", "signals 1025\n", NULL, NULL, "line 7: signals: at most"},
	{"log1p 0 2 -2 2", "log1p 0 0 -2 2", NULL, NULL, "line 8: signal scale must be > 0"},
	{"log1p 0 2 -2 2", "log1p 0 -2 -2 2", NULL, NULL, "line 8: signal scale must be > 0"},
	{"log1p 0 2 -2 2", "log1p 0 2 2 -2", NULL, NULL, "line 8: signal clip range is empty"},
	{"log1p 0 2 -2 2", "sqrt 0 2 -2 2", NULL, NULL, "line 8: unknown transform"},
	{"log1p 0 2 -2 2", "log1p nan 2 -2 2", NULL, NULL, "line 8: bad number"},
	{"log1p 0 2 -2 2", "log1p 0 inf -2 2", NULL, NULL, "line 8: bad number"},
	{"log1p 0 2 -2 2", "log1p 0 2 -2", NULL, NULL, "line 8: expected 'signal NAME"},
	{"signal no_such_signal_xyz", "signal bad/name", NULL, NULL, "line 10: bad signal name"},
	{"terms bits 10", "terms bits 99", NULL, NULL, "line 11: hash bits must be"},
	{"terms bits 10", "terms bits 3", NULL, NULL, "line 11: hash bits must be"},
	{"seed 0", "seed 7", NULL, NULL, "line 11: terms hashed with seed 7"},
	{"ngrams 1 2", "ngrams 1 3", NULL, NULL, "line 11: terms are 1..3-grams"},
	{"scale 1\n", "scale 0\n", NULL, NULL, "line 11: term scale must be > 0"},
	{"terms bits 10 seed 0", "terms bytes 10 seed 0", NULL, NULL, "line 11: expected 'terms"},
	{"terms bits 10 seed 0 ngrams 1 2 scale 1\n", "", NULL, NULL,
	 "line 11: missing section 'terms'"},
	{"calibration temperature 2\n", "signals 0\n", NULL, NULL,
	 "line 12: duplicate section 'signals'"},
	{"calibration temperature 2\n", "calibration temperature 0\n", NULL, NULL,
	 "line 12: temperature must be"},
	{"calibration temperature 2\n", "calibration temperature 1e999\n", NULL, NULL,
	 "line 12: temperature must be"},
	{"calibration temperature 2\n", "calibration platt 1 2\n", NULL, NULL,
	 "line 12: 'calibration' line needs 3 fields"},
	{"calibration temperature 2\n", "calibration isotonic 2\n", NULL, NULL,
	 "line 12: unknown calibration"},
	{"temperature 2\n", "temperature 0x10\n", NULL, NULL, "line 12: temperature must be"},
	{"temperature 2\n", "temperature +2\n", NULL, NULL, "line 12: temperature must be"},
	{"temperature 2\n", "temperature .5\n", NULL, NULL, "line 12: temperature must be"},
	{"temperature 2\n", "temperature 2.\n", NULL, NULL, "line 12: temperature must be"},
	{"temperature 2\n", "temperature 2e\n", NULL, NULL, "line 12: temperature must be"},
	{"temperature 2\n", "temperature --2\n", NULL, NULL, "line 12: temperature must be"},
	{"macro_f1 0.75", "macro_f1 1.5", NULL, NULL, "line 13: value out of range"},
	{"trained pages 10", "trained pages -1", NULL, NULL, "line 13: bad number"},
	{"weights 4\n", "weights 5\n", NULL, NULL, "line 19: weights announced 5 lines, found 4"},
	{"weights 4\n", "weights 3\n", NULL, NULL, "line 18: expected 'end', found 't7'"},
	{"weights 4\n", "weights 9999999\n", NULL, NULL, "line 14: weights: at most"},
	{"s1 0 1.5 0.5\n", "s0 0 1.5 0.5\n", NULL, NULL,
	 "line 17: weight rows out of order or repeated"},
	{"s1 0 1.5 0.5\n", "s3 0 1.5 0.5\n", NULL, NULL, "line 17: weight for signal 3 of 3"},
	{"s1 0 1.5 0.5\n", "s01 0 1.5 0.5\n", NULL, NULL, "line 17: bad weight row key"},
	{"t7 0.25", "t1024 0.25", NULL, NULL, "line 18: term 1024 out of range"},
	{"t7 0.25 -0.25 -1\n", "t7 0.25 -0.25\n", NULL, NULL, "line 18: weight row needs 4"},
	{"t7 0.25 -0.25 -1\n", "t7 0.25 -0.25 NaN\n", NULL, NULL, "line 18: bad weight"},
	{"t7 0.25 -0.25 -1\n", "t7 0.25 -0.25 1e400\n", NULL, NULL, "line 18: bad weight"},
	{"t7 0.25 -0.25 -1\n", "t7 0.25 -0.25 -1\nbias 1 1 1\n", "weights 4", "weights 5",
	 "line 19: weight rows out of order"},
	{"t7 0.25", "s2 1 0 0\nt7 0.25", "weights 4", "weights 5",
	 "line 10: signal 'no_such_signal_xyz' is not computed by this chaff"},
	{"end\n", "", NULL, NULL, "line 19: truncated: missing 'end'"},
	{"end\n", "end", NULL, NULL, "line 19: truncated: no end of line"},
	{"end\n", "end\nend\n", NULL, NULL, "line 20: data after 'end'"},
	{"end\n", "end\n# comment\n", NULL, NULL, "line 20: data after 'end'"},
	{"end\n", "finish\n", NULL, NULL, "line 19: expected 'end', found 'finish'"},
};

static void test_damage(void)
{
	size_t i;

	for (i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		const struct damage *dm = &damages[i];
		char *text = mutate(valid, dm->from, dm->to), *t2 = NULL;
		struct chaff_model *m = (struct chaff_model *)1;
		char why[CHAFF_WHY_MAX] = "";
		enum chaff_err err;

		if (dm->from2) {
			t2 = mutate(text, dm->from2, dm->to2);
			free(text);
			text = t2;
		}
		err = chaff_model_parse(&m, text, strlen(text), why);
		CHECK_INT(err, CHAFF_ERR_MODEL);
		CHECK(m == NULL);
		if (dm->want && strncmp(why, dm->want, strlen(dm->want))) {
			fprintf(stderr, "damage %zu: got \"%s\", want \"%s...\"\n", i, why, dm->want);
			CHECK(0);
		}
		if (!dm->want)
			CHECK(!strncmp(why, "line ", 5));
		free(text);
	}
}

/* Every prefix of a valid model is refused with a line number, never a crash. */
static void test_truncations(void)
{
	size_t n = strlen(valid), i, bad = 0;

	for (i = 0; i < n; i++) {
		struct chaff_model *m = NULL;
		char why[CHAFF_WHY_MAX] = "";
		char *copy = chaff_xmalloc(i ? i : 1);

		memcpy(copy, valid, i);  /* exactly i bytes: no terminator to lean on */
		if (chaff_model_parse(&m, copy, i, why) != CHAFF_ERR_MODEL || m ||
		    strncmp(why, "line ", 5))
			bad++;
		free(copy);
	}
	CHECK_INT(bad, 0);
}

static void test_nul_and_long_lines(void)
{
	struct chaff_model *m = NULL;
	char why[CHAFF_WHY_MAX] = "";
	static const char nul[] = "chaff-model 1\n\0labels 3\n";
	char dup[CHAFF_WHY_MAX];
	struct chaff_buf b;
	size_t i;

	CHECK_INT(chaff_model_parse(&m, nul, sizeof(nul) - 1, why), CHAFF_ERR_MODEL);
	CHECK_STR(why, "line 2: NUL byte");
	CHECK_INT(chaff_model_parse(&m, "", 0, why), CHAFF_ERR_MODEL);
	CHECK_STR(why, "line 1: empty file: not a chaff model");
	chaff_buf_init(&b, SIZE_MAX);
	chaff_buf_puts(&b, "chaff-model 1\n#");
	for (i = 0; i < 5000; i++)
		chaff_buf_putc(&b, 'x');
	chaff_buf_puts(&b, "\n");
	CHECK_INT(chaff_model_parse(&m, b.data, b.len, why), CHAFF_ERR_MODEL);
	CHECK_STR(why, "line 2: line longer than 4096 bytes");
	chaff_buf_release(&b);
	/* Two signals of one name. */
	snprintf(dup, sizeof(dup), "signal %s identity", chaff_signal_name(CHAFF_SIG_PRICE_BLOCKS));
	{
		char *t = mutate(valid, "signal no_such_signal_xyz identity", dup);

		CHECK_INT(chaff_model_parse(&m, t, strlen(t), why), CHAFF_ERR_MODEL);
		CHECK(!strncmp(why, "line 10: duplicate signal", 25));
		free(t);
	}
	/* Comments anywhere after the first line are fine. */
	{
		char *t = mutate(valid, "signals 3\n", "# one\n#\nsignals 3\n# two\n");

		m = parse_ok(t);
		chaff_model_free(m);
		free(t);
	}
}

static void features_init(struct chaff_features *f, unsigned bits)
{
	memset(f, 0, sizeof(*f));
	f->hash_bits = bits;
}

static struct chaff_term test_terms[] = {
	{3, 1.0f, "no weight"},
	{7, 2.0f, "buy now"},
};

/*
 * price_blocks = e^2 - 1 (log1p 2, scaled 1), repeated_sections = 0.75
 * (scaled 1), term 7 = 2: scores (0, 0.5, 1), temperature 2.
 */
static void test_predict(void)
{
	struct chaff_model *m = parse_ok(valid);
	struct chaff_features f;
	struct chaff_verdict v;
	double z, p[3];
	int i;

	if (!m)
		return;
	features_init(&f, 10);
	f.signals[CHAFF_SIG_PRICE_BLOCKS] = exp(2.0) - 1;
	f.signals[CHAFF_SIG_REPEATED_SECTIONS] = 0.75;
	f.terms = test_terms;
	f.nterms = 2;
	chaff_model_predict(m, &f, &v);
	z = exp(0.0) + exp(0.25) + exp(0.5);
	p[0] = 1 / z;
	p[1] = exp(0.25) / z;
	p[2] = exp(0.5) / z;
	CHECK_INT(v.label, 2);
	for (i = 0; i < 3; i++)
		CHECK(NEAR(v.prob[i], p[i]));
	CHECK(NEAR(v.prob[0] + v.prob[1] + v.prob[2], 1));
	/* Toward pharmacy_spam: price_blocks 3, the term -2, repeated_sections 0.5. */
	CHECK_INT(v.ntop, 3);
	CHECK_STR(v.top[0].feature, chaff_signal_name(CHAFF_SIG_PRICE_BLOCKS));
	CHECK(NEAR(v.top[0].contribution, 3));
	CHECK_STR(v.top[1].feature, "term:buy now");
	CHECK(NEAR(v.top[1].contribution, -2));
	CHECK_STR(v.top[2].feature, chaff_signal_name(CHAFF_SIG_REPEATED_SECTIONS));
	CHECK(NEAR(v.top[2].contribution, 0.5));

	/* Terms hashed with other bits are ignored. */
	f.hash_bits = 18;
	chaff_model_predict(m, &f, &v);
	CHECK_INT(v.ntop, 2);
	/* Clipping: a huge value counts as the clip bound (2), NaN as 0. */
	f.hash_bits = 10;
	f.signals[CHAFF_SIG_PRICE_BLOCKS] = 1e300;
	chaff_model_predict(m, &f, &v);
	CHECK(NEAR(v.top[0].contribution, 6));
	f.signals[CHAFF_SIG_PRICE_BLOCKS] = NAN;
	f.signals[CHAFF_SIG_REPEATED_SECTIONS] = INFINITY;
	chaff_model_predict(m, &f, &v);
	CHECK(isfinite(v.prob[0]) && isfinite(v.prob[1]) && isfinite(v.prob[2]));
	/* Unknown words show the term index. */
	f.signals[CHAFF_SIG_PRICE_BLOCKS] = 0;
	f.signals[CHAFF_SIG_REPEATED_SECTIONS] = 0.5;
	test_terms[1].words = NULL;
	chaff_model_predict(m, &f, &v);
	CHECK_STR(v.top[0].feature, "term:#7");
	test_terms[1].words = "buy now";
	chaff_model_free(m);
}

/* Probabilities sum to 1 and order by score, for extreme inputs too. */
static void test_calibration(void)
{
	struct chaff_model *m = parse_ok(valid);
	struct chaff_features f;
	struct chaff_verdict v;
	static const double values[] = {0, 1, -1, 1e-300, 5, 1e6, -1e6, 1e308, 0.5};
	size_t i, j, bad = 0;

	if (!m)
		return;
	features_init(&f, 10);
	for (i = 0; i < 9; i++)
		for (j = 0; j < 9; j++) {
			double sum;

			f.signals[CHAFF_SIG_PRICE_BLOCKS] = values[i];
			f.signals[CHAFF_SIG_REPEATED_SECTIONS] = values[j];
			chaff_model_predict(m, &f, &v);
			sum = v.prob[0] + v.prob[1] + v.prob[2];
			if (fabs(sum - 1) > 1e-12 || v.prob[v.label] < v.prob[0] ||
			    v.prob[v.label] < v.prob[1] || v.prob[v.label] < v.prob[2])
				bad++;
		}
	CHECK_INT(bad, 0);
	chaff_model_free(m);
}

/* The same model with its labels listed in another order. */
static void test_label_order(void)
{
	struct chaff_model *a = parse_ok(valid), *b;
	struct chaff_features f;
	struct chaff_verdict va, vb;
	char *t = mutate(valid, "label reliable\nlabel thin\nlabel pharmacy_spam\n",
	                 "label pharmacy_spam\nlabel reliable\nlabel thin\n");
	char *t2 = mutate(t, "bias 0.5 0 -0.5\ns0 -1 -0.5 3\ns1 0 1.5 0.5\nt7 0.25 -0.25 -1\n",
	                  "bias -0.5 0.5 0\ns0 3 -1 -0.5\ns1 0.5 0 1.5\nt7 -1 0.25 -0.25\n");

	b = parse_ok(t2);
	if (a && b) {
		features_init(&f, 10);
		f.signals[CHAFF_SIG_PRICE_BLOCKS] = 3;
		f.terms = test_terms;
		f.nterms = 2;
		chaff_model_predict(a, &f, &va);
		chaff_model_predict(b, &f, &vb);
		CHECK_STR(chaff_model_label(a, va.label), chaff_model_label(b, vb.label));
		CHECK(NEAR(va.prob[0], vb.prob[1]));
		CHECK(NEAR(va.prob[1], vb.prob[2]));
		CHECK(NEAR(va.prob[2], vb.prob[0]));
	}
	chaff_model_free(a);
	chaff_model_free(b);
	free(t);
	free(t2);
}

static void test_verdict_json(void)
{
	struct chaff_model *m = parse_ok(valid);
	struct chaff_features f;
	struct chaff_verdict v;
	struct chaff_buf out;
	struct chaff_json j;
	struct chaff_arena arena;
	const char *price = chaff_signal_name(CHAFF_SIG_PRICE_BLOCKS);
	const char *head = "{\"label\":\"pharmacy_spam\",\"scores\":{\"reliable\":";
	char want[256];

	if (!m)
		return;
	chaff_arena_init(&arena);
	features_init(&f, 10);
	f.signals[CHAFF_SIG_PRICE_BLOCKS] = exp(2.0) - 1;
	f.evidence[CHAFF_SIG_PRICE_BLOCKS].items[0] = "$4.65 per \"pill\"";
	f.evidence[CHAFF_SIG_PRICE_BLOCKS].n = 1;
	chaff_model_predict(m, &f, &v);
	chaff_buf_init(&out, SIZE_MAX);
	chaff_json_init(&j, &out);
	chaff_json_object_begin(&j);
	chaff_verdict_json(&j, m, &f, &v);
	chaff_json_object_end(&j);
	CHECK(!strncmp(out.data, head, strlen(head)));
	CHECK(strstr(out.data, "},\"signals\":{") != NULL);
	snprintf(want, sizeof(want), "\"%s\":[\"$4.65 per \\\"pill\\\"\"]", price);
	CHECK(strstr(out.data, want) != NULL);
	snprintf(want, sizeof(want), "\"top\":[{\"feature\":\"%s\",\"contribution\":3}", price);
	CHECK(strstr(out.data, want) != NULL);
	{
		const char *ev = strstr(out.data, "\"evidence\":{");
		const char *top = strstr(out.data, "\"top\":[");
		CHECK(ev != NULL && top != NULL && ev < top);
	}
	CHECK(out.data[out.len - 1] == '}');
	chaff_buf_release(&out);
	chaff_arena_release(&arena);
	chaff_model_free(m);
}

static void test_metrics(void)
{
	static const char *const labels[] = {"a", "b"};
	/* truth, p(a): a a a b b, predicted a a b b a. */
	static const size_t truth[] = {0, 0, 0, 1, 1};
	static const double pa[] = {0.9, 0.8, 0.4, 0.2, 0.6};
	struct chaff_eval e;
	size_t i;

	chaff_eval_init(&e, labels, 2);
	for (i = 0; i < 5; i++) {
		double p[2] = {pa[i], 1 - pa[i]};

		chaff_eval_add(&e, truth[i], p);
	}
	chaff_eval_add(&e, 7, pa);  /* out of range: ignored */
	chaff_eval_add_background(&e, (const double[]){0.3, 0.7});
	chaff_eval_add_background(&e, (const double[]){0.6, 0.4});
	chaff_eval_add_background(&e, (const double[]){0.1, 0.9});
	chaff_eval_finish(&e);
	CHECK_INT(e.n, 5);
	CHECK_INT(e.background, 3);
	CHECK_INT(e.background_pred[0], 1);
	CHECK_INT(e.background_pred[1], 2);
	CHECK_INT(e.confusion[0][0], 2);
	CHECK_INT(e.confusion[0][1], 1);
	CHECK_INT(e.confusion[1][0], 1);
	CHECK_INT(e.confusion[1][1], 1);
	CHECK(NEAR(e.precision[0], 2.0 / 3));
	CHECK(NEAR(e.recall[0], 2.0 / 3));
	CHECK(NEAR(e.precision[1], 0.5));
	CHECK(NEAR(e.recall[1], 0.5));
	CHECK(NEAR(e.macro_f1, (2.0 / 3 + 0.5) / 2));
	CHECK(NEAR(e.accuracy, 0.6));
	/* Bins: 0.9 hit, 0.8 hit, 0.6 miss, 0.6 miss(0.4 -> b at 0.6), 0.8 hit (b 0.8). */
	CHECK(NEAR(e.ece, (fabs(1 - 0.9) + fabs(2 - 1.6) + fabs(0 - 1.2)) / 5));
	CHECK(NEAR(e.log_loss, -(log(0.9) + log(0.8) + log(0.4) + log(0.8) + log(0.4)) / 5));
	CHECK_STR(e.labels[1], "b");
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* CHECK_STR on a malloc'd string, then free it. */
#define CHECK_STR_FREE(got, want) do { \
		char *got_ = (got); \
		CHECK_STR(got_, want); \
		free(got_); \
	} while (0)

static void test_corpus(void)
{
	char dir[] = "/tmp/unit_model.XXXXXX", path[256], why[CHAFF_WHY_MAX];
	struct chaff_corpus c;
	struct chaff_train_opts o;
	FILE *log = tmpfile();

	if (!mkdtemp(dir) || !log) {
		CHECK(0);  /* no scratch directory or log file */
		if (log)
			fclose(log);
		return;
	}
	snprintf(path, sizeof(path), "%s/labels.tsv", dir);
	write_text(path,
		"# a corpus\n"
		"# labels: zeta alpha\n"
		"path\tlabel\turl\tsite\n"
		"a/1.html\talpha\thttps://WWW.Example.com:8080/x\n"
		"a/2.html\tzeta\n"
		"/abs/3.txt\tbeta\t\tmysite\n"
		"a/1.html\tzeta\n"
		"crawl.warc.gz\t1234\tnone\n"
		"crawl.warc.gz\t\talpha\n"
		"onlypath\n"
		"b.html\tbad label\n"
		"c.html\talpha\tftp://x\n"
		"d.html\talpha\tu\tv\tw\n"
		"\n"
		"e.html\talpha\r\n");
	chaff_train_opts_default(&o);
	o.log = log;
	chaff_corpus_init(&c);
	CHECK_INT(chaff_corpus_add(&c, dir, &o, why), CHAFF_OK);
	CHECK_INT(c.nsamples, 5);
	CHECK_INT(c.bad_rows, 6);
	CHECK_INT(c.nlabels, 4);
	CHECK_STR(c.labels[0], "zeta");
	CHECK_STR(c.labels[1], "alpha");
	CHECK_STR(c.labels[2], "beta");
	CHECK_STR(c.labels[3], CHAFF_LABEL_NONE);  /* a label of the corpus, set apart later */
	if (c.nsamples == 5) {
		char want[300];

		snprintf(want, sizeof(want), "%s/a/1.html", dir);
		CHECK_STR(c.samples[0].path, want);
		CHECK_STR(c.samples[0].site, "example.com");
		CHECK_STR(c.samples[0].url, "https://WWW.Example.com:8080/x");
		CHECK_INT(c.samples[0].label, 1);
		snprintf(want, sizeof(want), "%s/a", dir);
		CHECK_STR(c.samples[1].site, want);
		CHECK(c.samples[1].url == NULL);
		CHECK_STR(c.samples[2].path, "/abs/3.txt");
		CHECK_STR(c.samples[2].site, "mysite");
		CHECK_STR(c.samples[3].record, "1234");
		CHECK_INT(c.samples[3].label, 3);
		CHECK(c.samples[3].site == NULL);  /* its record's host, once read */
		snprintf(want, sizeof(want), "%s/crawl.warc.gz", dir);
		CHECK_STR_FREE(model_row_site(&c.samples[3], NULL), want);
		CHECK_STR_FREE(model_row_site(&c.samples[3], "http://Www.Shop.example/x"),
		               "shop.example");
		CHECK_STR_FREE(model_row_site(&c.samples[2], "http://other.example/"), "mysite");
		snprintf(want, sizeof(want), "%s:8", path);
		CHECK_STR(c.samples[3].where, want);
		snprintf(want, sizeof(want), "%s/e.html", dir);
		CHECK_STR(c.samples[4].path, want);
	}
	/* A second corpus adds to the first; its duplicates are caught too. */
	CHECK_INT(chaff_corpus_add(&c, path, &o, why), CHAFF_OK);
	CHECK_INT(c.nsamples, 5);
	CHECK_INT(c.bad_rows, 6 + 6 + 5);
	CHECK_INT(chaff_corpus_add(&c, "/nonexistent/labels.tsv", &o, why), CHAFF_ERR_IO);
	chaff_corpus_release(&c);
	unlink(path);
	rmdir(dir);
	fclose(log);
}

static bool same_key(const struct feat_key *a, const struct feat_key *b)
{
	return a->h[0] == b->h[0] && a->h[1] == b->h[1];
}

/* The key covers what changes the features: bytes, URL, kind, bits, limits. */
static void test_cache_key(void)
{
	struct chaff_limits lim;
	struct chaff_page page;
	struct feat_key k1, k2;

	chaff_limits_default(&lim);
	chaff_page_init(&page, &lim);
	chaff_buf_puts(&page.body, "<p>one page</p>");
	k1 = featcache_key(&page, 18, &lim);
	k2 = featcache_key(&page, 18, &lim);
	CHECK(same_key(&k1, &k2));
	k2 = featcache_key(&page, 17, &lim);
	CHECK(!same_key(&k1, &k2));
	page.url = chaff_xstrdup("https://example.com/");
	k2 = featcache_key(&page, 18, &lim);
	CHECK(!same_key(&k1, &k2));
	k1 = k2;
	page.kind = CHAFF_PAGE_TEXT;
	k2 = featcache_key(&page, 18, &lim);
	CHECK(!same_key(&k1, &k2));
	k1 = k2;
	lim.max_depth--;
	k2 = featcache_key(&page, 18, &lim);
	CHECK(!same_key(&k1, &k2));
	k1 = k2;
	chaff_buf_puts(&page.body, ".");
	k2 = featcache_key(&page, 18, &lim);
	CHECK(!same_key(&k1, &k2));
	chaff_page_release(&page);
}

static void test_feature_cache(void)
{
	char dir[] = "/tmp/unit_model.XXXXXX";
	struct chaff_train_opts o;
	struct feat_key key = {{0x1234, 0x5678}}, other = {{0x1234, 0x5679}};
	struct term_pair terms[] = {{1, 0.5f}, {9, 2}};
	double signals[3] = {1, 2.5, -3};
	struct feat_entry e = {signals, terms, 2}, got = {0};
	char *cache, path[512];
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK(0);  /* no scratch directory */
		return;
	}
	chaff_train_opts_default(&o);
	o.cache_dir = dir;
	cache = featcache_dir(&o);
	CHECK_STR(cache, dir);
	if (!cache)
		return;
	CHECK(!featcache_get(cache, &key, 3, 10, &got));
	CHECK(featcache_put(cache, &key, 3, 10, &e));
	CHECK(featcache_get(cache, &key, 3, 10, &got));
	CHECK_INT(got.nterms, 2);
	CHECK(got.signals && got.signals[1] == 2.5 && got.terms[1].index == 9);
	feat_entry_release(&got);
	CHECK(!featcache_get(cache, &other, 3, 10, &got));
	CHECK(!featcache_get(cache, &key, 4, 10, &got));
	CHECK(!featcache_get(cache, &key, 3, 12, &got));
	/* A damaged entry is ignored. */
	snprintf(path, sizeof(path), "%s/00/%016llx%016llx.cf", dir, 0x1234ULL, 0x5678ULL);
	f = fopen(path, "r+b");
	CHECK(f != NULL);
	if (f) {
		fseek(f, 50, SEEK_SET);
		fputc('X', f);
		fclose(f);
	}
	CHECK(!featcache_get(cache, &key, 3, 10, &got));
	CHECK(got.signals == NULL);
	CHECK(truncate(path, 20) == 0);
	CHECK(!featcache_get(cache, &key, 3, 10, &got));
	unlink(path);
	snprintf(path, sizeof(path), "%s/00", dir);
	rmdir(path);
	rmdir(dir);
	free(cache);
	o.no_cache = true;
	CHECK(featcache_dir(&o) == NULL);
	test_cache_key();
}

/*
 * A synthetic dataset: nsites sites of ppsite pages, each site of one
 * label. The label shows in one signal and in a label-specific term, with
 * deterministic noise.
 */
static struct chaff_dataset *synthetic(size_t nlabels, size_t nsites, size_t ppsite)
{
	static const char *const names[] = {"alpha", "beta", "gamma", "delta"};
	struct chaff_dataset *d = chaff_xcalloc(1, sizeof(*d));
	size_t i, k, n = nsites * ppsite, nsig = chaff_signal_count();
	uint64_t rng = 42;

	d->n = n;
	d->nlabels = nlabels;
	for (k = 0; k < nlabels; k++)
		d->labels[k] = chaff_xstrdup(names[k]);
	d->nsignals = nsig;
	d->signal_names = chaff_xcalloc(nsig, sizeof(char *));
	for (i = 0; i < nsig; i++)
		d->signal_names[i] = chaff_xstrdup(chaff_signal_name(i));
	d->signals = chaff_xcalloc(n * nsig, sizeof(double));
	d->term_off = chaff_xcalloc(n + 1, sizeof(size_t));
	d->terms = chaff_xcalloc(n * 2, sizeof(struct term_pair));
	d->label = chaff_xcalloc(n, sizeof(size_t));
	d->site = chaff_xcalloc(n, sizeof(size_t));
	d->nsites = nsites;
	d->sites = chaff_xcalloc(nsites, sizeof(char *));
	d->hash_bits = 12;
	for (i = 0; i < nsites; i++) {
		char name[48];

		snprintf(name, sizeof(name), "site%zu.example", i);
		d->sites[i] = chaff_xstrdup(name);
	}
	for (i = 0; i < n; i++) {
		size_t site = i / ppsite, label = site % nlabels;
		double noise;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		noise = (double)(rng >> 40) / (double)(1ULL << 24);
		d->label[i] = label;
		d->site[i] = site;
		d->signals[i * nsig + label % nsig] = 3 + noise;
		d->signals[i * nsig + (label + 1) % nsig] = noise;
		d->terms[2 * i].index = (uint32_t)(100 + label);
		d->terms[2 * i].value = 1;
		d->terms[2 * i + 1].index = (uint32_t)(200 + (rng >> 60));
		d->terms[2 * i + 1].value = 0.5f;
		d->term_off[i + 1] = 2 * i + 2;
	}
	return d;
}

static void test_training(void)
{
	struct chaff_dataset *d = synthetic(3, 12, 5);
	struct chaff_train_opts o;
	struct chaff_model *m1 = NULL, *m2 = NULL, *m3 = NULL;
	struct chaff_buf a, b;
	struct chaff_model_info in;
	struct chaff_eval e;
	char why[CHAFF_WHY_MAX] = "";
	size_t i;

	chaff_train_opts_default(&o);
	chaff_buf_init(&a, SIZE_MAX);
	chaff_buf_init(&b, SIZE_MAX);
	CHECK_INT(chaff_train(&m1, d, &o, why), CHAFF_OK);
	CHECK_INT(chaff_train(&m2, d, &o, why), CHAFF_OK);
	if (m1 && m2) {
		chaff_model_write(m1, &a);
		chaff_model_write(m2, &b);
		CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
		chaff_model_info(m1, &in);
		CHECK_INT(in.pages, 60);
		CHECK_INT(in.sites, 12);
		CHECK_INT(in.folds, 5);
		CHECK(in.macro_f1 > 0.99);
		CHECK(in.temperature > 0.01 && in.temperature < 100);
		CHECK_STR(chaff_model_label(m1, 0), "alpha");
		CHECK_INT(chaff_model_hash_bits(m1), 12);
		/* What it wrote loads back. */
		m3 = parse_ok(a.data);
		chaff_model_free(m3);
		CHECK_INT(chaff_eval_model(&e, m1, d, &o, &(size_t){0}, why), CHAFF_OK);
		CHECK(e.macro_f1 > 0.99);
	}
	/* A fixed cost is used as given; without sites to fold, no calibration. */
	chaff_model_free(m2);
	o.cost = 0.5;
	o.folds = 0;
	CHECK_INT(chaff_train(&m2, d, &o, why), CHAFF_OK);
	if (m2) {
		chaff_model_info(m2, &in);
		CHECK(NEAR(in.cost, 0.5));
		CHECK_INT(in.folds, 0);
		CHECK(NEAR(in.temperature, 1));
	}
	o.cost = 0;
	o.folds = 4;
	CHECK_INT(chaff_eval_cv(&e, d, &o, why), CHAFF_OK);
	CHECK_INT(e.n, 60);
	CHECK_INT(e.folds, 4);
	CHECK(e.macro_f1 > 0.99);
	CHECK(e.ece >= 0 && e.ece < 0.5);
	chaff_model_free(m1);
	chaff_model_free(m2);
	chaff_dataset_free(d);

	/*
	 * Background pages: negatives for every label, never a class; figures
	 * over the labelled pages only, the background counted apart.
	 */
	d = synthetic(3, 12, 5);
	for (i = 45; i < 60; i++)
		d->label[i] = MODEL_BACKGROUND;
	d->nbackground = 15;
	CHECK_INT(chaff_train(&m1, d, &o, why), CHAFF_OK);
	if (m1) {
		CHECK_INT(chaff_model_nlabels(m1), 3);
		chaff_model_info(m1, &in);
		CHECK_INT(in.pages, 60);
		CHECK(in.macro_f1 > 0.99);
		CHECK_INT(chaff_eval_model(&e, m1, d, &o, &(size_t){0}, why), CHAFF_OK);
		CHECK_INT(e.n, 45);
		CHECK_INT(e.background, 15);
		CHECK_INT(e.background_pred[0] + e.background_pred[1] + e.background_pred[2], 15);
	}
	chaff_model_free(m1);
	CHECK_INT(chaff_eval_cv(&e, d, &o, why), CHAFF_OK);
	CHECK_INT(e.n, 45);
	CHECK_INT(e.background, 15);
	CHECK(e.macro_f1 > 0.99);
	/* Background and one label: not enough. */
	for (i = 0; i < 60; i++)
		if (d->label[i] != 0)
			d->label[i] = MODEL_BACKGROUND;
	d->nbackground = 40;
	d->nlabels = 1;
	CHECK_INT(chaff_train(&m1, d, &o, why), CHAFF_ERR_USAGE);
	CHECK(m1 == NULL);
	CHECK(strstr(why, "besides 'none'") != NULL);
	d->nlabels = 3;
	chaff_dataset_free(d);

	/* Two labels work as well as three; one does not. */
	d = synthetic(2, 6, 4);
	CHECK_INT(chaff_train(&m1, d, &o, why), CHAFF_OK);
	CHECK(m1 && chaff_model_nlabels(m1) == 2);
	chaff_model_free(m1);
	d->nlabels = 1;
	free(d->labels[1]);
	d->labels[1] = NULL;
	CHECK_INT(chaff_train(&m1, d, &o, why), CHAFF_ERR_USAGE);
	CHECK(m1 == NULL);
	chaff_dataset_free(d);
	chaff_buf_release(&a);
	chaff_buf_release(&b);
}

static void test_default(void)
{
	const struct chaff_model *m = chaff_model_default();

	CHECK(m != NULL);
	CHECK(m == chaff_model_default());
	CHECK(chaff_model_nlabels(m) >= 2);
}

int main(void)
{
	make_valid();
	test_parse_valid();
	test_round_trip();
	test_save_load();
	test_damage();
	test_truncations();
	test_nul_and_long_lines();
	test_predict();
	test_calibration();
	test_label_order();
	test_verdict_json();
	test_metrics();
	test_corpus();
	test_feature_cache();
	test_training();
	test_default();
	return check_summary();
}
