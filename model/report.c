/*
 * report.c - read verdict JSON Lines and count what the report shows, in
 * memory that does not grow with the number of lines: name sets with a
 * ceiling, fixed histogram bins, space-saving host counters, a count-min
 * sketch, and bounded heaps of pages. model/report_html.c draws the page.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/report_impl.h"

#define HASH_SEED 0x7265706f7274ULL  /* "report" */

/* ---- small helpers ---------------------------------------------------- */

/* Copy at most max bytes of s, cut at a UTF-8 boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static char *dup_cut(const char *s, size_t n, size_t max)
{
	return chaff_xstrndup(s, utf8_cut(s, n, max));
}

static const struct chaff_json_value *get_type(const struct chaff_json_value *obj,
                                               const char *key, enum chaff_json_type type)
{
	const struct chaff_json_value *v = chaff_json_get(obj, key);

	return v && v->type == type ? v : NULL;
}

static const char *get_str(const struct chaff_json_value *obj, const char *key)
{
	const struct chaff_json_value *v = get_type(obj, key, CHAFF_JSON_STRING);

	return v ? v->str : NULL;
}

/* ---- name sets -------------------------------------------------------- */

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;

	while (p < n)
		p *= 2;
	return p;
}

static void names_init(struct rpt_names *s, size_t max)
{
	s->name = chaff_xcalloc(max, sizeof(*s->name));
	s->n = 0;
	s->max = max;
	s->nslots = pow2_at_least(2 * max);
	s->slot = chaff_xcalloc(s->nslots, sizeof(*s->slot));
}

static void names_release(struct rpt_names *s)
{
	free(s->name);
	free(s->slot);
}

/* Index of name (cut to RPT_NAME_MAX bytes), added when add is set and there
 * is room; -1 otherwise. */
static int names_find(struct rpt_names *s, const char *str, size_t n, bool add)
{
	size_t i, len = utf8_cut(str, n, RPT_NAME_MAX);
	uint64_t h = chaff_hash64(str, len, HASH_SEED);

	for (i = h & (s->nslots - 1);; i = (i + 1) & (s->nslots - 1)) {
		uint32_t k = s->slot[i];

		if (!k)
			break;
		if (!strncmp(s->name[k - 1], str, len) && s->name[k - 1][len] == '\0')
			return (int)(k - 1);
	}
	if (!add || s->n >= s->max)
		return -1;
	memcpy(s->name[s->n], str, len);
	s->name[s->n][len] = '\0';
	s->slot[i] = (uint32_t)++s->n;
	return (int)(s->n - 1);
}

/* ---- space-saving top-k of hosts --------------------------------------- */

static struct rpt_topk *topk_new(size_t k)
{
	struct rpt_topk *t = chaff_xcalloc(1, sizeof(*t));

	t->k = k;
	t->e = chaff_xcalloc(k, sizeof(*t->e));
	t->heap = chaff_xcalloc(k, sizeof(*t->heap));
	t->nslots = pow2_at_least(2 * k);
	t->slot = chaff_xcalloc(t->nslots, sizeof(*t->slot));
	return t;
}

static void topk_free(struct rpt_topk *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->heap);
	free(t->slot);
	free(t);
}

static void heap_swap(struct rpt_topk *t, size_t a, size_t b)
{
	size_t x = t->heap[a];

	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->e[t->heap[a]].heap_pos = a;
	t->e[t->heap[b]].heap_pos = b;
}

/* Counts only grow, so an entry only ever moves down the min-heap. */
static void topk_sift_down(struct rpt_topk *t, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < t->n && t->e[t->heap[l]].count < t->e[t->heap[m]].count)
			m = l;
		if (r < t->n && t->e[t->heap[r]].count < t->e[t->heap[m]].count)
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

static size_t topk_slot(const struct rpt_topk *t, const char *host, uint64_t h, bool *found)
{
	size_t i;

	for (i = h & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
		uint32_t k = t->slot[i];

		if (!k) {
			*found = false;
			return i;
		}
		if (t->e[k - 1].hash == h && !strcmp(t->e[k - 1].name, host)) {
			*found = true;
			return i;
		}
	}
}

