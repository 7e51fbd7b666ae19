/*
 * model_impl.h - what the files of model/ share: the model and dataset
 * structs and the internal steps of training. Not part of the public API.
 */
#ifndef CHAFF_MODEL_IMPL_H
#define CHAFF_MODEL_IMPL_H

#include "chaff.h"

#define MODEL_FORMAT_VERSION 1
#define MODEL_MAX_SIGNALS 1024     /* dense features a model file may name */
#define MODEL_MIN_HASH_BITS 4
#define MODEL_MAX_HASH_BITS 26
#define MODEL_NAME_MAX 80          /* signal names; leaves room in chaff_contrib */
/*
 * Weights, clip bounds and the term scale are at most this large: then no
 * sum of a model's products can overflow to infinity, and softmax never
 * sees inf - inf. Trained models stay far below (|w| < 20, bounds of 2).
 */
#define MODEL_MAX_ABS 1e6

enum model_transform {
	TRANSFORM_IDENTITY = 0,
	TRANSFORM_LOG1P              /* sign(v) * log(1 + |v|) */
};

struct model_signal {
	char *name;
	int signal;                  /* this chaff's signal index, or -1 */
	enum model_transform transform;
	double center, scale, lo, hi;
	size_t line;                 /* of its definition, for messages */
};

struct chaff_model {
	size_t nlabels;
	char *labels[CHAFF_MAX_LABELS];
	size_t nsignals;
	struct model_signal *signals;
	unsigned hash_bits;
	uint64_t term_seed;
	unsigned ngram_min, ngram_max;
	double term_scale;
	double temperature;
	struct chaff_model_info info;
	/* Weights, label-minor: row r holds nlabels weights at r * nlabels. */
	double bias[CHAFF_MAX_LABELS];
	double *wsignal;             /* nsignals rows */
	size_t nterms;
	uint32_t *term_index;        /* sorted, unique */
	double *wterm;               /* nterms rows */
	/* Open-addressed index of term_index: row + 1, or 0 for an empty slot. */
	uint32_t *term_slot;
	size_t term_mask;            /* slots - 1 (a power of two) */
};

/* A model with no weights (all zero), for the parser and the trainer. */
struct chaff_model *model_new(void);

/* The scaled value of raw signal v under s. */
double model_scale_signal(const struct model_signal *s, double v);

/*
 * Build the hash index of the term rows; call once term_index is complete.
 * A page has thousands of terms, each looked up twice per prediction: a
 * binary search over 50k rows was the largest cost of predict.
 */
void model_index_terms(struct chaff_model *m);

/* Add what term t with value v gives to each label's score: the one place a term counts. */
void model_add_term(const struct chaff_model *m, uint32_t t, double v, double *score);

/* Row of weights for term index t, or NULL when the model has none. */
const double *model_term_row(const struct chaff_model *m, uint32_t t);

/* softmax(score / temperature) into prob; returns the arg max. */
size_t model_softmax(const double *score, size_t n, double temperature, double *prob);

/* A page's features as the dataset keeps them: terms as index/value pairs. */
struct term_pair {
	uint32_t index;
	float value;
};

/*
 * Uncalibrated scores of one page: signals indexed like this chaff's
 * signals (chaff_signal_index), nsignals of them.
 */
void model_scores(const struct chaff_model *m, const double *signals, size_t nsignals,
                  const struct term_pair *terms, size_t nterms, double *score);

/*
 * The label of a background page (CHAFF_LABEL_NONE in the labels file): a
 * negative for every label's fit, never a class of its own.
 */
#define MODEL_BACKGROUND ((size_t)-1)

