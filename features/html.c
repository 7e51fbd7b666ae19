/*
 * html.c - Gumbo parse (arena allocator, no destroy: the arena frees it)
 * and an iterative walk that turns the tree into blocks of text with their
 * tag path, heading level, region and link text.
 */
#include <pthread.h>
#include <string.h>

#include <gumbo.h>

#include "features/internal.h"

#define PATH_LEVELS 8
#define ROW_SCAN_NODES 400

/* What an open element contributes to the text inside it. */
struct ctx {
	GumboNode *node;
	const char *cls;        /* class attribute, for block paths */
	enum chaff_region region;
	unsigned heading;       /* 1..6 inside h1..h6 */
	unsigned flags;         /* LIST_ITEM, HIDDEN, PRE, QUOTE inherited */
	bool block;             /* flushes text at its start and end */
	bool row;               /* data table row or select: cells join into one block */
	int link;               /* index of the open <a>, or -1 */
};

struct walker {
	struct chaff_doc *doc;
	struct chaff_arena *arena;
	struct block_sink sink;
	struct chaff_buf text;      /* text of the block being built */
	bool space;                 /* last byte appended was a space */
	size_t link_bytes;
	unsigned links_in_block;
	struct ctx *ctx;            /* open elements */
	size_t nctx, capctx;
	struct chaff_link *links;
	size_t nlinks, caplinks, pending_links;
	struct chaff_buf link_text;
	bool in_title;
};

static void *arena_alloc_cb(void *userdata, size_t size)
{
	return chaff_arena_alloc(userdata, size);
}

static void arena_free_cb(void *userdata, void *ptr)
{
	(void)userdata;
	(void)ptr;  /* freed all at once with the page's arena */
}

enum tag_class { TAG_INLINE = 0, TAG_BLOCK = 1, TAG_SKIPPED = 2 };

/* Elements that break text into blocks, and elements whose text is not shown. */
static const GumboTag block_tags[] = {
	GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE, GUMBO_TAG_BLOCKQUOTE,
	GUMBO_TAG_BODY, GUMBO_TAG_CENTER, GUMBO_TAG_DD, GUMBO_TAG_DETAILS,
	GUMBO_TAG_DIV, GUMBO_TAG_DL, GUMBO_TAG_DT, GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION,
	GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER, GUMBO_TAG_FORM, GUMBO_TAG_H1, GUMBO_TAG_H2,
	GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6, GUMBO_TAG_HEADER,
	GUMBO_TAG_HGROUP, GUMBO_TAG_HR, GUMBO_TAG_LI, GUMBO_TAG_MAIN, GUMBO_TAG_NAV,
	GUMBO_TAG_OL, GUMBO_TAG_P, GUMBO_TAG_PRE, GUMBO_TAG_SECTION, GUMBO_TAG_SUMMARY,
	GUMBO_TAG_TABLE, GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT, GUMBO_TAG_TR,
	GUMBO_TAG_TD, GUMBO_TAG_TH, GUMBO_TAG_UL, GUMBO_TAG_CAPTION, GUMBO_TAG_LEGEND,
	GUMBO_TAG_SELECT, GUMBO_TAG_MENU, GUMBO_TAG_HTML, GUMBO_TAG_FRAMESET,
};
static const GumboTag skipped_tags[] = {
	GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE, GUMBO_TAG_NOSCRIPT, GUMBO_TAG_TEMPLATE,
	GUMBO_TAG_HEAD, GUMBO_TAG_SVG, GUMBO_TAG_MATH, GUMBO_TAG_IFRAME, GUMBO_TAG_OBJECT,
	GUMBO_TAG_EMBED, GUMBO_TAG_CANVAS, GUMBO_TAG_AUDIO, GUMBO_TAG_VIDEO,
	GUMBO_TAG_TEXTAREA, GUMBO_TAG_MAP,
};

static unsigned char tag_classes[GUMBO_TAG_LAST + 1];
static pthread_once_t tag_classes_once = PTHREAD_ONCE_INIT;

