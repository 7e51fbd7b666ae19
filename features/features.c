/*
 * features.c - chaff_features_extract: a document to its named signals,
 * their evidence and its hashed terms. Builds the per-page context once
 * (every visible block's words, lower-cased into one buffer, with their
 * hashes and word classes), then runs each signal family over it.
 */
#include <math.h>
#include <string.h>

#include "features/signals.h"

/* Stable names: they are JSON keys and model-file feature names. */
static const char *const signal_names[SIG_COUNT] = {
	[CHAFF_SIG_REPEATED_SECTIONS] = "repeated_sections",
	[CHAFF_SIG_PRICE_BLOCKS] = "price_blocks",
	[CHAFF_SIG_PLACEHOLDER_STUDIES] = "placeholder_studies",
	[CHAFF_SIG_TRUNCATED_REFERENCES] = "truncated_references",
	[CHAFF_SIG_OFFTOPIC_WIDGETS] = "offtopic_widgets",
	[SIG_DUP_LINE_FRAC] = "dup_line_frac",
	[SIG_DUP_LINE_CHAR_FRAC] = "dup_line_char_frac",
	[SIG_DUP_PARA_FRAC] = "dup_para_frac",
	[SIG_DUP_PARA_CHAR_FRAC] = "dup_para_char_frac",
	[SIG_TOP_2GRAM_CHAR_FRAC] = "top_2gram_char_frac",
	[SIG_TOP_3GRAM_CHAR_FRAC] = "top_3gram_char_frac",
	[SIG_TOP_4GRAM_CHAR_FRAC] = "top_4gram_char_frac",
	[SIG_DUP_5GRAM_CHAR_FRAC] = "dup_5gram_char_frac",
	[SIG_DUP_6GRAM_CHAR_FRAC] = "dup_6gram_char_frac",
	[SIG_DUP_7GRAM_CHAR_FRAC] = "dup_7gram_char_frac",
	[SIG_DUP_8GRAM_CHAR_FRAC] = "dup_8gram_char_frac",
	[SIG_DUP_9GRAM_CHAR_FRAC] = "dup_9gram_char_frac",
	[SIG_DUP_10GRAM_CHAR_FRAC] = "dup_10gram_char_frac",
	[SIG_NEAR_DUP_BLOCK_CHAR_FRAC] = "near_dup_block_char_frac",
	[SIG_REPEATED_HEADINGS] = "repeated_headings",
	[SIG_STITCHED_SECTIONS] = "stitched_sections",
	[SIG_UNIT_PRICES] = "unit_prices",
	[SIG_PACKAGE_PRICE_ROWS] = "package_price_rows",
	[SIG_DOSAGE_MENUS] = "dosage_menus",
	[SIG_PHARMACY_CALLS] = "pharmacy_calls",
	[SIG_STUFFED_BLOCKS] = "stuffed_blocks",
	[SIG_RX_REQUIRED] = "rx_required",
	[SIG_PLACEHOLDER_AUTHORS] = "placeholder_authors",
	[SIG_UNSOURCED_FINDINGS] = "unsourced_findings",
	[SIG_JOURNAL_ONLY_CLAIMS] = "journal_only_claims",
	[SIG_REFERENCE_ENTRIES] = "reference_entries",
	[SIG_UNSOURCED_REFERENCES] = "unsourced_references",
	[SIG_WIDGET_BLOCKS] = "widget_blocks",
	[SIG_OFFTOPIC_BLOCKS] = "offtopic_blocks",
	[SIG_TEXT_LENGTH] = "text_length",
	[SIG_MAIN_TEXT_LENGTH] = "main_text_length",
	[SIG_WORD_COUNT] = "word_count",
	[SIG_TITLE_LENGTH] = "title_length",
	[SIG_VISIBLE_TEXT_FRACTION] = "visible_text_fraction",
	[SIG_HIDDEN_TEXT_FRACTION] = "hidden_text_fraction",
	[SIG_COMPRESSION_RATIO] = "compression_ratio",
	[SIG_AVG_WORD_LENGTH] = "avg_word_length",
	[SIG_STOPWORD_FRACTION] = "stopword_fraction",
	[SIG_ANCHOR_TEXT_FRACTION] = "anchor_text_fraction",
	[SIG_LINK_DENSITY] = "link_density",
	[SIG_EXTERNAL_LINK_FRACTION] = "external_link_fraction",
	[SIG_DOI_PMID_REFS] = "doi_pmid_refs",
	[SIG_AUTHORITY_LINKS] = "authority_links",
	[SIG_AUTHOR_LINES] = "author_lines",
	[SIG_REVIEWER_LINES] = "reviewer_lines",
	[SIG_DATE_LINES] = "date_lines",
	[SIG_DISCLAIMERS] = "disclaimers",
	[SIG_DISCLAIMER_ONLY] = "disclaimer_only",
	[SIG_NAMED_SOURCES] = "named_sources",
	[SIG_FILLER_RATE] = "filler_rate",
	[SIG_HEDGE_RATE] = "hedge_rate",
	[SIG_CLINICAL_RATE] = "clinical_rate",
	[SIG_DOSAGE_RATE] = "dosage_rate",
	[SIG_SECOND_PERSON_RATE] = "second_person_rate",
	[SIG_EXCLAMATION_RATE] = "exclamation_rate",
	[SIG_TITLE_QUESTION] = "title_question",
	[SIG_CLICKBAIT_TITLE] = "clickbait_title",
	[SIG_HEADING_FRACTION] = "heading_fraction",
	[SIG_LIST_ITEM_FRACTION] = "list_item_fraction",
	[SIG_TABLE_ROWS] = "table_rows",
	[SIG_MEDICAL_TERM_RATE] = "medical_term_rate",
	[SIG_SPECIFICITY_RATE] = "specificity_rate",
	[SIG_REPUTABLE_SOURCES] = "reputable_sources",
	[SIG_SPECULATION_RATE] = "speculation_rate",
};

