/*
 * sig_price.c - price_blocks: the storefront of an online pharmacy.
 *
 * What counts is medication commerce, not commerce: a price per pill,
 * tablet or capsule ("$0,51 per pill", "0.51 USD / tablet", "€4,17 per
 * capsule"), package x price rows ("100mg x 30 pills $0.98 $29.40"), dosage
 * menus next to such prices, and pharmacy calls ("no prescription needed",
 * "bonus pills"). Generic shop buttons ("Add to cart", "Buy now") count only
 * next to a medication price; a shoe shop has prices and carts but no pills.
 * A price inside a long paragraph is news or a price comparison, not a buy
 * box: prices count in short blocks and table rows only, or inside
 * keyword-stuffed blocks ("buy cialis 20mg cheap generic cialis no
 * prescription ..."), the pharma-hack injection, hidden or not.
 *
 * A licensed pharmacy, an insurer's formulary or a price-comparison site
 * shows prices too, but states that a prescription is required and makes no
 * pharmacy calls: there, prices alone do not make price_blocks (the
 * sub-signals still report them, and rx_required says why).
 */
#include <string.h>

#include "features/signals.h"

#define SHORT_BYTES 120       /* a price line, a button, a badge */
#define ROW_BYTES 240         /* a package row of a price table */
#define NEAR_BLOCKS 3         /* "next to": this many visible blocks away */
#define MIN_CALLS_ALONE 2     /* calls without any price need company */
#define MIN_RX_REQUIRED 2     /* a licence is stated, not mentioned once in passing */
#define CELL_BLOCKS 2         /* a price table laid out as blocks: price cells follow the count */
#define STUFFED_MIN_TOKENS 10
#define STUFFED_MAX_STOP 0.3   /* stuffed text has few function words ... */
#define STUFFED_MIN_DENSITY 0.08  /* ... and many buy words, drug words and strengths */
#define STUFFED_MIN_TERMS 5
#define STUFFED_MIN_BUY 2
#define STUFFED_MIN_RX 2       /* drug or pharmacy words: "buy, sell, order" alone is a broker */

enum {
	K_UNIT_PRICE = 1u << 0,
	K_PACKAGE    = 1u << 1,
	K_MENU       = 1u << 2,
	K_MONEY      = 1u << 3,
	K_MED        = 1u << 4,   /* medication words, units or doses */
	K_CALL       = 1u << 5,   /* pharmacy call counted here */
	K_DOSE       = 1u << 6,   /* a strength: "10mg" */
	K_COUNT      = 1u << 7,   /* money next to a count of pills: a package row if a dose is near */
	K_STUFFED    = 1u << 8,   /* keyword-stuffed pharmacy text */
	K_PILLS      = 1u << 9    /* a short count of pills with no money: a price cell may follow */
};

struct price {
	struct sig_ctx *c;
	uint16_t *kind;           /* per block */
	size_t unit_prices, packages, menus, calls, strong_calls, stuffed, rx_required;
};