/* One table lookup per element instead of scanning the lists. */
static void build_tag_classes(void)
{
	size_t i;

	for (i = 0; i < sizeof(block_tags) / sizeof(block_tags[0]); i++)
		tag_classes[block_tags[i]] = TAG_BLOCK;
	for (i = 0; i < sizeof(skipped_tags) / sizeof(skipped_tags[0]); i++)
		tag_classes[skipped_tags[i]] = TAG_SKIPPED;
}

static enum tag_class tag_class(GumboTag t)
{
	return (unsigned)t <= GUMBO_TAG_LAST ? (enum tag_class)tag_classes[t] : TAG_INLINE;
}

static bool is_block_tag(GumboTag t)
{
	return tag_class(t) == TAG_BLOCK;
}

static bool is_skipped_tag(GumboTag t)
{
	return tag_class(t) == TAG_SKIPPED;
}

static const char *attr(const GumboElement *el, const char *name)
{
	GumboAttribute *a = gumbo_get_attribute(&el->attributes, name);

	return a ? a->value : NULL;
}

/* The attributes the walk reads on every element, found in one pass. */
struct el_attrs {
	const char *cls, *id, *role, *style, *aria_hidden;
	bool hidden;
};

/* Gumbo lower-cases attribute names, and keeps the first of duplicates. */
static void read_attrs(const GumboElement *el, struct el_attrs *a)
{
	unsigned i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < el->attributes.length; i++) {
		const GumboAttribute *at = el->attributes.data[i];
		const char *name = at->name, **slot = NULL;

		switch (name[0]) {
		case 'c': slot = !strcmp(name, "class") ? &a->cls : NULL; break;
		case 'i': slot = !strcmp(name, "id") ? &a->id : NULL; break;
		case 'r': slot = !strcmp(name, "role") ? &a->role : NULL; break;
		case 's': slot = !strcmp(name, "style") ? &a->style : NULL; break;
		case 'a': slot = !strcmp(name, "aria-hidden") ? &a->aria_hidden : NULL; break;
		case 'h': a->hidden |= !strcmp(name, "hidden"); break;
		default: break;
		}
		if (slot && !*slot)
			*slot = at->value;
	}
}

/* ---- regions from tag names, roles, classes and ids ---- */

struct region_word {
	const char *word;
	size_t len;
	enum chaff_region region;
};

#define RW(word, region) {word, sizeof(word) - 1, region}

static const struct region_word region_words[] = {
	RW("nav", CHAFF_REGION_NAV), RW("navbar", CHAFF_REGION_NAV), RW("navigation", CHAFF_REGION_NAV),
	RW("menu", CHAFF_REGION_NAV), RW("breadcrumb", CHAFF_REGION_NAV),
	RW("breadcrumbs", CHAFF_REGION_NAV), RW("topbar", CHAFF_REGION_NAV),
	RW("header", CHAFF_REGION_HEADER), RW("masthead", CHAFF_REGION_HEADER),
	RW("footer", CHAFF_REGION_FOOTER), RW("colophon", CHAFF_REGION_FOOTER),
	RW("sidebar", CHAFF_REGION_ASIDE), RW("widget", CHAFF_REGION_ASIDE),
	RW("widgets", CHAFF_REGION_ASIDE), RW("rail", CHAFF_REGION_ASIDE),
	RW("comment", CHAFF_REGION_COMMENTS), RW("comments", CHAFF_REGION_COMMENTS),
	RW("respond", CHAFF_REGION_COMMENTS), RW("reply", CHAFF_REGION_COMMENTS),
	RW("disqus", CHAFF_REGION_COMMENTS), RW("discussion", CHAFF_REGION_COMMENTS),
	RW("related", CHAFF_REGION_RELATED), RW("relatedposts", CHAFF_REGION_RELATED),
	RW("seealso", CHAFF_REGION_RELATED), RW("recommended", CHAFF_REGION_RELATED),
	RW("recommendations", CHAFF_REGION_RELATED), RW("popular", CHAFF_REGION_RELATED),
	RW("trending", CHAFF_REGION_RELATED), RW("teaser", CHAFF_REGION_RELATED),
	RW("teasers", CHAFF_REGION_RELATED), RW("outbrain", CHAFF_REGION_RELATED),
	RW("taboola", CHAFF_REGION_RELATED), RW("yarpp", CHAFF_REGION_RELATED),
	RW("tags", CHAFF_REGION_TAGS), RW("tag", CHAFF_REGION_TAGS), RW("tagcloud", CHAFF_REGION_TAGS),
	RW("categories", CHAFF_REGION_TAGS), RW("category", CHAFF_REGION_TAGS),
	RW("cat", CHAFF_REGION_TAGS), RW("taxonomy", CHAFF_REGION_TAGS),
	RW("ad", CHAFF_REGION_AD), RW("ads", CHAFF_REGION_AD), RW("advert", CHAFF_REGION_AD),
	RW("advertisement", CHAFF_REGION_AD), RW("adsbygoogle", CHAFF_REGION_AD),
	RW("sponsor", CHAFF_REGION_AD), RW("sponsored", CHAFF_REGION_AD), RW("promo", CHAFF_REGION_AD),
	RW("banner", CHAFF_REGION_AD), RW("cookie", CHAFF_REGION_AD), RW("cookies", CHAFF_REGION_AD),
	RW("consent", CHAFF_REGION_AD), RW("gdpr", CHAFF_REGION_AD), RW("newsletter", CHAFF_REGION_AD),
	RW("subscribe", CHAFF_REGION_AD), RW("popup", CHAFF_REGION_AD),
};

