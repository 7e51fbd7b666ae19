/*
 * fuzz_elide.c - a differential target: any bytes parsed as HTML with the
 * script and style bodies dropped before Gumbo (the default) and with every
 * byte parsed must give the same document. Aborts on the first difference.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tests/doc_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct twin_parse t;
	const char *diff;
	size_t where;

	twin_parse(&t, (const char *)data, size);
	diff = twin_difference(&t, &where);
	if (diff) {
		fprintf(stderr, "fuzz_elide: documents differ in %s (item %zu)\n", diff, where);
		abort();
	}
	twin_release(&t);
	return 0;
}
