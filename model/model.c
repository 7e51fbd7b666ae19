/* model.c - the model object: accessors, scoring arithmetic, the built-in model. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_impl.h"

/* model/default_model.S: the bytes of model/default.model. */
extern const char chaff_default_model[];
extern const char chaff_default_model_end[];

struct chaff_model *model_new(void)
{
	struct chaff_model *m = chaff_xcalloc(1, sizeof(*m));

	m->temperature = 1;
	m->term_scale = 1;
	m->term_seed = CHAFF_TERM_SEED;
	m->ngram_min = CHAFF_TERM_NGRAM_MIN;
	m->ngram_max = CHAFF_TERM_NGRAM_MAX;
	m->hash_bits = CHAFF_HASH_BITS_DEFAULT;
	m->info.temperature = 1;
	return m;
}

void chaff_model_free(struct chaff_model *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nlabels; i++)
		free(m->labels[i]);
	for (i = 0; i < m->nsignals; i++)
		free(m->signals[i].name);
	free(m->signals);
	free(m->wsignal);
	free(m->term_index);
	free(m->term_slot);
	free(m->wterm);
	free(m);
}

size_t chaff_model_nlabels(const struct chaff_model *m)
{
	return m->nlabels;
}

const char *chaff_model_label(const struct chaff_model *m, size_t i)
{
	return i < m->nlabels ? m->labels[i] : NULL;
}

int chaff_model_label_index(const struct chaff_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nlabels; i++)
		if (!strcmp(m->labels[i], name))
			return (int)i;
	return -1;
}

unsigned chaff_model_hash_bits(const struct chaff_model *m)
{
	return m->hash_bits;
}

void chaff_model_info(const struct chaff_model *m, struct chaff_model_info *info)
{
	*info = m->info;
	info->temperature = m->temperature;
}

double model_scale_signal(const struct model_signal *s, double v)
{
	double x;

	if (!isfinite(v))
		v = 0;  /* an extractor bug must not poison the score */
	if (s->transform == TRANSFORM_LOG1P)
		v = v < 0 ? -log1p(-v) : log1p(v);
	x = (v - s->center) / s->scale;
	if (x < s->lo)
		x = s->lo;
	if (x > s->hi)
		x = s->hi;
	return x;
}

void model_index_terms(struct chaff_model *m)
{
	size_t slots = 16, i;

	while (slots < 2 * m->nterms)
		slots *= 2;
	free(m->term_slot);
	m->term_slot = chaff_xcalloc(slots, sizeof(*m->term_slot));
	m->term_mask = slots - 1;
	for (i = 0; i < m->nterms; i++) {
		size_t h = m->term_index[i] & m->term_mask;

		while (m->term_slot[h])
			h = (h + 1) & m->term_mask;
		m->term_slot[h] = (uint32_t)(i + 1);
	}
}

/* Term indexes are hashes already: their low bits spread well. */
const double *model_term_row(const struct chaff_model *m, uint32_t t)
{
	size_t h;

	if (!m->term_slot)
		return NULL;
	for (h = t & m->term_mask; m->term_slot[h]; h = (h + 1) & m->term_mask) {
		size_t row = m->term_slot[h] - 1;

		if (m->term_index[row] == t)
			return m->wterm + row * m->nlabels;
	}
	return NULL;
}

size_t model_softmax(const double *score, size_t n, double temperature, double *prob)
{
	double top = -HUGE_VAL, sum = 0;
	size_t i, best = 0;

	for (i = 0; i < n; i++)
		if (score[i] > top) {
			top = score[i];
			best = i;
		}
	/* Subtract the maximum: exp() never overflows, the best gets exp(0). */
	for (i = 0; i < n; i++) {
		prob[i] = exp((score[i] - top) / temperature);
		sum += prob[i];
	}
	for (i = 0; i < n; i++)
		prob[i] /= sum;
	return best;
}

void model_scores(const struct chaff_model *m, const double *signals, size_t nsignals,
                  const struct term_pair *terms, size_t nterms, double *score)
{
	size_t i, k, K = m->nlabels;

	for (k = 0; k < K; k++)
		score[k] = m->bias[k];
	for (i = 0; i < m->nsignals; i++) {
		const struct model_signal *s = &m->signals[i];
		double raw = 0, x;

		if (s->signal >= 0 && (size_t)s->signal < nsignals)
			raw = signals[s->signal];
		x = model_scale_signal(s, raw);
		for (k = 0; k < K; k++)
			score[k] += m->wsignal[i * K + k] * x;
	}
	for (i = 0; i < nterms; i++)
		model_add_term(m, terms[i].index, terms[i].value, score);
}

void model_add_term(const struct chaff_model *m, uint32_t t, double v, double *score)
{
	const double *w = model_term_row(m, t);
	double x = v * m->term_scale;
	size_t k;

	if (!w || !isfinite(x))
		return;
	for (k = 0; k < m->nlabels; k++)
		score[k] += w[k] * x;
}

static const struct chaff_model *default_model;

static void parse_default(void)
{
	struct chaff_model *m = NULL;
	char why[CHAFF_WHY_MAX] = "";
	size_t n = (size_t)(chaff_default_model_end - chaff_default_model);

	if (chaff_model_parse(&m, chaff_default_model, n, why)) {
		fprintf(stderr, "chaff: the built-in model is damaged (a build bug; "
		        "rebuild it with 'make model'): %s\n", why);
		abort();
	}
	default_model = m;
}

const struct chaff_model *chaff_model_default(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, parse_default);
	return default_model;
}
