/*
 * bulk_batch.c - chaff bulk --manifest: the batch mode run by each task of
 * a job array. A task takes entries [task*K, task*K+K) of the manifest and
 * writes one output file per archive, named from the archive's path:
 *
 *   DIR/NAME                finished output (JSON Lines, one per record)
 *   DIR/.NAME.tmp.HOST.PID  being written; renamed to NAME when complete
 *   DIR/NAME.failed         one JSON line {"warc_file","error","task"}
 *
 * An archive whose NAME exists is skipped, so re-submitting the same array
 * is the retry: only what is missing runs again. The rename never replaces
 * an existing NAME, so an archive is never written twice even when two
 * tasks race on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/bulk.h"

#define BATCH_MAX_PATH 4096     /* manifest lines longer than this are refused */
#define BATCH_NAME_STEM 96      /* bytes of the archive's basename kept in NAME */
#define BATCH_MAX_PER_TASK 1000000L

struct batch {
	const char *out_dir;
	char tmp_suffix[96];   /* ".tmp.HOST.PID": unique among tasks sharing DIR */
	const struct bulk_opts *o;
	long task;
	struct bulk_stats sum;
	unsigned long done, already, failed;
};

/*
 * The temporary file being written, removed when the task is cancelled
 * (scancel and time limits send SIGTERM first), so that a cancelled task
 * leaves nothing behind. After SIGKILL a DIR/.NAME.tmp.HOST.PID stays: merge
 * counts such leftovers and ignores them.
 */
static char tmp_path[BATCH_MAX_PATH * 2];
static volatile sig_atomic_t tmp_live;

static void on_signal(int sig)
{
	if (tmp_live)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_' || c == '+';
}

/*
 * NAME: the archive's basename made safe, then a hash of the whole path as
 * written in the manifest, so that equal basenames in different
 * directories do not collide: "CC-MAIN-x.warc.gz-0123456789abcdef.jsonl".
 */
static void output_name(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	char stem[BATCH_NAME_STEM + 1];
	size_t n = 0;

	base = base ? base + 1 : path;
	for (; *base && n < BATCH_NAME_STEM; base++)
		stem[n++] = name_char(*base) ? *base : '_';
	if (!n)
		stem[n++] = '_';
	if (stem[0] == '.')
		stem[0] = '_';  /* never a hidden file: those are temporaries */
	stem[n] = '\0';
	snprintf(name, size, "%s-%016llx.jsonl", stem,
	         (unsigned long long)chaff_hash64(path, strlen(path), 0));
}

static bool join(char *out, size_t size, const char *dir, const char *prefix,
                 const char *name, const char *suffix)
{
	int n = snprintf(out, size, "%s/%s%s%s", dir, prefix, name, suffix);

	return n > 0 && (size_t)n < size;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Move tmp to final unless final exists; EEXIST when another task won. */
static int publish(const char *tmp, const char *final)
{
	if (!renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return errno;
	/* A file system without RENAME_NOREPLACE: link() also refuses to replace. */
	if (!link(tmp, final)) {
		unlink(tmp);
		return 0;
	}
	if (errno == EEXIST)
		return EEXIST;
	if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP)
		return errno;
	return rename(tmp, final) ? errno : 0;
}

/* Write the failure marker DIR/NAME.failed (atomically, replacing an old one). */
static void mark_failed(const struct batch *b, const char *archive, const char *name,
                        const char *reason)
{
	char marker[BATCH_MAX_PATH * 2], tmp[BATCH_MAX_PATH * 2], suffix[128];
	struct chaff_buf line;
	struct chaff_json j;
	FILE *f;
	bool ok;

	snprintf(suffix, sizeof(suffix), ".failed%s", b->tmp_suffix);
	if (!join(marker, sizeof(marker), b->out_dir, "", name, ".failed") ||
	    !join(tmp, sizeof(tmp), b->out_dir, ".", name, suffix))
		return;
	chaff_buf_init(&line, BATCH_MAX_PATH * 4);
	chaff_json_init(&j, &line);
	chaff_json_object_begin(&j);
	chaff_json_key(&j, "warc_file");
	chaff_json_str(&j, archive);
	chaff_json_key(&j, "error");
	chaff_json_str(&j, reason);
	chaff_json_key(&j, "task");
	chaff_json_int(&j, b->task);
	chaff_json_object_end(&j);
	chaff_buf_putc(&line, '\n');
	f = fopen(tmp, "w");
	if (!f) {
		cli_error("bulk", "%s: %s", tmp, strerror(errno));
		chaff_buf_release(&line);
		return;
	}
	ok = fwrite(line.data, 1, line.len, f) == line.len;
	ok = !fclose(f) && ok;
	if (!ok || rename(tmp, marker)) {
		cli_error("bulk", "%s: %s", marker, strerror(errno));
		unlink(tmp);
	}
	chaff_buf_release(&line);
}

/* Run bulk_archive into a fresh temporary file; the reason in why on failure. */
static bool write_output(const struct batch *b, const char *archive, const char *tmp,
                         struct bulk_stats *st, char *why)
{
	FILE *f;
	int fd, rc;
	bool ok;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* Our host and PID: left by a killed process that had them before. */
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		chaff_why(why, "%s: %s", tmp, strerror(errno));
		return false;
	}
	tmp_live = 1;
	f = fdopen(fd, "w");
	if (!f) {
		chaff_why(why, "%s: %s", tmp, strerror(errno));
		close(fd);
		return false;
	}
	if ((rc = bulk_archive(archive, f, b->o, st))) {
		chaff_why(why, rc == 2 ? "error writing the output (see the message above)"
		                       : "could not be read (see the message above)");
		ok = false;
	} else {
		ok = true;
	}
	/* A full disk is a failure, not a short output. */
	if (fflush(f) || ferror(f) || fsync(fileno(f))) {
		if (ok)
			chaff_why(why, "%s: %s", tmp, strerror(errno));
		ok = false;
	}
	if (fclose(f) && ok) {
		chaff_why(why, "%s: %s", tmp, strerror(errno));
		ok = false;
	}
	return ok;
}

