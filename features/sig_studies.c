/*
 * sig_studies.c - placeholder_studies: study attributions that cannot be
 * real or cannot be checked.
 *
 * Strong cues fire alone: the placeholder names themselves ("Doe et al.",
 * "John Doe" next to study words) and tables of findings whose rows are
 * attributed to nobody checkable ("Smith et al. (2018) 200 ... 90%",
 * "Study 1 ... 80%", "Journal of X | Drug reduces Y") with no DOI, PMID or
 * link in any row. Weak cues (the common surnames of textbook examples with
 * "et al.", "a study published in the Journal of X" with no author or year,
 * reference entries with neither year nor identifier) are everyday writing
 * in real articles, so they count only on a page that has a strong cue.
 */
#include <string.h>

#include "features/signals.h"

#define ROW_BYTES 300          /* a table row or a short attributed line */
#define ATTRIB_WINDOW 60       /* the attribution sits at the start of a row */
#define ETAL_LEAD_TOKENS 6
#define JOURNAL_LEAD_TOKENS 4
#define JOURNAL_REACH 8        /* "published in the ... Journal" within 8 words */
#define MIN_ROWS 2             /* one odd row is not a table of findings */

struct studies {
	struct sig_ctx *c;
	size_t strong, weak;
	size_t authors, rows, journal;
};

static bool upper_at(const char *s, size_t n, size_t i)
{
	unsigned char ch = i < n ? (unsigned char)s[i] : 0;

	return (ch >= 'A' && ch <= 'Z') || ch >= 0xC3;
}

static bool word_in(const struct sig_ctx *c, size_t t, const char *const *words)
{
	size_t i;

	for (i = 0; words[i]; i++)
		if (chaff_sig_word_is(c, t, words[i]))
			return true;
	return false;
}

static bool is_number_tok(const struct sig_ctx *c, size_t t)
{
	return t < c->ntok && c->low[c->tok[t].off] >= '0' && c->low[c->tok[t].off] <= '9';
}

/* A snippet of s from `from` up to the first ')' within the window, or a word boundary. */
static void evidence_snippet(struct studies *st, int sig, const char *s, size_t n, size_t from)
{
	size_t end = from + ATTRIB_WINDOW < n ? from + ATTRIB_WINDOW : n;
	const char *close = memchr(s + from, ')', end - from);

	if (close)
		end = (size_t)(close - s) + 1;
	else if (end < n)
		while (end > from && s[end] != ' ')
			end--;
	chaff_sig_evidence(st->c, sig, s + from, end > from ? end - from : n - from);
}

static bool has_identifier(const char *s, size_t n)
{
	return chaff_memcasemem(s, n, "doi") || chaff_memcasemem(s, n, "pmid") ||
	       chaff_memcasemem(s, n, "http") || chaff_memcasemem(s, n, "www.") ||
	       chaff_memcasemem(s, n, "10.1");
}

static bool has_year_paren(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 5 < n; i++)
		if ((s[i] == '(' || s[i] == ' ') && (s[i + 1] == '1' || s[i + 1] == '2') &&
		    (s[i + 2] == '9' || s[i + 2] == '0') && s[i + 3] >= '0' && s[i + 3] <= '9' &&
		    s[i + 4] >= '0' && s[i + 4] <= '9' && (s[i + 5] == ')' || s[i + 5] == ',' ||
		                                          s[i + 5] == ';'))
			return true;
	return false;
}

/* "(2018)" at p, after optional dots and spaces: the year of an attribution. */
static bool year_paren_at(const char *s, size_t n, size_t p)
{
	while (p < n && (s[p] == '.' || s[p] == ' ' || s[p] == ','))
		p++;
	return p + 5 < n && s[p] == '(' && (s[p + 1] == '1' || s[p + 1] == '2') &&
	       (s[p + 2] == '9' || s[p + 2] == '0') && s[p + 3] >= '0' && s[p + 3] <= '9' &&
	       s[p + 4] >= '0' && s[p + 4] <= '9' && !(s[p + 5] >= '0' && s[p + 5] <= '9');
}

static const char *const finding_words[] = {
	"significant", "significantly", "reduced", "reduces", "reduction", "improved",
	"improves", "improvement", "decreased", "decreases", "decrease", "increased",
	"increases", "showed", "shows", "demonstrated", "effective", "relief", "lower",
	"higher", NULL
};

static bool has_finding(const struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	size_t t;

	if (memchr(db->text, '%', db->len))
		return true;
	for (t = sb->tok; t < sb->tok + sb->ntok; t++)
		if (word_in(c, t, finding_words))
			return true;
	return false;
}

