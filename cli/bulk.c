/*
 * bulk.c - chaff bulk: every record of WARC archives to one JSON line each,
 * in input order, scored by N worker threads. The reading thread owns the
 * archive and the output; workers own nothing but their arena and page.
 * Records move through a ring of slots: the reader fills the tail (the
 * record's block is swapped in, not copied), workers take pending slots,
 * the reader writes finished slots from the head. Memory is bounded by the
 * ring size times the block cap.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/bulk.h"
#include "cli/cli.h"

const char usage_bulk[] =
	"usage: chaff bulk [-m MODEL] [-j N] [-o OUT] [options] ARCHIVE... | -\n"
	"       chaff bulk --manifest FILE [--task I] --per-task K --out-dir DIR [-m MODEL] [-j N]\n"
	"\n"
	"Read WARC archives (.warc, .warc.gz; compression told by magic bytes; - for\n"
	"standard input) and write one JSON line for every record: scored pages carry\n"
	"the verdict (label, scores, signals, evidence, top), other records carry\n"
	"\"skipped\" with the reason. Records in = lines out. A summary goes to stderr.\n"
	"\n"
	"  -m, --model FILE      use this model instead of the built-in one\n"
	"  -j, --jobs N          worker threads (default: the number of cores)\n"
	"  -o, --output FILE     write here (atomically: temporary name, then rename)\n"
	"      --text-plain      score text/plain payloads too (WET conversion records always)\n"
	"      --scan-only       read and decode every payload, but do not parse or score\n"
	"      --max-bytes SIZE  bytes of a record block kept (default 8M; larger: skipped)\n"
	"      --max-parse SIZE  bytes of HTML given to the parser (default 2M)\n"
	"      --max-depth N     tag nesting kept (default 400)\n"
	"      --parse-scripts   give the parser script and style bodies too (slower)\n"
	"      --no-progress     no progress line even on a terminal\n"
	"  batch mode (one output file per archive, for Slurm job arrays):\n"
	"      --manifest FILE   archive paths, one per line\n"
	"      --task I          task index (default $SLURM_ARRAY_TASK_ID)\n"
	"      --per-task K      archives per task: lines [I*K, I*K+K) of the manifest\n"
	"      --out-dir DIR     where the per-archive outputs go\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 every archive read, 1 some archive unreadable or (without\n"
	"--manifest) some record damaged; the rest were still processed. 2 usage error.\n";

/* ------------------------------------------------------------------ */
/* Slots and workers                                                    */
/* ------------------------------------------------------------------ */

enum slot_state { SLOT_FREE, SLOT_PENDING, SLOT_BUSY, SLOT_DONE };

#define SLOTS_PER_JOB 16                    /* ring slots per worker thread */
#define INFLIGHT_BUDGET ((size_t)8 << 20)   /* block bytes the ring may hold */
#define SLOT_KEEP_BYTES ((size_t)256 << 10) /* larger block buffers are freed */

struct slot {
	enum slot_state state;
	struct chaff_warc_record rec;   /* strings point into meta */
	struct chaff_buf meta;          /* copies of the record's strings */
	char error[CHAFF_WHY_MAX];      /* reader damage: a "malformed" line */
	uint64_t error_offset;
	bool is_error;
	struct chaff_buf line;          /* the JSON line, when done */
	const char *reason;             /* skip reason, NULL when scored */
	bool scored;
	size_t held;                    /* block bytes counted in run->inflight */
};

struct worker {
	struct bulk_run *run;
	pthread_t thread;
	struct chaff_arena arena;
	struct chaff_page page;
};

struct bulk_run {
	const struct bulk_opts *o;
	const char *warc_file;
	struct slot *slots;
	size_t nslots;
	size_t head, tail, count;       /* ring: [head, head+count) in use */
	size_t next_pending;            /* next slot a worker may take */
	size_t inflight;                /* block bytes held by slots in the ring */
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	bool stop;
	struct worker *workers;
	unsigned nworkers;
};

/*
 * Move a record into a slot: its strings copied into the slot's buffer
 * (they point into the reader's header, which the next record overwrites),
 * its block swapped in rather than copied.
 */