/* Why archive cannot be scored at all (not there, not a WARC), or false. */
static bool refuse(const char *archive, char *why)
{
	struct chaff_warc_reader *r;
	char whyr[CHAFF_WHY_MAX] = "";
	enum chaff_err err;

	if (!strcmp(archive, "-")) {
		chaff_why(why, "standard input cannot be an entry of a manifest");
		return true;
	}
	err = chaff_warc_open(&r, archive, 4096, whyr);
	if (err) {
		chaff_why(why, "%s%s%s", chaff_strerror(err), whyr[0] ? ": " : "", whyr);
		return true;
	}
	chaff_warc_close(r);
	return false;
}

static void run_one(struct batch *b, const char *archive)
{
	char name[BATCH_NAME_STEM + 64], final[BATCH_MAX_PATH * 2], failed[BATCH_MAX_PATH * 2];
	char why[CHAFF_WHY_MAX] = "";
	struct bulk_stats st;
	int err;

	output_name(archive, name, sizeof(name));
	if (!join(final, sizeof(final), b->out_dir, "", name, "") ||
	    !join(failed, sizeof(failed), b->out_dir, "", name, ".failed") ||
	    !join(tmp_path, sizeof(tmp_path), b->out_dir, ".", name, b->tmp_suffix)) {
		cli_error("bulk", "%s: output directory name too long", b->out_dir);
		b->failed++;
		return;
	}
	if (exists(final)) {
		fprintf(stderr, "chaff: bulk: %s: already done (%s)\n", archive, name);
		b->already++;
		return;
	}
	memset(&st, 0, sizeof(st));
	if (refuse(archive, why) || !write_output(b, archive, tmp_path, &st, why)) {
		if (tmp_live)
			unlink(tmp_path);
		tmp_live = 0;
		cli_error("bulk", "%s: %s", archive, why);
		mark_failed(b, archive, name, why);
		st.archives_failed = 1;
		bulk_stats_add(&b->sum, &st);
		b->failed++;
		return;
	}
	err = publish(tmp_path, final);
	if (err)
		unlink(tmp_path);
	tmp_live = 0;
	if (err == EEXIST) {
		/* Another task finished it meanwhile: keep theirs, nothing twice. */
		fprintf(stderr, "chaff: bulk: %s: done meanwhile by another task (%s)\n",
		        archive, name);
		b->already++;
		return;
	}
	if (err) {
		cli_error("bulk", "%s: %s", final, strerror(err));
		mark_failed(b, archive, name, strerror(err));
		b->failed++;
		return;
	}
	if (unlink(failed) && errno != ENOENT)
		cli_error("bulk", "%s: %s", failed, strerror(errno));
	bulk_stats_print(archive, &st, stderr);
	bulk_stats_add(&b->sum, &st);
	b->done++;
}

/*
 * One manifest line into line (trimmed). Returns false at the end; sets
 * *too_long (and skips the rest) for a line past BATCH_MAX_PATH.
 */