/* Token index of "et" in "et al" within the block, from token `from`; or SIZE_MAX. */
static size_t find_etal(const struct sig_ctx *c, size_t from, size_t end)
{
	size_t t;

	for (t = from; t + 1 < end; t++)
		if (chaff_sig_word_is(c, t, "et") && chaff_sig_word_is(c, t + 1, "al"))
			return t;
	return SIZE_MAX;
}

/* The surname before "et al", skipping initials ("Smith AB, et al."). */
static size_t surname_before(const struct sig_ctx *c, const struct chaff_block *db,
                             size_t first, size_t et)
{
	size_t t = et;

	while (t > first) {
		const struct sig_tok *k = &c->tok[t - 1];
		bool initials = k->len <= 3 && upper_at(db->text, db->len, k->src) &&
		                (k->len < 2 || upper_at(db->text, db->len, k->src + 1));

		t--;
		if (!initials || t == first || et - t >= 3)
			return t;
	}
	return SIZE_MAX;
}

/* What opens a row: "Smith et al. (2018)", "Martinez & Lee (2019)", "Study 1", "Journal of X". */
enum opener { OPEN_NONE, OPEN_AUTHOR, OPEN_STUDY, OPEN_JOURNAL };

static enum opener row_opener(const struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	size_t t0 = sb->tok, end = sb->tok + sb->ntok, t, et;
	size_t conj = sb->ntok >= 3 && chaff_sig_word_is(c, t0 + 1, "and");

	if (sb->ntok < 4)
		return OPEN_NONE;
	if (chaff_sig_word_is(c, t0, "study") && (is_number_tok(c, t0 + 1) ||
	    (c->tok[t0 + 1].len == 1 && upper_at(db->text, db->len, c->tok[t0 + 1].src))))
		return OPEN_STUDY;
	et = find_etal(c, t0, t0 + ETAL_LEAD_TOKENS < end ? t0 + ETAL_LEAD_TOKENS : end);
	if (et != SIZE_MAX && year_paren_at(db->text, db->len, c->tok[et + 1].src + 2))
		return OPEN_AUTHOR;
	for (t = t0; t < t0 + JOURNAL_LEAD_TOKENS && t < end; t++)
		if (chaff_sig_word_is(c, t, "journal") || chaff_sig_word_is(c, t, "lancet") ||
		    chaff_sig_word_is(c, t, "jama") || chaff_sig_word_is(c, t, "bmj"))
			return upper_at(db->text, db->len, c->tok[t0].src) ? OPEN_JOURNAL : OPEN_NONE;
	/* "Martinez & Lee (2019)", "Martinez and Lee (2019)" */
	if (sb->ntok >= 3 && upper_at(db->text, db->len, c->tok[t0].src) &&
	    upper_at(db->text, db->len, c->tok[t0 + 1 + conj].src)) {
		const char *gap = db->text + c->tok[t0].src + c->tok[t0].len;

		if ((conj || (*gap == ' ' && gap[1] == '&')) &&
		    year_paren_at(db->text, db->len, c->tok[t0 + 1 + conj].src + c->tok[t0 + 1 + conj].len))
			return OPEN_AUTHOR;
	}
	return OPEN_NONE;
}

/* Rows of a findings table attributed to nobody checkable. */
static void finding_rows(struct studies *st)
{
	struct sig_ctx *c = st->c;
	size_t b, rows = 0, sourced = 0;
	uint8_t *is_row = chaff_arena_calloc(c->arena, c->doc->nblocks + 1, 1);

	for (b = 0; b < c->doc->nblocks; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];
		enum opener opener;

		if (!c->blk[b].main || c->in_refs[b] ||
		    (db->len > ROW_BYTES && !(db->flags & CHAFF_BLOCK_TABLE)))
			continue;
		opener = row_opener(c, b);
		if (opener == OPEN_NONE || !has_finding(c, b))
			continue;
		is_row[b] = (uint8_t)opener;
		rows++;
		sourced += has_identifier(db->text, db->len);
	}
	if (rows < MIN_ROWS || sourced)
		return;
	for (b = 0; b < c->doc->nblocks; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];

		if (!is_row[b])
			continue;
		evidence_snippet(st, CHAFF_SIG_PLACEHOLDER_STUDIES, db->text, db->len, 0);
		st->journal += is_row[b] == OPEN_JOURNAL;
	}
	st->strong += rows;
	st->rows = rows;
}

