/*
 * merge.c - chaff merge: one summary of many `chaff bulk` outputs, read in
 * bounded memory: one line at a time (each parsed into an arena reset for
 * the next), counters of bounded size. Hosts are counted exactly while they fit
 * in a fixed table and with the Space-Saving algorithm (Metwally et al.,
 * 2005) once they do not: the most frequent hosts are then still found,
 * each count over by at most the error reported.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

const char usage_merge[] =
	"usage: chaff merge [--json] [--top N] DIR|FILE...\n"
	"\n"
	"Summarise what chaff bulk wrote: records per label, per host and per skip\n"
	"reason, damaged records (skipped as malformed), and the archives that\n"
	"failed. A DIR is a batch output directory (chaff bulk --out-dir): its\n"
	"NAME.jsonl outputs and NAME.jsonl.failed markers are read; temporaries\n"
	"(.NAME.tmp.HOST.PID) left by killed tasks are counted and ignored; a marker\n"
	"whose archive has been written since is ignored. A FILE is one JSON Lines\n"
	"output (- for standard input) or a .failed marker.\n"
	"\n"
	"Memory is bounded: hosts are counted exactly up to 65536 distinct hosts;\n"
	"past that the top hosts are kept with the Space-Saving algorithm (each count\n"
	"over by at most the error shown) and the distinct hosts are estimated.\n"
	"\n"
	"      --json    one JSON object on standard output\n"
	"      --top N   hosts listed (default 20, at most 1000)\n"
	"  -h, --help    this help\n"
	"\n"
	"Exit status: 0 every output read and no archive failed; 1 some archive\n"
	"failed (re-submit the batch to retry) or some file or line could not be\n"
	"read; 2 usage error.\n";

#define MERGE_MAX_LINE ((size_t)64 << 20)  /* longer lines are counted as bad */
#define MERGE_MAX_NAMES 64          /* labels, skip reasons told apart; the rest "(other)" */
#define MERGE_MAX_NAME 256          /* bytes kept of a label, reason, file name or error */
#define MERGE_MAX_BAD_LISTED 100    /* bad lines named on stderr (all are counted) */
#define MERGE_HOST_LABELS CHAFF_MAX_LABELS
#define MERGE_HOST_SLOTS 65536      /* hosts held at once */
#define MERGE_MAX_HOST 255
#define MERGE_MAX_FAILURES 1000     /* failed archives listed (all are counted) */
#define MERGE_TOP_DEFAULT 20
#define MERGE_TOP_MAX 1000
#define MERGE_HLL_BITS 12           /* HyperLogLog registers: 4096, ~1.6% error */

/* ------------------------------------------------------------------ */
/* Counting names (labels, skip reasons)                                */
/* ------------------------------------------------------------------ */

struct tally {
	char *name[MERGE_MAX_NAMES];
	uint64_t count[MERGE_MAX_NAMES];
	size_t n;
	uint64_t other;     /* names past MERGE_MAX_NAMES */
};

/* Bytes of s[0..n) kept when cut to at most max, at a UTF-8 boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* A copy of s cut to MERGE_MAX_NAME bytes. */
static char *dup_name(const char *s)
{
	return chaff_xstrndup(s, utf8_cut(s, strlen(s), MERGE_MAX_NAME));
}

/* Count name (cut to MERGE_MAX_NAME bytes); its index, or -1 when it went to "other". */
static int tally_add(struct tally *t, const char *name)
{
	size_t i, n = utf8_cut(name, strlen(name), MERGE_MAX_NAME);

	for (i = 0; i < t->n; i++)
		if (!strncmp(t->name[i], name, n) && t->name[i][n] == '\0') {
			t->count[i]++;
			return (int)i;
		}
	if (t->n == MERGE_MAX_NAMES) {
		t->other++;
		return -1;
	}
	t->name[t->n] = chaff_xstrndup(name, n);
	t->count[t->n] = 1;
	return (int)t->n++;
}

/* Indices of t by descending count, then name. */
static void tally_order(const struct tally *t, size_t *order)
{
	size_t i, k;

	for (i = 0; i < t->n; i++)
		order[i] = i;
	for (i = 1; i < t->n; i++)
		for (k = i; k > 0; k--) {
			size_t a = order[k - 1], b = order[k], tmp;

			if (t->count[a] > t->count[b] ||
			    (t->count[a] == t->count[b] && strcmp(t->name[a], t->name[b]) <= 0))
				break;
			tmp = order[k];
			order[k] = order[k - 1];
			order[k - 1] = tmp;
		}
}