/* Linear probing deletion by backward shift: no tombstones pile up. */
static void topk_unslot(struct rpt_topk *t, size_t i)
{
	size_t j = i, mask = t->nslots - 1;

	t->slot[i] = 0;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!t->slot[j])
			return;
		home = t->e[t->slot[j] - 1].hash & mask;
		/* Move slot j back to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			t->slot[i] = t->slot[j];
			t->slot[j] = 0;
			i = j;
		}
	}
}

static void topk_add(struct rpt_topk *t, const char *host)
{
	uint64_t h = chaff_hash64(host, strlen(host), HASH_SEED);
	bool found;
	size_t s = topk_slot(t, host, h, &found), idx;
	struct rpt_host *e;

	if (found) {
		e = &t->e[t->slot[s] - 1];
		e->count++;
		topk_sift_down(t, e->heap_pos);
		return;
	}
	if (t->n < t->k) {
		idx = t->n;
		e = &t->e[idx];
		e->count = 1;
		e->err = 0;
		e->heap_pos = t->n;
		t->heap[t->n++] = idx;
		while (e->heap_pos > 0) {  /* sift up: 1 is at most any count */
			size_t parent = (e->heap_pos - 1) / 2;

			if (t->e[t->heap[parent]].count <= e->count)
				break;
			heap_swap(t, parent, e->heap_pos);
		}
	} else {
		/* Replace the least counted host: the newcomer may have had
		 * up to that many pages while it was not tracked. */
		bool f2;
		size_t old;

		idx = t->heap[0];
		e = &t->e[idx];
		old = topk_slot(t, e->name, e->hash, &f2);
		topk_unslot(t, old);
		s = topk_slot(t, host, h, &found);
		e->err = e->count;
		e->count++;
	}
	snprintf(e->name, sizeof(e->name), "%s", host);
	e->hash = h;
	t->slot[s] = (uint32_t)idx + 1;
	topk_sift_down(t, e->heap_pos);
}

