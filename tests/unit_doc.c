/* unit_doc.c - documents: blocks, regions, tables, links, plain text, limits. */
#include <stdlib.h>
#include <string.h>

#include "chaff.h"
#include "tests/check.h"

struct parsed {
	struct chaff_arena arena;
	struct chaff_doc doc;
	enum chaff_err err;
};

static void parse(struct parsed *p, const char *bytes, size_t n, enum chaff_page_kind kind,
                  const struct chaff_limits *lim_in)
{
	struct chaff_limits lim;
	struct chaff_page page;
	char why[CHAFF_WHY_MAX] = "";

	if (lim_in)
		lim = *lim_in;
	else
		chaff_limits_default(&lim);
	chaff_arena_init(&p->arena);
	chaff_page_init(&page, &lim);
	page.kind = kind;
	page.url = chaff_xstrdup("https://www.pills.example/page");
	chaff_buf_append(&page.body, bytes, n);
	p->err = chaff_doc_parse(&p->doc, &page, &lim, &p->arena, why);
	chaff_page_release(&page);
}

static const struct chaff_block *find(const struct chaff_doc *d, const char *text)
{
	size_t i;

	for (i = 0; i < d->nblocks; i++)
		if (!strcmp(d->blocks[i].text, text))
			return &d->blocks[i];
	return NULL;
}

static void test_blocks_and_regions(void)
{
	static const char html[] =
		"<html lang=en><head><title> Drug  facts </title>"
		"<meta name=description content='About it'></head><body class='single tag-x'>"
		"<nav><a href='/'>Home</a></nav>"
		"<article class='post category-health'><h1>Metformin</h1>"
		"<p>Take it <b>with</b>&nbsp;food.<br>Second line</p>"
		"<ul><li>one</li><li>two</li></ul>"
		"<table><tr><td>30 pills</td><td>$0.89</td><td>Add to cart</td></tr></table>"
		"<div style='display: none'><a href='http://spam.example/x'>cheap pills</a></div>"
		"</article>"
		"<div class='related-posts'><a href='/kitchen'>Kitchen tips</a></div>"
		"<div class='post-tags'>Tags: a, b</div>"
		"<div id='comments'><h3>Leave a Reply</h3></div>"
		"<div class='has-sidebar'>layout flag only</div>"
		"<footer>Copyright</footer><script>var x='not text';</script></body></html>";
	struct parsed p;
	const struct chaff_block *b;

	parse(&p, html, sizeof(html) - 1, CHAFF_PAGE_HTML, NULL);
	CHECK_INT(p.err, CHAFF_OK);
	CHECK_STR(p.doc.title, "Drug facts");
	CHECK_STR(p.doc.description, "About it");
	CHECK_STR(p.doc.lang, "en");
	CHECK_STR(p.doc.host, "www.pills.example");
	b = find(&p.doc, "Home");
	CHECK(b && b->region == CHAFF_REGION_NAV && b->link_bytes == 4);
	b = find(&p.doc, "Metformin");
	CHECK(b && b->heading == 1 && (b->flags & CHAFF_BLOCK_HEADING) &&
	      b->region == CHAFF_REGION_MAIN);
	CHECK(find(&p.doc, "Take it with food.") != NULL);
	CHECK(find(&p.doc, "Second line") != NULL);
	b = find(&p.doc, "two");
	CHECK(b && (b->flags & CHAFF_BLOCK_LIST_ITEM));
	b = find(&p.doc, "30 pills | $0.89 | Add to cart");
	CHECK(b && (b->flags & CHAFF_BLOCK_TABLE));
	b = find(&p.doc, "cheap pills");
	CHECK(b && (b->flags & CHAFF_BLOCK_HIDDEN));
	b = find(&p.doc, "Kitchen tips");
	CHECK(b && b->region == CHAFF_REGION_RELATED);
	b = find(&p.doc, "Tags: a, b");
	CHECK(b && b->region == CHAFF_REGION_TAGS);
	b = find(&p.doc, "Leave a Reply");
	CHECK(b && b->region == CHAFF_REGION_COMMENTS && b->heading == 3);
	b = find(&p.doc, "layout flag only");
	CHECK(b && b->region == CHAFF_REGION_MAIN);
	b = find(&p.doc, "Copyright");
	CHECK(b && b->region == CHAFF_REGION_FOOTER);
	CHECK(find(&p.doc, "var x='not text';") == NULL);
	CHECK_INT(p.doc.nlinks, 3);
	CHECK(p.doc.nlinks == 3 && !p.doc.links[0].external && p.doc.links[1].external);
	CHECK(p.doc.nlinks == 3 && !strcmp(p.doc.links[1].text, "cheap pills"));
	chaff_arena_release(&p.arena);
}