/*
 * Signals that describe a page's form rather than its quality: markup
 * density, lengths, language-dependent word statistics, title shape and
 * disclaimers. They vary with the site template, the input format (HTML or
 * extracted text) and the language more than with the label, and a model
 * trained on them learns the corpus's templates. They are computed and
 * shown to reviewers, but not learned.
 */
static const bool form_only[SIG_COUNT] = {
	[SIG_TEXT_LENGTH] = true, [SIG_MAIN_TEXT_LENGTH] = true, [SIG_WORD_COUNT] = true,
	[SIG_TITLE_LENGTH] = true, [SIG_VISIBLE_TEXT_FRACTION] = true,
	[SIG_HIDDEN_TEXT_FRACTION] = true, [SIG_COMPRESSION_RATIO] = true,
	[SIG_AVG_WORD_LENGTH] = true, [SIG_STOPWORD_FRACTION] = true,
	[SIG_ANCHOR_TEXT_FRACTION] = true, [SIG_LINK_DENSITY] = true,
	[SIG_EXTERNAL_LINK_FRACTION] = true, [SIG_HEADING_FRACTION] = true,
	[SIG_LIST_ITEM_FRACTION] = true, [SIG_TABLE_ROWS] = true, [SIG_TITLE_QUESTION] = true,
	[SIG_DISCLAIMERS] = true, [SIG_DISCLAIMER_ONLY] = true,
};

bool chaff_signal_learned(size_t index)
{
	return index < SIG_COUNT && !form_only[index];
}

_Static_assert((int)SIG_COUNT <= (int)CHAFF_SIG_MAX, "too many signals for CHAFF_SIG_MAX");

/* Pages bigger than this many words are judged on their first words. */
#define MAX_TOKENS ((size_t)1 << 20)
#define MAX_WORD_BYTES 200
#define LABEL_MAX_WORDS 8

size_t chaff_signal_count(void)
{
	return SIG_COUNT;
}

