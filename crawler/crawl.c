/*
 * crawl.c - the polite, focused crawler on libcurl's multi interface.
 *
 * One loop, one thread: hosts whose "next allowed time" has come get one
 * transfer each (robots.txt first), up to o->parallel at once; a finished
 * transfer is turned into WARC records, its links into frontier entries,
 * and its host's clock is set again. Redirects are not followed by curl:
 * each hop is written and its target queued, so every hop has its records.
 *
 * What reaches the WARC is the response as received minus its transfer
 * coding: curl de-chunks, the Transfer-Encoding header is renamed
 * X-Crawler-Transfer-Encoding (as Common Crawl does) and Content-Encoding
 * is kept with the still-encoded body, so the payload digest is that of
 * the bytes stored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>

#include "crawler/frontier.h"

#define ROBOTS_TTL_MS (24LL * 3600 * 1000)
#define HEAD_MAX (64u * 1024u)         /* response or request head bytes kept */
#define POLL_MAX_MS 250                /* how often a stop request is noticed */

struct xfer {
	CURL *h;
	struct chaff_host *host;
	struct chaff_url_item *item;   /* NULL for robots.txt */
	struct chaff_buf req;          /* request head as sent */
	struct chaff_buf head;         /* response status line and headers, blank line included */
	struct chaff_buf body;         /* payload: de-chunked, content coding kept */
	char ctype[160], cenc[64], retry_after[64];
	char *location;
	bool head_done, type_checked, not_page, over_cap, head_over, refused;
	int64_t date;
	char error[CURL_ERROR_SIZE];
	struct xfer *prev, *next;     /* transfers in flight */
};

struct crawl {
	const struct chaff_crawl_opts *o;
	struct chaff_crawl_stats *st;
	CURLM *multi;
	struct chaff_frontier f;
	struct chaff_warc_writer *w;
	struct chaff_limits lim;
	struct chaff_arena arena;
	struct xfer *live;             /* transfers in flight */
	size_t running, pages_running;
	bool full_reported;
	bool progress_shown;           /* the progress line is on the terminal */
	bool io_failed;
	char io_why[CHAFF_WHY_MAX];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void clear_progress(struct crawl *c)
{
	if (c->progress_shown)
		fputs("\r\033[K", c->o->log);
	c->progress_shown = false;
}

static void show_progress(struct crawl *c)
{
	if (!c->o->progress || !c->o->log)
		return;
	clear_progress(c);
	fprintf(c->o->log, "%s%zu pages, %zu waiting, %zu hosts", c->o->log_prefix ? c->o->log_prefix : "",
	        c->st->pages, c->f.queued, c->f.nhosts);
	fflush(c->o->log);
	c->progress_shown = true;
}

static void say(struct crawl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct crawl *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->o->log)
		return;
	clear_progress(c);
	fputs(c->o->log_prefix ? c->o->log_prefix : "", c->o->log);
	va_start(ap, fmt);
	vfprintf(c->o->log, fmt, ap);
	va_end(ap);
	fputc('\n', c->o->log);
}

void chaff_crawl_opts_default(struct chaff_crawl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_pages = 100;
	o->max_depth = 2;
	o->delay_ms = 1000;
	o->max_crawl_delay_ms = 30000;
	o->max_retry_after_ms = 60000;
	o->max_retries = 2;
	o->parallel = 8;
	o->max_page_bytes = (size_t)1 << 20;
	o->connect_timeout_ms = 10000;
	o->timeout_ms = 30000;
	o->low_speed_bytes = 100;
	o->low_speed_secs = 15;
	o->max_redirects = 5;
	o->max_urls = 1000000;
	o->robots_agent = "chaff";
}

/* ---- libcurl callbacks ---- */

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static bool header_is(const char *p, size_t n, const char *name)
{
	size_t m = strlen(name);

	return n > m && p[m] == ':' && !chaff_strncasecmp(p, name, m);
}

