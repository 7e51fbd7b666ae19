/*
 * cli.h - what the subcommands of the chaff tool share. The tool sees the
 * library only through include/chaff.h.
 */
#ifndef CHAFF_CLI_H
#define CHAFF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "chaff.h"

/* Exit statuses (DESIGN.md). */
enum {
	EXIT_ALL_OK = 0,     /* every input processed */
	EXIT_SOME_FAILED = 1,/* some inputs failed, the rest processed */
	EXIT_USAGE = 2       /* usage error */
};

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;  /* one line for `chaff help` */
	const char *usage;    /* full help text for `chaff help CMD` / `chaff CMD -h` */
};

/* The subcommands; one file each. */
int cmd_score(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_bulk(int argc, char **argv);
extern const char usage_score[], usage_features[], usage_bulk[];
/* chaff merge (cli/merge.c): one summary of many chaff bulk outputs. */
int cmd_merge(int argc, char **argv);
extern const char usage_merge[];

/* chaff report (cli/report.c): a bulk run as one HTML page. */
int cmd_report(int argc, char **argv);
extern const char usage_report[];

/* chaff crawl (cli/crawl.c). */
int cmd_crawl(int argc, char **argv);
extern const char usage_crawl[];

/* chaff train and chaff eval (cli/train.c, cli/eval.c). */
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
extern const char usage_train[], usage_eval[];
/* Long options the two share, as getopt_long values. */
enum { CLI_OPT_CV = 512, CLI_OPT_SEED, CLI_OPT_BITS, CLI_OPT_CACHE, CLI_OPT_NO_CACHE,
       CLI_OPT_JSON };
/* Apply one shared option (-C, -j, --cv, --seed, --bits, --cache, --no-cache). */
bool cli_train_option(int c, const char *arg, struct chaff_train_opts *o);
/* chaff_corpus_add for each path; false when one could not be read at all. */
bool cli_read_corpora(const char *cmd, struct chaff_corpus *c, char **paths, int n,
                      const struct chaff_train_opts *o);

/* Print "chaff: CMD: " + message to stderr (git's form). */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: message, then "see 'chaff help CMD'"; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print help for cmd to stdout; returns EXIT_ALL_OK. */
int cli_help(const char *cmd);

/* Load -m MODEL, or the built-in model when path is NULL. */
const struct chaff_model *cli_load_model(const char *cmd, const char *path,
                                         struct chaff_model **owned);

/*
 * The limit options of the commands that read pages, for their getopt
 * tables (the codes stay clear of each command's own, which start at 256).
 */
enum {
	CLI_OPT_MAX_BYTES = 1000,  /* --max-bytes SIZE: bytes read per page or record */
	CLI_OPT_MAX_PARSE,         /* --max-parse SIZE: bytes of HTML given to the parser */
	CLI_OPT_MAX_DEPTH,         /* --max-depth N: tag nesting kept */
	CLI_OPT_TIMEOUT,           /* --timeout SEC: total time per fetch */
	CLI_OPT_PARSE_SCRIPTS      /* --parse-scripts: give Gumbo script and style bodies too */
};
#define CLI_OPTION_MAX_BYTES {"max-bytes", required_argument, NULL, CLI_OPT_MAX_BYTES}
#define CLI_OPTION_MAX_PARSE {"max-parse", required_argument, NULL, CLI_OPT_MAX_PARSE}
#define CLI_OPTION_MAX_DEPTH {"max-depth", required_argument, NULL, CLI_OPT_MAX_DEPTH}
#define CLI_OPTION_TIMEOUT {"timeout", required_argument, NULL, CLI_OPT_TIMEOUT}
#define CLI_OPTION_PARSE_SCRIPTS {"parse-scripts", no_argument, NULL, CLI_OPT_PARSE_SCRIPTS}

/* Apply one limit option to lim: EXIT_ALL_OK, or EXIT_USAGE after saying why. */
int cli_limit_option(const char *cmd, int opt, const char *arg, struct chaff_limits *lim);

/*
 * Read a TARGET of score or features: an http(s) URL (fetched), "-"
 * (stdin) or a file. force_kind, when not CHAFF_PAGE_SNIFF, overrides the
 * kind told by the file name.
 */
enum chaff_err cli_load_target(struct chaff_page *page, const char *target,
                               const struct chaff_limits *lim,
                               const struct chaff_fetch_opts *fetch,
                               enum chaff_page_kind force_kind, char *why);

/*
 * Report a TARGET that could not be processed: "chaff: CMD: TARGET: ..."
 * on stderr and, with json, the line {"target","error"} on stdout.
 */
void cli_target_failed(const char *cmd, const char *target, enum chaff_err err,
                       const char *why, bool json);

/* Parse a size such as "8M", "512k", "100000"; false on junk. */
bool cli_parse_size(const char *s, size_t *out);

/* Flush stdout and report a write error (a full disk is not success). */
int cli_finish_stdout(const char *cmd, int status);

#endif