static int cmp_host_desc(const void *a, const void *b, void *ctx)
{
	const struct rpt_topk *t = ctx;
	const struct rpt_host *x = &t->e[*(const size_t *)a], *y = &t->e[*(const size_t *)b];

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

size_t *rpt_topk_sorted(const struct rpt_topk *t, size_t *n)
{
	size_t *idx, i;

	*n = t ? t->n : 0;
	idx = chaff_xcalloc(*n ? *n : 1, sizeof(*idx));
	for (i = 0; i < *n; i++)
		idx[i] = i;
	if (*n)
		qsort_r(idx, *n, sizeof(*idx), cmp_host_desc, (void *)t);
	return idx;
}

/* ---- count-min sketch of pages per (host, label) ----------------------- */

#define CMS_ALL 0xFFu  /* the "label" of a host's total */

static void cms_add(struct chaff_report *r, uint64_t hosthash, unsigned label)
{
	uint64_t h = hosthash ^ ((uint64_t)label * 0x9E3779B97F4A7C15ULL);
	size_t d;

	for (d = 0; d < RPT_CMS_DEPTH; d++) {
		uint64_t x = chaff_hash64(&h, sizeof(h), d + 1);
		uint32_t *c = &r->cms[d * RPT_CMS_WIDTH + (x & (RPT_CMS_WIDTH - 1))];

		if (*c < UINT32_MAX)
			(*c)++;
	}
}

uint64_t rpt_cms_get(const struct chaff_report *r, const char *host, unsigned label)
{
	uint64_t h = chaff_hash64(host, strlen(host), HASH_SEED);
	uint64_t best = UINT64_MAX;
	size_t d;

	h ^= (uint64_t)label * 0x9E3779B97F4A7C15ULL;
	for (d = 0; d < RPT_CMS_DEPTH; d++) {
		uint64_t x = chaff_hash64(&h, sizeof(h), d + 1);
		uint32_t c = r->cms[d * RPT_CMS_WIDTH + (x & (RPT_CMS_WIDTH - 1))];

		if (c < best)
			best = c;
	}
	return best;
}

/* ---- bounded heaps of pages -------------------------------------------- */

static void page_unref(struct rpt_page *p)
{
	size_t i;

	if (!p || --p->refs)
		return;
	free(p->url);
	free(p->title);
	free(p->host);
	for (i = 0; i < p->nev; i++)
		free(p->ev[i]);
	for (i = 0; i < p->ntop; i++)
		free(p->top_feature[i]);
	free(p);
}

static void pheap_init(struct rpt_heap *h, size_t k)
{
	h->k = k;
	h->n = 0;
	h->p = chaff_xcalloc(k, sizeof(*h->p));
	h->key = chaff_xcalloc(k, sizeof(*h->key));
}

static void pheap_release(struct rpt_heap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		page_unref(h->p[i]);
	free(h->p);
	free(h->key);
	h->p = NULL;
	h->key = NULL;
	h->n = 0;
}

/* a ranks below b: a smaller key, or the same key on a later line. */
static bool ranks_below(double ka, uint64_t sa, double kb, uint64_t sb)
{
	return ka < kb || (ka == kb && sa > sb);
}

static bool pheap_wants(const struct rpt_heap *h, double key, uint64_t seq)
{
	if (!h->k)
		return false;
	return h->n < h->k || ranks_below(h->key[0], h->p[0]->seq, key, seq);
}

static void pheap_swap(struct rpt_heap *h, size_t a, size_t b)
{
	struct rpt_page *p = h->p[a];
	double k = h->key[a];

	h->p[a] = h->p[b];
	h->key[a] = h->key[b];
	h->p[b] = p;
	h->key[b] = k;
}

static bool pheap_below(const struct rpt_heap *h, size_t a, size_t b)
{
	return ranks_below(h->key[a], h->p[a]->seq, h->key[b], h->p[b]->seq);
}

static void pheap_push(struct rpt_heap *h, struct rpt_page *p, double key)
{
	size_t i;

	if (h->n == h->k) {
		page_unref(h->p[0]);
		h->p[0] = p;
		h->key[0] = key;
		i = 0;
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;

			if (l < h->n && pheap_below(h, l, m))
				m = l;
			if (r < h->n && pheap_below(h, r, m))
				m = r;
			if (m == i)
				break;
			pheap_swap(h, i, m);
			i = m;
		}
	} else {
		i = h->n++;
		h->p[i] = p;
		h->key[i] = key;
		while (i > 0 && pheap_below(h, i, (i - 1) / 2)) {
			pheap_swap(h, i, (i - 1) / 2);
			i = (i - 1) / 2;
		}
	}
	p->refs++;
}

struct ranked {
	struct rpt_page *p;
	double key;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (ranks_below(x->key, x->p->seq, y->key, y->p->seq))
		return 1;
	if (ranks_below(y->key, y->p->seq, x->key, x->p->seq))
		return -1;
	return 0;
}

struct rpt_page **rpt_heap_sorted(const struct rpt_heap *h, size_t *n)
{
	struct ranked *tmp = chaff_xcalloc(h->n ? h->n : 1, sizeof(*tmp));
	struct rpt_page **out = chaff_xcalloc(h->n ? h->n : 1, sizeof(*out));
	size_t i;

	for (i = 0; i < h->n; i++) {
		tmp[i].p = h->p[i];
		tmp[i].key = h->key[i];
	}
	qsort(tmp, h->n, sizeof(*tmp), cmp_ranked);
	for (i = 0; i < h->n; i++)
		out[i] = tmp[i].p;
	*n = h->n;
	free(tmp);
	return out;
}

bool rpt_signal_fired(const struct rpt_page *p, size_t signal)
{
	return signal < RPT_MAX_SIGNALS && (p->fired[signal / 64] >> (signal % 64)) & 1;
}

