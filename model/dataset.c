/*
 * dataset.c - a corpus's pages turned into features once (or read back
 * from the feature cache), with their labels and cross-validation sites.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/model_impl.h"

/* Pages read per round of the worker threads; bounds what is held at once. */
#define CHUNK 256

struct builder {
	struct chaff_dataset *d;
	size_t terms_cap;
	const struct chaff_train_opts *o;
	const struct chaff_corpus *c;
	const char *cache;
	struct chaff_limits lim;
	size_t from_cache;
	struct warc_rows *warc;
};

/* One page's outcome, filled by a worker, consumed in corpus order. */
struct slot {
	struct feat_entry e;
	enum chaff_err err;
	bool cached;
	char *site;          /* when the row's own site is not the one (WARC rows) */
	char why[CHAFF_WHY_MAX];
};

/* A worker reads pages start + k * step of the chunk; it writes only its slots. */
struct worker {
	struct builder *b;
	struct slot *slots;
	size_t start, end, step;
	struct chaff_arena arena;
	pthread_t tid;
};

void model_log(const struct chaff_train_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->log)
		return;
	fputs(o->log_prefix ? o->log_prefix : "", o->log);
	va_start(ap, fmt);
	vfprintf(o->log, fmt, ap);
	va_end(ap);
	fputc('\n', o->log);
}

/* Extract a page's features afresh. */
static enum chaff_err extract(const struct builder *b, struct chaff_arena *arena,
                              const struct chaff_page *page, struct feat_entry *e, char *why)
{
	struct chaff_features *f = chaff_xcalloc(1, sizeof(*f));
	struct chaff_doc doc;
	enum chaff_err err;
	size_t i, nsig = b->d->nsignals;

	chaff_arena_reset(arena);
	err = chaff_doc_parse(&doc, page, &b->lim, arena, why);
	if (!err) {
		chaff_features_extract(f, &doc, b->d->hash_bits, arena);
		e->signals = chaff_xmalloc(chaff_st_mult(nsig ? nsig : 1, sizeof(double)));
		e->terms = chaff_xmalloc(chaff_st_mult(f->nterms ? f->nterms : 1,
		                                       sizeof(*e->terms)));
		for (i = 0; i < nsig; i++)
			e->signals[i] = isfinite(f->signals[i]) ? f->signals[i] : 0;
		for (i = 0; i < f->nterms; i++) {
			e->terms[e->nterms].index = f->terms[i].index;
			e->terms[e->nterms].value = isfinite(f->terms[i].value) ?
			                            f->terms[i].value : 0;
			/* The extractor promises sorted, unique indices: trust, but verify. */
			if (!(f->terms[i].index >> b->d->hash_bits) &&
			    (!e->nterms || e->terms[e->nterms - 1].index < f->terms[i].index))
				e->nterms++;
		}
	}
	free(f);
	return err;
}

/* A page's features: from the cache, or extracted (and then cached). */
static enum chaff_err page_features(const struct builder *b, struct chaff_arena *arena,
                                    const struct chaff_page *page, struct feat_entry *e,
                                    bool *cached, char *why)
{
	struct feat_key key = featcache_key(page, b->d->hash_bits, &b->lim);
	size_t nsig = b->d->nsignals;
	enum chaff_err err;

	if (b->cache && featcache_get(b->cache, &key, nsig, b->d->hash_bits, e)) {
		*cached = true;
		return CHAFF_OK;
	}
	err = extract(b, arena, page, e, why);
	if (!err && b->cache)
		featcache_put(b->cache, &key, nsig, b->d->hash_bits, e);
	return err;
}

/* page_features for the pass over an archive (model/corpus_warc.c). */
static enum chaff_err scan_features(void *ctx, struct chaff_arena *arena,
                                    const struct chaff_page *page, struct feat_entry *e,
                                    bool *cached, char *why)
{
	return page_features(ctx, arena, page, e, cached, why);
}

