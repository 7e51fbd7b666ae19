/* eval.c - chaff eval: how well a model (or the training procedure) does on a corpus. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

const char usage_eval[] =
	"usage: chaff eval [-m MODEL] [--json] [--cv K] CORPUS...\n"
	"\n"
	"Score the labelled pages of CORPUS (a directory holding labels.tsv, or a\n"
	"labels file) and report per-label precision, recall and F1, macro-F1,\n"
	"accuracy, expected calibration error (10 bins) and the confusion matrix.\n"
	"Background pages (label none) are left out of those figures and reported\n"
	"apart: how many of them were predicted as each label.\n"
	"\n"
	"  -m, --model FILE   evaluate this model (default: the built-in one)\n"
	"      --cv K         instead, site-grouped K-fold cross-validation: for each\n"
	"                     fold a model is trained on the others as chaff train\n"
	"                     does (a site's pages are never on both sides)\n"
	"  -C, --cost C       with --cv: this cost instead of choosing one per fold\n"
	"      --seed N       with --cv: seed of the fold assignment (default 0)\n"
	"      --bits B       with --cv: hash bits of the word terms (default 18)\n"
	"      --json         one JSON object on stdout instead of tables\n"
	"      --cache DIR    feature cache (default $XDG_CACHE_HOME/chaff, ~/.cache/chaff)\n"
	"      --no-cache     neither read nor write the feature cache\n"
	"  -j, --jobs N       threads reading pages (default: one per CPU)\n"
	"  -q, --quiet        report errors only\n"
	"  -h, --help         this help\n"
	"\n"
	"Exit status: 0 every row evaluated, 1 some rows or pages failed (the rest\n"
	"are still evaluated) or evaluation failed, 2 usage error.\n";

static void print_text(const struct chaff_eval *e, const char *what, size_t sites)
{
	size_t k, j, w = 13;

	for (k = 0; k < e->nlabels; k++)
		if (strlen(e->labels[k]) > w)
			w = strlen(e->labels[k]);
	printf("%zu pages of %zu sites, %s\n\n", e->n, sites, what);
	printf("%-*s  precision  recall      f1  pages\n", (int)w, "label");
	for (k = 0; k < e->nlabels; k++)
		printf("%-*s  %9.3f  %6.3f  %6.3f  %5zu\n", (int)w, e->labels[k],
		       e->precision[k], e->recall[k], e->f1[k], e->support[k]);
	printf("\nmacro-F1 %.3f  accuracy %.3f  ECE %.3f  log-loss %.3f\n\n", e->macro_f1,
	       e->accuracy, e->ece, e->log_loss);
	printf("confusion matrix (rows: true label, columns: predicted)\n%-*s", (int)w, "");
	for (j = 0; j < e->nlabels; j++)
		printf("  %*s", (int)(strlen(e->labels[j]) > 5 ? strlen(e->labels[j]) : 5),
		       e->labels[j]);
	putchar('\n');
	for (k = 0; k < e->nlabels; k++) {
		printf("%-*s", (int)w, e->labels[k]);
		for (j = 0; j < e->nlabels; j++)
			printf("  %*zu", (int)(strlen(e->labels[j]) > 5 ? strlen(e->labels[j]) : 5),
			       e->confusion[k][j]);
		putchar('\n');
	}
	if (!e->background)
		return;
	printf("\n%zu background pages (label %s), not in the figures above\n", e->background,
	       CHAFF_LABEL_NONE);
	for (k = 0; k < e->nlabels; k++)
		printf("background pages predicted as %s: %zu of %zu\n", e->labels[k],
		       e->background_pred[k], e->background);
}

/* "background":{"pages":M,"predicted":{label:N,...}} */
static void json_background(struct chaff_json *j, const struct chaff_eval *e)
{
	size_t k;

	chaff_json_key(j, "background");
	chaff_json_object_begin(j);
	chaff_json_key(j, "pages");
	chaff_json_uint(j, e->background);
	chaff_json_key(j, "predicted");
	chaff_json_object_begin(j);
	for (k = 0; k < e->nlabels; k++) {
		chaff_json_key(j, e->labels[k]);
		chaff_json_uint(j, e->background_pred[k]);
	}
	chaff_json_object_end(j);
	chaff_json_object_end(j);
}

