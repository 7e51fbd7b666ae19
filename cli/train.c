/* train.c - chaff train: a labelled corpus in, a model file out. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

const char usage_train[] =
	"usage: chaff train [-C COST] [--cv K] [--seed N] -o MODEL CORPUS...\n"
	"\n"
	"Train a model on labelled pages and write it to MODEL. CORPUS is a\n"
	"directory holding labels.tsv, or a labels file; rows are\n"
	"path<TAB>label[<TAB>url[<TAB>site]], paths relative to the labels file.\n"
	"The labels are whatever names the rows use (2 to 16 of them), except\n"
	"'none': background pages about none of the labels' subject (ordinary\n"
	"pages that are not about medication). A line '# background: LABEL' in\n"
	"the labels file has them learned as LABEL; without it they are\n"
	"negatives for every label. 'none' is never predicted.\n"
	"Rows may also point into WARC archives:\n"
	"archive<TAB>offset-or-record-id<TAB>label[<TAB>site], the offset as\n"
	"chaff bulk prints it, or the record's <urn:uuid:...> WARC-Record-ID.\n"
	"\n"
	"  -o, --output FILE  write the model here (a temporary file, then rename)\n"
	"  -C, --cost C       liblinear cost; by default chosen from 0.03..30 by\n"
	"                     cross-validation, maximising macro-F1\n"
	"      --cv K         folds of the cross-validation, grouped by site (default 5;\n"
	"                     it also fits the probability calibration)\n"
	"      --seed N       seed of the fold assignment (default 0)\n"
	"      --bits B       hash bits of the word terms (default 18)\n"
	"      --cache DIR    feature cache (default $XDG_CACHE_HOME/chaff, ~/.cache/chaff)\n"
	"      --no-cache     neither read nor write the feature cache\n"
	"  -j, --jobs N       threads reading pages (default: one per CPU)\n"
	"  -q, --quiet        report errors only\n"
	"  -h, --help         this help\n"
	"\n"
	"The same corpus and options always give the same model bytes. Progress\n"
	"and a summary go to stderr; nothing goes to stdout.\n"
	"Exit status: 0 model written from every row, 1 some rows or pages failed\n"
	"(reported; the model is still written from the rest) or training failed,\n"
	"2 usage error.\n";

/* Options shared by chaff train and chaff eval; false on a bad value. */
bool cli_train_option(int c, const char *arg, struct chaff_train_opts *o)
{
	char *end;
	unsigned long v;

	switch (c) {
	case 'C':
		errno = 0;
		o->cost = strtod(arg, &end);
		return !errno && end != arg && !*end && isfinite(o->cost) && o->cost > 0 &&
		       o->cost <= 1e6;
	case 'j': case CLI_OPT_CV: case CLI_OPT_SEED: case CLI_OPT_BITS:
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-')
			return false;
		if (c == 'j')
			o->threads = (unsigned)v;
		else if (c == CLI_OPT_CV)
			o->folds = (unsigned)v;
		else if (c == CLI_OPT_SEED)
			o->seed = v;
		else
			o->hash_bits = (unsigned)v;
		return c == 'j' ? v >= 1 && v <= 64 :
		       c == CLI_OPT_CV ? v <= 1000 && v != 1 :
		       c == CLI_OPT_BITS ? v >= 4 && v <= 26 : true;
	case CLI_OPT_CACHE:
		o->cache_dir = arg;
		return true;
	case CLI_OPT_NO_CACHE:
		o->no_cache = true;
		return true;
	}
	return false;
}

/* Read every CORPUS into c; false when one could not be read at all. */
bool cli_read_corpora(const char *cmd, struct chaff_corpus *c, char **paths, int n,
                      const struct chaff_train_opts *o)
{
	char why[CHAFF_WHY_MAX] = "";
	int i;
	bool ok = true;

	for (i = 0; i < n; i++)
		if (chaff_corpus_add(c, paths[i], o, why)) {
			cli_error(cmd, "%s", why);
			ok = false;
		}
	return ok;
}

static void summary(const struct chaff_model *m, const char *path,
                    const struct chaff_train_opts *o)
{
	struct chaff_model_info in;
	size_t k;

	if (!o->log)
		return;
	chaff_model_info(m, &in);
	fprintf(o->log, "%swrote %s: %zu pages of %zu sites, labels", o->log_prefix, path,
	        in.pages, in.sites);
	for (k = 0; k < chaff_model_nlabels(m); k++)
		fprintf(o->log, "%s%s", k ? ", " : " ", chaff_model_label(m, k));
	fprintf(o->log, "\n%scost %g", o->log_prefix, in.cost);
	if (in.folds)
		fprintf(o->log, " (cross-validated macro-F1 %.4f over %u folds by site)",
		        in.macro_f1, in.folds);
	fprintf(o->log, ", calibration temperature %.4g\n", in.temperature);
}

int cmd_train(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
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
	struct chaff_corpus corpus;
	struct chaff_dataset *d = NULL;
	struct chaff_model *m = NULL;
	const char *out = NULL;
	char why[CHAFF_WHY_MAX] = "";
	size_t failed = 0;
	int c, status = EXIT_SOME_FAILED;
	enum chaff_err err;

	chaff_train_opts_default(&o);
	o.log = stderr;
	o.log_prefix = "chaff: train: ";
	while ((c = getopt_long(argc, argv, "+o:C:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'q': o.log = NULL; break;
		case 'h': return cli_help("train");
		case '?': return cli_usage_error("train", "unknown option");
		default:
			if (!cli_train_option(c, optarg, &o))
				return cli_usage_error("train", "bad value '%s'", optarg);
		}
	}
	if (!out)
		return cli_usage_error("train", "no -o MODEL given");
	if (optind >= argc)
		return cli_usage_error("train", "no CORPUS given");
	o.progress = o.log && isatty(STDERR_FILENO);
	chaff_corpus_init(&corpus);
	if (!cli_read_corpora("train", &corpus, argv + optind, argc - optind, &o))
		goto out;
	if ((err = chaff_dataset_build(&d, &corpus, &o, &failed, why)) ||
	    (err = chaff_train(&m, d, &o, why))) {
		cli_error("train", "%s", why);
		if (err == CHAFF_ERR_USAGE)
			status = EXIT_USAGE;
		goto out;
	}
	if (chaff_model_save(m, out, why)) {
		cli_error("train", "%s", why);
		goto out;
	}
	summary(m, out, &o);
	if (corpus.bad_rows || failed)
		cli_error("train", "%zu bad row%s and %zu unreadable page%s left out",
		          corpus.bad_rows, corpus.bad_rows == 1 ? "" : "s", failed,
		          failed == 1 ? "" : "s");
	else
		status = EXIT_ALL_OK;
out:
	chaff_model_free(m);
	chaff_dataset_free(d);
	chaff_corpus_release(&corpus);
	return status;
}
