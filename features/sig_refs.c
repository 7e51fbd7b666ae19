/*
 * sig_refs.c - truncated_references, and the sourcing counts other signals
 * use: references sections and their entries, DOIs and PMIDs in the text,
 * links to government, university and health-service sites.
 *
 * A references section is a short heading ("References", "Sources:") and
 * the entries after it: list items when the first one is, otherwise short
 * citation-like blocks. An entry breaks off when its brackets stay open,
 * it ends on a joining character, or it is a stub with neither year nor
 * identifier; its numbering is checked for gaps and restarts.
 */
#include <string.h>

#include "features/signals.h"

#define HEAD_MAX_TOKENS 3
#define HEAD_MAX_BYTES 40
#define MAX_ENTRIES 500
#define ENTRY_MAX_BYTES 800
#define STUB_MAX_WORDS 4
#define HREF_MAX_BYTES 4096     /* the host is near the start of any URL worth reading */
#define HEADING_MAX_TOKENS 8
#define PROSE_MIN_TOKENS 12

static bool is_ref_heading(const struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	const struct sig_block *sb = &c->blk[b];
	const struct sig_tok *t;
	size_t k, content = 0;
	char last;

	if (!sb->visible || !sb->ntok || sb->ntok > HEAD_MAX_TOKENS || db->len > HEAD_MAX_BYTES)
		return false;
	last = db->text[db->len - 1];
	if (last == '.' || last == ',' || (db->flags & CHAFF_BLOCK_LIST_ITEM))
		return false;
	t = &c->tok[sb->tok];
	for (k = 0; k < sb->ntok; k++)
		content += !(t[k].lex & LEX_STOP);
	/* "References", "Sources:", "Works Cited", "Reference list" */
	return (t[0].lex & LEX_REFHEAD) ? true :
	       (content <= 2 && (t[sb->ntok - 1].lex & LEX_REFHEAD) &&
	        !chaff_sig_word_is(c, sb->tok, "open"));
}

/* Leading "12.", "12)", "[12]", "(12)"; returns the number or -1, sets *skip. */
static long entry_number(const char *s, size_t n, size_t *skip)
{
	size_t i = 0;
	long v = 0;
	bool bracket = false;

	*skip = 0;
	if (i < n && (s[i] == '[' || s[i] == '(')) {
		bracket = true;
		i++;
	}
	if (i >= n || s[i] < '0' || s[i] > '9')
		return -1;
	while (i < n && s[i] >= '0' && s[i] <= '9' && v < 100000)
		v = v * 10 + (s[i++] - '0');
	if (i >= n)
		return -1;
	if (bracket ? (s[i] != ']' && s[i] != ')') : (s[i] != '.' && s[i] != ')'))
		return -1;
	i++;
	while (i < n && s[i] == ' ')
		i++;
	*skip = i;
	return v;
}

static bool has_year(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 4 <= n; i++) {
		bool edge_l = i == 0 || s[i - 1] < '0' || s[i - 1] > '9';
		bool edge_r = i + 4 == n || s[i + 4] < '0' || s[i + 4] > '9';

		if (edge_l && edge_r && ((s[i] == '1' && s[i + 1] == '9') ||
		                         (s[i] == '2' && s[i + 1] == '0')) &&
		    s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] >= '0' && s[i + 3] <= '9')
			return true;
	}
	return chaff_memcasemem(s, n, "n.d") != NULL;
}

/* "10.1234/..." */
static size_t count_dois(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	size_t count = 0;

	while ((p = memchr(p, '1', (size_t)(end - p))) && end - p >= 8) {
		const char *q = p + 3;
		size_t digits = 0;

		if (p[1] == '0' && p[2] == '.' && (p == s || p[-1] < '0' || p[-1] > '9')) {
			while (q < end && *q >= '0' && *q <= '9' && digits < 10) {
				q++;
				digits++;
			}
			if (digits >= 4 && q + 1 < end && *q == '/' && q[1] != ' ') {
				count++;
				p = q;
				continue;
			}
		}
		p++;
	}
	return count;
}

static bool has_url(const char *s, size_t n)
{
	return chaff_memcasemem(s, n, "http") || chaff_memcasemem(s, n, "www.");
}

static bool has_identifier(const char *s, size_t n)
{
	return count_dois(s, n) || chaff_memcasemem(s, n, "pmid") ||
	       chaff_memcasemem(s, n, "pmc") || has_url(s, n) || chaff_memcasemem(s, n, "isbn");
}

static size_t words_in(const char *s, size_t n)
{
	size_t i, w = 0;
	bool in = false;

	for (i = 0; i < n; i++) {
		bool sp = s[i] == ' ';

		if (!sp && !in)
			w++;
		in = !sp;
	}
	return w;
}

