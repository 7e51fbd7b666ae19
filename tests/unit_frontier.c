/*
 * unit_frontier.c - the crawler's URL normalisation, focus lexicon,
 * seen-set, per-host scheduling and the journal a resume replays.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawler/frontier.h"
#include "tests/check.h"

struct url_case {
	const char *base, *ref, *want;   /* want NULL: an error */
	enum chaff_err err;
};

static const struct url_case urls[] = {
	{NULL, "HTTP://Example.COM", "http://example.com/", CHAFF_OK},
	{NULL, "http://example.com:80/a", "http://example.com/a", CHAFF_OK},
	{NULL, "https://example.com:443/a", "https://example.com/a", CHAFF_OK},
	{NULL, "http://example.com:8080/a", "http://example.com:8080/a", CHAFF_OK},
	{NULL, "http://example.com/a/./b/../c", "http://example.com/a/c", CHAFF_OK},
	{NULL, "http://example.com/%7euser/%2f%41", "http://example.com/~user/%2FA", CHAFF_OK},
	{NULL, "http://example.com/a b", "http://example.com/a%20b", CHAFF_OK},
	{NULL, "http://example.com/100%", "http://example.com/100%25", CHAFF_OK},
	{NULL, "http://user:pw@example.com/x", "http://example.com/x", CHAFF_OK},
	{NULL, "http://example.com/x#frag", "http://example.com/x", CHAFF_OK},
	{NULL, "http://example.com/x?", "http://example.com/x", CHAFF_OK},
	{NULL, "http://example.com/x?b=1&a=2", "http://example.com/x?b=1&a=2", CHAFF_OK},
	{NULL, "  http://example.com/\n ", "http://example.com/", CHAFF_OK},
	{NULL, "http://exam\tple.com/", "http://example.com/", CHAFF_OK},
	{NULL, "http://example.com./", "http://example.com/", CHAFF_OK},
	{NULL, "http://127.0.0.1:8080", "http://127.0.0.1:8080/", CHAFF_OK},
	{NULL, "http://[::1]:8080/x", "http://[::1]:8080/x", CHAFF_OK},
	{NULL, "http://example.com/caf\xc3\xa9", "http://example.com/caf%C3%A9", CHAFF_OK},
	{"http://example.com/a/b", "c", "http://example.com/a/c", CHAFF_OK},
	{"http://example.com/a/b", "../c", "http://example.com/c", CHAFF_OK},
	{"http://example.com/a/b", "../../../../c", "http://example.com/c", CHAFF_OK},
	{"http://example.com/a/b", "/c?d", "http://example.com/c?d", CHAFF_OK},
	{"http://example.com/a/b", "//other.org/x", "http://other.org/x", CHAFF_OK},
	{"https://example.com/a/b", "?q=1", "https://example.com/a/b?q=1", CHAFF_OK},
	{"http://example.com/a/b", "#top", "http://example.com/a/b", CHAFF_OK},
	{"http://example.com/a/b", "", "http://example.com/a/b", CHAFF_OK},
	{"http://example.com/a/b", "\\c\\d", "http://example.com/c/d", CHAFF_OK},
	{"http://example.com/a/b", "https://Other.ORG", "https://other.org/", CHAFF_OK},
	{NULL, "mailto:pharmacist@example.org", NULL, CHAFF_ERR_NOT_ALLOWED},
	{"http://example.com/", "javascript:alert(1)", NULL, CHAFF_ERR_NOT_ALLOWED},
	{"http://example.com/", "JavaScript:void(0)", NULL, CHAFF_ERR_NOT_ALLOWED},
	{"http://example.com/", "data:text/html,x", NULL, CHAFF_ERR_NOT_ALLOWED},
	{NULL, "ftp://example.com/", NULL, CHAFF_ERR_NOT_ALLOWED},
	{NULL, "file:///etc/passwd", NULL, CHAFF_ERR_NOT_ALLOWED},
	{NULL, "", NULL, CHAFF_ERR_MALFORMED},
	{NULL, "http://", NULL, CHAFF_ERR_MALFORMED},
	{NULL, "no-scheme.example.com/x", NULL, CHAFF_ERR_MALFORMED},
	{NULL, "http://exa mple.com/", NULL, CHAFF_ERR_MALFORMED},
	{NULL, "http://.../x", NULL, CHAFF_ERR_MALFORMED},
	{NULL, "http://a..b/x", NULL, CHAFF_ERR_MALFORMED},
	{"http://example.com/", "//.example.com/", NULL, CHAFF_ERR_MALFORMED},
	{NULL, "http://b\xc3\xbc" "cher.example/", NULL, CHAFF_ERR_MALFORMED},
};

static void test_urls(void)
{
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		const struct url_case *c = &urls[i];
		char *got = NULL, *again = NULL, why[CHAFF_WHY_MAX] = "";
		enum chaff_err err = chaff_url_resolve(&got, c->base, c->ref, why);

		if (err != c->err || (c->want && (!got || strcmp(got, c->want))))
			fprintf(stderr, "url case %zu: \"%s\" -> %s (%s)\n", i, c->ref,
			        got ? got : "(null)", why);
		CHECK_INT(err, c->err);
		CHECK_STR(got, c->want);
		if (got) {
			/* normalising twice changes nothing */
			CHECK_INT(chaff_url_resolve(&again, NULL, got, why), CHAFF_OK);
			CHECK_STR(again, got);
		} else {
			CHECK(why[0] != '\0');
		}
		free(got);
		free(again);
	}
}