/* ---- lifecycle -------------------------------------------------------- */

void chaff_report_opts_default(struct chaff_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->top = 500;
	o->review = 10;
	o->good = "reliable";
	o->max_line = (size_t)1 << 20;
}

static size_t clamp(size_t v, size_t lo, size_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

struct chaff_report *chaff_report_new(const struct chaff_report_opts *opts)
{
	struct chaff_report *r = chaff_xcalloc(1, sizeof(*r));

	r->opts = *opts;
	r->opts.top = clamp(opts->top, 1, CHAFF_REPORT_MAX_TOP);
	r->opts.review = clamp(opts->review, 1, CHAFF_REPORT_MAX_REVIEW);
	r->opts.max_line = clamp(opts->max_line, 64, (size_t)256 << 20);
	r->good = chaff_xstrdup(opts->good ? opts->good : "");
	r->title = opts->title ? chaff_xstrdup(opts->title) : NULL;
	r->log_prefix = chaff_xstrdup(opts->log_prefix ? opts->log_prefix : "");
	r->opts.good = r->good;
	r->opts.title = r->title;
	r->opts.log_prefix = r->log_prefix;
	r->log = opts->log;
	r->good_index = -1;
	chaff_buf_init(&r->line, r->opts.max_line);
	chaff_arena_init(&r->arena);
	chaff_json_limits_default(&r->jlim);
	r->jlim.max_bytes = r->opts.max_line;
	names_init(&r->labels, RPT_MAX_LABELS);
	names_init(&r->signals, RPT_MAX_SIGNALS);
	names_init(&r->reasons, RPT_MAX_REASONS);
	names_init(&r->errors, RPT_MAX_REASONS);
	names_init(&r->archives, RPT_MAX_ARCHIVES);
	r->cms = chaff_xcalloc((size_t)RPT_CMS_DEPTH * RPT_CMS_WIDTH, sizeof(*r->cms));
	pheap_init(&r->table, r->opts.top);
	pheap_init(&r->uncertain, r->opts.review);
	return r;
}

void chaff_report_free(struct chaff_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->ninputs; i++)
		free(r->inputs[i].name);
	free(r->inputs);
	for (i = 0; i < RPT_MAX_LABELS; i++) {
		topk_free(r->label[i].hosts);
		if (r->label[i].confident.p)
			pheap_release(&r->label[i].confident);
	}
	pheap_release(&r->table);
	pheap_release(&r->uncertain);
	names_release(&r->labels);
	names_release(&r->signals);
	names_release(&r->reasons);
	names_release(&r->errors);
	names_release(&r->archives);
	free(r->cms);
	chaff_buf_release(&r->line);
	chaff_arena_release(&r->arena);
	free(r->good);
	free(r->title);
	free(r->log_prefix);
	free(r);
}

void chaff_report_counts(const struct chaff_report *r, struct chaff_report_counts *c)
{
	c->lines = r->lines;
	c->records = r->records;
	c->scored = r->scored;
	c->skipped = r->skipped;
	c->failed = r->failed;
	c->no_verdict = r->no_verdict;
	c->malformed = r->malformed;
}

/* ---- one record ------------------------------------------------------- */

static int label_index(struct chaff_report *r, const char *name, size_t n)
{
	int i = names_find(&r->labels, name, n, true);

	if (i >= 0 && r->good_index < 0 && !strcmp(r->labels.name[i], r->good))
		r->good_index = i;
	return i;
}

static bool flagged(const struct chaff_report *r, int label)
{
	return label >= 0 && label != r->good_index;
}

