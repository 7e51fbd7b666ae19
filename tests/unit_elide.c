/*
 * unit_elide.c - dropping script and style bodies before the parse
 * (features/elide.c) never changes the document: the tricky corners of the
 * HTML tokenizer one by one, then every real page of
 * $SHARED/realdata/html and every HTML page of corpus/, each parsed both
 * ways and compared.
 */
#include <dirent.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "tests/check.h"
#include "tests/doc_same.h"

enum expect { CUT, NO_CUT, ANY };

struct tricky {
	const char *html;
	enum expect expect;
};

static const struct tricky cases[] = {
	{"<p>a</p><script>var s = '</p>';</script><p>b</p>", CUT},
	{"<p>a</p><SCRIPT type=text/javascript>x</SCRIPT ><p>b</p>", CUT},
	{"<p>a<script>x</script\n>b</p><style>p{}</style\t>", CUT},
	{"<script>a</scripty>b</script><p>after</p>", CUT},
	{"<script><!-- <script> </script> still script </script><p>visible</p>", CUT},
	{"<script><!--<script></script>--></script><p>visible</p>", CUT},
	{"<script><!-- x --></script><p>y</p>", CUT},
	{"<script><!--></script><p>y</p>", CUT},
	{"<script><!---></script><p>y</p>", CUT},
	{"<script>if (a-->b) x();</script><p>y</p>", CUT},
	{"<script><!-- a <script> b --> c </script><p>y</p>", CUT},
	{"<script><!-- <script> --></script> d </script><p>y</p>", CUT},
	{"<script a='>' b=\">\">x</script><p>v</p>", CUT},
	{"<script/>x</script><p>v</p>", CUT},
	{"<a title=\"<script>\">link</a><p>after</p><script>x</script><p>end</p>", CUT},
	{"<a title=x>y <script>z</script><p>after</p>", CUT},
	{"<a href=/x/>text</a><script>y</script>", CUT},
	{"<!-- <script> -->visible<script>y</script><p>z</p>", CUT},
	{"<!-- a --!> <script>y</script><p>z</p>", CUT},
	{"<!--> <script>y</script><p>z</p>", CUT},
	{"<!x <script>>visible<script>z</script><p>w</p>", CUT},
	{"<?php <script> ?>visible<script>z</script>", CUT},
	{"</ <script>>visible<script>z</script>", CUT},
	{"<title>a <script> b</title><p>vis</p><script>q</script><p>r</p>", CUT},
	{"<textarea><script></textarea><p>vis</p><script>q</script>", CUT},
	{"<xmp><script></xmp>text<style>s</style>", CUT},
	{"<iframe><script></iframe>after<script>x</script>", CUT},
	{"<noembed><style></noembed>after<style>x</style>", CUT},
	{"<svg><style>.a{}</style><script href='x'/></svg><p>after svg</p><style>b{}</style>",
	 CUT},
	{"<svg><style/></svg><p>text</p><style>x</style><p>more</p>", CUT},
	{"<svg><style><p>breaks out</p></style></svg><p>after</p>", NO_CUT},
	{"<svg><![CDATA[ <script> ]]></svg><script>x</script><p>v</p>", CUT},
	{"<svg><foreignObject><div><script>a</script>in fo</div></foreignObject></svg><p>b</p>",
	 CUT},
	{"<math><mi><script>x</script>mi text</mi></math><p>after</p>", ANY},
	{"<svg><desc><script>x</script>desc</desc></svg><p>after</p>", ANY},
	{"<frameset><script>y</script></frameset>", ANY},
	{"<plaintext><script>x</script>", NO_CUT},
	{"<p>before</p><script>never closed <p>not text</p>", NO_CUT},
	{"<p>before</p><style>never closed <p>not text</p>", NO_CUT},
	{"<table><script>x</script><tr><td>cell</td></tr></table>", CUT},
	{"<table><style>x</style>stray text<tr><td>cell</td></tr></table>", CUT},
	{"<select><script>x</script><option>o</select><p>p</p>", CUT},
	{"<noscript><p>hi</p><script>x</script></noscript><p>after</p>", CUT},
	{"<template><script>x</script></template><p>after</p>", CUT},
	{"</script><p>stray end tag</p><script>x</script>", CUT},
	{"<scripts>x</scripts><stylex>y</stylex><p>p</p>", NO_CUT},
	{"<p>a</p>\r\n<script>\r\nx\r\n</script\r\n>\r\n<p>b</p>", CUT},
	{"<head><style>a</style><script>b</script><title>T</title></head><p>b</p>", CUT},
	{"<html><body><p>x</p></body></html><script>after html</script><p>late</p>", CUT},
	{"<p>x</p><script>", NO_CUT},
	{"<p>x</p><script></script><style></style>", NO_CUT},
	{"<p>x</p><script src=a.js></script><p>y</p>", NO_CUT},
	{"<p>x</p><script>a</script", NO_CUT},
	{"<p>x</p><script>a</script><", CUT},
	{"<p>x</p><script>a</script></", CUT},
	{"<p>x</p><a b='", NO_CUT},
};