/* The one place a row becomes features: a page file, or a WARC record. */
static enum chaff_err features_of(const struct builder *b, struct chaff_arena *arena,
                                  size_t i, struct slot *sl)
{
	const struct chaff_sample *s = &b->c->samples[i];
	struct chaff_page page;
	enum chaff_err err;

	chaff_page_init(&page, &b->lim);
	if (s->record) {
		err = warc_rows_get(b->warc, i, &b->lim, &page, &sl->e, &sl->cached, &sl->site,
		                    sl->why);
		if (err || sl->e.signals)
			goto out;  /* failed, or its features were made by the pass */
	} else {
		err = chaff_page_read_file(&page, s->path, &b->lim, sl->why);
		if (err)
			goto out;
		if (s->url) {
			free(page.url);
			page.url = chaff_xstrdup(s->url);
		}
	}
	err = page_features(b, arena, &page, &sl->e, &sl->cached, sl->why);
out:
	chaff_page_release(&page);
	return err;
}

static void append(struct builder *b, const struct chaff_sample *s, struct slot *sl)
{
	const struct feat_entry *e = &sl->e;
	struct chaff_dataset *d = b->d;
	size_t i = d->n, need = chaff_st_add(d->term_off[i], e->nterms);

	if (need > b->terms_cap) {
		while (b->terms_cap < need)
			b->terms_cap = b->terms_cap ? chaff_st_mult(b->terms_cap, 2) : 4096;
		d->terms = chaff_xrealloc(d->terms, chaff_st_mult(b->terms_cap, sizeof(*d->terms)));
	}
	memcpy(d->signals + i * d->nsignals, e->signals, d->nsignals * sizeof(double));
	if (e->nterms)
		memcpy(d->terms + d->term_off[i], e->terms, e->nterms * sizeof(*e->terms));
	d->term_off[i + 1] = need;
	d->label[i] = s->label;
	/* Names for now; ids in number_sites. */
	d->sites[i] = sl->site ? sl->site : chaff_xstrdup(s->site);
	sl->site = NULL;
	d->n++;
}

/*
 * Keep the labels that have pages, in corpus order; set the background
 * pages (label none) apart, so that no model ever has a class for them.
 */
static void map_labels(struct chaff_dataset *d, const struct chaff_corpus *c,
                       const struct chaff_train_opts *o)
{
	size_t count[CHAFF_MAX_LABELS] = {0}, map[CHAFF_MAX_LABELS], i, k;

	for (i = 0; i < d->n; i++)
		count[d->label[i]]++;
	d->nlabels = 0;
	for (k = 0; k < c->nlabels; k++) {
		if (!strcmp(c->labels[k], CHAFF_LABEL_NONE)) {
			map[k] = MODEL_BACKGROUND;
			d->nbackground = count[k];
		} else if (!count[k]) {
			model_log(o, "label '%s' has no page left: left out", c->labels[k]);
		} else {
			map[k] = d->nlabels;
			d->labels[d->nlabels++] = chaff_xstrdup(c->labels[k]);
		}
	}
	for (i = 0; i < d->n; i++)
		d->label[i] = map[d->label[i]];
	d->background_as = MODEL_BACKGROUND;
	for (k = 0; c->background_as && k < d->nlabels; k++)
		if (!strcmp(d->labels[k], c->background_as))
			d->background_as = k;
	if (c->background_as && d->background_as == MODEL_BACKGROUND)
		model_log(o, "'# background: %s' names no label of the corpus: ignored",
		          c->background_as);
	if (d->nbackground && d->background_as != MODEL_BACKGROUND)
		model_log(o, "%zu background page%s (label %s): learned as %s",
		          d->nbackground, d->nbackground == 1 ? "" : "s", CHAFF_LABEL_NONE,
		          d->labels[d->background_as]);
	else if (d->nbackground)
		model_log(o, "%zu background page%s (label %s): negatives for every label",
		          d->nbackground, d->nbackground == 1 ? "" : "s", CHAFF_LABEL_NONE);
}