/* Lower-case host of an absolute URL, without user info or port. */
static void url_host(const char *url, char *out, size_t max)
{
	const char *p = url ? strstr(url, "://") : NULL, *end, *at, *colon;
	size_t n, i;

	if (!url) {
		snprintf(out, max, "(no URL)");
		return;
	}
	if (!p || p == url) {
		snprintf(out, max, "(not a URL)");
		return;
	}
	p += 3;
	end = p + strcspn(p, "/?#\\");
	at = memchr(p, '@', (size_t)(end - p));
	while (at) {  /* the last '@' ends the user info */
		p = at + 1;
		at = memchr(p, '@', (size_t)(end - p));
	}
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (close)
			end = close + 1;
	} else if ((colon = memchr(p, ':', (size_t)(end - p)))) {
		end = colon;
	}
	while (end > p && end[-1] == '.')
		end--;
	n = (size_t)(end - p);
	if (!n || n >= max) {
		snprintf(out, max, "(bad host)");
		return;
	}
	for (i = 0; i < n; i++) {
		char c = p[i];

		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
}

static void count_reason(struct rpt_names *names, struct rpt_reason *counts, uint64_t *other,
                         const char *s, size_t n)
{
	int i = names_find(names, s, n, true);

	if (i < 0)
		(*other)++;
	else
		counts[i].count++;
}

/* Errors are grouped by their kind: the text before the first ':'. */
static void count_error(struct chaff_report *r, const struct chaff_json_value *e)
{
	const char *s = e && e->type == CHAFF_JSON_STRING ? e->str : "";
	size_t n = strcspn(s, ":");

	if (!n) {
		s = "(no message)";
		n = strlen(s);
	}
	count_reason(&r->errors, r->error, &r->error_other, s, n);
}

static void count_skip(struct chaff_report *r, const struct chaff_json_value *v)
{
	const char *s = v->type == CHAFF_JSON_STRING && v->len ? v->str : "(no reason given)";

	count_reason(&r->reasons, r->reason, &r->reason_other, s, strlen(s));
}

static void note_meta(struct chaff_report *r, const struct chaff_json_value *rec)
{
	const char *date = get_str(rec, "date"), *warc = get_str(rec, "warc_file");

	if (warc && names_find(&r->archives, warc, strlen(warc), true) < 0)
		r->archives_over = true;
	/* ISO 8601 dates compare as strings; others are not shown. */
	if (date && strlen(date) < sizeof(r->date_min) && date[0] >= '0' && date[0] <= '9' &&
	    date[1] >= '0' && date[1] <= '9' && date[2] >= '0' && date[2] <= '9' &&
	    date[3] >= '0' && date[3] <= '9') {
		if (!r->date_min[0] || strcmp(date, r->date_min) < 0)
			snprintf(r->date_min, sizeof(r->date_min), "%s", date);
		if (strcmp(date, r->date_max) > 0)
			snprintf(r->date_max, sizeof(r->date_max), "%s", date);
	}
}

/* What is known of one scored record while it is counted. */
struct verdict {
	int label;                         /* predicted, -1 if unknown */
	double prob[RPT_MAX_LABELS];
	bool has[RPT_MAX_LABELS];
	uint64_t fired[(RPT_MAX_SIGNALS + 63) / 64];
	char host[RPT_HOST_MAX + 1];
	const char *url;
};

static void read_scores(struct chaff_report *r, const struct chaff_json_value *scores,
                        struct verdict *v)
{
	const struct chaff_json_value *s;

	for (s = scores ? scores->child : NULL; s; s = s->next) {
		int k;

		if (s->type != CHAFF_JSON_NUMBER || !isfinite(s->number) || s->number < 0 ||
		    s->number > 1)
			continue;
		k = label_index(r, s->key, s->key_len);
		if (k < 0)
			continue;
		v->prob[k] = s->number;
		v->has[k] = true;
	}
}

static void count_signals(struct chaff_report *r, const struct chaff_json_value *signals,
                          struct verdict *v)
{
	const struct chaff_json_value *s;

	for (s = signals ? signals->child : NULL; s; s = s->next) {
		int k;

		if (s->type != CHAFF_JSON_NUMBER && s->type != CHAFF_JSON_BOOL)
			continue;
		k = names_find(&r->signals, s->key, s->key_len, true);
		if (k < 0)
			continue;
		if ((s->type == CHAFF_JSON_NUMBER && s->number > 0) ||
		    (s->type == CHAFF_JSON_BOOL && s->boolean)) {
			v->fired[k / 64] |= (uint64_t)1 << (k % 64);
			if (v->label >= 0)
				r->label[v->label].fires[k]++;
		}
	}
}