/* Why an entry breaks off, or NULL when it looks whole. A stub (no year, no
 * identifier, a few words) is suspect only at the end, where a cut leaves it;
 * inside a list it is a short note or a link. */
static const char *broken_entry(const char *s, size_t n, bool at_end)
{
	size_t i;
	long paren = 0, square = 0;
	char last;

	for (i = 0; i < n; i++) {
		paren += (s[i] == '(') - (s[i] == ')');
		square += (s[i] == '[') - (s[i] == ']');
	}
	if (paren > 0 || square > 0)
		return "unclosed bracket";
	last = n ? s[n - 1] : '(';
	if (strchr("(,;:&/-", last) || (n >= 3 && !memcmp(s + n - 3, "\xE2\x80\x93", 3)))
		return "ends mid-entry";
	if (at_end && !has_year(s, n) && !has_identifier(s, n) && words_in(s, n) <= STUB_MAX_WORDS &&
	    memchr(s, ',', n))
		return "no year, title or identifier";
	return NULL;
}

struct ref_state {
	size_t defects;
	long prev;          /* number of the previous entry, -1 when none */
};

static void check_entry(struct sig_ctx *c, struct ref_state *st, size_t b, bool last)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	size_t skip;
	long num = entry_number(db->text, db->len, &skip);
	const char *why;
	bool year, id;

	c->ref_entries++;
	c->in_refs[b] = 1;
	year = has_year(db->text, db->len);
	id = has_identifier(db->text, db->len);
	c->ref_entries_sourced += year && id;
	c->ref_entries_unsourced += !year && !id;
	if (num >= 0) {
		if (st->prev >= 0 && (num > st->prev + 1 || num <= st->prev)) {
			st->defects++;
			const char *what = chaff_arena_printf(c->arena, "numbering %s: %ld after %ld",
			                                      num <= st->prev ? "restarts" : "gap",
			                                      num, st->prev);

			chaff_sig_evidence(c, CHAFF_SIG_TRUNCATED_REFERENCES, what, strlen(what));
		}
		st->prev = num;
	}
	/* The last block of a page cut at a limit is cut by us, not by the author;
	 * an entry that is all link text is a link list, not a citation. */
	if ((last && b + 1 == c->doc->nblocks && c->doc->truncated) || db->link_bytes * 2 >= db->len)
		return;
	why = broken_entry(db->text + skip, db->len - skip, last);
	if (why) {
		st->defects++;
		chaff_sig_evidence(c, CHAFF_SIG_TRUNCATED_REFERENCES, db->text, db->len);
	}
}

/* "5. Side Effects" over a paragraph: the next section, not an entry. */
static bool section_heading(const struct sig_ctx *c, size_t b)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	size_t next, skip;

	if (c->blk[b].ntok > HEADING_MAX_TOKENS || has_year(db->text, db->len) ||
	    memchr(db->text, ',', db->len) || memchr(db->text, '(', db->len))
		return false;
	for (next = b + 1; next < c->doc->nblocks && !c->blk[next].visible; next++)
		;
	return next < c->doc->nblocks && c->blk[next].ntok >= PROSE_MIN_TOKENS &&
	       entry_number(c->doc->blocks[next].text, c->doc->blocks[next].len, &skip) < 0 &&
	       !(c->doc->blocks[next].flags & CHAFF_BLOCK_LIST_ITEM);
}

static bool entry_shaped(const struct sig_ctx *c, size_t b, bool listed)
{
	const struct chaff_block *db = &c->doc->blocks[b];
	size_t skip;

	if (!c->blk[b].visible || db->len > ENTRY_MAX_BYTES)
		return false;
	if (listed)
		return ((db->flags & CHAFF_BLOCK_LIST_ITEM) || entry_number(db->text, db->len, &skip) >= 0) &&
		       !section_heading(c, b);
	if (c->blk[b].heading && !(db->flags & CHAFF_BLOCK_LIST_ITEM))
		return false;
	return has_year(db->text, db->len) || has_identifier(db->text, db->len) ||
	       (db->flags & CHAFF_BLOCK_LIST_ITEM);
}

/* Walk the entries after heading h; returns the index of the first block after them. */
static size_t scan_section(struct sig_ctx *c, size_t h, struct ref_state *st)
{
	const struct chaff_doc *doc = c->doc;
	size_t b = h + 1, first, count = 0, skip, k;
	bool listed;

	while (b < doc->nblocks && !c->blk[b].visible)
		b++;
	if (b >= doc->nblocks)
		return b;
	listed = (doc->blocks[b].flags & CHAFF_BLOCK_LIST_ITEM) ||
	         entry_number(doc->blocks[b].text, doc->blocks[b].len, &skip) >= 0;
	first = b;
	while (b < doc->nblocks && count < MAX_ENTRIES && entry_shaped(c, b, listed)) {
		b++;
		count++;
	}
	for (k = first; k < b; k++)
		check_entry(c, st, k, k + 1 == b);
	return b;
}

