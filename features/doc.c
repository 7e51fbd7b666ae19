/*
 * doc.c - chaff_doc_parse: page bytes to a document of text blocks.
 * Charset first (Gumbo takes only UTF-8), then the depth pre-scan and the
 * byte cap, then HTML or plain text.
 */
#include <string.h>

#include "features/internal.h"

static const char *const region_names[CHAFF_REGION_COUNT] = {
	"main", "nav", "header", "footer", "aside", "form", "comments", "related", "tags", "ad",
};

const char *chaff_region_name(enum chaff_region r)
{
	return (unsigned)r < CHAFF_REGION_COUNT ? region_names[r] : "?";
}

void sink_init(struct block_sink *s, struct chaff_arena *arena, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->arena = arena;
	s->max = max;
}

size_t collapse_space(char *s, size_t n)
{
	size_t i, k = 0;
	bool space = true;  /* drops leading space */

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool sp = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';

		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
			sp = true;
			i++;
		}
		if (sp) {
			if (!space)
				s[k++] = ' ';
			space = true;
			continue;
		}
		s[k++] = (char)c;
		space = false;
	}
	while (k && s[k - 1] == ' ')
		k--;
	s[k] = '\0';
	return k;
}

long sink_add(struct block_sink *s, const char *text, size_t len, const struct chaff_block *proto)
{
	struct chaff_block *b;

	while (len && text[len - 1] == ' ')
		len--;
	while (len && text[0] == ' ') {
		text++;
		len--;
	}
	if (!len)
		return -1;
	if (s->n >= s->max) {
		s->truncated = true;
		return -1;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 128;
		struct chaff_block *grown =
			chaff_arena_alloc(s->arena, chaff_st_mult(cap, sizeof(*grown)));

		if (s->n)
			memcpy(grown, s->blocks, s->n * sizeof(*grown));
		s->blocks = grown;
		s->cap = cap;
	}
	b = &s->blocks[s->n];
	*b = *proto;
	b->text = chaff_arena_strndup(s->arena, text, len);
	b->len = len;
	if (b->link_bytes > len)
		b->link_bytes = len;
	s->text_bytes += len;
	return (long)s->n++;
}

/* Host of an absolute http(s) URL, lower case, without port or userinfo. */
static const char *url_host(const char *url, struct chaff_arena *arena)
{
	const char *p = strstr(url, "://"), *end, *at;
	char *host;
	size_t i, n;

	if (!p)
		return NULL;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	n = strcspn(p, ":/?#");
	if (n > (size_t)(end - p))
		n = (size_t)(end - p);
	if (!n || n > 255)
		return NULL;
	host = chaff_arena_strndup(arena, p, n);
	for (i = 0; i < n; i++)
		if (host[i] >= 'A' && host[i] <= 'Z')
			host[i] = (char)(host[i] + 32);
	return host;
}

/* Binary files (images, PDFs, executables) are not pages: NUL and control bytes. */
static bool looks_binary(const char *p, size_t n)
{
	size_t i, scan = n < 4096 ? n : 4096, bad = 0;

	for (i = 0; i < scan; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b))
			bad++;
	}
	return scan && bad * 10 > scan;
}

enum chaff_err chaff_doc_parse(struct chaff_doc *doc, const struct chaff_page *page,
                               const struct chaff_limits *lim, struct chaff_arena *arena,
                               char *why)
{
	const char *raw = page->body.data ? page->body.data : "";
	size_t n = page->body.len;
	struct chaff_buf utf8;
	enum chaff_err err;
	enum chaff_page_kind kind = page->kind;
	const char *used = "UTF-8";

	memset(doc, 0, sizeof(*doc));
	doc->title = "";
	doc->input_bytes = n;
	doc->truncated = page->truncated;
	if (page->url) {
		doc->url = chaff_arena_strdup(arena, page->url);
		doc->host = url_host(page->url, arena);
	}
	if (n == 0) {
		chaff_why(why, "empty page");
		return CHAFF_ERR_EMPTY;
	}
	/* UTF-16 has NUL bytes by nature; only a BOM-less binary is refused. */
	if (looks_binary(raw, n) && !(n >= 2 && (!memcmp(raw, "\xFF\xFE", 2) ||
	                                         !memcmp(raw, "\xFE\xFF", 2)))) {
		chaff_why(why, "binary data, not a page");
		return CHAFF_ERR_UNSUPPORTED;
	}
	chaff_buf_init(&utf8, lim->max_parse_bytes);
	err = chaff_to_utf8(raw, n, page->charset, &utf8, &used, why);
	if (err == CHAFF_ERR_TOO_LARGE) {
		doc->truncated = true;  /* keep the first max_parse_bytes */
		err = CHAFF_OK;
	}
	if (err)
		goto out;
	doc->charset = used;
	if (kind == CHAFF_PAGE_SNIFF)
		kind = chaff_sniff_kind(utf8.data ? utf8.data : "", utf8.len);
	if (kind == CHAFF_PAGE_HTML) {
		struct prescan ps;

		prescan_depth(utf8.data, utf8.len, lim->max_depth, &ps);
		doc->max_depth = ps.max_depth;
		if (ps.cut_at < utf8.len) {
			/* Parse what comes before the over-deep part; the rest is lost. */
			utf8.len = ps.cut_at;
			doc->truncated = true;
		}
		err = html_to_doc(doc, utf8.data ? utf8.data : "", utf8.len, lim, arena);
	} else {
		err = text_to_doc(doc, utf8.data ? utf8.data : "", utf8.len, lim, arena);
	}
	if (!err && doc->nblocks == 0) {
		chaff_why(why, "no visible text");
		err = CHAFF_ERR_EMPTY;
	}
out:
	chaff_buf_release(&utf8);
	return err;
}
