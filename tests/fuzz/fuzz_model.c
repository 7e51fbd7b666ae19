/*
 * fuzz_model.c - the model file parser: any bytes are refused with a
 * "line N: ..." message or parse into a model that writes back to text the
 * parser reads to the same bytes, and that predicts finite probabilities.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_predict(const struct chaff_model *m)
{
	static struct chaff_term terms[] = {{0, 1, "a"}, {5, 2, "b c"}, {4095, 0.5f, NULL}};
	struct chaff_features *f = calloc(1, sizeof(*f));
	struct chaff_verdict v;
	double sum = 0;
	size_t k;

	if (!f)
		abort();
	f->hash_bits = chaff_model_hash_bits(m);
	f->terms = terms;
	f->nterms = f->hash_bits >= 12 ? 3 : 2;
	f->signals[CHAFF_SIG_PRICE_BLOCKS] = 3;
	chaff_model_predict(m, f, &v);
	for (k = 0; k < chaff_model_nlabels(m); k++)
		sum += v.prob[k];
	if (!(fabs(sum - 1) < 1e-9) || v.label >= chaff_model_nlabels(m))
		abort();
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chaff_model *m = NULL, *m2 = NULL;
	struct chaff_buf a, b;
	char why[CHAFF_WHY_MAX] = "";

	if (chaff_model_parse(&m, (const char *)data, size, why)) {
		if (m || strncmp(why, "line ", 5))
			abort();
		return 0;
	}
	chaff_buf_init(&a, CHAFF_MODEL_MAX_BYTES);
	chaff_buf_init(&b, CHAFF_MODEL_MAX_BYTES);
	if (chaff_model_write(m, &a) || chaff_model_parse(&m2, a.data, a.len, why) ||
	    chaff_model_write(m2, &b) || a.len != b.len || memcmp(a.data, b.data, a.len)) {
		fprintf(stderr, "fuzz_model: round trip failed: %s\n", why);
		abort();
	}
	check_predict(m);
	chaff_buf_release(&a);
	chaff_buf_release(&b);
	chaff_model_free(m2);
	chaff_model_free(m);
	return 0;
}
