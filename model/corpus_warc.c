/*
 * corpus_warc.c - labels-file rows that point into WARC archives.
 *
 * An offset row is read by seeking to its offset and reading one record,
 * on whichever worker thread takes the row. Rows that name record ids are
 * found by one pass over their archive, before the workers start, however
 * many rows point into it: each record found becomes an offset for the
 * workers to seek to, unless its gzip member holds other records too (a
 * whole-file gzip), where no seek can single it out; such a record's
 * features are made during the pass, one page held at a time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/model_impl.h"

#define OFFSET_DIGITS_MAX 19   /* fits uint64_t; checked against the file size before a seek */

enum row_state {
	ROW_SEEK,      /* read at offset by a worker */
	ROW_DONE,      /* features made during the pass */
	ROW_FAILED     /* why says what went wrong */
};

struct warc_row {
	size_t sample;
	const char *path;      /* the archive, the sample's */
	const char *id;        /* record id without <>, into the sample's record */
	size_t idlen;          /* 0 for an offset row */
	uint64_t offset;
	enum row_state state;
	enum chaff_err err;    /* ROW_FAILED */
	char *why;             /* ROW_FAILED */
	struct feat_entry e;   /* ROW_DONE, until taken */
	bool cached;
	char *site;            /* ROW_DONE */
};

struct warc_rows {
	const struct chaff_corpus *c;
	struct warc_row *rows; /* in sample order */
	size_t n;
};

/* What a pass over one archive needs. */
struct pass {
	const struct chaff_corpus *c;
	const struct chaff_limits *lim;
	warc_features_fn features;
	void *ctx;
	struct chaff_arena *arena;
	struct warc_row **ids;  /* the archive's id rows, sorted by id */
	size_t nids;
};

