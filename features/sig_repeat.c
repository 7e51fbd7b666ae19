/*
 * sig_repeat.c - repeated_sections and the repetition statistics used to
 * filter web text (Gopher, RefinedWeb): duplicate line and paragraph
 * fractions, the character share of the most frequent 2-4-grams and of
 * duplicated 5-10-grams.
 *
 * Everything works on word hashes of the main content. Near-duplicate
 * blocks are found with MinHash over word 3-shingles and banded lookup
 * (LSH), so each block is compared with the few earlier blocks that share
 * a band, never with all of them.
 */
#include <string.h>

#include "features/signals.h"

#define EXACT_MIN_WORDS 3     /* shorter blocks repeat innocently ("Dizziness") */
#define NEAR_MIN_WORDS 8      /* blocks long enough for shingles */
#define SHINGLE 3
#define NHASH 16              /* MinHash functions */
#define BAND 2                /* rows per LSH band: NHASH / BAND bands */
#define NEAR_MIN_EQUAL 8      /* equal MinHashes out of NHASH: Jaccard >= 0.5 */
#define NUMBERED_MAX_WORDS 12
#define NO_GROUP UINT32_MAX
/* Evidence slots (CHAFF_MAX_EVIDENCE in all): repeated runs, headings, stitching. */
#define RUN_EVIDENCE 4
#define HEADING_EVIDENCE 2

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
	h *= 0xBF58476D1CE4E5B9ULL;
	return h ^ (h >> 31);
}

struct repeat {
	struct sig_ctx *c;
	uint32_t *mt;          /* indices of the main tokens */
	size_t nmt;
	uint64_t *gram;        /* per main position: hash of the n-gram starting there */
	uint8_t *dup;          /* per main position: that n-gram occurs more than once */
	size_t total_chars;    /* code points in the main words */
	struct sig_table tab;
	uint32_t *group;       /* per block: first block it repeats, or NO_GROUP */
	uint32_t *gsize;       /* per block: size of the group it heads */
};

/* ---- Gopher statistics over the main words -------------------------- */

/*
 * One pass per n, n = 2..10. gram[i] grows from the (n-1)-gram at i to the
 * n-gram by one mix. An n-gram at i can repeat only if the (n-1)-grams at i
 * and i+1 both do, so each pass looks only at those positions: on ordinary
 * text the passes after the first few touch almost nothing.
 */
struct ngram_pass {
	size_t best;           /* count of the most frequent n-gram */
	size_t best_i;
	size_t dup_chars;      /* chars of the words inside repeated n-grams */
};

static size_t ngram_chars(const struct repeat *r, size_t i, size_t n)
{
	size_t j, ch = 0;

	for (j = 0; j < n; j++)
		ch += r->c->tok[r->mt[i + j]].chars;
	return ch;
}

static void ngram_step(struct repeat *r, size_t n, struct ngram_pass *p)
{
	const struct sig_tok *tok = r->c->tok;
	size_t i, last = r->nmt - n, covered = 0, cand = 0;
	struct sig_table tab, *t = &tab;

	memset(p, 0, sizeof(*p));
	for (i = 0; i <= last; i++) {
		/* dup[] still describes (n-1)-grams here; n == 2 looks at every position */
		bool maybe = n == 2 || (r->dup[i] && r->dup[i + 1]);

		r->gram[i] = mix(r->gram[i], tok[r->mt[i + n - 1]].hash);
		r->dup[i] = maybe;
		cand += maybe;
	}
	if (!cand)
		return;
	chaff_sig_table_init(t, r->c->arena, cand);
	for (i = 0; i <= last; i++) {
		uint32_t *v;

		if (!r->dup[i] || !(v = chaff_sig_table_get(t, r->gram[i])))
			continue;
		if (*v < UINT32_MAX && ++*v > p->best) {
			p->best = *v;
			p->best_i = i;
		}
	}
	/* Words inside any repeated n-gram count once, overlaps included. */
	for (i = 0; i <= last; i++) {
		size_t j;

		r->dup[i] = r->dup[i] && chaff_sig_table_find(t, r->gram[i]) >= 2;
		if (!r->dup[i])
			continue;
		for (j = i > covered ? i : covered; j < i + n; j++)
			p->dup_chars += tok[r->mt[j]].chars;
		covered = i + n;
	}
	r->dup[last + 1] = 0;
}

