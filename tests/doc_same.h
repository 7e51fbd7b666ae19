/*
 * doc_same.h - parse one HTML text twice, with and without the script and
 * style bodies (features/elide.c), and tell the first difference between
 * the two documents. Shared by unit_elide.c and fuzz_elide.c.
 */
#ifndef CHAFF_TESTS_DOC_SAME_H
#define CHAFF_TESTS_DOC_SAME_H

#include <stdio.h>
#include <string.h>

#include "chaff.h"

struct twin_parse {
	struct chaff_arena arena[2];
	struct chaff_doc doc[2];  /* [0] bodies dropped (the default), [1] every byte parsed */
	enum chaff_err err[2];
};

static void twin_parse(struct twin_parse *t, const char *html, size_t n)
{
	int k;

	for (k = 0; k < 2; k++) {
		struct chaff_limits lim;
		struct chaff_page page;
		char why[CHAFF_WHY_MAX];

		chaff_limits_default(&lim);
		lim.parse_script_bodies = k == 1;
		chaff_page_init(&page, &lim);
		page.kind = CHAFF_PAGE_HTML;
		page.url = chaff_xstrdup("https://twin.example/page");
		chaff_buf_append(&page.body, html, n);
		chaff_arena_init(&t->arena[k]);
		t->err[k] = chaff_doc_parse(&t->doc[k], &page, &lim, &t->arena[k], why);
		chaff_page_release(&page);
	}
}

static void twin_release(struct twin_parse *t)
{
	chaff_arena_release(&t->arena[0]);
	chaff_arena_release(&t->arena[1]);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* NULL when the two documents agree, else what differs first (static text). */
static const char *twin_difference(const struct twin_parse *t, size_t *where)
{
	const struct chaff_doc *a = &t->doc[0], *b = &t->doc[1];
	size_t i;

	*where = 0;
	if (t->err[0] != t->err[1])
		return "result";
	if (!same_str(a->title, b->title))
		return "title";
	if (!same_str(a->description, b->description))
		return "description";
	if (!same_str(a->lang, b->lang))
		return "lang";
	if (a->nblocks != b->nblocks)
		return "number of blocks";
	if (a->nlinks != b->nlinks)
		return "number of links";
	if (a->text_bytes != b->text_bytes || a->truncated != b->truncated ||
	    a->max_depth != b->max_depth)
		return "text bytes, truncation or depth";
	for (i = 0; i < a->nblocks; i++) {
		const struct chaff_block *x = &a->blocks[i], *y = &b->blocks[i];

		*where = i;
		if (!same_str(x->text, y->text) || !same_str(x->path, y->path))
			return "block text or path";
		if (x->heading != y->heading || x->flags != y->flags || x->region != y->region ||
		    x->link_bytes != y->link_bytes || x->links != y->links || x->depth != y->depth)
			return "block attributes";
	}
	for (i = 0; i < a->nlinks; i++) {
		const struct chaff_link *x = &a->links[i], *y = &b->links[i];

		*where = i;
		if (!same_str(x->href, y->href) || !same_str(x->text, y->text) ||
		    x->block != y->block || x->external != y->external || x->nofollow != y->nofollow)
			return "link";
	}
	return NULL;
}

#endif