struct chaff_dataset {
	size_t n;
	size_t nlabels;              /* real labels: none is not one */
	char *labels[CHAFF_MAX_LABELS];
	size_t nbackground;          /* pages whose label is MODEL_BACKGROUND */
	size_t background_as;        /* label they are learned as, or MODEL_BACKGROUND */
	size_t nsignals;             /* this chaff's signals, in index order */
	char **signal_names;
	double *signals;             /* n rows of nsignals raw values */
	size_t *term_off;            /* n + 1 offsets into terms */
	struct term_pair *terms;
	size_t *label;               /* index into labels, or MODEL_BACKGROUND */
	size_t *site;                /* index into sites */
	size_t nsites;
	char **sites;
	unsigned hash_bits;
};

/*
 * liblinear, behind one function (model/fit.c is the only file that
 * includes linear.h). Instances in CSR form with 1-based feature indices,
 * strictly increasing per instance. One binary L2-regularised logistic
 * regression per label (one-vs-rest), each with the two classes weighted
 * by inverse frequency. A label no label index matches (MODEL_BACKGROUND)
 * is a negative for every fit. w receives (nfeat + 1) rows of nlabels weights:
 * row j for feature j + 1, row nfeat for the bias.
 */
struct fit_problem {
	size_t n;
	size_t nfeat;
	size_t nlabels;
	const size_t *off;
	const uint32_t *idx;
	const double *val;
	const size_t *label;
};

enum chaff_err fit_ovr(const struct fit_problem *p, double cost, double *w, char *why);

#define MODEL_MAX_THREADS 64

/* Threads to use: o->threads, or one per CPU; 1..MODEL_MAX_THREADS. */
unsigned model_threads(const struct chaff_train_opts *o);

/* A line on o->log after o->log_prefix (no-op without a log). */
void model_log(const struct chaff_train_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Feature cache (model/featcache.c). */
struct feat_key {
	uint64_t h[2];
};

struct feat_entry {
	double *signals;             /* nsignals, malloc'd */
	struct term_pair *terms;     /* malloc'd */
	size_t nterms;
};

/* NULL when caching is off or no directory can be had; else malloc'd. */
char *featcache_dir(const struct chaff_train_opts *o);
struct feat_key featcache_key(const struct chaff_page *page, unsigned hash_bits,
                              const struct chaff_limits *lim);
/* true and e filled when a valid entry exists. */
bool featcache_get(const char *dir, const struct feat_key *key, size_t nsignals,
                   unsigned hash_bits, struct feat_entry *e);
/* Best effort: false when the entry could not be written. */
bool featcache_put(const char *dir, const struct feat_key *key, size_t nsignals,
                   unsigned hash_bits, const struct feat_entry *e);
void feat_entry_release(struct feat_entry *e);

/*
 * The site of a sample whose page has URL url (or NULL): the row's site,
 * else the host of its URL or of url, else its directory (its archive for
 * a WARC row). malloc'd.
 */
char *model_row_site(const struct chaff_sample *s, const char *url);

/*
 * WARC rows of a corpus (model/corpus_warc.c). warc_rows_resolve reads
 * each archive once for the rows that name record ids, before the workers
 * start; records it cannot leave to a seek (several records in one gzip
 * member) get their features made right then, through fn. warc_rows_get
 * then gives, for one WARC row, either the features (e filled: taken by
 * the caller) or the page read at its offset, and the row's site
 * (malloc'd); or the row's error. Rows are only read by the worker that
 * handles them, so workers may call it at once for different rows.
 */
typedef enum chaff_err (*warc_features_fn)(void *ctx, struct chaff_arena *arena,
                                           const struct chaff_page *page,
                                           struct feat_entry *e, bool *cached, char *why);
struct warc_rows;
struct warc_rows *warc_rows_resolve(const struct chaff_corpus *c,
                                    const struct chaff_limits *lim, warc_features_fn fn,
                                    void *ctx, struct chaff_arena *arena,
                                    const struct chaff_train_opts *o);
enum chaff_err warc_rows_get(struct warc_rows *w, size_t sample,
                             const struct chaff_limits *lim, struct chaff_page *page,
                             struct feat_entry *e, bool *cached, char **site, char *why);
void warc_rows_free(struct warc_rows *w);

#endif