static void tally_release(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->name[i]);
}

/* ------------------------------------------------------------------ */
/* Hosts: a hash table over a min-heap (Space-Saving)                   */
/* ------------------------------------------------------------------ */

struct host {
	char *name;
	uint64_t hash;
	uint64_t records;
	uint64_t err;                       /* over-count bound (Space-Saving) */
	uint64_t label[MERGE_HOST_LABELS];  /* by index into the labels tally */
	size_t heap;                        /* position in the heap */
};

#define EMPTY UINT32_MAX

struct hosts {
	struct host *e;
	size_t n;
	uint32_t *heap;       /* min-heap of entry indices by records */
	uint32_t *table;      /* open addressing, linear probing: entry index or EMPTY */
	size_t mask;
	bool evicted;
	uint64_t max_err;
	uint64_t without;     /* records with no host */
	uint8_t hll[1u << MERGE_HLL_BITS];
};

static void hosts_init(struct hosts *h)
{
	size_t i, slots = (size_t)MERGE_HOST_SLOTS * 2;

	memset(h, 0, sizeof(*h));
	h->e = chaff_xcalloc(MERGE_HOST_SLOTS, sizeof(*h->e));
	h->heap = chaff_xcalloc(MERGE_HOST_SLOTS, sizeof(*h->heap));
	h->table = chaff_xmalloc(slots * sizeof(*h->table));
	for (i = 0; i < slots; i++)
		h->table[i] = EMPTY;
	h->mask = slots - 1;
}

static void hosts_release(struct hosts *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->e[i].name);
	free(h->e);
	free(h->heap);
	free(h->table);
}

static void heap_swap(struct hosts *h, size_t a, size_t b)
{
	uint32_t t = h->heap[a];

	h->heap[a] = h->heap[b];
	h->heap[b] = t;
	h->e[h->heap[a]].heap = a;
	h->e[h->heap[b]].heap = b;
}

static void heap_up(struct hosts *h, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->e[h->heap[parent]].records <= h->e[h->heap[i]].records)
			break;
		heap_swap(h, i, parent);
		i = parent;
	}
}

static void heap_down(struct hosts *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && h->e[h->heap[l]].records < h->e[h->heap[m]].records)
			m = l;
		if (r < h->n && h->e[h->heap[r]].records < h->e[h->heap[m]].records)
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

/* The table slot holding name, or the empty slot where it would go. */
static size_t table_find(const struct hosts *h, const char *name, uint64_t hash)
{
	size_t i = (size_t)hash & h->mask;

	while (h->table[i] != EMPTY) {
		const struct host *e = &h->e[h->table[i]];

		if (e->hash == hash && !strcmp(e->name, name))
			break;
		i = (i + 1) & h->mask;
	}
	return i;
}

/* Remove slot i, shifting later entries of its probe run back (no tombstones). */
static void table_delete(struct hosts *h, size_t i)
{
	size_t j = i;

	h->table[i] = EMPTY;
	for (;;) {
		size_t home;

		j = (j + 1) & h->mask;
		if (h->table[j] == EMPTY)
			return;
		home = (size_t)h->e[h->table[j]].hash & h->mask;
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		h->table[i] = h->table[j];
		h->table[j] = EMPTY;
		i = j;
	}
}

static void hll_add(struct hosts *h, uint64_t hash)
{
	size_t reg = (size_t)(hash >> (64 - MERGE_HLL_BITS));
	uint64_t rest = hash << MERGE_HLL_BITS;
	uint8_t rank = 1;

	while (rank <= 64 - MERGE_HLL_BITS && !(rest & ((uint64_t)1 << 63))) {
		rest <<= 1;
		rank++;
	}
	if (h->hll[reg] < rank)
		h->hll[reg] = rank;
}