const char *chaff_signal_name(size_t index)
{
	return index < SIG_COUNT ? signal_names[index] : NULL;
}

int chaff_signal_index(const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < SIG_COUNT; i++)
		if (!strcmp(signal_names[i], name))
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Evidence                                                             */
/* ------------------------------------------------------------------ */

static bool is_space_at(const char *s, size_t n, size_t i, size_t *skip)
{
	unsigned char c = (unsigned char)s[i];

	*skip = 1;
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
		return true;
	if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
		*skip = 2;
		return true;
	}
	return false;
}

void chaff_evidence_add(struct chaff_evidence *ev, struct chaff_arena *arena,
                        const char *s, size_t n)
{
	char tmp[CHAFF_EVIDENCE_CHARS + 8];
	size_t i = 0, k = 0, j;
	bool space = false, cut = false;

	if (!ev || !s || ev->n >= CHAFF_MAX_EVIDENCE)
		return;
	while (i < n) {
		size_t skip;

		if (is_space_at(s, n, i, &skip)) {
			space = k > 0;
			i += skip;
			continue;
		}
		if (space) {
			if (k + 1 > CHAFF_EVIDENCE_CHARS) {
				cut = true;
				break;
			}
			tmp[k++] = ' ';
			space = false;
		}
		if (k + 1 > CHAFF_EVIDENCE_CHARS) {
			cut = true;
			break;
		}
		tmp[k++] = s[i++];
	}
	if (cut) {
		/* A character cut in two loses its first bytes too; then mark the cut. */
		if (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) {
			while (k && ((unsigned char)tmp[k - 1] & 0xC0) == 0x80)
				k--;
			if (k && ((unsigned char)tmp[k - 1] & 0xC0) == 0xC0)
				k--;
		}
		while (k && tmp[k - 1] == ' ')
			k--;
		memcpy(tmp + k, "\xE2\x80\xA6", 3);
		k += 3;
	}
	if (!k)
		return;
	tmp[k] = '\0';
	for (j = 0; j < ev->n; j++)
		if (!strcmp(ev->items[j], tmp))
			return;
	ev->items[ev->n++] = chaff_arena_strndup(arena, tmp, k);
}

void chaff_sig_set(struct sig_ctx *c, int sig, double v)
{
	c->f->signals[sig] = isfinite(v) ? v : 0;
}

void chaff_sig_evidence(struct sig_ctx *c, int sig, const char *s, size_t n)
{
	chaff_evidence_add(&c->f->evidence[sig], c->arena, s, n);
}

void chaff_sig_evidence_n(struct sig_ctx *c, int sig, const char *s, size_t n, size_t times)
{
	char tmp[CHAFF_EVIDENCE_CHARS + 32];
	size_t keep = n > CHAFF_EVIDENCE_CHARS - 12 ? CHAFF_EVIDENCE_CHARS - 12 : n;
	int w;

	if (times < 2) {
		chaff_sig_evidence(c, sig, s, n);
		return;
	}
	while (keep && keep < n && ((unsigned char)s[keep] & 0xC0) == 0x80)
		keep--;
	w = snprintf(tmp, sizeof(tmp), "%.*s%s (x%zu)", (int)keep, s, keep < n ? "\xE2\x80\xA6" : "",
	             times);
	if (w > 0)
		chaff_sig_evidence(c, sig, tmp, (size_t)w < sizeof(tmp) ? (size_t)w : sizeof(tmp) - 1);
}

/* ------------------------------------------------------------------ */
/* Tokenizer                                                            */
/* ------------------------------------------------------------------ */

/* Lower case for the Latin, Greek and Cyrillic letters that have one of the
 * same encoded length (so the lower-cased text never grows). */
static uint32_t to_lower(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 32;
	if (cp >= 0x100 && cp <= 0x17F) {
		bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);

		if (cp == 0x130 || cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F)
			return cp;
		if (odd_upper)
			return (cp & 1) ? cp + 1 : cp;
		return (cp & 1) ? cp : cp + 1;
	}
	if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
		return cp + 32;
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 32;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 80;
	return cp;
}

