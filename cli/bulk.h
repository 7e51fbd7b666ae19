/* bulk.h - `chaff bulk`: every record of WARC archives to JSON Lines. */
#ifndef CHAFF_CLI_BULK_H
#define CHAFF_CLI_BULK_H

#include <stdint.h>
#include <stdio.h>

#include "chaff.h"

#define BULK_MAX_REASONS 32

struct bulk_opts {
	const struct chaff_model *model;
	struct chaff_limits lim;
	unsigned jobs;        /* worker threads; 1 scores in the reading thread */
	bool scan_only;       /* read and decode payloads, do not parse or score */
	bool text_plain;      /* score text/plain payloads too */
	bool progress;        /* a progress line on stderr */
};

struct bulk_stats {
	uint64_t records;     /* lines written */
	uint64_t scored;
	uint64_t skipped;
	uint64_t errors;      /* damage reported by the reader */
	uint64_t archives_failed;
	uint64_t bytes;       /* archive bytes read */
	double seconds;
	const char *reason[BULK_MAX_REASONS];  /* static strings */
	uint64_t reason_count[BULK_MAX_REASONS];
	size_t nreasons;
};

/*
 * Every record of one archive (path or "-") to out as JSON Lines, in input
 * order. Returns 0 when the archive was read to its end (damage inside is
 * counted in st->errors and reported on stderr), 1 when it could not be
 * opened or read to its end (a read error), 2 when the output could not
 * be written.
 */
int bulk_archive(const char *path, FILE *out, const struct bulk_opts *o, struct bulk_stats *st);
void bulk_stats_add(struct bulk_stats *sum, const struct bulk_stats *one);
/* "chaff: bulk: WHAT: N records, ..." on f. */
void bulk_stats_print(const char *what, const struct bulk_stats *st, FILE *f);

/* Batch mode (cli/bulk_batch.c): manifest lines [task*per_task, +per_task). */
int bulk_batch(const char *manifest, long task, long per_task, const char *out_dir,
               const struct bulk_opts *o);

#endif