static void new_response(struct xfer *x)
{
	chaff_buf_reset(&x->head);
	chaff_buf_reset(&x->body);
	x->ctype[0] = x->cenc[0] = x->retry_after[0] = '\0';
	free(x->location);
	x->location = NULL;
	x->head_done = x->type_checked = false;
}

static size_t on_header(char *p, size_t size, size_t nitems, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nitems;
	enum chaff_err err;

	if (n >= 5 && !memcmp(p, "HTTP/", 5))
		new_response(x);  /* a 1xx before, or the next hop of robots.txt */
	else if (x->head_done)
		return n;  /* a chunked body's trailer: not part of the stored head */
	if (header_is(p, n, "transfer-encoding")) {
		/* curl removed the coding: say so the Common Crawl way. */
		err = chaff_buf_puts(&x->head, "X-Crawler-");
		if (!err)
			err = chaff_buf_append(&x->head, p, n);
	} else {
		err = chaff_buf_append(&x->head, p, n);
	}
	if (err) {
		x->head_over = true;
		return 0;
	}
	if (header_is(p, n, "content-type"))
		copy_value(x->ctype, sizeof(x->ctype), p + 13, n - 13);
	else if (header_is(p, n, "content-encoding"))
		copy_value(x->cenc, sizeof(x->cenc), p + 17, n - 17);
	else if (header_is(p, n, "retry-after"))
		copy_value(x->retry_after, sizeof(x->retry_after), p + 12, n - 12);
	else if (header_is(p, n, "location") && !x->location) {
		/* Any length (the head is capped): one too long is refused, and said, later. */
		char *v = chaff_xmalloc(n - 8);

		copy_value(v, n - 8, p + 9, n - 9);
		x->location = v;
	} else if ((n == 2 && p[0] == '\r') || (n == 1 && p[0] == '\n'))
		x->head_done = true;
	return n;
}

/* What the crawler keeps the body of: pages, and what says nothing. */
static bool page_type(const char *ct)
{
	size_t n = strcspn(ct, "; \t");

	return n == 0 || (n == 9 && !chaff_strncasecmp(ct, "text/html", 9)) ||
	       (n == 21 && !chaff_strncasecmp(ct, "application/xhtml+xml", 21)) ||
	       (n == 10 && !chaff_strncasecmp(ct, "text/plain", 10));
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;

	if (x->item && !x->type_checked) {
		x->type_checked = true;
		if (!page_type(x->ctype)) {
			x->not_page = true;
			return 0;  /* not a page: the head is recorded, the body is not fetched */
		}
	}
	if (chaff_buf_append(&x->body, p, n)) {
		chaff_buf_append(&x->body, p, x->body.max - x->body.len);
		x->over_cap = true;
		return 0;  /* the byte cap, enforced as bytes arrive */
	}
	return n;
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userdata)
{
	struct xfer *x = userdata;

	(void)h;
	if (type == CURLINFO_HEADER_OUT) {
		chaff_buf_reset(&x->req);  /* the last request sent is the one answered */
		chaff_buf_append(&x->req, data, size);
	}
	return 0;
}

static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct xfer *x = clientp;

	(void)purpose;
	if (chaff_addr_is_private(&addr->addr)) {
		x->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* ---- starting transfers ---- */

static struct xfer *new_xfer(struct crawl *c, struct chaff_host *host, struct chaff_url_item *it,
                             const char *url)
{
	const struct chaff_crawl_opts *o = c->o;
	struct xfer *x = chaff_xcalloc(1, sizeof(*x));
	CURL *h = curl_easy_init();

	if (!h) {
		fprintf(stderr, "chaff: cannot start a libcurl transfer\n");
		abort();  /* only fails when out of memory */
	}
	x->h = h;
	x->host = host;
	x->item = it;
	x->date = (int64_t)time(NULL);
	chaff_buf_init(&x->req, HEAD_MAX);
	chaff_buf_init(&x->head, HEAD_MAX);
	chaff_buf_init(&x->body, it ? o->max_page_bytes : CHAFF_ROBOTS_MAX_BYTES);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* HTTP/1.1 on the wire: what WARC readers expect in a response record. */
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_bytes);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, o->low_speed_secs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : CHAFF_CRAWL_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	if (!o->allow_private) {
		curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, x);
	}
	if (it) {
		/* The stored payload keeps its content coding; chaff decodes it later. */
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip, deflate, br");
		curl_easy_setopt(h, CURLOPT_HTTP_CONTENT_DECODING, 0L);
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, x);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	} else {
		/* robots.txt: RFC 9309 asks for at least five redirects followed. */
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	}
	curl_multi_add_handle(c->multi, h);
	x->next = c->live;
	if (c->live)
		c->live->prev = x;
	c->live = x;
	host->busy = true;
	c->running++;
	if (it)
		c->pages_running++;
	return x;
}

