/*
 * sig_substance.c - how much checkable substance a page carries, measured
 * the same way whatever its template: medical terms, specific facts (doses
 * with units, dosing frequencies, approvals), authoritative sources named in
 * the text, and speculation. On the pages chaff was specified from, these
 * separate a reliable page from filler about the same drug where surface
 * style (a question title, a disclaimer, hedging) does not: reliable pages
 * hedge and carry disclaimers too.
 */
#include <pthread.h>
#include <string.h>

#include "features/signals.h"

/* A word or phrase with its length, counted by the compiler. */
struct word {
	const char *s;
	size_t n;
};
#define W(lit) {lit, sizeof(lit) - 1}

/*
 * The lists below, indexed by a word's first byte (its last for the
 * suffixes): a word is compared only with the entries it could match.
 */
enum { LIST_SUFFIX, LIST_SOURCE, LIST_ACRONYM, LIST_SPECULATION, LISTS };
#define BUCKET_MAX 24
struct bucket {
	unsigned char n;
	unsigned char idx[BUCKET_MAX];
};
static struct bucket buckets[LISTS][256];
static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;

/* Medical word endings: conditions, procedures, drug classes and stems. */
static const struct word medical_suffixes[] = {
	W("itis"), W("osis"), W("emia"), W("aemia"), W("pathy"), W("algia"), W("ectomy"), W("otomy"),
	W("plasty"), W("uria"), W("penia"), W("trophy"), W("plegia"), W("sclerosis"), W("thecal"),
	W("venous"), W("toxicity"), W("lepsy"), W("phrenia"), W("ceptor"), W("ceptors"), W("ergic"),
	W("azole"), W("pril"), W("sartan"), W("statin"), W("olol"), W("mycin"), W("cillin"),
	W("floxacin"), W("oxetine"), W("tidine"), W("prazole"), W("dipine"), W("azepam"),
	W("azolam"), W("triptan"), W("gliptin"), W("gliflozin"), W("glutide"), W("parin"),
	W("vudine"), W("vir"), W("mab"), W("tinib"), W("zumab"), W("ximab"), W("cycline"),
	W("profen"), W("codone"), W("morphine"), W("sone"), W("olone"), W("lukast"), W("tadine"),
	W("setron"), W("afil"),
};

static bool has_suffix(const char *w, size_t n, const struct word *suffix)
{
	size_t m = suffix->n;

	/* A suffix needs a stem: "vir" alone or "mab" alone is not a drug. */
	return n >= m + 3 && w[n - 1] == suffix->s[m - 1] && !memcmp(w + n - m, suffix->s, m);
}

static bool medical_word(const struct sig_ctx *c, const struct sig_tok *t)
{
	const char *w = c->low + t->off;
	size_t i;

	if (t->lex & (LEX_MEDTERM | LEX_CLINICAL))
		return true;
	if (t->len < 6)
		return false;
	{
		const struct bucket *bk = &buckets[LIST_SUFFIX][(unsigned char)w[t->len - 1]];

		for (i = 0; i < bk->n; i++)
			if (has_suffix(w, t->len, &medical_suffixes[bk->idx[i]]))
				return true;
	}
	return false;
}

static bool is_number(const char *w, size_t n)
{
	size_t i, digits = 0;

	for (i = 0; i < n; i++) {
		if (w[i] >= '0' && w[i] <= '9')
			digits++;
		else if (w[i] != '.' && w[i] != ',')
			return false;
	}
	return digits > 0;
}

static bool word_is(const struct sig_ctx *c, size_t t, const struct word *list)
{
	const struct sig_tok *k = &c->tok[t];
	size_t i;

	for (i = 0; list[i].s; i++)
		if (list[i].n == k->len && !memcmp(c->low + k->off, list[i].s, k->len))
			return true;
	return false;
}

/* Does the phrase w start at offset off of the lower-cased words, ending on a word boundary? */
static bool phrase_at(const struct sig_ctx *c, size_t off, const struct word *w)
{
	size_t rest = c->low_len - off;

	return w->n <= rest && c->low[off] == w->s[0] && !memcmp(c->low + off, w->s, w->n) &&
	       (w->n == rest || c->low[off + w->n] == ' ' || c->low[off + w->n] == '\n');
}

static const struct word units[] = {
	W("mg"), W("mcg"), W("\xC2\xB5g"), W("g"), W("ml"), W("milligram"), W("milligrams"),
	W("microgram"), W("micrograms"), W("units"), W("unit"), W("iu"), W("percent"), W("hours"),
	W("hour"), W("days"), W("weeks"), W("months"), W("mmhg"), W("mmol"), W("kg"),
	{NULL, 0},
};
static const struct word times_words[] = {
	W("once"), W("twice"),
	{NULL, 0},
};
static const struct word per_words[] = {
	W("daily"), W("day"), W("a"), W("per"), W("weekly"),
	{NULL, 0},
};
static const struct word count_words[] = {
	W("three"), W("four"), W("two"), W("3"), W("4"), W("2"),
	{NULL, 0},
};