static void test_tricky_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct twin_parse t;
		const char *diff;
		size_t where;

		twin_parse(&t, cases[i].html, strlen(cases[i].html));
		diff = twin_difference(&t, &where);
		if (diff)
			fprintf(stderr, "case %zu differs in %s (item %zu): %s\n", i, diff, where,
			        cases[i].html);
		CHECK(!diff);
		switch (cases[i].expect) {
		case CUT:
			CHECK(t.doc[0].elided_bytes > 0 && !t.doc[0].elision_undone);
			break;
		case NO_CUT:
			CHECK(t.doc[0].elided_bytes == 0 && !t.doc[0].elision_undone);
			break;
		case ANY:
			break;
		}
		if (t.doc[1].elided_bytes || t.doc[1].elision_undone)
			fprintf(stderr, "case %zu: bodies dropped although asked not to\n", i);
		CHECK(t.doc[1].elided_bytes == 0 && !t.doc[1].elision_undone);
		twin_release(&t);
	}
}

/* A cut that the tree refutes is undone: the page is parsed whole. */
static void test_refuted_cut_is_undone(void)
{
	/* In a frameset the <script> start tag is dropped: the tokenizer never
	 * enters script data, so the "body" is markup and must be parsed. */
	static const char html[] =
		"<frameset><script><noframes></noframes></script></frameset><p>x</p>";
	struct twin_parse t;
	size_t where;

	twin_parse(&t, html, sizeof(html) - 1);
	CHECK(twin_difference(&t, &where) == NULL);
	CHECK(t.doc[0].elision_undone);
	CHECK(t.doc[0].elided_bytes == 0);
	twin_release(&t);
}

struct tally {
	size_t pages, differ, cut, undone, bytes, elided;
};

static void compare_file(const char *path, struct tally *tl)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t n, cap = (size_t)8 << 20;
	struct twin_parse t;
	const char *diff;
	size_t where;

	if (!f)
		return;
	data = chaff_xmalloc(cap);
	n = fread(data, 1, cap, f);
	fclose(f);
	twin_parse(&t, data, n);
	diff = twin_difference(&t, &where);
	if (diff) {
		fprintf(stderr, "%s: documents differ in %s (item %zu)\n", path, diff, where);
		tl->differ++;
	}
	tl->pages++;
	tl->bytes += n;
	tl->elided += t.doc[0].elided_bytes;
	tl->cut += t.doc[0].elided_bytes > 0;
	tl->undone += t.doc[0].elision_undone;
	twin_release(&t);
	free(data);
}

static bool is_html_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".html")) || (n > 4 && !strcmp(name + n - 4, ".htm"));
}

/* Every .html file in dir and its subdirectories (one level). */
static void compare_dir(const char *dir, struct tally *tl, int levels)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (is_html_name(e->d_name))
			compare_file(path, tl);
		else if (levels > 0)
			compare_dir(path, tl, levels - 1);
	}
	closedir(d);
}

/* Every page under dir parses the same either way. A required tree (the
 * corpus, which ships with the project) must have pages; another one (the
 * real pages of ../shared) is skipped when it has none. */
static void compare_tree(const char *what, const char *dir, bool required)
{
	struct tally tl = {0};

	compare_dir(dir, &tl, 2);
	if (tl.pages == 0) {
		if (required) {
			fprintf(stderr, "no HTML pages under %s; %s not compared\n", dir, what);
			CHECK(0);
		} else {
			fprintf(stderr, "skip: no HTML pages under %s; %s not compared\n", dir, what);
		}
		return;
	}
	fprintf(stderr, "%s: %zu pages, %zu with bodies dropped (%.1f%% of %zu bytes), "
	        "%zu cuts undone, %zu differ\n", what, tl.pages, tl.cut,
	        tl.bytes ? 100.0 * (double)tl.elided / (double)tl.bytes : 0.0, tl.bytes,
	        tl.undone, tl.differ);
	CHECK_INT(tl.differ, 0);
	CHECK(tl.cut > 0);
}

int main(void)
{
	const char *shared = getenv("SHARED");
	char dir[4096];

	test_tricky_cases();
	test_refuted_cut_is_undone();
	snprintf(dir, sizeof(dir), "%s/realdata/html", shared ? shared : "../shared");
	compare_tree("real pages", dir, false);
	compare_tree("corpus pages", "corpus", true);
	return check_summary();
}
