/*
 * training.c - dataset -> model: signal scaling, one-vs-rest fits, the
 * site-grouped cross-validation that chooses C, temperature calibration,
 * and the nested cross-validation of chaff eval --cv. Deterministic: no
 * clock, no random numbers beyond the hash of site names with opts->seed.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_impl.h"

/* Costs tried when none is given, ascending: ties go to the smaller. */
static const double cost_grid[] = {0.03, 0.1, 0.3, 1, 3, 10, 30, 100};
#define NCOSTS (sizeof(cost_grid) / sizeof(cost_grid[0]))
#define DEFAULT_COST 1.0
#define DEFAULT_FOLDS 5
#define CLIP_HI 2.0     /* scaled signals beyond twice the training range are clipped */
#define TERM_SCALE 1.0
#define MIN_DF 2        /* pages a term must occur in to be learnt */

void chaff_train_opts_default(struct chaff_train_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->folds = DEFAULT_FOLDS;
	o->seed = 0;
}

/* The pages a step works on: indices into the dataset. */
struct subset {
	const size_t *idx;
	size_t n;
};

static double transform(double v)
{
	if (!isfinite(v))
		return 0;
	return v < 0 ? -log1p(-v) : log1p(v);
}

/* log1p, then divide by the largest magnitude seen in training. */
static void fit_scaling(struct chaff_model *m, const struct chaff_dataset *d,
                        const struct subset *s)
{
	size_t i, j;

	m->nsignals = d->nsignals;
	m->signals = chaff_xcalloc(d->nsignals ? d->nsignals : 1, sizeof(*m->signals));
	m->wsignal = chaff_xcalloc(chaff_st_mult(d->nsignals ? d->nsignals : 1, m->nlabels),
	                           sizeof(double));
	for (j = 0; j < d->nsignals; j++) {
		struct model_signal *sig = &m->signals[j];
		double top = 0, low = 0;

		for (i = 0; i < s->n; i++) {
			double v = transform(d->signals[s->idx[i] * d->nsignals + j]);

			if (fabs(v) > top)
				top = fabs(v);
			if (v < low)
				low = v;
		}
		sig->name = chaff_xstrdup(d->signal_names[j]);
		sig->signal = chaff_signal_index(sig->name);
		sig->transform = TRANSFORM_LOG1P;
		sig->center = 0;
		sig->scale = top > 0 ? top : 1;
		sig->lo = low < 0 ? -CLIP_HI : 0;
		sig->hi = CLIP_HI;
		/* Signals of a page's form are shown, not learned: a zero range. */
		if (sig->signal < 0 || !chaff_signal_learned((size_t)sig->signal))
			sig->lo = sig->hi = 0;
	}
}

/*
 * CSR instances for liblinear: signals 1..D, then the terms that occur in
 * the subset, renumbered D+1..D+U in index order, so that liblinear's
 * weight vector is as long as the vocabulary seen, not 2^hash_bits.
 */
struct csr {
	size_t *off;
	uint32_t *idx;
	double *val;
	uint32_t *vocab;   /* term index of each renumbered term */
	size_t nvocab;
	uint32_t *pos;     /* 2^hash_bits: 1 + renumbered position, 0 if left out */
};

/*
 * The terms of at least MIN_DF pages of s (a term of one page only teaches
 * nothing that generalises, and would only grow the model). Terms are
 * unique within a page, so counting occurrences counts pages.
 */
static void build_vocab(struct csr *c, const struct chaff_dataset *d, const struct subset *s)
{
	size_t i, j, nterm = (size_t)1 << d->hash_bits;

	c->pos = chaff_xcalloc(nterm, sizeof(uint32_t));
	for (i = 0; i < s->n; i++)
		for (j = d->term_off[s->idx[i]]; j < d->term_off[s->idx[i] + 1]; j++)
			if (c->pos[d->terms[j].index] < MIN_DF)
				c->pos[d->terms[j].index]++;
	c->nvocab = 0;
	for (i = 0; i < nterm; i++)
		c->nvocab += c->pos[i] >= MIN_DF;
	c->vocab = chaff_xmalloc(chaff_st_mult(c->nvocab ? c->nvocab : 1, sizeof(uint32_t)));
	for (i = 0, j = 0; i < nterm; i++) {
		if (c->pos[i] < MIN_DF) {
			c->pos[i] = 0;
			continue;
		}
		c->vocab[j] = (uint32_t)i;
		c->pos[i] = (uint32_t)++j;
	}
}