/*
 * A specific, checkable fact starting at token t: "5 milligrams", "10mg",
 * "40%", "twice daily", "three times a day", "every 8 hours", "approved to
 * treat". Returns the number of tokens it spans, or 0.
 */
static size_t fact_at(const struct sig_ctx *c, size_t t, size_t end)
{
	const struct sig_tok *k = &c->tok[t];
	const char *w = c->low + k->off;
	size_t i = 0;

	if (is_number(w, k->len)) {
		if (t + 1 < end && word_is(c, t + 1, units))
			return 2;
		/* "40%": the tokenizer dropped the sign; look at the source text. */
		{
			const struct chaff_block *db = &c->doc->blocks[k->block];
			size_t after = k->src;

			while (after < db->len && ((db->text[after] >= '0' && db->text[after] <= '9') ||
			                           db->text[after] == '.' || db->text[after] == ','))
				after++;
			if (after < db->len && db->text[after] == '%')
				return 1;
		}
		return 0;
	}
	/* "10mg", "0.5ml": number and unit in one token. */
	while (i < k->len && ((w[i] >= '0' && w[i] <= '9') || w[i] == '.'))
		i++;
	if (i && i < k->len && (!memcmp(w + i, "mg", k->len - i < 2 ? k->len - i : 2) ||
	                        !memcmp(w + i, "mcg", k->len - i < 3 ? k->len - i : 3) ||
	                        !memcmp(w + i, "ml", k->len - i < 2 ? k->len - i : 2)) &&
	    k->len - i <= 3)
		return 1;
	if (word_is(c, t, times_words) && t + 1 < end && word_is(c, t + 1, per_words))
		return 2;
	if (word_is(c, t, count_words) && t + 2 < end && k->len && !strncmp(c->low + c->tok[t + 1].off, "times", 5) &&
	    c->tok[t + 1].len == 5 && word_is(c, t + 2, per_words))
		return 3;
	if (k->len == 5 && !memcmp(w, "every", 5) && t + 2 < end &&
	    is_number(c->low + c->tok[t + 1].off, c->tok[t + 1].len) &&
	    c->tok[t + 2].len >= 4 && !memcmp(c->low + c->tok[t + 2].off, "hour", 4))
		return 3;
	if ((k->len == 8 && !memcmp(w, "approved", 8)) && t + 1 < end &&
	    (c->tok[t + 1].len == 2 || c->tok[t + 1].len == 3) &&
	    (!memcmp(c->low + c->tok[t + 1].off, "to", 2) ||
	     !memcmp(c->low + c->tok[t + 1].off, "for", 3) ||
	     !memcmp(c->low + c->tok[t + 1].off, "by", 2)))
		return 2;
	return 0;
}

/* Authoritative bodies by their names in running text. */
static const struct word source_names[] = {
	W("medlineplus"), W("webmd"), W("medicinenet"), W("mayo clinic"),
	W("national institutes of health"), W("food and drug administration"),
	W("centers for disease control"), W("cochrane"), W("pubmed"), W("drugs.com"),
	W("european medicines agency"), W("world health organization"), W("dailymed"),
	W("national health service"), W("american heart association"),
	W("american diabetes association"), W("british national formulary"),
	W("medicines and healthcare products regulatory agency"),
	{NULL, 0},
};
/* Acronyms only count in capitals: "who" and "nice" are ordinary words. */
static const struct word source_acronyms[] = {
	W("NIH"), W("FDA"), W("CDC"), W("NHS"), W("NICE"), W("NCBI"), W("EMA"), W("WHO"), W("BNF"),
	W("MHRA"), W("AHA"), W("ADA"), W("BfArM"), W("ANSM"), W("AEMPS"), W("AIFA"),
	{NULL, 0},
};

static bool acronym_at(const char *text, size_t n, size_t at, const struct word *acr)
{
	size_t m = acr->n;

	if (at + m > n || text[at] != acr->s[0] || memcmp(text + at, acr->s, m))
		return false;
	if (at > 0 && ((text[at - 1] >= 'A' && text[at - 1] <= 'Z') ||
	               (text[at - 1] >= 'a' && text[at - 1] <= 'z')))
		return false;
	return at + m == n || !((text[at + m] >= 'A' && text[at + m] <= 'Z') ||
	                        (text[at + m] >= 'a' && text[at + m] <= 'z'));
}

/*
 * First bytes of the phrases of each list: most words start with none of
 * them, and one table lookup then skips the whole list.
 */