static void slot_take_record(struct slot *s, struct chaff_warc_record *rec)
{
	struct chaff_buf spare = s->rec.block;
	const char **strings[] = {&s->rec.version, &s->rec.type, &s->rec.record_id,
	                          &s->rec.date, &s->rec.target_uri, &s->rec.content_type};
	size_t at[sizeof(strings) / sizeof(strings[0])], i, n = sizeof(strings) / sizeof(strings[0]);

	static const char *const digest_fields[] = {"WARC-Block-Digest", "WARC-Payload-Digest"};
	size_t field_at[2][2], nf = 0;

	s->rec = *rec;
	s->rec.nfields = 0;
	chaff_buf_reset(&s->meta);
	/* Offsets first, pointers after: the buffer may move while it grows.
	 * A header is at most 64 KiB, well under the buffer's ceiling. */
	for (i = 0; i < n; i++) {
		at[i] = s->meta.len;
		if (*strings[i])
			chaff_buf_append(&s->meta, *strings[i], strlen(*strings[i]) + 1);
	}
	/* The worker checks the digests: it needs their fields. */
	for (i = 0; i < 2 && rec->digests_pending; i++) {
		const char *v = chaff_warc_field(rec, digest_fields[i]);

		if (!v)
			continue;
		field_at[nf][0] = i;
		field_at[nf][1] = s->meta.len;
		chaff_buf_append(&s->meta, v, strlen(v) + 1);
		nf++;
	}
	for (i = 0; i < n; i++)
		if (*strings[i])
			*strings[i] = s->meta.data + at[i];
	for (i = 0; i < nf; i++) {
		s->rec.fields[i].name = digest_fields[field_at[i][0]];
		s->rec.fields[i].value = s->meta.data + field_at[i][1];
	}
	s->rec.nfields = nf;
	rec->block = spare;
	chaff_buf_reset(&rec->block);
	s->is_error = false;
	s->reason = NULL;
	s->scored = false;
}

static void line_head(struct chaff_json *j, const char *warc_file, uint64_t offset,
                      const struct chaff_warc_record *rec)
{
	chaff_json_object_begin(j);
	chaff_json_key(j, "warc_file");
	chaff_json_str(j, warc_file);
	chaff_json_key(j, "offset");
	chaff_json_uint(j, offset);
	if (!rec)
		return;
	if (rec->record_id) {
		chaff_json_key(j, "record_id");
		chaff_json_str(j, rec->record_id);
	}
	chaff_json_key(j, "type");
	chaff_json_str(j, rec->type);
	if (rec->date) {
		chaff_json_key(j, "date");
		chaff_json_str(j, rec->date);
	}
	if (rec->target_uri) {
		chaff_json_key(j, "url");
		chaff_json_str(j, rec->target_uri);
	}
}

static void line_skipped(struct chaff_json *j, const char *reason, const char *why)
{
	chaff_json_key(j, "skipped");
	chaff_json_str(j, reason);
	if (why && why[0]) {
		chaff_json_key(j, "error");
		chaff_json_str(j, why);
	}
}

