/*
 * unit_robots.c - robots.txt (RFC 9309): groups, longest match, Allow on
 * ties, wildcards, percent-encoding, status codes, Crawl-delay, the 500 KiB
 * parse limit. Examples are the RFC's and the ones crawler users report.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chaff.h"
#include "tests/check.h"

struct robots_case {
	const char *txt;
	const char *path;
	bool allowed;
};

static const struct robots_case cases[] = {
	/* no rules */
	{"", "/anything", true},
	{"# only a comment\n", "/x", true},
	{"User-agent: *\nDisallow: /\n", "/x", false},
	{"User-agent: *\nDisallow: /\n", "/robots.txt", true},
	{"User-agent: *\nDisallow:\n", "/x", true},                 /* empty Disallow allows */
	{"User-agent: *\nAllow:\n", "/x", true},
	/* the most specific group; "*" only when none names us */
	{"User-agent: *\nDisallow: /\n\nUser-agent: chaff\nDisallow: /private\n", "/public", true},
	{"User-agent: *\nDisallow: /\n\nUser-agent: chaff\nDisallow: /private\n", "/private/x", false},
	{"User-agent: *\nDisallow: /\n\nUser-agent: chaff\n", "/x", true},  /* our group, no rules */
	{"User-Agent: CHAFF\nDisallow: /a\n", "/a", false},          /* case-insensitive */
	{"user-agent: chaff/1.0\ndisallow: /a\n", "/a/b", false},    /* version ignored */
	{"User-agent: chaffbot\nDisallow: /\n", "/x", true},         /* another product */
	{"User-agent: googlebot\nDisallow: /\n", "/x", true},
	{"User-agent: other\nUser-agent: chaff\nDisallow: /x\n", "/x", false},  /* shared group */
	{"User-agent: chaff\nDisallow: /a\n\nUser-agent: chaff\nDisallow: /b\n", "/b", false},
	{"User-agent: chaff\nDisallow: /a\n\nUser-agent: chaff\nDisallow: /b\n", "/a", false},
	{"User-agent: chaff\nDisallow: /a\nUser-agent: other\nDisallow: /b\n", "/b", true},
	{"Disallow: /x\nUser-agent: *\nDisallow: /y\n", "/x", true}, /* rule outside a group */
	/* rules in the form the frontier gives paths: characters it escapes, escaped */
	{"User-agent: *\nDisallow: /a|b\n", "/a%7Cb", false},
	{"User-agent: *\nDisallow: /q^\n", "/q%5E1", false},
	{"User-agent: *\nDisallow: /p{\n", "/p%7B1%7D", false},
	{"User-agent: *\nDisallow: /a\"b\n", "/a%22b", false},
	/* longest match wins, Allow on a tie */
	{"User-agent: *\nAllow: /p\nDisallow: /\n", "/page", true},
	{"User-agent: *\nAllow: /p\nDisallow: /\n", "/", false},
	{"User-agent: *\nAllow: /folder\nDisallow: /folder\n", "/folder/page", true},
	{"User-agent: *\nDisallow: /folder\nAllow: /folder\n", "/folder/page", true},
	{"User-agent: *\nAllow: /page\nDisallow: /*.html\n", "/page.html", false},
	{"User-agent: *\nAllow: /$\nDisallow: /\n", "/", true},
	{"User-agent: *\nAllow: /$\nDisallow: /\n", "/page.htm", false},
	{"User-agent: *\nDisallow: /private/\nAllow: /private/public\n", "/private/public-x", true},
	{"User-agent: *\nDisallow: /private/\nAllow: /private/public\n", "/private/other", false},
	/* wildcards */
	{"User-agent: *\nDisallow: /*.gif$\n", "/a/b.gif", false},
	{"User-agent: *\nDisallow: /*.gif$\n", "/a/b.gif?x=1", true},
	{"User-agent: *\nDisallow: /*.gif$\n", "/a/b.gifs", true},
	{"User-agent: *\nDisallow: /fish*.php\n", "/fish.php", false},
	{"User-agent: *\nDisallow: /fish*.php\n", "/fishheads/catfish.php?parameters", false},
	{"User-agent: *\nDisallow: /fish*.php\n", "/Fish.PHP", true},        /* case-sensitive */
	{"User-agent: *\nDisallow: /$\n", "/", false},
	{"User-agent: *\nDisallow: /$\n", "/x", true},
	{"User-agent: *\nDisallow: /a*b*c$\n", "/axxbyyc", false},
	{"User-agent: *\nDisallow: /a*b*c$\n", "/axxbyycd", true},
	{"User-agent: *\nDisallow: /a$b\n", "/a$b", false},          /* "$" inside is literal */
	{"User-agent: *\nDisallow: *.cgi\n", "/x/y.cgi", false},
	{"User-agent: *\nDisallow: /**\n", "/x", false},
	{"User-agent: *\nDisallow: /search?q=\n", "/search?q=pills", false},
	{"User-agent: *\nDisallow: /search?q=\n", "/search", true},
	{"User-agent: *\nDisallow: nolead\n", "/nolead/x", false},   /* missing "/" tolerated */
	/* percent-encoding normalised on both sides */
	{"User-agent: *\nDisallow: /%7Ejoe\n", "/~joe/index.html", false},
	{"User-agent: *\nDisallow: /~joe\n", "/%7ejoe/index.html", false},
	{"User-agent: *\nDisallow: /path/\xc3\xbcmlaut\n", "/path/%C3%BCmlaut", false},
	{"User-agent: *\nDisallow: /path/%c3%bcmlaut\n", "/path/%C3%BCmlaut", false},
	{"User-agent: *\nDisallow: /a%2fb\n", "/a/b", true},         /* reserved stays encoded */
	{"User-agent: *\nDisallow: /a%2fb\n", "/a%2Fb", false},
	{"User-agent: *\nDisallow: /a b\n", "/a%20b", false},
	/* syntax: comments, CRLF, CR, spaces, BOM, typos */
	{"User-agent: * # all\r\nDisallow: /tmp # temp\r\n", "/tmp/x", false},
	{"User-agent: *\rDisallow: /tmp\r", "/tmp/x", false},
	{"  User-agent :  *  \n  Disallow :  /tmp  \n", "/tmp/x", false},
	{"\xef\xbb\xbfUser-agent: *\nDisallow: /tmp\n", "/tmp/x", false},
	{"User-agent: *\nDissallow: /tmp\n", "/tmp/x", false},
	{"User-agent: *\nSitemap: /s.xml\nDisallow: /tmp\n", "/tmp/x", false},
	{"User-agent: *\nno colon here\nDisallow: /tmp\n", "/tmp/x", false},
	{"\0\0\0garbage\xff\xfe", "/x", true},
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct robots_case *c = &cases[i];
		struct chaff_robots *r = chaff_robots_new(200, c->txt, strlen(c->txt), "chaff");
		bool got = chaff_robots_allowed(r, c->path);

		if (got != c->allowed)
			fprintf(stderr, "case %zu: %s on \"%s\"\n", i, c->path, c->txt);
		CHECK_INT(got, c->allowed);
		chaff_robots_free(r);
	}
}

