/*
 * report_impl.h - what model/report.c (reading, counting) and
 * model/report_html.c (drawing) share. Everything here has a fixed size or
 * a ceiling, so a report's memory does not grow with the number of lines.
 */
#ifndef CHAFF_REPORT_IMPL_H
#define CHAFF_REPORT_IMPL_H

#include "chaff.h"

#define RPT_MAX_LABELS CHAFF_MAX_LABELS
#define RPT_MAX_SIGNALS 128     /* distinct signal names tracked */
#define RPT_MAX_REASONS 32      /* distinct skip reasons / error kinds tracked */
#define RPT_MAX_ARCHIVES 4096   /* distinct warc_file names counted */
#define RPT_NAME_MAX 80         /* bytes kept of a label, signal or reason name */
#define RPT_BINS 20             /* probability histogram bins of 0.05 */
#define RPT_HOST_K 4096         /* space-saving counters per flagged label */
#define RPT_HOST_MAX 253        /* bytes of a host name (DNS limit) */
#define RPT_CMS_DEPTH 4         /* count-min sketch of pages per host */
#define RPT_CMS_WIDTH (1u << 18)
#define RPT_URL_MAX 2048        /* bytes kept of a page's URL */
#define RPT_TITLE_MAX 300       /* bytes kept of a page's title */
#define RPT_EV_MAX 6            /* evidence strings kept per page */
#define RPT_EV_CHARS 240        /* bytes kept of each */
#define RPT_TOP_MAX 3           /* contributions kept per page */
#define RPT_FEATURE_MAX 96
#define RPT_BAD_LINES 10        /* malformed line numbers listed in the report */
#define RPT_NO_LABEL 0xFF

/* A set of short names (labels, signals, reasons): index by name. */
struct rpt_names {
	char (*name)[RPT_NAME_MAX + 1];
	size_t n, max;
	uint32_t *slot;    /* open addressing: index + 1, 0 empty */
	size_t nslots;     /* power of two, >= 2 * max */
};

/* Space-saving heavy hitters (Metwally et al.): K counters of hosts. */
struct rpt_host {
	char name[RPT_HOST_MAX + 1];
	uint64_t hash;
	uint64_t count;    /* an over-estimate ... */
	uint64_t err;      /* ... by at most this much (0: exact) */
	size_t heap_pos;
};

struct rpt_topk {
	struct rpt_host *e;
	size_t n, k;
	size_t *heap;      /* entry indices, min-heap by count */
	uint32_t *slot;    /* hash index: entry + 1, 0 empty; linear probing */
	size_t nslots;
};

/* A page kept for the review lists or the page table. */
struct rpt_page {
	uint64_t seq;             /* line number over all inputs: ties, order */
	unsigned refs;            /* heaps holding it */
	uint32_t input;           /* index of the input file */
	uint64_t line;            /* line in that input */
	unsigned char label;      /* predicted label, RPT_NO_LABEL if unknown */
	float prob[RPT_MAX_LABELS];
	bool has_prob[RPT_MAX_LABELS];
	char *url;                /* URL or target, may be NULL */
	char *title;              /* may be NULL */
	char *host;
	uint64_t fired[(RPT_MAX_SIGNALS + 63) / 64];  /* signals > 0 */
	size_t nev;
	uint16_t ev_signal[RPT_EV_MAX];
	char *ev[RPT_EV_MAX];
	size_t ntop;
	char *top_feature[RPT_TOP_MAX];
	double top_value[RPT_TOP_MAX];
};

/* The K pages with the largest keys (ties: the earlier line wins). */
struct rpt_heap {
	struct rpt_page **p;
	double *key;
	size_t n, k;
};

struct rpt_label {
	uint64_t predicted;               /* pages with this verdict */
	uint64_t scored;                  /* pages giving it a probability */
	uint64_t bins[RPT_BINS];          /* of its probability, over all pages */
	uint64_t fires[RPT_MAX_SIGNALS];  /* pages predicted so, signal > 0 */
	struct rpt_topk *hosts;           /* flagged labels only, made on first use */
	struct rpt_heap confident;        /* flagged labels: the most confident */
};

struct rpt_reason {
	uint64_t count;
};

struct rpt_input {
	char *name;
	uint64_t lines, malformed;
};

struct chaff_report {
	struct chaff_report_opts opts;
	char *title;
	char *good;
	FILE *log;
	char *log_prefix;

	struct rpt_input *inputs;
	size_t ninputs;
	uint64_t seq;

	struct chaff_buf line;
	struct chaff_arena arena;
	struct chaff_json_limits jlim;

	/* Totals */
	uint64_t lines, records, scored, skipped, failed, no_verdict, malformed;
	uint64_t over_labels;             /* scored pages whose label did not fit */
	uint64_t logged;                  /* malformed lines written to the log */
	uint64_t bad_lines[RPT_BAD_LINES];/* seq-independent: line numbers */
	uint32_t bad_inputs[RPT_BAD_LINES];
	size_t nbad;

	struct rpt_names labels;
	struct rpt_label label[RPT_MAX_LABELS];
	int good_index;                   /* -1 until the good label is seen */
	struct rpt_names signals;
	struct rpt_names reasons;         /* skip reasons */
	struct rpt_reason reason[RPT_MAX_REASONS];
	uint64_t reason_other;
	struct rpt_names errors;          /* failure kinds */
	struct rpt_reason error[RPT_MAX_REASONS];
	uint64_t error_other;
	struct rpt_names archives;
	bool archives_over;
	char date_min[40], date_max[40];

	uint32_t *cms;                    /* RPT_CMS_DEPTH x RPT_CMS_WIDTH */

	struct rpt_heap table;            /* the page table */
	struct rpt_heap uncertain;        /* smallest margin between the top two */
};

/* report.c, for report_html.c */
uint64_t rpt_cms_get(const struct chaff_report *r, const char *host, unsigned label);
bool rpt_signal_fired(const struct rpt_page *p, size_t signal);
/* Pages of a heap, best first (a sorted copy the caller frees). */
struct rpt_page **rpt_heap_sorted(const struct rpt_heap *h, size_t *n);
/* Entries of a top-k, largest count first (a sorted copy of indices). */
size_t *rpt_topk_sorted(const struct rpt_topk *t, size_t *n);

#endif