static void free_xfer(struct crawl *c, struct xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		c->live = x->next;
	if (x->next)
		x->next->prev = x->prev;
	curl_multi_remove_handle(c->multi, x->h);
	curl_easy_cleanup(x->h);
	chaff_buf_release(&x->req);
	chaff_buf_release(&x->head);
	chaff_buf_release(&x->body);
	free(x->location);
	free(x->item);
	c->running--;
	free(x);
}

/* ---- robots.txt done ---- */

static void robots_done(struct crawl *c, struct xfer *x, CURLcode rc)
{
	struct chaff_host *h = x->host;
	long status = 0, delay;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	h->robots_failed = false;
	if (x->refused) {
		h->refused = true;
	} else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && x->over_cap)) {
		say(c, "%s/robots.txt: %s: its URLs are given up", h->origin,
		    x->error[0] ? x->error : curl_easy_strerror(rc));
		status = 0;
		h->robots_failed = true;
	} else if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
		say(c, "%s/robots.txt: HTTP status %ld: its URLs are given up", h->origin, status);
		h->robots_failed = true;
	}
	chaff_robots_free(h->robots);
	h->robots = chaff_robots_new((int)status, x->body.data, x->body.len, c->o->robots_agent);
	h->robots_state = ROBOTS_READY;
	h->robots_ms = now_ms();
	delay = chaff_robots_crawl_delay_ms(h->robots);
	if (delay > c->o->max_crawl_delay_ms) {
		say(c, "%s: Crawl-delay of %ld ms capped at %ld ms", h->origin, delay,
		    c->o->max_crawl_delay_ms);
		delay = c->o->max_crawl_delay_ms;
	}
	h->delay_ms = delay > c->o->delay_ms ? delay : c->o->delay_ms;
	h->busy = false;
	h->next_ms = now_ms() + h->delay_ms;
}

/* ---- a page done ---- */

/* Retry-After: delay-seconds or an HTTP-date; -1 when absent or junk. */
static long retry_after_ms(const char *v)
{
	char *end;
	unsigned long secs;
	time_t when;

	if (!v[0])
		return -1;
	if (v[0] >= '0' && v[0] <= '9') {
		errno = 0;
		secs = strtoul(v, &end, 10);
		if (*end || errno)
			return -1;
		return secs > 86400 ? 86400000L : (long)secs * 1000;
	}
	when = curl_getdate(v, NULL);
	if (when == (time_t)-1)
		return -1;
	when -= time(NULL);
	return when <= 0 ? 0 : when > 86400 ? 86400000L : (long)when * 1000;
}