static bool read_entry(FILE *f, char *line, size_t size, bool *too_long)
{
	size_t n;
	char *s;

	*too_long = false;
	if (!fgets(line, (int)size, f))
		return false;
	n = strlen(line);
	if (n == size - 1 && line[n - 1] != '\n') {
		int c;

		*too_long = true;
		while ((c = getc(f)) != EOF && c != '\n')
			;
		line[0] = '\0';
		return true;
	}
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
	             line[n - 1] == '\t'))
		line[--n] = '\0';
	for (s = line; *s == ' ' || *s == '\t'; s++)
		;
	memmove(line, s, strlen(s) + 1);
	return true;
}

static void make_tmp_suffix(char *out, size_t size)
{
	char host[65] = "";
	size_t i;

	if (gethostname(host, sizeof(host) - 1))
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';  /* the short name */
	for (i = 0; host[i]; i++)
		if (!name_char(host[i]))
			host[i] = '_';
	snprintf(out, size, ".tmp.%s.%ld", host[0] ? host : "host", (long)getpid());
}

static bool is_entry(const char *line)
{
	return line[0] && line[0] != '#';
}

static int task_from_env(long *task)
{
	const char *v = getenv("SLURM_ARRAY_TASK_ID");
	char *end;

	if (!v)
		return cli_usage_error("bulk", "--manifest needs --task (or SLURM_ARRAY_TASK_ID)");
	errno = 0;
	*task = strtol(v, &end, 10);
	if (end == v || *end || errno || *task < 0)
		return cli_usage_error("bulk", "SLURM_ARRAY_TASK_ID is not a task index: '%s'", v);
	return 0;
}

static int open_out_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		cli_error("bulk", "%s: %s", dir, strerror(errno));
		return EXIT_SOME_FAILED;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		cli_error("bulk", "%s: not a directory", dir);
		return EXIT_SOME_FAILED;
	}
	return 0;
}

static int finish(struct batch *b, unsigned long long entries, bool reached_end)
{
	char what[64];

	snprintf(what, sizeof(what), "task %ld", b->task);
	if (!b->done && !b->already && !b->failed && reached_end)
		fprintf(stderr, "chaff: bulk: task %ld: no archives (the manifest has %llu)\n",
		        b->task, entries);
	fprintf(stderr, "chaff: bulk: task %ld: %lu archives written, %lu already done, "
	        "%lu failed\n", b->task, b->done, b->already, b->failed);
	if (b->done)
		bulk_stats_print(what, &b->sum, stderr);
	return b->failed ? EXIT_SOME_FAILED : EXIT_ALL_OK;
}

int bulk_batch(const char *manifest, long task, long per_task, const char *out_dir,
               const struct bulk_opts *o)
{
	char line[BATCH_MAX_PATH + 2];
	unsigned long long entries = 0, first, last;
	struct batch b;
	bool too_long, end = true;
	FILE *f;
	int rc;

	if (!out_dir)
		return cli_usage_error("bulk", "--manifest needs --out-dir");
	if (per_task < 1 || per_task > BATCH_MAX_PER_TASK)
		return cli_usage_error("bulk", "--per-task must be 1 to %ld", BATCH_MAX_PER_TASK);
	if (task < 0 && (rc = task_from_env(&task)))
		return rc;
	memset(&b, 0, sizeof(b));
	b.out_dir = out_dir;
	b.o = o;
	b.task = task;
	make_tmp_suffix(b.tmp_suffix, sizeof(b.tmp_suffix));
	if ((unsigned long long)task >= ULLONG_MAX / (unsigned long long)per_task)
		return cli_usage_error("bulk", "--task %ld is out of range", task);
	first = (unsigned long long)task * (unsigned long long)per_task;
	last = first + (unsigned long long)per_task;
	f = strcmp(manifest, "-") ? fopen(manifest, "r") : stdin;
	if (!f) {
		cli_error("bulk", "%s: %s", manifest, strerror(errno));
		return EXIT_SOME_FAILED;
	}
	if ((rc = open_out_dir(out_dir))) {
		if (f != stdin)
			fclose(f);
		return rc;
	}
	catch_signals();
	while (read_entry(f, line, sizeof(line), &too_long)) {
		if (!too_long && !is_entry(line))
			continue;
		if (entries >= last) {
			end = false;
			break;
		}
		if (entries++ < first)
			continue;
		if (too_long) {
			cli_error("bulk", "%s: entry %llu: path longer than %d bytes", manifest,
			          entries - 1, BATCH_MAX_PATH);
			b.failed++;
			continue;
		}
		run_one(&b, line);
	}
	if (ferror(f)) {
		cli_error("bulk", "%s: %s", manifest, strerror(errno));
		b.failed++;
	}
	if (f != stdin)
		fclose(f);
	return finish(&b, entries, end);
}
