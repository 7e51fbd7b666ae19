/*
 * corpus.c - labels files: rows of path, label, url and site. A bad row is
 * reported with FILE:LINE and skipped; the rest of the file goes on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/model_impl.h"

#define LABELS_FILE_MAX ((size_t)256 << 20)
#define ROW_MAX_BYTES 16384
#define MAX_FIELDS 5

struct row_ctx {
	struct chaff_corpus *c;
	const char *file;       /* labels file as named to the user */
	const char *dir;        /* its directory, for relative paths */
	size_t line;
	const struct chaff_train_opts *o;
	/* Duplicate detection: open addressing over sample indices + 1. */
	size_t *seen;
	size_t seen_cap;
};

static void bad_row(struct row_ctx *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad_row(struct row_ctx *r, const char *fmt, ...)
{
	va_list ap;

	r->c->bad_rows++;
	if (!r->o->log)
		return;
	fprintf(r->o->log, "%s%s:%zu: ", r->o->log_prefix ? r->o->log_prefix : "", r->file,
	        r->line);
	va_start(ap, fmt);
	vfprintf(r->o->log, fmt, ap);
	va_end(ap);
	fputc('\n', r->o->log);
}

void chaff_corpus_init(struct chaff_corpus *c)
{
	memset(c, 0, sizeof(*c));
}

static void drop_sample(struct chaff_sample *s)
{
	free(s->path);
	free(s->record);
	free(s->url);
	free(s->site);
	free(s->where);
}

void chaff_corpus_release(struct chaff_corpus *c)
{
	size_t i;

	for (i = 0; i < c->nlabels; i++)
		free(c->labels[i]);
	for (i = 0; i < c->nsamples; i++)
		drop_sample(&c->samples[i]);
	free(c->samples);
	free(c->background_as);
	memset(c, 0, sizeof(*c));
}

static bool valid_label(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > CHAFF_LABEL_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

/* Index of label name, adding it when new; -1 when there are too many. */
static int label_index(struct chaff_corpus *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nlabels; i++)
		if (!strcmp(c->labels[i], name))
			return (int)i;
	if (c->nlabels == CHAFF_MAX_LABELS)
		return -1;
	c->labels[c->nlabels] = chaff_xstrdup(name);
	return (int)c->nlabels++;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !chaff_strncasecmp(s + n - m, suffix, m);
}

static bool is_archive(const char *path)
{
	return has_suffix(path, ".warc") || has_suffix(path, ".warc.gz") ||
	       has_suffix(path, ".arc") || has_suffix(path, ".arc.gz");
}

static char *join_path(const char *dir, const char *path)
{
	struct chaff_buf b;

	if (path[0] == '/' || !dir[0])
		return chaff_xstrdup(path);
	chaff_buf_init(&b, SIZE_MAX);
	chaff_buf_printf(&b, "%s/%s", dir, path);
	return chaff_buf_detach(&b, NULL);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return chaff_xstrdup(".");
	if (slash == path)
		return chaff_xstrdup("/");
	return chaff_xstrndup(path, (size_t)(slash - path));
}

/* Lower-case host of an http(s) URL, without port or "www."; NULL if none. */
static char *url_host(const char *url)
{
	const char *p = strstr(url, "://"), *end;
	char *host;
	size_t i;

	if (!p)
		return NULL;
	p += 3;
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)))
		p = (const char *)memchr(p, '@', (size_t)(end - p)) + 1;
	if (memchr(p, ':', (size_t)(end - p)))
		end = memchr(p, ':', (size_t)(end - p));
	if (end - p > 4 && !chaff_strncasecmp(p, "www.", 4))
		p += 4;
	if (end == p)
		return NULL;
	host = chaff_xstrndup(p, (size_t)(end - p));
	for (i = 0; host[i]; i++)
		if (host[i] >= 'A' && host[i] <= 'Z')
			host[i] = (char)(host[i] - 'A' + 'a');
	return host;
}

char *model_row_site(const struct chaff_sample *s, const char *url)
{
	char *host = NULL;

	if (s->site)
		return chaff_xstrdup(s->site);
	if (s->url)
		host = url_host(s->url);
	if (!host && url)
		host = url_host(url);
	if (host)
		return host;
	return s->record ? chaff_xstrdup(s->path) : dir_of(s->path);
}