static bool is_letter(uint32_t cp)
{
	if (cp < 0x80)
		return (cp | 32) >= 'a' && (cp | 32) <= 'z';
	if (cp == 0xB5 || cp == 0xAA || cp == 0xBA)
		return true;
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
		return false;
	if (cp < 0x2000)
		return true;
	if (cp < 0x2C00)
		return false;  /* punctuation, currency, symbols, arrows, boxes */
	if (cp >= 0x3000 && cp <= 0x303F)
		return false;
	if (cp >= 0xFE30 && cp <= 0xFE6F)
		return false;
	if (cp >= 0xFF00 && cp <= 0xFF20)
		return false;
	if (cp == 0xFFFD || cp >= 0x1F000)
		return false;
	return true;
}

static bool is_digit(uint32_t cp)
{
	return cp >= '0' && cp <= '9';
}

static bool is_apostrophe(uint32_t cp)
{
	return cp == '\'' || cp == 0x2019;
}

static uint32_t peek(const char *s, size_t n, size_t i)
{
	uint32_t cp;

	if (i >= n)
		return 0;
	if ((unsigned char)s[i] < 0x80)
		return (unsigned char)s[i];
	chaff_utf8_decode(s + i, n - i, &cp);
	return cp;
}

size_t chaff_sig_tokenize(const char *s, size_t n, char *low, size_t *low_len,
                          struct sig_tok *tok, size_t maxtok, uint32_t block)
{
	size_t i = 0, ntok = 0, out = *low_len;
	bool in = false;
	uint32_t prev = 0;
	struct sig_tok *t = NULL;

	while (i < n) {
		uint32_t cp;
		size_t k;
		bool word;

		if ((unsigned char)s[i] < 0x80) {
			cp = (unsigned char)s[i];
			k = 1;
		} else {
			k = chaff_utf8_decode(s + i, n - i, &cp);
		}
		word = is_letter(cp) || is_digit(cp);
		if (!word && in) {
			uint32_t next = peek(s, n, i + k);

			/* don't, baclofen's; 0.51, 1,000 stay one word */
			if (is_apostrophe(cp) && is_letter(prev) && is_letter(next)) {
				word = true;
				cp = '\'';
			} else if ((cp == '.' || cp == ',') && is_digit(prev) && is_digit(next)) {
				word = true;
			}
		}
		if (!word) {
			in = false;
			i += k;
			continue;
		}
		if (!in) {
			if (ntok >= maxtok)
				break;
			if (ntok && out > *low_len)
				low[out++] = ' ';
			t = &tok[ntok++];
			t->off = (uint32_t)out;
			t->len = 0;
			t->chars = 0;
			t->block = block;
			t->lex = 0;
			t->src = (uint32_t)i;
			in = true;
		}
		prev = cp;
		cp = to_lower(cp);
		if (t->len < MAX_WORD_BYTES) {
			size_t w = chaff_utf8_encode(cp, low + out);

			out += w;
			t->len = (uint16_t)(t->len + w);
		}
		if (t->chars < UINT16_MAX)
			t->chars++;
		i += k;
	}
	for (i = 0; i < ntok; i++) {
		tok[i].hash = chaff_hash64(low + tok[i].off, tok[i].len, 0);
		tok[i].lex = chaff_lex_word(tok[i].hash);
	}
	*low_len = out;
	return ntok;
}

/* ------------------------------------------------------------------ */
/* Context                                                              */
/* ------------------------------------------------------------------ */

/* Code points in s: bytes that are not UTF-8 continuations, 8 at a time. */
static size_t count_chars(const char *s, size_t n)
{
	size_t i = 0, cont = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		/* continuation bytes are 10xxxxxx: bit 7 set, bit 6 clear */
		cont += (size_t)__builtin_popcountll(w & ~(w << 1) & 0x8080808080808080ULL);
	}
	for (; i < n; i++)
		cont += ((unsigned char)s[i] & 0xC0) == 0x80;
	return n - cont;
}

