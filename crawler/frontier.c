/*
 * frontier.c - URLs waiting to be crawled: normalisation (libcurl's URL
 * parser resolves and removes dot segments; the spelling is made canonical
 * here), the seen-set, per-host queues with their politeness state, and
 * the journal that --resume replays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "crawler/frontier.h"

#define URLSET_SEED 0x6368616666ull  /* "chaff" */
#define JOURNAL_LINE (CHAFF_URL_MAX + 64)

/* ---- URLs ---- */

static void put_escape(struct chaff_buf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3] = {'%', hex[c >> 4], hex[c & 15]};

	chaff_buf_append(b, e, 3);
}

/* Canonical percent-encoding of a path or query. */
static void put_component(struct chaff_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int hi, lo;

		if (c == '%' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
			int v = hi * 16 + lo;

			if (unreserved(v))
				chaff_buf_putc(b, (char)v);
			else
				put_escape(b, (unsigned char)v);
			s += 2;
		} else if (c == '%' || must_escape(c)) {
			put_escape(b, c);
		} else {
			chaff_buf_putc(b, (char)c);
		}
	}
}

/* Clean a reference the way browsers do before parsing: trim C0 controls
 * and spaces, drop tabs and newlines, "\" as "/", escape raw bytes; and
 * make percent-encoding canonical. */
static char *clean_ref(const char *ref)
{
	size_t n = strlen(ref), i;
	struct chaff_buf b;
	const char *q = NULL;

	while (n && (unsigned char)ref[0] <= 0x20) {
		ref++;
		n--;
	}
	while (n && (unsigned char)ref[n - 1] <= 0x20)
		n--;
	chaff_buf_init(&b, SIZE_MAX);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)ref[i];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '?' && !q)
			q = ref + i;
		if (c == '\\' && !q)
			c = '/';
		if (c == '#')
			break;  /* the fragment is never sent */
		if (c == '%' && i + 2 < n && hexval(ref[i + 1]) >= 0 && hexval(ref[i + 2]) >= 0) {
			/* Decoded before parsing, so that "%2e%2e/" is a dot segment too. */
			int v = hexval(ref[i + 1]) * 16 + hexval(ref[i + 2]);

			i += 2;
			if (unreserved(v))
				chaff_buf_putc(&b, (char)v);
			else
				put_escape(&b, (unsigned char)v);
			continue;
		}
		if (must_escape(c))
			put_escape(&b, c);
		else
			chaff_buf_putc(&b, (char)c);
	}
	return chaff_buf_detach(&b, NULL);
}

/* The scheme of ref when it has one ("mailto", "http"), else "". */
static void scheme_of(const char *ref, char *out, size_t cap)
{
	size_t i = 0, k;

	out[0] = '\0';
	if (!((ref[0] | 32) >= 'a' && (ref[0] | 32) <= 'z'))
		return;
	while (ref[i] && (((ref[i] | 32) >= 'a' && (ref[i] | 32) <= 'z') ||
	                  (ref[i] >= '0' && ref[i] <= '9') || ref[i] == '+' || ref[i] == '-' ||
	                  ref[i] == '.'))
		i++;
	if (ref[i] != ':' || i >= cap)
		return;
	for (k = 0; k < i; k++)
		out[k] = (char)(ref[k] | 32);
	out[i] = '\0';
}

static enum chaff_err build(char **out, CURLU *u, char *why)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	struct chaff_buf b;
	enum chaff_err err = CHAFF_OK;
	size_t i, hlen;

	/* Input is at most 4 * CHAFF_URL_MAX bytes, escaping triples it at
	 * worst: no append can hit this ceiling, the length is checked last. */
	chaff_buf_init(&b, 16 * (size_t)CHAFF_URL_MAX);
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0)) {
		chaff_why(why, "no host");
		err = CHAFF_ERR_MALFORMED;
		goto out;
	}
	for (i = 0; scheme[i]; i++)
		scheme[i] = (char)(scheme[i] >= 'A' && scheme[i] <= 'Z' ? scheme[i] | 32 : scheme[i]);
	if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
		chaff_why(why, "not an http or https URL");
		err = CHAFF_ERR_NOT_ALLOWED;
		goto out;
	}
	hlen = strlen(host);
	if (hlen && host[hlen - 1] == '.')
		host[--hlen] = '\0';  /* "example.com." is example.com */
	for (i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)host[i];

		if (c >= 'A' && c <= 'Z')
			host[i] = (char)(c | 32);
		else if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '.' && c != '-' &&
		         c != '_' && c != '[' && c != ']' && c != ':')
			break;
	}
	/* Empty labels ("..", a leading dot) name no host. */
	if (!hlen || i < hlen || host[0] == '.' || strstr(host, "..")) {
		chaff_why(why, "bad host name");
		err = CHAFF_ERR_MALFORMED;
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	chaff_buf_printf(&b, "%s://%s", scheme, host);
	if (port)
		chaff_buf_printf(&b, ":%s", port);
	if (!path || path[0] != '/')
		chaff_buf_putc(&b, '/');
	if (path)
		put_component(&b, path);
	if (query && query[0]) {
		chaff_buf_putc(&b, '?');
		put_component(&b, query);
	}
	if (b.len > CHAFF_URL_MAX) {
		chaff_why(why, "URL longer than %d bytes", CHAFF_URL_MAX);
		err = CHAFF_ERR_TOO_LARGE;
		goto out;
	}
	*out = chaff_buf_detach(&b, NULL);
out:
	chaff_buf_release(&b);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	return err;
}

