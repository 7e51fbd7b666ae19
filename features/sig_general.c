/*
 * sig_general.c - the general content signals: length, title, visible and
 * hidden text, compression ratio, word statistics, links, sourcing lines
 * (authors, reviewers, dates, disclaimers), filler and clickbait.
 * Rates are per 1000 words of main content; fractions are in [0, 1].
 */
#include <string.h>
#include <zlib.h>

#include "features/signals.h"

#define LINE_MAX_TOKENS 25     /* a byline or a date line is short */
#define BYLINE_MAX_TOKENS 8
#define COMPRESS_MAX_BYTES ((size_t)32 << 10)  /* a sample: the ratio settles well before */
#define TITLE_MAX_BYTES 512
#define TITLE_MAX_TOKENS 128

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static double per_kword(double n, size_t words)
{
	return words ? 1000.0 * n / (double)words : 0;
}

/* zlib draws its state from the page arena: nothing to free, nothing to fault in. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	return chaff_arena_alloc(opaque, chaff_st_mult(items, size));
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	(void)p;
}

/* Deflate what is in z->next_in; returns the compressed bytes produced. */
static size_t deflate_feed(z_stream *z, int flush)
{
	unsigned char out[8192];  /* the compressed bytes are only counted */
	size_t total = 0;
	int rc;

	do {
		z->next_out = out;
		z->avail_out = sizeof(out);
		rc = deflate(z, flush);
		total += sizeof(out) - z->avail_out;
	} while (rc == Z_OK && z->avail_out == 0);
	return total;
}