static bool is_digit_byte(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool tok_number(const struct sig_ctx *c, size_t t)
{
	const struct sig_tok *k = &c->tok[t];
	size_t i;

	for (i = 0; i < k->len; i++) {
		char ch = c->low[k->off + i];

		if (!is_digit_byte(ch) && ch != '.' && ch != ',')
			return false;
	}
	return k->len && is_digit_byte(c->low[k->off]);
}

static bool same_block(const struct sig_ctx *c, size_t t, size_t u)
{
	return u < c->ntok && c->tok[u].block == c->tok[t].block;
}

/* "10mg", "2.5 mg", "100 mcg" */
static bool tok_dose(const struct sig_ctx *c, size_t t)
{
	const struct sig_tok *k = &c->tok[t];
	const char *w = c->low + k->off;
	size_t i = 0;

	if (!k->len || !is_digit_byte(w[0]))
		return false;
	while (i < k->len && (is_digit_byte(w[i]) || w[i] == '.' || w[i] == ','))
		i++;
	if (i == k->len)
		return same_block(c, t, t + 1) && (c->tok[t + 1].lex & LEX_DOSE);
	return (k->len - i == 2 && (!memcmp(w + i, "mg", 2) || !memcmp(w + i, "ml", 2) ||
	                            !memcmp(w + i, "iu", 2) || !memcmp(w + i, "ug", 2))) ||
	       (k->len - i == 3 && (!memcmp(w + i, "mcg", 3) || !memcmp(w + i, "\xC2\xB5g", 3)));
}

static bool ends_with(const char *s, size_t p, const char *sym)
{
	size_t m = strlen(sym);

	return p >= m && !memcmp(s + p - m, sym, m);
}

static bool starts_with(const char *s, size_t n, size_t p, const char *sym)
{
	size_t m = strlen(sym);

	return p + m <= n && !memcmp(s + p, sym, m);
}

static const char *const symbols[] = {
	"$", "\xE2\x82\xAC", "\xC2\xA3", "\xC2\xA5", "\xE2\x82\xB9", NULL  /* $ € £ ¥ ₹ */
};

/* Is the number token t an amount of money? Sets *after to the token after it. */
static bool money_at(const struct sig_ctx *c, size_t t, size_t *after)
{
	const struct chaff_block *db = &c->doc->blocks[c->tok[t].block];
	const char *s = db->text;
	size_t p = c->tok[t].src, q = p + c->tok[t].len, i;

	if (!tok_number(c, t))
		return false;
	*after = t + 1;
	if (p && s[p - 1] == ' ')
		p--;
	for (i = 0; symbols[i]; i++)
		if (ends_with(s, p, symbols[i]))
			return true;
	if (t && same_block(c, t, t - 1) && (c->tok[t - 1].lex & LEX_CURRENCY) &&
	    c->tok[t - 1].src + c->tok[t - 1].len + 2 >= c->tok[t].src)
		return true;
	if (q < db->len && s[q] == ' ')
		q++;
	for (i = 0; symbols[i]; i++)
		if (starts_with(s, db->len, q, symbols[i]))
			return true;
	if (same_block(c, t, t + 1) && (c->tok[t + 1].lex & LEX_CURRENCY) &&
	    c->tok[t + 1].src <= q + 1) {
		*after = t + 2;
		return true;
	}
	return false;
}

static bool unit_word(const struct sig_ctx *c, size_t t, bool med)
{
	return t < c->ntok && ((c->tok[t].lex & LEX_UNIT) || (med && (c->tok[t].lex & LEX_PACK)));
}

/* per, a, each; por, pro, je, le, la, al, za, à: "0,79 € pro Tablette" */
static bool per_word(const struct sig_ctx *c, size_t t)
{
	static const char *const words[] = {
		"per", "a", "each", "por", "pro", "je", "le", "la", "al", "za", "\xC3\xA0", "par", NULL
	};
	size_t i;

	for (i = 0; words[i]; i++)
		if (chaff_sig_word_is(c, t, words[i]))
			return true;
	return false;
}

/* "$0.51 per pill", "0.51 USD / tablet", "price per pill: $0.51" */
static bool per_unit(const struct sig_ctx *c, size_t t, size_t after, bool med)
{
	const struct chaff_block *db = &c->doc->blocks[c->tok[t].block];

	if (same_block(c, t, after + 1) && per_word(c, after) && unit_word(c, after + 1, med))
		return true;
	if (same_block(c, t, after) && unit_word(c, after, med)) {
		size_t from = c->tok[t].src + c->tok[t].len, to = c->tok[after].src;

		if (to > from && memchr(db->text + from, '/', to - from))
			return true;
	}
	return t >= 2 && same_block(c, t, t - 2) && per_word(c, t - 2) && unit_word(c, t - 1, med);
}

/* A count of pills: "30 pills", "x 60 tablets". */
static bool pill_count(const struct sig_ctx *c, size_t t)
{
	return tok_number(c, t) && same_block(c, t, t + 1) && (c->tok[t + 1].lex & LEX_UNIT);
}

static void classify_block(struct price *pr, size_t b)
{
	struct sig_ctx *c = pr->c;
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	size_t t, end = sb->tok + sb->ntok, doses = 0, counts = 0, money = 0, after;
	size_t stop = 0, buy = 0, rx = 0;
	bool med = false, unit_price = false, stuffed, shape;

	for (t = sb->tok; t < end; t++) {
		uint32_t lex = c->tok[t].lex;

		if (lex & (LEX_UNIT | LEX_MED | LEX_DOSE))
			med = true;
		if (tok_dose(c, t)) {
			doses++;
			med = true;
		}
		counts += pill_count(c, t);
		stop += !!(lex & LEX_STOP);
		buy += !!(lex & LEX_BUY);
		rx += !!(lex & (LEX_RX | LEX_UNIT));
	}
	stuffed = sb->ntok >= STUFFED_MIN_TOKENS && buy >= STUFFED_MIN_BUY &&
	          rx + doses >= STUFFED_MIN_RX && buy + rx + doses >= STUFFED_MIN_TERMS &&
	          (double)stop < STUFFED_MAX_STOP * sb->ntok &&
	          (double)(buy + rx + doses) >= STUFFED_MIN_DENSITY * sb->ntok;
	if (stuffed)
		pr->kind[b] |= K_STUFFED;
	shape = db->len <= SHORT_BYTES || (db->flags & CHAFF_BLOCK_TABLE) || stuffed;
	for (t = sb->tok; t < end; t++) {
		if (!money_at(c, t, &after))
			continue;
		money++;
		if (shape && per_unit(c, t, after, med || doses))
			unit_price = true;
	}
	if (money)
		pr->kind[b] |= K_MONEY;
	if (med)
		pr->kind[b] |= K_MED;
	if (doses)
		pr->kind[b] |= K_DOSE;
	/* A row with a pill count waits for its neighbours (see chaff_sig_price). */
	if (money && counts && (db->len <= ROW_BYTES || (db->flags & CHAFF_BLOCK_TABLE)))
		pr->kind[b] |= K_COUNT;
	else if (!money && counts && db->len <= SHORT_BYTES)
		pr->kind[b] |= K_PILLS;
	if (unit_price)
		pr->kind[b] |= K_UNIT_PRICE;
	else if (money && doses && (db->flags & CHAFF_BLOCK_TABLE))
		pr->kind[b] |= K_PACKAGE;
	/* A menu: several strengths in one short line ("Dosage: 10mg, 25mg"). */
	if (!money && db->len <= SHORT_BYTES && (doses >= 2 ||
	    (doses == 1 && sb->ntok && chaff_sig_word_is(c, sb->tok, "dosage"))))
		pr->kind[b] |= K_MENU;
}

/* Does a block within NEAR_BLOCKS of b have one of the kinds? */
static bool near_kind(const struct price *pr, size_t b, unsigned kinds)
{
	const struct sig_ctx *c = pr->c;
	size_t lo = b > NEAR_BLOCKS ? b - NEAR_BLOCKS : 0, hi = b + NEAR_BLOCKS, i;

	for (i = lo; i <= hi && i < c->doc->nblocks; i++)
		if (pr->kind[i] & kinds)
			return true;
	return false;
}

/* A short block holding money within CELL_BLOCKS after b. */
static bool price_cell_follows(const struct price *pr, size_t b)
{
	const struct sig_ctx *c = pr->c;
	size_t i;

	for (i = b + 1; i <= b + CELL_BLOCKS && i < c->doc->nblocks; i++)
		if ((pr->kind[i] & K_MONEY) && c->doc->blocks[i].len <= SHORT_BYTES)
			return true;
	return false;
}

/* Is a medication price (unit price or package row) next to b? */
static bool near_price(const struct price *pr, size_t b)
{
	return near_kind(pr, b, K_UNIT_PRICE | K_PACKAGE);
}

static bool near_med(const struct price *pr, size_t b)
{
	const struct sig_ctx *c = pr->c;
	size_t lo = b > 2 ? b - 2 : 0, i;

	for (i = lo; i <= b + 2 && i < c->doc->nblocks; i++)
		if (pr->kind[i] & K_MED)
			return true;
	return false;
}

/* "a valid prescription is required", but not "no prescription required". */
static void count_rx_required(struct price *pr)
{
	struct sig_ctx *c = pr->c;
	struct phrase_match m[8];
	size_t t, j, n;

	for (t = 0; t < c->ntok; t++) {
		size_t b = c->tok[t].block;

		if (!PHRASE_AT(c, t, PH_RXREQ) || !c->blk[b].visible)
			continue;
		n = chaff_lex_phrases_at(c, t, m, 8);
		for (j = 0; j < n; j++) {
			bool negated = t > c->blk[b].tok && (chaff_sig_word_is(c, t - 1, "no") ||
			               chaff_sig_word_is(c, t - 1, "without") ||
			               chaff_sig_word_is(c, t - 1, "needed"));

			if (m[j].cls != PH_RXREQ || negated)
				continue;
			pr->rx_required++;
			chaff_sig_evidence(c, SIG_RX_REQUIRED, c->doc->blocks[b].text,
			                   c->doc->blocks[b].len);
			break;
		}
	}
}

/* "buy tramadol online", "order xanax online" */
static bool buy_online(const struct sig_ctx *c, size_t t)
{
	size_t k;

	if (!chaff_sig_word_is(c, t, "buy") && !chaff_sig_word_is(c, t, "order") &&
	    !chaff_sig_word_is(c, t, "purchase"))
		return false;
	for (k = t + 1; k <= t + 4 && same_block(c, t, k); k++)
		if (chaff_sig_word_is(c, k, "online"))
			return k > t + 1;
	return false;
}

static const char *const question_words[] = {
	"can", "could", "who", "what", "where", "when", "why", "how", "is", "are", "do", "does",
	"should", "will", "puedo", "kann", "peut", "posso", NULL
};

/* "Can you get it without a prescription?" asks; it does not sell. */
static bool question(const struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	size_t i;

	if (db->len && db->text[db->len - 1] == '?')
		return true;
	for (i = 0; sb->ntok && question_words[i]; i++)
		if (chaff_sig_word_is(c, sb->tok, question_words[i]))
			return memchr(db->text, '?', db->len) != NULL;
	return false;
}

/* A buy word within a few words before token t: "order it without a prescription". */
static bool bought_before(const struct sig_ctx *c, size_t t)
{
	size_t k;

	for (k = t; k > 0 && t - k < 6 && c->tok[k - 1].block == c->tok[t].block; k--)
		if (c->tok[k - 1].lex & LEX_BUY)
			return true;
	return false;
}

static void find_calls(struct price *pr)
{
	struct sig_ctx *c = pr->c;
	unsigned want = 1u << PH_CALL | 1u << PH_SOFTCALL | 1u << PH_NORX | 1u << PH_SHOP;
	struct phrase_match m[8];
	size_t t, j, n;

	for (t = 0; t < c->ntok; t++) {
		size_t b = c->tok[t].block;
		const struct chaff_block *db = &c->doc->blocks[b];
		bool shape = db->len <= SHORT_BYTES || (db->flags & CHAFF_BLOCK_TABLE) ||
		             (pr->kind[b] & (K_UNIT_PRICE | K_PACKAGE | K_STUFFED));
		bool buy = buy_online(c, t);

		if (!shape || (!(c->phr[t] & want) && !buy) || question(c, b))
			continue;
		n = c->phr[t] & want ? chaff_lex_phrases_at(c, t, m, 8) : 0;
		for (j = 0; j < n; j++) {
			bool strong = (m[j].cls == PH_CALL ||
			               (m[j].cls == PH_NORX && bought_before(c, t))) && near_med(pr, b);
			bool soft = m[j].cls == PH_SOFTCALL && near_med(pr, b);
			bool shop = m[j].cls == PH_SHOP && near_price(pr, b);

			if (!strong && !soft && !shop)
				continue;
			pr->calls++;
			pr->strong_calls += strong;
			pr->kind[b] |= K_CALL;
		}
		if (buy && near_med(pr, b)) {
			pr->calls++;
			pr->strong_calls++;
			pr->kind[b] |= K_CALL;
		}
	}
}

/* "100mg", "2.5 mg" written in raw text */
static bool text_dose(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = chaff_memcasemem(p, (size_t)(end - p), "mg"))) {
		const char *q = p;

		if (q > s && q[-1] == ' ')
			q--;
		if (q > s && is_digit_byte(q[-1]))
			return true;
		p += 2;
	}
	return false;
}