/* Words that may follow a region word in a class name: "related-posts", "ad-slot". */
static bool generic_part(const char *p, size_t n)
{
	static const char *const words[] = {
		"posts", "post", "articles", "article", "links", "link", "list", "box", "area",
		"wrap", "wrapper", "container", "section", "items", "item", "stories", "content",
		"slot", "unit", "holder", "block", "module", "bar", "zone", "inner", "outer",
		"title", "heading", "form", "panel", "notice", "widget", "cloud", "entries",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && !chaff_strncasecmp(p, words[i], n))
			return true;
	return false;
}

static bool is_sep(char c)
{
	return c == '-' || c == '_' || c == ' ' || c == '\t' || c == '\n';
}

/*
 * The region a class or id token names: a region word that ends the token,
 * or is followed only by generic words ("related-posts", "post-tags",
 * "comments-area"); "category-health" (WordPress's per-post classes) and
 * "has-sidebar" (layout flags) do not count.
 */
static enum chaff_region token_region(const char *t, size_t n)
{
	const char *parts[8];
	size_t lens[8], np = 0, i = 0, k, w;

	while (i < n && np < 8) {
		size_t start;

		while (i < n && is_sep(t[i]))
			i++;
		start = i;
		while (i < n && !is_sep(t[i]))
			i++;
		if (i > start) {
			parts[np] = t + start;
			lens[np++] = i - start;
		}
	}
	if (np && ((lens[0] == 3 && !chaff_strncasecmp(parts[0], "has", 3)) ||
	           (lens[0] == 2 && !chaff_strncasecmp(parts[0], "no", 2))))
		return CHAFF_REGION_MAIN;
	for (k = 0; k < np; k++) {
		for (w = 0; w < sizeof(region_words) / sizeof(region_words[0]); w++) {
			const char *word = region_words[w].word;
			size_t m;
			bool tail_generic = true;

			if (region_words[w].len != lens[k] || chaff_strncasecmp(parts[k], word, lens[k]))
				continue;
			for (m = k + 1; m < np; m++)
				if (!generic_part(parts[m], lens[m]))
					tail_generic = false;
			if (tail_generic)
				return region_words[w].region;
		}
	}
	return CHAFF_REGION_MAIN;
}

/* Class lists hold several tokens: the first that names a region wins. */
static enum chaff_region attr_region(const char *v)
{
	const char *p = v;

	while (p && *p) {
		size_t n;
		enum chaff_region r;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		n = strcspn(p, " \t\n");
		if (!n)
			break;
		r = token_region(p, n);
		if (r != CHAFF_REGION_MAIN)
			return r;
		p += n;
	}
	return CHAFF_REGION_MAIN;
}

static enum chaff_region element_region(const GumboNode *node, const struct el_attrs *a)
{
	const GumboElement *el = &node->v.element;
	const char *role = a->role;
	enum chaff_region r;