/* Wait out a 429/503 and put the URL back; false when it is given up. */
static bool retry_later(struct crawl *c, struct xfer *x, long status)
{
	const struct chaff_crawl_opts *o = c->o;
	long wait = retry_after_ms(x->retry_after);
	struct chaff_url_item *it = x->item;

	if (it->tries >= o->max_retries)
		return false;
	if (wait > o->max_retry_after_ms) {
		say(c, "%s: HTTP %ld with Retry-After over %ld ms: giving up", it->url, status,
		    o->max_retry_after_ms);
		x->host->next_ms = now_ms() + o->max_retry_after_ms;
		return false;
	}
	if (wait < 0) {  /* no Retry-After: back off exponentially */
		wait = it->tries >= 20 ? o->max_retry_after_ms
		                       : x->host->delay_ms << (it->tries + 1);
		if (wait > o->max_retry_after_ms)
			wait = o->max_retry_after_ms;
	}
	if (wait < x->host->delay_ms)
		wait = x->host->delay_ms;
	if (o->verbose)
		say(c, "%s: HTTP %ld: retrying in %ld ms", it->url, status, wait);
	it->tries++;
	x->host->next_ms = now_ms() + wait;
	chaff_frontier_requeue(&c->f, x->host, it);
	x->item = NULL;
	c->st->retries++;
	return true;
}

/* Queue where a redirect points (not subject to focus: it is the same fetch). */
static void follow_redirect(struct crawl *c, struct xfer *x)
{
	char *url = NULL, why[CHAFF_WHY_MAX] = "";
	struct chaff_url_item *it = x->item;

	if (!x->location)
		return;
	if ((int)it->hops >= c->o->max_redirects) {
		say(c, "%s: more than %d redirects: not followed", it->url, c->o->max_redirects);
		return;
	}
	if (chaff_url_resolve(&url, it->url, x->location, why)) {
		say(c, "%s: redirect to %.200s: %s", it->url, x->location, why);
		return;
	}
	if (chaff_frontier_add(&c->f, url, it->depth, it->hops + 1, c->o->delay_ms) ==
	    CHAFF_ADD_FULL)
		say(c, "%s: frontier full (%zu URLs): not queued", url, c->o->max_urls);
	free(url);
}

/* Queue the on-topic links of a parsed page. */
static void follow_links(struct crawl *c, struct xfer *x, const struct chaff_doc *doc)
{
	struct chaff_url_item *it = x->item;
	size_t i;

	if (it->depth >= c->o->max_depth)
		return;
	for (i = 0; i < doc->nlinks; i++) {
		const struct chaff_link *l = &doc->links[i];
		char *url = NULL;

		if (l->nofollow || !l->href || chaff_url_resolve(&url, it->url, l->href, NULL))
			continue;
		if (!chaff_focus_match(url, strlen(url)) &&
		    !(l->text && chaff_focus_match(l->text, strlen(l->text)))) {
			if (!chaff_urlset_has(&c->f.seen, url))
				c->st->off_topic++;
			free(url);
			continue;
		}
		if (chaff_frontier_add(&c->f, url, it->depth + 1, 0, c->o->delay_ms) ==
		    CHAFF_ADD_FULL && !c->full_reported) {
			say(c, "frontier full (%zu URLs): further links are dropped", c->o->max_urls);
			c->full_reported = true;
		}
		free(url);
	}
}

/* Decode the payload into page (for links and on_page). */
static void make_page(struct crawl *c, struct xfer *x, struct chaff_page *page, long status)
{
	bool cut = false;

	page->url = chaff_xstrdup(x->item->url);
	page->status = (int)status;
	chaff_page_set_content_type(page, x->ctype, strlen(x->ctype));
	page->kind = CHAFF_PAGE_SNIFF;
	if (page->content_type && !strcmp(page->content_type, "text/plain"))
		page->kind = CHAFF_PAGE_TEXT;
	else if (page->content_type && strstr(page->content_type, "html"))
		page->kind = CHAFF_PAGE_HTML;
	page->body.max = c->lim.max_decoded_bytes;
	if (x->body.len) {
		char why[CHAFF_WHY_MAX] = "";
		enum chaff_err err = chaff_content_decode(x->cenc, x->body.data, x->body.len,
		                                          &page->body, &cut, why);

		/* Stored as it came all the same; but say why its links may go unseen. */
		if (err && err != CHAFF_ERR_TRUNCATED)
			say(c, "%s: Content-Encoding '%s': %s (links followed only from what decoded)",
			    x->item->url, x->cenc, why[0] ? why : chaff_strerror(err));
	}
	page->truncated = cut || x->over_cap;
	if (page->kind == CHAFF_PAGE_SNIFF)
		page->kind = chaff_sniff_kind(page->body.data ? page->body.data : "", page->body.len);
}