static void build_csr(struct csr *c, const struct chaff_model *m,
                      const struct chaff_dataset *d, const struct subset *s)
{
	size_t i, j, nnz = 0, at = 0, D = d->nsignals;

	build_vocab(c, d, s);
	for (i = 0; i < s->n; i++)
		nnz = chaff_st_add(nnz, D + d->term_off[s->idx[i] + 1] - d->term_off[s->idx[i]]);
	c->off = chaff_xmalloc(chaff_st_mult(s->n + 1, sizeof(size_t)));
	c->idx = chaff_xmalloc(chaff_st_mult(nnz ? nnz : 1, sizeof(uint32_t)));
	c->val = chaff_xmalloc(chaff_st_mult(nnz ? nnz : 1, sizeof(double)));
	for (i = 0; i < s->n; i++) {
		size_t p = s->idx[i];

		c->off[i] = at;
		for (j = 0; j < D; j++) {
			double x = model_scale_signal(&m->signals[j], d->signals[p * D + j]);

			if (x != 0) {
				c->idx[at] = (uint32_t)(j + 1);
				c->val[at++] = x;
			}
		}
		for (j = d->term_off[p]; j < d->term_off[p + 1]; j++) {
			uint32_t v = c->pos[d->terms[j].index];

			if (!v)
				continue;
			c->idx[at] = (uint32_t)(D + v);
			c->val[at++] = (double)d->terms[j].value * m->term_scale;
		}
	}
	c->off[s->n] = at;
}

static void free_csr(struct csr *c)
{
	free(c->off);
	free(c->idx);
	free(c->val);
	free(c->vocab);
	free(c->pos);
}

/* Move liblinear's weight rows into the model: signals, bias, non-zero terms. */
static void take_weights(struct chaff_model *m, const double *w, size_t D,
                         const struct csr *c)
{
	size_t t, k, K = m->nlabels, n = c->nvocab;

	memcpy(m->wsignal, w, D * K * sizeof(double));
	memcpy(m->bias, w + (D + n) * K, K * sizeof(double));
	m->term_index = chaff_xmalloc(chaff_st_mult(n ? n : 1, sizeof(uint32_t)));
	m->wterm = chaff_xmalloc(chaff_st_mult(chaff_st_mult(n ? n : 1, K), sizeof(double)));
	for (t = 0; t < n; t++) {
		const double *row = w + (D + t) * K;

		for (k = 0; k < K && row[k] == 0; k++)
			;
		if (k == K)
			continue;
		m->term_index[m->nterms] = c->vocab[t];
		memcpy(m->wterm + m->nterms * K, row, K * sizeof(double));
		m->nterms++;
	}
	model_index_terms(m);
}

/* One model on the pages of s with cost C, uncalibrated. */
static enum chaff_err fit_model(struct chaff_model **out, const struct chaff_dataset *d,
                                const struct subset *s, double cost, char *why)
{
	struct chaff_model *m = model_new();
	struct fit_problem p;
	struct csr c;
	size_t k, *label, D = d->nsignals;
	double *w;
	enum chaff_err err;

	m->nlabels = d->nlabels;
	for (k = 0; k < d->nlabels; k++)
		m->labels[k] = chaff_xstrdup(d->labels[k]);
	m->hash_bits = d->hash_bits;
	m->term_scale = TERM_SCALE;
	fit_scaling(m, d, s);
	build_csr(&c, m, d, s);
	label = chaff_xmalloc(chaff_st_mult(s->n ? s->n : 1, sizeof(size_t)));
	/* Background pages are learned as the corpus says, or as no label. */
	for (k = 0; k < s->n; k++)
		label[k] = d->label[s->idx[k]] == MODEL_BACKGROUND ? d->background_as
		                                                    : d->label[s->idx[k]];
	p.n = s->n;
	p.nfeat = D + c.nvocab;
	p.nlabels = d->nlabels;
	p.off = c.off;
	p.idx = c.idx;
	p.val = c.val;
	p.label = label;
	w = chaff_xcalloc(chaff_st_mult(p.nfeat + 1, d->nlabels), sizeof(double));
	err = fit_ovr(&p, cost, w, why);
	if (!err)
		take_weights(m, w, D, &c);
	free(w);
	free(label);
	free_csr(&c);
	if (err) {
		chaff_model_free(m);
		return err;
	}
	m->info.pages = s->n;
	m->info.cost = cost;
	*out = m;
	return CHAFF_OK;
}

