/* predict.c - features -> verdict, the whole pipeline for one page, and its JSON. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/model_impl.h"

static size_t signal_count(void)
{
	size_t n = chaff_signal_count();

	return n < CHAFF_SIG_MAX ? n : CHAFF_SIG_MAX;
}

static bool terms_usable(const struct chaff_model *m, const struct chaff_features *f)
{
	return f->terms && f->hash_bits == m->hash_bits;
}

static void scores(const struct chaff_model *m, const struct chaff_features *f, double *score)
{
	size_t i;

	model_scores(m, f->signals, signal_count(), NULL, 0, score);
	if (!terms_usable(m, f))
		return;
	for (i = 0; i < f->nterms; i++)
		model_add_term(m, f->terms[i].index, (double)f->terms[i].value, score);
}

/* Keep the CHAFF_TOP_MAX largest |c|; on ties the earlier feature stays first. */
static struct chaff_contrib *top_slot(struct chaff_verdict *v, double c)
{
	size_t pos = v->ntop;

	if (c == 0 || !isfinite(c))
		return NULL;
	while (pos > 0 && fabs(c) > fabs(v->top[pos - 1].contribution))
		pos--;
	if (pos == CHAFF_TOP_MAX)
		return NULL;
	if (v->ntop < CHAFF_TOP_MAX)
		v->ntop++;
	memmove(&v->top[pos + 1], &v->top[pos], (v->ntop - 1 - pos) * sizeof(v->top[0]));
	v->top[pos].contribution = c;
	return &v->top[pos];
}

/* "term:<words>", cut on a UTF-8 character boundary to fit. */
static void term_name(char *out, size_t size, const struct chaff_term *t)
{
	size_t n;

	if (!t->words) {
		snprintf(out, size, "term:#%u", (unsigned)t->index);
		return;
	}
	n = strlen(t->words);
	if (n > size - 6) {
		n = size - 6;
		while (n > 0 && ((unsigned char)t->words[n] & 0xC0) == 0x80)
			n--;
	}
	snprintf(out, size, "term:%.*s", (int)n, t->words);
}

static void contributions(const struct chaff_model *m, const struct chaff_features *f,
                          struct chaff_verdict *v)
{
	size_t i, K = m->nlabels, nsig = signal_count();
	struct chaff_contrib *slot;

	for (i = 0; i < m->nsignals; i++) {
		const struct model_signal *s = &m->signals[i];
		double raw = s->signal >= 0 && (size_t)s->signal < nsig ? f->signals[s->signal] : 0;
		double c = m->wsignal[i * K + v->label] * model_scale_signal(s, raw);

		if ((slot = top_slot(v, c)))
			snprintf(slot->feature, sizeof(slot->feature), "%s", s->name);
	}
	if (!terms_usable(m, f))
		return;
	for (i = 0; i < f->nterms; i++) {
		const double *w = model_term_row(m, f->terms[i].index);
		double c;

		if (!w)
			continue;
		c = w[v->label] * (double)f->terms[i].value * m->term_scale;
		if ((slot = top_slot(v, c)))
			term_name(slot->feature, sizeof(slot->feature), &f->terms[i]);
	}
}

void chaff_model_predict(const struct chaff_model *m, const struct chaff_features *f,
                         struct chaff_verdict *v)
{
	double score[CHAFF_MAX_LABELS];

	memset(v, 0, sizeof(*v));
	scores(m, f, score);
	v->label = model_softmax(score, m->nlabels, m->temperature, v->prob);
	contributions(m, f, v);
}

enum chaff_err chaff_score_page(const struct chaff_model *m, const struct chaff_page *page,
                                const struct chaff_limits *lim, struct chaff_arena *arena,
                                struct chaff_doc *doc, struct chaff_features *f,
                                struct chaff_verdict *v, char *why)
{
	struct chaff_limits defaults;
	enum chaff_err err;

	if (!lim) {
		chaff_limits_default(&defaults);
		lim = &defaults;
	}
	err = chaff_doc_parse(doc, page, lim, arena, why);
	if (err)
		return err;
	chaff_features_extract(f, doc, m->hash_bits, arena);
	chaff_model_predict(m, f, v);
	return CHAFF_OK;
}

void chaff_verdict_json(struct chaff_json *j, const struct chaff_model *m,
                        const struct chaff_features *f, const struct chaff_verdict *v)
{
	size_t i, k, nsig = signal_count();

	chaff_json_key(j, "label");
	chaff_json_str(j, m->labels[v->label]);
	chaff_json_key(j, "scores");
	chaff_json_object_begin(j);
	for (k = 0; k < m->nlabels; k++) {
		chaff_json_key(j, m->labels[k]);
		chaff_json_num(j, v->prob[k]);
	}
	chaff_json_object_end(j);
	chaff_json_key(j, "signals");
	chaff_json_object_begin(j);
	for (i = 0; i < nsig; i++) {
		chaff_json_key(j, chaff_signal_name(i));
		chaff_json_num(j, f->signals[i]);
	}
	chaff_json_object_end(j);
	/* The product's named signals always show their evidence, even when
	 * empty; the general signals only when they have some. */
	chaff_json_key(j, "evidence");
	chaff_json_object_begin(j);
	for (i = 0; i < nsig; i++) {
		const struct chaff_evidence *ev = &f->evidence[i];

		if (!ev->n && i >= CHAFF_SIG_NAMED_COUNT)
			continue;
		chaff_json_key(j, chaff_signal_name(i));
		chaff_json_array_begin(j);
		for (k = 0; k < ev->n && k < CHAFF_MAX_EVIDENCE; k++)
			chaff_json_str(j, ev->items[k]);
		chaff_json_array_end(j);
	}
	chaff_json_object_end(j);
	chaff_json_key(j, "top");
	chaff_json_array_begin(j);
	for (i = 0; i < v->ntop; i++) {
		chaff_json_object_begin(j);
		chaff_json_key(j, "feature");
		chaff_json_str(j, v->top[i].feature);
		chaff_json_key(j, "contribution");
		chaff_json_num(j, v->top[i].contribution);
		chaff_json_object_end(j);
	}
	chaff_json_array_end(j);
}