static void test_url_limits(void)
{
	size_t n = CHAFF_URL_MAX + 100;
	char *u = malloc(n + 1), *got = NULL, why[CHAFF_WHY_MAX];

	memcpy(u, "http://example.com/", 19);
	memset(u + 19, 'a', n - 19);
	u[n] = '\0';
	CHECK_INT(chaff_url_resolve(&got, NULL, u, why), CHAFF_ERR_TOO_LARGE);
	CHECK(got == NULL);
	u[CHAFF_URL_MAX] = '\0';  /* exactly CHAFF_URL_MAX bytes: fine */
	CHECK_INT(chaff_url_resolve(&got, NULL, u, why), CHAFF_OK);
	CHECK_INT(strlen(got), CHAFF_URL_MAX);
	free(got);
	free(u);
	CHECK_INT(chaff_url_origin_len("http://a.b:81/x?y"), 13);
	CHECK_STR(chaff_url_path("http://a.b:81/x?y"), "/x?y");
	CHECK_STR(chaff_url_path("http://a.b"), "/");
	CHECK_INT(chaff_url_origin_len("junk"), 0);
}

static bool focus(const char *s)
{
	return chaff_focus_match(s, strlen(s));
}

static void test_focus(void)
{
	char big[2000];

	CHECK(focus("http://example.com/drugs/ibuprofen"));
	CHECK(focus("Side effects of aspirin"));
	CHECK(focus("/ibuprofen-side-effects"));
	CHECK(focus("side-effects"));
	CHECK(focus("STATINS explained"));
	CHECK(focus("500mg tablets"));
	CHECK(focus("Ask a Pharmacist"));
	CHECK(focus("/Metformin_Dosage.html"));
	CHECK(focus("Medication safety"));
	CHECK(focus("buy-viagra-online"));
	CHECK(focus("Drug interactions"));
	CHECK(!focus(""));
	CHECK(!focus("Chocolate cake recipe"));
	CHECK(!focus("/about-us"));
	CHECK(!focus("http://127.0.0.1:8080/"));
	CHECK(!focus("Growing tomatoes"));
	CHECK(!focus("effects"));
	CHECK(!focus("side"));
	CHECK(!focus("index.html"));
	CHECK(!focus("ibuprofenx"));  /* whole words only */
	memset(big, 'a', sizeof(big));
	CHECK(!chaff_focus_match(big, sizeof(big)));
	memcpy(big + 1000, " aspirin ", 9);
	CHECK(chaff_focus_match(big, sizeof(big)));
}

static void test_urlset(void)
{
	struct chaff_urlset s;
	char u[64];
	int i, missing = 0, dup = 0;

	chaff_urlset_init(&s);
	for (i = 0; i < 20000; i++) {
		snprintf(u, sizeof(u), "http://example.com/p%d", i);
		if (!chaff_urlset_add(&s, u))
			dup++;
	}
	for (i = 0; i < 20000; i++) {
		snprintf(u, sizeof(u), "http://example.com/p%d", i);
		if (!chaff_urlset_has(&s, u))
			missing++;
		if (chaff_urlset_add(&s, u))
			dup++;
	}
	CHECK_INT(missing, 0);
	CHECK_INT(dup, 0);
	CHECK(!chaff_urlset_has(&s, "http://example.com/p20000"));
	CHECK_INT(s.n, 20000);
	chaff_urlset_release(&s);
}