enum chaff_err chaff_url_resolve(char **out, const char *base, const char *ref, char *why)
{
	CURLU *u;
	char *clean, scheme[16];
	enum chaff_err err;
	CURLUcode rc;
	int pass;

	*out = NULL;
	if (strlen(ref) > 4 * (size_t)CHAFF_URL_MAX) {
		chaff_why(why, "URL longer than %d bytes", CHAFF_URL_MAX);
		return CHAFF_ERR_TOO_LARGE;
	}
	clean = clean_ref(ref);
	scheme_of(clean, scheme, sizeof(scheme));
	if (scheme[0] && strcmp(scheme, "http") && strcmp(scheme, "https")) {
		chaff_why(why, "not an http or https URL");
		free(clean);
		return CHAFF_ERR_NOT_ALLOWED;
	}
	if (!clean[0] && !base) {
		free(clean);
		chaff_why(why, "empty URL");
		return CHAFF_ERR_MALFORMED;
	}
	u = curl_url();
	if (!u) {
		free(clean);
		chaff_why(why, "cannot start libcurl's URL parser");
		return CHAFF_ERR_MALFORMED;
	}
	rc = CURLUE_OK;
	if (base)
		rc = curl_url_set(u, CURLUPART_URL, base, 0);
	if (!rc && clean[0])
		rc = curl_url_set(u, CURLUPART_URL, clean, 0);
	if (rc) {
		chaff_why(why, "%s", curl_url_strerror(rc));
		err = CHAFF_ERR_MALFORMED;
	} else {
		err = build(out, u, why);
	}
	/* What our own cleaning changed (a host's final dot) can let libcurl
	 * read the result differently ("5." is a name, "5" an IPv4 address):
	 * parse again until the result is a fixed point, which the seen-set
	 * needs (one URL, one spelling). */
	for (pass = 0; !err && pass < 3; pass++) {
		char *prev = *out;

		*out = NULL;
		rc = curl_url_set(u, CURLUPART_URL, prev, 0);
		err = rc ? CHAFF_ERR_MALFORMED : build(out, u, why);
		if (rc)
			chaff_why(why, "%s", curl_url_strerror(rc));
		if (!err && !strcmp(prev, *out)) {
			free(prev);
			break;
		}
		free(prev);
	}
	if (!err && pass == 3) {
		free(*out);
		*out = NULL;
		chaff_why(why, "URL has no stable normal form");
		err = CHAFF_ERR_MALFORMED;
	}
	curl_url_cleanup(u);
	free(clean);
	return err;
}

size_t chaff_url_origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return 0;
	p += 3;
	p += strcspn(p, "/?");
	return (size_t)(p - url);
}

const char *chaff_url_path(const char *url)
{
	const char *p = url + chaff_url_origin_len(url);

	return *p ? p : "/";
}

/* ---- URL sets ---- */

static uint64_t url_hash(const char *url)
{
	uint64_t h = chaff_hash64(url, strlen(url), URLSET_SEED);

	return h ? h : 1;  /* 0 marks an empty slot */
}

void chaff_urlset_init(struct chaff_urlset *s)
{
	s->cap = 1024;
	s->n = 0;
	s->slot = chaff_xcalloc(s->cap, sizeof(*s->slot));
}

void chaff_urlset_release(struct chaff_urlset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}

static size_t find_slot(const uint64_t *slot, size_t cap, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (slot[i] && slot[i] != h)
		i = (i + 1) & (cap - 1);
	return i;
}

static void grow_set(struct chaff_urlset *s)
{
	size_t cap = chaff_st_mult(s->cap, 2), i;
	uint64_t *slot = chaff_xcalloc(cap, sizeof(*slot));

	for (i = 0; i < s->cap; i++)
		if (s->slot[i])
			slot[find_slot(slot, cap, s->slot[i])] = s->slot[i];
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
}

