/* internal.h - what the files of features/ share and nobody else sees. */
#ifndef CHAFF_FEATURES_INTERNAL_H
#define CHAFF_FEATURES_INTERNAL_H

#include <gumbo.h>

#include "chaff.h"

struct prescan {
	unsigned max_depth;  /* deepest nesting seen (up to the cut) */
	size_t cut_at;       /* offset of the tag that passed the limit, or n */
};

/* Measure tag nesting in p[0..n); stop at the first tag deeper than limit. */
void prescan_depth(const char *p, size_t n, unsigned limit, struct prescan *out);

/* The cuts html_elide made: offsets in the shortened text, ascending. */
struct elision {
	size_t *at;
	size_t n, cap;
	size_t bytes;  /* bytes of script and style bodies dropped */
};

/*
 * Copy src[0..n) to dst (n bytes of room) without the bodies of <script>
 * and <style> elements in HTML content; returns the length of the copy.
 * The cuts are listed in *e (arena memory). With no cut, dst is left
 * unfinished: parse src.
 */
size_t html_elide(const char *src, size_t n, char *dst, struct elision *e,
                  struct chaff_arena *arena);

/*
 * Whether the parse of the shortened text confirms every cut: each must
 * follow the start tag of an empty HTML <script> or <style> element.
 */
bool elision_verified(GumboNode *root, const char *text, const struct elision *e,
                      struct chaff_arena *arena);

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