static size_t bin_of(double p)
{
	size_t b = (size_t)(p * RPT_BINS);

	return b >= RPT_BINS ? RPT_BINS - 1 : b;
}

static void count_hosts(struct chaff_report *r, const struct verdict *v)
{
	uint64_t h = chaff_hash64(v->host, strlen(v->host), HASH_SEED);
	struct rpt_label *l;

	cms_add(r, h, CMS_ALL);
	if (!flagged(r, v->label))
		return;
	l = &r->label[v->label];
	cms_add(r, h, (unsigned)v->label);
	if (!l->hosts)
		l->hosts = topk_new(RPT_HOST_K);
	topk_add(l->hosts, v->host);
}

/* Evidence: named signals first, then the others, one string each per
 * round, so a page shows as many different signals as there is room for. */
static void keep_evidence(struct chaff_report *r, struct rpt_page *p,
                          const struct chaff_json_value *evidence)
{
	const struct chaff_json_value *e;
	size_t round, pass;

	for (round = 0; round < 2; round++)
		for (pass = 0; pass < 2; pass++)
			for (e = evidence ? evidence->child : NULL; e; e = e->next) {
				const struct chaff_json_value *s = e->type == CHAFF_JSON_ARRAY ? e->child
				                                                              : NULL;
				int named = chaff_signal_index(e->key), k;
				size_t i;

				if ((pass == 0) != (named >= 0 && named < CHAFF_SIG_NAMED_COUNT))
					continue;
				for (i = 0; s && i < round; i++)
					s = s->next;
				if (!s || s->type != CHAFF_JSON_STRING || !s->len || p->nev >= RPT_EV_MAX)
					continue;
				k = names_find(&r->signals, e->key, e->key_len, true);
				p->ev_signal[p->nev] = (uint16_t)(k < 0 ? UINT16_MAX : k);
				p->ev[p->nev++] = dup_cut(s->str, s->len, RPT_EV_CHARS);
			}
}

static void keep_top(struct rpt_page *p, const struct chaff_json_value *top)
{
	const struct chaff_json_value *t;

	for (t = top ? top->child : NULL; t && p->ntop < RPT_TOP_MAX; t = t->next) {
		const struct chaff_json_value *f = get_type(t, "feature", CHAFF_JSON_STRING);
		const struct chaff_json_value *c = get_type(t, "contribution", CHAFF_JSON_NUMBER);

		if (!f || !c || !isfinite(c->number))
			continue;
		p->top_feature[p->ntop] = dup_cut(f->str, f->len, RPT_FEATURE_MAX);
		p->top_value[p->ntop++] = c->number;
	}
}

static struct rpt_page *make_page(struct chaff_report *r, const struct chaff_json_value *rec,
                                  const struct verdict *v, uint64_t line)
{
	struct rpt_page *p = chaff_xcalloc(1, sizeof(*p));
	const char *title = get_str(rec, "title");
	size_t k;

	p->seq = r->seq;
	p->input = (uint32_t)(r->ninputs - 1);
	p->line = line;
	p->label = v->label >= 0 ? (unsigned char)v->label : RPT_NO_LABEL;
	for (k = 0; k < RPT_MAX_LABELS; k++) {
		p->prob[k] = (float)v->prob[k];
		p->has_prob[k] = v->has[k];
	}
	if (v->url)
		p->url = dup_cut(v->url, strlen(v->url), RPT_URL_MAX);
	if (title)
		p->title = dup_cut(title, strlen(title), RPT_TITLE_MAX);
	p->host = chaff_xstrdup(v->host);
	memcpy(p->fired, v->fired, sizeof(p->fired));
	keep_evidence(r, p, get_type(rec, "evidence", CHAFF_JSON_OBJECT));
	keep_top(p, get_type(rec, "top", CHAFF_JSON_ARRAY));
	return p;
}