/* "Doe et al.", "Smith et al." (weak), "John Doe" beside study words. */
static void placeholder_names(struct studies *st)
{
	struct sig_ctx *c = st->c;
	size_t b, t;

	for (b = 0; b < c->doc->nblocks; b++) {
		const struct chaff_block *db = &c->doc->blocks[b];
		const struct sig_block *sb = &c->blk[b];
		size_t end = sb->tok + sb->ntok, et = sb->tok;
		bool study = false;

		if (!sb->visible || !sb->ntok)
			continue;
		for (t = sb->tok; t < end; t++)
			study |= (c->tok[t].lex & LEX_STUDY) != 0;
		while ((et = find_etal(c, et, end)) != SIZE_MAX) {
			size_t s = surname_before(c, db, sb->tok, et);

			et += 2;
			if (s == SIZE_MAX || !upper_at(db->text, db->len, c->tok[s].src))
				continue;
			if (c->tok[s].lex & LEX_DOE) {
				st->strong++;
				st->authors++;
				evidence_snippet(st, CHAFF_SIG_PLACEHOLDER_STUDIES, db->text, db->len,
				                 c->tok[s].src);
			} else if (c->tok[s].lex & LEX_SURNAME) {
				st->weak++;
				st->authors++;
				evidence_snippet(st, CHAFF_SIG_PLACEHOLDER_STUDIES, db->text, db->len,
				                 c->tok[s].src);
			}
		}
		if (!study)
			continue;
		for (t = sb->tok; t < end; t++) {
			bool named = t > sb->tok && (chaff_sig_word_is(c, t - 1, "john") ||
			                             chaff_sig_word_is(c, t - 1, "jane"));
			bool cited = t + 1 < end && c->tok[t + 1].len == 1 &&
			             upper_at(db->text, db->len, c->tok[t + 1].src);

			if (!(c->tok[t].lex & LEX_DOE) || !upper_at(db->text, db->len, c->tok[t].src))
				continue;
			if (find_etal(c, t + 1, t + 4 < end ? t + 4 : end) != SIZE_MAX)
				continue;  /* "Doe J, et al." was counted above */
			if (!named && !cited)
				continue;
			st->strong++;
			st->authors++;
			evidence_snippet(st, CHAFF_SIG_PLACEHOLDER_STUDIES, db->text, db->len,
			                 c->tok[named ? t - 1 : t].src);
		}
	}
}

/* "A study published in the Journal of X found ..." with no author, year or link. */
static void journal_claims(struct studies *st)
{
	struct sig_ctx *c = st->c;
	struct phrase_match m[8];
	size_t t, j, n, k;

	for (t = 0; t < c->ntok; t++) {
		size_t b = c->tok[t].block;
		const struct chaff_block *db = &c->doc->blocks[b];

		if (!PHRASE_AT(c, t, PH_JOURNAL) || !c->blk[b].main)
			continue;
		n = chaff_lex_phrases_at(c, t, m, 8);
		for (j = 0; j < n; j++) {
			size_t end = c->blk[b].tok + c->blk[b].ntok;
			bool journal = false;

			if (m[j].cls != PH_JOURNAL)
				continue;
			for (k = t + m[j].ntok; k < end && k < t + m[j].ntok + JOURNAL_REACH; k++)
				journal |= chaff_sig_word_is(c, k, "journal");
			if (!journal || has_year_paren(db->text, db->len) || db->links ||
			    has_identifier(db->text, db->len) ||
			    find_etal(c, c->blk[b].tok, end) != SIZE_MAX)
				continue;
			st->weak++;
			st->journal++;
			evidence_snippet(st, CHAFF_SIG_PLACEHOLDER_STUDIES, db->text, db->len,
			                 c->tok[t].src);
			t += m[j].ntok;
			break;
		}
	}
}

void chaff_sig_studies(struct sig_ctx *c)
{
	struct studies st;

	memset(&st, 0, sizeof(st));
	st.c = c;
	finding_rows(&st);
	placeholder_names(&st);
	journal_claims(&st);
	st.weak += c->ref_entries_unsourced;
	chaff_sig_set(c, SIG_PLACEHOLDER_AUTHORS, (double)st.authors);
	chaff_sig_set(c, SIG_UNSOURCED_FINDINGS, (double)st.rows);
	chaff_sig_set(c, SIG_JOURNAL_ONLY_CLAIMS, (double)st.journal);
	if (!st.strong) {
		/* Weak cues alone are ordinary writing: no signal, no evidence. */
		memset(&c->f->evidence[CHAFF_SIG_PLACEHOLDER_STUDIES], 0,
		       sizeof(c->f->evidence[CHAFF_SIG_PLACEHOLDER_STUDIES]));
		chaff_sig_set(c, CHAFF_SIG_PLACEHOLDER_STUDIES, 0);
		return;
	}
	chaff_sig_set(c, CHAFF_SIG_PLACEHOLDER_STUDIES, (double)(st.strong + st.weak));
}
