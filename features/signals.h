/*
 * signals.h - what the signal files of features/ share: the per-page
 * context (words of every block, lower-cased once), the word and phrase
 * lexicon, and one entry point per signal family. Nobody outside
 * features/ includes this.
 *
 * The context is built in one pass over the blocks; every signal then works
 * on tokens (hashes, offsets) or on the raw block text, never allocating
 * per token. All memory comes from the page arena.
 */
#ifndef CHAFF_FEATURES_SIGNALS_H
#define CHAFF_FEATURES_SIGNALS_H

#include "chaff.h"

/* The general signals, after the five named ones (enum chaff_signal). */
enum {
	SIG_DUP_LINE_FRAC = CHAFF_SIG_NAMED_COUNT,
	SIG_DUP_LINE_CHAR_FRAC,
	SIG_DUP_PARA_FRAC,
	SIG_DUP_PARA_CHAR_FRAC,
	SIG_TOP_2GRAM_CHAR_FRAC,
	SIG_TOP_3GRAM_CHAR_FRAC,
	SIG_TOP_4GRAM_CHAR_FRAC,
	SIG_DUP_5GRAM_CHAR_FRAC,
	SIG_DUP_6GRAM_CHAR_FRAC,
	SIG_DUP_7GRAM_CHAR_FRAC,
	SIG_DUP_8GRAM_CHAR_FRAC,
	SIG_DUP_9GRAM_CHAR_FRAC,
	SIG_DUP_10GRAM_CHAR_FRAC,
	SIG_NEAR_DUP_BLOCK_CHAR_FRAC,
	SIG_REPEATED_HEADINGS,
	SIG_STITCHED_SECTIONS,
	SIG_UNIT_PRICES,
	SIG_PACKAGE_PRICE_ROWS,
	SIG_DOSAGE_MENUS,
	SIG_PHARMACY_CALLS,
	SIG_STUFFED_BLOCKS,
	SIG_RX_REQUIRED,
	SIG_PLACEHOLDER_AUTHORS,
	SIG_UNSOURCED_FINDINGS,
	SIG_JOURNAL_ONLY_CLAIMS,
	SIG_REFERENCE_ENTRIES,
	SIG_UNSOURCED_REFERENCES,
	SIG_WIDGET_BLOCKS,
	SIG_OFFTOPIC_BLOCKS,
	SIG_TEXT_LENGTH,
	SIG_MAIN_TEXT_LENGTH,
	SIG_WORD_COUNT,
	SIG_TITLE_LENGTH,
	SIG_VISIBLE_TEXT_FRACTION,
	SIG_HIDDEN_TEXT_FRACTION,
	SIG_COMPRESSION_RATIO,
	SIG_AVG_WORD_LENGTH,
	SIG_STOPWORD_FRACTION,
	SIG_ANCHOR_TEXT_FRACTION,
	SIG_LINK_DENSITY,
	SIG_EXTERNAL_LINK_FRACTION,
	SIG_DOI_PMID_REFS,
	SIG_AUTHORITY_LINKS,
	SIG_AUTHOR_LINES,
	SIG_REVIEWER_LINES,
	SIG_DATE_LINES,
	SIG_DISCLAIMERS,
	SIG_DISCLAIMER_ONLY,
	SIG_NAMED_SOURCES,
	SIG_FILLER_RATE,
	SIG_HEDGE_RATE,
	SIG_CLINICAL_RATE,
	SIG_DOSAGE_RATE,
	SIG_SECOND_PERSON_RATE,
	SIG_EXCLAMATION_RATE,
	SIG_TITLE_QUESTION,
	SIG_CLICKBAIT_TITLE,
	SIG_HEADING_FRACTION,
	SIG_LIST_ITEM_FRACTION,
	SIG_TABLE_ROWS,
	SIG_MEDICAL_TERM_RATE,
	SIG_SPECIFICITY_RATE,
	SIG_REPUTABLE_SOURCES,
	SIG_SPECULATION_RATE,
	SIG_COUNT
};