/* Margin between the two most probable labels (1 when fewer than two). */
static double margin(const struct verdict *v)
{
	double a = -1, b = -1;
	size_t k;

	for (k = 0; k < RPT_MAX_LABELS; k++) {
		if (!v->has[k])
			continue;
		if (v->prob[k] > a) {
			b = a;
			a = v->prob[k];
		} else if (v->prob[k] > b) {
			b = v->prob[k];
		}
	}
	return b < 0 ? 1 : a - b;
}

/* How much a page needs a look: 1 - p(good), or its top probability when
 * the good label is unknown. */
static double priority(const struct chaff_report *r, const struct verdict *v)
{
	double best = 0;
	size_t k;

	if (r->good_index >= 0 && v->has[r->good_index])
		return 1 - v->prob[r->good_index];
	for (k = 0; k < RPT_MAX_LABELS; k++)
		if (v->has[k] && v->prob[k] > best)
			best = v->prob[k];
	return best;
}

static void keep_page(struct chaff_report *r, const struct chaff_json_value *rec,
                      const struct verdict *v, uint64_t line)
{
	struct rpt_heap *conf = NULL;
	struct rpt_page *p = NULL;
	double pri = priority(r, v), unsure = -margin(v), pl = 0;
	bool t, u, c = false;

	if (flagged(r, v->label) && v->has[v->label]) {
		conf = &r->label[v->label].confident;
		if (!conf->p)
			pheap_init(conf, r->opts.review);
		pl = v->prob[v->label];
		c = pheap_wants(conf, pl, r->seq);
	}
	t = pheap_wants(&r->table, pri, r->seq);
	u = margin(v) < 1 && pheap_wants(&r->uncertain, unsure, r->seq);
	if (!t && !u && !c)
		return;
	p = make_page(r, rec, v, line);
	if (t)
		pheap_push(&r->table, p, pri);
	if (u)
		pheap_push(&r->uncertain, p, unsure);
	if (c)
		pheap_push(conf, p, pl);
}

static void count_scored(struct chaff_report *r, const struct chaff_json_value *rec,
                         uint64_t line)
{
	const struct chaff_json_value *label = get_type(rec, "label", CHAFF_JSON_STRING);
	struct verdict v;
	size_t k;

	memset(&v, 0, sizeof(v));
	v.label = -1;
	r->scored++;
	read_scores(r, get_type(rec, "scores", CHAFF_JSON_OBJECT), &v);
	if (label) {
		v.label = label_index(r, label->str, label->len);
		if (v.label < 0)
			r->over_labels++;
	} else {
		double best = -1;

		for (k = 0; k < RPT_MAX_LABELS; k++)
			if (v.has[k] && v.prob[k] > best) {
				best = v.prob[k];
				v.label = (int)k;
			}
	}
	if (v.label >= 0)
		r->label[v.label].predicted++;
	for (k = 0; k < RPT_MAX_LABELS; k++)
		if (v.has[k]) {
			r->label[k].scored++;
			r->label[k].bins[bin_of(v.prob[k])]++;
		}
	count_signals(r, get_type(rec, "signals", CHAFF_JSON_OBJECT), &v);
	v.url = get_str(rec, "url");
	if (!v.url)
		v.url = get_str(rec, "target");
	url_host(v.url, v.host, sizeof(v.host));
	count_hosts(r, &v);
	keep_page(r, rec, &v, line);
}

static void count_record(struct chaff_report *r, const struct chaff_json_value *rec,
                         uint64_t line)
{
	const struct chaff_json_value *skipped = chaff_json_get(rec, "skipped");
	const struct chaff_json_value *error = chaff_json_get(rec, "error");

	r->records++;
	note_meta(r, rec);
	if (skipped && skipped->type != CHAFF_JSON_NULL) {
		r->skipped++;
		count_skip(r, skipped);
	} else if (error && error->type != CHAFF_JSON_NULL) {
		r->failed++;
		count_error(r, error);
	} else if (get_type(rec, "label", CHAFF_JSON_STRING) ||
	           get_type(rec, "scores", CHAFF_JSON_OBJECT)) {
		count_scored(r, rec, line);
	} else {
		r->no_verdict++;
	}
}