static size_t count_sources(struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	size_t found = 0, i, j, t;

	for (t = sb->tok; t < sb->tok + sb->ntok; t++) {
		const struct sig_tok *k = &c->tok[t];

		const struct bucket *names = &buckets[LIST_SOURCE][(unsigned char)c->low[k->off]];
		const struct bucket *acrs = &buckets[LIST_ACRONYM][(unsigned char)db->text[k->src]];

		for (j = 0; j < names->n; j++)
			if (phrase_at(c, k->off, &source_names[i = names->idx[j]])) {
				size_t m = source_names[i].n;

				found++;
				chaff_sig_evidence(c, SIG_REPUTABLE_SOURCES, db->text + k->src,
				                   m < db->len - k->src ? m : db->len - k->src);
			}
		for (j = 0; j < acrs->n; j++)
			if (acronym_at(db->text, db->len, k->src, &source_acronyms[i = acrs->idx[j]])) {
				found++;
				chaff_sig_evidence(c, SIG_REPUTABLE_SOURCES, source_acronyms[i].s,
				                   source_acronyms[i].n);
			}
	}
	return found;
}

/* Phrases of speculation and anecdote, matched on the lower-cased words. */
static const struct word speculation[] = {
	W("claimed"), W("claim that"), W("claims that"), W("some people"), W("some believe"),
	W("some say"), W("it is believed"), W("is thought to"), W("may suggest"), W("might suggest"),
	W("could suggest"), W("might be able"), W("could potentially"), W("further studies need"),
	W("more research is needed"), W("yet to be determined"), W("most likely"), W("buzz"),
	W("buzzing"), W("anecdotal"), W("anecdotally"), W("reportedly"), W("rumor"), W("rumors"),
	W("rumour"), W("rumours"), W("numerous people"), W("many people say"),
	W("many people claim"), W("it has been proven"), W("miracle"), W("game changer"),
	W("swear by"), W("people are saying"), W("researchers are excited"),
	W("could be the answer"), W("hidden benefit"), W("secret"),
	{NULL, 0},
};

static size_t count_speculation(struct sig_ctx *c, size_t b)
{
	const struct sig_block *sb = &c->blk[b];
	const struct chaff_block *db = &c->doc->blocks[b];
	size_t found = 0, i, j, t;

	for (t = sb->tok; t < sb->tok + sb->ntok; t++) {
		const struct sig_tok *k = &c->tok[t];

		const struct bucket *bk = &buckets[LIST_SPECULATION][(unsigned char)c->low[k->off]];

		for (j = 0; j < bk->n; j++)
			if (phrase_at(c, k->off, &speculation[i = bk->idx[j]])) {
				size_t m = speculation[i].n;

				found++;
				chaff_sig_evidence(c, SIG_SPECULATION_RATE, db->text + k->src,
				                   m < db->len - k->src ? m : db->len - k->src);
				break;
			}
	}
	return found;
}

static void index_list(int list, const struct word *w, size_t count, bool by_last)
{
	size_t i;

	for (i = 0; i < count && w[i].s; i++) {
		unsigned char key = (unsigned char)(by_last ? w[i].s[w[i].n - 1] : w[i].s[0]);
		struct bucket *b = &buckets[list][key];

		if (b->n < BUCKET_MAX)
			b->idx[b->n++] = (unsigned char)i;
	}
}

static void build_buckets(void)
{
	index_list(LIST_SUFFIX, medical_suffixes,
	           sizeof(medical_suffixes) / sizeof(medical_suffixes[0]), true);
	index_list(LIST_SOURCE, source_names, SIZE_MAX, false);
	index_list(LIST_ACRONYM, source_acronyms, SIZE_MAX, false);
	index_list(LIST_SPECULATION, speculation, SIZE_MAX, false);
}

static double per_kword(double n, size_t words)
{
	return words ? 1000.0 * n / (double)words : 0;
}

void chaff_sig_substance(struct sig_ctx *c)
{
	pthread_once(&buckets_once, build_buckets);
	size_t b, t, med = 0, facts = 0, sources = 0, specul = 0;

	for (b = 0; b < c->doc->nblocks; b++) {
		const struct sig_block *sb = &c->blk[b];
		size_t end = sb->tok + sb->ntok;

		if (!sb->main)
			continue;
		for (t = sb->tok; t < end; t++) {
			size_t span;

			med += medical_word(c, &c->tok[t]);
			span = fact_at(c, t, end);
			if (span) {
				const struct chaff_block *db = &c->doc->blocks[b];
				const struct sig_tok *last = &c->tok[t + span - 1];

				facts++;
				chaff_sig_evidence(c, SIG_SPECIFICITY_RATE, db->text + c->tok[t].src,
				                   last->src + last->len - c->tok[t].src);
				t += span - 1;
			}
		}
		sources += count_sources(c, b);
		specul += count_speculation(c, b);
	}
	chaff_sig_set(c, SIG_MEDICAL_TERM_RATE, per_kword((double)med, c->main_tokens));
	chaff_sig_set(c, SIG_SPECIFICITY_RATE, per_kword((double)facts, c->main_tokens));
	chaff_sig_set(c, SIG_REPUTABLE_SOURCES, (double)sources);
	chaff_sig_set(c, SIG_SPECULATION_RATE, per_kword((double)specul, c->main_tokens));
}
