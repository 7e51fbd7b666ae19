/* metrics.c - precision, recall, F1, confusion matrix and calibration error. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/model_impl.h"

void chaff_eval_init(struct chaff_eval *e, const char *const *labels, size_t nlabels)
{
	size_t k;

	memset(e, 0, sizeof(*e));
	e->nlabels = nlabels < CHAFF_MAX_LABELS ? nlabels : CHAFF_MAX_LABELS;
	for (k = 0; k < e->nlabels; k++)
		snprintf(e->labels[k], sizeof(e->labels[k]), "%s", labels[k]);
}

static size_t arg_max(const double *prob, size_t n)
{
	size_t k, best = 0;

	for (k = 1; k < n; k++)
		if (prob[k] > prob[best])
			best = k;
	return best;
}

void chaff_eval_add(struct chaff_eval *e, size_t truth, const double *prob)
{
	size_t pred, bin;
	double conf, p;

	if (truth >= e->nlabels)
		return;
	pred = arg_max(prob, e->nlabels);
	conf = prob[pred];
	bin = conf >= 1 ? CHAFF_ECE_BINS - 1 : (size_t)(conf * CHAFF_ECE_BINS);
	if (!(conf >= 0))
		bin = 0;
	e->confusion[truth][pred]++;
	e->bin_conf[bin] += conf;
	e->bin_hits[bin] += pred == truth;
	e->bin_n[bin]++;
	p = prob[truth];
	e->nll -= log(p > 1e-15 ? p : 1e-15);
	e->n++;
}

void chaff_eval_add_background(struct chaff_eval *e, const double *prob)
{
	if (!e->nlabels)
		return;
	e->background_pred[arg_max(prob, e->nlabels)]++;
	e->background++;
}

static double ratio(size_t a, size_t b)
{
	return b ? (double)a / (double)b : 0;
}

void chaff_eval_finish(struct chaff_eval *e)
{
	size_t k, j, hits = 0, counted = 0;
	double sum_f1 = 0, gap = 0;

	for (k = 0; k < e->nlabels; k++) {
		size_t tp = e->confusion[k][k], predicted = 0, support = 0;

		for (j = 0; j < e->nlabels; j++) {
			predicted += e->confusion[j][k];
			support += e->confusion[k][j];
		}
		e->support[k] = support;
		e->precision[k] = ratio(tp, predicted);
		e->recall[k] = ratio(tp, support);
		e->f1[k] = tp ? 2 * e->precision[k] * e->recall[k] /
		                (e->precision[k] + e->recall[k]) : 0;
		hits += tp;
		if (support || predicted) {
			sum_f1 += e->f1[k];
			counted++;
		}
	}
	for (k = 0; k < CHAFF_ECE_BINS; k++)
		gap += fabs((double)e->bin_hits[k] - e->bin_conf[k]);
	e->macro_f1 = counted ? sum_f1 / (double)counted : 0;
	e->accuracy = ratio(hits, e->n);
	e->ece = e->n ? gap / (double)e->n : 0;
	e->log_loss = e->n ? e->nll / (double)e->n : 0;
}

enum chaff_err chaff_eval_model(struct chaff_eval *e, const struct chaff_model *m,
                                const struct chaff_dataset *d,
                                const struct chaff_train_opts *opts, size_t *skipped,
                                char *why)
{
	int map[CHAFF_MAX_LABELS];
	size_t i, k, K = m->nlabels;

	chaff_eval_init(e, (const char *const *)m->labels, K);
	*skipped = 0;
	if (d->hash_bits != m->hash_bits) {
		chaff_why(why, "features have %u hash bits, the model %u", d->hash_bits,
		          m->hash_bits);
		return CHAFF_ERR_USAGE;
	}
	for (k = 0; k < d->nlabels; k++) {
		map[k] = chaff_model_label_index(m, d->labels[k]);
		if (map[k] < 0)
			model_log(opts, "label '%s' is not one of the model's: its pages are skipped",
			          d->labels[k]);
	}
	for (i = 0; i < d->n; i++) {
		double score[CHAFF_MAX_LABELS], prob[CHAFF_MAX_LABELS];
		bool background = d->label[i] == MODEL_BACKGROUND;

		if (!background && map[d->label[i]] < 0) {
			(*skipped)++;
			continue;
		}
		model_scores(m, d->signals + i * d->nsignals, d->nsignals,
		             d->terms + d->term_off[i], d->term_off[i + 1] - d->term_off[i], score);
		model_softmax(score, K, m->temperature, prob);
		if (background)
			chaff_eval_add_background(e, prob);
		else
			chaff_eval_add(e, (size_t)map[d->label[i]], prob);
	}
	chaff_eval_finish(e);
	return CHAFF_OK;
}
