/*
 * sig_widgets.c - offtopic_widgets: the boxes around an article that are
 * not the article. By place (the related, tags, comments, sidebar and ad
 * regions the parser found), by the words that open them ("See also",
 * "Tags:", "Leave a Reply", "Download the app"), and by topic: a short,
 * teaser-shaped block whose words are far from the page's main content
 * (kitchen tips on a drug page) counts even where the markup says nothing,
 * as in plain text.
 *
 * Topic distance is the share of the block's content words (plural -s
 * dropped, so "conditions" meets "condition") that occur elsewhere in the
 * main content, one hash-table probe per word.
 * A share is steadier than a cosine here: the page's own subject word
 * ("baclofen" a hundred times) would dominate any norm.
 */
#include <math.h>
#include <string.h>

#include "features/signals.h"

#define CUE_MAX_TOKENS 30      /* a widget's opening line, not a paragraph */
#define LABEL_CUE_MAX_TOKENS 12
#define APP_MAX_TOKENS 40
#define TEASER_MIN_CONTENT 3
#define TEASER_MAX_CONTENT 20
#define PROSE_MIN_TOKENS 12    /* a heading followed by prose heads a section */
#define TOPIC_MIN_WORDS 50     /* below this a page has no measurable topic */
#define OFFTOPIC_SHARE 0.25   /* at most this share of its words appear in the article */

struct widgets {
	struct sig_ctx *c;
	struct sig_table topic;
	size_t topic_words;
	uint8_t *in_widget;
	size_t widgets, offtopic;
};

static bool content_word(const struct sig_ctx *c, size_t t)
{
	const struct sig_tok *k = &c->tok[t];
	unsigned char first = (unsigned char)c->low[k->off];

	return !(k->lex & (LEX_STOP | LEX_BOILER)) && k->chars >= 3 &&
	       !(first >= '0' && first <= '9');
}

/* Key of the topic table: the word without a plural -s ("conditions" is "condition"). */
static uint64_t stem_hash(const struct sig_ctx *c, size_t t)
{
	const struct sig_tok *k = &c->tok[t];
	const char *w = c->low + k->off;

	if (k->len > 3 && w[k->len - 1] == 's' && w[k->len - 2] != 's')
		return chaff_hash64(w, k->len - 1u, 0);
	return k->hash;  /* the same hash the stem gets when it is a word of its own */
}

static bool widget_region(enum chaff_region r)
{
	return r == CHAFF_REGION_ASIDE || r == CHAFF_REGION_RELATED || r == CHAFF_REGION_TAGS ||
	       r == CHAFF_REGION_COMMENTS || r == CHAFF_REGION_AD;
}

/* One widget per run of blocks in the same widget region. */
static void region_widgets(struct widgets *w)
{
	struct sig_ctx *c = w->c;
	size_t b;
	int prev = -1;

	for (b = 0; b < c->doc->nblocks; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];

		if (!c->blk[b].visible)
			continue;
		if (!widget_region(db->region)) {
			prev = -1;
			continue;
		}
		w->in_widget[b] = 1;
		if ((int)db->region == prev)
			continue;
		prev = (int)db->region;
		w->widgets++;
		chaff_sig_evidence(c, CHAFF_SIG_OFFTOPIC_WIDGETS, db->text, db->len);
	}
}

/* "Tags: a, b" and "Comments (3)" but not "Category 1 drugs are ..." */
static bool label_cue(const struct sig_ctx *c, size_t b, const struct phrase_match *m)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_tok *last = &c->tok[m->first + m->ntok - 1];
	size_t after = last->src + last->len;

	if (c->blk[b].ntok > LABEL_CUE_MAX_TOKENS)
		return false;
	return after >= db->len || db->text[after] == ':' || db->text[after] == ' ' ||
	       db->text[after] == '(';
}

static bool opens_widget(const struct sig_ctx *c, size_t b)
{
	const struct sig_block *sb = &c->blk[b];
	struct phrase_match m[8];
	size_t n, j;

	if (!sb->ntok || sb->ntok > CUE_MAX_TOKENS)
		return false;
	n = chaff_lex_phrases_at(c, sb->tok, m, 8);
	for (j = 0; j < n; j++) {
		if (m[j].cls == PH_APP)
			return true;
		if (m[j].cls != PH_WIDGET)
			continue;
		if (m[j].ntok > 1 || label_cue(c, b, &m[j]))
			return true;
	}
	return false;
}

/* "The #1 Mental Health App", "Get our free app and ..." */
static bool app_promo(const struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	size_t t, end = sb->tok + sb->ntok, promo = 0;
	bool app = false;

	if (!sb->ntok || sb->ntok > APP_MAX_TOKENS)
		return false;
	for (t = sb->tok; t < end; t++) {
		bool is_app = chaff_sig_word_is(c, t, "app") || chaff_sig_word_is(c, t, "apps");

		app |= is_app;
		if (!is_app && (c->tok[t].lex & (LEX_PROMO | LEX_YOU)))
			promo++;
		if (chaff_sig_word_is(c, t, "developed") || chaff_sig_word_is(c, t, "free"))
			promo++;
		promo += PHRASE_AT(c, t, PH_APP);
	}
	return app && (promo || memmem(db->text, db->len, "#1", 2));
}