static bool write_pair(struct crawl *c, struct xfer *x, const char *truncated,
                       char resp_id[CHAFF_WARC_ID_MAX])
{
	char req_id[CHAFF_WARC_ID_MAX], fields[512], proto[16] = "http/1.1";
	char *ip = NULL, *block;
	struct chaff_warc_out r;
	size_t n;
	char why[CHAFF_WHY_MAX] = "";
	enum chaff_err err;

	chaff_warc_new_id(req_id);
	chaff_warc_new_id(resp_id);
	curl_easy_getinfo(x->h, CURLINFO_PRIMARY_IP, &ip);
	if (x->head.len > 9 && !memcmp(x->head.data, "HTTP/1.0 ", 9))
		memcpy(proto, "http/1.0", 9);
	memset(&r, 0, sizeof(r));
	r.type = "request";
	r.record_id = req_id;
	r.target_uri = x->item->url;
	r.content_type = "application/http; msgtype=request";
	snprintf(fields, sizeof(fields), "WARC-Concurrent-To: %s\r\n", resp_id);
	r.extra_fields = fields;
	r.date = x->date;
	r.block = x->req.data;
	r.n = x->req.len;
	r.payload_at = SIZE_MAX;
	err = chaff_warc_write(c->w, &r, why);
	if (!err) {
		snprintf(fields, sizeof(fields), "WARC-Concurrent-To: %s\r\n%s%s%sWARC-Protocol: %s\r\n%s%s%s",
		         req_id, ip && ip[0] ? "WARC-IP-Address: " : "", ip && ip[0] ? ip : "",
		         ip && ip[0] ? "\r\n" : "", proto, truncated ? "WARC-Truncated: " : "",
		         truncated ? truncated : "", truncated ? "\r\n" : "");
		n = chaff_st_add(x->head.len, x->body.len);
		block = chaff_xmalloc(n + 1);
		memcpy(block, x->head.data, x->head.len);
		if (x->body.len)
			memcpy(block + x->head.len, x->body.data, x->body.len);
		r.type = "response";
		r.record_id = resp_id;
		r.content_type = "application/http; msgtype=response";
		r.block = block;
		r.n = n;
		r.payload_at = x->head.len;
		err = chaff_warc_write(c->w, &r, why);
		free(block);
	}
	if (err) {
		c->io_failed = true;
		snprintf(c->io_why, sizeof(c->io_why), "%s", why);
		return false;
	}
	return true;
}

static void give_up(struct crawl *c, const char *url, const char *reason)
{
	say(c, "%s: %s", url, reason);
	c->st->failed++;
	chaff_frontier_done(&c->f, url);
}

