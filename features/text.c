/*
 * text.c - plain text (WET records, extracted pages such as the seeds) to
 * blocks: each non-empty line is a paragraph. Headings and list items are
 * recognised from the shape of the lines, since there is no markup.
 */
#include <string.h>

#include "features/internal.h"

#define HEADING_MAX_BYTES 120
#define HEADING_MAX_WORDS 16

struct line {
	const char *p;
	size_t n;
};

static size_t count_words(const char *p, size_t n)
{
	size_t i, words = 0;
	bool in = false;

	for (i = 0; i < n; i++) {
		bool sp = p[i] == ' ' || p[i] == '\t';

		if (!sp && !in)
			words++;
		in = !sp;
	}
	return words;
}

/* Length of a list marker at p ("• ", "- ", "* ", "1. ", "2) "), or 0. */
static size_t list_marker(const char *p, size_t n)
{
	if (n >= 4 && !memcmp(p, "\xE2\x80\xA2", 3))  /* U+2022 bullet */
		return 3;
	if (n >= 2 && (p[0] == '-' || p[0] == '*' || p[0] == '+') && p[1] == ' ')
		return 2;
	/* A numbered line keeps its number: it is evidence (sections, references). */
	return 0;
}

static bool is_numbered(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && i < 3 && p[i] >= '0' && p[i] <= '9')
		i++;
	return i && i + 1 < n && (p[i] == '.' || p[i] == ')') && p[i + 1] == ' ';
}

/* Share of the longer words (4+ letters) that start with a capital: "Side Effects of X". */
static bool title_case(const char *p, size_t n)
{
	size_t i = 0, long_words = 0, capital = 0;

	while (i < n) {
		size_t start, letters = 0;

		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		start = i;
		while (i < n && p[i] != ' ' && p[i] != '\t') {
			unsigned char c = (unsigned char)p[i];

			letters += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
			i++;
		}
		if (letters >= 4) {
			long_words++;
			capital += p[start] >= 'A' && p[start] <= 'Z';
		}
	}
	return long_words >= 2 && capital * 10 >= long_words * 7;
}

/*
 * Text has no markup, so headings are told by shape: short, no sentence
 * punctuation at the end, and either in title case, a short label ending in
 * a colon ("References:"), or followed by a longer paragraph. "Price: $0.51
 * per pill" is a label with its value, not a heading.
 */
static bool looks_like_heading(const struct line *l, const struct line *next)
{
	size_t words = count_words(l->p, l->n);
	const char *colon;
	char last;

	if (l->n == 0 || l->n > HEADING_MAX_BYTES || words > HEADING_MAX_WORDS)
		return false;
	last = l->p[l->n - 1];
	if (last == '.' || last == ',' || last == ';' || last == '"' || last == '!')
		return false;
	colon = memchr(l->p, ':', l->n);
	if (last == ':')
		return words <= 5;
	if (colon && colon < l->p + l->n - 1 && words <= 6)
		return false;
	if (title_case(l->p, l->n))
		return true;
	if (!next || words > 10)
		return false;
	return next->n >= 2 * l->n || list_marker(next->p, next->n) || is_numbered(next->p, next->n);
}

enum chaff_err text_to_doc(struct chaff_doc *doc, const char *utf8, size_t n,
                           const struct chaff_limits *lim, struct chaff_arena *arena)
{
	struct block_sink sink;
	struct line cur = {NULL, 0}, next = {NULL, 0};
	size_t pos = 0;
	bool have_cur = false;
	char *scratch = chaff_arena_alloc(arena, n + 1);  /* one line, collapsed */

	sink_init(&sink, arena, lim->max_blocks);
	doc->is_text = true;
	for (;;) {
		bool have_next = false;

		/* Read the next non-empty line (trimmed) into next. */
		while (pos < n) {
			const char *nl = memchr(utf8 + pos, '\n', n - pos);
			size_t end = nl ? (size_t)(nl - utf8) : n;
			const char *p = utf8 + pos;
			size_t len = end - pos;

			pos = nl ? end + 1 : n;
			while (len && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f')) {
				p++;
				len--;
			}
			while (len > 1 && !memcmp(p, "\xC2\xA0", 2)) {
				p += 2;
				len -= 2;
			}
			while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
				len--;
			if (len) {
				next.p = p;
				next.n = len;
				have_next = true;
				break;
			}
		}
		if (have_cur) {
			struct chaff_block proto;
			size_t skip = list_marker(cur.p, cur.n);

			memset(&proto, 0, sizeof(proto));
			proto.path = "text";
			if (skip || is_numbered(cur.p, cur.n))
				proto.flags |= CHAFF_BLOCK_LIST_ITEM;
			else if (looks_like_heading(&cur, have_next ? &next : NULL)) {
				proto.flags |= CHAFF_BLOCK_HEADING;
				proto.heading = 2;
			}
			if (!doc->title[0]) {
				size_t tl = cur.n > 300 ? 300 : cur.n;

				doc->title = chaff_arena_strndup(arena, cur.p, tl);
			}
			/* sink_add keeps its own copy: collapse in a scratch line. */
			memcpy(scratch, cur.p + skip, cur.n - skip);
			sink_add(&sink, scratch, collapse_space(scratch, cur.n - skip), &proto);
		}
		if (!have_next)
			break;
		cur = next;
		have_cur = true;
	}
	doc->blocks = sink.blocks;
	doc->nblocks = sink.n;
	doc->text_bytes = sink.text_bytes;
	doc->truncated |= sink.truncated;
	return CHAFF_OK;
}
