/*
 * elide.c - drop the bodies of <script> and <style> before Gumbo sees them.
 *
 * On real pages about two fifths of the bytes are inline script and CSS,
 * and Gumbo spends close to half its time on them (it emits one character
 * token per byte of script), only for the walk to skip them. So a cheap
 * pass that follows the HTML tokenizer (comments, bogus comments, quoted
 * attribute values, RCDATA and RAWTEXT elements, the script-data escape
 * states, foreign content) copies the markup without those bodies.
 *
 * The pass cannot be wrong silently. Each cut is made right after a start
 * tag, and the parse of the shortened text is checked afterwards: every cut
 * must sit at the end of the start tag of an HTML-namespace <script> or
 * <style> element that came out empty (elision_verified). Where the tree
 * builder saw the tag the way we did, its tokenizer was in the same state
 * as it would have been on the whole text, and the body we dropped ends
 * where ours does, because the end of a script or style body depends only
 * on the body. If any cut fails the check, the caller parses the original.
 */
#include <stdlib.h>
#include <string.h>

#include "features/internal.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* p[i..] starts with word (ASCII, any case) followed by a tag-name delimiter. */
static bool at_name(const char *p, size_t i, size_t n, const char *word, size_t len)
{
	return i + len < n && !chaff_strncasecmp(p + i, word, len) &&
	       (is_space(p[i + len]) || p[i + len] == '/' || p[i + len] == '>');
}

/*
 * From just after "<!--": the offset after the comment's end. The states of
 * the tokenizer: "<!-->" and "<!--->" end at once, then "--" followed by
 * any further dashes and ">" or "!>".
 */
static size_t comment_end(const char *p, size_t i, size_t n)
{
	if (i < n && p[i] == '>')
		return i + 1;
	if (i + 1 < n && p[i] == '-' && p[i + 1] == '>')
		return i + 2;
	while (i < n) {
		const char *dash = memchr(p + i, '-', n - i);

		if (!dash)
			return n;
		i = (size_t)(dash - p) + 1;
		if (i >= n || p[i] != '-')
			continue;
		while (i < n && p[i] == '-')
			i++;
		if (i < n && p[i] == '>')
			return i + 1;
		if (i + 1 < n && p[i] == '!' && p[i + 1] == '>')
			return i + 2;
	}
	return n;
}

/* From just after a '<' that does not open a tag or comment: skip to after the next '>'. */
static size_t bogus_comment_end(const char *p, size_t i, size_t n)
{
	const char *gt = memchr(p + i, '>', n - i);

	return gt ? (size_t)(gt - p) + 1 : n;
}

/*
 * From just after a tag name: the offset after the tag's '>', or n when the
 * text ends inside the tag (the tokenizer drops such a tag). Quoted values
 * may hold '>'; a '/' right before the '>' outside a value makes the tag
 * self-closing.
 */
static size_t tag_end(const char *p, size_t i, size_t n, bool *self_closing)
{
	*self_closing = false;
	while (i < n) {
		char c = p[i];

		if (is_space(c)) {
			i++;
		} else if (c == '>') {
			return i + 1;
		} else if (c == '/') {
			i++;
			if (i < n && p[i] == '>') {
				*self_closing = true;
				return i + 1;
			}
		} else {
			/* An attribute name (a leading '=' belongs to it), then maybe a value. */
			i++;
			while (i < n && !is_space(p[i]) && p[i] != '/' && p[i] != '>' && p[i] != '=')
				i++;
			while (i < n && is_space(p[i]))
				i++;
			if (i >= n || p[i] != '=')
				continue;
			i++;
			while (i < n && is_space(p[i]))
				i++;
			if (i < n && (p[i] == '"' || p[i] == '\'')) {
				const char *close = memchr(p + i + 1, p[i], n - i - 1);

				if (!close)
					return n;
				i = (size_t)(close - p) + 1;
			} else {
				while (i < n && !is_space(p[i]) && p[i] != '>')
					i++;
			}
		}
	}
	return n;
}

/* RAWTEXT and RCDATA bodies end at the first "</name" and a delimiter; n if none. */
static size_t raw_body_end(const char *p, size_t i, size_t n, const char *name, size_t len)
{
	while (i < n) {
		const char *lt = memchr(p + i, '<', n - i);

		if (!lt)
			return n;
		i = (size_t)(lt - p);
		if (i + 1 < n && p[i + 1] == '/' && at_name(p, i + 2, n, name, len))
			return i;
		i++;
	}
	return n;
}

/*
 * After two dashes of escaped script data: past any more, and past a '>'
 * that closes the escape ("-->"), telling which in *closed.
 */
static size_t past_dashes(const char *p, size_t i, size_t n, bool *closed)
{
	while (i < n && p[i] == '-')
		i++;
	*closed = i < n && p[i] == '>';
	return *closed ? i + 1 : i;
}