	switch (el->tag) {
	case GUMBO_TAG_NAV: return CHAFF_REGION_NAV;
	case GUMBO_TAG_FOOTER: return CHAFF_REGION_FOOTER;
	case GUMBO_TAG_ASIDE: return CHAFF_REGION_ASIDE;
	case GUMBO_TAG_HEADER:
		/* <header> inside an article is the article's own header. */
		return CHAFF_REGION_HEADER;
	case GUMBO_TAG_FORM:
		/* ASP.NET wraps the whole body in one form: only deeper forms count. */
		if (node->parent && node->parent->type == GUMBO_NODE_ELEMENT &&
		    node->parent->v.element.tag == GUMBO_TAG_BODY)
			break;
		r = attr_region(a->cls);
		if (r == CHAFF_REGION_MAIN)
			r = attr_region(a->id);
		return r != CHAFF_REGION_MAIN ? r : CHAFF_REGION_FORM;
	case GUMBO_TAG_HTML: case GUMBO_TAG_BODY: case GUMBO_TAG_MAIN:
		return CHAFF_REGION_MAIN;
	default:
		break;
	}
	if (role) {
		if (!strcmp(role, "navigation")) return CHAFF_REGION_NAV;
		if (!strcmp(role, "banner")) return CHAFF_REGION_HEADER;
		if (!strcmp(role, "contentinfo")) return CHAFF_REGION_FOOTER;
		if (!strcmp(role, "complementary")) return CHAFF_REGION_ASIDE;
	}
	r = attr_region(a->cls);
	if (r == CHAFF_REGION_MAIN)
		r = attr_region(a->id);
	return r;
}

static bool element_hidden(const struct el_attrs *a)
{
	const char *style = a->style;
	const char *aria = a->aria_hidden;

	if (a->hidden)
		return true;
	if (aria && !strcmp(aria, "true"))
		return true;
	if (!style)
		return false;
	/* Match "display: none" with any spacing. */
	{
		char squeezed[256];
		size_t i, k = 0;

		for (i = 0; style[i] && k + 1 < sizeof(squeezed); i++)
			if (style[i] != ' ' && style[i] != '\t')
				squeezed[k++] = style[i];
		squeezed[k] = '\0';
		return chaff_memcasemem(squeezed, k, "display:none") ||
		       chaff_memcasemem(squeezed, k, "visibility:hidden") ||
		       chaff_memcasemem(squeezed, k, "left:-9") ||
		       chaff_memcasemem(squeezed, k, "top:-9") ||
		       chaff_memcasemem(squeezed, k, "font-size:0;") ||
		       chaff_memcasemem(squeezed, k, "font-size:0px");
	}
}

/*
 * A table row whose cells hold only inline content is data (a price
 * table): its cells become one block. Layout tables put whole pages in a
 * cell; their rows are walked like any other markup. Bounded look-ahead.
 */
static bool is_data_row(GumboNode *tr)
{
	GumboNode *stack[64];
	size_t top = 0, seen = 0;

	stack[top++] = tr;
	while (top > 0) {
		GumboNode *n = stack[--top];
		GumboVector *kids;
		size_t i;

		if (++seen > ROW_SCAN_NODES)
			return false;
		if (n->type != GUMBO_NODE_ELEMENT)
			continue;
		if (n != tr) {
			GumboTag t = n->v.element.tag;

			if (t == GUMBO_TAG_TABLE || t == GUMBO_TAG_DIV || t == GUMBO_TAG_P ||
			    t == GUMBO_TAG_UL || t == GUMBO_TAG_OL || t == GUMBO_TAG_H1 ||
			    t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 || t == GUMBO_TAG_BLOCKQUOTE ||
			    t == GUMBO_TAG_FORM)
				return false;
		}
		kids = &n->v.element.children;
		for (i = 0; i < kids->length; i++) {
			if (top == sizeof(stack) / sizeof(stack[0]))
				return false;
			stack[top++] = kids->data[i];
		}
	}
	return true;
}

/* ---- text accumulation ---- */