/* Word classes (bits), looked up by the hash of the lower-cased word. */
enum {
	LEX_STOP      = 1u << 0,   /* English function words */
	LEX_UNIT      = 1u << 1,   /* pill, tablet, capsule ... (medication units) */
	LEX_PACK      = 1u << 2,   /* pack, vial, dose, strip: units that need context */
	LEX_DOSE      = 1u << 3,   /* mg, mcg, ml, iu */
	LEX_CURRENCY  = 1u << 4,   /* usd, eur, gbp ... */
	LEX_CLINICAL  = 1u << 5,   /* contraindication, interaction, dosage ... */
	LEX_HEDGE     = 1u << 6,   /* may, might, could ... */
	LEX_BOILER    = 1u << 7,   /* copyright, privacy, cookies ... */
	LEX_SURNAME   = 1u << 8,   /* the surnames of made-up examples: smith, jones ... */
	LEX_DOE       = 1u << 9,   /* doe, roe: placeholders by definition */
	LEX_MED       = 1u << 10,  /* pharmacy, prescription, drug, medication ... */
	LEX_STUDY     = 1u << 11,  /* study, trial, research, participants ... */
	LEX_YOU       = 1u << 12,  /* you, your, yours, yourself */
	LEX_FILLER    = 1u << 13,  /* single words typical of generated filler */
	LEX_MONTH     = 1u << 14,  /* january ... dec */
	LEX_REFHEAD   = 1u << 15,  /* references, sources, bibliography ... */
	LEX_PROMO     = 1u << 16,  /* download, install, subscribe, newsletter ... */
	LEX_BUY       = 1u << 17,  /* buy, cheap, order, kaufen, acquistare ... */
	LEX_RX        = 1u << 18,  /* prescription, pharmacy, ricetta, rezept ... (any language) */
	LEX_MEDTERM   = 1u << 19,  /* conditions, anatomy, routes, approval: medical vocabulary */
	LEX_PHRASE    = 1u << 30   /* some phrase of the lexicon starts with this word */
};

/* Phrase classes: multi-word matches found on token hashes. */
enum phrase_class {
	PH_FILLER = 0,     /* "it is important to note", "plays a crucial role" */
	PH_CALL,           /* pharmacy calls: "no prescription required", "bonus pills" */
	PH_SOFTCALL,       /* what licensed pharmacies say too: "discreet packaging" */
	PH_NORX,           /* "without a prescription": a call after a buy word only */
	PH_SHOP,           /* generic shop calls: "add to cart", "buy now", "order now" */
	PH_WIDGET,         /* "see also", "leave a reply", "you may also like" */
	PH_APP,            /* "download the app", "get it on google play" */
	PH_DISCLAIMER,     /* "not a substitute for professional medical advice" */
	PH_REVIEWER,       /* "medically reviewed by", "fact checked by" */
	PH_AUTHOR,         /* "written by", "author:" */
	PH_DATE,           /* "last updated", "published on" */
	PH_CLICKBAIT,      /* "you won't believe", "everything you need to know" */
	PH_JOURNAL,        /* "published in the", "a study in" */
	PH_SOURCE,         /* "according to", "published by": a named source follows */
	PH_RXREQ,          /* "a valid prescription is required", "copay", "formulary" */
	PH_COUNT
};

struct sig_tok {
	uint32_t off;      /* in ctx->low */
	uint16_t len;      /* bytes in ctx->low */
	uint16_t chars;    /* code points */
	uint32_t block;
	uint32_t lex;      /* LEX_* bits */
	uint32_t src;      /* byte offset of the word in the block's text */
	uint64_t hash;     /* chaff_hash64 of the lower-cased word */
};

struct sig_block {
	uint32_t tok;      /* first token */
	uint32_t ntok;
	uint32_t chars;    /* code points of the block text */
	uint32_t content;  /* content words (not stop words, letters, >= 3 chars) */
	bool main;         /* main region, not hidden */
	bool visible;      /* not hidden (hidden blocks have words too, for price_blocks) */
	bool heading;      /* flagged heading, or heading-shaped (short label ending ':') */
	uint64_t norm;     /* hash of the lower-cased word sequence (0 when no words) */
};

