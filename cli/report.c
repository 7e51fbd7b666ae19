/* report.c - chaff report: the JSON Lines of a bulk run as one HTML page. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char usage_report[] =
	"usage: chaff report [-o FILE] [options] SCORES.jsonl... | -\n"
	"\n"
	"Read the JSON Lines of 'chaff bulk' or 'chaff score --json' (- for standard\n"
	"input) in one pass and write one self-contained HTML page: totals and skip\n"
	"reasons, the label distribution, a histogram of each label's probability,\n"
	"the hosts with the most flagged pages, how often each signal fires per\n"
	"label, the pages to review first with their evidence, and a sortable,\n"
	"filterable table of the top pages. The page loads nothing from the network.\n"
	"Memory stays bounded however many lines are read (compressed input:\n"
	"zcat scores.jsonl.gz | chaff report -o report.html -).\n"
	"\n"
	"  -o, --output FILE    write the page to FILE (default: standard output)\n"
	"      --top N          pages in the table (default 500, at most 2000)\n"
	"      --review N       pages in each review list (default 10, at most 100)\n"
	"      --good LABEL     the label that needs no review (default reliable)\n"
	"      --title TEXT     what the report is about, shown in its heading\n"
	"      --max-line SIZE  longest line read (default 1M); longer lines are malformed\n"
	"  -h, --help           this help\n"
	"\n"
	"Lines that are not JSON objects are reported on stderr with their line\n"
	"number and skipped. Exit status: 0 every line read, 1 some lines were\n"
	"malformed or an input could not be read (the page is still written),\n"
	"2 usage error.\n";

static bool parse_count(const char *s, size_t lo, size_t hi, size_t *out)
{
	size_t v;

	if (!cli_parse_size(s, &v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int read_input(struct chaff_report *r, const char *path)
{
	char why[CHAFF_WHY_MAX] = "";
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	enum chaff_err err;

	if (!f) {
		cli_error("report", "%s: %s", path, strerror(errno));
		return 1;
	}
	err = chaff_report_read(r, f, strcmp(path, "-") ? path : "(stdin)", why);
	if (f != stdin)
		fclose(f);
	if (err) {
		cli_error("report", "%s: %s", path, why[0] ? why : chaff_strerror(err));
		return 1;
	}
	return 0;
}

/* Write to PATH.tmp, then rename: a reader never sees half a page. */
static int write_file(const char *path, const struct chaff_buf *html)
{
	size_t n = strlen(path) + 5;
	char *tmp = chaff_xmalloc(n);
	FILE *f;
	int ok;

	snprintf(tmp, n, "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f) {
		cli_error("report", "%s: %s", tmp, strerror(errno));
		free(tmp);
		return 1;
	}
	ok = fwrite(html->data, 1, html->len, f) == html->len;
	ok = !fclose(f) && ok;
	if (!ok || rename(tmp, path)) {
		cli_error("report", "%s: %s", ok ? path : tmp, strerror(errno));
		remove(tmp);
		free(tmp);
		return 1;
	}
	free(tmp);
	return 0;
}

static void summary(const struct chaff_report *r, const char *out, size_t bytes)
{
	struct chaff_report_counts c;

	chaff_report_counts(r, &c);
	fprintf(stderr, "chaff: report: %llu lines: %llu scored, %llu skipped, %llu failed, "
	        "%llu malformed; %s: %zu bytes\n", (unsigned long long)c.lines,
	        (unsigned long long)c.scored, (unsigned long long)c.skipped,
	        (unsigned long long)c.failed, (unsigned long long)c.malformed,
	        out ? out : "(stdout)", bytes);
}

int cmd_report(int argc, char **argv)
{
	enum { OPT_TOP = 256, OPT_REVIEW, OPT_GOOD, OPT_TITLE, OPT_MAX_LINE };
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"top", required_argument, NULL, OPT_TOP},
		{"review", required_argument, NULL, OPT_REVIEW},
		{"good", required_argument, NULL, OPT_GOOD},
		{"title", required_argument, NULL, OPT_TITLE},
		{"max-line", required_argument, NULL, OPT_MAX_LINE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct chaff_report_opts o;
	struct chaff_report_counts c;
	struct chaff_report *r;
	struct chaff_buf html;
	const char *out = NULL;
	int ch, i, failed = 0;
	enum chaff_err err;

	chaff_report_opts_default(&o);
	o.log = stderr;
	o.log_prefix = "chaff: report: ";
	while ((ch = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case OPT_GOOD: o.good = optarg; break;
		case OPT_TITLE: o.title = optarg; break;
		case OPT_TOP:
			if (!parse_count(optarg, 1, CHAFF_REPORT_MAX_TOP, &o.top))
				return cli_usage_error("report", "bad --top '%s' (1 to %d)", optarg,
				                       CHAFF_REPORT_MAX_TOP);
			break;
		case OPT_REVIEW:
			if (!parse_count(optarg, 1, CHAFF_REPORT_MAX_REVIEW, &o.review))
				return cli_usage_error("report", "bad --review '%s' (1 to %d)", optarg,
				                       CHAFF_REPORT_MAX_REVIEW);
			break;
		case OPT_MAX_LINE:
			if (!parse_count(optarg, 1024, (size_t)256 << 20, &o.max_line))
				return cli_usage_error("report", "bad --max-line '%s' (1k to 256M)",
				                       optarg);
			break;
		case 'h': return cli_help("report");
		default: return cli_usage_error("report", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("report", "no input given (a file of JSON Lines, or -)");
	if (out && !strcmp(out, "-"))
		out = NULL;
	r = chaff_report_new(&o);
	for (i = optind; i < argc; i++)
		failed |= read_input(r, argv[i]);
	chaff_buf_init(&html, (size_t)64 << 20);
	err = chaff_report_html(r, &html);
	if (err) {
		cli_error("report", "the page is over %zu bytes: %s", html.max, chaff_strerror(err));
		failed = 1;
	} else if (out) {
		failed |= write_file(out, &html);
	} else {
		fwrite(html.data, 1, html.len, stdout);
	}
	chaff_report_counts(r, &c);
	summary(r, out, html.len);
	if (c.malformed)
		failed = 1;
	chaff_buf_release(&html);
	chaff_report_free(r);
	return cli_finish_stdout("report", failed ? EXIT_SOME_FAILED : EXIT_ALL_OK);
}