static bool is_space_byte(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Append text with white space collapsed; runs of other bytes go in whole. */
static void append_text(struct walker *w, const char *s, size_t n)
{
	size_t i = 0, before = w->text.len;

	while (i < n) {
		size_t run = i;

		/* U+00A0 no-break space is a space for our purposes. */
		while (run < n && !is_space_byte((unsigned char)s[run]) &&
		       !((unsigned char)s[run] == 0xC2 && run + 1 < n &&
		         (unsigned char)s[run + 1] == 0xA0))
			run++;
		if (run > i) {
			if (chaff_buf_append(&w->text, s + i, run - i))
				break;
			w->space = false;
			i = run;
			continue;
		}
		i += (unsigned char)s[i] == 0xC2 ? 2 : 1;
		if (!w->space && w->text.len && chaff_buf_putc(&w->text, ' '))
			break;
		w->space = true;
	}
	if (w->nctx && w->ctx[w->nctx - 1].link >= 0) {
		w->link_bytes += w->text.len - before;
		chaff_buf_append(&w->link_text, w->text.data + before, w->text.len - before);
	}
}

static void soft_space(struct walker *w)
{
	if (w->text.len && !w->space) {
		chaff_buf_putc(&w->text, ' ');
		w->space = true;
	}
}

static const struct ctx *owner(const struct walker *w)
{
	size_t i = w->nctx;

	while (i-- > 0)
		if (w->ctx[i].block || w->ctx[i].row)
			return &w->ctx[i];
	return NULL;
}

/* "body>div.content>article>p", the last PATH_LEVELS element levels. */
static const char *make_path(struct walker *w)
{
	char tmp[512];
	size_t k = 0, i, first = w->nctx > PATH_LEVELS ? w->nctx - PATH_LEVELS : 0;

	for (i = first; i < w->nctx && k < sizeof(tmp) - 1; i++) {
		const GumboElement *el = &w->ctx[i].node->v.element;
		const char *name = gumbo_normalized_tagname(el->tag);
		const char *cls = w->ctx[i].cls;
		int wrote;

		if (!name || !*name)
			name = "x";
		if (el->tag == GUMBO_TAG_HTML)
			continue;
		if (cls && *cls) {
			size_t cl = strcspn(cls, " \t\n");

			wrote = snprintf(tmp + k, sizeof(tmp) - k, "%s%s.%.*s", k ? ">" : "", name,
			                 (int)(cl > 40 ? 40 : cl), cls);
		} else {
			wrote = snprintf(tmp + k, sizeof(tmp) - k, "%s%s", k ? ">" : "", name);
		}
		if (wrote < 0)
			break;
		k += (size_t)wrote;
	}
	if (k >= sizeof(tmp))
		k = sizeof(tmp) - 1;
	return chaff_arena_strndup(w->arena, tmp, k);
}

static void flush(struct walker *w, unsigned extra_flags)
{
	const struct ctx *o = owner(w);
	struct chaff_block proto;
	long index;
	size_t i;

	if (w->text.len == 0)
		return;
	memset(&proto, 0, sizeof(proto));
	proto.path = make_path(w);
	proto.heading = o ? o->heading : 0;
	proto.flags = (o ? o->flags : 0) | extra_flags | (proto.heading ? CHAFF_BLOCK_HEADING : 0);
	proto.region = o ? o->region : CHAFF_REGION_MAIN;
	proto.link_bytes = w->link_bytes;
	proto.links = w->links_in_block;
	proto.depth = (unsigned)w->nctx;
	index = sink_add(&w->sink, w->text.data, w->text.len, &proto);
	for (i = w->nlinks - w->pending_links; i < w->nlinks; i++)
		w->links[i].block = index >= 0 ? (unsigned)index : UINT32_MAX;
	w->pending_links = 0;
	chaff_buf_reset(&w->text);
	w->space = false;
	w->link_bytes = 0;
	w->links_in_block = 0;
}

/* ---- links ---- */

static bool same_host(const char *href, const char *host)
{
	const char *p = href, *end;
	size_t n;

	if (!chaff_strncasecmp(p, "http://", 7))
		p += 7;
	else if (!chaff_strncasecmp(p, "https://", 8))
		p += 8;
	else if (p[0] == '/' && p[1] == '/')
		p += 2;
	else
		return true;  /* relative: same host */
	if (!host)
		return false;
	end = p + strcspn(p, "/:?#");
	n = (size_t)(end - p);
	if (n > 4 && !chaff_strncasecmp(p, "www.", 4)) {
		p += 4;
		n -= 4;
	}
	if (!chaff_strncasecmp(host, "www.", 4))
		host += 4;
	return strlen(host) == n && !chaff_strncasecmp(p, host, n);
}

static void open_link(struct walker *w, struct ctx *c, const GumboElement *el)
{
	const char *href = attr(el, "href");
	const char *rel = attr(el, "rel");
	struct chaff_link *l;

	if (!href || w->nlinks >= w->sink.max * 4)
		return;
	if (w->nlinks == w->caplinks) {
		size_t cap = w->caplinks ? w->caplinks * 2 : 64;
		struct chaff_link *grown = chaff_arena_alloc(w->arena, chaff_st_mult(cap, sizeof(*grown)));

		if (w->nlinks)
			memcpy(grown, w->links, w->nlinks * sizeof(*grown));
		w->links = grown;
		w->caplinks = cap;
	}
	l = &w->links[w->nlinks];
	memset(l, 0, sizeof(*l));
	l->href = chaff_arena_strndup(w->arena, href, strnlen(href, 2048));
	l->external = !same_host(href, w->doc->host);
	l->nofollow = rel && chaff_memcasemem(rel, strlen(rel), "nofollow");
	l->block = UINT32_MAX;
	c->link = (int)w->nlinks++;
	w->pending_links++;
	w->links_in_block++;
	chaff_buf_reset(&w->link_text);
}

static void close_link(struct walker *w, const struct ctx *c)
{
	struct chaff_link *l = &w->links[c->link];
	size_t n = w->link_text.len;
	char *t = chaff_arena_strndup(w->arena, w->link_text.data ? w->link_text.data : "", n);

	l->text = t;
	(void)collapse_space(t, n);
	chaff_buf_reset(&w->link_text);
}

/* ---- the walk ---- */

static void push_ctx(struct walker *w, GumboNode *node)
{
	const GumboElement *el = &node->v.element;
	const struct ctx *row = owner(w);
	struct ctx *parent, *c;
	struct el_attrs attrs;
	enum chaff_region r;

	if (row && !row->row)
		row = NULL;
	if (w->nctx == w->capctx) {
		size_t cap = w->capctx ? w->capctx * 2 : 64;
		struct ctx *grown = chaff_arena_alloc(w->arena, chaff_st_mult(cap, sizeof(*grown)));

		if (w->nctx)
			memcpy(grown, w->ctx, w->nctx * sizeof(*grown));
		w->ctx = grown;
		w->capctx = cap;
	}
	parent = w->nctx ? &w->ctx[w->nctx - 1] : NULL;
	c = &w->ctx[w->nctx++];
	memset(c, 0, sizeof(*c));
	c->node = node;
	read_attrs(el, &attrs);
	c->cls = attrs.cls;
	c->link = parent ? parent->link : -1;
	c->region = parent ? parent->region : CHAFF_REGION_MAIN;
	c->heading = parent ? parent->heading : 0;
	c->flags = parent ? parent->flags : 0;
	if (row) {
		/* Inside a data row everything joins the row's block. */
		if ((el->tag == GUMBO_TAG_TD || el->tag == GUMBO_TAG_TH ||
		     el->tag == GUMBO_TAG_OPTION) && w->text.len)
			append_text(w, " | ", 3);
	} else {
		c->block = is_block_tag(el->tag) || el->tag == GUMBO_TAG_BR;
	}
	r = element_region(node, &attrs);
	/* The nearest region wins, but a region's own header stays in it. */
	if (r != CHAFF_REGION_MAIN && !(r == CHAFF_REGION_HEADER && c->region != CHAFF_REGION_MAIN))
		c->region = r;
	switch (el->tag) {
	case GUMBO_TAG_H1: c->heading = 1; break;
	case GUMBO_TAG_H2: c->heading = 2; break;
	case GUMBO_TAG_H3: c->heading = 3; break;
	case GUMBO_TAG_H4: c->heading = 4; break;
	case GUMBO_TAG_H5: c->heading = 5; break;
	case GUMBO_TAG_H6: c->heading = 6; break;
	case GUMBO_TAG_LI: c->flags |= CHAFF_BLOCK_LIST_ITEM; break;
	case GUMBO_TAG_PRE: case GUMBO_TAG_CODE: c->flags |= CHAFF_BLOCK_PRE; break;
	case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_Q: c->flags |= CHAFF_BLOCK_QUOTE; break;
	default: break;
	}
	if (element_hidden(&attrs))
		c->flags |= CHAFF_BLOCK_HIDDEN;
	if (c->block && ((el->tag == GUMBO_TAG_TR && is_data_row(node)) ||
	                 el->tag == GUMBO_TAG_SELECT)) {
		c->row = true;
		c->block = false;
	}
}

static void enter_element(struct walker *w, GumboNode *node)
{
	const GumboElement *el = &node->v.element;
	struct ctx *c;
	bool was_row_member = w->nctx && owner(w) && owner(w)->row;

	if (!was_row_member && (is_block_tag(el->tag) || el->tag == GUMBO_TAG_BR))
		flush(w, 0);
	else if (el->tag == GUMBO_TAG_BR || el->tag == GUMBO_TAG_IMG)
		soft_space(w);
	push_ctx(w, node);
	c = &w->ctx[w->nctx - 1];
	if (el->tag == GUMBO_TAG_A)
		open_link(w, c, el);
	else if (el->tag == GUMBO_TAG_INPUT) {
		const char *type = attr(el, "type"), *value = attr(el, "value");

		/* Buttons speak: "Add to cart", "Order now". */
		if (type && value && (!strcmp(type, "submit") || !strcmp(type, "button"))) {
			soft_space(w);
			append_text(w, value, strnlen(value, 200));
			soft_space(w);
		}
	}
}

static void leave_element(struct walker *w)
{
	struct ctx *c = &w->ctx[w->nctx - 1];
	GumboTag tag = c->node->v.element.tag;
	bool link_here = tag == GUMBO_TAG_A && c->link >= 0 &&
	                 (w->nctx == 1 || w->ctx[w->nctx - 2].link != c->link);

	if (link_here)
		close_link(w, c);
	if (c->row)
		flush(w, tag == GUMBO_TAG_TR ? CHAFF_BLOCK_TABLE : 0);
	else if (c->block)
		flush(w, 0);
	else if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH || tag == GUMBO_TAG_BUTTON)
		soft_space(w);
	w->nctx--;
}