/* Turn one slot into its JSON line. Runs in a worker (or the reader at -j1). */
static void process(struct bulk_run *run, struct worker *w, struct slot *s)
{
	const struct bulk_opts *o = run->o;
	struct chaff_json j;
	char why[CHAFF_WHY_MAX] = "";

	chaff_buf_reset(&s->line);
	chaff_json_init(&j, &s->line);
	if (s->is_error) {
		line_head(&j, run->warc_file, s->error_offset, NULL);
		line_skipped(&j, "malformed", s->error);
		s->reason = "malformed";
		goto out;
	}
	chaff_warc_check_digests(&s->rec);
	line_head(&j, run->warc_file, s->rec.offset, &s->rec);
	if (s->rec.warning[0]) {
		chaff_json_key(&j, "warning");
		chaff_json_str(&j, s->rec.warning);
	}
	s->reason = chaff_warc_page(&s->rec, &w->page, &o->lim, o->text_plain, why);
	if (s->reason) {
		line_skipped(&j, s->reason, why);
		goto out;
	}
	if (o->scan_only) {
		s->reason = "scan only";
		chaff_json_key(&j, "payload_bytes");
		chaff_json_uint(&j, w->page.body.len);
		line_skipped(&j, s->reason, NULL);
		goto out;
	}
	{
		struct chaff_doc doc;
		struct chaff_features f;
		struct chaff_verdict v;
		enum chaff_err err = chaff_score_page(o->model, &w->page, &o->lim, &w->arena, &doc,
		                                      &f, &v, why);

		if (err) {
			s->reason = err == CHAFF_ERR_EMPTY ? "no text" : chaff_strerror(err);
			line_skipped(&j, s->reason, why);
		} else {
			if (doc.title && doc.title[0]) {
				chaff_json_key(&j, "title");
				chaff_json_strn(&j, doc.title, strnlen(doc.title, 300));
			}
			chaff_verdict_json(&j, o->model, &f, &v);
			s->scored = true;
		}
		chaff_arena_reset(&w->arena);
	}
out:
	chaff_json_object_end(&j);
	chaff_buf_putc(&s->line, '\n');
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct bulk_run *run = w->run;

	pthread_mutex_lock(&run->lock);
	for (;;) {
		struct slot *s = NULL;

		while (!run->stop) {
			size_t end = (run->head + run->count) % run->nslots;

			/* The oldest pending slot first, so output drains in order. */
			if (run->next_pending != end || (run->count == run->nslots &&
			                                 run->slots[run->next_pending].state == SLOT_PENDING)) {
				s = &run->slots[run->next_pending];
				if (s->state == SLOT_PENDING)
					break;
				s = NULL;
			}
			pthread_cond_wait(&run->work, &run->lock);
		}
		if (!s)
			break;
		s->state = SLOT_BUSY;
		run->next_pending = (run->next_pending + 1) % run->nslots;
		pthread_mutex_unlock(&run->lock);
		process(run, w, s);
		pthread_mutex_lock(&run->lock);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&run->done);
	}
	pthread_mutex_unlock(&run->lock);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The reading thread                                                   */
/* ------------------------------------------------------------------ */

static void count_reason(struct bulk_stats *st, const char *reason)
{
	size_t i;

	for (i = 0; i < st->nreasons; i++)
		if (!strcmp(st->reason[i], reason)) {
			st->reason_count[i]++;
			return;
		}
	if (st->nreasons < BULK_MAX_REASONS) {
		st->reason[st->nreasons] = reason;
		st->reason_count[st->nreasons++] = 1;
	}
}

/*
 * Count the slot and write its line. Damage and warnings go to stderr here,
 * in input order, since a worker may find a digest mismatch.
 */
static int write_slot(struct slot *s, const char *path, FILE *out, struct bulk_stats *st)
{
	if (s->is_error) {
		fprintf(stderr, "chaff: bulk: %s: %s\n", path, s->error);
		st->errors++;
	} else if (s->rec.incomplete) {
		/* Damage that cut a record short fails the run like any other. */
		fprintf(stderr, "chaff: bulk: %s: offset %llu: record truncated%s%s\n", path,
		        (unsigned long long)s->rec.offset, s->rec.warning[0] ? ": " : "",
		        s->rec.warning);
		st->errors++;
	} else if (s->rec.warning[0]) {
		fprintf(stderr, "chaff: bulk: %s: offset %llu: %s\n", path,
		        (unsigned long long)s->rec.offset, s->rec.warning);
	}
	st->records++;
	if (s->scored)
		st->scored++;
	else {
		st->skipped++;
		count_reason(st, s->reason ? s->reason : "unknown");
	}
	/* The errno of the failed write, for the message (EIO if it set none). */
	if (fwrite(s->line.data, 1, s->line.len, out) == s->line.len)
		return 0;
	return errno ? errno : EIO;
}

/* Write every finished slot at the head of the ring. */
/*
 * The ring is full when every slot is taken or when the blocks it holds
 * pass the budget: many slots keep both threads busy past a slow page,
 * the budget keeps memory bounded when pages are large.
 */
