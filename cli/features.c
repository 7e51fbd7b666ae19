/* features.c - chaff features: every signal of a page with its evidence, for debugging. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char usage_features[] =
	"usage: chaff features [--json] [--terms] [options] TARGET...\n"
	"\n"
	"Print every signal of each TARGET (named signals first, then the general\n"
	"content signals) with the evidence found for it. TARGET is an http(s)\n"
	"URL, a file (.html .htm .html.gz .txt, other names are sniffed) or -.\n"
	"\n"
	"      --json           one JSON object per target on stdout:\n"
	"                       {\"target\",\"url\",\"title\",\"signals\",\"evidence\",\"nterms\"}\n"
	"      --terms          also print the hashed word 1- and 2-grams\n"
	"      --hash-bits N    hash terms into 2^N buckets (default 18)\n"
	"      --text           treat every file as plain text\n"
	"      --html           treat every file as HTML\n"
	"      --max-bytes SIZE bytes read per page (default 8M)\n"
	"      --max-parse SIZE bytes of HTML given to the parser (default 2M)\n"
	"      --max-depth N    tag nesting kept (default 400)\n"
	"      --parse-scripts  give the parser script and style bodies too (slower)\n"
	"      --timeout SEC    total time per fetch (default 30)\n"
	"      --no-private     refuse URLs on loopback or private addresses\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 every target read, 1 some failed (the rest are still\n"
	"printed; failures print {\"target\",\"error\"} with --json), 2 usage error.\n";

#define TEXT_TERMS 40   /* terms shown in text output, by weight */

struct features_opts {
	struct chaff_limits lim;
	struct chaff_fetch_opts fetch;
	bool json, terms;
	unsigned hash_bits;
	enum chaff_page_kind force_kind;
};

static void emit(struct chaff_buf *out)
{
	chaff_buf_putc(out, '\n');
	fwrite(out->data, 1, out->len, stdout);
	chaff_buf_release(out);
}

static void json_terms(struct chaff_json *j, const struct chaff_features *f)
{
	size_t i;

	chaff_json_key(j, "terms");
	chaff_json_array_begin(j);
	for (i = 0; i < f->nterms; i++) {
		chaff_json_object_begin(j);
		chaff_json_key(j, "index");
		chaff_json_uint(j, f->terms[i].index);
		chaff_json_key(j, "value");
		chaff_json_num(j, f->terms[i].value);
		chaff_json_key(j, "words");
		chaff_json_str(j, f->terms[i].words);
		chaff_json_object_end(j);
	}
	chaff_json_array_end(j);
}

static void print_json(const char *target, const struct chaff_doc *doc,
                       const struct chaff_features *f, bool terms)
{
	struct chaff_buf out;
	struct chaff_json j;
	size_t i, k, n = chaff_signal_count();

	chaff_buf_init(&out, (size_t)64 << 20);
	chaff_json_init(&j, &out);
	chaff_json_object_begin(&j);
	chaff_json_key(&j, "target");
	chaff_json_str(&j, target);
	chaff_json_key(&j, "url");
	chaff_json_str(&j, doc->url);
	chaff_json_key(&j, "title");
	chaff_json_str(&j, doc->title);
	chaff_json_key(&j, "signals");
	chaff_json_object_begin(&j);
	for (i = 0; i < n; i++) {
		chaff_json_key(&j, chaff_signal_name(i));
		chaff_json_num(&j, f->signals[i]);
	}
	chaff_json_object_end(&j);
	chaff_json_key(&j, "evidence");
	chaff_json_object_begin(&j);
	for (i = 0; i < n; i++) {
		if (!f->evidence[i].n)
			continue;
		chaff_json_key(&j, chaff_signal_name(i));
		chaff_json_array_begin(&j);
		for (k = 0; k < f->evidence[i].n; k++)
			chaff_json_str(&j, f->evidence[i].items[k]);
		chaff_json_array_end(&j);
	}
	chaff_json_object_end(&j);
	chaff_json_key(&j, "nterms");
	chaff_json_uint(&j, f->nterms);
	if (terms)
		json_terms(&j, f);
	chaff_json_object_end(&j);
	emit(&out);
}

static int by_weight(const void *a, const void *b)
{
	float x = ((const struct chaff_term *)a)->value, y = ((const struct chaff_term *)b)->value;

	return (x < y) - (x > y);
}