static void print_json(const struct chaff_eval *e, const char *model, size_t sites,
                       size_t skipped)
{
	struct chaff_buf out;
	struct chaff_json j;
	size_t k, c;

	chaff_buf_init(&out, (size_t)16 << 20);
	chaff_json_init(&j, &out);
	chaff_json_object_begin(&j);
	chaff_json_key(&j, "pages");
	chaff_json_uint(&j, e->n);
	chaff_json_key(&j, "sites");
	chaff_json_uint(&j, sites);
	chaff_json_key(&j, "skipped");
	chaff_json_uint(&j, skipped);
	chaff_json_key(&j, "model");
	chaff_json_str(&j, model);
	chaff_json_key(&j, "folds");
	if (e->folds)
		chaff_json_uint(&j, e->folds);
	else
		chaff_json_null(&j);
	chaff_json_key(&j, "labels");
	chaff_json_object_begin(&j);
	for (k = 0; k < e->nlabels; k++) {
		chaff_json_key(&j, e->labels[k]);
		chaff_json_object_begin(&j);
		chaff_json_key(&j, "precision");
		chaff_json_num(&j, e->precision[k]);
		chaff_json_key(&j, "recall");
		chaff_json_num(&j, e->recall[k]);
		chaff_json_key(&j, "f1");
		chaff_json_num(&j, e->f1[k]);
		chaff_json_key(&j, "support");
		chaff_json_uint(&j, e->support[k]);
		chaff_json_object_end(&j);
	}
	chaff_json_object_end(&j);
	chaff_json_key(&j, "macro_f1");
	chaff_json_num(&j, e->macro_f1);
	chaff_json_key(&j, "accuracy");
	chaff_json_num(&j, e->accuracy);
	chaff_json_key(&j, "ece");
	chaff_json_num(&j, e->ece);
	chaff_json_key(&j, "log_loss");
	chaff_json_num(&j, e->log_loss);
	chaff_json_key(&j, "confusion");  /* confusion[true][predicted] */
	chaff_json_object_begin(&j);
	for (k = 0; k < e->nlabels; k++) {
		chaff_json_key(&j, e->labels[k]);
		chaff_json_object_begin(&j);
		for (c = 0; c < e->nlabels; c++) {
			chaff_json_key(&j, e->labels[c]);
			chaff_json_uint(&j, e->confusion[k][c]);
		}
		chaff_json_object_end(&j);
	}
	chaff_json_object_end(&j);
	json_background(&j, e);
	chaff_json_object_end(&j);
	chaff_buf_putc(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	chaff_buf_release(&out);
}

struct eval_args {
	const char *model_path;
	bool json;
	bool cv;
};

static int evaluate(const struct eval_args *a, struct chaff_train_opts *o, char **corpora,
                    int ncorpora)
{
	struct chaff_corpus corpus;
	struct chaff_dataset *d = NULL;
	struct chaff_model *owned = NULL;
	const struct chaff_model *m = NULL;
	struct chaff_eval e;
	char why[CHAFF_WHY_MAX] = "", what[512];
	size_t failed = 0, skipped = 0;
	int status = EXIT_SOME_FAILED;
	enum chaff_err err;

	if (!a->cv && !(m = cli_load_model("eval", a->model_path, &owned)))
		return EXIT_SOME_FAILED;
	if (m)
		o->hash_bits = chaff_model_hash_bits(m);
	chaff_corpus_init(&corpus);
	if (!cli_read_corpora("eval", &corpus, corpora, ncorpora, o))
		goto out;
	if ((err = chaff_dataset_build(&d, &corpus, o, &failed, why)) ||
	    (err = a->cv ? chaff_eval_cv(&e, d, o, why) :
	                   chaff_eval_model(&e, m, d, o, &skipped, why))) {
		cli_error("eval", "%s", why);
		if (err == CHAFF_ERR_USAGE)
			status = EXIT_USAGE;
		goto out;
	}
	if (a->cv)
		snprintf(what, sizeof(what), "%u-fold cross-validation by site", e.folds);
	else
		snprintf(what, sizeof(what), "model %s", a->model_path ? a->model_path : "built-in");
	if (a->json)
		print_json(&e, a->cv ? NULL : a->model_path ? a->model_path : "built-in",
		           chaff_dataset_nsites(d), skipped);
	else
		print_text(&e, what, chaff_dataset_nsites(d));
	if (corpus.bad_rows || failed || skipped)
		cli_error("eval", "%zu bad row%s, %zu unreadable page%s, %zu page%s of labels "
		          "the model lacks: left out", corpus.bad_rows,
		          corpus.bad_rows == 1 ? "" : "s", failed, failed == 1 ? "" : "s",
		          skipped, skipped == 1 ? "" : "s");
	else
		status = EXIT_ALL_OK;
out:
	chaff_dataset_free(d);
	chaff_corpus_release(&corpus);
	chaff_model_free(owned);
	return cli_finish_stdout("eval", status);
}

int cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"model", required_argument, NULL, 'm'},
		{"json", no_argument, NULL, CLI_OPT_JSON},
		{"cost", required_argument, NULL, 'C'},
		{"cv", required_argument, NULL, CLI_OPT_CV},
		{"seed", required_argument, NULL, CLI_OPT_SEED},
		{"bits", required_argument, NULL, CLI_OPT_BITS},
		{"cache", required_argument, NULL, CLI_OPT_CACHE},
		{"no-cache", no_argument, NULL, CLI_OPT_NO_CACHE},
		{"jobs", required_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct chaff_train_opts o;
	struct eval_args a;
	int c;

	memset(&a, 0, sizeof(a));
	chaff_train_opts_default(&o);
	o.folds = 0;
	o.log = stderr;
	o.log_prefix = "chaff: eval: ";
	while ((c = getopt_long(argc, argv, "+m:C:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': a.model_path = optarg; break;
		case CLI_OPT_JSON: a.json = true; break;
		case 'q': o.log = NULL; break;
		case 'h': return cli_help("eval");
		case '?': return cli_usage_error("eval", "unknown option");
		default:
			if (!cli_train_option(c, optarg, &o))
				return cli_usage_error("eval", "bad value '%s'", optarg);
		}
	}
	a.cv = o.folds >= 2;
	if (optind >= argc)
		return cli_usage_error("eval", "no CORPUS given");
	if (a.cv && a.model_path)
		return cli_usage_error("eval", "--cv trains its own models: no -m with it");
	if (!a.cv && (o.cost > 0 || o.hash_bits))
		return cli_usage_error("eval", "-C and --bits go with --cv");
	o.progress = o.log && isatty(STDERR_FILENO);
	return evaluate(&a, &o, argv + optind, argc - optind);
}