static void gopher_ngrams(struct repeat *r)
{
	struct sig_ctx *c = r->c;
	struct ngram_pass p;
	size_t n, i;
	double total = (double)r->total_chars;

	if (r->nmt < 2 || !r->total_chars)
		return;
	r->gram = chaff_arena_alloc(c->arena, chaff_st_mult(r->nmt, sizeof(*r->gram)));
	r->dup = chaff_arena_calloc(c->arena, r->nmt + 1, 1);
	for (i = 0; i < r->nmt; i++)
		r->gram[i] = mix(0x4E4752414DULL, c->tok[r->mt[i]].hash);
	for (n = 2; n <= 10 && n <= r->nmt; n++) {
		ngram_step(r, n, &p);
		if (n <= 4 && p.best >= 2)
			chaff_sig_set(c, SIG_TOP_2GRAM_CHAR_FRAC + (int)(n - 2),
			              (double)(p.best * ngram_chars(r, p.best_i, n)) / total);
		if (n >= 5)
			chaff_sig_set(c, SIG_DUP_5GRAM_CHAR_FRAC + (int)(n - 5), (double)p.dup_chars / total);
	}
}

/* ---- Duplicate lines and paragraphs --------------------------------- */

struct dup_count {
	size_t items, dup_items, chars, dup_chars;
};

static void count_item(struct sig_table *t, struct dup_count *d, uint64_t key, size_t chars)
{
	uint32_t *v = chaff_sig_table_get(t, key);

	d->items++;
	d->chars += chars;
	if (v && (*v)++) {
		d->dup_items++;
		d->dup_chars += chars;
	}
}

static double frac(size_t a, size_t b)
{
	return b ? (double)a / (double)b : 0;
}

/* Lines are blocks; paragraphs are the runs of blocks between headings. */
static void dup_lines_paras(struct repeat *r)
{
	struct sig_ctx *c = r->c;
	struct dup_count lines = {0}, paras = {0};
	uint64_t para = 0;
	size_t b, para_chars = 0;

	chaff_sig_table_clear(&r->tab);
	for (b = 0; b < c->doc->nblocks; b++) {
		const struct sig_block *sb = &c->blk[b];

		if (!sb->main || !sb->ntok)
			continue;
		count_item(&r->tab, &lines, sb->norm, sb->chars);
	}
	chaff_sig_table_clear(&r->tab);
	for (b = 0; b <= c->doc->nblocks; b++) {
		const struct sig_block *sb = b < c->doc->nblocks ? &c->blk[b] : NULL;

		if (sb && (!sb->main || !sb->ntok))
			continue;
		if (!sb || sb->heading) {
			if (para_chars)
				count_item(&r->tab, &paras, para ^ 0x5041524147524150ULL, para_chars);
			para = 0;
			para_chars = 0;
			continue;
		}
		para = mix(para, sb->norm);
		para_chars += sb->chars;
	}
	chaff_sig_set(c, SIG_DUP_LINE_FRAC, frac(lines.dup_items, lines.items));
	chaff_sig_set(c, SIG_DUP_LINE_CHAR_FRAC, frac(lines.dup_chars, lines.chars));
	chaff_sig_set(c, SIG_DUP_PARA_FRAC, frac(paras.dup_items, paras.items));
	chaff_sig_set(c, SIG_DUP_PARA_CHAR_FRAC, frac(paras.dup_chars, paras.chars));
}

/* ---- Near-duplicate blocks ------------------------------------------ */