/* ---- reading lines ---------------------------------------------------- */

static void malformed(struct chaff_report *r, uint64_t line, const char *what)
{
	struct rpt_input *in = &r->inputs[r->ninputs - 1];

	r->malformed++;
	in->malformed++;
	if (r->nbad < RPT_BAD_LINES) {
		r->bad_lines[r->nbad] = line;
		r->bad_inputs[r->nbad++] = (uint32_t)(r->ninputs - 1);
	}
	if (!r->log)
		return;
	if (r->logged < CHAFF_REPORT_MAX_LOGGED)
		fprintf(r->log, "%s%s:%llu: %s\n", r->log_prefix, in->name,
		        (unsigned long long)line, what);
	else if (r->logged == CHAFF_REPORT_MAX_LOGGED)
		fprintf(r->log, "%sfurther malformed lines are counted but not listed\n",
		        r->log_prefix);
	r->logged++;
}

static bool blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static void one_line(struct chaff_report *r, const char *s, size_t n, uint64_t line)
{
	const struct chaff_json_value *v;
	char why[CHAFF_WHY_MAX] = "";
	enum chaff_err err;

	r->lines++;
	r->inputs[r->ninputs - 1].lines++;
	r->seq++;
	if (line == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
		s += 3;
		n -= 3;
	}
	if (n && s[n - 1] == '\r')
		n--;
	if (blank(s, n))
		return;
	err = chaff_json_parse(&v, s, n, &r->jlim, &r->arena, why);
	if (err) {
		char what[CHAFF_WHY_MAX + 40];

		snprintf(what, sizeof(what), "%s: %s", chaff_strerror(err), why);
		malformed(r, line, what);
	} else if (v->type != CHAFF_JSON_OBJECT) {
		malformed(r, line, "not a JSON object");
	} else {
		count_record(r, v, line);
	}
	chaff_arena_reset(&r->arena);
}

static void long_line(struct chaff_report *r, uint64_t line)
{
	char what[80];

	r->lines++;
	r->inputs[r->ninputs - 1].lines++;
	r->seq++;
	snprintf(what, sizeof(what), "line longer than %zu bytes", r->opts.max_line);
	malformed(r, line, what);
}

enum chaff_err chaff_report_read(struct chaff_report *r, FILE *in, const char *name,
                                 char *why)
{
	char chunk[65536];
	uint64_t line = 0;
	bool too_long = false;
	size_t got;

	r->inputs = chaff_xrealloc(r->inputs, chaff_st_mult(r->ninputs + 1, sizeof(*r->inputs)));
	r->inputs[r->ninputs].name = chaff_xstrdup(name);
	r->inputs[r->ninputs].lines = 0;
	r->inputs[r->ninputs].malformed = 0;
	r->ninputs++;
	chaff_buf_reset(&r->line);
	while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0) {
		const char *p = chunk, *end = chunk + got;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = (size_t)((nl ? nl : end) - p);

			if (!too_long && chaff_buf_append(&r->line, p, n))
				too_long = true;
			p += n;
			if (!nl)
				break;
			p++;
			line++;
			if (too_long)
				long_line(r, line);
			else
				one_line(r, r->line.data ? r->line.data : "", r->line.len, line);
			too_long = false;
			chaff_buf_reset(&r->line);
		}
	}
	if (ferror(in)) {
		chaff_why(why, "read error: %s", strerror(errno));
		return CHAFF_ERR_IO;
	}
	if (too_long || r->line.len) {  /* a last line without its newline */
		line++;
		if (too_long)
			long_line(r, line);
		else
			one_line(r, r->line.data, r->line.len, line);
	}
	chaff_buf_reset(&r->line);
	return CHAFF_OK;
}