static void walk_head(struct walker *w, GumboNode *head)
{
	GumboVector *kids = &head->v.element.children;
	size_t i;

	for (i = 0; i < kids->length; i++) {
		GumboNode *n = kids->data[i];
		const GumboElement *el;

		if (n->type != GUMBO_NODE_ELEMENT)
			continue;
		el = &n->v.element;
		if (el->tag == GUMBO_TAG_TITLE && !w->doc->title[0] && el->children.length) {
			GumboNode *t = el->children.data[0];

			if (t->type == GUMBO_NODE_TEXT) {
				size_t len = strnlen(t->v.text.text, 2048);
				char *s = chaff_arena_strndup(w->arena, t->v.text.text, len);

				collapse_space(s, len);
				w->doc->title = s;
			}
		} else if (el->tag == GUMBO_TAG_META && !w->doc->description) {
			const char *name = attr(el, "name"), *prop = attr(el, "property");
			const char *content = attr(el, "content");

			if (content && ((name && !chaff_strncasecmp(name, "description", 12)) ||
			                (prop && !strcmp(prop, "og:description")))) {
				size_t len = strnlen(content, 2048);
				char *s = chaff_arena_strndup(w->arena, content, len);

				collapse_space(s, len);
				w->doc->description = s;
			}
		}
	}
}

