/* unit_jsonparse.c - util/jsonparse.c: the JSON reader, its grammar and limits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"
#include "tests/check.h"

/* A canonical dump: compact, keys as "k":, numbers with %g. Trees in
 * these tests are a few levels deep, so recursion is fine here. */
static void dump(struct chaff_buf *b, const struct chaff_json_value *v)
{
	const struct chaff_json_value *c;

	if (v->key)
		chaff_buf_printf(b, "\"%s\":", v->key);
	switch (v->type) {
	case CHAFF_JSON_NULL: chaff_buf_puts(b, "null"); break;
	case CHAFF_JSON_BOOL: chaff_buf_puts(b, v->boolean ? "true" : "false"); break;
	case CHAFF_JSON_NUMBER: chaff_buf_printf(b, "%g", v->number); break;
	case CHAFF_JSON_STRING: chaff_buf_printf(b, "\"%s\"", v->str); break;
	case CHAFF_JSON_ARRAY:
	case CHAFF_JSON_OBJECT:
		chaff_buf_putc(b, v->type == CHAFF_JSON_ARRAY ? '[' : '{');
		for (c = v->child; c; c = c->next) {
			dump(b, c);
			if (c->next)
				chaff_buf_putc(b, ',');
		}
		chaff_buf_putc(b, v->type == CHAFF_JSON_ARRAY ? ']' : '}');
		break;
	}
}

struct good_case {
	const char *in;
	const char *want;
};

static const struct good_case good[] = {
	{"{}", "{}"},
	{"[]", "[]"},
	{" \t\r\n{ } \n", "{}"},
	{"0", "0"},
	{"-0.5e2", "-50"},
	{"1E+2", "100"},
	{"true", "true"},
	{"[null,false,true]", "[null,false,true]"},
	{"{\"a\":1,\"b\":[1,2,{\"c\":\"d\"}],\"e\":{}}",
	 "{\"a\":1,\"b\":[1,2,{\"c\":\"d\"}],\"e\":{}}"},
	{"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\"\\/\b\f\n\r\t\""},
	{"\"\\u00e9\\u20AC\"", "\"\xC3\xA9\xE2\x82\xAC\""},
	{"\"\\ud83d\\ude00\"", "\"\xF0\x9F\x98\x80\""},              /* surrogate pair */
	{"\"\\ud83d x\"", "\"\xEF\xBF\xBD x\""},                      /* lone high */
	{"\"\\ude00\"", "\"\xEF\xBF\xBD\""},                          /* lone low */
	{"\"a\\u0000b\"", "\"a\xEF\xBF\xBD" "b\""},                   /* NUL */
	{"\"\xC3\xA9\"", "\"\xC3\xA9\""},                             /* raw UTF-8 kept */
	{"\"\xFF\xC3(\"", "\"\xEF\xBF\xBD\xEF\xBF\xBD(\""},           /* broken bytes */
	{"\"\xED\xA0\x80\"", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""}, /* raw surrogate */
	{"{\"k\\u0041\":\"<script>\"}", "{\"kA\":\"<script>\"}"},
	{"{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}"},
};

struct bad_case {
	const char *in;
	enum chaff_err err;
};