/* Raw bytes over deflated bytes of the main text (all visible text if none is main). */
static double compression_ratio(struct sig_ctx *c)
{
	z_stream z;
	size_t b, in = 0, out = 0;
	bool any_main = c->main_bytes > 0;

	memset(&z, 0, sizeof(z));
	z.zalloc = z_alloc;
	z.zfree = z_free;
	z.opaque = c->arena;
	/* Level 1 ranks pages as level 9 does, several times faster; raw deflate
	 * (negative window bits) skips the checksum; memLevel 7 halves the hash
	 * table that every page has to clear. */
	if (deflateInit2(&z, 1, Z_DEFLATED, -15, 7, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	for (b = 0; b < c->doc->nblocks && in < COMPRESS_MAX_BYTES; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];
		size_t n = db->len < COMPRESS_MAX_BYTES - in ? db->len : COMPRESS_MAX_BYTES - in;

		if (any_main ? !c->blk[b].main : !c->blk[b].visible)
			continue;
		z.next_in = (Bytef *)(uintptr_t)db->text;
		z.avail_in = (uInt)n;
		in += n;
		out += deflate_feed(&z, Z_NO_FLUSH);
	}
	z.next_in = NULL;
	z.avail_in = 0;
	out += deflate_feed(&z, Z_FINISH);
	deflateEnd(&z);
	return out ? (double)in / (double)out : 0;
}

static bool tok_is_dose(const struct sig_ctx *c, size_t t)
{
	const struct sig_tok *k = &c->tok[t];
	const char *w = c->low + k->off;
	size_t i = 0;

	if (!k->len || w[0] < '0' || w[0] > '9')
		return false;
	while (i < k->len && ((w[i] >= '0' && w[i] <= '9') || w[i] == '.' || w[i] == ','))
		i++;
	if (i == k->len)
		return t + 1 < c->ntok && c->tok[t + 1].block == k->block &&
		       (c->tok[t + 1].lex & LEX_DOSE);
	return (k->len - i == 2 && (!memcmp(w + i, "mg", 2) || !memcmp(w + i, "ml", 2))) ||
	       (k->len - i == 3 && !memcmp(w + i, "mcg", 3));
}

struct lines {
	size_t author, reviewer, date, disclaimers, filler, sources;
};

/* "according to the CDC", "published by Mayo Clinic": a proper name follows. */
static bool names_source(const struct sig_ctx *c, const struct phrase_match *m)
{
	size_t t = m->first + m->ntok;
	const struct chaff_block *db;

	if (t < c->ntok && c->tok[t].block == c->tok[m->first].block &&
	    chaff_sig_word_is(c, t, "the"))
		t++;
	if (t >= c->ntok || c->tok[t].block != c->tok[m->first].block)
		return false;
	db = &c->doc->blocks[c->tok[t].block];
	return db->text[c->tok[t].src] >= 'A' && db->text[c->tok[t].src] <= 'Z';
}

static bool has_date(const struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	size_t t, i;

	for (t = sb->tok; t < sb->tok + sb->ntok; t++)
		if (c->tok[t].lex & LEX_MONTH)
			return true;
	for (i = 0; i + 4 <= db->len; i++)
		if ((db->text[i] == '1' || db->text[i] == '2') && (db->text[i + 1] == '9' ||
		    db->text[i + 1] == '0') && db->text[i + 2] >= '0' && db->text[i + 2] <= '9' &&
		    db->text[i + 3] >= '0' && db->text[i + 3] <= '9')
			return true;
	return false;
}

/* "By Jane Roberts", "By Dr. Lee" */
static bool byline(const struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	unsigned char next;

	if (sb->ntok < 2 || sb->ntok > BYLINE_MAX_TOKENS || !chaff_sig_word_is(c, sb->tok, "by"))
		return false;
	next = (unsigned char)db->text[c->tok[sb->tok + 1].src];
	return next >= 'A' && next <= 'Z';
}

/* Per-block phrase classes, then the line counts. */
static void scan_lines(struct sig_ctx *c, struct lines *l)
{
	struct phrase_match m[8];
	size_t b, t, j, n;

	for (b = 0; b < c->doc->nblocks; b++) {
		const struct sig_block *sb = &c->blk[b];
		unsigned seen = 0;

		if (!sb->visible)
			continue;
		for (t = sb->tok; t < sb->tok + sb->ntok; t++) {
			l->filler += sb->main && (c->tok[t].lex & LEX_FILLER);
			if (!c->phr[t])
				continue;
			n = chaff_lex_phrases_at(c, t, m, 8);
			for (j = 0; j < n; j++) {
				seen |= 1u << m[j].cls;
				l->disclaimers += m[j].cls == PH_DISCLAIMER;
				l->filler += sb->main && m[j].cls == PH_FILLER;
				if (m[j].cls == PH_SOURCE && names_source(c, &m[j])) {
					const char *s = c->doc->blocks[b].text + c->tok[t].src;
					size_t left = c->doc->blocks[b].len - c->tok[t].src;

					l->sources++;
					chaff_sig_evidence(c, SIG_NAMED_SOURCES, s, left < 60 ? left : 60);
				}
			}
		}
		if (sb->ntok > LINE_MAX_TOKENS)
			continue;
		if ((seen & (1u << PH_AUTHOR)) || byline(c, b)) {
			l->author++;
			chaff_sig_evidence(c, SIG_AUTHOR_LINES, c->doc->blocks[b].text,
			                   c->doc->blocks[b].len);
		}
		if (seen & (1u << PH_REVIEWER)) {
			l->reviewer++;
			chaff_sig_evidence(c, SIG_REVIEWER_LINES, c->doc->blocks[b].text,
			                   c->doc->blocks[b].len);
		}
		if ((seen & (1u << PH_DATE)) && has_date(c, b)) {
			l->date++;
			chaff_sig_evidence(c, SIG_DATE_LINES, c->doc->blocks[b].text,
			                   c->doc->blocks[b].len);
		}
	}
}

static void word_rates(struct sig_ctx *c)
{
	size_t t, stop = 0, hedge = 0, clinical = 0, dose = 0, you = 0, chars = 0, bang = 0, b;

	for (t = 0; t < c->ntok; t++) {
		const struct sig_tok *k = &c->tok[t];

		if (!c->blk[k->block].main)
			continue;
		chars += k->chars;
		stop += !!(k->lex & LEX_STOP);
		hedge += !!(k->lex & LEX_HEDGE);
		clinical += !!(k->lex & LEX_CLINICAL);
		you += !!(k->lex & LEX_YOU);
		dose += tok_is_dose(c, t);
	}
	for (b = 0; b < c->doc->nblocks; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];
		const char *p = db->text, *end = db->text + db->len;

		if (!c->blk[b].main)
			continue;
		while ((p = memchr(p, '!', (size_t)(end - p)))) {
			bang++;
			p++;
		}
	}
	chaff_sig_set(c, SIG_AVG_WORD_LENGTH, ratio((double)chars, (double)c->main_tokens));
	chaff_sig_set(c, SIG_STOPWORD_FRACTION, ratio((double)stop, (double)c->main_tokens));
	chaff_sig_set(c, SIG_HEDGE_RATE, per_kword((double)hedge, c->main_tokens));
	chaff_sig_set(c, SIG_CLINICAL_RATE, per_kword((double)clinical, c->main_tokens));
	chaff_sig_set(c, SIG_DOSAGE_RATE, per_kword((double)dose, c->main_tokens));
	chaff_sig_set(c, SIG_SECOND_PERSON_RATE, per_kword((double)you, c->main_tokens));
	chaff_sig_set(c, SIG_EXCLAMATION_RATE, per_kword((double)bang, c->main_tokens));
}