static void minhash(const struct sig_ctx *c, const struct sig_block *sb, uint64_t *mh)
{
	size_t i, j;

	for (j = 0; j < NHASH; j++)
		mh[j] = UINT64_MAX;
	for (i = sb->tok; i + SHINGLE <= sb->tok + sb->ntok; i++) {
		uint64_t s = mix(mix(mix(0, c->tok[i].hash), c->tok[i + 1].hash), c->tok[i + 2].hash);

		/* (s ^ k_j) * odd: a cheap family of permutations, enough for MinHash */
		for (j = 0; j < NHASH; j++) {
			uint64_t h = (s ^ (0x9E3779B97F4A7C15ULL * (j + 1))) * 0xD6E8FEB86659FD93ULL;

			if (h < mh[j])
				mh[j] = h;
		}
	}
}

/* Blocks whose repetition means something: not headings (counted apart), not
 * links and buttons ("Continue reading", "Add a comment") that sites repeat by design. */
static bool eligible(const struct sig_ctx *c, size_t b)
{
	const struct sig_block *sb = &c->blk[b];
	const struct chaff_block *db = &c->doc->blocks[b];

	return sb->main && !sb->heading && sb->ntok >= EXACT_MIN_WORDS &&
	       db->link_bytes * 2 < db->len;
}

/* Fill r->group: for each eligible block, the first block it (nearly) repeats. */
static void find_repeats(struct repeat *r)
{
	struct sig_ctx *c = r->c;
	size_t nb = c->doc->nblocks, b, j, neligible = 0;
	uint64_t *mh;
	uint32_t *slot;     /* per block: its row in mh */
	struct sig_table exact, bands;

	for (b = 0; b < nb; b++) {
		r->group[b] = NO_GROUP;
		neligible += eligible(c, b);
	}
	if (!neligible)
		return;
	mh = chaff_arena_alloc(c->arena, chaff_st_mult(neligible, NHASH * sizeof(*mh)));
	slot = chaff_arena_alloc(c->arena, chaff_st_mult(nb, sizeof(*slot)));
	chaff_sig_table_init(&exact, c->arena, neligible);
	chaff_sig_table_init(&bands, c->arena, neligible * (NHASH / BAND));
	neligible = 0;
	for (b = 0; b < nb; b++) {
		const struct sig_block *sb = &c->blk[b];
		uint32_t *v, found = NO_GROUP;

		if (!eligible(c, b))
			continue;
		v = chaff_sig_table_get(&exact, sb->norm);
		if (v && *v)
			found = *v - 1;
		else if (v)
			*v = (uint32_t)b + 1;
		/* Rows of one table share their shape by design: only exact copies count. */
		if (sb->ntok < NEAR_MIN_WORDS || (c->doc->blocks[b].flags & CHAFF_BLOCK_TABLE)) {
			r->group[b] = found;
			continue;
		}
		slot[b] = (uint32_t)neligible;
		minhash(c, sb, mh + neligible * NHASH);
		for (j = 0; j < NHASH / BAND && found == NO_GROUP; j++) {
			const uint64_t *m = mh + neligible * NHASH + j * BAND;
			uint64_t key = mix(mix(j + 1, m[0]), m[1]);
			uint32_t *e = chaff_sig_table_get(&bands, key);
			size_t equal = 0, k;
			const uint64_t *o;

			if (!e)
				continue;
			if (!*e) {
				*e = (uint32_t)b + 1;
				continue;
			}
			o = mh + (size_t)slot[*e - 1] * NHASH;
			for (k = 0; k < NHASH; k++)
				equal += o[k] == mh[neligible * NHASH + k];
			if (equal >= NEAR_MIN_EQUAL)
				found = *e - 1;
		}
		/* Register the remaining bands too, so later copies find this one. */
		for (; j < NHASH / BAND; j++) {
			const uint64_t *m = mh + neligible * NHASH + j * BAND;
			uint32_t *e = chaff_sig_table_get(&bands, mix(mix(j + 1, m[0]), m[1]));

			if (e && !*e)
				*e = (uint32_t)b + 1;
		}
		neligible++;
		r->group[b] = found;
	}
	/* Point every copy at the head of its group. */
	for (b = 0; b < nb; b++)
		if (r->group[b] != NO_GROUP && r->group[r->group[b]] != NO_GROUP)
			r->group[b] = r->group[r->group[b]];
}

