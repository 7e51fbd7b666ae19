/*
 * unit_warc.c - the WARC reader: records, offsets, digests, the HTTP layer,
 * and archives cut at every byte (synthetic) or at many bytes (the real
 * archives under $SHARED/realdata/warc): no crash, no hang, and every
 * record whose bytes are all before the cut is still read, whole, with the
 * offset and block it has in the uncut archive.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "chaff.h"
#include "tests/check.h"

#define MAX_RECS 4096
#define MAX_BLOCK ((size_t)1 << 20)

/* ---------------------------------------------------------------- */
/* Byte helpers                                                      */
/* ---------------------------------------------------------------- */

struct bytes {
	unsigned char *p;
	size_t n, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (n > b->cap - b->n) {
		b->cap = chaff_st_add(chaff_st_mult(b->cap, 2), n);
		b->p = chaff_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void puts_b(struct bytes *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Append one gzip member holding p[0..n). */
static void put_gzip(struct bytes *b, const void *p, size_t n)
{
	z_stream zs;
	uLong bound;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	bound = deflateBound(&zs, (uLong)n) + 32;
	if (bound > b->cap - b->n) {
		b->cap = chaff_st_add(chaff_st_mult(b->cap, 2), bound);
		b->p = chaff_xrealloc(b->p, b->cap);
	}
	zs.next_in = (unsigned char *)p;
	zs.avail_in = (uInt)n;
	zs.next_out = b->p + b->n;
	zs.avail_out = (uInt)(b->cap - b->n);
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	b->n += zs.total_out;
	deflateEnd(&zs);
}

/*
 * Bytes of uncompressed data that a prefix of a gzip file yields: every
 * member in turn, stopping at the cut or at bytes that are not a member.
 * For a plain file, the prefix itself. out (may be NULL) receives them.
 */
static size_t inflated(const unsigned char *p, size_t n, bool gzip, struct bytes *out)
{
	unsigned char buf[65536];
	size_t total = 0, at = 0;

	if (!gzip) {
		if (out)
			put(out, p, n);
		return n;
	}
	while (at + 2 < n && p[at] == 0x1f && p[at + 1] == 0x8b) {
		z_stream zs;
		int rc;

		memset(&zs, 0, sizeof(zs));
		inflateInit2(&zs, 15 + 16);
		zs.next_in = (unsigned char *)p + at;
		zs.avail_in = (uInt)(n - at);
		do {
			zs.next_out = buf;
			zs.avail_out = sizeof(buf);
			rc = inflate(&zs, Z_NO_FLUSH);
			if (out)
				put(out, buf, sizeof(buf) - zs.avail_out);
			total += sizeof(buf) - zs.avail_out;
		} while (rc == Z_OK && (zs.avail_in > 0 || zs.avail_out == 0));
		at += zs.total_in;
		inflateEnd(&zs);
		if (rc != Z_STREAM_END)
			break;
	}
	return total;
}

static bool load(const char *path, struct bytes *b)
{
	FILE *f = fopen(path, "rb");
	unsigned char buf[65536];
	size_t got;

	memset(b, 0, sizeof(*b));
	if (!f)
		return false;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		put(b, buf, got);
	fclose(f);
	return true;
}

/* ---------------------------------------------------------------- */
/* Reading an archive held in memory                                 */
/* ---------------------------------------------------------------- */

struct rec_info {
	uint64_t offset;
	char id[96];
	char type[24];
	uint64_t content_length;
	size_t block_len;
	uint64_t block_hash;
	bool incomplete, cut;
	int block_digest_ok;
	char warning[CHAFF_WHY_MAX];
};

struct listing {
	struct rec_info *recs;
	size_t n, cap;
	size_t errors;
	uint64_t errors_hash; /* of every error message, in order */
	bool hung;            /* more calls than the input could justify */
	char first_error[CHAFF_WHY_MAX];
};

static void listing_release(struct listing *l)
{
	free(l->recs);
	memset(l, 0, sizeof(*l));
}

/* Read every record of p[0..n) as chaff_warc_next returns them. */
/* Helper threads of the reader in list_records (chaff_warc_set_threads). */
static unsigned reader_threads;

static void list_records(const unsigned char *p, size_t n, struct listing *l)
{
	static const unsigned char nothing[1];
	struct chaff_warc_reader *r;
	struct chaff_warc_record rec;
	char why[CHAFF_WHY_MAX];
	size_t calls = 0, limit = n * 8 + 64;  /* far more than records fit in n bytes */
	FILE *f;

	memset(l, 0, sizeof(*l));
	/* glibc refuses fmemopen of 0 bytes: an empty stream by other means. */
	f = n ? fmemopen((void *)p, n, "rb") : fmemopen((void *)nothing, 1, "rb");
	if (!f)
		abort();
	if (!n)
		fgetc(f);
	why[0] = '\0';
	if (chaff_warc_open_file(&r, f, "mem", MAX_BLOCK, why)) {
		l->errors++;
		snprintf(l->first_error, sizeof(l->first_error), "%s", why);
		fclose(f);
		return;
	}
	chaff_warc_set_threads(r, reader_threads);
	chaff_warc_record_init(&rec);
	for (;;) {
		enum chaff_err err;

		why[0] = '\0';
		err = chaff_warc_next(r, &rec, why);
		if (err == CHAFF_EOF)
			break;
		if (++calls > limit) {
			l->hung = true;
			break;
		}
		if (err) {
			if (!l->errors++)
				snprintf(l->first_error, sizeof(l->first_error), "%s", why);
			l->errors_hash = chaff_hash64(why, strlen(why), l->errors_hash);
			continue;
		}
		if (l->n < MAX_RECS) {
			struct rec_info *ri;

			if (l->n == l->cap) {
				l->cap = l->cap ? l->cap * 2 : 16;
				l->recs = chaff_xrealloc(l->recs, l->cap * sizeof(*l->recs));
			}
			ri = &l->recs[l->n++];
			memset(ri, 0, sizeof(*ri));

			ri->offset = rec.offset;
			snprintf(ri->id, sizeof(ri->id), "%s", rec.record_id ? rec.record_id : "");
			snprintf(ri->type, sizeof(ri->type), "%s", rec.type);
			ri->content_length = rec.content_length;
			ri->block_len = rec.block.len;
			ri->block_hash = chaff_hash64(rec.block.data ? rec.block.data : "",
			                              rec.block.len, 0);
			ri->incomplete = rec.incomplete;
			ri->cut = rec.block_cut;
			ri->block_digest_ok = rec.block_digest_ok;
			snprintf(ri->warning, sizeof(ri->warning), "%s", rec.warning);
		}
	}
	chaff_warc_record_release(&rec);
	chaff_warc_close(r);
	fclose(f);
}

/* The same records, fields, blocks, warnings and errors, in the same order. */
static bool listings_equal(const struct listing *a, const struct listing *b)
{
	size_t i;

	if (a->n != b->n || a->errors != b->errors || a->errors_hash != b->errors_hash ||
	    a->hung != b->hung)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct rec_info *x = &a->recs[i], *y = &b->recs[i];

		if (x->offset != y->offset || strcmp(x->id, y->id) || strcmp(x->type, y->type) ||
		    x->content_length != y->content_length || x->block_len != y->block_len ||
		    x->block_hash != y->block_hash || x->incomplete != y->incomplete ||
		    x->cut != y->cut || x->block_digest_ok != y->block_digest_ok ||
		    strcmp(x->warning, y->warning))
			return false;
	}
	return true;
}

/* Reading p[0..n) with helper threads gives exactly what reading alone gives. */
static bool threads_agree(const unsigned char *p, size_t n)
{
	struct listing alone, helped;
	unsigned saved = reader_threads;
	bool same;

	reader_threads = 0;
	list_records(p, n, &alone);
	reader_threads = 2;
	list_records(p, n, &helped);
	reader_threads = saved;
	same = listings_equal(&alone, &helped);
	listing_release(&alone);
	listing_release(&helped);
	return same;
}

/* ---------------------------------------------------------------- */
/* Cutting                                                           */
/* ---------------------------------------------------------------- */

struct cut_case {
	const char *name;
	const unsigned char *p;
	size_t n;
	bool gzip;
	struct listing whole;     /* the uncut archive */
	uint64_t *ends;           /* uncompressed end of each record */
	size_t failures;          /* cuts that lost a record, for one message */
};

/*
 * Where each record ends in the uncompressed stream: the start of the
 * next one, found by reading the uncompressed bytes as a plain archive.
 * False when that reading does not see the same records.
 */
static bool record_ends(struct cut_case *c)
{
	struct bytes u = {0};
	struct listing plain;
	size_t i;
	bool same;

	inflated(c->p, c->n, c->gzip, &u);
	list_records(u.p, u.n, &plain);
	same = plain.n == c->whole.n;
	for (i = 0; same && i < plain.n; i++)
		same = !strcmp(plain.recs[i].id, c->whole.recs[i].id) &&
		       plain.recs[i].block_hash == c->whole.recs[i].block_hash;
	c->ends = chaff_xcalloc(plain.n + 1, sizeof(*c->ends));
	for (i = 0; same && i < plain.n; i++)
		c->ends[i] = i + 1 < plain.n ? plain.recs[i + 1].offset : u.n;
	if (!same)
		fprintf(stderr, "%s: the plain reading of the uncompressed bytes differs "
		        "(%zu records, not %zu)\n", c->name, plain.n, c->whole.n);
	listing_release(&plain);
	free(u.p);
	return same;
}

static bool same_record(const struct rec_info *a, const struct rec_info *b)
{
	return a->offset == b->offset && !strcmp(a->id, b->id) && !strcmp(a->type, b->type) &&
	       a->block_len == b->block_len && a->block_hash == b->block_hash &&
	       a->incomplete == b->incomplete && a->cut == b->cut;
}

/*
 * Read p[0..at): every record complete before the cut must be read as in
 * the uncut archive, and a record read past it must be marked incomplete
 * unless it is whole after all.
 */
static bool cut_at(struct cut_case *c, size_t at)
{
	struct listing l;
	size_t have = inflated(c->p, at, c->gzip, NULL), i, need = 0;
	bool ok;

	list_records(c->p, at, &l);
	while (need < c->whole.n && c->ends[need] <= have)
		need++;
	ok = !l.hung && l.n >= need;
	for (i = 0; ok && i < l.n && i < c->whole.n; i++)
		if (i < need || !l.recs[i].incomplete)
			ok = same_record(&l.recs[i], &c->whole.recs[i]);
	if (!ok && c->failures++ < 3)
		fprintf(stderr, "%s: cut at %zu (%zu uncompressed bytes, %zu records complete): "
		        "read %zu records%s, record %zu differs; first error: %s\n", c->name, at,
		        have, need, l.n, l.hung ? " and hung" : "", i ? i - 1 : 0, l.first_error);
	listing_release(&l);
	return ok;
}

/*
 * Cut at every byte of a small archive; for a large one, at `budget`
 * evenly spread points plus a few bytes around each record boundary.
 */
static void cut_archive(const char *name, const unsigned char *p, size_t n, size_t budget)
{
	struct cut_case c;
	size_t at, i;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.p = p;
	c.n = n;
	c.gzip = n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
	list_records(p, n, &c.whole);
	CHECK(c.whole.n > 0);
	if (!record_ends(&c)) {
		CHECK(0);
		goto out;
	}
	if (n <= budget) {
		for (at = 0; at <= n; at++)
			cut_at(&c, at);
		goto out;
	}
	for (i = 0; i < budget; i++)
		cut_at(&c, (size_t)((double)n * (double)i / (double)budget));
	cut_at(&c, n);
	/* Record starts (gzip member starts) are where a cut is most telling. */
	for (i = 0; i < 4; i++) {
		size_t k = i < 2 ? i + 1 : i == 2 ? c.whole.n / 2 : c.whole.n - 1;
		static const int around[] = {-3, -2, -1, 0, 1, 2, 5, 10};
		size_t d;

		if (k >= c.whole.n)
			continue;
		for (d = 0; d < sizeof(around) / sizeof(around[0]); d++) {
			long long o = (long long)c.whole.recs[k].offset + around[d];

			if (o > 0 && (size_t)o < n)
				cut_at(&c, (size_t)o);
		}
	}
out:
	/* One check per archive: every cut kept every complete record. */
	CHECK_INT(c.failures, 0);
	listing_release(&c.whole);
	free(c.ends);
}

/* ---------------------------------------------------------------- */
/* A synthetic archive with every kind of record                    */
/* ---------------------------------------------------------------- */

static const char html_page[] =
	"<!doctype html><html><head><title>Notes on tea</title></head><body>"
	"<p>Green tea is steeped briefly in water below the boil.</p>"
	"<p>Black tea takes hotter water and a longer steep.</p></body></html>";

static void digest_b32(const void *p, size_t n, char out[64])
{
	struct chaff_digest d;
	unsigned char raw[32];
	size_t k;

	chaff_digest_init(&d, CHAFF_SHA1);
	chaff_digest_update(&d, p, n);
	k = chaff_digest_final(&d, raw);
	chaff_base32(raw, k, out);
}

/* One record: header with a correct block digest, block, CRLF CRLF. */
static void make_record(struct bytes *b, const char *version, const char *type, int num,
                        const char *uri, const char *ctype, const void *block, size_t n)
{
	char head[1024], dig[64];

	digest_b32(block, n, dig);
	snprintf(head, sizeof(head),
	         "%s\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-%012d>\r\n"
	         "WARC-Date: 2024-05-01T10:00:%02dZ\r\n%s%s%s"
	         "WARC-Block-Digest: sha1:%s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
	         version, type, num, num % 60, uri ? "WARC-Target-URI: " : "", uri ? uri : "",
	         uri ? "\r\n" : "", dig, ctype, n);
	puts_b(b, head);
	put(b, block, n);
	puts_b(b, "\r\n\r\n");
}

/* The HTTP response: chunked transfer coding over a gzip content coding. */
static void make_http_response(struct bytes *b)
{
	struct bytes gz = {0};
	char line[64];
	size_t at, step = 37;

	put_gzip(&gz, html_page, sizeof(html_page) - 1);
	puts_b(b, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
	          "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (at = 0; at < gz.n; at += step) {
		size_t k = gz.n - at < step ? gz.n - at : step;

		snprintf(line, sizeof(line), "%zX;ext=1\r\n", k);
		puts_b(b, line);
		put(b, gz.p + at, k);
		puts_b(b, "\r\n");
	}
	puts_b(b, "0\r\nX-Trailer: yes\r\n\r\n");
	free(gz.p);
}

#define N_SYNTH 8

/* Each record as its own plain bytes, so callers can frame them. */
static void synthetic_records(struct bytes recs[N_SYNTH])
{
	static const char info[] = "software: unit_warc\r\nformat: WARC File Format 1.1\r\n";
	static const char req[] = "GET /tea HTTP/1.1\r\nHost: tea.example\r\n\r\n";
	static const char text[] = "Oolong sits between green and black tea.\n\nIt is "
	                           "partly oxidised.\n";
	static const char notfound[] = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n"
	                               "Content-Length: 9\r\n\r\nnot found";
	static const char revisit[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
	static const char meta[] = "via: http://tea.example/\r\n";
	struct bytes resp = {0};
	size_t i;

	memset(recs, 0, N_SYNTH * sizeof(recs[0]));
	make_http_response(&resp);
	make_record(&recs[0], "WARC/1.1", "warcinfo", 1, NULL, "application/warc-fields", info,
	            sizeof(info) - 1);
	make_record(&recs[1], "WARC/1.1", "request", 2, "http://tea.example/tea",
	            "application/http; msgtype=request", req, sizeof(req) - 1);
	make_record(&recs[2], "WARC/1.1", "response", 3, "http://tea.example/tea",
	            "application/http; msgtype=response", resp.p, resp.n);
	make_record(&recs[3], "WARC/1.0", "resource", 4, "<http://tea.example/oolong.txt>",
	            "text/plain", text, sizeof(text) - 1);
	make_record(&recs[4], "WARC/1.1", "response", 5, "http://tea.example/missing",
	            "application/http; msgtype=response", notfound, sizeof(notfound) - 1);
	make_record(&recs[5], "WARC/1.1", "revisit", 6, "http://tea.example/tea",
	            "application/http; msgtype=response", revisit, sizeof(revisit) - 1);
	make_record(&recs[6], "WARC/1.1", "metadata", 7, "http://tea.example/tea",
	            "application/warc-fields", meta, sizeof(meta) - 1);
	make_record(&recs[7], "WARC/0.18", "conversion", 8, "http://tea.example/tea",
	            "text/plain", text, sizeof(text) - 1);
	free(resp.p);
	for (i = 0; i < N_SYNTH; i++)
		CHECK(recs[i].n > 0);
}

enum framing { PLAIN, MEMBER_PER_RECORD, WHOLE_GZIP, CONCATENATED };

static void synthetic_archive(enum framing how, struct bytes *out)
{
	struct bytes recs[N_SYNTH], plain = {0};
	size_t i;

	memset(out, 0, sizeof(*out));
	synthetic_records(recs);
	for (i = 0; i < N_SYNTH; i++) {
		if (how == MEMBER_PER_RECORD || how == CONCATENATED)
			put_gzip(out, recs[i].p, recs[i].n);
		else
			put(&plain, recs[i].p, recs[i].n);
		/* CONCATENATED: a second warcinfo mid-stream, as `cat a.warc.gz b.warc.gz`. */
		if (how == CONCATENATED && i == 3)
			put_gzip(out, recs[0].p, recs[0].n);
	}
	for (i = 0; i < N_SYNTH; i++)
		free(recs[i].p);
	if (how == PLAIN)
		put(out, plain.p, plain.n);
	else if (how == WHOLE_GZIP)
		put_gzip(out, plain.p, plain.n);
	free(plain.p);
}

static void test_synthetic_read(void)
{
	static const char *const types[N_SYNTH] = {"warcinfo", "request", "response", "resource",
	                                           "response", "revisit", "metadata", "conversion"};
	enum framing how;

	for (how = PLAIN; how <= CONCATENATED; how++) {
		struct bytes a;
		struct listing l;
		size_t i, want = how == CONCATENATED ? N_SYNTH + 1 : N_SYNTH;

		synthetic_archive(how, &a);
		list_records(a.p, a.n, &l);
		CHECK_INT(l.n, want);
		CHECK_INT(l.errors, 0);
		for (i = 0; i < l.n && i < want; i++) {
			size_t k = how == CONCATENATED && i > 3 ? (i == 4 ? 0 : i - 1) : i;

			CHECK_STR(l.recs[i].type, types[k]);
			CHECK(!l.recs[i].incomplete);
			CHECK_INT(l.recs[i].block_digest_ok, 1);
			CHECK_INT(l.recs[i].block_len, l.recs[i].content_length);
		}
		/* Offsets: gzip member starts, or the "WARC/" line in a plain file. */
		for (i = 1; i < l.n; i++) {
			if (how == WHOLE_GZIP)
				CHECK_INT(l.recs[i].offset, 0);
			else
				CHECK(l.recs[i].offset > l.recs[i - 1].offset);
			if (how == PLAIN)
				CHECK(!memcmp(a.p + l.recs[i].offset, "WARC/", 5));
			if (how == MEMBER_PER_RECORD || how == CONCATENATED)
				CHECK(a.p[l.recs[i].offset] == 0x1f && a.p[l.recs[i].offset + 1] == 0x8b);
		}
		listing_release(&l);
		free(a.p);
	}
}

/* The HTTP layer on the synthetic records: what is scored and why not. */
static void test_synthetic_pages(void)
{
	static const char *const want[N_SYNTH] = {"warcinfo", "request", NULL, "not HTML",
	                                          "not 2xx", "revisit", "metadata", NULL};
	struct chaff_warc_reader *r;
	struct chaff_warc_record rec;
	struct chaff_limits lim;
	struct chaff_page page;
	struct bytes a;
	char why[CHAFF_WHY_MAX];
	size_t i = 0;
	FILE *f;

	synthetic_archive(MEMBER_PER_RECORD, &a);
	f = fmemopen(a.p, a.n, "rb");
	chaff_limits_default(&lim);
	chaff_page_init(&page, &lim);
	CHECK_INT(chaff_warc_open_file(&r, f, "mem", MAX_BLOCK, why), CHAFF_OK);
	chaff_warc_record_init(&rec);
	while (chaff_warc_next(r, &rec, why) == CHAFF_OK && i < N_SYNTH) {
		const char *reason = chaff_warc_page(&rec, &page, &lim, false, why);

		CHECK_STR(reason, want[i]);
		if (i == 2) {
			/* De-chunked, gunzipped: the page as the server meant it. */
			CHECK_INT(page.body.len, sizeof(html_page) - 1);
			CHECK(page.body.data && !memcmp(page.body.data, html_page, page.body.len));
			CHECK_INT(page.status, 200);
			CHECK_STR(page.url, "http://tea.example/tea");
			CHECK_INT(page.kind, CHAFF_PAGE_HTML);
		}
		if (i == 3) {
			/* <> stripped from a WARC/1.0 target URI; text scored when asked. */
			CHECK_STR(rec.target_uri, "http://tea.example/oolong.txt");
			CHECK_STR(chaff_warc_page(&rec, &page, &lim, true, why), NULL);
			CHECK_INT(page.kind, CHAFF_PAGE_TEXT);
		}
		if (i == 7)
			CHECK_INT(page.kind, CHAFF_PAGE_TEXT);  /* WET conversion: always text */
		i++;
	}
	CHECK_INT(i, N_SYNTH);
	chaff_warc_record_release(&rec);
	chaff_warc_close(r);
	chaff_page_release(&page);
	fclose(f);
	free(a.p);
}

/* A damaged member in the middle: the records on both sides survive. */
static void test_damage_between(void)
{
	struct bytes recs[N_SYNTH], a = {0};
	struct listing l;
	size_t i, bad_at = 0;

	synthetic_records(recs);
	for (i = 0; i < N_SYNTH; i++) {
		size_t start = a.n;

		put_gzip(&a, recs[i].p, recs[i].n);
		if (i == 3) {
			/* Corrupt the deflate data of the fourth member. */
			bad_at = start;
			a.p[start + 20] ^= 0xff;
			a.p[start + 21] ^= 0xff;
			a.p[start + 22] ^= 0xff;
		}
		free(recs[i].p);
	}
	list_records(a.p, a.n, &l);
	CHECK(l.errors >= 1);
	CHECK(strstr(l.first_error, "offset ") != NULL);
	{
		char want[32];

		snprintf(want, sizeof(want), "offset %zu:", bad_at);
		CHECK(strstr(l.first_error, want) != NULL);
		if (!strstr(l.first_error, want))
			fprintf(stderr, "  first error: %s (want %s)\n", l.first_error, want);
	}
	/* 0-2 intact, 3 damaged (dropped or marked), 4-7 intact. */
	CHECK(l.n >= N_SYNTH - 1);
	if (l.n >= N_SYNTH - 1) {
		CHECK_STR(l.recs[l.n - 1].type, "conversion");
		CHECK_STR(l.recs[l.n - 4].type, "response");
		CHECK_INT(l.recs[l.n - 4].block_digest_ok, 1);
		CHECK_STR(l.recs[2].type, "response");
	}
	listing_release(&l);
	free(a.p);
}

/*
 * A member whose trailer disagrees with its data (CRC-32, then length) is
 * damage at that member's offset; the members around it are read intact.
 */
static void test_trailer_mismatch(void)
{
	int which;

	for (which = 0; which < 2; which++) {
		struct bytes recs[N_SYNTH], a = {0};
		struct listing l;
		size_t i, bad_at = 0;
		char want[32];

		synthetic_records(recs);
		for (i = 0; i < N_SYNTH; i++) {
			size_t start = a.n;

			put_gzip(&a, recs[i].p, recs[i].n);
			if (i == 2) {
				bad_at = start;
				a.p[a.n - (which ? 4 : 8)] ^= 0x01;  /* ISIZE, or the CRC-32 */
			}
			free(recs[i].p);
		}
		list_records(a.p, a.n, &l);
		CHECK_INT(l.errors, 1);
		snprintf(want, sizeof(want), "offset %zu:", bad_at);
		CHECK(strstr(l.first_error, want) != NULL);
		if (!strstr(l.first_error, want))
			fprintf(stderr, "  first error: %s (want %s)\n", l.first_error, want);
		CHECK(l.n >= N_SYNTH - 1);
		if (l.n >= N_SYNTH - 1) {
			CHECK_STR(l.recs[0].type, "warcinfo");
			CHECK_STR(l.recs[l.n - 1].type, "conversion");
		}
		listing_release(&l);
		free(a.p);
	}
}

/*
 * Stray bytes after a record (a Content-Length too short): a warning on
 * that record, and the next one read. Garbage with no record in reach is
 * reported as damage with its offset, and the reader resynchronises.
 */
static void test_resync_plain(void)
{
	struct bytes recs[N_SYNTH], a = {0}, b = {0};
	struct listing l;
	size_t i, junk_at = 0;

	synthetic_records(recs);
	for (i = 0; i < N_SYNTH; i++) {
		put(&a, recs[i].p, recs[i].n);
		if (i == 1)
			puts_b(&a, "garbage that is not a record\r\n");
		put(&b, recs[i].p, recs[i].n);
		if (i == 4) {
			size_t k;

			junk_at = b.n;
			for (k = 0; k < 5000; k++)
				puts_b(&b, "junk junk junk\n");
		}
		free(recs[i].p);
	}
	list_records(a.p, a.n, &l);
	CHECK_INT(l.n, N_SYNTH);
	CHECK_INT(l.errors, 0);
	CHECK(l.n > 1 && strstr(l.recs[1].warning, "stray bytes") != NULL);
	listing_release(&l);

	list_records(b.p, b.n, &l);
	CHECK_INT(l.n, N_SYNTH);
	CHECK_INT(l.errors, 1);
	{
		char want[32];

		snprintf(want, sizeof(want), "offset %zu:", junk_at);
		CHECK(!strncmp(l.first_error, want, strlen(want)));
	}
	CHECK(l.n > 4 && strstr(l.recs[4].warning, "not followed by the end") != NULL);
	listing_release(&l);
	free(a.p);
	free(b.p);
}

/* A Content-Length that swallows the records after it hides none of them. */
static void test_length_too_long(void)
{
	struct bytes recs[N_SYNTH], a = {0};
	struct listing l;
	char *cl;
	size_t i;

	synthetic_records(recs);
	/* Record 2 claims 100 kB: the five records after it sit in its block. */
	cl = strstr((char *)recs[2].p, "Content-Length: ");
	CHECK(cl != NULL);
	if (cl) {
		char *e = strchr(cl, '\r');
		struct bytes fixed = {0};

		put(&fixed, recs[2].p, (size_t)(cl - (char *)recs[2].p));
		puts_b(&fixed, "Content-Length: 100000");
		put(&fixed, e, recs[2].n - (size_t)(e - (char *)recs[2].p));
		free(recs[2].p);
		recs[2] = fixed;
	}
	for (i = 0; i < N_SYNTH; i++) {
		put(&a, recs[i].p, recs[i].n);
		free(recs[i].p);
	}
	list_records(a.p, a.n, &l);
	CHECK_INT(l.n, N_SYNTH);
	CHECK(l.n > 2 && strstr(l.recs[2].warning, "runs into the next record") != NULL);
	for (i = 3; i < l.n; i++)
		CHECK_INT(l.recs[i].block_digest_ok, 1);
	listing_release(&l);
	free(a.p);
}

/* More fields than the record has room for: the ones that matter are kept. */
static void test_many_fields(void)
{
	struct bytes a = {0};
	struct listing l;
	int i;

	puts_b(&a, "WARC/1.1\r\nWARC-Type: resource\r\n");
	for (i = 0; i < 200; i++) {
		char line[64];

		snprintf(line, sizeof(line), "X-Extra-%d: %d\r\n", i, i);
		puts_b(&a, line);
	}
	puts_b(&a, "WARC-Record-ID: <urn:uuid:many>\r\nContent-Type: text/plain\r\n"
	           "Content-Length: 5\r\n\r\nhello\r\n\r\n");
	list_records(a.p, a.n, &l);
	CHECK_INT(l.n, 1);
	CHECK_INT(l.errors, 0);
	if (l.n) {
		CHECK_STR(l.recs[0].id, "<urn:uuid:many>");
		CHECK_INT(l.recs[0].block_len, 5);
	}
	listing_release(&l);
	free(a.p);
}

static void test_synthetic_cuts(void)
{
	enum framing how;

	for (how = PLAIN; how <= CONCATENATED; how++) {
		static const char *const names[] = {"plain", "member-per-record", "whole-gzip",
		                                    "concatenated"};
		struct bytes a;

		synthetic_archive(how, &a);
		cut_archive(names[how], a.p, a.n, (size_t)1 << 20);  /* every byte */
		free(a.p);
	}
}

/* Not WARC at all: refused (foreign formats) or nothing lost silently. */
static void test_foreign(void)
{
	static const struct {
		const char *bytes;
		size_t n;
		enum chaff_err err;
	} cases[] = {
		{"BZh91AY&SY", 10, CHAFF_ERR_UNSUPPORTED},
		{"PK\x03\x04\x14\x00", 6, CHAFF_ERR_UNSUPPORTED},
		{"\x28\xb5\x2f\xfd\x00\x00", 6, CHAFF_ERR_UNSUPPORTED},
		{"\x04\x22\x4d\x18\x00\x00", 6, CHAFF_ERR_UNSUPPORTED},
		{"filedesc://x.arc 0.0.0.0 20240101000000 text/plain 10\n", 54,
		 CHAFF_ERR_UNSUPPORTED},
		{"<html>not an archive</html>", 27, CHAFF_OK},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct chaff_warc_reader *r = NULL;
		char why[CHAFF_WHY_MAX] = "";
		FILE *f = fmemopen((void *)cases[i].bytes, cases[i].n, "rb");
		enum chaff_err err = chaff_warc_open_file(&r, f, "mem", MAX_BLOCK, why);

		CHECK_INT(err, cases[i].err);
		if (err)
			CHECK(why[0] != '\0');
		if (!err) {
			struct chaff_warc_record rec;

			chaff_warc_record_init(&rec);
			/* Bytes that are not a record are reported, then the end. */
			CHECK_INT(chaff_warc_next(r, &rec, why), CHAFF_ERR_MALFORMED);
			CHECK(!strncmp(why, "offset 0:", 9));
			CHECK_INT(chaff_warc_next(r, &rec, why), CHAFF_EOF);
			chaff_warc_record_release(&rec);
		}
		chaff_warc_close(r);
		fclose(f);
	}
}

/* ---------------------------------------------------------------- */
/* The real archives                                                 */
/* ---------------------------------------------------------------- */

/* Archives of every framing, writer and kind of damage; small ones cut at every byte. */
static const struct {
	const char *path;
	size_t budget;
} real_archives[] = {
	{"webrecorder__warcio/test/data/example.warc", 1 << 20},
	{"webrecorder__warcio/test/data/example.warc.gz", 1 << 20},
	{"webrecorder__warcio/test/data/example-iana.org-chunked.warc", 1 << 20},
	{"webrecorder__warcio/test/data/example-bad-non-chunked.warc.gz", 1 << 20},
	{"webrecorder__warcio/test/data/example-trunc.warc", 1 << 20},
	{"webrecorder__warcio.js/test/data/redirect.warc", 1 << 20},
	{"webrecorder__pywb/sample_archive/warcs/example-wget-1-14.warc.gz", 1 << 20},
	{"webrecorder__pywb/sample_archive/warcs/missing-status-text.warc", 1 << 20},
	{"slyrz__warc/testdata/test.warc.gz", 1 << 20},
	{"iipc__jwarc/test-resources/org/netpreserve/jwarc/gzip_extra_sl.warc.gz", 1 << 20},
	{"commoncrawl__whirlwind-python/whirlwind.warc.wet.gz", 1 << 20},
	{"chatnoir-eu__chatnoir-resiliparse/tests/data/clueweb-quirk.warc.gz", 60},
	{"chatnoir-eu__chatnoir-resiliparse/tests/data/warcfile.warc.gz", 60},
	{"N0taN3rd__node-warc/test/files/books.toscrape.warc", 100},
	{"archivesunleashed__aut/src/test/resources/warc/example.warc.gz", 16},
	{"webrecorder__pywb/sample_archive/warcs/iana.warc.gz", 30},
};

static void test_real_cuts(void)
{
	const char *shared = getenv("SHARED");
	size_t i;

	if (!shared)
		shared = "../shared";
	for (i = 0; i < sizeof(real_archives) / sizeof(real_archives[0]); i++) {
		char path[4096];
		struct bytes b;

		snprintf(path, sizeof(path), "%s/realdata/warc/%s", shared, real_archives[i].path);
		if (!load(path, &b)) {
			fprintf(stderr, "skip: %s is absent; real archives not cut\n", path);
			return;
		}
		cut_archive(real_archives[i].path, b.p, b.n, real_archives[i].budget);
		free(b.p);
	}
}

/*
 * How many versions of a read differently with helpers than without: a
 * cut every `step` bytes, then a byte flipped every `flip` bytes (0: none)
 * for corrupt members and false gzip headers. *tries counts them.
 */
static size_t disagreements(struct bytes *a, size_t step, size_t flip, size_t *tries)
{
	size_t at, differ = 0;

	for (at = 0; at <= a->n; at += step, ++*tries)
		differ += !threads_agree(a->p, at);
	for (at = flip / 2; flip && at + 1 < a->n; at += flip, ++*tries) {
		a->p[at] ^= 0x5a;
		differ += !threads_agree(a->p, a->n);
		a->p[at] ^= 0x5a;
	}
	return differ;
}

/*
 * One gzip member per record, records from a few bytes to 200 KB (around
 * the 32 KiB at which the pool splits a member after its WARC header), of
 * text that compresses about as well as HTML does.
 */
static void big_archive(struct bytes *out)
{
	static const size_t sizes[] = {100, 32000, 32760, 32768, 32900, 40000, 5, 70000, 120000,
	                               200000, 1000};
	static const char *const words[] = {"tea ", "leaf ", "oolong ", "steep ", "<p>", "</p>\n",
	                                    "water ", "cup ", "42 ", "green ", "black "};
	size_t i, k;
	uint32_t x = 7;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct bytes body = {0}, rec = {0};
		char uri[64];

		puts_b(&body, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
		while (body.n < sizes[i]) {
			x = x * 1103515245u + 12345u;
			k = (x >> 16) % (sizeof(words) / sizeof(words[0]));
			put(&body, words[k], strlen(words[k]) > sizes[i] - body.n ? sizes[i] - body.n
			                                                         : strlen(words[k]));
		}
		snprintf(uri, sizeof(uri), "http://tea.example/%zu", i);
		make_record(&rec, "WARC/1.1", "response", (int)i + 1, uri,
		            "application/http; msgtype=response", body.p, body.n);
		put_gzip(out, rec.p, rec.n);
		free(body.p);
		free(rec.p);
	}
}

/*
 * Members inflated ahead by helper threads change nothing: the synthetic
 * archives whole, cut at every byte, and with a damaged member; the real
 * archives whole.
 */
static void test_threads_agree(void)
{
	enum framing how;
	size_t i, differ = 0, cuts = 0;
	const char *shared = getenv("SHARED");

	for (how = PLAIN; how <= CONCATENATED; how++) {
		struct bytes a;

		synthetic_archive(how, &a);
		CHECK(threads_agree(a.p, a.n));
		differ += disagreements(&a, how == MEMBER_PER_RECORD ? 1 : 7,
		                        how == MEMBER_PER_RECORD ? 97 : 0, &cuts);
		free(a.p);
	}
	{
		/* Large records: the pool's split members, taken whole as blocks. */
		struct bytes a;
		struct listing l;

		big_archive(&a);
		list_records(a.p, a.n, &l);
		CHECK_INT(l.n, 11);
		CHECK_INT(l.errors, 0);
		for (i = 0; i < l.n; i++)
			CHECK_INT(l.recs[i].block_digest_ok, 1);
		listing_release(&l);
		CHECK(threads_agree(a.p, a.n));
		differ += disagreements(&a, 151, 1013, &cuts);
		free(a.p);
	}
	if (differ)
		fprintf(stderr, "  %zu of %zu cut or damaged archives read differently with helpers\n",
		        differ, cuts);
	CHECK_INT(differ, 0);
	for (i = 0; i < sizeof(real_archives) / sizeof(real_archives[0]); i++) {
		char path[4096];
		struct bytes b;

		snprintf(path, sizeof(path), "%s/realdata/warc/%s", shared ? shared : "../shared",
		         real_archives[i].path);
		if (!load(path, &b)) {
			fprintf(stderr, "skip: %s is absent; helpers not compared on real archives\n",
			        path);
			return;
		}
		if (!threads_agree(b.p, b.n))
			fprintf(stderr, "  %s: read differently with helpers\n", real_archives[i].path);
		CHECK(threads_agree(b.p, b.n));
		free(b.p);
	}
}

int main(void)
{
	test_synthetic_read();
	test_synthetic_pages();
	test_damage_between();
	test_trailer_mismatch();
	test_resync_plain();
	test_length_too_long();
	test_many_fields();
	test_foreign();
	test_synthetic_cuts();
	test_real_cuts();
	test_threads_agree();
	/* Everything above once more, with helpers inflating ahead. */
	reader_threads = 2;
	test_synthetic_read();
	test_damage_between();
	test_trailer_mismatch();
	test_resync_plain();
	test_length_too_long();
	test_synthetic_cuts();
	return check_summary();
}
