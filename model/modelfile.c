/*
 * modelfile.c - the model file: a strict parser and a writer whose output
 * the parser reads back to the same bytes. The format is documented in
 * include/chaff.h. Every line is checked against its grammar; anything
 * else is an error naming the line, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model_impl.h"

#define LINE_MAX_BYTES 4096
#define MAX_TOKENS 24
#define NUMBER_MAX_CHARS 40

enum section {
	SEC_MAGIC, SEC_LABELS, SEC_SIGNALS, SEC_TERMS, SEC_CALIBRATION,
	SEC_TRAINED, SEC_WEIGHTS, SEC_END, SEC_COUNT
};

static const char *const section_names[SEC_COUNT] = {
	"chaff-model", "labels", "signals", "terms", "calibration",
	"trained", "weights", "end"
};

struct reader {
	const char *p, *end;   /* input not read yet */
	size_t line;           /* number of the line last read */
	char buf[LINE_MAX_BYTES + 1];
	char *tok[MAX_TOKENS];
	size_t ntok;
	char *why;
};

static enum chaff_err fail(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum chaff_err fail(struct reader *r, const char *fmt, ...)
{
	char msg[CHAFF_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	chaff_why(r->why, "line %zu: %s", r->line, msg);
	return CHAFF_ERR_MODEL;
}

/*
 * Split the line in r->buf on single spaces. Only printable ASCII is
 * allowed outside comments, so names and numbers need no further escaping.
 */
static enum chaff_err tokenize(struct reader *r, size_t len)
{
	size_t i;
	char *start = r->buf;

	r->ntok = 0;
	for (i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)r->buf[i];

		if (i < len && c != ' ' && (c < 0x21 || c > 0x7e))
			return fail(r, "unexpected byte 0x%02x", c);
		if (i < len && c != ' ')
			continue;
		if (r->buf + i == start)
			return fail(r, "%s", len ? "stray space" : "empty line");
		if (r->ntok == MAX_TOKENS)
			return fail(r, "too many fields");
		r->buf[i] = '\0';
		r->tok[r->ntok++] = start;
		start = r->buf + i + 1;
	}
	return CHAFF_OK;
}

/* Read the next line that is not a comment; CHAFF_EOF at the end. */
static enum chaff_err next_line(struct reader *r)
{
	for (;;) {
		const char *nl;
		size_t len;

		if (r->p == r->end)
			return CHAFF_EOF;
		r->line++;
		nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
		if (!nl)
			return fail(r, "truncated: no end of line");
		len = (size_t)(nl - r->p);
		if (len > LINE_MAX_BYTES)
			return fail(r, "line longer than %d bytes", LINE_MAX_BYTES);
		memcpy(r->buf, r->p, len);
		r->buf[len] = '\0';
		r->p = nl + 1;
		if (memchr(r->buf, '\0', len))
			return fail(r, "NUL byte");
		if (r->line > 1 && len && r->buf[0] == '#')
			continue;
		return tokenize(r, len);
	}
}

static int section_index(const char *word)
{
	int i;

	for (i = 0; i < SEC_COUNT; i++)
		if (!strcmp(word, section_names[i]))
			return i;
	return -1;
}

/* Read the line that opens section sec, with ntok fields in all. */
static enum chaff_err expect_section(struct reader *r, enum section sec, size_t ntok)
{
	enum chaff_err err = next_line(r);
	int found;

	if (err == CHAFF_EOF) {
		r->line++;
		return fail(r, "truncated: missing '%s'", section_names[sec]);
	}
	if (err)
		return err;
	found = section_index(r->tok[0]);
	if (found == (int)sec) {
		if (r->ntok != ntok)
			return fail(r, "'%s' line needs %zu fields, found %zu",
			            section_names[sec], ntok, r->ntok);
		return CHAFF_OK;
	}
	if (found >= 0 && found < (int)sec)
		return fail(r, "duplicate section '%s'", r->tok[0]);
	if (found > (int)sec)
		return fail(r, "missing section '%s'", section_names[sec]);
	return fail(r, "expected '%s', found '%.40s'", section_names[sec], r->tok[0]);
}

/* The next item line of a section announced with `count` items. */
static enum chaff_err expect_item(struct reader *r, const char *section, size_t i,
                                  size_t count)
{
	enum chaff_err err = next_line(r);

	if (err == CHAFF_EOF) {
		r->line++;
		return fail(r, "truncated: %s announced %zu lines, found %zu",
		            section, count, i);
	}
	if (err)
		return err;
	if (section_index(r->tok[0]) >= 0)
		return fail(r, "%s announced %zu lines, found %zu", section, count, i);
	return CHAFF_OK;
}

/* Decimal without sign or leading zeros, at most max. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static bool parse_size(const char *s, size_t max, size_t *out)
{
	uint64_t v;

	if (!parse_u64(s, max, &v))
		return false;
	*out = (size_t)v;
	return true;
}

static size_t digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/*
 * A finite number in "%.9g" syntax: -?D+(.D+)?([eE][+-]?D+)?. The syntax is
 * checked here, so strtod never sees hex, "inf" or "nan"; it depends on the
 * locale only after setlocale(), which chaff never calls.
 */
static bool parse_real(const char *s, double *out)
{
	const char *q = s;
	char *end;
	size_t n;
	double v;

	if (*q == '-')
		q++;
	if (!(n = digits(q)))
		return false;
	q += n;
	if (*q == '.') {
		q++;
		if (!(n = digits(q)))
			return false;
		q += n;
	}
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!(n = digits(q)))
			return false;
		q += n;
	}
	if (*q || q - s > NUMBER_MAX_CHARS)
		return false;
	v = strtod(s, &end);
	if (end != q || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool valid_name(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* "chaff-model 1". */
static enum chaff_err read_magic(struct reader *r)
{
	enum chaff_err err = next_line(r);
	uint64_t version;

	if (err == CHAFF_EOF) {
		r->line = 1;
		return fail(r, "empty file: not a chaff model");
	}
	if (err)
		return err;
	if (strcmp(r->tok[0], section_names[SEC_MAGIC]) || r->ntok != 2)
		return fail(r, "not a chaff model file");
	if (!parse_u64(r->tok[1], UINT32_MAX, &version))
		return fail(r, "bad format version '%.20s'", r->tok[1]);
	if (version != MODEL_FORMAT_VERSION)
		return fail(r, "model format version %llu; this chaff reads version %d",
		            (unsigned long long)version, MODEL_FORMAT_VERSION);
	return CHAFF_OK;
}

static enum chaff_err read_labels(struct reader *r, struct chaff_model *m)
{
	enum chaff_err err = expect_section(r, SEC_LABELS, 2);
	size_t k, j, count;

	if (err)
		return err;
	if (!parse_size(r->tok[1], CHAFF_MAX_LABELS, &count) || count < 2)
		return fail(r, "labels: between 2 and %d labels needed", CHAFF_MAX_LABELS);
	for (k = 0; k < count; k++) {
		if ((err = expect_item(r, "labels", k, count)))
			return err;
		if (strcmp(r->tok[0], "label") || r->ntok != 2)
			return fail(r, "expected 'label NAME'");
		if (!valid_name(r->tok[1], CHAFF_LABEL_NAME_MAX))
			return fail(r, "bad label name");
		for (j = 0; j < k; j++)
			if (!strcmp(m->labels[j], r->tok[1]))
				return fail(r, "duplicate label '%s'", r->tok[1]);
		m->labels[k] = chaff_xstrdup(r->tok[1]);
		m->nlabels = k + 1;
	}
	return CHAFF_OK;
}

static bool parse_transform(const char *s, enum model_transform *t)
{
	if (!strcmp(s, "identity"))
		*t = TRANSFORM_IDENTITY;
	else if (!strcmp(s, "log1p"))
		*t = TRANSFORM_LOG1P;
	else
		return false;
	return true;
}

/* "signal NAME TRANSFORM CENTER SCALE LO HI". */
static enum chaff_err read_signal(struct reader *r, struct chaff_model *m, size_t i)
{
	struct model_signal *s = &m->signals[i];
	size_t j;

	if (strcmp(r->tok[0], "signal") || r->ntok != 7)
		return fail(r, "expected 'signal NAME TRANSFORM CENTER SCALE LO HI'");
	if (!valid_name(r->tok[1], MODEL_NAME_MAX))
		return fail(r, "bad signal name");
	for (j = 0; j < i; j++)
		if (!strcmp(m->signals[j].name, r->tok[1]))
			return fail(r, "duplicate signal '%s'", r->tok[1]);
	if (!parse_transform(r->tok[2], &s->transform))
		return fail(r, "unknown transform '%.20s'", r->tok[2]);
	if (!parse_real(r->tok[3], &s->center) || !parse_real(r->tok[4], &s->scale) ||
	    !parse_real(r->tok[5], &s->lo) || !parse_real(r->tok[6], &s->hi))
		return fail(r, "bad number");
	if (!(s->scale > 0))
		return fail(r, "signal scale must be > 0");
	if (s->lo > s->hi)
		return fail(r, "signal clip range is empty");
	if (fabs(s->lo) > MODEL_MAX_ABS || fabs(s->hi) > MODEL_MAX_ABS)
		return fail(r, "signal clip range beyond +-%g", MODEL_MAX_ABS);
	s->name = chaff_xstrdup(r->tok[1]);
	s->signal = chaff_signal_index(s->name);
	s->line = r->line;
	m->nsignals = i + 1;
	return CHAFF_OK;
}

static enum chaff_err read_signals(struct reader *r, struct chaff_model *m)
{
	enum chaff_err err = expect_section(r, SEC_SIGNALS, 2);
	size_t i, count;

	if (err)
		return err;
	if (!parse_size(r->tok[1], MODEL_MAX_SIGNALS, &count))
		return fail(r, "signals: at most %d signals", MODEL_MAX_SIGNALS);
	m->signals = chaff_xcalloc(count ? count : 1, sizeof(*m->signals));
	m->wsignal = chaff_xcalloc(count ? count * m->nlabels : 1, sizeof(double));
	for (i = 0; i < count; i++) {
		if ((err = expect_item(r, "signals", i, count)))
			return err;
		if ((err = read_signal(r, m, i)))
			return err;
	}
	return CHAFF_OK;
}

/* "terms bits B seed S ngrams MIN MAX scale X". */
static enum chaff_err read_terms(struct reader *r, struct chaff_model *m)
{
	enum chaff_err err = expect_section(r, SEC_TERMS, 10);
	uint64_t bits, seed, lo, hi;

	if (err)
		return err;
	if (strcmp(r->tok[1], "bits") || strcmp(r->tok[3], "seed") ||
	    strcmp(r->tok[5], "ngrams") || strcmp(r->tok[8], "scale"))
		return fail(r, "expected 'terms bits B seed S ngrams MIN MAX scale X'");
	if (!parse_u64(r->tok[2], MODEL_MAX_HASH_BITS, &bits) || bits < MODEL_MIN_HASH_BITS)
		return fail(r, "hash bits must be %d to %d", MODEL_MIN_HASH_BITS,
		            MODEL_MAX_HASH_BITS);
	if (!parse_u64(r->tok[4], UINT64_MAX, &seed) || !parse_u64(r->tok[6], 16, &lo) ||
	    !parse_u64(r->tok[7], 16, &hi) || !parse_real(r->tok[9], &m->term_scale))
		return fail(r, "bad number");
	if (seed != CHAFF_TERM_SEED)
		return fail(r, "terms hashed with seed %llu; this chaff uses seed %llu",
		            (unsigned long long)seed, (unsigned long long)CHAFF_TERM_SEED);
	if (lo != CHAFF_TERM_NGRAM_MIN || hi != CHAFF_TERM_NGRAM_MAX)
		return fail(r, "terms are %llu..%llu-grams; this chaff makes %d..%d-grams",
		            (unsigned long long)lo, (unsigned long long)hi,
		            CHAFF_TERM_NGRAM_MIN, CHAFF_TERM_NGRAM_MAX);
	if (!(m->term_scale > 0) || m->term_scale > MODEL_MAX_ABS)
		return fail(r, "term scale must be > 0 and at most %g", MODEL_MAX_ABS);
	m->hash_bits = (unsigned)bits;
	m->term_seed = seed;
	m->ngram_min = (unsigned)lo;
	m->ngram_max = (unsigned)hi;
	return CHAFF_OK;
}

static enum chaff_err read_calibration(struct reader *r, struct chaff_model *m)
{
	enum chaff_err err = expect_section(r, SEC_CALIBRATION, 3);

	if (err)
		return err;
	if (strcmp(r->tok[1], "temperature"))
		return fail(r, "unknown calibration '%.20s'", r->tok[1]);
	if (!parse_real(r->tok[2], &m->temperature) || !(m->temperature >= 1e-3) ||
	    m->temperature > 1e3)
		return fail(r, "temperature must be a number from 0.001 to 1000");
	return CHAFF_OK;
}

/* "trained pages N sites S cost C folds F macro_f1 M". */
static enum chaff_err read_trained(struct reader *r, struct chaff_model *m)
{
	enum chaff_err err = expect_section(r, SEC_TRAINED, 11);
	struct chaff_model_info *in = &m->info;
	uint64_t folds;

	if (err)
		return err;
	if (strcmp(r->tok[1], "pages") || strcmp(r->tok[3], "sites") ||
	    strcmp(r->tok[5], "cost") || strcmp(r->tok[7], "folds") ||
	    strcmp(r->tok[9], "macro_f1"))
		return fail(r, "expected 'trained pages N sites S cost C folds F macro_f1 M'");
	if (!parse_size(r->tok[2], SIZE_MAX, &in->pages) ||
	    !parse_size(r->tok[4], SIZE_MAX, &in->sites) ||
	    !parse_real(r->tok[6], &in->cost) || !parse_u64(r->tok[8], 1000, &folds) ||
	    !parse_real(r->tok[10], &in->macro_f1))
		return fail(r, "bad number");
	if (in->cost < 0 || in->macro_f1 < 0 || in->macro_f1 > 1)
		return fail(r, "value out of range");
	in->folds = (unsigned)folds;
	return CHAFF_OK;
}

/* A row key as one ordinal: bias, then s0..sD-1, then t0..t(2^B)-1. */
static enum chaff_err row_key(struct reader *r, const struct chaff_model *m, uint64_t *key)
{
	const char *k = r->tok[0];
	uint64_t i;

	if (!strcmp(k, "bias")) {
		*key = 0;
		return CHAFF_OK;
	}
	if (k[0] == 's' && parse_u64(k + 1, UINT32_MAX, &i)) {
		if (i >= m->nsignals)
			return fail(r, "weight for signal %llu of %zu",
			            (unsigned long long)i, m->nsignals);
		*key = 1 + i;
		return CHAFF_OK;
	}
	if (k[0] == 't' && parse_u64(k + 1, UINT32_MAX, &i)) {
		if (i >> m->hash_bits)
			return fail(r, "term %llu out of range for %u hash bits",
			            (unsigned long long)i, m->hash_bits);
		*key = 1 + m->nsignals + i;
		return CHAFF_OK;
	}
	return fail(r, "bad weight row key '%.20s'", k);
}

static void add_term_row(struct chaff_model *m, size_t *cap, uint32_t t, const double *w)
{
	if (m->nterms == *cap) {
		*cap = *cap ? chaff_st_mult(*cap, 2) : 64;
		m->term_index = chaff_xrealloc(m->term_index,
		                               chaff_st_mult(*cap, sizeof(uint32_t)));
		m->wterm = chaff_xrealloc(m->wterm,
		                          chaff_st_mult(chaff_st_mult(*cap, m->nlabels),
		                                        sizeof(double)));
	}
	m->term_index[m->nterms] = t;
	memcpy(m->wterm + m->nterms * m->nlabels, w, m->nlabels * sizeof(double));
	m->nterms++;
}

static enum chaff_err read_weights(struct reader *r, struct chaff_model *m)
{
	enum chaff_err err = expect_section(r, SEC_WEIGHTS, 2);
	size_t i, k, count, cap = 0, K = m->nlabels;
	uint64_t key = 0, prev = 0, max_rows = 1 + (uint64_t)m->nsignals +
	                                    ((uint64_t)1 << m->hash_bits);
	double w[CHAFF_MAX_LABELS];

	if (err)
		return err;
	if (!parse_size(r->tok[1], (size_t)max_rows, &count))
		return fail(r, "weights: at most %llu rows", (unsigned long long)max_rows);
	for (i = 0; i < count; i++) {
		if ((err = expect_item(r, "weights", i, count)))
			return err;
		if (r->ntok != 1 + K)
			return fail(r, "weight row needs %zu fields, found %zu", 1 + K, r->ntok);
		if ((err = row_key(r, m, &key)))
			return err;
		if (i && key <= prev)
			return fail(r, "weight rows out of order or repeated");
		prev = key;
		for (k = 0; k < K; k++)
			if (!parse_real(r->tok[1 + k], &w[k]) || fabs(w[k]) > MODEL_MAX_ABS)
				return fail(r, "bad weight '%.40s' (a number within +-%g)",
				            r->tok[1 + k], MODEL_MAX_ABS);
		if (key == 0)
			memcpy(m->bias, w, K * sizeof(double));
		else if (key <= m->nsignals)
			memcpy(m->wsignal + (key - 1) * K, w, K * sizeof(double));
		else
			add_term_row(m, &cap, (uint32_t)(key - 1 - m->nsignals), w);
	}
	return CHAFF_OK;
}

/* A signal this chaff cannot compute is harmless only when it weighs nothing. */
static enum chaff_err check_unknown_signals(struct reader *r, const struct chaff_model *m)
{
	size_t i, k;

	for (i = 0; i < m->nsignals; i++) {
		if (m->signals[i].signal >= 0)
			continue;
		for (k = 0; k < m->nlabels; k++)
			if (m->wsignal[i * m->nlabels + k] != 0) {
				r->line = m->signals[i].line;
				return fail(r, "signal '%s' is not computed by this chaff "
				            "(retrain the model)", m->signals[i].name);
			}
	}
	return CHAFF_OK;
}

static enum chaff_err read_model(struct reader *r, struct chaff_model *m)
{
	enum chaff_err err;

	if ((err = read_magic(r)) || (err = read_labels(r, m)) ||
	    (err = read_signals(r, m)) || (err = read_terms(r, m)) ||
	    (err = read_calibration(r, m)) || (err = read_trained(r, m)) ||
	    (err = read_weights(r, m)) || (err = expect_section(r, SEC_END, 1)))
		return err;
	if (r->p != r->end) {
		r->line++;
		return fail(r, "data after 'end'");
	}
	return check_unknown_signals(r, m);
}

enum chaff_err chaff_model_parse(struct chaff_model **out, const char *text, size_t n,
                                 char *why)
{
	struct reader *r = chaff_xcalloc(1, sizeof(*r));
	struct chaff_model *m = model_new();
	enum chaff_err err;

	*out = NULL;
	r->p = text;
	r->end = text + n;
	r->why = why;
	if (n > CHAFF_MODEL_MAX_BYTES) {
		chaff_why(why, "line 1: model larger than %zu bytes", CHAFF_MODEL_MAX_BYTES);
		err = CHAFF_ERR_MODEL;
	} else {
		err = read_model(r, m);
	}
	free(r);
	if (err) {
		chaff_model_free(m);
		return CHAFF_ERR_MODEL;
	}
	model_index_terms(m);
	*out = m;
	return CHAFF_OK;
}

enum chaff_err chaff_model_load(struct chaff_model **out, const char *path, char *why)
{
	struct chaff_buf b;
	char chunk[65536];
	FILE *f;
	size_t got;
	enum chaff_err err = CHAFF_OK;

	*out = NULL;
	if (!(f = fopen(path, "rb"))) {
		chaff_why(why, "cannot open: %s", strerror(errno));
		return CHAFF_ERR_IO;
	}
	chaff_buf_init(&b, CHAFF_MODEL_MAX_BYTES);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (chaff_buf_append(&b, chunk, got)) {
			chaff_why(why, "line 1: model file larger than %zu bytes",
			          CHAFF_MODEL_MAX_BYTES);
			err = CHAFF_ERR_MODEL;
			break;
		}
	if (!err && ferror(f)) {
		chaff_why(why, "read error: %s", strerror(errno));
		err = CHAFF_ERR_IO;
	}
	fclose(f);
	if (!err)
		err = chaff_model_parse(out, b.data ? b.data : "", b.len, why);
	chaff_buf_release(&b);
	return err;
}

/* Writing. Numbers in "%.9g": the parser reads them back to the same text. */

static enum chaff_err put_num(struct chaff_buf *b, double v)
{
	if (!isfinite(v))
		return CHAFF_ERR_MODEL;
	if (v == 0)
		v = 0;  /* no "-0" */
	return chaff_buf_printf(b, " %.9g", v);
}

static enum chaff_err put_row(struct chaff_buf *b, const char *key, unsigned long long i,
                              bool numbered, const double *w, size_t K)
{
	enum chaff_err err;
	size_t k;
	bool zero = true;

	for (k = 0; k < K; k++)
		if (w[k] != 0)
			zero = false;
	if (zero)
		return CHAFF_OK;
	err = numbered ? chaff_buf_printf(b, "%s%llu", key, i) : chaff_buf_puts(b, key);
	for (k = 0; !err && k < K; k++)
		err = put_num(b, w[k]);
	return err ? err : chaff_buf_putc(b, '\n');
}

static size_t count_rows(const struct chaff_model *m)
{
	size_t i, k, rows = 0, K = m->nlabels;
	bool any;

	for (k = 0, any = false; k < K; k++)
		any |= m->bias[k] != 0;
	rows += any;
	for (i = 0; i < m->nsignals; i++) {
		for (k = 0, any = false; k < K; k++)
			any |= m->wsignal[i * K + k] != 0;
		rows += any;
	}
	for (i = 0; i < m->nterms; i++) {
		for (k = 0, any = false; k < K; k++)
			any |= m->wterm[i * K + k] != 0;
		rows += any;
	}
	return rows;
}

static enum chaff_err write_header(const struct chaff_model *m, struct chaff_buf *b)
{
	enum chaff_err err;
	size_t i;

	err = chaff_buf_printf(b, "%s %d\n", section_names[SEC_MAGIC], MODEL_FORMAT_VERSION);
	if (!err)
		err = chaff_buf_puts(b,
			"# chaff model: one-vs-rest logistic regression; format in include/chaff.h\n"
			"# score_k = bias_k + sum_j w_kj x_j, p = softmax(score / temperature)\n"
			"# signal NAME TRANSFORM CENTER SCALE LO HI: "
			"x = clip((T(v) - CENTER) / SCALE, LO, HI)\n");
	if (!err)
		err = chaff_buf_printf(b, "labels %zu\n", m->nlabels);
	for (i = 0; !err && i < m->nlabels; i++)
		err = chaff_buf_printf(b, "label %s\n", m->labels[i]);
	if (!err)
		err = chaff_buf_printf(b, "signals %zu\n", m->nsignals);
	for (i = 0; !err && i < m->nsignals; i++) {
		const struct model_signal *s = &m->signals[i];

		err = chaff_buf_printf(b, "signal %s %s", s->name,
		                       s->transform == TRANSFORM_LOG1P ? "log1p" : "identity");
		if (!err && !(err = put_num(b, s->center)) && !(err = put_num(b, s->scale)) &&
		    !(err = put_num(b, s->lo)) && !(err = put_num(b, s->hi)))
			err = chaff_buf_putc(b, '\n');
	}
	return err;
}

enum chaff_err chaff_model_write(const struct chaff_model *m, struct chaff_buf *b)
{
	const struct chaff_model_info *in = &m->info;
	enum chaff_err err = write_header(m, b);
	size_t i, K = m->nlabels;

	if (!err)
		err = chaff_buf_printf(b, "terms bits %u seed %llu ngrams %u %u scale",
		                       m->hash_bits, (unsigned long long)m->term_seed,
		                       m->ngram_min, m->ngram_max);
	if (!err && !(err = put_num(b, m->term_scale)))
		err = chaff_buf_puts(b, "\ncalibration temperature");
	if (!err && !(err = put_num(b, m->temperature)))
		err = chaff_buf_printf(b, "\ntrained pages %zu sites %zu cost",
		                       in->pages, in->sites);
	if (!err && !(err = put_num(b, in->cost)))
		err = chaff_buf_printf(b, " folds %u macro_f1", in->folds);
	if (!err && !(err = put_num(b, in->macro_f1)))
		err = chaff_buf_printf(b, "\nweights %zu\n", count_rows(m));
	if (!err)
		err = put_row(b, "bias", 0, false, m->bias, K);
	for (i = 0; !err && i < m->nsignals; i++)
		err = put_row(b, "s", i, true, m->wsignal + i * K, K);
	for (i = 0; !err && i < m->nterms; i++)
		err = put_row(b, "t", m->term_index[i], true, m->wterm + i * K, K);
	if (!err)
		err = chaff_buf_puts(b, "end\n");
	return err;
}

static enum chaff_err write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return CHAFF_ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return CHAFF_OK;
}

enum chaff_err chaff_model_save(const struct chaff_model *m, const char *path, char *why)
{
	struct chaff_buf b, tmp;
	enum chaff_err err;
	int fd;

	chaff_buf_init(&b, CHAFF_MODEL_MAX_BYTES);
	if ((err = chaff_model_write(m, &b))) {
		chaff_why(why, "cannot write the model: %s", chaff_strerror(err));
		chaff_buf_release(&b);
		return err;
	}
	chaff_buf_init(&tmp, 8192);
	if (chaff_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid())) {
		chaff_why(why, "path too long");
		err = CHAFF_ERR_USAGE;
		goto out;
	}
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		chaff_why(why, "%s: %s", tmp.data, strerror(errno));
		err = CHAFF_ERR_IO;
		goto out;
	}
	err = write_all(fd, b.data, b.len);
	if (!err && fsync(fd))
		err = CHAFF_ERR_IO;
	if (close(fd))
		err = CHAFF_ERR_IO;
	if (!err && rename(tmp.data, path))
		err = CHAFF_ERR_IO;
	if (err) {
		chaff_why(why, "%s: %s", path, strerror(errno));
		unlink(tmp.data);
	}
out:
	chaff_buf_release(&tmp);
	chaff_buf_release(&b);
	return err;
}