static void test_schedule(void)
{
	struct chaff_frontier f;
	struct chaff_host *h, *a;
	struct chaff_url_item *it;
	int64_t wait;

	chaff_frontier_init(&f, 5);
	CHECK_INT(chaff_frontier_add(&f, "http://a.org/1", 0, 0, 100), CHAFF_ADD_NEW);
	CHECK_INT(chaff_frontier_add(&f, "http://a.org/2", 1, 0, 100), CHAFF_ADD_NEW);
	CHECK_INT(chaff_frontier_add(&f, "http://b.org/1", 0, 0, 100), CHAFF_ADD_NEW);
	CHECK_INT(chaff_frontier_add(&f, "http://a.org/1", 0, 0, 100), CHAFF_ADD_SEEN);
	CHECK_INT(f.queued, 3);
	CHECK_INT(f.nhosts, 2);
	a = chaff_frontier_host(&f, "http://a.org/anything", 100);
	CHECK_STR(a->origin, "http://a.org");
	CHECK_INT(a->nqueued, 2);

	/* round robin over ready hosts; busy and waiting hosts skipped */
	h = chaff_frontier_next(&f, 1000, &wait);
	CHECK(h == a);
	h->busy = true;
	h = chaff_frontier_next(&f, 1000, &wait);
	CHECK_STR(h ? h->origin : NULL, "http://b.org");
	it = chaff_frontier_pop(&f, h);
	CHECK_STR(it->url, "http://b.org/1");
	free(it);
	h->next_ms = 1500;
	CHECK(chaff_frontier_next(&f, 1000, &wait) == NULL);
	CHECK_INT(wait, -1);  /* b has nothing queued, a is busy */
	a->busy = false;
	a->next_ms = 1300;
	CHECK(chaff_frontier_next(&f, 1000, &wait) == NULL);
	CHECK_INT(wait, 300);
	CHECK(chaff_frontier_next(&f, 1300, &wait) == a);

	/* FIFO per host, retries go to the front */
	it = chaff_frontier_pop(&f, a);
	CHECK_STR(it->url, "http://a.org/1");
	it->tries++;
	chaff_frontier_requeue(&f, a, it);
	it = chaff_frontier_pop(&f, a);
	CHECK_STR(it->url, "http://a.org/1");
	CHECK_INT(it->tries, 1);
	free(it);
	it = chaff_frontier_pop(&f, a);
	CHECK_STR(it->url, "http://a.org/2");
	CHECK_INT(it->depth, 1);
	free(it);
	CHECK(chaff_frontier_pop(&f, a) == NULL);
	CHECK_INT(f.queued, 0);

	/* the seen-set ceiling */
	CHECK_INT(chaff_frontier_add(&f, "http://c.org/1", 0, 0, 100), CHAFF_ADD_NEW);
	CHECK_INT(chaff_frontier_add(&f, "http://c.org/2", 0, 0, 100), CHAFF_ADD_NEW);
	CHECK_INT(chaff_frontier_add(&f, "http://c.org/3", 0, 0, 100), CHAFF_ADD_FULL);
	chaff_frontier_release(&f);
}

static void test_journal(void)
{
	char path[256], why[CHAFF_WHY_MAX] = "";
	const char *tmp = getenv("TMPDIR");
	struct chaff_frontier f;
	struct chaff_urlset done;
	struct chaff_url_item *it;
	struct chaff_host *h;
	FILE *j;
	int fd;

	snprintf(path, sizeof(path), "%s/chaff-journal.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);

	/* A crawl journals, then is "killed" mid-line. */
	chaff_frontier_init(&f, 100);
	CHECK_INT(chaff_frontier_journal(&f, path, false, NULL, 100, why), CHAFF_OK);
	chaff_frontier_add(&f, "http://a.org/", 0, 0, 100);
	chaff_frontier_add(&f, "http://a.org/x", 1, 0, 100);
	chaff_frontier_add(&f, "http://a.org/y", 1, 2, 100);
	chaff_frontier_add(&f, "http://a.org/z", 1, 0, 100);
	chaff_frontier_done(&f, "http://a.org/");
	CHECK(chaff_frontier_sync(&f));
	chaff_frontier_release(&f);
	j = fopen(path, "a");
	fputs("S 1 0 http://a.org/junk\nS x y http://a.org/bad\nD http://a.org/z", j);  /* cut */
	fclose(j);

	/* Resume: the WARC says /x is written; the journal says / is done. */
	chaff_urlset_init(&done);
	chaff_urlset_add(&done, "http://a.org/x");
	chaff_urlset_add(&done, "http://a.org/not-journaled");
	chaff_frontier_init(&f, 100);
	CHECK_INT(chaff_frontier_journal(&f, path, true, &done, 100, why), CHAFF_OK);
	CHECK_INT(f.queued, 3);  /* /y, /z (its D line was cut), /junk */
	h = chaff_frontier_host(&f, "http://a.org/", 100);
	it = chaff_frontier_pop(&f, h);
	CHECK_STR(it->url, "http://a.org/y");
	CHECK_INT(it->depth, 1);
	CHECK_INT(it->hops, 2);
	free(it);
	it = chaff_frontier_pop(&f, h);
	CHECK_STR(it->url, "http://a.org/z");
	free(it);
	CHECK_INT(chaff_frontier_add(&f, "http://a.org/", 0, 0, 100), CHAFF_ADD_SEEN);
	CHECK_INT(chaff_frontier_add(&f, "http://a.org/x", 0, 0, 100), CHAFF_ADD_SEEN);
	CHECK_INT(chaff_frontier_add(&f, "http://a.org/new", 2, 0, 100), CHAFF_ADD_NEW);
	CHECK_INT(chaff_frontier_add(&f, "http://a.org/not-journaled", 0, 0, 100), CHAFF_ADD_SEEN);
	chaff_frontier_journal_close(&f, true);
	CHECK(access(path, F_OK) != 0);
	chaff_frontier_release(&f);
	chaff_urlset_release(&done);

	/* A journal that cannot be opened */
	chaff_frontier_init(&f, 100);
	CHECK_INT(chaff_frontier_journal(&f, "/nonexistent-dir/j", false, NULL, 100, why),
	          CHAFF_ERR_IO);
	chaff_frontier_release(&f);
}

int main(void)
{
	chaff_global_init();
	test_urls();
	test_url_limits();
	test_focus();
	test_urlset();
	test_schedule();
	test_journal();
	chaff_global_cleanup();
	return check_summary();
}
