/*
 * stages.c - time each stage of scoring on the same pages, one thread:
 * a bare Gumbo parse, chaff_doc_parse (charset, pre-scan, Gumbo with the
 * arena, walk), chaff_features_extract, chaff_model_predict. Prints one
 * line per stage and the share of feature extraction in the parse time.
 * Usage: stages LIST [RUNS]   (LIST: "length<TAB>path" lines, as mkwarc.py writes)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gumbo.h>

#include "chaff.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct chaff_limits lim;
	struct chaff_page *pages = NULL;
	size_t npages = 0, cap = 0, i, bytes = 0;
	int runs = argc > 2 ? atoi(argv[2]) : 3, r;
	double best[4] = {1e30, 1e30, 1e30, 1e30};
	char line[8192];
	FILE *f;

	if (argc < 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: stages LIST [RUNS]\n");
		return 2;
	}
	chaff_limits_default(&lim);
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '\t'), why[CHAFF_WHY_MAX];

		if (!path)
			continue;
		path++;
		path[strcspn(path, "\n")] = '\0';
		if (npages == cap) {
			cap = cap ? cap * 2 : 1024;
			pages = realloc(pages, cap * sizeof(*pages));
		}
		chaff_page_init(&pages[npages], &lim);
		if (chaff_page_read_file(&pages[npages], path, &lim, why)) {
			chaff_page_release(&pages[npages]);
			continue;
		}
		bytes += pages[npages].body.len;
		npages++;
	}
	fclose(f);
	for (r = 0; r < runs; r++) {
		struct chaff_arena arena;
		double t[4] = {0, 0, 0, 0};

		chaff_arena_init(&arena);
		for (i = 0; i < npages; i++) {
			struct chaff_doc doc;
			struct chaff_features feat;
			struct chaff_verdict v;
			double t0 = now(), t1, t2, t3, t4;
			GumboOutput *out = gumbo_parse_with_options(&kGumboDefaultOptions,
			                                             pages[i].body.data, pages[i].body.len);

			gumbo_destroy_output(&kGumboDefaultOptions, out);
			t1 = now();
			if (chaff_doc_parse(&doc, &pages[i], &lim, &arena, NULL)) {
				chaff_arena_reset(&arena);
				continue;
			}
			t2 = now();
			chaff_features_extract(&feat, &doc, 0, &arena);
			t3 = now();
			chaff_model_predict(chaff_model_default(), &feat, &v);
			t4 = now();
			t[0] += t1 - t0;
			t[1] += t2 - t1;
			t[2] += t3 - t2;
			t[3] += t4 - t3;
			chaff_arena_reset(&arena);
		}
		chaff_arena_release(&arena);
		for (i = 0; i < 4; i++)
			if (t[i] < best[i])
				best[i] = t[i];
	}
	printf("stages over %zu pages (%.1f MB), best of %d runs, one thread:\n", npages,
	       bytes / 1e6, runs);
	printf("  bare Gumbo parse + destroy    %8.3f s  %7.0f pages/s\n", best[0], npages / best[0]);
	printf("  chaff_doc_parse (Gumbo+walk)  %8.3f s  %7.0f pages/s\n", best[1], npages / best[1]);
	printf("  chaff_features_extract        %8.3f s  %7.0f pages/s\n", best[2], npages / best[2]);
	printf("  chaff_model_predict           %8.3f s  %7.0f pages/s\n", best[3], npages / best[3]);
	printf("  feature extraction / bare Gumbo parse: %.1f%% (target <= 10%%)\n",
	       100.0 * best[2] / best[0]);
	for (i = 0; i < npages; i++)
		chaff_page_release(&pages[i]);
	free(pages);
	return 0;
}