struct item {
	GumboNode *node;
	bool leave;
};

static void walk(struct walker *w, GumboNode *root)
{
	struct item *stack;
	size_t top = 0, cap = 256;

	stack = chaff_arena_alloc(w->arena, cap * sizeof(*stack));
	stack[top++] = (struct item){root, false};
	while (top > 0) {
		struct item it = stack[--top];
		GumboNode *n = it.node;
		GumboVector *kids;
		size_t i;

		if (it.leave) {
			leave_element(w);
			continue;
		}
		switch (n->type) {
		case GUMBO_NODE_TEXT:
		case GUMBO_NODE_CDATA:
		case GUMBO_NODE_WHITESPACE:
			append_text(w, n->v.text.text, strlen(n->v.text.text));
			continue;
		case GUMBO_NODE_ELEMENT:
		case GUMBO_NODE_TEMPLATE:
			break;
		default:
			continue;
		}
		if (n->v.element.tag == GUMBO_TAG_HEAD)
			walk_head(w, n);
		if (is_skipped_tag(n->v.element.tag))
			continue;
		enter_element(w, n);
		kids = &n->v.element.children;
		if (top + kids->length + 1 > cap) {
			size_t ncap = cap;
			struct item *grown;

			while (ncap < top + kids->length + 1)
				ncap = chaff_st_mult(ncap, 2);
			grown = chaff_arena_alloc(w->arena, chaff_st_mult(ncap, sizeof(*grown)));
			memcpy(grown, stack, top * sizeof(*grown));
			stack = grown;
			cap = ncap;
		}
		stack[top++] = (struct item){n, true};
		for (i = kids->length; i-- > 0;)
			stack[top++] = (struct item){kids->data[i], false};
	}
	flush(w, 0);
}