/* The title of a storefront sells: "Buy Sildenafil 100mg Online - from $0.39". */
static bool title_sells(struct sig_ctx *c)
{
	const char *title = c->doc->title ? c->doc->title : "";
	size_t n = strlen(title), i;
	bool money = false, med, buy;

	if (n > 512)
		n = 512;
	for (i = 0; i < n && !money; i++) {
		size_t k = 0;

		if (title[i] == '$')
			k = 1;
		else if (starts_with(title, n, i, "\xE2\x82\xAC"))
			k = 3;
		else if (starts_with(title, n, i, "\xC2\xA3"))
			k = 2;
		money = k && i + k < n && is_digit_byte(title[i + k]);
	}
	med = text_dose(title, n) || chaff_memcasemem(title, n, "pill") ||
	      chaff_memcasemem(title, n, "pharmacy") || chaff_memcasemem(title, n, "tablet") ||
	      chaff_memcasemem(title, n, "prescription");
	buy = chaff_memcasemem(title, n, "buy ") || chaff_memcasemem(title, n, "order ") ||
	      chaff_memcasemem(title, n, "cheap");
	return med && buy && (money || chaff_memcasemem(title, n, "online") ||
	                      chaff_memcasemem(title, n, "no prescription"));
}

static void add_evidence(struct price *pr, unsigned want)
{
	struct sig_ctx *c = pr->c;
	struct sig_table seen;
	size_t b;

	chaff_sig_table_init(&seen, c->arena, 64);
	for (b = 0; b < c->doc->nblocks; b++)
		if (pr->kind[b] & want) {
			uint32_t *v = chaff_sig_table_get(&seen, c->blk[b].norm);

			if (v)
				++*v;
		}
	for (b = 0; b < c->doc->nblocks; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];
		uint32_t n;

		if (!(pr->kind[b] & want))
			continue;
		n = chaff_sig_table_find(&seen, c->blk[b].norm);
		chaff_sig_evidence_n(c, CHAFF_SIG_PRICE_BLOCKS, db->text, db->len, n);
	}
}