struct sig_ctx {
	const struct chaff_doc *doc;
	struct chaff_features *f;
	struct chaff_arena *arena;
	char *low;              /* lower-cased words, one space apart, blocks '\n' apart */
	size_t low_len;
	struct sig_tok *tok;
	size_t ntok;
	uint16_t *phr;          /* per token: bit 1 << cls for each phrase class starting there */
	struct sig_block *blk;  /* one per doc block */
	size_t main_tokens;
	size_t main_chars;      /* code points of the main blocks' text */
	size_t main_bytes;
	size_t visible_bytes;
	/* Results one family hands to another. */
	size_t ref_entries;     /* entries in references sections */
	size_t ref_sections;
	size_t ref_entries_sourced; /* entries with a year and a DOI, PMID or URL */
	size_t ref_entries_unsourced; /* entries with neither */
	size_t doi_pmid;
	size_t authority_links;
	uint8_t *in_refs;       /* per block: 1 for the entries of a references section */
};

/* Tokens that start a phrase match in [from, to): one callback per match. */
struct phrase_match {
	enum phrase_class cls;
	const char *text;   /* the phrase as written in the lexicon */
	size_t first;       /* token index */
	size_t ntok;
};

/* Does a phrase of class cls start at token t? (One bit test; see ctx->phr.) */
#define PHRASE_AT(c, t, cls) (((c)->phr[t] >> (cls)) & 1u)

/* Lexicon (lexicon.c): thread-safe, built once on first use. */
void chaff_lex_init(void);
uint32_t chaff_lex_word(uint64_t hash);
/* Find phrases starting at token i (within its block); up to max matches. */
size_t chaff_lex_phrases_at(const struct sig_ctx *c, size_t i, struct phrase_match *out,
                            size_t max);

/* Tokenize s[0..n) into lower-case words (also used for lexicon phrases).
 * low receives at most n bytes; returns the number of words, writing at
 * most maxtok tokens. */
size_t chaff_sig_tokenize(const char *s, size_t n, char *low, size_t *low_len,
                          struct sig_tok *tok, size_t maxtok, uint32_t block);

/* Helpers shared by the signal files (features.c). */
/* Host of an absolute URL at s[0..len) (sets *n), or NULL when s is relative. */
const char *chaff_sig_url_host(const char *s, size_t len, size_t *n);
/* The registrable part of a host: "news.bbc.co.uk" -> "bbc.co.uk" (a heuristic). */
void chaff_sig_site(const char *host, size_t n, const char **site, size_t *sn);
void chaff_sig_set(struct sig_ctx *c, int sig, double v);
void chaff_sig_evidence(struct sig_ctx *c, int sig, const char *s, size_t n);
/* Evidence with a repeat count: "text (xN)". */
void chaff_sig_evidence_n(struct sig_ctx *c, int sig, const char *s, size_t n, size_t times);

/* Is token t the word w? Inline: w is nearly always a literal, its strlen folds. */
static inline bool chaff_sig_word_is(const struct sig_ctx *c, size_t t, const char *w)
{
	size_t n = __builtin_strlen(w);

	return t < c->ntok && c->tok[t].len == n && !__builtin_memcmp(c->low + c->tok[t].off, w, n);
}

/* The signal families, in the order chaff_features_extract runs them. */
void chaff_sig_refs(struct sig_ctx *c);       /* truncated_references, DOI/PMID */
void chaff_sig_repeat(struct sig_ctx *c);     /* repeated_sections + web-text stats */
void chaff_sig_price(struct sig_ctx *c);      /* price_blocks */
void chaff_sig_studies(struct sig_ctx *c);    /* placeholder_studies */
void chaff_sig_widgets(struct sig_ctx *c);    /* offtopic_widgets */
void chaff_sig_general(struct sig_ctx *c);    /* the general content signals */
void chaff_sig_substance(struct sig_ctx *c);  /* medical terms, facts, sources, speculation */
void chaff_sig_terms(struct sig_ctx *c, unsigned hash_bits);

/* A table of 64-bit keys with counts, open addressing, sized once. */
struct sig_table {
	uint64_t *keys;     /* 0 = empty (keys are forced non-zero) */
	uint32_t *vals;
	size_t mask;
	size_t used, max;
};

void chaff_sig_table_init(struct sig_table *t, struct chaff_arena *a, size_t expect);
/* Slot of key (inserted with value 0 when absent); NULL when the table is full. */
uint32_t *chaff_sig_table_get(struct sig_table *t, uint64_t key);
uint32_t chaff_sig_table_find(const struct sig_table *t, uint64_t key);
void chaff_sig_table_clear(struct sig_table *t);

#endif