static void fail(struct warc_row *r, enum chaff_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct warc_row *r, enum chaff_err err, const char *fmt, ...)
{
	char msg[CHAFF_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(r->why);
	r->why = chaff_xstrdup(msg);
	r->err = err;
	r->state = ROW_FAILED;
}

/* A decimal offset: digits only, no sign, at most OFFSET_DIGITS_MAX of them. */
static bool parse_offset(const char *s, uint64_t *out)
{
	size_t i, n = strlen(s);
	uint64_t v = 0;

	if (!n || n > OFFSET_DIGITS_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* A record id as compared: without the <> WARC puts around it. */
static const char *bare_id(const char *s, size_t *len)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		*len = n - 2;
		return s + 1;
	}
	*len = n;
	return s;
}

static int id_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

static int by_id(const void *x, const void *y)
{
	const struct warc_row *a = *(struct warc_row *const *)x;
	const struct warc_row *b = *(struct warc_row *const *)y;
	int c = id_cmp(a->id, a->idlen, b->id, b->idlen);

	return c ? c : (a->sample > b->sample) - (a->sample < b->sample);
}

static struct warc_row *find_id(const struct pass *p, const char *record_id)
{
	size_t lo = 0, hi = p->nids, len;
	const char *id;

	if (!record_id)
		return NULL;
	id = bare_id(record_id, &len);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = id_cmp(p->ids[mid]->id, p->ids[mid]->idlen, id, len);

		if (!c)
			return p->ids[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* "offset 12: " at the head of a reader message says the wrong offset here. */
static const char *without_offset(const char *why)
{
	const char *p = why;

	if (strncmp(p, "offset ", 7))
		return why;
	p += 7;
	while (*p >= '0' && *p <= '9')
		p++;
	return !strncmp(p, ": ", 2) ? p + 2 : why;
}

/*
 * The record a pass found for a row, while the reader still holds it: its
 * page, when it is one. false (and the row failed) otherwise.
 */
static bool take_page(struct warc_row *r, const struct chaff_warc_record *rec,
                      const struct chaff_limits *lim, struct chaff_page *page)
{
	char why[CHAFF_WHY_MAX] = "";
	const char *reason = chaff_warc_page(rec, page, lim, true, why);

	if (!reason)
		return true;
	fail(r, CHAFF_ERR_UNSUPPORTED, "record <%.*s> at offset %llu: not a page: %s%s%s",
	     (int)r->idlen, r->id, (unsigned long long)rec->offset, reason, why[0] ? ": " : "",
	     why);
	return false;
}

/* Features of a page found by a pass, now: no seek could find it again. */
static void make_features(const struct pass *p, struct warc_row *r, struct chaff_page *page)
{
	char why[CHAFF_WHY_MAX] = "";
	enum chaff_err err;

	err = p->features(p->ctx, p->arena, page, &r->e, &r->cached, why);
	if (err) {
		fail(r, err, "record <%.*s> at offset %llu: %s", (int)r->idlen, r->id,
		     (unsigned long long)r->offset, why[0] ? why : chaff_strerror(err));
		return;
	}
	r->state = ROW_DONE;
	r->site = model_row_site(&p->c->samples[r->sample], page->url);
}

/*
 * A record found by a pass waits here until the next record shows whether
 * it shares its gzip member (then its features are made at once) or not
 * (then a worker will seek to it).
 */
struct pending {
	struct warc_row *row;
	struct chaff_page page;
};

static void settle(const struct pass *p, struct pending *w, bool shared)
{
	if (!w->row)
		return;
	if (shared)
		make_features(p, w->row, &w->page);
	else
		w->row->state = ROW_SEEK;
	w->row = NULL;
	chaff_page_release(&w->page);
	chaff_page_init(&w->page, p->lim);
}

/* Not found (yet) by the pass. */
static bool unresolved(const struct warc_row *r)
{
	return r->state == ROW_SEEK && r->offset == UINT64_MAX;
}

/* One pass over an archive for its id rows. */
static void scan(const struct pass *p, const char *path)
{
	struct chaff_warc_reader *rd = NULL;
	struct chaff_warc_record rec;
	struct pending w;
	char why[CHAFF_WHY_MAX] = "";
	enum chaff_err err;
	uint64_t prev = UINT64_MAX;
	size_t i;

	if ((err = chaff_warc_open(&rd, path, p->lim->max_input_bytes, why))) {
		for (i = 0; i < p->nids; i++)
			fail(p->ids[i], err, "%s", why);
		return;
	}
	/* Training reads pages, not digests: nothing here would look at them. */
	chaff_warc_defer_digests(rd, true);
	chaff_warc_record_init(&rec);
	w.row = NULL;
	chaff_page_init(&w.page, p->lim);
	for (;;) {
		struct warc_row *r;

		err = chaff_warc_next(rd, &rec, why);
		if (err == CHAFF_EOF || err == CHAFF_ERR_IO)
			break;
		if (err)
			continue;  /* damage skipped; the reader has resynchronised */
		if (w.row)
			settle(p, &w, rec.offset == w.row->offset);
		r = find_id(p, rec.record_id);
		if (r && unresolved(r)) {
			r->offset = rec.offset;
			if (take_page(r, &rec, p->lim, &w.page)) {
				w.row = r;
				if (prev == rec.offset)
					settle(p, &w, true);
			} else {
				chaff_page_release(&w.page);
				chaff_page_init(&w.page, p->lim);
			}
		}
		prev = rec.offset;
	}
	settle(p, &w, false);
	for (i = 0; i < p->nids; i++) {
		struct warc_row *r = p->ids[i];

		if (!unresolved(r))
			continue;
		if (err == CHAFF_ERR_IO)
			fail(r, err, "record <%.*s>: %s", (int)r->idlen, r->id, why);
		else
			fail(r, CHAFF_ERR_EMPTY, "record <%.*s>: no such record in the archive",
			     (int)r->idlen, r->id);
	}
	chaff_page_release(&w.page);
	chaff_warc_record_release(&rec);
	chaff_warc_close(rd);
}

/* Id rows of one archive together, by id, then in corpus order. */
static int by_path_id(const void *x, const void *y)
{
	const struct warc_row *a = *(struct warc_row *const *)x;
	const struct warc_row *b = *(struct warc_row *const *)y;
	int c = strcmp(a->path, b->path);

	return c ? c : by_id(x, y);
}

/* Drop the rows of ids[0..n) that name an id already named; returns those left. */
static size_t drop_duplicates(const struct chaff_corpus *c, struct warc_row **ids, size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		if (kept && !id_cmp(ids[kept - 1]->id, ids[kept - 1]->idlen, ids[i]->id,
		                    ids[i]->idlen)) {
			fail(ids[i], CHAFF_ERR_USAGE, "record <%.*s> is listed already at %s",
			     (int)ids[i]->idlen, ids[i]->id, c->samples[ids[kept - 1]->sample].where);
			continue;
		}
		ids[kept++] = ids[i];
	}
	return kept;
}

static void init_row(struct warc_row *r, const struct chaff_sample *s, size_t i)
{
	r->sample = i;
	r->path = s->path;
	r->offset = UINT64_MAX;
	r->state = ROW_SEEK;
	if (parse_offset(s->record, &r->offset))
		return;
	r->id = bare_id(s->record, &r->idlen);
	if (!r->idlen)
		fail(r, CHAFF_ERR_USAGE, "empty record id");
}

struct warc_rows *warc_rows_resolve(const struct chaff_corpus *c,
                                    const struct chaff_limits *lim, warc_features_fn fn,
                                    void *ctx, struct chaff_arena *arena,
                                    const struct chaff_train_opts *o)
{
	struct warc_rows *w = chaff_xcalloc(1, sizeof(*w));
	struct warc_row **ids;
	struct pass p;
	size_t i, nids = 0, start;

	w->c = c;
	for (i = 0; i < c->nsamples; i++)
		w->n += c->samples[i].record != NULL;
	if (!w->n)
		return w;
	w->rows = chaff_xcalloc(w->n, sizeof(*w->rows));
	ids = chaff_xmalloc(chaff_st_mult(w->n, sizeof(*ids)));
	for (i = 0, w->n = 0; i < c->nsamples; i++) {
		struct warc_row *r = &w->rows[w->n];

		if (!c->samples[i].record)
			continue;
		init_row(r, &c->samples[i], i);
		w->n++;
		if (r->idlen && r->state == ROW_SEEK)
			ids[nids++] = r;
	}
	qsort(ids, nids, sizeof(*ids), by_path_id);
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.lim = lim;
	p.features = fn;
	p.ctx = ctx;
	p.arena = arena;
	for (start = 0; start < nids; start = i) {
		for (i = start; i < nids && !strcmp(ids[i]->path, ids[start]->path); i++)
			;
		p.ids = ids + start;
		p.nids = drop_duplicates(c, p.ids, i - start);
		model_log(o, "%s: looking up %zu record id%s", ids[start]->path, p.nids,
		          p.nids == 1 ? "" : "s");
		scan(&p, ids[start]->path);
	}
	free(ids);
	return w;
}

/*
 * The record that starts at offset: seek, check that a gzip member or a
 * "WARC/" line starts there, read that record, and make sure it is alone
 * in its gzip member (else the offset does not say which record is meant).
 */
static enum chaff_err read_at(FILE *f, const char *path, uint64_t offset,
                              const struct chaff_limits *lim, struct chaff_page *page, char *why)
{
	struct chaff_warc_reader *rd = NULL;
	struct chaff_warc_record rec;
	unsigned char head[5];
	char msg[CHAFF_WHY_MAX] = "";
	const char *reason;
	struct stat st;
	size_t got;
	bool gzip;
	enum chaff_err err;

	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		chaff_why(why, "not a regular file");
		return CHAFF_ERR_IO;
	}
	if (offset >= (uint64_t)st.st_size) {
		chaff_why(why, "offset %llu: past the end of the archive (%llu bytes)",
		          (unsigned long long)offset, (unsigned long long)st.st_size);
		return CHAFF_ERR_USAGE;
	}
	if (fseeko(f, (off_t)offset, SEEK_SET)) {
		chaff_why(why, "offset %llu: %s", (unsigned long long)offset, strerror(errno));
		return CHAFF_ERR_IO;
	}
	got = fread(head, 1, sizeof(head), f);
	gzip = got >= 2 && head[0] == 0x1f && head[1] == 0x8b;
	if (!gzip && (got < 5 || memcmp(head, "WARC/", 5))) {
		chaff_why(why, "offset %llu: no WARC record or gzip member starts there",
		          (unsigned long long)offset);
		return CHAFF_ERR_MALFORMED;
	}
	if (fseeko(f, (off_t)offset, SEEK_SET)) {
		chaff_why(why, "offset %llu: %s", (unsigned long long)offset, strerror(errno));
		return CHAFF_ERR_IO;
	}
	if ((err = chaff_warc_open_file(&rd, f, path, lim->max_input_bytes, msg))) {
		chaff_why(why, "offset %llu: %s", (unsigned long long)offset, msg);
		return err;
	}
	chaff_warc_defer_digests(rd, true);
	chaff_warc_record_init(&rec);
	err = chaff_warc_next(rd, &rec, msg);
	if (err == CHAFF_EOF || (!err && rec.offset != 0)) {
		chaff_why(why, "offset %llu: no WARC record starts there",
		          (unsigned long long)offset);
		err = CHAFF_ERR_MALFORMED;
	} else if (err) {
		chaff_why(why, "offset %llu: %s", (unsigned long long)offset, without_offset(msg));
	} else {
		/* Whether it is a page matters only once the offset names one record. */
		if ((reason = chaff_warc_page(&rec, page, lim, true, msg)))
			chaff_why(why, "offset %llu: %s%s%snot a page: %s%s%s",
			          (unsigned long long)offset, rec.record_id ? "record " : "",
			          rec.record_id ? rec.record_id : "", rec.record_id ? ": " : "",
			          reason, msg[0] ? ": " : "", msg);
		if (gzip && !chaff_warc_next(rd, &rec, msg) && rec.offset == 0) {
			chaff_why(why, "offset %llu: the gzip member there holds several records "
			          "(a whole-file gzip?): name the record by its WARC-Record-ID",
			          (unsigned long long)offset);
			reason = "shared";
		}
		err = reason ? CHAFF_ERR_UNSUPPORTED : CHAFF_OK;
	}
	chaff_warc_record_release(&rec);
	chaff_warc_close(rd);
	return err;
}

static int by_sample(const void *key, const void *elem)
{
	size_t i = *(const size_t *)key;
	const struct warc_row *r = elem;

	return (i > r->sample) - (i < r->sample);
}

enum chaff_err warc_rows_get(struct warc_rows *w, size_t sample,
                             const struct chaff_limits *lim, struct chaff_page *page,
                             struct feat_entry *e, bool *cached, char **site, char *why)
{
	struct warc_row *r = w->n ? bsearch(&sample, w->rows, w->n, sizeof(*w->rows),
	                                    by_sample) : NULL;
	enum chaff_err err;
	FILE *f;

	*site = NULL;
	*cached = false;
	if (!r) {
		chaff_why(why, "not a WARC row");
		return CHAFF_ERR_USAGE;
	}
	switch (r->state) {
	case ROW_FAILED:
		chaff_why(why, "%s", r->why);
		return r->err;
	case ROW_DONE:
		*e = r->e;
		memset(&r->e, 0, sizeof(r->e));
		*cached = r->cached;
		*site = r->site;
		r->site = NULL;
		return CHAFF_OK;
	case ROW_SEEK:
		break;
	}
	if (!(f = fopen(r->path, "rb"))) {
		chaff_why(why, "cannot open: %s", strerror(errno));
		return CHAFF_ERR_IO;
	}
	err = read_at(f, r->path, r->offset, lim, page, why);
	fclose(f);
	if (!err)
		*site = model_row_site(&w->c->samples[sample], page->url);
	return err;
}

void warc_rows_free(struct warc_rows *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->n; i++) {
		free(w->rows[i].why);
		free(w->rows[i].site);
		feat_entry_release(&w->rows[i].e);
	}
	free(w->rows);
	free(w);
}
