/*
 * fetch.c - one page over HTTP(S) with libcurl: http/https only, bounded
 * redirects, timeouts, a byte cap enforced as bytes arrive (libcurl 7.88's
 * MAXFILESIZE does not stop transfers of unknown length), and our own
 * Content-Encoding decoding so the decoded size is capped too.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "chaff.h"

#define DEFAULT_UA "chaff/" CHAFF_VERSION " (+https://github.com/chaff-project/chaff; medication page quality research)"

struct transfer {
	struct chaff_buf wire;        /* body bytes as received */
	char encoding[64];            /* Content-Encoding of the last response */
	char ctype[160];              /* Content-Type of the last response */
	bool over_cap;
	bool unwanted_type;
};

void chaff_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void chaff_global_cleanup(void)
{
	curl_global_cleanup();
}

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nitems, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nitems;

	/* A new status line starts a new response (a redirect hop). */
	if (n >= 5 && !memcmp(p, "HTTP/", 5)) {
		t->encoding[0] = t->ctype[0] = '\0';
		chaff_buf_reset(&t->wire);
	} else if (n > 17 && !chaff_strncasecmp(p, "content-encoding:", 17)) {
		copy_value(t->encoding, sizeof(t->encoding), p + 17, n - 17);
	} else if (n > 13 && !chaff_strncasecmp(p, "content-type:", 13)) {
		copy_value(t->ctype, sizeof(t->ctype), p + 13, n - 13);
	}
	return n;
}

/* Pages only: HTML, XHTML or text; anything else is cut off at once. */
static bool wanted_type(const char *ctype)
{
	return !ctype[0] || !chaff_strncasecmp(ctype, "text/", 5) ||
	       chaff_memcasemem(ctype, strlen(ctype), "html") != NULL;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb;

	if (!wanted_type(t->ctype)) {
		t->unwanted_type = true;
		return 0;
	}
	if (chaff_buf_append(&t->wire, p, n)) {
		chaff_buf_append(&t->wire, p, t->wire.max - t->wire.len);
		t->over_cap = true;
		return 0;  /* aborts the transfer: we keep what fits */
	}
	return n;
}

bool chaff_addr_is_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);

		return (a >> 24) == 127 || (a >> 24) == 10 || (a >> 24) == 0 ||
		       (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
		       (a >> 16) == (169u << 8 | 254) || (a >> 22) == (100u << 2 | 1);
	}
	if (sa->sa_family == AF_INET6) {
		const unsigned char *b =
			((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		static const unsigned char loop[16] = {[15] = 1};
		static const unsigned char v4map[12] = {[10] = 0xff, [11] = 0xff};

		if (!memcmp(b, loop, 16) || (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
			return true;
		if (!memcmp(b, v4map, 12)) {
			struct sockaddr_in v4;

			memset(&v4, 0, sizeof(v4));
			v4.sin_family = AF_INET;
			memcpy(&v4.sin_addr, b + 12, 4);
			return chaff_addr_is_private((const struct sockaddr *)(const void *)&v4);
		}
	}
	return false;
}

/* Refuse loopback and private addresses before connecting (SSRF guard). */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	bool *refused = clientp;

	(void)purpose;
	if (chaff_addr_is_private(&addr->addr)) {
		*refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

static enum chaff_err finish(struct chaff_page *page, struct transfer *t, CURL *h,
                             const struct chaff_limits *lim, char *why)
{
	long status = 0;
	char *final_url = NULL;
	bool cut = false;
	enum chaff_err err;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &final_url);
	page->status = (int)status;
	free(page->url);
	page->url = chaff_xstrdup(final_url ? final_url : "");
	chaff_page_set_content_type(page, t->ctype, strlen(t->ctype));
	page->kind = CHAFF_PAGE_SNIFF;
	if (page->content_type && !strcmp(page->content_type, "text/plain"))
		page->kind = CHAFF_PAGE_TEXT;
	else if (page->content_type && strstr(page->content_type, "html"))
		page->kind = CHAFF_PAGE_HTML;
	chaff_buf_reset(&page->body);
	page->body.max = lim->max_decoded_bytes;
	err = chaff_content_decode(t->encoding, t->wire.data ? t->wire.data : "", t->wire.len,
	                           &page->body, &cut, why);
	page->truncated = t->over_cap || cut || err == CHAFF_ERR_TRUNCATED;
	if (err == CHAFF_ERR_TRUNCATED)
		err = CHAFF_OK;
	if (err)
		return err;
	if (page->kind == CHAFF_PAGE_SNIFF)
		page->kind = chaff_sniff_kind(page->body.data ? page->body.data : "", page->body.len);
	if (status < 200 || status > 299) {
		chaff_why(why, "HTTP status %ld", status);
		return CHAFF_ERR_HTTP;
	}
	return CHAFF_OK;
}

enum chaff_err chaff_fetch(struct chaff_page *page, const char *url,
                           const struct chaff_fetch_opts *opts,
                           const struct chaff_limits *lim, char *why)
{
	struct transfer t;
	CURL *h;
	CURLcode rc;
	bool refused = false;
	enum chaff_err err;

	if (chaff_strncasecmp(url, "http://", 7) && chaff_strncasecmp(url, "https://", 8)) {
		chaff_why(why, "only http and https URLs are fetched");
		return CHAFF_ERR_NOT_ALLOWED;
	}
	h = curl_easy_init();
	if (!h) {
		chaff_why(why, "cannot start libcurl");
		return CHAFF_ERR_FETCH;
	}
	memset(&t, 0, sizeof(t));
	chaff_buf_init(&t.wire, lim->max_input_bytes);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)lim->max_redirects);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, lim->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, lim->fetch_timeout_ms);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 100L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 15L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, opts && opts->user_agent ? opts->user_agent : DEFAULT_UA);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip, deflate, br");
	curl_easy_setopt(h, CURLOPT_HTTP_CONTENT_DECODING, 0L);  /* we decode, capped */
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
	if (!(opts && opts->allow_private)) {
		curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
		curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &refused);
	}
	rc = curl_easy_perform(h);
	if (refused) {
		chaff_why(why, "refusing a loopback or private address");
		err = CHAFF_ERR_NOT_ALLOWED;
	} else if (t.unwanted_type) {
		chaff_why(why, "not a page: content type %.80s", t.ctype);
		err = CHAFF_ERR_UNSUPPORTED;
	} else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.over_cap)) {
		chaff_why(why, "%s", curl_easy_strerror(rc));
		err = CHAFF_ERR_FETCH;
	} else {
		err = finish(page, &t, h, lim, why);
	}
	curl_easy_cleanup(h);
	chaff_buf_release(&t.wire);
	return err;
}
