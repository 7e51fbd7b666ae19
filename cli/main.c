/* main.c - the chaff command: a table of subcommands. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "cli/cli.h"

static const struct cli_command commands[] = {
	{"score", cmd_score, "score pages (URLs, files, stdin) and show the evidence", usage_score},
	{"features", cmd_features, "print every signal of a page, for debugging", usage_features},
	{"bulk", cmd_bulk, "score every record of WARC archives to JSON Lines", usage_bulk},
	{"merge", cmd_merge, "summarise chaff bulk outputs: labels, hosts, skips, failures",
	 usage_merge},
	{"report", cmd_report, "an HTML page of a bulk run: charts, hosts, pages to review",
	 usage_report},
	{"crawl", cmd_crawl, "polite, focused crawl of medication pages into WARC", usage_crawl},
	{"train", cmd_train, "train a model on a labelled corpus", usage_train},
	{"eval", cmd_eval, "precision, recall, F1 and calibration of a model on a corpus",
	 usage_eval},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_overview(FILE *out)
{
	size_t i;

	fprintf(out, "usage: chaff <command> [options] [args]\n\n"
	             "chaff scores medication web pages as reliable, thin or pharmacy_spam\n"
	             "and shows the evidence.\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'chaff help CMD' or 'chaff CMD -h' for the options of one command.\n"
	             "exit status: 0 all inputs processed, 1 some failed, 2 usage error\n");
}

int cli_help(const char *cmd)
{
	const struct cli_command *c = cmd ? find_command(cmd) : NULL;

	if (!cmd) {
		print_overview(stdout);
		return EXIT_ALL_OK;
	}
	if (!c) {
		fprintf(stderr, "chaff: help: '%s' is not a chaff command\n", cmd);
		return EXIT_USAGE;
	}
	fputs(c->usage, stdout);
	return EXIT_ALL_OK;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "chaff: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "chaff: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee 'chaff help %s'\n", cmd);
	return EXIT_USAGE;
}

const struct chaff_model *cli_load_model(const char *cmd, const char *path,
                                         struct chaff_model **owned)
{
	char why[CHAFF_WHY_MAX] = "";

	*owned = NULL;
	if (!path)
		return chaff_model_default();
	if (chaff_model_load(owned, path, why)) {
		cli_error(cmd, "%s: %s", path, why);
		return NULL;
	}
	return *owned;
}

bool cli_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		return false;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: return false;
	}
	if (*end || v > (SIZE_MAX >> shift))
		return false;
	*out = (size_t)v << shift;
	return true;
}

enum chaff_err cli_load_target(struct chaff_page *page, const char *target,
                               const struct chaff_limits *lim,
                               const struct chaff_fetch_opts *fetch,
                               enum chaff_page_kind force_kind, char *why)
{
	enum chaff_err err;

	if (!chaff_strncasecmp(target, "http://", 7) || !chaff_strncasecmp(target, "https://", 8))
		return chaff_fetch(page, target, fetch, lim, why);
	err = chaff_page_read_file(page, target, lim, why);
	if (!err && force_kind != CHAFF_PAGE_SNIFF)
		page->kind = force_kind;
	return err;
}

void cli_target_failed(const char *cmd, const char *target, enum chaff_err err,
                       const char *why, bool json)
{
	char message[CHAFF_WHY_MAX + 64];
	struct chaff_buf out;
	struct chaff_json j;

	snprintf(message, sizeof(message), "%s%s%s", chaff_strerror(err), why[0] ? ": " : "", why);
	cli_error(cmd, "%s: %s", target, message);
	if (!json)
		return;
	chaff_buf_init(&out, (size_t)1 << 20);
	chaff_json_init(&j, &out);
	chaff_json_object_begin(&j);
	chaff_json_key(&j, "target");
	chaff_json_str(&j, target);
	chaff_json_key(&j, "error");
	chaff_json_str(&j, message);
	chaff_json_object_end(&j);
	chaff_buf_putc(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	chaff_buf_release(&out);
}

int cli_limit_option(const char *cmd, int opt, const char *arg, struct chaff_limits *lim)
{
	static const char *const names[] = {"--max-bytes", "--max-parse", "--max-depth",
	                                    "--timeout"};
	const char *name = opt >= CLI_OPT_MAX_BYTES && opt <= CLI_OPT_TIMEOUT
	                   ? names[opt - CLI_OPT_MAX_BYTES] : "option";
	size_t size;

	if (opt == CLI_OPT_PARSE_SCRIPTS) {
		lim->parse_script_bodies = true;
		return EXIT_ALL_OK;
	}
	if (!cli_parse_size(arg, &size) || !size)
		return cli_usage_error(cmd, "bad %s '%s'", name, arg);
	switch (opt) {
	case CLI_OPT_MAX_BYTES:
		lim->max_input_bytes = size;
		if (lim->max_decoded_bytes < size)
			lim->max_decoded_bytes = size;
		break;
	case CLI_OPT_MAX_PARSE:
		lim->max_parse_bytes = size;
		break;
	case CLI_OPT_MAX_DEPTH:
		if (size > 100000)
			return cli_usage_error(cmd, "bad --max-depth '%s' (1..100000)", arg);
		lim->max_depth = (unsigned)size;
		break;
	case CLI_OPT_TIMEOUT:
		if (size > 86400)
			return cli_usage_error(cmd, "bad --timeout '%s' (1..86400 s)", arg);
		lim->fetch_timeout_ms = (long)size * 1000;
		break;
	default:
		return cli_usage_error(cmd, "unknown option");
	}
	return EXIT_ALL_OK;
}

int cli_finish_stdout(const char *cmd, int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		cli_error(cmd, "error writing to standard output: %s", strerror(errno));
		return EXIT_SOME_FAILED;
	}
	return status;
}

int main(int argc, char **argv)
{
	const struct cli_command *c;
	int rc;

	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("chaff %s\n", CHAFF_VERSION);
		return EXIT_ALL_OK;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cli_help(argc > 2 && strcmp(argv[1], "help") == 0 ? argv[2] : NULL);
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "chaff: '%s' is not a chaff command; see 'chaff help'\n", argv[1]);
		return EXIT_USAGE;
	}
	chaff_global_init();
	rc = c->run(argc - 1, argv + 1);
	chaff_global_cleanup();
	return rc;
}