static double hll_estimate(const struct hosts *h)
{
	const double m = (double)(1u << MERGE_HLL_BITS);
	double sum = 0, e;
	size_t i, zeros = 0;

	for (i = 0; i < (1u << MERGE_HLL_BITS); i++) {
		sum += ldexp(1.0, -(int)h->hll[i]);
		zeros += !h->hll[i];
	}
	e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / (double)zeros);  /* linear counting for small sets */
	return e;
}

static void hosts_add(struct hosts *h, const char *name, int label)
{
	uint64_t hash = chaff_hash64(name, strlen(name), 0x686f7374);
	size_t slot = table_find(h, name, hash);
	struct host *e;
	uint32_t idx;

	hll_add(h, hash);
	if (h->table[slot] != EMPTY) {
		e = &h->e[h->table[slot]];
		e->records++;
	} else if (h->n < MERGE_HOST_SLOTS) {
		idx = (uint32_t)h->n++;
		e = &h->e[idx];
		e->name = chaff_xstrdup(name);
		e->hash = hash;
		e->records = 1;
		e->heap = idx;
		h->heap[idx] = idx;
		h->table[slot] = idx;
		heap_up(h, idx);
	} else {
		/* Full: the least counted host makes room and lends its count. */
		idx = h->heap[0];
		e = &h->e[idx];
		table_delete(h, table_find(h, e->name, e->hash));
		free(e->name);
		e->name = chaff_xstrdup(name);
		e->hash = hash;
		e->err = e->records;
		e->records++;
		memset(e->label, 0, sizeof(e->label));
		h->table[table_find(h, name, hash)] = idx;
		h->evicted = true;
		if (e->err > h->max_err)
			h->max_err = e->err;
	}
	if (label >= 0 && label < MERGE_HOST_LABELS)
		e->label[label]++;
	heap_down(h, e->heap);
}

/* Entry indices of the top k hosts by records, then name; returns how many. */
static size_t hosts_top(const struct hosts *h, uint32_t *out, size_t k)
{
	size_t i, j, n = 0;

	for (i = 0; i < h->n; i++) {
		const struct host *e = &h->e[i];

		for (j = n; j > 0; j--) {
			const struct host *p = &h->e[out[j - 1]];

			if (p->records > e->records ||
			    (p->records == e->records && strcmp(p->name, e->name) < 0))
				break;
			if (j < k)
				out[j] = out[j - 1];
		}
		if (j < k) {
			out[j] = (uint32_t)i;
			if (n < k)
				n++;
		}
	}
	return n;
}

/* The lower-case host of an http(s) URL into out; false when there is none. */
static bool url_host(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "://"), *end, *at;
	size_t n = 0;

	if (!p)
		return false;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	while (at) {  /* userinfo: the host follows the last '@' */
		p = at + 1;
		at = memchr(p, '@', (size_t)(end - p));
	}
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (close)
			end = close + 1;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));

		if (colon)
			end = colon;
	}
	while (end > p && end[-1] == '.')
		end--;
	for (; p < end && n + 1 < size; p++)
		out[n++] = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
	out[n] = '\0';
	return n > 0;
}

/* ------------------------------------------------------------------ */
/* The keys of one line                                                 */
/* ------------------------------------------------------------------ */

/* What merge reads of a line; strings live in the line's arena, or NULL. */
struct fields {
	const char *warc_file, *url, *label, *skipped, *error;
	long long task;        /* failure markers; -1 when absent */
};

static const char *str_member(const struct chaff_json_value *obj, const char *key)
{
	const struct chaff_json_value *v = chaff_json_get(obj, key);

	return v && v->type == CHAFF_JSON_STRING ? v->str : NULL;
}

/* Parse one line holding a JSON object; false, saying why, when it is not one. */
static bool scan_line(const char *p, size_t n, struct chaff_arena *arena, struct fields *fl,
                      char *why)
{
	static const struct chaff_json_limits lim = {
		.max_bytes = MERGE_MAX_LINE, .max_depth = 32, .max_values = (size_t)1 << 20,
	};
	const struct chaff_json_value *v, *task;

	chaff_arena_reset(arena);
	if (chaff_json_parse(&v, p, n, &lim, arena, why))
		return false;
	if (v->type != CHAFF_JSON_OBJECT) {
		chaff_why(why, "not a JSON object");
		return false;
	}
	fl->warc_file = str_member(v, "warc_file");
	fl->url = str_member(v, "url");
	fl->label = str_member(v, "label");
	fl->skipped = str_member(v, "skipped");
	fl->error = str_member(v, "error");
	task = chaff_json_get(v, "task");
	fl->task = task && task->type == CHAFF_JSON_NUMBER && task->number >= 0 &&
	           task->number < 1e15 ? (long long)task->number : -1;
	return true;
}

