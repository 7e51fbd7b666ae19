/*
 * fuzz_page.c - the page pipeline: any bytes -> doc -> features -> verdict
 * with the built-in model. The first byte picks how the page is read
 * (sniffed, HTML, text, with a charset label) so one corpus covers all.
 */
#include <stdint.h>
#include <string.h>

#include "chaff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = {NULL, "utf-8", "iso-8859-1", "shift_jis",
	                                       "utf-16", "gb2312", "bogus"};
	struct chaff_limits lim;
	struct chaff_page page;
	struct chaff_arena arena;
	struct chaff_doc doc;
	struct chaff_features f;
	struct chaff_verdict v;
	char why[CHAFF_WHY_MAX];
	unsigned mode = size ? data[0] : 0;

	chaff_limits_default(&lim);
	lim.max_parse_bytes = 1 << 20;
	lim.max_depth = 200;
	chaff_page_init(&page, &lim);
	page.kind = (enum chaff_page_kind)(mode % 3);
	if (mode & 0x08) {
		const char *cs = charsets[(mode >> 4) % (sizeof(charsets) / sizeof(charsets[0]))];

		if (cs)
			page.charset = chaff_xstrdup(cs);
	}
	page.url = chaff_xstrdup("http://fuzz.example/p");
	if (size > 1)
		chaff_buf_append(&page.body, data + 1, size - 1 > page.body.max ? page.body.max
		                                                                 : size - 1);
	chaff_arena_init(&arena);
	chaff_score_page(chaff_model_default(), &page, &lim, &arena, &doc, &f, &v, why);
	chaff_arena_release(&arena);
	chaff_page_release(&page);
	return 0;
}
