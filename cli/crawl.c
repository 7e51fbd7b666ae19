/* crawl.c - chaff crawl: a polite, focused crawl of medication pages into WARC. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define SEEDS_MAX 1000000

const char usage_crawl[] =
	"usage: chaff crawl [-n MAXPAGES] [-d DEPTH] [--delay MS] [--allow-private] [--resume]\n"
	"                   [--score [-m MODEL]] [options] -o OUT.warc.gz SEEDS\n"
	"\n"
	"Crawl from the URLs in SEEDS (a file, one URL a line, # comments; - for standard\n"
	"input) and write every response to OUT.warc.gz (WARC/1.1, one gzip member per\n"
	"record, request/response pairs, sha1 digests). Links are followed when their URL\n"
	"or anchor text names a medication topic, up to DEPTH hops from a seed. robots.txt\n"
	"is obeyed (RFC 9309, Crawl-delay too), one connection per host, at most one\n"
	"request per host every --delay ms, 429/503 Retry-After waited out.\n"
	"\n"
	"The archive is written to OUT.warc.gz.open and renamed when the crawl ends; the\n"
	"frontier is journaled to OUT.warc.gz.frontier. A crawl killed at any moment goes\n"
	"on with --resume, without fetching again the pages already written. Ctrl-C\n"
	"stops cleanly and keeps both for --resume.\n"
	"\n"
	"  -o, --output FILE       the archive (.warc.gz); - writes it to standard output,\n"
	"                          e.g. chaff crawl -o - SEEDS | chaff bulk -\n"
	"  -n, --max-pages N       responses written, redirects and errors included (100)\n"
	"  -d, --depth N           link hops followed from a seed (2)\n"
	"      --delay MS          least time between two requests to a host (1000)\n"
	"      --max-crawl-delay MS  robots.txt Crawl-delay honoured up to this (30000)\n"
	"      --allow-private     fetch loopback and private addresses (refused otherwise)\n"
	"      --resume            continue OUT.warc.gz.open and its frontier\n"
	"      --score             score each page as it arrives: one JSON line per response\n"
	"                          on stdout, like chaff bulk's\n"
	"  -m, --model FILE        model for --score instead of the built-in one\n"
	"  -j, --parallel N        hosts fetched at once (8)\n"
	"      --max-bytes SIZE    payload bytes kept per page (1M; longer: WARC-Truncated)\n"
	"      --timeout MS        total time per request (30000)\n"
	"      --connect-timeout MS  (10000)\n"
	"      --retries N         retries of a URL answered 429/503 (2)\n"
	"      --user-agent UA     User-Agent (default names chaff and a contact URL)\n"
	"      --robots-agent NAME product token looked up in robots.txt (chaff)\n"
	"  -v, --verbose           log every fetch on stderr\n"
	"  -h, --help              this help\n"
	"\n"
	"Exit status: 0 crawl finished, 1 some URLs could not be fetched or the crawl\n"
	"was interrupted (the rest is in the archive), 2 usage error.\n";

struct scorer {
	const struct chaff_model *model;
	struct chaff_limits lim;
	struct chaff_arena arena;
	const char *out_path;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Why a response is not scored, or NULL (the skip reasons of chaff bulk). */
static const char *skip_reason(const struct chaff_crawl_page *p)
{
	const struct chaff_page *page = p->page;

	if (page->status < 200 || page->status > 299)
		return "not 2xx";
	if (p->truncated)
		return "truncated";
	if (page->kind != CHAFF_PAGE_HTML)
		return "not HTML";
	if (!page->body.len)
		return "no payload";
	return NULL;
}

