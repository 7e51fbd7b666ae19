/*
 * fuzz_robots.c - robots.txt and the crawler's other parsers of untrusted
 * text. Input: robots.txt bytes, then optionally a NUL and a link as a page
 * would carry it. The rules are parsed for three agents and asked about
 * paths taken from the input; the link is resolved against a base URL and
 * run through the focus lexicon, its result checked to be normalised.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ask(const struct chaff_robots *r, const char *p, size_t n)
{
	char path[512];

	if (n > sizeof(path) - 2)
		n = sizeof(path) - 2;
	path[0] = '/';
	memcpy(path + 1, p, n);
	path[n + 1] = '\0';
	chaff_robots_allowed(r, path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const agents[] = {"chaff", "*", "googlebot"};
	static const int statuses[] = {200, 200, 404, 503};
	const char *text = (const char *)data;
	const uint8_t *nul = memchr(data, 0, size);
	size_t robots_len = nul ? (size_t)(nul - data) : size;
	size_t i;

	for (i = 0; i < sizeof(agents) / sizeof(agents[0]); i++) {
		int status = statuses[(size ? data[0] : 0) % 4];
		struct chaff_robots *r = chaff_robots_new(status, text, robots_len, agents[i]);
		size_t at;

		chaff_robots_crawl_delay_ms(r);
		ask(r, "", 0);
		ask(r, "robots.txt", 10);
		/* each line of the input is a path too */
		for (at = 0; at < robots_len && at < 4096;) {
			const char *nl = memchr(text + at, '\n', robots_len - at);
			size_t len = nl ? (size_t)(nl - text - at) : robots_len - at;

			ask(r, text + at, len);
			at += len + 1;
		}
		chaff_robots_free(r);
	}
	if (nul) {
		size_t n = size - robots_len - 1;
		char *link = malloc(n + 1), *url = NULL, *again = NULL;

		if (!link)
			abort();
		memcpy(link, nul + 1, n);
		link[n] = '\0';
		chaff_focus_match(link, n);
		if (chaff_url_resolve(&url, "http://example.org/a/b?c", link, NULL) == CHAFF_OK) {
			/* a normalised URL is a fixed point and fits the limit */
			if (strlen(url) > CHAFF_URL_MAX ||
			    chaff_url_resolve(&again, NULL, url, NULL) != CHAFF_OK || strcmp(url, again))
				abort();
			chaff_url_path(url);
		}
		free(again);
		free(url);
		free(link);
	}
	return 0;
}
