/* internal.h - what the files of features/ share and nobody else sees. */
#ifndef CHAFF_FEATURES_INTERNAL_H
#define CHAFF_FEATURES_INTERNAL_H

#include "chaff.h"

struct prescan {
	unsigned max_depth;  /* deepest nesting seen (up to the cut) */
	size_t cut_at;       /* offset of the tag that passed the limit, or n */
};

/* Measure tag nesting in p[0..n); stop at the first tag deeper than limit. */
void prescan_depth(const char *p, size_t n, unsigned limit, struct prescan *out);

/* Fill doc from UTF-8 HTML / plain text (doc->url, host already set). */
enum chaff_err html_to_doc(struct chaff_doc *doc, const char *utf8, size_t n,
                           const struct chaff_limits *lim, struct chaff_arena *arena);
enum chaff_err text_to_doc(struct chaff_doc *doc, const char *utf8, size_t n,
                           const struct chaff_limits *lim, struct chaff_arena *arena);

/*
 * Collects the blocks of a document while it is walked: whitespace is
 * collapsed, empty blocks dropped, the block cap enforced.
 */
struct block_sink {
	struct chaff_arena *arena;
	struct chaff_block *blocks;
	size_t n, cap, max;
	size_t text_bytes;
	bool truncated;
};

void sink_init(struct block_sink *s, struct chaff_arena *arena, size_t max);
/* Add a block of already-collapsed text; returns its index or -1 if dropped. */
long sink_add(struct block_sink *s, const char *text, size_t len, const struct chaff_block *proto);

/* Collapse runs of white space (ASCII and U+00A0) into one space, trim. */
size_t collapse_space(char *s, size_t n);

#endif
