/* unit_report.c - model/report*.c: counting verdict lines and drawing the page. */
#include <stdlib.h>
#include <string.h>

#include "chaff.h"
#include "tests/check.h"

/* Read text as one input and render the page into html (caller releases). */
static struct chaff_report *read_text(const char *text, const struct chaff_report_opts *o,
                                      struct chaff_buf *html)
{
	struct chaff_report *r = chaff_report_new(o);
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	char why[CHAFF_WHY_MAX];

	CHECK(f != NULL);
	CHECK_INT(chaff_report_read(r, f, "t.jsonl", why), CHAFF_OK);
	fclose(f);
	chaff_buf_init(html, (size_t)16 << 20);
	CHECK_INT(chaff_report_html(r, html), CHAFF_OK);
	return r;
}

static void test_counts(void)
{
	static const char text[] =
		"{\"url\":\"https://a.example/1\",\"label\":\"thin\","
		"\"scores\":{\"reliable\":0.1,\"thin\":0.8,\"pharmacy_spam\":0.1}}\n"
		"{\"type\":\"request\",\"skipped\":\"request\"}\n"
		"\n"
		"{\"target\":\"x.html\",\"error\":\"input/output error: no such file\"}\n"
		"not json\n"
		"[1]\n"
		"{\"warc_file\":\"a.warc\",\"offset\":3}\n"
		"{\"scores\":{\"reliable\":0.7,\"thin\":0.3}}";   /* no final newline */
	struct chaff_report_opts o;
	struct chaff_report_counts c;
	struct chaff_buf html;
	struct chaff_report *r;

	chaff_report_opts_default(&o);
	r = read_text(text, &o, &html);
	chaff_report_counts(r, &c);
	CHECK_INT(c.lines, 8);
	CHECK_INT(c.records, 5);
	CHECK_INT(c.scored, 2);
	CHECK_INT(c.skipped, 1);
	CHECK_INT(c.failed, 1);
	CHECK_INT(c.no_verdict, 1);
	CHECK_INT(c.malformed, 2);
	/* Failures are grouped by the text before the first ':'. */
	CHECK(strstr(html.data, "<td class=\"pd\">input/output error</td>") != NULL);
	CHECK(strstr(html.data, "t.jsonl</span>:5") != NULL);  /* first malformed line */
	/* The page table: the thin page first (1 - p(reliable) = 0.9). */
	CHECK(strstr(html.data, "<tr data-label=\"thin\">") <
	      strstr(html.data, "<tr data-label=\"reliable\">"));
	chaff_buf_release(&html);
	chaff_report_free(r);
}

struct esc_case {
	const char *in;     /* a title, as JSON string content */
	const char *want;   /* must appear in the page */
	const char *never;  /* must not */
};

static const struct esc_case esc_cases[] = {
	{"<script>x()</script>", "&lt;script&gt;x()&lt;/script&gt;", "<script>x()"},
	{"\\\"><img src=x onerror=y()>", "&quot;&gt;&lt;img src=x onerror=y()&gt;", "<img"},
	{"it's", "it&#39;s", NULL},
	{"a&amp;b", "a&amp;amp;b", NULL},
	{"ctl\\u0001\\u007f\\u0085end", "ctl\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "end", NULL},
	{"\\u202eexe.txt", "\xEF\xBF\xBD" "exe.txt", "\xE2\x80\xAE"},
	{"tab\\there", "tab here", NULL},
	{"caf\xC3\xA9", "caf\xC3\xA9", NULL},
};

static void test_escaping(void)
{
	struct chaff_report_opts o;
	size_t i;

	chaff_report_opts_default(&o);
	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		struct chaff_buf line, html;
		struct chaff_report *r;

		chaff_buf_init(&line, 4096);
		chaff_buf_printf(&line, "{\"url\":\"https://e.example/\",\"title\":\"%s\","
		                 "\"label\":\"thin\",\"scores\":{\"thin\":1}}\n", esc_cases[i].in);
		r = read_text(line.data, &o, &html);
		CHECK(strstr(html.data, esc_cases[i].want) != NULL);
		if (esc_cases[i].never)
			CHECK(strstr(html.data, esc_cases[i].never) == NULL);
		if (!strstr(html.data, esc_cases[i].want))
			fprintf(stderr, "  case %zu: %s\n", i, esc_cases[i].in);
		chaff_buf_release(&html);
		chaff_buf_release(&line);
		chaff_report_free(r);
	}
}

