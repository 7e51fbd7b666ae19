/* unit_util.c - util/: buffers, arena, UTF-8, JSON, hashing, strings, CRC-32. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "chaff.h"
#include "tests/check.h"

static void test_buf(void)
{
	struct chaff_buf b;

	chaff_buf_init(&b, 10);
	CHECK_INT(chaff_buf_puts(&b, "hello"), CHAFF_OK);
	CHECK_INT(chaff_buf_puts(&b, "world"), CHAFF_OK);
	CHECK_INT(chaff_buf_putc(&b, '!'), CHAFF_ERR_TOO_LARGE);
	CHECK_STR(b.data, "helloworld");
	CHECK_INT(b.len, 10);
	chaff_buf_reset(&b);
	CHECK_INT(chaff_buf_printf(&b, "%d-%s", 42, "x"), CHAFF_OK);
	CHECK_STR(b.data, "42-x");
	CHECK_INT(chaff_buf_printf(&b, "%0300d", 1), CHAFF_ERR_TOO_LARGE);
	CHECK_STR(b.data, "42-x");
	chaff_buf_release(&b);
	CHECK(b.data == NULL);

	chaff_buf_init(&b, (size_t)1 << 20);
	CHECK_INT(chaff_buf_printf(&b, "%0300d", 1), CHAFF_OK);
	CHECK_INT(b.len, 300);
	chaff_buf_release(&b);
}

static void test_arena(void)
{
	struct chaff_arena a;
	char *s;
	void *big;
	int i, misaligned = 0;

	chaff_arena_init(&a);
	for (i = 0; i < 10000; i++) {
		char *p = chaff_arena_alloc(&a, 100 + i % 7);

		misaligned += ((uintptr_t)p) % 16 != 0;
		memset(p, 'x', 100 + i % 7);
	}
	CHECK_INT(misaligned, 0);
	big = chaff_arena_alloc(&a, (size_t)5 << 20);
	memset(big, 0, (size_t)5 << 20);
	s = chaff_arena_printf(&a, "%s=%d", "n", 7);
	CHECK_STR(s, "n=7");
	s = chaff_arena_strndup(&a, "abcdef", 3);
	CHECK_STR(s, "abc");
	chaff_arena_reset(&a);
	CHECK_INT(a.used, 0);
	s = chaff_arena_strdup(&a, "again");
	CHECK_STR(s, "again");
	chaff_arena_release(&a);
}

static void test_utf8(void)
{
	static const struct {
		const char *s;
		bool valid;
	} cases[] = {
		{"plain ascii", true},
		{"caf\xC3\xA9", true},
		{"\xE2\x82\xAC 4,17", true},
		{"\xF0\x9F\x98\x80", true},
		{"\xC3", false},               /* cut short */
		{"\xC0\xAF", false},           /* overlong */
		{"\xED\xA0\x80", false},       /* surrogate */
		{"\xF4\x90\x80\x80", false},   /* above U+10FFFF */
		{"abc\xFF", false},
		{"", true},
	};
	size_t i;
	char out[4];
	uint32_t cp;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT(chaff_utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].valid);
	CHECK_INT(chaff_utf8_encode(0x20AC, out), 3);
	CHECK(!memcmp(out, "\xE2\x82\xAC", 3));
	CHECK_INT(chaff_utf8_decode("\xE2\x82\xAC", 3, &cp), 3);
	CHECK_INT(cp, 0x20AC);
	CHECK_INT(chaff_utf8_decode("\xE2\x82", 2, &cp), 1);
	CHECK_INT(cp, 0xFFFD);
}

