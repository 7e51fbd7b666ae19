/*
 * gumbo_bare.c - the yardstick for chaff bulk: a bare Gumbo parse and
 * destroy of the same pages, nothing else (no WARC, no charset, no text
 * walk, default allocator). Usage: gumbo_bare LIST [RUNS]
 * LIST holds "length<TAB>path" lines (tests/bench/mkwarc.py --list); .gz
 * pages are gunzipped. Every page is loaded first; only parsing is timed.
 * Prints one line per run: "wall_s cpu_s pages bytes".
 */
#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

struct page {
	char *data;
	size_t len;
};

static double seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct page load(const char *path, size_t len)
{
	struct page p = {malloc(len + 1), 0};
	gzFile f = gzopen(path, "rb");  /* reads plain files as they are */
	int got;

	if (!p.data || !f) {
		fprintf(stderr, "gumbo_bare: %s: cannot read\n", path);
		exit(1);
	}
	while (p.len < len && (got = gzread(f, p.data + p.len, (unsigned)(len - p.len))) > 0)
		p.len += (size_t)got;
	gzclose(f);
	return p;
}

int main(int argc, char **argv)
{
	struct page *pages = NULL;
	size_t n = 0, cap = 0, total = 0, i;
	int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 1, r;
	char line[8192];
	FILE *list;

	if (argc < 2 || !(list = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: gumbo_bare LIST [RUNS]\n");
		return 2;
	}
	while (fgets(line, sizeof(line), list)) {
		char *tab = strchr(line, '\t'), *nl;
		size_t len = strtoul(line, NULL, 10);

		if (!tab)
			continue;
		nl = strchr(tab, '\n');
		if (nl)
			*nl = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			pages = realloc(pages, cap * sizeof(*pages));
			if (!pages)
				return 1;
		}
		pages[n] = load(tab + 1, len);
		total += pages[n].len;
		n++;
	}
	fclose(list);
	for (r = 0; r < runs; r++) {
		double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);

		for (i = 0; i < n; i++) {
			GumboOutput *out = gumbo_parse_with_options(&kGumboDefaultOptions,
			                                            pages[i].data, pages[i].len);

			gumbo_destroy_output(&kGumboDefaultOptions, out);
		}
		printf("%.4f %.4f %zu %zu\n", seconds(CLOCK_MONOTONIC) - w0,
		       seconds(CLOCK_PROCESS_CPUTIME_ID) - c0, n, total);
		fflush(stdout);
	}
	for (i = 0; i < n; i++)
		free(pages[i].data);
	free(pages);
	return 0;
}