/* A record line of a bulk output: a JSON object with "label" or "skipped". */
static bool scan_record(const char *p, size_t n, struct chaff_arena *arena, struct fields *fl,
                        char *why)
{
	if (!scan_line(p, n, arena, fl, why))
		return false;
	if (!fl->label && !fl->skipped) {
		chaff_why(why, "neither label nor skipped");
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Reading lines with a ceiling                                         */
/* ------------------------------------------------------------------ */

struct lines {
	FILE *f;
	char buf[1 << 16];
	size_t pos, len;
	struct chaff_buf line;
};

/* 1: a line in r->line; 0: the end; -1: a line over MERGE_MAX_LINE (skipped). */
static int next_line(struct lines *r)
{
	bool over = false;

	chaff_buf_reset(&r->line);
	for (;;) {
		const char *nl;
		size_t take;

		if (r->pos == r->len) {
			r->pos = 0;
			r->len = fread(r->buf, 1, sizeof(r->buf), r->f);
			if (!r->len)
				return over ? -1 : r->line.len ? 1 : 0;
		}
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		take = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
		if (!over && chaff_buf_append(&r->line, r->buf + r->pos, take))
			over = true;
		r->pos += take;
		if (nl) {
			r->pos++;
			return over ? -1 : 1;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The summary                                                          */
/* ------------------------------------------------------------------ */

struct failure {
	char *warc_file;
	char *error;
	long long task;
};

struct merge {
	uint64_t outputs, temporaries, stale_markers, unreadable, bad_lines;
	uint64_t bad_listed;        /* bad lines named on stderr so far */
	uint64_t records, scored, skipped, errors, damaged;
	struct tally labels, reasons;
	struct hosts hosts;
	struct failure *failures;
	size_t nfailures;
	uint64_t failed;
	struct lines *in;
	struct chaff_arena arena;   /* the current line's parse */
};

static void count_line(struct merge *m, const struct fields *fl)
{
	char host[MERGE_MAX_HOST + 1];
	int label = -1;

	m->records++;
	if (fl->label) {
		m->scored++;
		label = tally_add(&m->labels, fl->label);
	} else {
		m->skipped++;
		tally_add(&m->reasons, fl->skipped);
	}
	if (fl->skipped && !strcmp(fl->skipped, "malformed"))
		m->errors++;  /* damage the WARC reader skipped over */
	if (fl->url && url_host(fl->url, host, sizeof(host)))
		hosts_add(&m->hosts, host, label);
	else
		m->hosts.without++;
}

static int read_output(struct merge *m, const char *path)
{
	struct lines *r = m->in;
	struct fields fl;
	uint64_t errors = m->errors, bad = 0, lineno = 0;
	char why[CHAFF_WHY_MAX];
	int got;

	r->f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!r->f) {
		cli_error("merge", "%s: %s", path, strerror(errno));
		m->unreadable++;
		return 1;
	}
	r->pos = r->len = 0;
	while ((got = next_line(r))) {
		lineno++;
		why[0] = '\0';
		if (got < 0 || !scan_record(r->line.data, r->line.len, &m->arena, &fl, why)) {
			if (r->line.len == 0 && got > 0)
				continue;  /* a blank line */
			bad++;
			if (m->bad_listed < MERGE_MAX_BAD_LISTED)
				cli_error("merge", "%s: line %llu: %s", path, (unsigned long long)lineno,
				          got < 0 ? "longer than 64 MiB" : why[0] ? why : "not JSON");
			else if (m->bad_listed == MERGE_MAX_BAD_LISTED)
				cli_error("merge", "further bad lines are counted but not listed");
			m->bad_listed++;
			continue;
		}
		count_line(m, &fl);
	}
	m->bad_lines += bad;
	if (m->errors > errors)
		m->damaged++;
	m->outputs++;
	if (ferror(r->f)) {
		cli_error("merge", "%s: %s", path, strerror(errno));
		m->unreadable++;
	}
	if (r->f != stdin)
		fclose(r->f);
	return bad ? 1 : 0;
}

static void add_failure(struct merge *m, const struct fields *fl, const char *path)
{
	struct failure *f;

	m->failed++;
	if (m->nfailures == MERGE_MAX_FAILURES)
		return;
	if (!m->failures)
		m->failures = chaff_xcalloc(MERGE_MAX_FAILURES, sizeof(*m->failures));
	f = &m->failures[m->nfailures++];
	f->warc_file = dup_name(fl->warc_file ? fl->warc_file : path);
	f->error = dup_name(fl->error ? fl->error : "unknown");
	f->task = fl->task;
}

/* A NAME.failed marker; ignored when NAME has been written since. */
static int read_marker(struct merge *m, const char *path)
{
	static const struct fields unknown = { .task = -1 };
	struct lines *r = m->in;
	struct fields fl;
	size_t n = strlen(path) - strlen(".failed");
	char *output = chaff_xstrndup(path, n);
	char why[CHAFF_WHY_MAX];
	struct stat st;
	int rc = 0;

	if (!stat(output, &st)) {
		m->stale_markers++;
		free(output);
		return 0;
	}
	free(output);
	r->f = fopen(path, "r");
	if (!r->f) {
		cli_error("merge", "%s: %s", path, strerror(errno));
		m->unreadable++;
		return 1;
	}
	r->pos = r->len = 0;
	why[0] = '\0';
	if (next_line(r) != 1 || !scan_line(r->line.data, r->line.len, &m->arena, &fl, why)) {
		cli_error("merge", "%s: not a chaff bulk failure marker%s%s", path,
		          why[0] ? ": " : "", why);
		fl = unknown;
		m->bad_lines++;
		rc = 1;
	}
	add_failure(m, &fl, path);
	fclose(r->f);
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

static int read_dir(struct merge *m, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct chaff_buf path;
	int rc = 0;

	if (!d) {
		cli_error("merge", "%s: %s", dir, strerror(errno));
		m->unreadable++;
		return 1;
	}
	chaff_buf_init(&path, 1 << 16);
	while ((errno = 0, de = readdir(d))) {
		const char *name = de->d_name;

		if (name[0] == '.') {
			if (strstr(name, ".tmp."))
				m->temporaries++;
			continue;
		}
		if (!ends_with(name, ".jsonl") && !ends_with(name, ".jsonl.failed"))
			continue;
		chaff_buf_reset(&path);
		if (chaff_buf_printf(&path, "%s/%s", dir, name)) {
			cli_error("merge", "%s/%s: name too long", dir, name);
			rc = 1;
			continue;
		}
		rc |= ends_with(name, ".failed") ? read_marker(m, path.data)
		                                 : read_output(m, path.data);
	}
	if (errno) {
		cli_error("merge", "%s: %s", dir, strerror(errno));
		m->unreadable++;
		rc = 1;
	}
	closedir(d);
	chaff_buf_release(&path);
	return rc;
}

static int read_arg(struct merge *m, const char *arg)
{
	struct stat st;

	if (strcmp(arg, "-") && !stat(arg, &st) && S_ISDIR(st.st_mode))
		return read_dir(m, arg);
	if (ends_with(arg, ".failed"))
		return read_marker(m, arg);
	return read_output(m, arg);
}

static int by_warc_file(const void *a, const void *b)
{
	const struct failure *x = a, *y = b;

	return strcmp(x->warc_file, y->warc_file);
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static uint64_t distinct_hosts(const struct merge *m)
{
	return m->hosts.evicted ? (uint64_t)llround(hll_estimate(&m->hosts)) : m->hosts.n;
}

static void print_text(const struct merge *m, size_t top)
{
	size_t order[MERGE_MAX_NAMES], i, k, n;
	uint32_t *best = chaff_xcalloc(top ? top : 1, sizeof(*best));

	printf("outputs:   %llu archives", (unsigned long long)m->outputs);
	printf(", %llu failed", (unsigned long long)m->failed);
	if (m->temporaries)
		printf(", %llu leftover temporaries (killed tasks; safe to delete when no task runs)",
		       (unsigned long long)m->temporaries);
	if (m->stale_markers)
		printf(", %llu stale failure markers (archive written since; ignored)",
		       (unsigned long long)m->stale_markers);
	printf("\nrecords:   %llu (%llu scored, %llu skipped), %llu damaged in %llu archives\n",
	       (unsigned long long)m->records, (unsigned long long)m->scored,
	       (unsigned long long)m->skipped, (unsigned long long)m->errors,
	       (unsigned long long)m->damaged);
	if (m->bad_lines)
		printf("bad lines: %llu (not chaff bulk output)\n", (unsigned long long)m->bad_lines);
	printf("\nlabels (of scored pages):\n");
	tally_order(&m->labels, order);
	for (i = 0; i < m->labels.n; i++)
		printf("  %-24s %12llu  %5.1f%%\n", m->labels.name[order[i]],
		       (unsigned long long)m->labels.count[order[i]],
		       share(m->labels.count[order[i]], m->scored));
	if (m->labels.other)
		printf("  %-24s %12llu\n", "(other)", (unsigned long long)m->labels.other);
	printf("\nskipped (by reason):\n");
	tally_order(&m->reasons, order);
	for (i = 0; i < m->reasons.n; i++)
		printf("  %-24s %12llu  %5.1f%%\n", m->reasons.name[order[i]],
		       (unsigned long long)m->reasons.count[order[i]],
		       share(m->reasons.count[order[i]], m->skipped));
	if (m->reasons.other)
		printf("  %-24s %12llu\n", "(other)", (unsigned long long)m->reasons.other);
	printf("\nhosts: %s%llu distinct", m->hosts.evicted ? "about " : "",
	       (unsigned long long)distinct_hosts(m));
	if (m->hosts.evicted)
		printf(" (top counts over by at most %llu)", (unsigned long long)m->hosts.max_err);
	if (m->hosts.without)
		printf(", %llu records without a URL", (unsigned long long)m->hosts.without);
	printf("\n");
	n = hosts_top(&m->hosts, best, top);
	tally_order(&m->labels, order);
	for (i = 0; i < n; i++) {
		const struct host *e = &m->hosts.e[best[i]];
		const char *sep = "  ";

		printf("  %-40s %10llu", e->name, (unsigned long long)e->records);
		for (k = 0; k < m->labels.n; k++) {
			size_t l = order[k];

			if (l < MERGE_HOST_LABELS && e->label[l]) {
				printf("%s%s %llu", sep, m->labels.name[l], (unsigned long long)e->label[l]);
				sep = ", ";
			}
		}
		printf("\n");
	}
	if (m->failed) {
		printf("\nfailed archives (re-submit the same batch to retry):\n");
		for (i = 0; i < m->nfailures; i++)
			printf("  %s: %s\n", m->failures[i].warc_file, m->failures[i].error);
		if (m->failed > m->nfailures)
			printf("  ... and %llu more\n", (unsigned long long)(m->failed - m->nfailures));
	}
	free(best);
}

static void json_tally(struct chaff_json *j, const char *key, const struct tally *t)
{
	size_t order[MERGE_MAX_NAMES], i;

	tally_order(t, order);
	chaff_json_key(j, key);
	chaff_json_object_begin(j);
	for (i = 0; i < t->n; i++) {
		chaff_json_key(j, t->name[order[i]]);
		chaff_json_uint(j, t->count[order[i]]);
	}
	if (t->other) {
		chaff_json_key(j, "(other)");
		chaff_json_uint(j, t->other);
	}
	chaff_json_object_end(j);
}

static void json_count(struct chaff_json *j, const char *key, uint64_t v)
{
	chaff_json_key(j, key);
	chaff_json_uint(j, v);
}

static void json_hosts(struct chaff_json *j, const struct merge *m, size_t top)
{
	uint32_t *best = chaff_xcalloc(top ? top : 1, sizeof(*best));
	size_t n = hosts_top(&m->hosts, best, top), i, l;

	chaff_json_key(j, "hosts");
	chaff_json_object_begin(j);
	json_count(j, "distinct", distinct_hosts(m));
	chaff_json_key(j, "exact");
	chaff_json_bool(j, !m->hosts.evicted);
	json_count(j, "max_error", m->hosts.max_err);
	json_count(j, "without_url", m->hosts.without);
	chaff_json_key(j, "top");
	chaff_json_array_begin(j);
	for (i = 0; i < n; i++) {
		const struct host *e = &m->hosts.e[best[i]];

		chaff_json_object_begin(j);
		chaff_json_key(j, "host");
		chaff_json_str(j, e->name);
		json_count(j, "records", e->records);
		chaff_json_key(j, "labels");
		chaff_json_object_begin(j);
		for (l = 0; l < m->labels.n && l < MERGE_HOST_LABELS; l++)
			if (e->label[l]) {
				chaff_json_key(j, m->labels.name[l]);
				chaff_json_uint(j, e->label[l]);
			}
		chaff_json_object_end(j);
		chaff_json_object_end(j);
	}
	chaff_json_array_end(j);
	chaff_json_object_end(j);
	free(best);
}

static void print_json(const struct merge *m, size_t top)
{
	struct chaff_buf out;
	struct chaff_json j;
	size_t i;

	chaff_buf_init(&out, (size_t)64 << 20);
	chaff_json_init(&j, &out);
	chaff_json_object_begin(&j);
	json_count(&j, "outputs", m->outputs);
	json_count(&j, "failed", m->failed);
	json_count(&j, "temporaries", m->temporaries);
	json_count(&j, "stale_markers", m->stale_markers);
	json_count(&j, "records", m->records);
	json_count(&j, "scored", m->scored);
	json_count(&j, "skipped", m->skipped);
	json_count(&j, "errors", m->errors);
	json_count(&j, "damaged_archives", m->damaged);
	json_count(&j, "bad_lines", m->bad_lines);
	json_tally(&j, "labels", &m->labels);
	json_tally(&j, "skipped_reasons", &m->reasons);
	json_hosts(&j, m, top);
	chaff_json_key(&j, "failures");
	chaff_json_array_begin(&j);
	for (i = 0; i < m->nfailures; i++) {
		chaff_json_object_begin(&j);
		chaff_json_key(&j, "warc_file");
		chaff_json_str(&j, m->failures[i].warc_file);
		chaff_json_key(&j, "error");
		chaff_json_str(&j, m->failures[i].error);
		if (m->failures[i].task >= 0) {
			chaff_json_key(&j, "task");
			chaff_json_int(&j, m->failures[i].task);
		}
		chaff_json_object_end(&j);
	}
	chaff_json_array_end(&j);
	chaff_json_object_end(&j);
	chaff_buf_putc(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	chaff_buf_release(&out);
}

static void merge_release(struct merge *m)
{
	size_t i;

	for (i = 0; i < m->nfailures; i++) {
		free(m->failures[i].warc_file);
		free(m->failures[i].error);
	}
	free(m->failures);
	tally_release(&m->labels);
	tally_release(&m->reasons);
	hosts_release(&m->hosts);
	chaff_buf_release(&m->in->line);
	free(m->in);
	chaff_arena_release(&m->arena);
}

int cmd_merge(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_TOP };
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"top", required_argument, NULL, OPT_TOP},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct merge m;
	size_t top = MERGE_TOP_DEFAULT;
	bool json = false;
	int c, i, rc = 0;

	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_TOP:
			if (!cli_parse_size(optarg, &top) || top > MERGE_TOP_MAX)
				return cli_usage_error("merge", "bad --top '%s' (0..%d)", optarg,
				                       MERGE_TOP_MAX);
			break;
		case 'h': return cli_help("merge");
		default: return cli_usage_error("merge", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("merge", "no DIR or FILE given");
	memset(&m, 0, sizeof(m));
	hosts_init(&m.hosts);
	m.in = chaff_xcalloc(1, sizeof(*m.in));
	chaff_buf_init(&m.in->line, MERGE_MAX_LINE);
	chaff_arena_init(&m.arena);
	for (i = optind; i < argc; i++)
		rc |= read_arg(&m, argv[i]);
	if (m.nfailures)
		qsort(m.failures, m.nfailures, sizeof(*m.failures), by_warc_file);
	if (json)
		print_json(&m, top);
	else
		print_text(&m, top);
	if (m.failed || m.unreadable || m.bad_lines)
		rc = 1;
	merge_release(&m);
	return cli_finish_stdout("merge", rc ? EXIT_SOME_FAILED : EXIT_ALL_OK);
}