static void page_done(struct crawl *c, struct xfer *x, CURLcode rc)
{
	struct chaff_host *h = x->host;
	struct chaff_url_item *it = x->item;
	long status = 0;
	const char *truncated = NULL;
	struct chaff_page page;
	struct chaff_doc doc;
	char resp_id[CHAFF_WARC_ID_MAX];
	bool parsed = false;

	c->pages_running--;
	h->busy = false;
	h->next_ms = now_ms() + h->delay_ms;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (x->refused) {
		give_up(c, it->url, "refusing a loopback or private address");
		return;
	}
	if (!x->head_done || status < 100 || x->head_over || !x->req.len) {
		give_up(c, it->url, x->head_over ? "response head too large"
		        : x->error[0] ? x->error : curl_easy_strerror(rc));
		return;
	}
	if ((status == 429 || status == 503) && retry_later(c, x, status))
		return;
	if (x->over_cap)
		truncated = "length";
	else if (x->not_page)
		truncated = "unspecified";
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		truncated = "time";
	else if (rc != CURLE_OK)
		truncated = "disconnect";

	/* Links first: journaled before the records, so a kill loses none. */
	chaff_page_init(&page, &c->lim);
	if (status >= 300 && status < 400)
		follow_redirect(c, x);
	if (!x->not_page && x->body.len) {
		make_page(c, x, &page, status);
		if (status >= 200 && status < 300 && page.kind == CHAFF_PAGE_HTML) {
			chaff_arena_reset(&c->arena);
			parsed = chaff_doc_parse(&doc, &page, &c->lim, &c->arena, NULL) == CHAFF_OK;
			if (parsed)
				follow_links(c, x, &doc);
		}
	} else {
		page.url = chaff_xstrdup(it->url);
		page.status = (int)status;
		chaff_page_set_content_type(&page, x->ctype, strlen(x->ctype));
	}
	chaff_frontier_sync(&c->f);
	if (!write_pair(c, x, truncated, resp_id)) {
		chaff_page_release(&page);
		return;
	}
	chaff_frontier_done(&c->f, it->url);

	c->st->pages++;
	c->st->bytes += x->body.len;
	if (status >= 300 && status < 400)
		c->st->redirects++;
	else if (status >= 400)
		c->st->http_errors++;
	if (truncated)
		c->st->truncated++;
	if (c->o->verbose)
		say(c, "%s: HTTP %ld, %zu bytes%s%s", it->url, status, x->body.len,
		    truncated ? ", truncated: " : "", truncated ? truncated : "");
	if (c->o->on_page) {
		struct chaff_crawl_page p = {resp_id, &page, truncated, it->depth};

		c->o->on_page(c->o->ctx, &p);
	}
	chaff_page_release(&page);
	show_progress(c);
}

static void transfers_done(struct crawl *c)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left))) {
		struct xfer *x = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x->item)
			page_done(c, x, m->data.result);
		else
			robots_done(c, x, m->data.result);
		free_xfer(c, x);
	}
}

/* ---- scheduling ---- */

static bool budget_left(const struct crawl *c)
{
	return c->st->pages + c->pages_running < c->o->max_pages;
}

/* Start what may start now; *wait_ms: until the next host is due. */
static void launch(struct crawl *c, int64_t *wait_ms)
{
	while (c->running < c->o->parallel && budget_left(c)) {
		int64_t now = now_ms();
		struct chaff_host *h = chaff_frontier_next(&c->f, now, wait_ms);
		struct chaff_url_item *it;
		char url[CHAFF_URL_MAX + 16];

		if (!h)
			return;
		if (h->robots_state == ROBOTS_NONE ||
		    (h->robots_state == ROBOTS_READY && now - h->robots_ms > ROBOTS_TTL_MS)) {
			h->robots_state = ROBOTS_FETCHING;
			snprintf(url, sizeof(url), "%s/robots.txt", h->origin);
			new_xfer(c, h, NULL, url);
			continue;
		}
		it = chaff_frontier_pop(&c->f, h);
		if (h->refused) {
			give_up(c, it->url, "refusing a loopback or private address");
			free(it);
		} else if (h->robots_failed) {
			/* Not disallowed, unknown: a failure, counted (RFC 9309 says crawl nothing). */
			give_up(c, it->url, "robots.txt could not be fetched");
			free(it);
		} else if (!chaff_robots_allowed(h->robots, chaff_url_path(it->url))) {
			if (c->o->verbose)
				say(c, "%s: disallowed by robots.txt", it->url);
			c->st->disallowed++;
			chaff_frontier_done(&c->f, it->url);
			free(it);
		} else {
			new_xfer(c, h, it, it->url);
		}
	}
	*wait_ms = -1;
}

/* Drop the transfers in flight: their URLs stay undone for a resume. */
static void stop_all(struct crawl *c)
{
	while (c->live) {
		struct xfer *x = c->live;

		if (x->item)
			c->pages_running--;
		free_xfer(c, x);
	}
}

