/* page.c - pages from files and stdin, content types, kind sniffing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

void chaff_limits_default(struct chaff_limits *lim)
{
	lim->max_input_bytes = (size_t)8 << 20;
	lim->max_decoded_bytes = (size_t)16 << 20;
	lim->max_parse_bytes = (size_t)2 << 20;
	lim->max_depth = 400;
	lim->max_blocks = 20000;
	lim->connect_timeout_ms = 10000;
	lim->fetch_timeout_ms = 30000;
	lim->max_redirects = 5;
	lim->parse_script_bodies = false;
}

void chaff_page_init(struct chaff_page *page, const struct chaff_limits *lim)
{
	memset(page, 0, sizeof(*page));
	chaff_buf_init(&page->body, lim->max_decoded_bytes);
}

void chaff_page_release(struct chaff_page *page)
{
	free(page->url);
	free(page->content_type);
	free(page->charset);
	chaff_buf_release(&page->body);
	page->url = page->content_type = page->charset = NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *lower_dup(const char *s, size_t n)
{
	char *p = chaff_xstrndup(s, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] + 32);
	return p;
}

void chaff_page_set_content_type(struct chaff_page *page, const char *v, size_t n)
{
	size_t i = 0, start, end;

	free(page->content_type);
	free(page->charset);
	page->content_type = page->charset = NULL;
	while (i < n && is_space(v[i]))
		i++;
	start = i;
	while (i < n && v[i] != ';' && !is_space(v[i]))
		i++;
	if (i > start && i - start < 128)
		page->content_type = lower_dup(v + start, i - start);
	/* Find charset= among the parameters; its value may be quoted. */
	while (i < n) {
		const char *p = chaff_memcasemem(v + i, n - i, "charset=");

		if (!p)
			break;
		i = (size_t)(p - v) + 8;
		if (i < n && (v[i] == '"' || v[i] == '\''))
			i++;
		start = i;
		while (i < n && v[i] != ';' && v[i] != '"' && v[i] != '\'' && !is_space(v[i]))
			i++;
		end = i;
		if (end > start && end - start < 64)
			page->charset = lower_dup(v + start, end - start);
		break;
	}
}

enum chaff_page_kind chaff_sniff_kind(const char *p, size_t n)
{
	static const char *const tags[] = {
		"<!doctype html", "<html", "<head", "<body", "<div", "<p>", "<p ", "<title",
		"<meta", "<script", "<table", "<a href", "<br", "<span", "<h1", "<h2", "<!--",
	};
	size_t i, scan = n < 4096 ? n : 4096;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (chaff_memcasemem(p, scan, tags[i]))
			return CHAFF_PAGE_HTML;
	return CHAFF_PAGE_TEXT;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !chaff_strncasecmp(s + n - m, suffix, m);
}

static enum chaff_page_kind kind_from_name(const char *path)
{
	if (ends_with(path, ".html") || ends_with(path, ".htm") || ends_with(path, ".xhtml") ||
	    ends_with(path, ".html.gz") || ends_with(path, ".htm.gz"))
		return CHAFF_PAGE_HTML;
	if (ends_with(path, ".txt") || ends_with(path, ".txt.gz") || ends_with(path, ".text"))
		return CHAFF_PAGE_TEXT;
	return CHAFF_PAGE_SNIFF;
}

/* Read at most max bytes of f into raw; sets *cut when more was there. */
static enum chaff_err read_capped(FILE *f, struct chaff_buf *raw, size_t max, bool *cut)
{
	char chunk[65536];
	size_t n;

	*cut = false;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		size_t room = max - raw->len;

		if (n > room) {
			chaff_buf_append(raw, chunk, room);
			*cut = true;
			return CHAFF_OK;
		}
		chaff_buf_append(raw, chunk, n);
	}
	return ferror(f) ? CHAFF_ERR_IO : CHAFF_OK;
}

enum chaff_err chaff_page_read_file(struct chaff_page *page, const char *path,
                                    const struct chaff_limits *lim, char *why)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	struct chaff_buf raw;
	enum chaff_err err;
	bool cut = false;

	if (!f) {
		chaff_why(why, "cannot open: %s", strerror(errno));
		return CHAFF_ERR_IO;
	}
	chaff_buf_init(&raw, lim->max_input_bytes);
	err = read_capped(f, &raw, lim->max_input_bytes, &cut);
	if (!is_stdin)
		fclose(f);
	if (err) {
		chaff_why(why, "read error: %s", strerror(errno));
		goto out;
	}
	page->truncated = cut;
	page->kind = is_stdin ? CHAFF_PAGE_SNIFF : kind_from_name(path);
	chaff_buf_reset(&page->body);
	/* Compression is told by magic bytes, never by the name. */
	if (raw.len >= 2 && (unsigned char)raw.data[0] == 0x1f &&
	    (unsigned char)raw.data[1] == 0x8b) {
		bool dcut = false;

		err = chaff_content_decode("gzip", raw.data, raw.len, &page->body, &dcut, why);
		page->truncated |= dcut;
		if (err == CHAFF_ERR_TRUNCATED) {
			page->truncated = true;
			err = CHAFF_OK;
		}
		if (err)
			goto out;
	} else if (raw.len) {
		chaff_buf_append(&page->body, raw.data, raw.len < page->body.max ? raw.len
		                                                                  : page->body.max);
	}
	if (page->kind == CHAFF_PAGE_SNIFF)
		page->kind = chaff_sniff_kind(page->body.data ? page->body.data : "", page->body.len);
out:
	chaff_buf_release(&raw);
	return err;
}