struct named {
	const char *name;
	size_t i;
};

static int by_name(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Replace per-page site names by ids into a sorted list of unique names. */
static void number_sites(struct chaff_dataset *d)
{
	size_t i, nuniq = 0, n = d->n ? d->n : 1;
	struct named *order = chaff_xmalloc(chaff_st_mult(n, sizeof(*order)));
	char **names = d->sites, **uniq = chaff_xmalloc(chaff_st_mult(n, sizeof(char *)));

	for (i = 0; i < d->n; i++) {
		order[i].name = names[i];
		order[i].i = i;
	}
	qsort(order, d->n, sizeof(*order), by_name);
	for (i = 0; i < d->n; i++) {
		size_t j = order[i].i;

		if (!nuniq || strcmp(uniq[nuniq - 1], names[j]))
			uniq[nuniq++] = chaff_xstrdup(names[j]);
		d->site[j] = nuniq - 1;
	}
	for (i = 0; i < d->n; i++)
		free(names[i]);
	free(names);
	free(order);
	d->sites = uniq;
	d->nsites = nuniq;
}

static struct chaff_dataset *dataset_new(size_t rows, size_t nsig, unsigned bits)
{
	struct chaff_dataset *d = chaff_xcalloc(1, sizeof(*d));
	size_t i, n = rows ? rows : 1;

	d->nsignals = nsig;
	d->hash_bits = bits;
	d->signal_names = chaff_xcalloc(nsig ? nsig : 1, sizeof(char *));
	for (i = 0; i < nsig; i++)
		d->signal_names[i] = chaff_xstrdup(chaff_signal_name(i));
	d->signals = chaff_xcalloc(chaff_st_mult(n, nsig ? nsig : 1), sizeof(double));
	d->term_off = chaff_xcalloc(chaff_st_add(n, 1), sizeof(size_t));
	d->label = chaff_xcalloc(n, sizeof(size_t));
	d->site = chaff_xcalloc(n, sizeof(size_t));
	d->sites = chaff_xcalloc(n, sizeof(char *));
	return d;
}

static void progress(const struct builder *b, size_t done, size_t total, bool last)
{
	const struct chaff_train_opts *o = b->o;

	if (!o->progress || !o->log)
		return;
	fprintf(o->log, "\r%sfeatures: %zu/%zu pages", o->log_prefix ? o->log_prefix : "",
	        done, total);
	if (last)
		fputc('\n', o->log);
	fflush(o->log);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	size_t i;

	for (i = w->start; i < w->end; i += w->step) {
		struct slot *sl = &w->slots[i % CHUNK];

		sl->err = features_of(w->b, &w->arena, i, sl);
	}
	return NULL;
}

unsigned model_threads(const struct chaff_train_opts *o)
{
	long n = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MODEL_MAX_THREADS ? MODEL_MAX_THREADS : (unsigned)n;
}

/* Read pages [start, end) on the workers; then take their results in order. */
static void read_chunk(struct builder *b, struct worker *w, unsigned nw, struct slot *slots,
                       size_t start, size_t end, size_t *failed)
{
	bool started[MODEL_MAX_THREADS] = {false};
	unsigned t;
	size_t i;

	for (t = 0; t < nw; t++) {
		w[t].slots = slots;
		w[t].start = start + t;
		w[t].end = end;
		w[t].step = nw;
	}
	/* Worker 0 is this thread; a thread that cannot start runs here after. */
	for (t = 1; t < nw; t++)
		started[t] = !pthread_create(&w[t].tid, NULL, work, &w[t]);
	work(&w[0]);
	for (t = 1; t < nw; t++)
		if (started[t])
			pthread_join(w[t].tid, NULL);
		else
			work(&w[t]);
	for (i = start; i < end; i++) {
		const struct chaff_sample *s = &b->c->samples[i];
		struct slot *sl = &slots[i % CHUNK];

		if (sl->err) {
			model_log(b->o, "%s: %s: %s", s->where, s->path,
			          sl->why[0] ? sl->why : "unreadable");
			(*failed)++;
		} else {
			append(b, s, sl);
			b->from_cache += sl->cached;
		}
		feat_entry_release(&sl->e);
		free(sl->site);
		memset(sl, 0, sizeof(*sl));
	}
}

enum chaff_err chaff_dataset_build(struct chaff_dataset **out, const struct chaff_corpus *c,
                                   const struct chaff_train_opts *o, size_t *failed,
                                   char *why)
{
	struct builder b;
	struct worker w[MODEL_MAX_THREADS];
	struct slot *slots;
	unsigned bits = o->hash_bits ? o->hash_bits : CHAFF_HASH_BITS_DEFAULT, t, nw;
	size_t i, nsig = chaff_signal_count();

	*out = NULL;
	*failed = 0;
	if (bits < MODEL_MIN_HASH_BITS || bits > MODEL_MAX_HASH_BITS) {
		chaff_why(why, "hash bits must be %d to %d", MODEL_MIN_HASH_BITS,
		          MODEL_MAX_HASH_BITS);
		return CHAFF_ERR_USAGE;
	}
	if (nsig > CHAFF_SIG_MAX)
		nsig = CHAFF_SIG_MAX;
	memset(&b, 0, sizeof(b));
	b.o = o;
	b.c = c;
	b.d = dataset_new(c->nsamples, nsig, bits);
	b.cache = featcache_dir(o);
	chaff_limits_default(&b.lim);
	nw = model_threads(o);
	memset(w, 0, sizeof(w));
	for (t = 0; t < nw; t++) {
		w[t].b = &b;
		chaff_arena_init(&w[t].arena);
	}
	b.warc = warc_rows_resolve(c, &b.lim, scan_features, &b, &w[0].arena, o);
	slots = chaff_xcalloc(CHUNK, sizeof(*slots));
	for (i = 0; i < c->nsamples; i += CHUNK) {
		size_t end = c->nsamples - i > CHUNK ? i + CHUNK : c->nsamples;

		read_chunk(&b, w, nw, slots, i, end, failed);
		progress(&b, end, c->nsamples, end == c->nsamples);
	}
	free(slots);
	warc_rows_free(b.warc);
	for (t = 0; t < nw; t++)
		chaff_arena_release(&w[t].arena);
	if (c->nsamples)
		model_log(o, "%zu pages read (%zu from the feature cache%s%s)", b.d->n,
		          b.from_cache, b.cache ? " in " : ", none", b.cache ? b.cache : "");
	free((char *)b.cache);
	map_labels(b.d, c, o);
	number_sites(b.d);
	if (!b.d->n) {
		chaff_why(why, "no page could be read");
		chaff_dataset_free(b.d);
		return CHAFF_ERR_EMPTY;
	}
	*out = b.d;
	return CHAFF_OK;
}

size_t chaff_dataset_size(const struct chaff_dataset *d)
{
	return d->n;
}

size_t chaff_dataset_nlabels(const struct chaff_dataset *d)
{
	return d->nlabels;
}

const char *chaff_dataset_label(const struct chaff_dataset *d, size_t i)
{
	return i < d->nlabels ? d->labels[i] : NULL;
}

size_t chaff_dataset_nsites(const struct chaff_dataset *d)
{
	return d->nsites;
}

size_t chaff_dataset_nbackground(const struct chaff_dataset *d)
{
	return d->nbackground;
}

void chaff_dataset_free(struct chaff_dataset *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nlabels; i++)
		free(d->labels[i]);
	for (i = 0; i < d->nsignals; i++)
		free(d->signal_names[i]);
	for (i = 0; i < d->nsites; i++)
		free(d->sites[i]);
	free(d->signal_names);
	free(d->signals);
	free(d->term_off);
	free(d->terms);
	free(d->label);
	free(d->site);
	free(d->sites);
	free(d);
}