static void on_page(void *ctx, const struct chaff_crawl_page *p)
{
	struct scorer *s = ctx;
	struct chaff_buf out;
	struct chaff_json j;
	struct chaff_doc doc;
	struct chaff_features f;
	struct chaff_verdict v;
	char why[CHAFF_WHY_MAX] = "";
	const char *skip = skip_reason(p);
	enum chaff_err err = CHAFF_OK;

	chaff_buf_init(&out, (size_t)16 << 20);
	chaff_json_init(&j, &out);
	chaff_json_object_begin(&j);
	chaff_json_key(&j, "warc_file");
	chaff_json_str(&j, s->out_path);
	chaff_json_key(&j, "record_id");
	chaff_json_str(&j, p->record_id);
	chaff_json_key(&j, "type");
	chaff_json_str(&j, "response");
	chaff_json_key(&j, "url");
	chaff_json_str(&j, p->page->url);
	chaff_json_key(&j, "status");
	chaff_json_int(&j, p->page->status);
	chaff_json_key(&j, "depth");
	chaff_json_uint(&j, p->depth);
	if (!skip) {
		err = chaff_score_page(s->model, p->page, &s->lim, &s->arena, &doc, &f, &v, why);
		if (err == CHAFF_ERR_EMPTY)
			skip = "no text";
	}
	if (skip) {
		chaff_json_key(&j, "skipped");
		chaff_json_str(&j, skip);
	} else if (err) {
		chaff_json_key(&j, "error");
		chaff_json_str(&j, why[0] ? why : chaff_strerror(err));
	} else {
		chaff_verdict_json(&j, s->model, &f, &v);
	}
	chaff_json_object_end(&j);
	chaff_buf_putc(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	fflush(stdout);  /* results as they arrive, for whoever reads the pipe */
	chaff_buf_release(&out);
	chaff_arena_reset(&s->arena);
}

/* One URL a line; blank lines and # comments skipped. */
static bool read_seeds(const char *path, char ***out, size_t *n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0, have = 0;
	ssize_t len;
	char **v = NULL;

	*out = NULL;
	*n = 0;
	if (!f) {
		cli_error("crawl", "%s: %s", path, strerror(errno));
		return false;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *s = line;

		while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' ||
		               s[len - 1] == '\t'))
			s[--len] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		if (*n >= SEEDS_MAX) {
			cli_error("crawl", "%s: more than %d seeds; the rest are ignored", path,
			          SEEDS_MAX);
			break;
		}
		if (*n == have) {
			have = have ? have * 2 : 64;
			v = chaff_xrealloc(v, chaff_st_mult(have, sizeof(*v)));
		}
		v[(*n)++] = chaff_xstrdup(s);
	}
	free(line);
	if (ferror(f)) {
		cli_error("crawl", "%s: read error", path);
		if (f != stdin)
			fclose(f);
		return false;
	}
	if (f != stdin)
		fclose(f);
	*out = v;
	return true;
}

static bool parse_num(const char *s, long max, long *out)
{
	size_t v;

	if (!cli_parse_size(s, &v) || v > (size_t)max)
		return false;
	*out = (long)v;
	return true;
}

static void summary(const char *out, const struct chaff_crawl_stats *st)
{
	fprintf(stderr,
	        "chaff: crawl: %zu pages in %s%s (%zu resumed, %zu redirects, %zu HTTP errors, "
	        "%zu truncated); %zu disallowed by robots.txt, %zu links off topic, "
	        "%zu retries, %zu failed\n",
	        st->pages, out, st->interrupted ? ".open" : "", st->resumed, st->redirects,
	        st->http_errors, st->truncated, st->disallowed, st->off_topic, st->retries,
	        st->failed);
}