static const char *html_lang(GumboNode *root)
{
	const char *lang;

	if (root->type != GUMBO_NODE_ELEMENT)
		return NULL;
	lang = attr(&root->v.element, "lang");
	return lang && *lang ? lang : NULL;
}

/*
 * Parse utf8 without its script and style bodies (elide.c), or return NULL
 * when there are none to drop, or the tree does not confirm the cuts and
 * the whole text must be parsed.
 */
static GumboOutput *parse_without_bodies(struct chaff_doc *doc, const GumboOptions *opts,
                                         const char *utf8, size_t n,
                                         const struct chaff_limits *lim,
                                         struct chaff_arena *arena)
{
	struct elision cuts;
	char *text;
	size_t len;
	GumboOutput *out;

	if (lim->parse_script_bodies || n == 0)
		return NULL;
	text = chaff_arena_alloc(arena, n);
	len = html_elide(utf8, n, text, &cuts, arena);
	if (cuts.n == 0)
		return NULL;
	out = gumbo_parse_with_options(opts, text, len);
	if (!elision_verified(out->root, text, &cuts, arena)) {
		doc->elision_undone = true;
		return NULL;
	}
	doc->elided_bytes = cuts.bytes;
	return out;
}

enum chaff_err html_to_doc(struct chaff_doc *doc, const char *utf8, size_t n,
                           const struct chaff_limits *lim, struct chaff_arena *arena)
{
	GumboOptions opts = kGumboDefaultOptions;
	GumboOutput *out;
	struct walker w;
	const char *lang;

	pthread_once(&tag_classes_once, build_tag_classes);
	opts.allocator = arena_alloc_cb;
	opts.deallocator = arena_free_cb;
	opts.userdata = arena;
	opts.max_errors = 0;
	out = parse_without_bodies(doc, &opts, utf8, n, lim, arena);
	if (!out)
		out = gumbo_parse_with_options(&opts, utf8, n);
	/* No gumbo_destroy_output: it recurses, and the arena frees it all. */

	memset(&w, 0, sizeof(w));
	w.doc = doc;
	w.arena = arena;
	sink_init(&w.sink, arena, lim->max_blocks);
	chaff_buf_init(&w.text, lim->max_parse_bytes);
	chaff_buf_init(&w.link_text, 4096);
	walk(&w, out->root);
	lang = html_lang(out->root);
	if (lang)
		doc->lang = chaff_arena_strndup(arena, lang, strnlen(lang, 32));
	doc->blocks = w.sink.blocks;
	doc->nblocks = w.sink.n;
	doc->text_bytes = w.sink.text_bytes;
	doc->truncated |= w.sink.truncated;
	doc->links = w.links;
	doc->nlinks = w.nlinks;
	chaff_buf_release(&w.text);
	chaff_buf_release(&w.link_text);
	return CHAFF_OK;
}