static void cue_widgets(struct widgets *w)
{
	struct sig_ctx *c = w->c;
	size_t b;

	for (b = 0; b < c->doc->nblocks; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];

		if (!c->blk[b].visible || w->in_widget[b])
			continue;
		if (db->region == CHAFF_REGION_NAV || db->region == CHAFF_REGION_FOOTER)
			continue;
		if (!opens_widget(c, b) && !app_promo(c, b))
			continue;
		w->in_widget[b] = 1;
		w->widgets++;
		chaff_sig_evidence(c, CHAFF_SIG_OFFTOPIC_WIDGETS, db->text, db->len);
	}
}

static void build_topic(struct widgets *w)
{
	struct sig_ctx *c = w->c;
	size_t t;

	chaff_sig_table_init(&w->topic, c->arena, c->main_tokens);
	for (t = 0; t < c->ntok; t++) {
		uint32_t *v;

		if (!c->blk[c->tok[t].block].main || !content_word(c, t))
			continue;
		v = chaff_sig_table_get(&w->topic, stem_hash(c, t));
		if (v && *v < UINT32_MAX)
			++*v;
		w->topic_words++;
	}
}

static bool bylined(const struct sig_ctx *c, size_t b)
{
	const struct sig_block *sb = &c->blk[b];
	size_t t;

	for (t = sb->tok; t < sb->tok + sb->ntok; t++)
		if (PHRASE_AT(c, t, PH_AUTHOR) || PHRASE_AT(c, t, PH_REVIEWER) || PHRASE_AT(c, t, PH_DATE))
			return true;
	return false;
}

static bool teaser_shaped(const struct widgets *w, size_t b)
{
	const struct sig_ctx *c = w->c;
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	size_t next, t;
	char last;

	if (!sb->visible || sb->content < TEASER_MIN_CONTENT || sb->content > TEASER_MAX_CONTENT)
		return false;
	if (db->region == CHAFF_REGION_NAV || db->region == CHAFF_REGION_HEADER ||
	    db->region == CHAFF_REGION_FOOTER || (db->flags & (CHAFF_BLOCK_TABLE | CHAFF_BLOCK_PRE)))
		return false;
	last = db->text[db->len - 1];
	if (last == '.' || last == ':' || last == ';' || last == ',')
		return false;
	if ((db->flags & CHAFF_BLOCK_LIST_ITEM) && db->link_bytes * 2 < db->len)
		return false;
	for (t = sb->tok; t < sb->tok + sb->ntok; t++)
		if (c->tok[t].lex & (LEX_BOILER | LEX_MONTH))
			return false;  /* footers, and date lines ("Last updated: 12 February") */
	/* A teaser is one title, not sentences; a byline's name is off-topic by nature. */
	if (memmem(db->text, db->len, ". ", 2) || memmem(db->text, db->len, "! ", 2) ||
	    memmem(db->text, db->len, "? ", 2) || chaff_sig_word_is(c, sb->tok, "by") ||
	    bylined(c, b))
		return false;
	/* A heading over prose heads a section of the article. */
	for (next = b + 1; next < c->doc->nblocks && !c->blk[next].visible; next++)
		;
	return next >= c->doc->nblocks || c->blk[next].ntok < PROSE_MIN_TOKENS ||
	       c->doc->blocks[next].region != db->region;
}

#define SHARE_MAX_WORDS 64

/* Share of the block's content words that the rest of the article also uses. */
static double topic_share(const struct widgets *w, size_t b)
{
	const struct sig_ctx *c = w->c;
	const struct sig_block *sb = &c->blk[b];
	uint64_t h[SHARE_MAX_WORDS];
	size_t t, i, k, words = 0, shared = 0;

	for (t = sb->tok; t < sb->tok + sb->ntok && words < SHARE_MAX_WORDS; t++)
		if (content_word(c, t))
			h[words++] = stem_hash(c, t);
	for (i = 0; i < words; i++) {
		uint32_t tf = chaff_sig_table_find(&w->topic, h[i]), own = 0;

		/* The block's own words are part of the main counts: leave them out. */
		if (sb->main)
			for (k = 0; k < words; k++)
				own += h[k] == h[i];
		shared += tf > own;
	}
	return words ? (double)shared / (double)words : 1;
}

static void offtopic_teasers(struct widgets *w)
{
	struct sig_ctx *c = w->c;
	size_t b;

	if (w->topic_words < TOPIC_MIN_WORDS)
		return;
	for (b = 0; b < c->doc->nblocks; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];

		if (w->in_widget[b] || !teaser_shaped(w, b) || topic_share(w, b) > OFFTOPIC_SHARE)
			continue;
		w->offtopic++;
		chaff_sig_evidence(c, CHAFF_SIG_OFFTOPIC_WIDGETS, db->text, db->len);
	}
}

void chaff_sig_widgets(struct sig_ctx *c)
{
	struct widgets w;

	memset(&w, 0, sizeof(w));
	w.c = c;
	w.in_widget = chaff_arena_calloc(c->arena, c->doc->nblocks + 1, 1);
	region_widgets(&w);
	cue_widgets(&w);
	build_topic(&w);
	offtopic_teasers(&w);
	chaff_sig_set(c, SIG_WIDGET_BLOCKS, (double)w.widgets);
	chaff_sig_set(c, SIG_OFFTOPIC_BLOCKS, (double)w.offtopic);
	chaff_sig_set(c, CHAFF_SIG_OFFTOPIC_WIDGETS, (double)(w.widgets + w.offtopic));
}