int cmd_crawl(int argc, char **argv)
{
	enum { OPT_DELAY = 256, OPT_MAX_CRAWL_DELAY, OPT_ALLOW_PRIVATE, OPT_RESUME, OPT_SCORE,
	       OPT_MAX_BYTES, OPT_TIMEOUT, OPT_CONNECT_TIMEOUT, OPT_RETRIES, OPT_UA,
	       OPT_ROBOTS_AGENT };
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"max-pages", required_argument, NULL, 'n'},
		{"depth", required_argument, NULL, 'd'},
		{"delay", required_argument, NULL, OPT_DELAY},
		{"max-crawl-delay", required_argument, NULL, OPT_MAX_CRAWL_DELAY},
		{"allow-private", no_argument, NULL, OPT_ALLOW_PRIVATE},
		{"resume", no_argument, NULL, OPT_RESUME},
		{"score", no_argument, NULL, OPT_SCORE},
		{"model", required_argument, NULL, 'm'},
		{"parallel", required_argument, NULL, 'j'},
		{"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
		{"retries", required_argument, NULL, OPT_RETRIES},
		{"user-agent", required_argument, NULL, OPT_UA},
		{"robots-agent", required_argument, NULL, OPT_ROBOTS_AGENT},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct chaff_crawl_opts o;
	struct chaff_crawl_stats st;
	struct scorer s;
	struct chaff_model *owned = NULL;
	const char *model_path = NULL;
	bool score = false;
	char **seeds = NULL, why[CHAFF_WHY_MAX] = "";
	size_t nseeds = 0, i, size;
	long num;
	int c, rc;
	enum chaff_err err;
	struct sigaction sa;

	chaff_crawl_opts_default(&o);
	while ((c = getopt_long(argc, argv, "+o:n:d:m:j:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out_path = optarg; break;
		case 'n':
			if (!parse_num(optarg, 100000000, &num) || !num)
				return cli_usage_error("crawl", "bad -n '%s'", optarg);
			o.max_pages = (size_t)num;
			break;
		case 'd':
			if (!parse_num(optarg, 1000, &num))
				return cli_usage_error("crawl", "bad -d '%s'", optarg);
			o.max_depth = (unsigned)num;
			break;
		case OPT_DELAY:
			if (!parse_num(optarg, 3600000, &o.delay_ms))
				return cli_usage_error("crawl", "bad --delay '%s'", optarg);
			break;
		case OPT_MAX_CRAWL_DELAY:
			if (!parse_num(optarg, 3600000, &o.max_crawl_delay_ms))
				return cli_usage_error("crawl", "bad --max-crawl-delay '%s'", optarg);
			break;
		case OPT_ALLOW_PRIVATE: o.allow_private = true; break;
		case OPT_RESUME: o.resume = true; break;
		case OPT_SCORE: score = true; break;
		case 'm': model_path = optarg; break;
		case 'j':
			if (!parse_num(optarg, 1000, &num) || !num)
				return cli_usage_error("crawl", "bad -j '%s'", optarg);
			o.parallel = (unsigned)num;
			break;
		case OPT_MAX_BYTES:
			if (!cli_parse_size(optarg, &size) || !size)
				return cli_usage_error("crawl", "bad --max-bytes '%s'", optarg);
			o.max_page_bytes = size;
			break;
		case OPT_TIMEOUT:
			if (!parse_num(optarg, 86400000, &o.timeout_ms) || !o.timeout_ms)
				return cli_usage_error("crawl", "bad --timeout '%s'", optarg);
			break;
		case OPT_CONNECT_TIMEOUT:
			if (!parse_num(optarg, 86400000, &o.connect_timeout_ms) || !o.connect_timeout_ms)
				return cli_usage_error("crawl", "bad --connect-timeout '%s'", optarg);
			break;
		case OPT_RETRIES:
			if (!parse_num(optarg, 100, &num))
				return cli_usage_error("crawl", "bad --retries '%s'", optarg);
			o.max_retries = (unsigned)num;
			break;
		case OPT_UA: o.user_agent = optarg; break;
		case OPT_ROBOTS_AGENT: o.robots_agent = optarg; break;
		case 'v': o.verbose = true; break;
		case 'h': return cli_help("crawl");
		default: return cli_usage_error("crawl", "unknown option");
		}
	}
	if (!o.out_path)
		return cli_usage_error("crawl", "no -o OUT.warc.gz given");
	if (optind != argc - 1)
		return cli_usage_error("crawl", optind >= argc ? "no SEEDS given"
		                                               : "one SEEDS file only");
	if (score && !strcmp(o.out_path, "-"))
		return cli_usage_error("crawl", "--score and -o - both write to standard output");
	if (o.resume && !strcmp(o.out_path, "-"))
		return cli_usage_error("crawl", "--resume needs an output file");
	if (model_path && !score)
		return cli_usage_error("crawl", "-m is for --score");
	memset(&s, 0, sizeof(s));
	if (score) {
		s.model = cli_load_model("crawl", model_path, &owned);
		if (!s.model)
			return EXIT_USAGE;
		chaff_limits_default(&s.lim);
		chaff_arena_init(&s.arena);
		s.out_path = o.out_path;
		o.on_page = on_page;
		o.ctx = &s;
	}
	if (!read_seeds(argv[optind], &seeds, &nseeds)) {
		chaff_model_free(owned);
		return EXIT_SOME_FAILED;
	}
	o.log = stderr;
	o.progress = !o.verbose && isatty(STDERR_FILENO);
	o.log_prefix = "chaff: crawl: ";
	o.stop = (volatile int *)&stop_flag;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);  /* a closed pipe is a write error, reported */

	err = chaff_crawl(&o, (const char *const *)seeds, nseeds, &st, why);
	if (err) {
		cli_error("crawl", "%s: %s", o.out_path, why[0] ? why : chaff_strerror(err));
		rc = err == CHAFF_ERR_USAGE ? EXIT_USAGE : EXIT_SOME_FAILED;
	} else {
		summary(o.out_path, &st);
		if (st.interrupted)
			cli_error("crawl", "interrupted: %s.open kept; run again with --resume to go on",
			          o.out_path);
		rc = st.failed || st.interrupted ? EXIT_SOME_FAILED : EXIT_ALL_OK;
	}
	for (i = 0; i < nseeds; i++)
		free(seeds[i]);
	free(seeds);
	if (score)
		chaff_arena_release(&s.arena);
	chaff_model_free(owned);
	return cli_finish_stdout("crawl", rc);
}