void chaff_sig_price(struct sig_ctx *c)
{
	struct price pr;
	size_t b, total;
	bool title, licensed;

	memset(&pr, 0, sizeof(pr));
	pr.c = c;
	pr.kind = chaff_arena_calloc(c->arena, c->doc->nblocks + 1, sizeof(*pr.kind));
	/* Hidden blocks too: hidden pharmacy text is how hacked pages carry it. */
	for (b = 0; b < c->doc->nblocks; b++)
		if (c->blk[b].ntok)
			classify_block(&pr, b);
	/* "20 mg x 20 tabs" | "$1.60" | "$32.00": one row of a table drawn with blocks. */
	for (b = 0; b < c->doc->nblocks; b++)
		if ((pr.kind[b] & K_PILLS) && price_cell_follows(&pr, b))
			pr.kind[b] |= K_COUNT;
	/* "8 Tablet ... $39.99" is a gadget: pill counts sell medicine next to a strength. */
	for (b = 0; b < c->doc->nblocks; b++)
		if ((pr.kind[b] & K_COUNT) && near_kind(&pr, b, K_DOSE))
			pr.kind[b] = (uint16_t)((pr.kind[b] | K_PACKAGE) & ~K_UNIT_PRICE);
	for (b = 0; b < c->doc->nblocks; b++) {
		if ((pr.kind[b] & K_MENU) && !near_price(&pr, b))
			pr.kind[b] &= (uint16_t)~K_MENU;
		pr.unit_prices += !!(pr.kind[b] & K_UNIT_PRICE);
		pr.packages += !!(pr.kind[b] & K_PACKAGE);
		pr.menus += !!(pr.kind[b] & K_MENU);
		pr.stuffed += !!(pr.kind[b] & K_STUFFED);
	}
	find_calls(&pr);
	count_rx_required(&pr);
	title = title_sells(c);
	total = pr.unit_prices + pr.packages + pr.menus + pr.stuffed;
	/* Calls alone (no price anywhere) count only when there are several. */
	if (total || pr.strong_calls + title >= MIN_CALLS_ALONE)
		total += pr.calls + title;
	else
		pr.calls = 0;
	licensed = pr.rx_required >= MIN_RX_REQUIRED && !pr.strong_calls && !pr.stuffed && !title;
	if (licensed)
		total = 0;
	if (total) {
		add_evidence(&pr, K_UNIT_PRICE);
		add_evidence(&pr, K_MENU);
		add_evidence(&pr, K_PACKAGE);
		add_evidence(&pr, K_STUFFED);
		if (pr.calls)
			add_evidence(&pr, K_CALL);
		if (title)
			chaff_sig_evidence(c, CHAFF_SIG_PRICE_BLOCKS, c->doc->title,
			                   strlen(c->doc->title));
	}
	chaff_sig_set(c, CHAFF_SIG_PRICE_BLOCKS, (double)total);
	chaff_sig_set(c, SIG_UNIT_PRICES, (double)pr.unit_prices);
	chaff_sig_set(c, SIG_PACKAGE_PRICE_ROWS, (double)pr.packages);
	chaff_sig_set(c, SIG_DOSAGE_MENUS, (double)pr.menus);
	chaff_sig_set(c, SIG_PHARMACY_CALLS, (double)pr.calls + title);
	chaff_sig_set(c, SIG_STUFFED_BLOCKS, (double)pr.stuffed);
	chaff_sig_set(c, SIG_RX_REQUIRED, (double)pr.rx_required);
}