/*
 * The end of a script body: the offset of the "</script" that closes it,
 * or n. Script data has escape states: after "<!--" a "<script" starts a
 * double-escaped run in which "</script" does not close the element; "-->"
 * returns to plain script data.
 */
static size_t script_body_end(const char *p, size_t i, size_t n)
{
	enum { DATA, ESCAPED, DOUBLE } state = DATA;
	bool closed;

	while (i < n) {
		char c = p[i];

		if (c == '<') {
			if (state != DOUBLE && i + 1 < n && p[i + 1] == '/' &&
			    at_name(p, i + 2, n, "script", 6))
				return i;
			if (state == DOUBLE && i + 1 < n && p[i + 1] == '/' &&
			    at_name(p, i + 2, n, "script", 6)) {
				state = ESCAPED;
				i += 8;
			} else if (state == DATA && i + 3 < n && !memcmp(p + i + 1, "!--", 3)) {
				/* "<!--" leaves the tokenizer after two dashes: "<!-->" ends it. */
				i = past_dashes(p, i + 4, n, &closed);
				state = closed ? DATA : ESCAPED;
			} else if (state == ESCAPED && at_name(p, i + 1, n, "script", 6)) {
				state = DOUBLE;
				i += 8;
			} else {
				i++;
			}
		} else if (c == '-' && state != DATA && i + 1 < n && p[i + 1] == '-') {
			i = past_dashes(p, i + 2, n, &closed);
			if (closed)
				state = DATA;
		} else if (state == DATA) {
			const char *next = memchr(p + i + 1, '<', n - i - 1);

			i = next ? (size_t)(next - p) : n;
		} else {
			i++;
		}
	}
	return n;
}

/* Start tags that leave SVG/MathML content for HTML (the "breakout" list). */
static bool breaks_out_of_foreign(GumboTag tag)
{
	switch (tag) {
	case GUMBO_TAG_B: case GUMBO_TAG_BIG: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_BODY:
	case GUMBO_TAG_BR: case GUMBO_TAG_CENTER: case GUMBO_TAG_CODE: case GUMBO_TAG_DD:
	case GUMBO_TAG_DIV: case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_EM:
	case GUMBO_TAG_EMBED: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_HEAD:
	case GUMBO_TAG_HR: case GUMBO_TAG_I: case GUMBO_TAG_IMG: case GUMBO_TAG_LI:
	case GUMBO_TAG_LISTING: case GUMBO_TAG_MENU: case GUMBO_TAG_META: case GUMBO_TAG_NOBR:
	case GUMBO_TAG_OL: case GUMBO_TAG_P: case GUMBO_TAG_PRE: case GUMBO_TAG_RUBY:
	case GUMBO_TAG_S: case GUMBO_TAG_SMALL: case GUMBO_TAG_SPAN: case GUMBO_TAG_STRONG:
	case GUMBO_TAG_STRIKE: case GUMBO_TAG_SUB: case GUMBO_TAG_SUP: case GUMBO_TAG_TABLE:
	case GUMBO_TAG_TT: case GUMBO_TAG_U: case GUMBO_TAG_UL: case GUMBO_TAG_VAR:
		return true;
	default:
		return false;
	}
}

/* Appends the offset of a cut (in the shortened text) to e->at. */
static void add_cut(struct elision *e, size_t at, struct chaff_arena *arena)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 32;
		size_t *grown = chaff_arena_alloc(arena, chaff_st_mult(cap, sizeof(*grown)));

		if (e->n)
			memcpy(grown, e->at, e->n * sizeof(*grown));
		e->at = grown;
		e->cap = cap;
	}
	e->at[e->n++] = at;
}

/* The copy of src without the cut bodies, built as the scan goes. */
struct copier {
	const char *src;
	char *dst;
	size_t done;  /* src[0..done) is copied or cut */
	size_t len;   /* bytes written to dst */
};

static void copy_to(struct copier *c, size_t upto)
{
	memcpy(c->dst + c->len, c->src + c->done, upto - c->done);
	c->len += upto - c->done;
	c->done = upto;
}

static void cut(struct copier *c, size_t from, size_t to, struct elision *e,
                struct chaff_arena *arena)
{
	copy_to(c, from);
	add_cut(e, c->len, arena);
	e->bytes += to - from;
	c->done = to;
}

/*
 * After a start tag in HTML content: where the tokenizer resumes, having
 * cut a script or style body, or skipped a RAWTEXT/RCDATA body.
 * Returns n for <plaintext> and for bodies the text ends inside.
 */
static size_t after_html_start_tag(GumboTag tag, size_t i, size_t n, struct copier *c,
                                   struct elision *e, struct chaff_arena *arena)
{
	const char *p = c->src;
	size_t end;