static void page_scores(const struct chaff_model *m, const struct chaff_dataset *d,
                        size_t p, double *score)
{
	model_scores(m, d->signals + p * d->nsignals, d->nsignals,
	             d->terms + d->term_off[p], d->term_off[p + 1] - d->term_off[p], score);
}

/* Column of a page's label in per-label counts: background pages come last. */
static size_t label_column(const struct chaff_dataset *d, size_t p)
{
	return d->label[p] == MODEL_BACKGROUND ? d->nlabels : d->label[p];
}

/*
 * Folds by site: every site goes whole to one fold. Sites are ordered by
 * their majority label (background after the labels), then by the hash of
 * their name with the seed, and dealt round-robin, so folds get sites of
 * every label and of the background, and the same seed always gives the
 * same folds. Returns the folds used (<= k), fold[i] for each page of s.
 */
struct site_order {
	size_t site;
	size_t label;
	uint64_t hash;
};

static int by_label_hash(const void *a, const void *b)
{
	const struct site_order *x = a, *y = b;

	if (x->label != y->label)
		return x->label < y->label ? -1 : 1;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (x->site > y->site) - (x->site < y->site);
}

static size_t assign_folds(const struct chaff_dataset *d, const struct subset *s, size_t k,
                           uint64_t seed, size_t *fold)
{
	size_t K = d->nlabels + 1;
	size_t *counts = chaff_xcalloc(chaff_st_mult(d->nsites, K), sizeof(size_t));
	size_t *site_fold = chaff_xmalloc(chaff_st_mult(d->nsites, sizeof(size_t)));
	struct site_order *order = chaff_xmalloc(chaff_st_mult(d->nsites, sizeof(*order)));
	size_t i, j, nsites = 0;

	for (i = 0; i < s->n; i++)
		counts[d->site[s->idx[i]] * K + label_column(d, s->idx[i])]++;
	for (i = 0; i < d->nsites; i++) {
		size_t best = 0, total = 0;

		for (j = 0; j < K; j++) {
			total += counts[i * K + j];
			if (counts[i * K + j] > counts[i * K + best])
				best = j;
		}
		if (!total)
			continue;
		order[nsites].site = i;
		order[nsites].label = best;
		order[nsites].hash = chaff_hash64(d->sites[i], strlen(d->sites[i]), seed);
		nsites++;
	}
	qsort(order, nsites, sizeof(*order), by_label_hash);
	if (k > nsites)
		k = nsites;
	for (i = 0; i < nsites; i++)
		site_fold[order[i].site] = i % (k ? k : 1);
	for (i = 0; i < s->n; i++)
		fold[i] = site_fold[d->site[s->idx[i]]];
	free(order);
	free(site_fold);
	free(counts);
	return k;
}

/*
 * Cross-validation as (cost, fold) tasks shared by worker threads: each
 * task trains on the other folds and scores its fold's pages into rows no
 * other task writes, so the result does not depend on the schedule.
 */
struct cv_run {
	const struct chaff_dataset *d;
	const struct subset *s;
	const size_t *fold;
	size_t nfolds;
	const double *costs;
	size_t ncosts;
	double *score;               /* ncosts blocks of s->n rows of nlabels */
	pthread_mutex_t lock;
	size_t next;                 /* next task */
	enum chaff_err err;
	char why[CHAFF_WHY_MAX];
};

static enum chaff_err cv_task(struct cv_run *r, size_t task, size_t *train_idx, char *why)
{
	const struct subset *s = r->s;
	size_t c = task / r->nfolds, f = task % r->nfolds, i, K = r->d->nlabels;
	double *score = r->score + c * s->n * K;
	struct subset train = {train_idx, 0};
	struct chaff_model *m;
	enum chaff_err err;

