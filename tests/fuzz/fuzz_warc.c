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

/* Folds what a record tells into h: where, what, its block and its warning. */
static uint64_t fold_record(uint64_t h, const struct chaff_warc_record *rec)
{
	uint64_t facts[4] = {rec->offset, rec->content_length, rec->block.len,
	                     (uint64_t)rec->incomplete << 2 | (uint64_t)rec->block_cut << 1};

	h = chaff_hash64(facts, sizeof(facts), h);
	h = chaff_hash64(rec->type, strlen(rec->type), h);
	if (rec->record_id)
		h = chaff_hash64(rec->record_id, strlen(rec->record_id), h);
	h = chaff_hash64(rec->block.data ? rec->block.data : "", rec->block.len, h);
	return chaff_hash64(rec->warning, strlen(rec->warning), h);
}

/*
 * Read every record, with `helpers` threads inflating ahead, and turn each
 * into a page twice. Returns a hash of everything read, errors included.
 */
static uint64_t read_all(const uint8_t *data, size_t size, unsigned helpers)
{
	struct chaff_warc_reader *r;
	struct chaff_warc_record rec;
	struct chaff_limits lim;
	struct chaff_page page;
	char why[CHAFF_WHY_MAX];
	size_t calls = 0;
	uint64_t h = 0;
	FILE *f = fmemopen((void *)data, size, "rb");

	if (!f)
		return 0;
	chaff_limits_default(&lim);
	lim.max_input_bytes = 1 << 16;
	lim.max_decoded_bytes = 1 << 18;
	if (chaff_warc_open_file(&r, f, "fuzz", lim.max_input_bytes, why)) {
		fclose(f);
		return 1;
	}
	chaff_warc_set_threads(r, helpers);
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
		if (err) {
			h = chaff_hash64(why, strlen(why), h + (uint64_t)err);
			continue;
		}
		h = fold_record(h, &rec);
		(void)chaff_warc_field(&rec, "WARC-Payload-Digest");
		chaff_warc_page(&rec, &page, &lim, calls & 1, why);
		chaff_warc_page(&rec, &page, &lim, true, why);
	}
	(void)chaff_warc_tell(r);
	chaff_page_release(&page);
	chaff_warc_record_release(&rec);
	chaff_warc_close(r);
	fclose(f);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* glibc's fmemopen refuses an empty buffer. */
	if (!size)
		return 0;
	/* Odd sizes: helper threads must change nothing. */
	if (size & 1 && read_all(data, size, 2) != read_all(data, size, 0))
		__builtin_trap();
	if (!(size & 1))
		read_all(data, size, 0);
	return 0;
}
