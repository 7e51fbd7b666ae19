/*
 * fuzz_warc.c - the WARC reader and the HTTP layer inside records: any
 * bytes -> chaff_warc_open_file on a memory stream -> every record ->
 * chaff_warc_page (status, headers, de-chunking, gzip/deflate/br), with
 * and without helper threads. Small caps so that big declared lengths and
 * bombs are exercised cheaply.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chaff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chaff_warc_reader *r;
	struct chaff_warc_record rec;
	struct chaff_limits lim;
	struct chaff_page page;
	char why[CHAFF_WHY_MAX];
	size_t calls = 0;
	FILE *f;

	/* glibc's fmemopen refuses an empty buffer. */
	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	chaff_limits_default(&lim);
	lim.max_input_bytes = 1 << 16;
	lim.max_decoded_bytes = 1 << 18;
	if (chaff_warc_open_file(&r, f, "fuzz", lim.max_input_bytes, why)) {
		fclose(f);
		return 0;
	}
	/* Odd sizes read with helper threads inflating members ahead. */
	chaff_warc_set_threads(r, size & 1 ? 2 : 0);
	chaff_warc_record_init(&rec);
	chaff_page_init(&page, &lim);
	for (;;) {
		enum chaff_err err = chaff_warc_next(r, &rec, why);

		if (err == CHAFF_EOF)
			break;
		/*
		 * Every call consumes input: more calls than the input could
		 * hold records (deflate expands at most ~1032 times) is a hang.
		 */
		if (++calls > (size + 16) * 1100)
			__builtin_trap();
		if (err)
			continue;
		(void)chaff_warc_field(&rec, "WARC-Payload-Digest");
		chaff_warc_page(&rec, &page, &lim, calls & 1, why);
		chaff_warc_page(&rec, &page, &lim, true, why);
	}
	(void)chaff_warc_tell(r);
	chaff_page_release(&page);
	chaff_warc_record_release(&rec);
	chaff_warc_close(r);
	fclose(f);
	return 0;
}