	for (i = 0; i < s->n; i++)
		if (r->fold[i] != f)
			train_idx[train.n++] = s->idx[i];
	if (!train.n || train.n == s->n)
		return CHAFF_OK;
	if ((err = fit_model(&m, r->d, &train, r->costs[c], why)))
		return err;
	for (i = 0; i < s->n; i++)
		if (r->fold[i] == f)
			page_scores(m, r->d, s->idx[i], score + i * K);
	chaff_model_free(m);
	return CHAFF_OK;
}

static void *cv_worker(void *arg)
{
	struct cv_run *r = arg;
	size_t *train_idx = chaff_xmalloc(chaff_st_mult(r->s->n ? r->s->n : 1, sizeof(size_t)));
	char why[CHAFF_WHY_MAX] = "";

	for (;;) {
		size_t task;
		enum chaff_err err;

		pthread_mutex_lock(&r->lock);
		task = r->err ? SIZE_MAX : r->next++;
		pthread_mutex_unlock(&r->lock);
		if (task >= r->ncosts * r->nfolds)
			break;
		if (!(err = cv_task(r, task, train_idx, why)))
			continue;
		pthread_mutex_lock(&r->lock);
		if (!r->err) {
			r->err = err;
			memcpy(r->why, why, sizeof(why));
		}
		pthread_mutex_unlock(&r->lock);
	}
	free(train_idx);
	return NULL;
}

/* Cross-validated scores (uncalibrated) of every page of s under each cost. */
static enum chaff_err cv_scores(struct cv_run *r, unsigned threads, char *why)
{
	pthread_t tid[MODEL_MAX_THREADS];
	bool started[MODEL_MAX_THREADS] = {false};
	unsigned t, nw = threads;

	if (nw > r->ncosts * r->nfolds)
		nw = (unsigned)(r->ncosts * r->nfolds);
	pthread_mutex_init(&r->lock, NULL);
	for (t = 1; t < nw; t++)
		started[t] = !pthread_create(&tid[t], NULL, cv_worker, r);
	cv_worker(r);
	for (t = 1; t < nw; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&r->lock);
	if (r->err)
		memcpy(why, r->why, CHAFF_WHY_MAX);
	return r->err;
}

/* Cross-validated macro-F1 of the labelled pages of s (background has no truth). */
static double macro_f1_of(const struct chaff_dataset *d, const struct subset *s,
                          const double *score)
{
	struct chaff_eval e;
	double prob[CHAFF_MAX_LABELS];
	size_t i, K = d->nlabels;

	chaff_eval_init(&e, (const char *const *)d->labels, K);
	for (i = 0; i < s->n; i++) {
		if (d->label[s->idx[i]] == MODEL_BACKGROUND)
			continue;
		model_softmax(score + i * K, K, 1, prob);
		chaff_eval_add(&e, d->label[s->idx[i]], prob);
	}
	chaff_eval_finish(&e);
	return e.macro_f1;
}

/*
 * Negative log-likelihood of softmax(beta * score) against targets smoothed
 * as Platt does (1 - eps on the truth), so that a perfectly separated
 * corpus does not drive the temperature to zero.
 */
static double smoothed_nll(const double *score, const size_t *truth, size_t n, size_t K,
                           double beta)
{
	double eps = 1.0 / ((double)n + 2), sum = 0, prob[CHAFF_MAX_LABELS];
	size_t i, k;

	for (i = 0; i < n; i++) {
		model_softmax(score + i * K, K, 1 / beta, prob);
		for (k = 0; k < K; k++) {
			double t = k == truth[i] ? 1 - eps : eps / (double)(K - 1);

			sum -= t * log(prob[k] > 1e-300 ? prob[k] : 1e-300);
		}
	}
	return sum;
}