/* Runs of repeated blocks are one repeated section each; the most repeated make the evidence. */
static size_t repeated_runs(struct repeat *r)
{
	struct sig_ctx *c = r->c;
	size_t nb = c->doc->nblocks, b, runs = 0, dup_chars = 0, k, shown;
	uint32_t *heads = chaff_arena_alloc(c->arena, chaff_st_mult(nb + 1, sizeof(*heads)));
	bool in_run = false;

	for (b = 0; b < nb; b++)
		r->gsize[b] = 1;
	for (b = 0; b < nb; b++)
		if (r->group[b] != NO_GROUP)
			r->gsize[r->group[b]]++;
	for (b = 0; b < nb; b++) {
		if (!eligible(c, b))
			continue;
		if (r->group[b] == NO_GROUP) {
			in_run = false;
			continue;
		}
		dup_chars += c->blk[b].chars;
		if (in_run)
			continue;
		in_run = true;
		heads[runs++] = (uint32_t)b;
	}
	for (shown = 0; shown < RUN_EVIDENCE && shown < runs; shown++) {
		size_t best = shown;

		for (k = shown + 1; k < runs; k++)
			if (r->gsize[r->group[heads[k]]] > r->gsize[r->group[heads[best]]])
				best = k;
		b = heads[best];
		heads[best] = heads[shown];
		heads[shown] = (uint32_t)b;
		chaff_sig_evidence_n(c, CHAFF_SIG_REPEATED_SECTIONS, c->doc->blocks[b].text,
		                     c->doc->blocks[b].len, r->gsize[r->group[b]]);
	}
	chaff_sig_set(c, SIG_NEAR_DUP_BLOCK_CHAR_FRAC, frac(dup_chars, c->main_chars));
	return runs;
}

/* ---- Repeated headings and stitched articles ------------------------ */

/* First token of a heading after its numbering ("5. Side effects" -> side). */
static size_t heading_start(const struct sig_ctx *c, const struct sig_block *sb)
{
	size_t i = sb->tok, end = sb->tok + sb->ntok;

	while (i < end && c->low[c->tok[i].off] >= '0' && c->low[c->tok[i].off] <= '9')
		i++;
	return i;
}

static size_t repeated_headings(struct repeat *r)
{
	struct sig_ctx *c = r->c;
	size_t b, groups = 0, shown = 0;

	chaff_sig_table_clear(&r->tab);
	for (b = 0; b < c->doc->nblocks; b++) {
		const struct sig_block *sb = &c->blk[b];
		size_t i = heading_start(c, sb), end = sb->tok + sb->ntok;
		uint64_t h = 0x48454144ULL;
		uint32_t *v;

		if (!sb->main || !sb->heading || i >= end)
			continue;
		for (; i < end; i++)
			h = mix(h, c->tok[i].hash);
		v = chaff_sig_table_get(&r->tab, h);
		if (!v)
			continue;
		r->gsize[b] = ++*v;
		if (*v == 2)
			groups++;
	}
	/* Evidence once per repeated heading, with its final count. */
	for (b = 0; b < c->doc->nblocks; b++) {
		const struct sig_block *sb = &c->blk[b];
		size_t i = heading_start(c, sb), end = sb->tok + sb->ntok;
		uint64_t h = 0x48454144ULL;
		uint32_t n;

		if (!sb->main || !sb->heading || i >= end || r->gsize[b] != 1 ||
		    shown >= HEADING_EVIDENCE)
			continue;
		for (; i < end; i++)
			h = mix(h, c->tok[i].hash);
		n = chaff_sig_table_find(&r->tab, h);
		if (n < 2)
			continue;
		shown++;
		chaff_sig_evidence_n(c, CHAFF_SIG_REPEATED_SECTIONS, c->doc->blocks[b].text,
		                     c->doc->blocks[b].len, n);
	}
	chaff_sig_set(c, SIG_REPEATED_HEADINGS, (double)groups);
	return groups;
}

static long leading_number(const char *s, size_t n)
{
	size_t i = 0;
	long v = 0;

	while (i < n && i < 3 && s[i] >= '0' && s[i] <= '9')
		v = v * 10 + (s[i++] - '0');
	if (!i || i + 1 >= n || (s[i] != '.' && s[i] != ')') || s[i + 1] != ' ')
		return -1;
	return v;
}

