/*
 * warc_http.c - the HTTP layer inside WARC records: status line, headers,
 * de-chunking, content decoding, and the decision whether a record holds a
 * page worth scoring.
 */
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

static void copy_header_value(char *dst, size_t cap, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* Header name match, tolerating a space before the colon ("Content-Type :"). */
static bool header_is(const char *line, size_t n, const char *name, size_t *value_at)
{
	size_t m = strlen(name), i;

	if (n < m || chaff_strncasecmp(line, name, m))
		return false;
	i = m;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= n || line[i] != ':')
		return false;
	*value_at = i + 1;
	return true;
}

size_t chaff_http_parse_head(const char *p, size_t n, struct chaff_http_head *h)
{
	size_t i = 0;
	const char *sp;
	long status = 0;
	int digits = 0;

	memset(h, 0, sizeof(*h));
	if (n < 12 || memcmp(p, "HTTP/", 5))
		return 0;
	/* "HTTP/1.1 200 OK", "HTTP/2 200", "HTTP/1.0 200" with no reason phrase. */
	sp = memchr(p, ' ', n < 32 ? n : 32);
	if (!sp)
		return 0;
	i = (size_t)(sp - p);
	while (i < n && p[i] == ' ')
		i++;
	while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 3) {
		status = status * 10 + (p[i++] - '0');
		digits++;
	}
	if (digits != 3)
		return 0;
	h->status = (int)status;
	{
		const char *nl = memchr(p + i, '\n', n - i);

		if (!nl)
			return 0;
		i = (size_t)(nl - p) + 1;
	}
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i), *line = p + i;
		size_t len, at;

		if (!nl)
			return 0;  /* the head never ends */
		len = (size_t)(nl - line);
		while (len && line[len - 1] == '\r')  /* CRLF, and CR CR LF seen in the wild */
			len--;
		i = (size_t)(nl - p) + 1;
		if (len == 0)
			return i;
		if (header_is(line, len, "content-type", &at))
			copy_header_value(h->content_type, sizeof(h->content_type), line + at, len - at);
		else if (header_is(line, len, "content-encoding", &at))
			copy_header_value(h->content_encoding, sizeof(h->content_encoding), line + at,
			                  len - at);
		else if (header_is(line, len, "transfer-encoding", &at)) {
			copy_header_value(h->transfer_encoding, sizeof(h->transfer_encoding), line + at,
			                  len - at);
			h->chunked = chaff_memcasemem(h->transfer_encoding,
			                              strlen(h->transfer_encoding), "chunked") != NULL;
		}
	}
	return 0;
}

enum chaff_err chaff_http_dechunk(const char *p, size_t n, struct chaff_buf *out)
{
	size_t i = 0;

	for (;;) {
		uint64_t size = 0;
		int digits = 0;
		const char *nl;

		while (i < n && (p[i] == '\r' || p[i] == '\n'))
			i++;
		if (i >= n)
			return CHAFF_OK;  /* ended without the last chunk: keep what came */
		while (i < n) {
			char c = p[i];
			int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

			if (v < 0)
				break;
			if (size > (UINT64_MAX >> 4))
				return CHAFF_ERR_MALFORMED;
			size = size * 16 + (uint64_t)v;
			digits++;
			i++;
		}
		if (!digits)
			return CHAFF_ERR_MALFORMED;
		/* Chunk extensions (";name=value") run to the end of the line. */
		nl = memchr(p + i, '\n', n - i);
		if (!nl)
			return CHAFF_ERR_MALFORMED;
		i = (size_t)(nl - p) + 1;
		if (size == 0)
			return CHAFF_OK;  /* trailers follow; not needed */
		if (size > n - i)
			size = n - i;  /* cut short: keep what is there */
		if (chaff_buf_append(out, p + i, (size_t)size))
			return CHAFF_ERR_TOO_LARGE;
		i += (size_t)size;
	}
}

static bool type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return ct && !chaff_strncasecmp(ct, want, n);
}

static bool html_type(const char *ct)
{
	return type_is(ct, "text/html") || type_is(ct, "application/xhtml");
}

/* Bytes that read as text (markup or prose), not as compressed data. */
static bool stored_decoded(const char *p, size_t n)
{
	size_t i, m = n < 512 ? n : 512;

	if (m == 0)
		return false;
	for (i = 0; i < m; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x09 || (c > 0x0d && c < 0x20 && c != 0x1b))
			return false;
	}
	return true;
}