/* Golden-section search of beta = 1 / temperature over [0.01, 100] (log scale). */
static double fit_temperature(const double *score, const size_t *truth, size_t n, size_t K)
{
	const double g = (sqrt(5.0) - 1) / 2;
	double a = log(0.01), b = log(100.0), x1, x2, f1, f2;
	int it;

	x1 = b - g * (b - a);
	x2 = a + g * (b - a);
	f1 = smoothed_nll(score, truth, n, K, exp(x1));
	f2 = smoothed_nll(score, truth, n, K, exp(x2));
	for (it = 0; it < 60; it++) {
		if (f1 <= f2) {
			b = x2;
			x2 = x1;
			f2 = f1;
			x1 = b - g * (b - a);
			f1 = smoothed_nll(score, truth, n, K, exp(x1));
		} else {
			a = x1;
			x1 = x2;
			f1 = f2;
			x2 = a + g * (b - a);
			f2 = smoothed_nll(score, truth, n, K, exp(x2));
		}
	}
	return 1 / exp((a + b) / 2);
}

/* The temperature that fits the labelled pages' cross-validated scores. */
static double calibrate(const struct chaff_dataset *d, const struct subset *s,
                        const double *score)
{
	size_t K = d->nlabels, i, n = 0;
	size_t *truth = chaff_xmalloc(chaff_st_mult(s->n ? s->n : 1, sizeof(size_t)));
	double *kept = chaff_xmalloc(chaff_st_mult(chaff_st_mult(s->n ? s->n : 1, K),
	                                           sizeof(double)));
	double temp;

	for (i = 0; i < s->n; i++) {
		if (d->label[s->idx[i]] == MODEL_BACKGROUND)
			continue;
		truth[n] = d->label[s->idx[i]];
		memcpy(kept + n * K, score + i * K, K * sizeof(double));
		n++;
	}
	temp = n ? fit_temperature(kept, truth, n, K) : 1;
	free(kept);
	free(truth);
	return temp;
}

static size_t count_sites(const struct chaff_dataset *d, const struct subset *s)
{
	bool *seen = chaff_xcalloc(d->nsites ? d->nsites : 1, sizeof(bool));
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		if (!seen[d->site[s->idx[i]]]) {
			seen[d->site[s->idx[i]]] = true;
			n++;
		}
	free(seen);
	return n;
}

/* Index of the cost of best cross-validated macro-F1 (ties: the smaller). */
static size_t best_cost(const struct cv_run *r, const struct chaff_train_opts *log,
                        double *best_f1)
{
	size_t c, best = 0, K = r->d->nlabels;

	*best_f1 = -1;
	for (c = 0; c < r->ncosts; c++) {
		double f1 = macro_f1_of(r->d, r->s, r->score + c * r->s->n * K);

		if (log)
			model_log(log, "cost %g: cross-validated macro-F1 %.4f (%zu folds by site)",
			          r->costs[c], f1, r->nfolds);
		if (f1 > *best_f1 + 1e-12) {
			*best_f1 = f1;
			best = c;
		}
	}
	return best;
}

/*
 * The training procedure on the pages of s: choose C by cross-validation
 * (or take opts->cost), fit the temperature on the cross-validated scores,
 * train on all of s. log may be NULL (inner runs of chaff_eval_cv).
 */
static enum chaff_err train_subset(struct chaff_model **out, const struct chaff_dataset *d,
                                   const struct subset *s, const struct chaff_train_opts *o,
                                   const struct chaff_train_opts *log, char *why)
{
	size_t K = d->nlabels, nfolds, best = 0;
	size_t *fold = chaff_xmalloc(chaff_st_mult(s->n ? s->n : 1, sizeof(size_t)));
	double cost = o->cost > 0 ? o->cost : DEFAULT_COST, best_f1 = 0, temp = 1;
	struct cv_run r;
	enum chaff_err err = CHAFF_OK;

	memset(&r, 0, sizeof(r));
	nfolds = o->folds >= 2 ? assign_folds(d, s, o->folds, o->seed, fold) : 0;
	if (nfolds >= 2) {
		r.d = d;
		r.s = s;
		r.fold = fold;
		r.nfolds = nfolds;
		r.costs = o->cost > 0 ? &o->cost : cost_grid;
		r.ncosts = o->cost > 0 ? 1 : NCOSTS;
		r.score = chaff_xcalloc(chaff_st_mult(chaff_st_mult(r.ncosts, s->n ? s->n : 1), K),
		                        sizeof(double));
		if ((err = cv_scores(&r, model_threads(o), why)))
			goto out;
		best = best_cost(&r, log, &best_f1);
		cost = r.costs[best];
		temp = calibrate(d, s, r.score + best * s->n * K);
	} else if (log) {
		model_log(log, "%zu site(s): no cross-validation; cost %g, no calibration",
		          count_sites(d, s), cost);
	}
	if ((err = fit_model(out, d, s, cost, why)))
		goto out;
	(*out)->temperature = temp;
	(*out)->info.sites = count_sites(d, s);
	(*out)->info.folds = nfolds >= 2 ? (unsigned)nfolds : 0;
	(*out)->info.macro_f1 = nfolds >= 2 ? best_f1 : 0;
out:
	free(r.score);
	free(fold);
	return err;
}