/* A short line that ends in ':' ("References:", "Side effects:") heads what follows. */
static bool label_shaped(const struct chaff_block *b, size_t words)
{
	return b->len > 1 && b->text[b->len - 1] == ':' && words <= LABEL_MAX_WORDS &&
	       !(b->flags & CHAFF_BLOCK_TABLE);
}

/* Which phrase classes start at token k: looked up once, tested by every signal. */
static void phrase_mask(struct sig_ctx *c, size_t k)
{
	struct phrase_match m[8];
	size_t n = chaff_lex_phrases_at(c, k, m, 8), j;

	for (j = 0; j < n; j++)
		c->phr[k] |= (uint16_t)(1u << m[j].cls);
}

static void build_ctx(struct sig_ctx *c)
{
	const struct chaff_doc *doc = c->doc;
	size_t total = 1, maxtok, b;

	for (b = 0; b < doc->nblocks; b++)
		total = chaff_st_add(total, chaff_st_add(doc->blocks[b].len, 1));
	c->low = chaff_arena_alloc(c->arena, total);
	c->low_len = 0;
	maxtok = total / 2 + 1;
	if (maxtok > MAX_TOKENS)
		maxtok = MAX_TOKENS;
	c->tok = chaff_arena_alloc(c->arena, chaff_st_mult(maxtok, sizeof(*c->tok)));
	c->phr = chaff_arena_calloc(c->arena, maxtok, sizeof(*c->phr));
	c->blk = chaff_arena_calloc(c->arena, doc->nblocks ? doc->nblocks : 1, sizeof(*c->blk));
	c->in_refs = chaff_arena_calloc(c->arena, doc->nblocks ? doc->nblocks : 1, 1);
	for (b = 0; b < doc->nblocks; b++) {
		const struct chaff_block *db = &doc->blocks[b];
		struct sig_block *sb = &c->blk[b];
		size_t k, first;

		sb->visible = !(db->flags & CHAFF_BLOCK_HIDDEN);
		sb->main = sb->visible && db->region == CHAFF_REGION_MAIN;
		sb->tok = (uint32_t)c->ntok;
		sb->chars = (uint32_t)count_chars(db->text, db->len);
		if (sb->visible)
			c->visible_bytes += db->len;
		if (c->ntok < maxtok) {
			if (c->low_len)
				c->low[c->low_len++] = '\n';
			first = c->ntok;
			c->ntok += chaff_sig_tokenize(db->text, db->len, c->low, &c->low_len,
			                              c->tok + first, maxtok - first, (uint32_t)b);
			sb->ntok = (uint32_t)(c->ntok - first);
		}
		for (k = sb->tok; k < sb->tok + sb->ntok; k++) {
			const struct sig_tok *t = &c->tok[k];

			if (t->lex & LEX_PHRASE)
				phrase_mask(c, k);
			if (!(t->lex & LEX_STOP) && t->chars >= 3 &&
			    is_letter((unsigned char)c->low[t->off]))
				sb->content++;
		}
		if (sb->ntok) {
			const struct sig_tok *t0 = &c->tok[sb->tok], *tl = &c->tok[sb->tok + sb->ntok - 1];

			sb->norm = chaff_hash64(c->low + t0->off, tl->off + tl->len - t0->off, 1);
		}
		sb->heading = (db->flags & CHAFF_BLOCK_HEADING) || db->heading ||
		              label_shaped(db, sb->ntok);
		if (sb->main) {
			c->main_tokens += sb->ntok;
			c->main_chars += sb->chars;
			c->main_bytes += db->len;
		}
	}
}

/* ------------------------------------------------------------------ */
/* URLs                                                                 */
/* ------------------------------------------------------------------ */

