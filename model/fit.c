/*
 * fit.c - liblinear behind one function. This is the only file of chaff
 * that includes linear.h: liblinear exports unprefixed names (train,
 * predict, struct model) and prints to stdout unless told not to.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linear.h>

#include "model/model_impl.h"

/*
 * L2-regularised logistic regression, dual coordinate descent (-s 7): an
 * order of magnitude faster than the primal solver on many pages. It
 * shuffles with rand(), so every train() runs under one lock right after
 * srand(SOLVER_SEED): the same problem always gives the same weights, on
 * any number of threads. Nothing else in chaff calls rand().
 */
#define SOLVER L2R_LR_DUAL
#define SOLVER_EPS 0.1
#define SOLVER_SEED 1

static pthread_mutex_t solver_lock = PTHREAD_MUTEX_INITIALIZER;

/* Decision bias of a label with no (or only) positive pages to learn from. */
#define DEGENERATE_BIAS 8.0

static void quiet(const char *s)
{
	(void)s;
}

/*
 * liblinear wants each instance as feature_node runs: features, then the
 * bias node (index nfeat + 1, value 1), then index -1.
 */
static struct feature_node *build_nodes(const struct fit_problem *p,
                                        struct feature_node ***rows)
{
	size_t i, j, nnz = p->off[p->n];
	struct feature_node *x = chaff_xmalloc(chaff_st_mult(chaff_st_add(nnz,
	                                       chaff_st_mult(p->n, 2)), sizeof(*x)));
	struct feature_node *at = x;

	*rows = chaff_xmalloc(chaff_st_mult(p->n ? p->n : 1, sizeof(**rows)));
	for (i = 0; i < p->n; i++) {
		(*rows)[i] = at;
		for (j = p->off[i]; j < p->off[i + 1]; j++) {
			at->index = (int)p->idx[j];
			at->value = p->val[j];
			at++;
		}
		at->index = (int)p->nfeat + 1;
		at->value = 1;
		at++;
		at->index = -1;
		at->value = 0;
		at++;
	}
	return x;
}

/* Train label k against the rest; write its column of w. */
static enum chaff_err fit_one(const struct fit_problem *p, struct problem *prob,
                              double cost, size_t k, double *w, char *why)
{
	struct parameter param;
	struct model *model;
	int weight_label[2] = {+1, -1};
	double weight[2];
	size_t i, npos = 0, K = p->nlabels;
	const char *bad;
	double sign;

	for (i = 0; i < p->n; i++) {
		prob->y[i] = p->label[i] == k ? +1 : -1;
		npos += p->label[i] == k;
	}
	if (npos == 0 || npos == p->n) {
		for (i = 0; i < p->nfeat; i++)
			w[i * K + k] = 0;
		w[p->nfeat * K + k] = npos ? DEGENERATE_BIAS : -DEGENERATE_BIAS;
		return CHAFF_OK;
	}
	/* Inverse class frequency: both sides weigh as much in total. */
	weight[0] = (double)p->n / (2.0 * (double)npos);
	weight[1] = (double)p->n / (2.0 * (double)(p->n - npos));
	memset(&param, 0, sizeof(param));
	param.solver_type = SOLVER;
	param.eps = SOLVER_EPS;
	param.C = cost;
	param.nr_weight = 2;
	param.weight_label = weight_label;
	param.weight = weight;
	param.p = 0.1;
	if ((bad = check_parameter(prob, &param))) {
		chaff_why(why, "liblinear: %s", bad);
		return CHAFF_ERR_USAGE;
	}
	pthread_mutex_lock(&solver_lock);
	srand(SOLVER_SEED);
	model = train(prob, &param);
	pthread_mutex_unlock(&solver_lock);
	/* The first label liblinear saw is its positive class. */
	sign = model->label[0] == +1 ? 1 : -1;
	for (i = 0; i <= p->nfeat; i++)
		w[i * K + k] = sign * model->w[i];
	free_and_destroy_model(&model);
	return CHAFF_OK;
}

enum chaff_err fit_ovr(const struct fit_problem *p, double cost, double *w, char *why)
{
	struct problem prob;
	struct feature_node *x, **rows;
	enum chaff_err err = CHAFF_OK;
	size_t k;

	if (p->n == 0 || p->n > INT_MAX || p->nfeat >= INT_MAX - 1 ||
	    p->off[p->n] > INT_MAX) {
		chaff_why(why, "training set of %zu pages, %zu features: out of range",
		          p->n, p->nfeat);
		return CHAFF_ERR_TOO_LARGE;
	}
	set_print_string_function(quiet);
	x = build_nodes(p, &rows);
	memset(&prob, 0, sizeof(prob));
	prob.l = (int)p->n;
	prob.n = (int)p->nfeat + 1;
	prob.x = rows;
	prob.y = chaff_xmalloc(chaff_st_mult(p->n, sizeof(double)));
	prob.bias = 1;
	for (k = 0; !err && k < p->nlabels; k++)
		err = fit_one(p, &prob, cost, k, w, why);
	free(prob.y);
	free(rows);
	free(x);
	return err;
}