static const char *const question_words[] = {
	"can", "does", "do", "is", "are", "should", "will", "what", "how", "why", "when",
	"which", "could", "would", NULL
};

/* The title, tokenized on its own: a question? clickbait phrases? "10 things ..."? */
static void title_signals(struct sig_ctx *c)
{
	const char *title = c->doc->title ? c->doc->title : "";
	size_t n = strlen(title), low_len = 0, ntok, t, j, k, bait = 0, chars = 0, i;
	char low[TITLE_MAX_BYTES + 1];
	struct sig_tok tok[TITLE_MAX_TOKENS];
	struct sig_ctx tc;
	struct phrase_match m[8];
	bool question;

	for (i = 0; i < n; i++)
		chars += ((unsigned char)title[i] & 0xC0) != 0x80;
	chaff_sig_set(c, SIG_TITLE_LENGTH, (double)chars);
	if (n > TITLE_MAX_BYTES)
		n = TITLE_MAX_BYTES;
	ntok = chaff_sig_tokenize(title, n, low, &low_len, tok, TITLE_MAX_TOKENS, 0);
	memset(&tc, 0, sizeof(tc));
	tc.low = low;
	tc.low_len = low_len;
	tc.tok = tok;
	tc.ntok = ntok;
	question = memchr(title, '?', n) != NULL;
	for (k = 0; !question && ntok && question_words[k]; k++)
		question = chaff_sig_word_is(&tc, 0, question_words[k]);
	for (t = 0; t < ntok; t++) {
		size_t nm = chaff_lex_phrases_at(&tc, t, m, 8);

		for (j = 0; j < nm; j++)
			bait += m[j].cls == PH_CLICKBAIT;
	}
	/* Listicles: "7 things", "10 reasons" */
	if (ntok >= 2 && low[tok[0].off] >= '0' && low[tok[0].off] <= '9' && tok[0].len <= 2 &&
	    !(tok[1].lex & (LEX_DOSE | LEX_UNIT)))
		bait++;
	chaff_sig_set(c, SIG_TITLE_QUESTION, question);
	chaff_sig_set(c, SIG_CLICKBAIT_TITLE, (double)bait);
	if (bait || question)
		chaff_sig_evidence(c, bait ? SIG_CLICKBAIT_TITLE : SIG_TITLE_QUESTION, title, n);
	if (bait && question)
		chaff_sig_evidence(c, SIG_TITLE_QUESTION, title, n);
}

static bool same_site(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && !chaff_strncasecmp(a, b, an);
}

/* Site of link i, or NULL for a relative link. */
static const char *link_site(const struct chaff_doc *doc, size_t i, size_t *sn)
{
	const char *h, *site;
	size_t hn;

	if (!doc->links[i].href ||
	    !(h = chaff_sig_url_host(doc->links[i].href, strlen(doc->links[i].href), &hn)))
		return NULL;
	chaff_sig_site(h, hn, &site, sn);
	return site;
}

/*
 * Share of links that leave the site. The site is the page's host when its
 * URL is known. A page read from a file has none: when most of its links
 * are absolute and one site holds most of them, that is its own site
 * (sites that link to themselves absolutely); otherwise it links to itself
 * relatively and every absolute link leaves. So a page read from a file is
 * judged like the same page fetched.
 */
