/*
 * fuzz_corpus.c - the labels file parser: any bytes as a labels.tsv give
 * rows that are each well formed (a label index in range, a path, a site
 * unless a WARC row) or reported as bad; never a crash. The bytes go
 * through a temporary file because chaff_corpus_add reads labels files by
 * name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chaff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz_corpus.XXXXXX", why[CHAFF_WHY_MAX];
	struct chaff_corpus c;
	struct chaff_train_opts o;
	size_t i;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	chaff_train_opts_default(&o);
	chaff_corpus_init(&c);
	if (chaff_corpus_add(&c, path, &o, why) == CHAFF_OK) {
		if (c.nlabels > CHAFF_MAX_LABELS)
			abort();
		for (i = 0; i < c.nsamples; i++) {
			const struct chaff_sample *s = &c.samples[i];

			/* Only a WARC row may leave its site to its record's URI. */
			if (s->label >= c.nlabels || !s->path[0] || (!s->site && !s->record) ||
			    !s->where)
				abort();
		}
	}
	chaff_corpus_release(&c);
	unlink(path);
	return 0;
}