	switch (tag) {
	case GUMBO_TAG_SCRIPT:
	case GUMBO_TAG_STYLE:
		end = tag == GUMBO_TAG_SCRIPT ? script_body_end(p, i, n)
		                              : raw_body_end(p, i, n, "style", 5);
		if (end < n && end > i)
			cut(c, i, end, e, arena);
		return end;
	case GUMBO_TAG_PLAINTEXT:
		return n;
	case GUMBO_TAG_XMP: return raw_body_end(p, i, n, "xmp", 3);
	case GUMBO_TAG_IFRAME: return raw_body_end(p, i, n, "iframe", 6);
	case GUMBO_TAG_NOEMBED: return raw_body_end(p, i, n, "noembed", 7);
	case GUMBO_TAG_NOFRAMES: return raw_body_end(p, i, n, "noframes", 8);
	case GUMBO_TAG_TITLE: return raw_body_end(p, i, n, "title", 5);
	case GUMBO_TAG_TEXTAREA: return raw_body_end(p, i, n, "textarea", 8);
	default: return i;
	}
}

size_t html_elide(const char *src, size_t n, char *dst, struct elision *e,
                  struct chaff_arena *arena)
{
	struct copier c = {src, dst, 0, 0};
	unsigned foreign = 0;  /* depth of open <svg>/<math> */
	size_t i = 0;

	memset(e, 0, sizeof(*e));
	while (i < n) {
		const char *lt = memchr(src + i, '<', n - i), *name;
		size_t len = 0;
		bool closing = false, self_closing;
		GumboTag tag;

		if (!lt)
			break;
		i = (size_t)(lt - src) + 1;
		if (i + 2 < n && !memcmp(src + i, "!--", 3)) {
			i = comment_end(src, i + 3, n);
			continue;
		}
		if (foreign && i + 7 < n && !memcmp(src + i, "![CDATA[", 8)) {
			const char *end = chaff_memcasemem(src + i + 8, n - i - 8, "]]>");

			i = end ? (size_t)(end - src) + 3 : n;
			continue;
		}
		if (i < n && (src[i] == '!' || src[i] == '?')) {
			i = bogus_comment_end(src, i, n);
			continue;
		}
		if (i < n && src[i] == '/') {
			closing = true;
			i++;
			if (i < n && !is_alpha(src[i])) {
				/* "</>" is dropped; "</" and a non-letter opens a bogus comment. */
				i = src[i] == '>' ? i + 1 : bogus_comment_end(src, i, n);
				continue;
			}
		}
		if (i >= n || !is_alpha(src[i]))
			continue;  /* a '<' that is text */
		name = src + i;
		while (i + len < n && !is_space(name[len]) && name[len] != '/' && name[len] != '>')
			len++;
		tag = gumbo_tagn_enum(name, (unsigned)len);
		i = tag_end(src, i + len, n, &self_closing);
		if (closing) {
			if (foreign && (tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH))
				foreign--;
		} else if (foreign) {
			if (breaks_out_of_foreign(tag))
				foreign = 0;
			else if (!self_closing && (tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH))
				foreign++;
		} else if (tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH) {
			foreign = !self_closing;
		} else {
			i = after_html_start_tag(tag, i, n, &c, e, arena);
		}
	}
	/* Nothing cut: the caller parses src itself, no need to copy it. */
	if (e->n)
		copy_to(&c, n);
	return c.len;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The index of off in the sorted cuts, or -1. */
static long find_cut(const struct elision *e, size_t off)
{
	const size_t *hit = bsearch(&off, e->at, e->n, sizeof(*e->at), cmp_size);

	return hit ? (long)(hit - e->at) : -1;
}

bool elision_verified(GumboNode *root, const char *text, const struct elision *e,
                      struct chaff_arena *arena)
{
	bool *seen = chaff_arena_calloc(arena, e->n, sizeof(*seen));
	GumboNode **stack;
	size_t top = 0, cap = 256, matched = 0;

	stack = chaff_arena_alloc(arena, cap * sizeof(*stack));
	stack[top++] = root;
	while (top > 0) {
		GumboNode *node = stack[--top];
		GumboElement *el;
		size_t k;

		if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)
			continue;
		el = &node->v.element;
		if ((el->tag == GUMBO_TAG_SCRIPT || el->tag == GUMBO_TAG_STYLE) &&
		    el->tag_namespace == GUMBO_NAMESPACE_HTML && el->children.length == 0 &&
		    el->original_tag.data && el->original_tag.data >= text) {
			long at = find_cut(e, (size_t)(el->original_tag.data - text) +
			                          el->original_tag.length);

			if (at >= 0 && !seen[at]) {
				seen[at] = true;
				if (++matched == e->n)
					return true;
			}
		}
		if (top + el->children.length > cap) {
			GumboNode **grown;

			while (top + el->children.length > cap)
				cap *= 2;
			grown = chaff_arena_alloc(arena, chaff_st_mult(cap, sizeof(*grown)));
			memcpy(grown, stack, top * sizeof(*grown));
			stack = grown;
		}
		for (k = 0; k < el->children.length; k++)
			stack[top++] = el->children.data[k];
	}
	return matched == e->n;
}
