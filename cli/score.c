/* score.c - chaff score: a verdict with its evidence for URLs, files or stdin. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"

const char usage_score[] =
	"usage: chaff score [-m MODEL] [--json] [options] TARGET...\n"
	"\n"
	"Score each TARGET as reliable, thin or pharmacy_spam and show why.\n"
	"TARGET is an http(s) URL, a file (.html .htm .html.gz .txt, other names\n"
	"are sniffed) or - for standard input.\n"
	"\n"
	"  -m, --model FILE     use this model instead of the built-in one\n"
	"      --json           one JSON object per target on stdout\n"
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
	"Exit status: 0 every target scored, 1 some failed (the rest are still\n"
	"scored; failures print {\"target\",\"error\"} with --json), 2 usage error.\n";

struct score_opts {
	const struct chaff_model *model;
	struct chaff_limits lim;
	struct chaff_fetch_opts fetch;
	bool json;
	enum chaff_page_kind force_kind;
};

static void print_json(const char *target, const struct chaff_doc *doc,
                       const struct chaff_features *f, const struct chaff_verdict *v,
                       const struct chaff_model *m)
{
	struct chaff_buf out;
	struct chaff_json j;

	chaff_buf_init(&out, (size_t)16 << 20);
	chaff_json_init(&j, &out);
	chaff_json_object_begin(&j);
	chaff_json_key(&j, "target");
	chaff_json_str(&j, target);
	chaff_json_key(&j, "url");
	chaff_json_str(&j, doc->url);
	chaff_verdict_json(&j, m, f, v);
	chaff_json_object_end(&j);
	chaff_buf_putc(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	chaff_buf_release(&out);
}

/* Labels by descending probability. */
static void sorted_labels(const struct chaff_model *m, const struct chaff_verdict *v,
                          size_t *order)
{
	size_t n = chaff_model_nlabels(m), i, k;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && v->prob[order[k]] > v->prob[order[k - 1]]; k--) {
			size_t t = order[k];

			order[k] = order[k - 1];
			order[k - 1] = t;
		}
}

static void print_text(const char *target, const struct chaff_doc *doc,
                       const struct chaff_features *f, const struct chaff_verdict *v,
                       const struct chaff_model *m)
{
	size_t order[CHAFF_MAX_LABELS], n = chaff_model_nlabels(m), i, k;

	printf("%s: %s (%.2f)\n", target, chaff_model_label(m, v->label), v->prob[v->label]);
	if (doc->url && strcmp(doc->url, target))
		printf("  url:      %s\n", doc->url);
	if (doc->title && doc->title[0])
		printf("  title:    %.100s\n", doc->title);
	sorted_labels(m, v, order);
	printf("  scores:  ");
	for (i = 0; i < n; i++)
		printf(" %s %.2f", chaff_model_label(m, order[i]), v->prob[order[i]]);
	putchar('\n');
	printf("  signals:\n");
	for (i = 0; i < CHAFF_SIG_NAMED_COUNT; i++) {
		const struct chaff_evidence *ev = &f->evidence[i];

		printf("    %-22s %-8.3g", chaff_signal_name(i), f->signals[i]);
		for (k = 0; k < ev->n && k < 4; k++)
			printf("%s\"%.70s\"", k ? ", " : "", ev->items[k]);
		if (ev->n > 4)
			printf(", +%zu more", ev->n - 4);
		putchar('\n');
	}
	if (v->ntop) {
		printf("  decisive for %s:\n", chaff_model_label(m, v->label));
		for (i = 0; i < v->ntop && i < 6; i++)
			printf("    %+7.3f  %s\n", v->top[i].contribution, v->top[i].feature);
	}
	if (doc->truncated)
		printf("  note:     page cut at a size or depth limit\n");
}

static int score_one(const char *target, const struct score_opts *o,
                     struct chaff_arena *arena)
{
	struct chaff_page page;
	struct chaff_doc doc;
	struct chaff_features f;
	struct chaff_verdict v;
	char why[CHAFF_WHY_MAX] = "";
	enum chaff_err err;

	chaff_page_init(&page, &o->lim);
	err = cli_load_target(&page, target, &o->lim, &o->fetch, o->force_kind, why);
	if (!err)
		err = chaff_score_page(o->model, &page, &o->lim, arena, &doc, &f, &v, why);
	if (err) {
		cli_target_failed("score", target, err, why, o->json);
	} else if (o->json) {
		print_json(target, &doc, &f, &v, o->model);
	} else {
		print_text(target, &doc, &f, &v, o->model);
	}
	chaff_page_release(&page);
	chaff_arena_reset(arena);
	return err ? 1 : 0;
}

int cmd_score(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_TEXT, OPT_HTML, OPT_NO_PRIVATE };
	static const struct option longopts[] = {
		{"model", required_argument, NULL, 'm'},
		{"json", no_argument, NULL, OPT_JSON},
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
	struct score_opts o;
	struct chaff_model *owned = NULL;
	struct chaff_arena arena;
	const char *model_path = NULL;
	int c, i, failed = 0;

	memset(&o, 0, sizeof(o));
	chaff_limits_default(&o.lim);
	o.fetch.allow_private = true;  /* the user named this URL */
	while ((c = getopt_long(argc, argv, "+m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': model_path = optarg; break;
		case OPT_JSON: o.json = true; break;
		case OPT_TEXT: o.force_kind = CHAFF_PAGE_TEXT; break;
		case OPT_HTML: o.force_kind = CHAFF_PAGE_HTML; break;
		case OPT_NO_PRIVATE: o.fetch.allow_private = false; break;
		case CLI_OPT_MAX_BYTES:
		case CLI_OPT_MAX_PARSE:
		case CLI_OPT_MAX_DEPTH:
		case CLI_OPT_TIMEOUT:
		case CLI_OPT_PARSE_SCRIPTS:
			if (cli_limit_option("score", c, optarg, &o.lim))
				return EXIT_USAGE;
			break;
		case 'h': return cli_help("score");
		default: return cli_usage_error("score", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("score", "no TARGET given");
	o.model = cli_load_model("score", model_path, &owned);
	if (!o.model)
		return EXIT_USAGE;
	chaff_arena_init(&arena);
	for (i = optind; i < argc; i++)
		failed += score_one(argv[i], &o, &arena);
	chaff_arena_release(&arena);
	chaff_model_free(owned);
	return cli_finish_stdout("score", failed ? EXIT_SOME_FAILED : EXIT_ALL_OK);
}