static bool add_hash(struct chaff_urlset *s, uint64_t h)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap)
		grow_set(s);
	i = find_slot(s->slot, s->cap, h);
	if (s->slot[i])
		return false;
	s->slot[i] = h;
	s->n++;
	return true;
}

bool chaff_urlset_add(struct chaff_urlset *s, const char *url)
{
	return add_hash(s, url_hash(url));
}

bool chaff_urlset_has(const struct chaff_urlset *s, const char *url)
{
	return s->slot[find_slot(s->slot, s->cap, url_hash(url))] != 0;
}

/* ---- hosts and queues ---- */

void chaff_frontier_init(struct chaff_frontier *f, size_t max_urls)
{
	memset(f, 0, sizeof(*f));
	chaff_urlset_init(&f->seen);
	f->max_urls = max_urls;
	f->table_cap = 256;
	f->table = chaff_xcalloc(f->table_cap, sizeof(*f->table));
}

static void free_items(struct chaff_url_item *it)
{
	while (it) {
		struct chaff_url_item *next = it->next;

		free(it);
		it = next;
	}
}

void chaff_frontier_release(struct chaff_frontier *f)
{
	size_t i;

	for (i = 0; i < f->nhosts; i++) {
		free_items(f->hosts[i]->head);
		chaff_robots_free(f->hosts[i]->robots);
		free(f->hosts[i]->origin);
		free(f->hosts[i]);
	}
	free(f->hosts);
	free(f->table);
	chaff_urlset_release(&f->seen);
	chaff_frontier_journal_close(f, false);
}

static void rehash_hosts(struct chaff_frontier *f)
{
	size_t cap = chaff_st_mult(f->table_cap, 2), i;
	struct chaff_host **table = chaff_xcalloc(cap, sizeof(*table));

	for (i = 0; i < f->nhosts; i++) {
		struct chaff_host *h = f->hosts[i];
		size_t k = (size_t)chaff_hash64(h->origin, strlen(h->origin), 0) & (cap - 1);

		h->chain = table[k];
		table[k] = h;
	}
	free(f->table);
	f->table = table;
	f->table_cap = cap;
}

struct chaff_host *chaff_frontier_host(struct chaff_frontier *f, const char *url, long delay_ms)
{
	size_t len = chaff_url_origin_len(url), k;
	struct chaff_host *h;

	k = (size_t)chaff_hash64(url, len, 0) & (f->table_cap - 1);
	for (h = f->table[k]; h; h = h->chain)
		if (strlen(h->origin) == len && !memcmp(h->origin, url, len))
			return h;
	h = chaff_xcalloc(1, sizeof(*h));
	h->origin = chaff_xstrndup(url, len);
	h->delay_ms = delay_ms;
	if (f->nhosts == f->hosts_cap) {
		f->hosts_cap = f->hosts_cap ? f->hosts_cap * 2 : 16;
		f->hosts = chaff_xrealloc(f->hosts, chaff_st_mult(f->hosts_cap, sizeof(*f->hosts)));
	}
	f->hosts[f->nhosts++] = h;
	if (2 * f->nhosts > f->table_cap) {
		rehash_hosts(f);
	} else {
		h->chain = f->table[k];
		f->table[k] = h;
	}
	return h;
}

static void enqueue(struct chaff_frontier *f, const char *url, unsigned depth, unsigned hops,
                    long delay_ms)
{
	struct chaff_host *h = chaff_frontier_host(f, url, delay_ms);
	size_t len = strlen(url);
	struct chaff_url_item *it = chaff_xmalloc(chaff_st_add(sizeof(*it), len + 1));

	it->next = NULL;
	it->depth = depth;
	it->hops = hops;
	it->tries = 0;
	memcpy(it->url, url, len + 1);
	if (h->tail)
		h->tail->next = it;
	else
		h->head = it;
	h->tail = it;
	h->nqueued++;
	f->queued++;
}

static void journal_line(struct chaff_frontier *f, const char *kind, unsigned depth,
                         unsigned hops, const char *url)
{
	int rc;

	if (!f->journal)
		return;
	if (kind[0] == 'S')
		rc = fprintf(f->journal, "S %u %u %s\n", depth, hops, url);
	else
		rc = fprintf(f->journal, "D %s\n", url);
	if (rc < 0)
		f->journal_failed = true;
}

enum chaff_add chaff_frontier_add(struct chaff_frontier *f, const char *url, unsigned depth,
                                  unsigned hops, long delay_ms)
{
	if (chaff_urlset_has(&f->seen, url))
		return CHAFF_ADD_SEEN;
	if (f->seen.n >= f->max_urls)
		return CHAFF_ADD_FULL;
	chaff_urlset_add(&f->seen, url);
	enqueue(f, url, depth, hops, delay_ms);
	journal_line(f, "S", depth, hops, url);
	return CHAFF_ADD_NEW;
}