/* ---- start and finish ---- */

static char *with_suffix(const char *path, const char *suffix)
{
	size_t n = chaff_st_add(chaff_st_add(strlen(path), strlen(suffix)), 1);
	char *s = chaff_xmalloc(n);

	snprintf(s, n, "%s%s", path, suffix);
	return s;
}

static enum chaff_err write_warcinfo(struct crawl *c, char *why)
{
	const struct chaff_crawl_opts *o = c->o;
	struct chaff_buf b;
	struct chaff_warc_out r;
	const char *slash = strrchr(o->out_path, '/');
	char fields[CHAFF_URL_MAX];
	enum chaff_err err;

	chaff_buf_init(&b, 64 * 1024);
	chaff_buf_printf(&b, "software: chaff/%s (libcurl/%s)\r\n", CHAFF_VERSION,
	                 curl_version_info(CURLVERSION_NOW)->version);
	chaff_buf_printf(&b, "format: WARC File Format 1.1\r\n"
	                     "conformsTo: http://iipc.github.io/warc-specifications/"
	                     "specifications/warc-format/warc-1.1/\r\n");
	chaff_buf_printf(&b, "robots: obey\r\nhttp-header-user-agent: %s\r\n",
	                 o->user_agent ? o->user_agent : CHAFF_CRAWL_USER_AGENT);
	chaff_buf_printf(&b, "description: focused crawl of medication pages, depth %u, "
	                     "at most %zu pages, %ld ms between requests to a host\r\n",
	                 o->max_depth, o->max_pages, o->delay_ms);
	memset(&r, 0, sizeof(r));
	r.type = "warcinfo";
	r.content_type = "application/warc-fields";
	fields[0] = '\0';
	if (strcmp(o->out_path, "-"))
		snprintf(fields, sizeof(fields), "WARC-Filename: %s\r\n", slash ? slash + 1 : o->out_path);
	r.extra_fields = fields[0] ? fields : NULL;
	r.block = b.data;
	r.n = b.len;
	r.payload_at = SIZE_MAX;
	err = chaff_warc_write(c->w, &r, why);
	chaff_buf_release(&b);
	return err;
}

/* Resume: the responses OUT.open holds are done, whatever the journal says. */
static enum chaff_err read_done(struct crawl *c, const char *open_path, struct chaff_urlset *done,
                                char *why)
{
	struct chaff_warc_reader *r;
	struct chaff_warc_record rec;
	enum chaff_err err;

	if (chaff_warc_writer_tell(c->w) == 0)
		return CHAFF_OK;
	err = chaff_warc_open(&r, open_path, 4096, why);
	if (err)
		return err;
	chaff_warc_record_init(&rec);
	while ((err = chaff_warc_next(r, &rec, NULL)) != CHAFF_EOF) {
		if (err == CHAFF_ERR_IO)
			break;
		if (err || strcmp(rec.type, "response") || !rec.target_uri)
			continue;
		if (chaff_urlset_add(done, rec.target_uri)) {
			c->st->pages++;
			c->st->resumed++;
		}
	}
	chaff_warc_record_release(&rec);
	chaff_warc_close(r);
	return err == CHAFF_ERR_IO ? CHAFF_ERR_IO : CHAFF_OK;
}

static enum chaff_err start(struct crawl *c, char *why)
{
	const struct chaff_crawl_opts *o = c->o;
	bool to_stdout = !strcmp(o->out_path, "-");
	struct chaff_urlset done;
	char *open_path, *journal;
	enum chaff_err err;