static size_t hash_str(const char *a, const char *b)
{
	uint64_t h = chaff_hash64(a, strlen(a), 0);

	return (size_t)chaff_hash64(b ? b : "", b ? strlen(b) : 0, h);
}

/* The sample index already holding (path, record), or SIZE_MAX; else remember i. */
static size_t remember(struct row_ctx *r, size_t i)
{
	const struct chaff_sample *s = &r->c->samples[i];
	size_t mask, j;

	if (r->seen_cap < 2 * (r->c->nsamples + 1)) {
		size_t cap = r->seen_cap ? r->seen_cap * 2 : 1024, k;

		while (cap < 2 * (r->c->nsamples + 1))
			cap *= 2;
		free(r->seen);
		r->seen = chaff_xcalloc(cap, sizeof(size_t));
		r->seen_cap = cap;
		for (k = 0; k < i; k++) {
			const struct chaff_sample *o = &r->c->samples[k];

			j = hash_str(o->path, o->record) & (cap - 1);
			while (r->seen[j])
				j = (j + 1) & (cap - 1);
			r->seen[j] = k + 1;
		}
	}
	mask = r->seen_cap - 1;
	j = hash_str(s->path, s->record) & mask;
	for (; r->seen[j]; j = (j + 1) & mask) {
		const struct chaff_sample *o = &r->c->samples[r->seen[j] - 1];

		if (!strcmp(o->path, s->path) &&
		    (o->record ? s->record && !strcmp(o->record, s->record) : !s->record))
			return r->seen[j] - 1;
	}
	r->seen[j] = i + 1;
	return SIZE_MAX;
}

static struct chaff_sample *new_sample(struct chaff_corpus *c)
{
	if (c->nsamples == c->cap) {
		c->cap = c->cap ? chaff_st_mult(c->cap, 2) : 64;
		c->samples = chaff_xrealloc(c->samples, chaff_st_mult(c->cap, sizeof(*c->samples)));
	}
	memset(&c->samples[c->nsamples], 0, sizeof(c->samples[0]));
	return &c->samples[c->nsamples];
}

/* "# labels: a b c" fixes the label order. */
static void labels_directive(struct row_ctx *r, char *text)
{
	char *name, *save = NULL;

	for (name = strtok_r(text, " \t", &save); name; name = strtok_r(NULL, " \t", &save)) {
		if (!valid_label(name)) {
			bad_row(r, "bad label name '%.64s'", name);
			continue;
		}
		if (label_index(r->c, name) < 0)
			bad_row(r, "more than %d labels", CHAFF_MAX_LABELS);
	}
}

/* "# background: LABEL": what the background pages are learned as. */
static void background_directive(struct row_ctx *r, char *text)
{
	char *save = NULL, *name = strtok_r(text, " \t", &save);

	if (!name || !valid_label(name) || !strcmp(name, CHAFF_LABEL_NONE) ||
	    strtok_r(NULL, " \t", &save)) {
		bad_row(r, "'# background:' takes one label name");
		return;
	}
	free(r->c->background_as);
	r->c->background_as = chaff_xstrdup(name);
}

static bool label_fits(const struct chaff_corpus *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nlabels; i++)
		if (!strcmp(c->labels[i], name))
			return true;
	return c->nlabels < CHAFF_MAX_LABELS;
}