static void test_json(void)
{
	struct chaff_buf b;
	struct chaff_json j;

	chaff_buf_init(&b, 4096);
	chaff_json_init(&j, &b);
	chaff_json_object_begin(&j);
	chaff_json_key(&j, "s");
	chaff_json_str(&j, "a\"b\\c\n\x01 \xFF z");
	chaff_json_key(&j, "n");
	chaff_json_num(&j, 0.25);
	chaff_json_key(&j, "a");
	chaff_json_array_begin(&j);
	chaff_json_int(&j, -3);
	chaff_json_bool(&j, true);
	chaff_json_null(&j);
	chaff_json_str(&j, NULL);
	chaff_json_array_end(&j);
	chaff_json_key(&j, "o");
	chaff_json_object_begin(&j);
	chaff_json_object_end(&j);
	chaff_json_key(&j, "inf");
	chaff_json_num(&j, 1.0 / 0.0);
	chaff_json_object_end(&j);
	CHECK_STR(b.data, "{\"s\":\"a\\\"b\\\\c\\n\\u0001 \xEF\xBF\xBD z\",\"n\":0.25,"
	                  "\"a\":[-3,true,null,null],\"o\":{},\"inf\":null}");
	CHECK(chaff_utf8_valid(b.data, b.len));
	chaff_buf_release(&b);
}

static void test_hash_and_strings(void)
{
	/* Model files depend on these exact values: they must never change. */
	CHECK(chaff_hash64("", 0, 0) == chaff_hash64("", 0, 0));
	CHECK(chaff_hash64("buy", 3, 0) != chaff_hash64("buy", 3, 1));
	CHECK(chaff_hash64("buy", 3, 0) != chaff_hash64("bux", 3, 0));
	CHECK_INT(chaff_hash64("buy now", 7, 0) % 1000003, chaff_hash64("buy now", 7, 0) % 1000003);
	CHECK_INT(chaff_strncasecmp("Content-Type", "content-type", 12), 0);
	CHECK(chaff_strncasecmp("abc", "abd", 3) != 0);
	CHECK(chaff_memcasemem("xx Leave A Reply", 16, "leave a reply") != NULL);
	CHECK(chaff_memcasemem("short", 5, "longer needle") == NULL);
	CHECK_STR(chaff_strerror(CHAFF_ERR_TOO_LARGE), "input over a size limit");
	CHECK_STR(chaff_strerror((enum chaff_err)999), "unknown error");
}

static void test_sizes(void)
{
	CHECK_INT(chaff_st_mult(3, 4), 12);
	CHECK_INT(chaff_st_add(3, 4), 7);
}

/*
 * chaff_crc32 against zlib's crc32: every length up to 1100 at every
 * alignment in 16, long buffers, and a CRC carried across pieces.
 */
static void test_crc32(void)
{
	size_t n = 1 << 20, len, off, bad = 0;
	unsigned char *data = chaff_xmalloc(n + 16);
	uint32_t x = 12345, crc;

	for (len = 0; len < n + 16; len++) {
		x = x * 1103515245u + 12345u;
		data[len] = (unsigned char)(x >> 16);
	}
	for (off = 0; off < 16; off++)
		for (len = 0; len <= 1100; len++)
			bad += chaff_crc32(0, data + off, len) != (uint32_t)crc32(0, data + off, (uInt)len);
	CHECK_INT(bad, 0);
	CHECK(chaff_crc32(0, data, n) == (uint32_t)crc32(0, data, (uInt)n));
	crc = chaff_crc32(0, data, 1000);
	crc = chaff_crc32(crc, data + 1000, 77777);
	crc = chaff_crc32(crc, data + 78777, n - 78777);
	CHECK(crc == (uint32_t)crc32(0, data, (uInt)n));
	CHECK(chaff_crc32(0, "123456789", 9) == 0xCBF43926u);
	CHECK(chaff_crc32(0x1234, NULL, 0) == 0x1234);
	{
		/* Upper-case candidates of a lower-case needle, a megabyte of them. */
		size_t big = (size_t)1 << 20;
		char *hay = chaff_xmalloc(big + 2);

		memset(hay, 'M', big);
		CHECK(chaff_memcasemem(hay, big, "mgx") == NULL);
		memcpy(hay + big - 3, "mGx", 3);
		CHECK(chaff_memcasemem(hay, big, "mgx") == hay + big - 3);
		free(hay);
	}
	free(data);
}

int main(void)
{
	test_buf();
	test_arena();
	test_utf8();
	test_json();
	test_hash_and_strings();
	test_sizes();
	test_crc32();
	return check_summary();
}