static bool enough_labels(const struct chaff_dataset *d, char *why)
{
	if (d->nlabels >= 2)
		return true;
	if (d->nbackground)
		chaff_why(why, "pages of at least two labels besides '%s' are needed, found %zu "
		          "label%s and %zu background page%s", CHAFF_LABEL_NONE, d->nlabels,
		          d->nlabels == 1 ? "" : "s", d->nbackground,
		          d->nbackground == 1 ? "" : "s");
	else
		chaff_why(why, "pages of at least two labels are needed, found %zu label%s",
		          d->nlabels, d->nlabels == 1 ? "" : "s");
	return false;
}

static size_t *all_pages(const struct chaff_dataset *d)
{
	size_t *idx = chaff_xmalloc(chaff_st_mult(d->n ? d->n : 1, sizeof(size_t))), i;

	for (i = 0; i < d->n; i++)
		idx[i] = i;
	return idx;
}

enum chaff_err chaff_train(struct chaff_model **out, const struct chaff_dataset *d,
                           const struct chaff_train_opts *o, char *why)
{
	size_t *idx;
	struct subset all;
	enum chaff_err err;

	*out = NULL;
	if (!enough_labels(d, why))
		return CHAFF_ERR_USAGE;
	idx = all_pages(d);
	all.idx = idx;
	all.n = d->n;
	err = train_subset(out, d, &all, o, o, why);
	free(idx);
	return err;
}

enum chaff_err chaff_eval_cv(struct chaff_eval *e, const struct chaff_dataset *d,
                             const struct chaff_train_opts *o, char *why)
{
	size_t *idx, *fold, *train_idx, f, i, nfolds, K = d->nlabels;
	struct subset all;
	enum chaff_err err = CHAFF_OK;

	chaff_eval_init(e, (const char *const *)d->labels, K);
	if (!enough_labels(d, why))
		return CHAFF_ERR_USAGE;
	idx = all_pages(d);
	all.idx = idx;
	all.n = d->n;
	fold = chaff_xmalloc(chaff_st_mult(d->n ? d->n : 1, sizeof(size_t)));
	train_idx = chaff_xmalloc(chaff_st_mult(d->n ? d->n : 1, sizeof(size_t)));
	nfolds = o->folds >= 2 ? assign_folds(d, &all, o->folds, o->seed, fold) : 0;
	if (nfolds < 2) {
		chaff_why(why, "cross-validation needs pages from at least 2 sites, found %zu",
		          d->nsites);
		err = CHAFF_ERR_USAGE;
	}
	e->folds = (unsigned)(nfolds >= 2 ? nfolds : 0);
	for (f = 0; !err && f < nfolds; f++) {
		struct subset train = {train_idx, 0};
		struct chaff_model *m;

		for (i = 0; i < d->n; i++)
			if (fold[i] != f)
				train_idx[train.n++] = i;
		model_log(o, "fold %zu of %zu: training on %zu pages, testing %zu", f + 1,
		          nfolds, train.n, d->n - train.n);
		if ((err = train_subset(&m, d, &train, o, NULL, why)))
			break;
		for (i = 0; i < d->n; i++) {
			double score[CHAFF_MAX_LABELS], prob[CHAFF_MAX_LABELS];

			if (fold[i] != f)
				continue;
			page_scores(m, d, i, score);
			model_softmax(score, K, m->temperature, prob);
			if (d->label[i] == MODEL_BACKGROUND)
				chaff_eval_add_background(e, prob);
			else
				chaff_eval_add(e, d->label[i], prob);
		}
		chaff_model_free(m);
	}
	free(train_idx);
	free(fold);
	free(idx);
	if (!err)
		chaff_eval_finish(e);
	return err;
}
