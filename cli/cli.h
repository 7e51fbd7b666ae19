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
extern const char usage_score[], usage_features[];

/* Print "chaff: CMD: " + message to stderr (git's form). */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: message, then "see 'chaff help CMD'"; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print help for cmd to stdout; returns EXIT_ALL_OK. */
int cli_help(const char *cmd);

/* Load -m MODEL, or the built-in model when path is NULL. */
const struct chaff_model *cli_load_model(const char *cmd, const char *path,
                                         struct chaff_model **owned);

/* Parse a size such as "8M", "512k", "100000"; false on junk. */
bool cli_parse_size(const char *s, size_t *out);

/* Flush stdout and report a write error (a full disk is not success). */
int cli_finish_stdout(const char *cmd, int status);

#endif