static double external_fraction(struct sig_ctx *c)
{
	const struct chaff_doc *doc = c->doc;
	const char *own = NULL, *cand = NULL, *site;
	size_t own_n = 0, cand_n = 0, votes = 0, i, sn, absolute = 0, held = 0, external = 0;

	if (!doc->nlinks)
		return 0;
	if (doc->host) {
		chaff_sig_site(doc->host, strlen(doc->host), &own, &own_n);
	} else {
		/* Boyer-Moore majority vote over the sites, then a count to confirm it. */
		for (i = 0; i < doc->nlinks; i++) {
			if (!(site = link_site(doc, i, &sn)))
				continue;
			absolute++;
			if (!votes) {
				cand = site;
				cand_n = sn;
			}
			votes = same_site(cand, cand_n, site, sn) ? votes + 1 : votes - 1;
		}
		for (i = 0; cand && i < doc->nlinks; i++)
			if ((site = link_site(doc, i, &sn)) && same_site(cand, cand_n, site, sn))
				held++;
		if (absolute * 2 > doc->nlinks && held * 2 > absolute) {
			own = cand;
			own_n = cand_n;
		}
	}
	for (i = 0; i < doc->nlinks; i++)
		if ((site = link_site(doc, i, &sn)))
			external += !own || !same_site(own, own_n, site, sn);
	return (double)external / (double)doc->nlinks;
}

static void shape_signals(struct sig_ctx *c)
{
	const struct chaff_doc *doc = c->doc;
	size_t b, main_blocks = 0, headings = 0, items = 0, rows = 0, hidden = 0, link_bytes = 0;

	for (b = 0; b < doc->nblocks; b++) {
		const struct chaff_block *db = &doc->blocks[b];

		if (!c->blk[b].visible) {
			hidden += db->len;
			continue;
		}
		link_bytes += db->link_bytes;
		if (!c->blk[b].main)
			continue;
		main_blocks++;
		headings += c->blk[b].heading;
		items += !!(db->flags & CHAFF_BLOCK_LIST_ITEM);
		rows += !!(db->flags & CHAFF_BLOCK_TABLE);
	}
	chaff_sig_set(c, SIG_TEXT_LENGTH, (double)c->visible_bytes);
	chaff_sig_set(c, SIG_MAIN_TEXT_LENGTH, (double)c->main_bytes);
	chaff_sig_set(c, SIG_WORD_COUNT, (double)c->main_tokens);
	chaff_sig_set(c, SIG_VISIBLE_TEXT_FRACTION,
	              doc->input_bytes ? (c->visible_bytes >= doc->input_bytes ? 1 :
	                                  ratio((double)c->visible_bytes, (double)doc->input_bytes)) : 0);
	chaff_sig_set(c, SIG_HIDDEN_TEXT_FRACTION,
	              ratio((double)hidden, (double)(hidden + c->visible_bytes)));
	chaff_sig_set(c, SIG_ANCHOR_TEXT_FRACTION, ratio((double)link_bytes, (double)c->visible_bytes));
	chaff_sig_set(c, SIG_LINK_DENSITY, ratio(1000.0 * (double)doc->nlinks,
	                                         (double)c->visible_bytes));
	chaff_sig_set(c, SIG_EXTERNAL_LINK_FRACTION, external_fraction(c));
	chaff_sig_set(c, SIG_HEADING_FRACTION, ratio((double)headings, (double)main_blocks));
	chaff_sig_set(c, SIG_LIST_ITEM_FRACTION, ratio((double)items, (double)main_blocks));
	chaff_sig_set(c, SIG_TABLE_ROWS, (double)rows);
}

void chaff_sig_general(struct sig_ctx *c)
{
	struct lines l;
	bool sourced;

	memset(&l, 0, sizeof(l));
	shape_signals(c);
	chaff_sig_set(c, SIG_COMPRESSION_RATIO, compression_ratio(c));
	word_rates(c);
	scan_lines(c, &l);
	title_signals(c);
	sourced = c->doi_pmid || c->authority_links || c->ref_entries_sourced || l.sources;
	chaff_sig_set(c, SIG_AUTHOR_LINES, (double)l.author);
	chaff_sig_set(c, SIG_REVIEWER_LINES, (double)l.reviewer);
	chaff_sig_set(c, SIG_DATE_LINES, (double)l.date);
	chaff_sig_set(c, SIG_DISCLAIMERS, (double)l.disclaimers);
	chaff_sig_set(c, SIG_DISCLAIMER_ONLY, l.disclaimers && !sourced);
	chaff_sig_set(c, SIG_NAMED_SOURCES, (double)l.sources);
	chaff_sig_set(c, SIG_FILLER_RATE, per_kword((double)l.filler, c->main_tokens));
}