static void print_text_terms(const struct chaff_features *f)
{
	struct chaff_term *sorted;
	size_t i, n = f->nterms < TEXT_TERMS ? f->nterms : TEXT_TERMS;

	if (!f->nterms)
		return;
	sorted = chaff_xmalloc(chaff_st_mult(f->nterms, sizeof(*sorted)));
	memcpy(sorted, f->terms, f->nterms * sizeof(*sorted));
	qsort(sorted, f->nterms, sizeof(*sorted), by_weight);
	printf("  terms (%zu, top %zu):\n", f->nterms, n);
	for (i = 0; i < n; i++)
		printf("    %-8u %.4f  %s\n", sorted[i].index, sorted[i].value, sorted[i].words);
	free(sorted);
}

static void print_text(const char *target, const struct chaff_doc *doc,
                       const struct chaff_features *f, bool terms)
{
	size_t i, k, n = chaff_signal_count();

	printf("%s\n", target);
	if (doc->url && strcmp(doc->url, target))
		printf("  url:   %s\n", doc->url);
	if (doc->title && doc->title[0])
		printf("  title: %.100s\n", doc->title);
	printf("  blocks: %zu, links: %zu, text bytes: %zu%s\n", doc->nblocks, doc->nlinks,
	       doc->text_bytes, doc->truncated ? " (cut at a limit)" : "");
	for (i = 0; i < n; i++) {
		if (i == CHAFF_SIG_NAMED_COUNT)
			putchar('\n');
		printf("  %-26s %g\n", chaff_signal_name(i), f->signals[i]);
		for (k = 0; k < f->evidence[i].n; k++)
			printf("      - %s\n", f->evidence[i].items[k]);
	}
	if (terms)
		print_text_terms(f);
}

static int features_one(const char *target, const struct features_opts *o,
                        struct chaff_arena *arena)
{
	struct chaff_page page;
	struct chaff_doc doc;
	struct chaff_features f;
	char why[CHAFF_WHY_MAX] = "";
	enum chaff_err err;

	chaff_page_init(&page, &o->lim);
	err = cli_load_target(&page, target, &o->lim, &o->fetch, o->force_kind, why);
	if (!err)
		err = chaff_doc_parse(&doc, &page, &o->lim, arena, why);
	if (err) {
		cli_target_failed("features", target, err, why, o->json);
	} else {
		chaff_features_extract(&f, &doc, o->hash_bits, arena);
		if (o->json)
			print_json(target, &doc, &f, o->terms);
		else
			print_text(target, &doc, &f, o->terms);
	}
	chaff_page_release(&page);
	chaff_arena_reset(arena);
	return err ? 1 : 0;
}

int cmd_features(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_TERMS, OPT_HASH_BITS, OPT_TEXT, OPT_HTML, OPT_NO_PRIVATE };
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"terms", no_argument, NULL, OPT_TERMS},
		{"hash-bits", required_argument, NULL, OPT_HASH_BITS},
		{"text", no_argument, NULL, OPT_TEXT},
		{"html", no_argument, NULL, OPT_HTML},
		CLI_OPTION_MAX_BYTES,
		CLI_OPTION_MAX_PARSE,
		CLI_OPTION_MAX_DEPTH,
		CLI_OPTION_PARSE_SCRIPTS,
		CLI_OPTION_TIMEOUT,
		{"no-private", no_argument, NULL, OPT_NO_PRIVATE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct features_opts o;
	struct chaff_arena arena;
	size_t size;
	int c, i, failed = 0;

	memset(&o, 0, sizeof(o));
	chaff_limits_default(&o.lim);
	o.fetch.allow_private = true;  /* the user named this URL */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: o.json = true; break;
		case OPT_TERMS: o.terms = true; break;
		case OPT_TEXT: o.force_kind = CHAFF_PAGE_TEXT; break;
		case OPT_HTML: o.force_kind = CHAFF_PAGE_HTML; break;
		case OPT_NO_PRIVATE: o.fetch.allow_private = false; break;
		case OPT_HASH_BITS:
			if (!cli_parse_size(optarg, &size) || size < 1 || size > 28)
				return cli_usage_error("features", "bad --hash-bits '%s' (1-28)", optarg);
			o.hash_bits = (unsigned)size;
			break;
		case CLI_OPT_MAX_BYTES:
		case CLI_OPT_MAX_PARSE:
		case CLI_OPT_MAX_DEPTH:
		case CLI_OPT_TIMEOUT:
		case CLI_OPT_PARSE_SCRIPTS:
			if (cli_limit_option("features", c, optarg, &o.lim))
				return EXIT_USAGE;
			break;
		case 'h': return cli_help("features");
		default: return cli_usage_error("features", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("features", "no TARGET given");
	chaff_arena_init(&arena);
	for (i = optind; i < argc; i++)
		failed += features_one(argv[i], &o, &arena);
	chaff_arena_release(&arena);
	return cli_finish_stdout("features", failed ? EXIT_SOME_FAILED : EXIT_ALL_OK);
}