const char *chaff_sig_url_host(const char *s, size_t len, size_t *n)
{
	const char *p = chaff_memcasemem(s, len < 12 ? len : 12, "://");
	size_t i = 0;

	if (!p)
		return NULL;
	p += 3;
	len -= (size_t)(p - s);
	while (i < len && p[i] != '/' && p[i] != ':' && p[i] != '?' && p[i] != '#' &&
	       p[i] != ' ' && p[i] != ')' && p[i] != '"')
		i++;
	*n = i;
	return i ? p : NULL;
}

/* Two labels ("example.com"), three under short second-level ones ("bbc.co.uk"). */
void chaff_sig_site(const char *host, size_t n, const char **site, size_t *sn)
{
	size_t dots[3] = {0, 0, 0}, found = 0, i = n, keep;

	while (i > 0 && found < 3) {
		i--;
		if (host[i] == '.')
			dots[found++] = i;
	}
	keep = 2;
	if (found >= 2 && dots[0] - dots[1] - 1 <= 3 && n - dots[0] - 1 == 2)
		keep = 3;  /* co.uk, com.au, org.br */
	if (found < keep) {
		*site = host;
		*sn = n;
		return;
	}
	*site = host + dots[keep - 1] + 1;
	*sn = n - dots[keep - 1] - 1;
}

/* ------------------------------------------------------------------ */
/* Count tables                                                         */
/* ------------------------------------------------------------------ */

void chaff_sig_table_init(struct sig_table *t, struct chaff_arena *a, size_t expect)
{
	size_t size = 64;

	while (size < expect * 2 && size < ((size_t)1 << 24))
		size *= 2;
	t->keys = chaff_arena_calloc(a, size, sizeof(*t->keys));
	t->vals = chaff_arena_calloc(a, size, sizeof(*t->vals));
	t->mask = size - 1;
	t->used = 0;
	t->max = size - size / 4;
}

uint32_t *chaff_sig_table_get(struct sig_table *t, uint64_t key)
{
	size_t i;

	key |= !key;
	for (i = (size_t)(key ^ (key >> 29)) & t->mask;; i = (i + 1) & t->mask) {
		if (t->keys[i] == key)
			return &t->vals[i];
		if (!t->keys[i]) {
			if (t->used >= t->max)
				return NULL;
			t->keys[i] = key;
			t->vals[i] = 0;
			t->used++;
			return &t->vals[i];
		}
	}
}

uint32_t chaff_sig_table_find(const struct sig_table *t, uint64_t key)
{
	size_t i;

	key |= !key;
	for (i = (size_t)(key ^ (key >> 29)) & t->mask;; i = (i + 1) & t->mask) {
		if (t->keys[i] == key)
			return t->vals[i];
		if (!t->keys[i])
			return 0;
	}
}

void chaff_sig_table_clear(struct sig_table *t)
{
	memset(t->keys, 0, (t->mask + 1) * sizeof(*t->keys));
	t->used = 0;
}

/* ------------------------------------------------------------------ */
/* Extraction                                                           */
/* ------------------------------------------------------------------ */

void chaff_features_extract(struct chaff_features *f, const struct chaff_doc *doc,
                            unsigned hash_bits, struct chaff_arena *arena)
{
	struct sig_ctx c;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (!hash_bits)
		hash_bits = CHAFF_HASH_BITS_DEFAULT;
	if (hash_bits > 28)
		hash_bits = 28;
	f->hash_bits = hash_bits;
	chaff_lex_init();
	memset(&c, 0, sizeof(c));
	c.doc = doc;
	c.f = f;
	c.arena = arena;
	build_ctx(&c);
	/* References first: the studies and general signals use what they found. */
	chaff_sig_refs(&c);
	chaff_sig_repeat(&c);
	chaff_sig_price(&c);
	chaff_sig_studies(&c);
	chaff_sig_widgets(&c);
	chaff_sig_general(&c);
	chaff_sig_substance(&c);
	chaff_sig_terms(&c, hash_bits);
	for (i = 0; i < SIG_COUNT; i++)
		if (!isfinite(f->signals[i]))
			f->signals[i] = 0;
}