static void test_status(void)
{
	static const char txt[] = "User-agent: *\nDisallow: /\n";
	static const struct { int status; bool allowed; } st[] = {
		{200, false}, {404, true}, {401, true}, {403, true}, {410, true}, {429, true},
		{500, false}, {503, false}, {0, false}, {301, false}, {100, false},
	};
	size_t i;

	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		struct chaff_robots *r = chaff_robots_new(st[i].status, txt, strlen(txt), "chaff");

		CHECK_INT(chaff_robots_allowed(r, "/page"), st[i].allowed);
		CHECK(chaff_robots_allowed(r, "/robots.txt"));
		chaff_robots_free(r);
	}
}

static long delay_of(const char *txt)
{
	struct chaff_robots *r = chaff_robots_new(200, txt, strlen(txt), "chaff");
	long d = chaff_robots_crawl_delay_ms(r);

	chaff_robots_free(r);
	return d;
}

static void test_crawl_delay(void)
{
	CHECK_INT(delay_of(""), -1);
	CHECK_INT(delay_of("User-agent: chaff\nCrawl-delay: 2\n"), 2000);
	CHECK_INT(delay_of("User-agent: chaff\nCrawl-delay: 0.5\n"), 500);
	CHECK_INT(delay_of("User-agent: chaff\nCrawl-delay: 1.25\n"), 1250);
	CHECK_INT(delay_of("User-agent: *\nCrawl-delay: 3\n"), 3000);
	CHECK_INT(delay_of("User-agent: *\nCrawl-delay: 3\n\nUser-agent: chaff\nDisallow: /x\n"), -1);
	CHECK_INT(delay_of("User-agent: other\nCrawl-delay: 9\n"), -1);
	CHECK_INT(delay_of("User-agent: chaff\nCrawl-delay: soon\n"), -1);
	CHECK_INT(delay_of("User-agent: chaff\nCrawl-delay: -1\n"), -1);
	CHECK_INT(delay_of("User-agent: chaff\nCrawl-delay: 99999999999999999999\n"), 86400000);
}

/* Rules past 500 KiB are not read; rules before are. */
static void test_size_limit(void)
{
	size_t pad = CHAFF_ROBOTS_MAX_BYTES + 1000, n;
	char *txt = malloc(pad + 200);
	struct chaff_robots *r;

	n = (size_t)snprintf(txt, 200, "User-agent: *\nDisallow: /early\n");
	memset(txt + n, '#', pad - n);
	txt[pad - 1] = '\n';
	n = pad + (size_t)snprintf(txt + pad, 200, "Disallow: /late\n");
	r = chaff_robots_new(200, txt, n, "chaff");
	CHECK(!chaff_robots_allowed(r, "/early"));
	CHECK(chaff_robots_allowed(r, "/late"));
	chaff_robots_free(r);
	free(txt);
}

/* Wildcard patterns that would be exponential with naive backtracking. */
static void test_pathological(void)
{
	char path[2049], txt[512];
	struct chaff_robots *r;
	clock_t t0 = clock();
	int i;

	path[0] = '/';
	memset(path + 1, 'a', sizeof(path) - 2);
	path[sizeof(path) - 1] = '\0';
	snprintf(txt, sizeof(txt), "User-agent: *\nDisallow: /*a*a*a*a*a*a*a*a*a*a*a*a*b\n"
	                           "Disallow: /*a*a*a*a*a*a*a*a*a*a*a*a*b$\n");
	r = chaff_robots_new(200, txt, strlen(txt), "chaff");
	for (i = 0; i < 10; i++)
		CHECK(chaff_robots_allowed(r, path));
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	chaff_robots_free(r);
	/* A path longer than any URL of ours is refused, not guessed. */
	{
		size_t n = 3 * CHAFF_URL_MAX + 10;
		char *longp = malloc(n + 1);

		longp[0] = '/';
		memset(longp + 1, '\x80', n - 1);
		longp[n] = '\0';
		r = chaff_robots_new(200, "User-agent: *\nDisallow: /x\n", 27, "chaff");
		CHECK(!chaff_robots_allowed(r, longp));
		chaff_robots_free(r);
		free(longp);
	}
}

int main(void)
{
	test_cases();
	test_status();
	test_crawl_delay();
	test_size_limit();
	test_pathological();
	chaff_robots_free(NULL);
	return check_summary();
}