static void test_layout_table(void)
{
	static const char html[] =
		"<table><tr><td><p>First paragraph.</p><p>Second paragraph.</p></td>"
		"<td>side</td></tr></table>";
	struct parsed p;

	parse(&p, html, sizeof(html) - 1, CHAFF_PAGE_HTML, NULL);
	CHECK(find(&p.doc, "First paragraph.") != NULL);
	CHECK(find(&p.doc, "Second paragraph.") != NULL);
	chaff_arena_release(&p.arena);
}

static void test_plain_text(void)
{
	static const char text[] =
		"A Title Line\n\n"
		"What Is It?\n"
		"This paragraph explains what the medicine is, at some length.\n"
		"  \xE2\x80\xA2 first point\n"
		"1. Numbered entry here.\n"
		"\n\nLast paragraph ends here.\n";
	struct parsed p;
	const struct chaff_block *b;

	parse(&p, text, sizeof(text) - 1, CHAFF_PAGE_TEXT, NULL);
	CHECK_INT(p.err, CHAFF_OK);
	CHECK(p.doc.is_text);
	CHECK_STR(p.doc.title, "A Title Line");
	CHECK_INT(p.doc.nblocks, 6);
	b = find(&p.doc, "What Is It?");
	CHECK(b && b->heading == 2);
	b = find(&p.doc, "first point");
	CHECK(b && (b->flags & CHAFF_BLOCK_LIST_ITEM));
	b = find(&p.doc, "1. Numbered entry here.");
	CHECK(b && (b->flags & CHAFF_BLOCK_LIST_ITEM));
	b = find(&p.doc, "Last paragraph ends here.");
	CHECK(b && !b->heading);
	chaff_arena_release(&p.arena);
}

/* Headings in plain text are told by shape: a table of lines and verdicts. */
static void test_text_headings(void)
{
	static const struct {
		const char *line;
		bool heading;
	} cases[] = {
		{"Side Effects and Warnings", true},
		{"References:", true},
		{"How it works", true},            /* followed by a longer paragraph */
		{"Price: $0.51 per pill", false},  /* a label with its value */
		{"It is taken once a day.", false},
		{"Patients should read the leaflet before taking the first dose:", false},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		struct parsed p;
		const struct chaff_block *b;
		int n = snprintf(text, sizeof(text), "%s\n%s\n", cases[i].line,
		                 "A following paragraph that is clearly longer than any heading line.");

		parse(&p, text, (size_t)n, CHAFF_PAGE_TEXT, NULL);
		b = find(&p.doc, cases[i].line);
		CHECK(b != NULL);
		if (b)
			CHECK_INT(b->heading != 0, cases[i].heading);
		chaff_arena_release(&p.arena);
	}
}

static void test_limits(void)
{
	struct chaff_limits lim;
	struct parsed p;
	size_t depth = 100000, i, n = 0;
	char *deep = malloc(depth * 5 + 64);

	/* 100k nested tags: cut at the depth limit, parsed quickly, no crash. */
	for (i = 0; i < depth; i++) {
		memcpy(deep + n, "<div>", 5);
		n += 5;
	}
	memcpy(deep + n, "deep text", 9);
	n += 9;
	parse(&p, deep, n, CHAFF_PAGE_HTML, NULL);
	CHECK(p.doc.truncated);
	CHECK(p.doc.max_depth > 400);
	chaff_arena_release(&p.arena);

	/* Unclosed <p> and <li> do not count as nesting. */
	n = 0;
	for (i = 0; i < 2000; i++) {
		memcpy(deep + n, "<li>x", 5);
		n += 5;
	}
	parse(&p, deep, n, CHAFF_PAGE_HTML, NULL);
	CHECK(!p.doc.truncated);
	CHECK_INT(p.doc.nblocks, 2000);
	chaff_arena_release(&p.arena);

	/* Block cap. */
	chaff_limits_default(&lim);
	lim.max_blocks = 10;
	parse(&p, deep, n, CHAFF_PAGE_HTML, &lim);
	CHECK_INT(p.doc.nblocks, 10);
	CHECK(p.doc.truncated);
	chaff_arena_release(&p.arena);
	free(deep);

	parse(&p, "", 0, CHAFF_PAGE_HTML, NULL);
	CHECK_INT(p.err, CHAFF_ERR_EMPTY);
	chaff_arena_release(&p.arena);
	parse(&p, "<html><body>  </body></html>", 28, CHAFF_PAGE_HTML, NULL);
	CHECK_INT(p.err, CHAFF_ERR_EMPTY);
	chaff_arena_release(&p.arena);
	parse(&p, "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0", 18, CHAFF_PAGE_SNIFF, NULL);
	CHECK_INT(p.err, CHAFF_ERR_UNSUPPORTED);
	chaff_arena_release(&p.arena);
}

int main(void)
{
	test_blocks_and_regions();
	test_layout_table();
	test_plain_text();
	test_text_headings();
	test_limits();
	return check_summary();
}