/* A numbered line that heads a section, not an item of a numbered list. */
static long section_number(const struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	long v = leading_number(db->text, db->len);
	char last;
	size_t next, prev;

	if (v < 0 || !sb->main)
		return -1;
	if (sb->heading && !(db->flags & CHAFF_BLOCK_LIST_ITEM))
		return v;
	last = db->text[db->len - 1];
	if (sb->ntok > NUMBERED_MAX_WORDS || strchr(".!?;:,", last))
		return -1;
	/* Inside a numbered list (references, steps) a short item is still an item. */
	for (next = b + 1; next < c->doc->nblocks && !c->blk[next].main; next++)
		;
	if (next < c->doc->nblocks &&
	    leading_number(c->doc->blocks[next].text, c->doc->blocks[next].len) >= 0)
		return -1;
	for (prev = b; prev > 0 && !c->blk[prev - 1].main; prev--)
		;
	if (prev > 0 && leading_number(c->doc->blocks[prev - 1].text, c->doc->blocks[prev - 1].len) >= 0)
		return -1;
	return v;
}

static bool heading_is(const struct sig_ctx *c, size_t b, const char *word)
{
	const struct sig_block *sb = &c->blk[b];
	size_t i = heading_start(c, sb);

	return sb->main && sb->heading && i < sb->tok + sb->ntok && i + 1 >= sb->tok + sb->ntok &&
	       chaff_sig_word_is(c, i, word);
}

static size_t stitched(struct repeat *r)
{
	struct sig_ctx *c = r->c;
	size_t b, events = 0;
	long prev = -1;
	bool concluded = false;

	for (b = 0; b < c->doc->nblocks; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];
		long v = section_number(c, b);

		if (v >= 0) {
			/* Sections that start at 5, or go 3 -> 1, were cut from other articles. */
			if ((prev < 0 && v > 2) || (prev >= 0 && v <= prev)) {
				events++;
				chaff_sig_evidence(c, CHAFF_SIG_REPEATED_SECTIONS, db->text, db->len);
			}
			prev = v;
		}
		if (heading_is(c, b, "conclusion") || heading_is(c, b, "summary"))
			concluded = true;
		else if (concluded && heading_is(c, b, "introduction")) {
			events++;
			chaff_sig_evidence(c, CHAFF_SIG_REPEATED_SECTIONS, db->text, db->len);
			concluded = false;
		}
	}
	if (c->ref_sections > 1) {
		const char *what = chaff_arena_printf(c->arena, "%zu references sections",
		                                      c->ref_sections);

		events += c->ref_sections - 1;
		chaff_sig_evidence(c, CHAFF_SIG_REPEATED_SECTIONS, what, strlen(what));
	}
	chaff_sig_set(c, SIG_STITCHED_SECTIONS, (double)events);
	return events;
}

void chaff_sig_repeat(struct sig_ctx *c)
{
	struct repeat r;
	size_t i, b, nb = c->doc->nblocks, total;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.mt = chaff_arena_alloc(c->arena, chaff_st_mult(c->main_tokens + 1, sizeof(*r.mt)));
	for (i = 0; i < c->ntok; i++) {
		if (!c->blk[c->tok[i].block].main)
			continue;
		r.mt[r.nmt++] = (uint32_t)i;
		r.total_chars += c->tok[i].chars;
	}
	chaff_sig_table_init(&r.tab, c->arena, nb);
	r.group = chaff_arena_alloc(c->arena, chaff_st_mult(nb + 1, sizeof(*r.group)));
	r.gsize = chaff_arena_alloc(c->arena, chaff_st_mult(nb + 1, sizeof(*r.gsize)));
	gopher_ngrams(&r);
	dup_lines_paras(&r);
	find_repeats(&r);
	total = repeated_runs(&r);
	for (b = 0; b < nb; b++)
		r.gsize[b] = 1;
	total += repeated_headings(&r);
	total += stitched(&r);
	chaff_sig_set(c, CHAFF_SIG_REPEATED_SECTIONS, (double)total);
}