	if (o->resume && to_stdout) {
		chaff_why(why, "cannot resume a crawl written to standard output");
		return CHAFF_ERR_USAGE;
	}
	err = chaff_warc_writer_open(&c->w, o->out_path, o->resume, why);
	if (err)
		return err;
	if (chaff_warc_writer_tell(c->w) == 0) {
		err = write_warcinfo(c, why);
		if (err)
			return err;
	}
	if (to_stdout)
		return CHAFF_OK;
	open_path = with_suffix(o->out_path, ".open");
	journal = with_suffix(o->out_path, ".frontier");
	chaff_urlset_init(&done);
	err = o->resume ? read_done(c, open_path, &done, why) : CHAFF_OK;
	if (!err)
		err = chaff_frontier_journal(&c->f, journal, o->resume, &done, o->delay_ms, why);
	if (!err && c->st->resumed)
		say(c, "resuming: %zu pages already in %s, %zu URLs waiting", c->st->resumed,
		    open_path, c->f.queued);
	chaff_urlset_release(&done);
	free(open_path);
	free(journal);
	return err;
}

static void add_seeds(struct crawl *c, const char *const *seeds, size_t nseeds)
{
	size_t i;

	for (i = 0; i < nseeds; i++) {
		char *url = NULL, why[CHAFF_WHY_MAX] = "";

		if (chaff_url_resolve(&url, NULL, seeds[i], why)) {
			say(c, "seed %.200s: %s", seeds[i], why);
			c->st->failed++;
			continue;
		}
		chaff_frontier_add(&c->f, url, 0, 0, c->o->delay_ms);
		free(url);
	}
	chaff_frontier_sync(&c->f);
}

static void run(struct crawl *c)
{
	const struct chaff_crawl_opts *o = c->o;

	for (;;) {
		int64_t wait = -1;
		int still, timeout;

		if (o->stop && *o->stop) {
			c->st->interrupted = true;
			return;
		}
		if (c->io_failed)
			return;
		launch(c, &wait);
		if (!c->running && (!budget_left(c) || !c->f.queued))
			return;
		curl_multi_perform(c->multi, &still);
		transfers_done(c);
		if (c->io_failed)
			return;
		timeout = wait >= 0 && wait < POLL_MAX_MS ? (int)wait : POLL_MAX_MS;
		if (c->running)
			curl_multi_poll(c->multi, NULL, 0, timeout, NULL);
		else if (timeout > 0)
			curl_multi_poll(c->multi, NULL, 0, timeout, NULL);
	}
}

enum chaff_err chaff_crawl(const struct chaff_crawl_opts *o, const char *const *seeds,
                           size_t nseeds, struct chaff_crawl_stats *st, char *why)
{
	struct crawl c;
	enum chaff_err err;

	memset(st, 0, sizeof(*st));
	if (!o->out_path || !o->max_pages || !o->parallel || o->delay_ms < 0 ||
	    !o->max_page_bytes) {
		chaff_why(why, "bad crawl options");
		return CHAFF_ERR_USAGE;
	}
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.st = st;
	chaff_limits_default(&c.lim);
	chaff_arena_init(&c.arena);
	chaff_frontier_init(&c.f, o->max_urls);
	c.multi = curl_multi_init();
	if (!c.multi) {
		fprintf(stderr, "chaff: cannot start libcurl\n");
		abort();
	}
	curl_multi_setopt(c.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
	curl_multi_setopt(c.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->parallel);
	err = start(&c, why);
	if (!err) {
		add_seeds(&c, seeds, nseeds);
		run(&c);
		stop_all(&c);
		clear_progress(&c);
	}
	if (!err && c.io_failed) {
		chaff_why(why, "%s", c.io_why);
		err = CHAFF_ERR_IO;
	}
	if (!err && !chaff_frontier_sync(&c.f)) {
		chaff_why(why, "cannot write the frontier journal");
		err = CHAFF_ERR_IO;
	}
	if (!err && !st->interrupted) {
		err = chaff_warc_writer_close(c.w, why);
		c.w = NULL;
		chaff_frontier_journal_close(&c.f, err == CHAFF_OK);
	}
	chaff_warc_writer_abandon(c.w);
	chaff_frontier_release(&c.f);
	curl_multi_cleanup(c.multi);
	chaff_arena_release(&c.arena);
	return err;
}