static bool authority_host(const char *h, size_t n)
{
	static const char *const tails[] = {
		".gov", ".edu", ".nhs.uk", ".gov.uk", ".gov.au", ".gc.ca", ".mil", "who.int",
		".europa.eu", ".ac.uk", ".edu.au", ".nih.gov", NULL
	};
	size_t i;

	for (i = 0; tails[i]; i++) {
		size_t m = strlen(tails[i]);

		if (n >= m && !chaff_strncasecmp(h + n - m, tails[i], m) &&
		    (n == m || tails[i][0] == '.' || h[n - m - 1] == '.'))
			return true;
	}
	return false;
}

static bool ends_with_host(const char *h, size_t n, const char *tail)
{
	size_t m = strlen(tail);

	return n >= m && !chaff_strncasecmp(h + n - m, tail, m) && (n == m || h[n - m - 1] == '.');
}

static void scan_links(struct sig_ctx *c)
{
	const struct chaff_doc *doc = c->doc;
	size_t i;

	for (i = 0; i < doc->nlinks; i++) {
		const char *href = doc->links[i].href;
		size_t n, hn;
		const char *host;

		if (!href)
			continue;
		n = strnlen(href, HREF_MAX_BYTES);
		host = chaff_sig_url_host(href, n, &hn);
		if (!host)
			continue;  /* relative: a link within the page's own site */
		/* doi.org, dx.doi.org; PubMed and PMC at ncbi.nlm.nih.gov (old "db=PubMed" URLs too) */
		if (ends_with_host(host, hn, "doi.org") ||
		    (ends_with_host(host, hn, "ncbi.nlm.nih.gov") &&
		     (ends_with_host(host, hn, "pubmed.ncbi.nlm.nih.gov") ||
		      chaff_memcasemem(host + hn, n - (size_t)(host + hn - href), "pubmed") ||
		      chaff_memcasemem(host + hn, n - (size_t)(host + hn - href), "/pmc"))))
			c->doi_pmid++;
		if (authority_host(host, hn))
			c->authority_links++;
	}
}

/* DOIs, PMIDs and authority URLs written in the text (plain-text pages have no links). */
static void scan_text(struct sig_ctx *c)
{
	const struct chaff_doc *doc = c->doc;
	size_t b;

	for (b = 0; b < doc->nblocks; b++) {
		const struct chaff_block *db = &doc->blocks[b];
		const char *p = db->text, *end = db->text + db->len;

		if (!c->blk[b].visible)
			continue;
		c->doi_pmid += count_dois(db->text, db->len);
		/* Plain text has no links: its sources are URLs written out. */
		while (!doc->nlinks && (p = memchr(p, ':', (size_t)(end - p)))) {
			size_t hn;
			const char *start = p - db->text >= 5 ? p - 5 : db->text;
			const char *host = chaff_sig_url_host(start, (size_t)(end - start), &hn);

			if (host && authority_host(host, hn))
				c->authority_links++;
			p++;
		}
	}
	for (b = 0; b < c->ntok; b++) {
		const struct sig_tok *t = &c->tok[b];

		if (!c->blk[t->block].visible)
			continue;
		if (chaff_sig_word_is(c, b, "pmid") && b + 1 < c->ntok &&
		    c->low[c->tok[b + 1].off] >= '0' && c->low[c->tok[b + 1].off] <= '9')
			c->doi_pmid++;
		else if (t->len > 4 && !memcmp(c->low + t->off, "pmc", 3) &&
		         c->low[t->off + 3] >= '0' && c->low[t->off + 3] <= '9')
			c->doi_pmid++;
	}
}

void chaff_sig_refs(struct sig_ctx *c)
{
	const struct chaff_doc *doc = c->doc;
	struct ref_state st = { 0, -1 };
	size_t b = 0;

	while (b < doc->nblocks) {
		if (!is_ref_heading(c, b)) {
			b++;
			continue;
		}
		c->ref_sections++;
		st.prev = -1;
		b = scan_section(c, b, &st);
	}
	scan_links(c);
	scan_text(c);
	chaff_sig_set(c, CHAFF_SIG_TRUNCATED_REFERENCES, (double)st.defects);
	chaff_sig_set(c, SIG_UNSOURCED_REFERENCES, (double)c->ref_entries_unsourced);
	chaff_sig_set(c, SIG_REFERENCE_ENTRIES, (double)c->ref_entries);
	chaff_sig_set(c, SIG_DOI_PMID_REFS, (double)c->doi_pmid);
	chaff_sig_set(c, SIG_AUTHORITY_LINKS, (double)c->authority_links);
}