static const struct bad_case bad[] = {
	{"", CHAFF_ERR_TRUNCATED},
	{"   ", CHAFF_ERR_TRUNCATED},
	{"{", CHAFF_ERR_TRUNCATED},
	{"{\"a\"", CHAFF_ERR_TRUNCATED},
	{"{\"a\":", CHAFF_ERR_TRUNCATED},
	{"{\"a\":1", CHAFF_ERR_TRUNCATED},
	{"[1,2", CHAFF_ERR_TRUNCATED},
	{"\"abc", CHAFF_ERR_TRUNCATED},
	{"\"abc\\", CHAFF_ERR_TRUNCATED},
	{"tru", CHAFF_ERR_TRUNCATED},
	{"-", CHAFF_ERR_TRUNCATED},
	{"1.", CHAFF_ERR_TRUNCATED},
	{"{\"a\":1,}", CHAFF_ERR_MALFORMED},
	{"[1,]", CHAFF_ERR_MALFORMED},
	{"[,1]", CHAFF_ERR_MALFORMED},
	{"{a:1}", CHAFF_ERR_MALFORMED},
	{"{\"a\" 1}", CHAFF_ERR_MALFORMED},
	{"[1 2]", CHAFF_ERR_MALFORMED},
	{"[1}", CHAFF_ERR_MALFORMED},
	{"{}}", CHAFF_ERR_MALFORMED},
	{"{} {}", CHAFF_ERR_MALFORMED},
	{"01", CHAFF_ERR_MALFORMED},
	{"+1", CHAFF_ERR_MALFORMED},
	{".5", CHAFF_ERR_MALFORMED},
	{"1.e3", CHAFF_ERR_MALFORMED},
	{"NaN", CHAFF_ERR_MALFORMED},
	{"nul!", CHAFF_ERR_MALFORMED},
	{"'a'", CHAFF_ERR_MALFORMED},
	{"\"a\tb\"", CHAFF_ERR_MALFORMED},
	{"\"\\x\"", CHAFF_ERR_MALFORMED},
	{"\"\\u12G4\"", CHAFF_ERR_MALFORMED},
	{"[1] // c", CHAFF_ERR_MALFORMED},
	{"\xEF\xBB\xBF{}", CHAFF_ERR_MALFORMED},  /* the caller strips a BOM */
};

static void test_good(void)
{
	struct chaff_arena a;
	struct chaff_buf b;
	size_t i;

	chaff_arena_init(&a);
	chaff_buf_init(&b, 4096);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct chaff_json_value *v;
		char why[CHAFF_WHY_MAX] = "";
		enum chaff_err err = chaff_json_parse(&v, good[i].in, strlen(good[i].in), NULL,
		                                      &a, why);

		CHECK_INT(err, CHAFF_OK);
		if (err) {
			fprintf(stderr, "  case %zu: %s: %s\n", i, good[i].in, why);
			continue;
		}
		chaff_buf_reset(&b);
		dump(&b, v);
		CHECK_STR(b.data, good[i].want);
		chaff_arena_reset(&a);
	}
	chaff_buf_release(&b);
	chaff_arena_release(&a);
}

static void test_bad(void)
{
	struct chaff_arena a;
	size_t i;

	chaff_arena_init(&a);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct chaff_json_value *v = (void *)&a;
		char why[CHAFF_WHY_MAX] = "";
		enum chaff_err err = chaff_json_parse(&v, bad[i].in, strlen(bad[i].in), NULL,
		                                      &a, why);

		CHECK_INT(err, bad[i].err);
		CHECK(v == NULL);
		CHECK(!strncmp(why, "byte ", 5));
		if (err != bad[i].err)
			fprintf(stderr, "  case %zu: '%s': %s\n", i, bad[i].in, why);
		chaff_arena_reset(&a);
	}
	chaff_arena_release(&a);
}

static void test_nul_inside_text(void)
{
	static const char text[] = "{\"a\":\"x\0y\"}";
	struct chaff_arena a;
	const struct chaff_json_value *v;

	chaff_arena_init(&a);
	/* A raw NUL is a control character: refused, not truncating the string. */
	CHECK_INT(chaff_json_parse(&v, text, sizeof(text) - 1, NULL, &a, NULL),
	          CHAFF_ERR_MALFORMED);
	chaff_arena_release(&a);
}