/* What is wrong with a row of nf fields, or NULL. */
static const char *row_problem(const struct chaff_corpus *c, char **f, size_t nf,
                               bool warc, const char *label, const char *url)
{
	if (nf < 2 || nf > 4 || (warc && nf < 3))
		return warc ? "WARC rows are archive<TAB>offset-or-record-id<TAB>label[<TAB>site]"
		            : "rows are path<TAB>label[<TAB>url[<TAB>site]]";
	if (!f[0][0])
		return "empty path";
	if (warc && !f[1][0])
		return "empty WARC offset or record id";
	if (!valid_label(label))
		return "bad label name (letters, digits, '_', '-', '.'; at most 63)";
	if (url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return "url must start with http:// or https://";
	if (c->nsamples >= CHAFF_CORPUS_MAX_ROWS)
		return "too many rows";
	if (!label_fits(c, label))
		return "too many labels";
	return NULL;
}

static char *where(const struct row_ctx *r)
{
	struct chaff_buf b;

	chaff_buf_init(&b, SIZE_MAX);
	chaff_buf_printf(&b, "%s:%zu", r->file, r->line);
	return chaff_buf_detach(&b, NULL);
}

static void parse_row(struct row_ctx *r, char **f, size_t nf)
{
	struct chaff_corpus *c = r->c;
	struct chaff_sample *s;
	bool warc = is_archive(f[0]);
	const char *label = warc ? (nf >= 3 ? f[2] : "") : (nf >= 2 ? f[1] : "");
	const char *url = !warc && nf >= 3 && f[2][0] ? f[2] : NULL;
	const char *site = nf >= 4 && f[3][0] ? f[3] : NULL;
	const char *problem = row_problem(c, f, nf, warc, label, url);
	size_t dup;

	if (problem) {
		bad_row(r, "%s", problem);
		return;
	}
	s = new_sample(c);
	s->path = join_path(r->dir, f[0]);
	s->record = warc ? chaff_xstrdup(f[1]) : NULL;
	s->url = url ? chaff_xstrdup(url) : NULL;
	s->site = site ? chaff_xstrdup(site) : url ? url_host(url) : NULL;
	/* A WARC row's default site is its record's host, known once it is read. */
	if (!s->site && !warc)
		s->site = dir_of(s->path);
	s->where = where(r);
	dup = remember(r, c->nsamples);
	if (dup != SIZE_MAX) {
		bad_row(r, "%s is listed already at %s", f[0], c->samples[dup].where);
		drop_sample(s);
		return;
	}
	s->label = (size_t)label_index(c, label);
	c->nsamples++;
}

static void parse_line(struct row_ctx *r, char *line, size_t len)
{
	char *f[MAX_FIELDS + 1];
	size_t nf = 0;
	char *p = line;

	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (memchr(line, '\0', len)) {
		bad_row(r, "NUL byte");
		return;
	}
	if (!len)
		return;
	if (line[0] == '#') {
		if (!strncmp(line, "# labels:", 9))
			labels_directive(r, line + 9);
		else if (!strncmp(line, "# background:", 13))
			background_directive(r, line + 13);
		return;
	}
	if (len > ROW_MAX_BYTES) {
		bad_row(r, "row longer than %d bytes", ROW_MAX_BYTES);
		return;
	}
	for (;;) {
		char *tab = strchr(p, '\t');

		if (nf == MAX_FIELDS)
			break;
		f[nf++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	/* The optional header; anywhere, so that labels files can be concatenated. */
	if (nf >= 2 && !strcmp(f[0], "path") && !strcmp(f[1], "label"))
		return;
	parse_row(r, f, nf);
}

static enum chaff_err read_file(const char *path, struct chaff_buf *b, char *why)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t got;
	enum chaff_err err = CHAFF_OK;

	if (!f) {
		chaff_why(why, "%s: %s", path, strerror(errno));
		return CHAFF_ERR_IO;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (chaff_buf_append(b, chunk, got)) {
			chaff_why(why, "%s: larger than %zu bytes", path, LABELS_FILE_MAX);
			err = CHAFF_ERR_TOO_LARGE;
			break;
		}
	if (!err && ferror(f)) {
		chaff_why(why, "%s: %s", path, strerror(errno));
		err = CHAFF_ERR_IO;
	}
	fclose(f);
	return err;
}

/* The labels file of a corpus argument: DIR/labels.tsv, or the file itself. */
static char *labels_path(const char *arg)
{
	struct stat st;

	if (!stat(arg, &st) && S_ISDIR(st.st_mode))
		return join_path(arg, "labels.tsv");
	return chaff_xstrdup(arg);
}

enum chaff_err chaff_corpus_add(struct chaff_corpus *c, const char *path,
                                const struct chaff_train_opts *opts, char *why)
{
	struct row_ctx r;
	struct chaff_buf b;
	char *file = labels_path(path), *dir = dir_of(file), *p, *end;
	enum chaff_err err;

	chaff_buf_init(&b, LABELS_FILE_MAX);
	err = read_file(file, &b, why);
	if (err)
		goto out;
	memset(&r, 0, sizeof(r));
	r.c = c;
	r.file = file;
	r.dir = strcmp(dir, ".") ? dir : "";
	r.o = opts;
	p = b.data;
	end = b.data ? b.data + b.len : NULL;
	while (p && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		p[len] = '\0';
		r.line++;
		parse_line(&r, p, len);
		p += len + 1;
	}
	free(r.seen);
out:
	chaff_buf_release(&b);
	free(dir);
	free(file);
	return err;
}
