/* unit_page.c - pages: content types, sniffing, decoding, charsets, files. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "chaff.h"
#include "tests/check.h"

static void test_content_type(void)
{
	static const struct {
		const char *value, *type, *charset;
	} cases[] = {
		{"text/html; charset=ISO-8859-1", "text/html", "iso-8859-1"},
		{"  TEXT/HTML;Charset=\"utf-8\"", "text/html", "utf-8"},
		{"text/plain", "text/plain", NULL},
		{"application/xhtml+xml; foo=bar; charset='windows-1251'", "application/xhtml+xml",
		 "windows-1251"},
		{"", NULL, NULL},
	};
	struct chaff_limits lim;
	struct chaff_page page;
	size_t i;

	chaff_limits_default(&lim);
	chaff_page_init(&page, &lim);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		chaff_page_set_content_type(&page, cases[i].value, strlen(cases[i].value));
		CHECK_STR(page.content_type, cases[i].type);
		CHECK_STR(page.charset, cases[i].charset);
	}
	chaff_page_release(&page);
}

static void test_sniff(void)
{
	CHECK_INT(chaff_sniff_kind("<!DOCTYPE html><p>x", 19), CHAFF_PAGE_HTML);
	CHECK_INT(chaff_sniff_kind("  <HTML><body>", 14), CHAFF_PAGE_HTML);
	CHECK_INT(chaff_sniff_kind("Plain words.\n\nMore words.", 25), CHAFF_PAGE_TEXT);
}

static size_t gzip_bytes(const char *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

static void test_decode(void)
{
	const char *text = "hello hello hello hello hello";
	unsigned char gz[256], two[512];
	size_t n = gzip_bytes(text, strlen(text), gz, sizeof(gz)), m;
	struct chaff_buf out;
	bool cut;
	char why[CHAFF_WHY_MAX];

	chaff_buf_init(&out, 1 << 20);
	CHECK_INT(chaff_content_decode("gzip", (char *)gz, n, &out, &cut, why), CHAFF_OK);
	CHECK_STR(out.data, text);
	CHECK(!cut);

	/* Truncated stream: keep what was decoded, say so. */
	chaff_buf_reset(&out);
	CHECK_INT(chaff_content_decode("x-gzip", (char *)gz, n - 6, &out, &cut, why),
	          CHAFF_ERR_TRUNCATED);

	/* Two members decode as one body. */
	memcpy(two, gz, n);
	memcpy(two + n, gz, n);
	chaff_buf_reset(&out);
	CHECK_INT(chaff_content_decode("gzip", (char *)two, 2 * n, &out, &cut, why), CHAFF_OK);
	CHECK_INT(out.len, 2 * strlen(text));

	/* Identity, unknown, and a ceiling (bomb). */
	chaff_buf_reset(&out);
	CHECK_INT(chaff_content_decode("identity", "abc", 3, &out, &cut, why), CHAFF_OK);
	CHECK_STR(out.data, "abc");
	CHECK_INT(chaff_content_decode("compress", "abc", 3, &out, &cut, why), CHAFF_ERR_UNSUPPORTED);
	chaff_buf_release(&out);
	{
		size_t big = (size_t)4 << 20;
		char *zeros = calloc(1, big);
		unsigned char *bomb = malloc(big);

		m = gzip_bytes(zeros, big, bomb, big);
		CHECK(m < 10000);
		chaff_buf_init(&out, 100000);
		CHECK_INT(chaff_content_decode("gzip", (char *)bomb, m, &out, &cut, why), CHAFF_OK);
		CHECK(cut);
		CHECK_INT(out.len, 100000);
		chaff_buf_release(&out);
		free(zeros);
		free(bomb);
	}
	/* Garbage is an error, not a crash. */
	chaff_buf_init(&out, 1000);
	CHECK(chaff_content_decode("gzip", "\x1f\x8bnot really", 12, &out, &cut, why) != CHAFF_OK);
	CHECK(chaff_content_decode("br", "\xff\xff\xff\xff", 4, &out, &cut, why) != CHAFF_OK);
	CHECK(chaff_content_decode("deflate", "zz", 2, &out, &cut, why) != CHAFF_OK);
	chaff_buf_release(&out);
}

static void test_charset(void)
{
	static const struct {
		const char *in, *label, *want, *used;
	} cases[] = {
		{"caf\xC3\xA9", NULL, "caf\xC3\xA9", "UTF-8"},
		{"caf\xE9 \x80", NULL, "caf\xC3\xA9 \xE2\x82\xAC", "WINDOWS-1252"},
		{"caf\xE9", "iso-8859-1", "caf\xC3\xA9", "WINDOWS-1252"},
		{"\xEF\xBB\xBFhi", NULL, "hi", "UTF-8"},
		{"<meta charset=\"windows-1251\"><p>\xEF", NULL,
		 "<meta charset=\"windows-1251\"><p>\xD0\xBF", "WINDOWS-1251"},
		{"<meta http-equiv=Content-Type content=\"text/html; charset=koi8-r\">\xD0", NULL,
		 "<meta http-equiv=Content-Type content=\"text/html; charset=koi8-r\">\xD0\xBF",
		 "KOI8-R"},
		{"bad \xFF utf8", "utf-8", "bad \xEF\xBF\xBD utf8", "UTF-8"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct chaff_buf out;
		const char *used = NULL;

		chaff_buf_init(&out, 1 << 16);
		CHECK_INT(chaff_to_utf8(cases[i].in, strlen(cases[i].in), cases[i].label, &out, &used,
		                        NULL), CHAFF_OK);
		CHECK_STR(out.data, cases[i].want);
		CHECK_STR(used, cases[i].used);
		chaff_buf_release(&out);
	}
}

static void test_read_file(void)
{
	char path[] = "/tmp/chaff-unit-XXXXXX";
	int fd = mkstemp(path);
	struct chaff_limits lim;
	struct chaff_page page;
	char why[CHAFF_WHY_MAX];

	CHECK(fd >= 0);
	CHECK(write(fd, "<p>hello</p>", 12) == 12);
	close(fd);
	chaff_limits_default(&lim);
	lim.max_input_bytes = 5;
	chaff_page_init(&page, &lim);
	CHECK_INT(chaff_page_read_file(&page, path, &lim, why), CHAFF_OK);
	CHECK(page.truncated);
	CHECK_INT(page.body.len, 5);
	chaff_page_release(&page);
	unlink(path);
	chaff_page_init(&page, &lim);
	CHECK_INT(chaff_page_read_file(&page, "/nonexistent/x.html", &lim, why), CHAFF_ERR_IO);
	chaff_page_release(&page);
}

int main(void)
{
	test_content_type();
	test_sniff();
	test_decode();
	test_charset();
	test_read_file();
	return check_summary();
}