static void test_links(void)
{
	static const char text[] =
		"{\"url\":\"javascript:alert(1)\",\"label\":\"thin\",\"scores\":{\"thin\":1}}\n"
		"{\"url\":\"data:text/html,x\",\"label\":\"thin\",\"scores\":{\"thin\":1}}\n"
		"{\"url\":\"https://ok.example/a b\",\"label\":\"thin\",\"scores\":{\"thin\":1}}\n"
		"{\"url\":\"HTTPS://Sub.OK.example:8443/x?\\\"y\",\"label\":\"thin\","
		"\"scores\":{\"thin\":1}}\n";
	struct chaff_report_opts o;
	struct chaff_buf html;
	struct chaff_report *r;

	chaff_report_opts_default(&o);
	r = read_text(text, &o, &html);
	CHECK(strstr(html.data, "href=\"javascript") == NULL);
	CHECK(strstr(html.data, "href=\"data:") == NULL);
	CHECK(strstr(html.data, "href=\"https://ok.example/a b") == NULL);  /* space: text only */
	CHECK(strstr(html.data, "href=\"HTTPS://Sub.OK.example:8443/x?&quot;y\"") != NULL);
	CHECK(strstr(html.data, ">sub.ok.example<") != NULL);  /* host: lower case, no port */
	CHECK(strstr(html.data, ">(not a URL)<") != NULL);
	chaff_buf_release(&html);
	chaff_report_free(r);
}

static void test_limits(void)
{
	struct chaff_report_opts o;
	struct chaff_buf lines, html;
	struct chaff_report *r;
	size_t i, rows = 0;
	const char *p;

	chaff_report_opts_default(&o);
	o.top = 0;            /* clamped to 1 */
	o.max_line = 200;
	chaff_buf_init(&lines, (size_t)1 << 20);
	for (i = 0; i < 50; i++)
		chaff_buf_printf(&lines, "{\"url\":\"https://h%zu.example/\",\"label\":\"thin\","
		                 "\"scores\":{\"thin\":0.%02zu,\"reliable\":0.%02zu}}\n",
		                 i, 50 + i % 50, 50 - i % 50);
	chaff_buf_printf(&lines, "{\"x\":\"%0300d\"}\n", 1);  /* over max_line */
	r = read_text(lines.data, &o, &html);
	for (p = html.data; (p = strstr(p, "<tr data-label=")); p++)
		rows++;
	CHECK_INT(rows, 1);
	{
		struct chaff_report_counts c;

		chaff_report_counts(r, &c);
		CHECK_INT(c.malformed, 1);
		CHECK_INT(c.scored, 50);
	}
	/* The most urgent page is the one with the smallest p(reliable). */
	CHECK(strstr(html.data, "href=\"https://h49.example/\"") != NULL);
	chaff_buf_release(&html);

	/* A ceiling on the output is honoured, not overrun. */
	chaff_buf_init(&html, 1000);
	CHECK_INT(chaff_report_html(r, &html), CHAFF_ERR_TOO_LARGE);
	CHECK(html.len <= 1000);
	chaff_buf_release(&html);
	chaff_buf_release(&lines);
	chaff_report_free(r);
	chaff_report_free(NULL);
}

static void test_deterministic(void)
{
	static const char text[] =
		"{\"url\":\"https://a.example/\",\"label\":\"pharmacy_spam\","
		"\"scores\":{\"reliable\":0.1,\"thin\":0.1,\"pharmacy_spam\":0.8},"
		"\"signals\":{\"price_blocks\":3,\"text_length\":900},"
		"\"evidence\":{\"price_blocks\":[\"$1 per pill\"]},"
		"\"top\":[{\"feature\":\"price_blocks\",\"contribution\":2.5}]}\n";
	struct chaff_report_opts o;
	struct chaff_buf a, b;
	struct chaff_report *r1, *r2;

	chaff_report_opts_default(&o);
	r1 = read_text(text, &o, &a);
	r2 = read_text(text, &o, &b);
	CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
	CHECK(strstr(a.data, "&#8220;") == NULL);
	CHECK(strstr(a.data, "<q class=\"pd\">$1 per pill</q>") != NULL);
	CHECK(strstr(a.data, "+2.50 <span class=\"sig pd\">price_blocks</span>") != NULL);
	chaff_buf_release(&a);
	chaff_buf_release(&b);
	chaff_report_free(r1);
	chaff_report_free(r2);
}

/* The label chart's caption tells labels past the tracked ones from pages with none. */
static void test_uncounted_labels(void)
{
	struct chaff_report_opts o;
	struct chaff_buf text, html;
	struct chaff_report *r;
	int i;

	chaff_buf_init(&text, 1 << 16);
	for (i = 0; i < 18; i++)  /* 16 tracked labels, then 2 past them */
		CHECK_INT(chaff_buf_printf(&text, "{\"url\":\"https://a.example/%d\","
		                           "\"label\":\"l%02d\"}\n", i, i), CHAFF_OK);
	CHECK_INT(chaff_buf_printf(&text, "{\"url\":\"https://b.example/\",\"scores\":{}}\n"),
	          CHAFF_OK);
	chaff_report_opts_default(&o);
	r = read_text(text.data, &o, &html);
	CHECK(strstr(html.data, " 2 scored pages named a label beyond the 16 this report tracks")
	      != NULL);
	CHECK(strstr(html.data, " 1 scored pages carried no usable label or probability") != NULL);
	chaff_buf_release(&html);
	chaff_buf_release(&text);
	chaff_report_free(r);
}

int main(void)
{
	test_counts();
	test_escaping();
	test_links();
	test_limits();
	test_deterministic();
	test_uncounted_labels();
	return check_summary();
}