/* Payload bytes -> page body: de-chunk, then decode Content-Encoding. */
static const char *fill_body(struct chaff_page *page, const char *p, size_t n,
                             const struct chaff_http_head *h, const struct chaff_limits *lim,
                             char *why)
{
	struct chaff_buf plain;
	const char *src = p;
	size_t len = n;
	bool cut = false;
	enum chaff_err err;

	chaff_buf_init(&plain, lim->max_input_bytes);
	if (h && h->chunked) {
		err = chaff_http_dechunk(p, n, &plain);
		/* A broken chunk size: fall back to the raw body (many writers stored it so). */
		if (err == CHAFF_OK) {
			src = plain.data ? plain.data : "";
			len = plain.len;
		}
	}
	chaff_buf_reset(&page->body);
	page->body.max = lim->max_decoded_bytes;
	err = chaff_content_decode(h ? h->content_encoding : NULL, src, len, &page->body, &cut, why);
	page->truncated |= cut;
	if (err == CHAFF_ERR_TRUNCATED) {
		page->truncated = true;
		err = CHAFF_OK;
	}
	if (err == CHAFF_ERR_DECODE && page->body.len > 0) {
		/* Damaged after a while: keep what decoded, as for a cut stream. */
		page->truncated = true;
		err = CHAFF_OK;
	} else if (err == CHAFF_ERR_DECODE && stored_decoded(src, len)) {
		/*
		 * ClueWeb09 and others stored the decoded body but kept the
		 * Content-Encoding header: the bytes (de-chunked) are the page.
		 */
		chaff_buf_reset(&page->body);
		err = chaff_buf_append(&page->body, src, len < page->body.max ? len : page->body.max)
		      ? CHAFF_ERR_DECODE : CHAFF_OK;
		page->truncated |= len > page->body.max;
	}
	chaff_buf_release(&plain);
	if (err == CHAFF_ERR_UNSUPPORTED)
		return "unsupported content encoding";
	if (err)
		return "content decoding failed";
	return NULL;
}

const char *chaff_warc_page(const struct chaff_warc_record *rec, struct chaff_page *page,
                            const struct chaff_limits *lim, bool text_plain, char *why)
{
	const char *type = rec->type;
	const char *ct = rec->content_type;
	const char *data = rec->block.data ? rec->block.data : "";
	size_t n = rec->block.len;
	struct chaff_http_head h;
	size_t head;

	/* Reasons are static strings: callers keep them past the record. */
	static const char *const not_pages[] = {"warcinfo", "request", "metadata", "revisit",
	                                        "continuation"};
	size_t i;

	for (i = 0; i < sizeof(not_pages) / sizeof(not_pages[0]); i++)
		if (!strcmp(type, not_pages[i]))
			return not_pages[i];
	if (strcmp(type, "response") && strcmp(type, "resource") && strcmp(type, "conversion"))
		return type[0] ? "unknown record type" : "no WARC-Type";
	if (rec->incomplete)
		return "truncated";
	if (rec->block_cut)
		return "too large";
	if (n == 0)
		return "no payload";
	free(page->url);
	page->url = rec->target_uri ? chaff_xstrdup(rec->target_uri) : NULL;
	page->truncated = false;
	page->status = 0;
	if (!strcmp(type, "response") &&
	    (!ct || chaff_memcasemem(ct, strlen(ct), "application/http") || !strncmp(data, "HTTP/", 5))) {
		head = chaff_http_parse_head(data, n, &h);
		if (!head) {
			/* Some writers store the bare body with no status line. */
			if (!strncmp(data, "HTTP/", 5))
				return "malformed HTTP head";
			memset(&h, 0, sizeof(h));
			h.status = 200;
		}
		page->status = h.status;
		if (h.status < 200 || h.status > 299)
			return "not 2xx";
		chaff_page_set_content_type(page, h.content_type, strlen(h.content_type));
		if (head && h.content_type[0] && !html_type(h.content_type) &&
		    !(text_plain && type_is(h.content_type, "text/plain")))
			return "not HTML";
		page->kind = !h.content_type[0] ? CHAFF_PAGE_SNIFF
		             : html_type(h.content_type) ? CHAFF_PAGE_HTML : CHAFF_PAGE_TEXT;
		if (head == n)
			return "no payload";
		return fill_body(page, data + head, n - head, &h, lim, why);
	}
	/* resource and conversion records: the block is the document itself. */
	chaff_page_set_content_type(page, ct ? ct : "", ct ? strlen(ct) : 0);
	if (html_type(ct)) {
		page->kind = CHAFF_PAGE_HTML;
	} else if (type_is(ct, "text/plain") && (text_plain || !strcmp(type, "conversion"))) {
		page->kind = CHAFF_PAGE_TEXT;
	} else {
		return "not HTML";
	}
	page->status = 200;
	return fill_body(page, data, n, NULL, lim, why);
}