static bool ring_full(const struct bulk_run *run)
{
	return run->count == run->nslots || (run->count > 0 && run->inflight > INFLIGHT_BUDGET);
}

static int drain(struct bulk_run *run, FILE *out, struct bulk_stats *st, bool wait_all)
{
	int rc = 0;

	for (;;) {
		struct slot *s;

		if (run->count == 0)
			return rc;
		s = &run->slots[run->head];
		if (s->state != SLOT_DONE) {
			if (!wait_all && !ring_full(run))
				return rc;
			pthread_cond_wait(&run->done, &run->lock);
			continue;
		}
		pthread_mutex_unlock(&run->lock);
		{
			int e = write_slot(s, run->warc_file, out, st);

			if (e && !rc)
				rc = e;
		}
		/* A slot that held a large block gives its memory back. */
		if (s->rec.block.cap > SLOT_KEEP_BYTES)
			chaff_buf_release(&s->rec.block);
		pthread_mutex_lock(&run->lock);
		run->inflight -= s->held;
		s->state = SLOT_FREE;
		run->head = (run->head + 1) % run->nslots;
		run->count--;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(const char *path, const struct bulk_stats *st, uint64_t bytes, double t0)
{
	double dt = now() - t0;

	fprintf(stderr, "\rchaff: bulk: %s: %llu records, %.1f MB, %.0f records/s   ", path,
	        (unsigned long long)st->records, bytes / 1e6, dt > 0 ? st->records / dt : 0.0);
}

static void run_init(struct bulk_run *run, const struct bulk_opts *o, const char *path)
{
	size_t i;
	unsigned k;

	memset(run, 0, sizeof(*run));
	run->o = o;
	run->warc_file = path;
	run->nworkers = o->jobs > 1 ? o->jobs : 0;
	run->nslots = o->jobs > 1 ? (size_t)o->jobs * SLOTS_PER_JOB : 1;
	run->slots = chaff_xcalloc(run->nslots, sizeof(*run->slots));
	for (i = 0; i < run->nslots; i++) {
		chaff_warc_record_init(&run->slots[i].rec);
		chaff_buf_init(&run->slots[i].meta, 1 << 20);
		chaff_buf_init(&run->slots[i].line, (size_t)64 << 20);
	}
	pthread_mutex_init(&run->lock, NULL);
	pthread_cond_init(&run->work, NULL);
	pthread_cond_init(&run->done, NULL);
	run->workers = chaff_xcalloc(run->nworkers ? run->nworkers : 1, sizeof(*run->workers));
	for (k = 0; k < (run->nworkers ? run->nworkers : 1); k++) {
		struct worker *w = &run->workers[k];

		w->run = run;
		chaff_arena_init(&w->arena);
		chaff_page_init(&w->page, &o->lim);
	}
	for (k = 0; k < run->nworkers; k++)
		if (pthread_create(&run->workers[k].thread, NULL, worker_main, &run->workers[k])) {
			fprintf(stderr, "chaff: bulk: cannot start a thread: %s\n", strerror(errno));
			abort();
		}
}

static void run_release(struct bulk_run *run)
{
	size_t i;
	unsigned k;

	pthread_mutex_lock(&run->lock);
	run->stop = true;
	pthread_cond_broadcast(&run->work);
	pthread_mutex_unlock(&run->lock);
	for (k = 0; k < run->nworkers; k++)
		pthread_join(run->workers[k].thread, NULL);
	for (k = 0; k < (run->nworkers ? run->nworkers : 1); k++) {
		chaff_arena_release(&run->workers[k].arena);
		chaff_page_release(&run->workers[k].page);
	}
	for (i = 0; i < run->nslots; i++) {
		chaff_warc_record_release(&run->slots[i].rec);
		chaff_buf_release(&run->slots[i].meta);
		chaff_buf_release(&run->slots[i].line);
	}
	free(run->slots);
	free(run->workers);
	pthread_mutex_destroy(&run->lock);
	pthread_cond_destroy(&run->work);
	pthread_cond_destroy(&run->done);
}

/* Claim the tail slot (waiting for room), fill it, hand it to the workers. */
static struct slot *claim(struct bulk_run *run, FILE *out, struct bulk_stats *st, int *werr)
{
	struct slot *s;

	pthread_mutex_lock(&run->lock);
	if (ring_full(run)) {
		int e = drain(run, out, st, false);

		if (e && !*werr)
			*werr = e;
	}
	s = &run->slots[run->tail];
	pthread_mutex_unlock(&run->lock);
	return s;
}

static void submit(struct bulk_run *run, struct slot *s, FILE *out, struct bulk_stats *st,
                   int *werr)
{
	if (!run->nworkers) {
		int e;

		process(run, &run->workers[0], s);
		e = write_slot(s, run->warc_file, out, st);
		if (e && !*werr)
			*werr = e;
		return;
	}
	pthread_mutex_lock(&run->lock);
	s->state = SLOT_PENDING;
	s->held = s->is_error ? 0 : s->rec.block.len;
	run->inflight += s->held;
	run->tail = (run->tail + 1) % run->nslots;
	run->count++;
	pthread_cond_signal(&run->work);
	{
		int e = drain(run, out, st, false);

		if (e && !*werr)
			*werr = e;
	}
	pthread_mutex_unlock(&run->lock);
}

int bulk_archive(const char *path, FILE *out, const struct bulk_opts *o, struct bulk_stats *st)
{
	struct chaff_warc_reader *r;
	struct chaff_warc_record rec;
	struct bulk_run run;
	char why[CHAFF_WHY_MAX] = "";
	double t0 = now(), last = t0;
	enum chaff_err err;
	int werr = 0;           /* errno of the first failed write of the output */
	bool io_failed = false;

	memset(st, 0, sizeof(*st));
	err = chaff_warc_open(&r, path, o->lim.max_input_bytes, why);
	if (err) {
		fprintf(stderr, "chaff: bulk: %s: %s\n", path, why);
		st->archives_failed = 1;
		return 1;
	}
	chaff_warc_defer_digests(r, true);
	/*
	 * Inflating is the reading thread's work, a twenty-fifth of scoring a
	 * page: it holds up the workers only when they do not score, or are
	 * many. Then helpers inflate members ahead (one thread stays one).
	 */
	if (o->jobs > 1 && (o->scan_only || o->jobs >= 16))
		chaff_warc_set_threads(r, o->scan_only ? o->jobs : o->jobs / 16);
	chaff_warc_record_init(&rec);
	run_init(&run, o, path);
	for (;;) {
		struct slot *s;

		why[0] = '\0';
		err = chaff_warc_next(r, &rec, why);
		if (err == CHAFF_EOF)
			break;
		s = claim(&run, out, st, &werr);
		if (err) {
			/* Damage is a line of its own: nothing is lost silently. */
			s->is_error = true;
			s->reason = "malformed";
			s->scored = false;
			snprintf(s->error, sizeof(s->error), "%s", why);
			s->error_offset = chaff_warc_error_offset(r);
		} else {
			slot_take_record(s, &rec);
		}
		submit(&run, s, out, st, &werr);
		if (o->progress && now() - last > 0.5) {
			last = now();
			progress(path, st, chaff_warc_tell(r), t0);
		}
		/* The archive cannot be read on, or the output not written: stop. */
		if (err == CHAFF_ERR_IO) {
			io_failed = true;
			break;
		}
		if (werr)
			break;
	}
	pthread_mutex_lock(&run.lock);
	{
		int e = drain(&run, out, st, true);

		if (e && !werr)
			werr = e;
	}
	pthread_mutex_unlock(&run.lock);
	st->bytes = chaff_warc_tell(r);
	st->seconds = now() - t0;
	if (o->progress)
		fputc('\n', stderr);
	run_release(&run);
	chaff_warc_record_release(&rec);
	chaff_warc_close(r);
	if (werr) {
		fprintf(stderr, "chaff: bulk: %s: error writing the output: %s\n", path,
		        strerror(werr));
		return 2;
	}
	if (io_failed) {
		/* Cut short by a read error: not a finished output, to be retried. */
		st->archives_failed = 1;
		return 1;
	}
	return 0;
}

void bulk_stats_add(struct bulk_stats *sum, const struct bulk_stats *one)
{
	size_t i, k;

	sum->records += one->records;
	sum->scored += one->scored;
	sum->skipped += one->skipped;
	sum->errors += one->errors;
	sum->archives_failed += one->archives_failed;
	sum->bytes += one->bytes;
	sum->seconds += one->seconds;
	for (i = 0; i < one->nreasons; i++) {
		for (k = 0; k < sum->nreasons; k++)
			if (!strcmp(sum->reason[k], one->reason[i]))
				break;
		if (k == sum->nreasons) {
			if (k == BULK_MAX_REASONS)
				continue;
			sum->reason[k] = one->reason[i];
			sum->reason_count[k] = 0;
			sum->nreasons++;
		}
		sum->reason_count[k] += one->reason_count[i];
	}
}

void bulk_stats_print(const char *what, const struct bulk_stats *st, FILE *f)
{
	size_t i;
	double s = st->seconds > 0 ? st->seconds : 1e-9;

	fprintf(f, "chaff: bulk: %s: %llu records, %llu scored, %llu skipped", what,
	        (unsigned long long)st->records, (unsigned long long)st->scored,
	        (unsigned long long)st->skipped);
	for (i = 0; i < st->nreasons; i++)
		fprintf(f, "%s%s %llu", i ? ", " : " (", st->reason[i],
		        (unsigned long long)st->reason_count[i]);
	if (st->nreasons)
		fputc(')', f);
	fprintf(f, ", %llu errors", (unsigned long long)st->errors);
	if (st->archives_failed)
		fprintf(f, ", %llu archives unreadable", (unsigned long long)st->archives_failed);
	fprintf(f, "; %.1f s, %.0f pages/s, %.1f MB/s\n", st->seconds, st->scored / s,
	        st->bytes / 1e6 / s);
}

/* ------------------------------------------------------------------ */
/* The command                                                          */
/* ------------------------------------------------------------------ */

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 && n < 256 ? (unsigned)n : 1;
}

/* Atomic output: OUT.tmp.PID, renamed to OUT when everything is written. */
static FILE *open_output(const char *path, char *tmp, size_t cap)
{
	FILE *f;

	snprintf(tmp, cap, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		cli_error("bulk", "%s: cannot create: %s", tmp, strerror(errno));
	return f;
}

static int close_output(FILE *f, const char *tmp, const char *path, bool publish)
{
	bool bad = fflush(f) || ferror(f) || fsync(fileno(f));

	if (fclose(f) || bad) {
		cli_error("bulk", "%s: write error: %s", tmp, strerror(errno));
		unlink(tmp);
		return 1;
	}
	if (!publish) {
		unlink(tmp);
		return 1;
	}
	if (rename(tmp, path)) {
		cli_error("bulk", "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return 1;
	}
	return 0;
}

int cmd_bulk(int argc, char **argv)
{
	enum { OPT_TEXT_PLAIN = 256, OPT_SCAN_ONLY, OPT_NO_PROGRESS,
	       OPT_MANIFEST, OPT_TASK, OPT_PER_TASK, OPT_OUT_DIR };
	static const struct option longopts[] = {
		{"model", required_argument, NULL, 'm'},
		{"jobs", required_argument, NULL, 'j'},
		{"output", required_argument, NULL, 'o'},
		{"text-plain", no_argument, NULL, OPT_TEXT_PLAIN},
		{"scan-only", no_argument, NULL, OPT_SCAN_ONLY},
		CLI_OPTION_MAX_BYTES,
		CLI_OPTION_MAX_PARSE,
		CLI_OPTION_MAX_DEPTH,
		CLI_OPTION_PARSE_SCRIPTS,
		{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
		{"manifest", required_argument, NULL, OPT_MANIFEST},
		{"task", required_argument, NULL, OPT_TASK},
		{"per-task", required_argument, NULL, OPT_PER_TASK},
		{"out-dir", required_argument, NULL, OPT_OUT_DIR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct bulk_opts o;
	struct bulk_stats total, one;
	struct chaff_model *owned = NULL;
	const char *model_path = NULL, *out_path = NULL, *manifest = NULL, *out_dir = NULL;
	const char *task_env = getenv("SLURM_ARRAY_TASK_ID");
	long task = -1, per_task = -1;
	char tmp[4096];
	FILE *out = stdout;
	size_t size;
	int c, i, failed = 0;

	memset(&o, 0, sizeof(o));
	chaff_limits_default(&o.lim);
	o.jobs = default_jobs();
	o.progress = isatty(STDERR_FILENO);
	while ((c = getopt_long(argc, argv, "+m:j:o:h", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'm': model_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'j':
			if (!cli_parse_size(optarg, &size) || !size || size > 1024)
				return cli_usage_error("bulk", "bad -j '%s' (1..1024)", optarg);
			o.jobs = (unsigned)size;
			break;
		case OPT_TEXT_PLAIN: o.text_plain = true; break;
		case OPT_SCAN_ONLY: o.scan_only = true; break;
		case OPT_NO_PROGRESS: o.progress = false; break;
		case CLI_OPT_MAX_BYTES:
		case CLI_OPT_MAX_PARSE:
		case CLI_OPT_MAX_DEPTH:
		case CLI_OPT_PARSE_SCRIPTS:
			if (cli_limit_option("bulk", c, optarg, &o.lim))
				return EXIT_USAGE;
			break;
		case OPT_MANIFEST: manifest = optarg; break;
		case OPT_OUT_DIR: out_dir = optarg; break;
		case OPT_TASK:
		case OPT_PER_TASK: {
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < (c == OPT_TASK ? 0 : 1))
				return cli_usage_error("bulk", "bad --%s '%s'",
				                       c == OPT_TASK ? "task" : "per-task", optarg);
			if (c == OPT_TASK)
				task = v;
			else
				per_task = v;
			break;
		}
		case 'h': return cli_help("bulk");
		default: return cli_usage_error("bulk", "unknown option");
		}
	}
	if (manifest || out_dir || per_task >= 0) {
		if (!manifest || !out_dir || per_task < 1)
			return cli_usage_error("bulk", "batch mode needs --manifest, --per-task and --out-dir");
		if (optind < argc || out_path)
			return cli_usage_error("bulk", "batch mode takes no ARCHIVE and no -o");
		if (task < 0 && task_env) {
			char *end;

			errno = 0;
			task = strtol(task_env, &end, 10);
			if (errno || end == task_env || *end || task < 0)
				return cli_usage_error("bulk", "bad SLURM_ARRAY_TASK_ID '%s'", task_env);
		}
		if (task < 0)
			return cli_usage_error("bulk", "no --task and no $SLURM_ARRAY_TASK_ID");
	} else if (optind >= argc) {
		return cli_usage_error("bulk", "no ARCHIVE given (use - for standard input)");
	}
	/* A scan scores nothing: no model to load (the default one takes 20 ms). */
	if (!o.scan_only) {
		o.model = cli_load_model("bulk", model_path, &owned);
		if (!o.model)
			return EXIT_USAGE;
	}
	if (manifest) {
		int rc = bulk_batch(manifest, task, per_task, out_dir, &o);

		chaff_model_free(owned);
		return rc;
	}
	if (out_path && strcmp(out_path, "-")) {
		out = open_output(out_path, tmp, sizeof(tmp));
		if (!out) {
			chaff_model_free(owned);
			return EXIT_SOME_FAILED;
		}
	}
	memset(&total, 0, sizeof(total));
	for (i = optind; i < argc; i++) {
		failed |= bulk_archive(argv[i], out, &o, &one) != 0;
		if (argc - optind > 1)
			bulk_stats_print(argv[i], &one, stderr);
		bulk_stats_add(&total, &one);
	}
	bulk_stats_print(argc - optind > 1 ? "total" : argv[optind], &total, stderr);
	if (total.errors)
		failed = 1;
	chaff_model_free(owned);
	if (out != stdout)
		return close_output(out, tmp, out_path, true) ? EXIT_SOME_FAILED
		       : failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
	return cli_finish_stdout("bulk", failed ? EXIT_SOME_FAILED : EXIT_ALL_OK);
}