void chaff_frontier_requeue(struct chaff_frontier *f, struct chaff_host *h,
                            struct chaff_url_item *it)
{
	it->next = h->head;
	h->head = it;
	if (!h->tail)
		h->tail = it;
	h->nqueued++;
	f->queued++;
}

struct chaff_url_item *chaff_frontier_pop(struct chaff_frontier *f, struct chaff_host *h)
{
	struct chaff_url_item *it = h->head;

	if (!it)
		return NULL;
	h->head = it->next;
	if (!h->head)
		h->tail = NULL;
	it->next = NULL;
	h->nqueued--;
	f->queued--;
	return it;
}

struct chaff_host *chaff_frontier_next(struct chaff_frontier *f, int64_t now_ms,
                                       int64_t *wait_ms)
{
	size_t i;

	*wait_ms = -1;
	for (i = 0; i < f->nhosts; i++) {
		size_t k = (f->cursor + i) % f->nhosts;
		struct chaff_host *h = f->hosts[k];

		if (!h->nqueued || h->busy)
			continue;
		if (h->next_ms <= now_ms) {
			f->cursor = (k + 1) % f->nhosts;
			return h;
		}
		if (*wait_ms < 0 || h->next_ms - now_ms < *wait_ms)
			*wait_ms = h->next_ms - now_ms;
	}
	return NULL;
}

/* ---- the journal ---- */

/* Read one line into buf; false at end. Lines too long or without their
 * newline (a kill cut them) come back empty. */
static bool read_line(FILE *in, char *buf, size_t cap)
{
	size_t n;

	if (!fgets(buf, (int)cap, in))
		return false;
	n = strlen(buf);
	if (n && buf[n - 1] == '\n') {
		buf[n - 1] = '\0';
		return true;
	}
	if (n + 1 == cap) {
		int c;

		while ((c = getc(in)) != EOF && c != '\n')
			;
	}
	buf[0] = '\0';
	return true;
}

static bool parse_uint(const char **p, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(*p, &end, 10);
	if (end == *p || errno || v > 1000000 || *end != ' ')
		return false;
	*out = (unsigned)v;
	*p = end + 1;
	return true;
}

static void replay(struct chaff_frontier *f, FILE *in, struct chaff_urlset *done, long delay_ms)
{
	char *line = chaff_xmalloc(JOURNAL_LINE);

	/* First the finished URLs, then the queue without them, in order. */
	while (read_line(in, line, JOURNAL_LINE))
		if (line[0] == 'D' && line[1] == ' ' && line[2])
			chaff_urlset_add(done, line + 2);
	rewind(in);
	while (read_line(in, line, JOURNAL_LINE)) {
		const char *p = line + 2;
		unsigned depth, hops;

		if (line[0] != 'S' || line[1] != ' ' || !parse_uint(&p, &depth) ||
		    !parse_uint(&p, &hops) || !*p)
			continue;
		if (!chaff_urlset_add(&f->seen, p) || chaff_urlset_has(done, p))
			continue;
		enqueue(f, p, depth, hops, delay_ms);
	}
	free(line);
}

enum chaff_err chaff_frontier_journal(struct chaff_frontier *f, const char *path, bool resume,
                                      struct chaff_urlset *done, long delay_ms, char *why)
{
	size_t i;

	if (resume) {
		FILE *in = fopen(path, "r");

		if (in) {
			replay(f, in, done, delay_ms);
			fclose(in);
		} else if (errno != ENOENT) {
			chaff_why(why, "%s: %s", path, strerror(errno));
			return CHAFF_ERR_IO;
		}
		/* Done is seen, even when the journal lost its line (or all). */
		for (i = 0; i < done->cap; i++)
			if (done->slot[i])
				add_hash(&f->seen, done->slot[i]);
	}
	f->journal = fopen(path, resume ? "a" : "w");
	if (!f->journal) {
		chaff_why(why, "%s: %s", path, strerror(errno));
		return CHAFF_ERR_IO;
	}
	f->journal_path = chaff_xstrdup(path);
	return CHAFF_OK;
}

void chaff_frontier_done(struct chaff_frontier *f, const char *url)
{
	journal_line(f, "D", 0, 0, url);
	chaff_frontier_sync(f);
}

bool chaff_frontier_sync(struct chaff_frontier *f)
{
	if (f->journal && fflush(f->journal))
		f->journal_failed = true;
	return !f->journal_failed;
}

void chaff_frontier_journal_close(struct chaff_frontier *f, bool remove)
{
	if (f->journal) {
		fclose(f->journal);
		f->journal = NULL;
	}
	if (remove && f->journal_path)
		unlink(f->journal_path);
	free(f->journal_path);
	f->journal_path = NULL;
}