static void test_access(void)
{
	static const char text[] =
		"{\"label\":\"thin\",\"scores\":{\"reliable\":0.25,\"thin\":0.75},"
		"\"evidence\":{\"price_blocks\":[\"$1 per pill\",\"buy\"]},\"big\":1e999}";
	struct chaff_arena a;
	const struct chaff_json_value *v, *s, *e;

	chaff_arena_init(&a);
	CHECK_INT(chaff_json_parse(&v, text, sizeof(text) - 1, NULL, &a, NULL), CHAFF_OK);
	CHECK_INT(v->type, CHAFF_JSON_OBJECT);
	CHECK_INT(v->n, 4);
	CHECK_STR(chaff_json_get(v, "label")->str, "thin");
	CHECK_INT(chaff_json_get(v, "label")->len, 4);
	s = chaff_json_get(v, "scores");
	CHECK(s && s->n == 2);
	CHECK(chaff_json_get(s, "thin")->number == 0.75);
	CHECK(chaff_json_get(s, "missing") == NULL);
	CHECK(chaff_json_get(chaff_json_get(v, "label"), "x") == NULL);
	CHECK(chaff_json_get(NULL, "x") == NULL);
	e = chaff_json_get(chaff_json_get(v, "evidence"), "price_blocks");
	CHECK(e && e->type == CHAFF_JSON_ARRAY && e->n == 2);
	CHECK_STR(e->child->next->str, "buy");
	CHECK(e->child->key == NULL);
	CHECK(isinf(chaff_json_get(v, "big")->number));
	chaff_arena_release(&a);
}

static void test_limits(void)
{
	struct chaff_json_limits lim;
	struct chaff_arena a;
	const struct chaff_json_value *v;
	char why[CHAFF_WHY_MAX];
	size_t n = 200000, i;
	char *deep = malloc(n);

	chaff_arena_init(&a);
	chaff_json_limits_default(&lim);
	CHECK_INT(lim.max_depth, 32);

	/* Deep nesting: refused at the limit, quickly, without recursion. */
	memset(deep, '[', n);
	lim.max_bytes = n;
	CHECK_INT(chaff_json_parse(&v, deep, n, &lim, &a, why), CHAFF_ERR_TOO_DEEP);
	CHECK_STR(why, "byte 33: nested deeper than the limit");
	lim.max_depth = 100000;  /* capped at 1024 */
	CHECK_INT(chaff_json_parse(&v, deep, n, &lim, &a, why), CHAFF_ERR_TOO_DEEP);
	chaff_arena_reset(&a);

	/* Exactly max_depth levels are fine. */
	lim.max_depth = 3;
	CHECK_INT(chaff_json_parse(&v, "[[[1]]]", 7, &lim, &a, why), CHAFF_OK);
	CHECK_INT(chaff_json_parse(&v, "[[[[1]]]]", 9, &lim, &a, why), CHAFF_ERR_TOO_DEEP);
	CHECK_INT(chaff_json_parse(&v, "[[[[]]]]", 8, &lim, &a, why), CHAFF_ERR_TOO_DEEP);

	/* Bytes. */
	lim.max_bytes = 8;
	CHECK_INT(chaff_json_parse(&v, "[1,2,3,4]", 9, &lim, &a, why), CHAFF_ERR_TOO_LARGE);
	CHECK_INT(chaff_json_parse(&v, "[1,2,34]", 8, &lim, &a, why), CHAFF_OK);

	/* Values: a flat array of many small values. */
	chaff_json_limits_default(&lim);
	lim.max_values = 1000;
	deep[0] = '[';
	for (i = 1; i + 1 < n; i += 2) {
		deep[i] = '0';
		deep[i + 1] = ',';
	}
	deep[n - 2] = ']';  /* "[0,0,...,0]" of n - 1 bytes */
	lim.max_bytes = n;
	CHECK_INT(chaff_json_parse(&v, deep, n - 1, &lim, &a, why), CHAFF_ERR_TOO_LARGE);
	lim.max_values = n;
	CHECK_INT(chaff_json_parse(&v, deep, n - 1, &lim, &a, why), CHAFF_OK);
	CHECK(v && v->n == n / 2 - 1);
	chaff_arena_release(&a);
	free(deep);
}

int main(void)
{
	test_good();
	test_bad();
	test_nul_inside_text();
	test_access();
	test_limits();
	return check_summary();
}
