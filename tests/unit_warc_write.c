/*
 * unit_warc_write.c - the WARC writer, read back with chaff's reader:
 * fields, digests, one gzip member per record, atomic publication, refused
 * field values, and append mode cutting what a kill left half written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "chaff.h"
#include "tests/check.h"

static char dir[256];

static const char req_block[] = "GET /a HTTP/1.1\r\nHost: example.org\r\n\r\n";
static const char resp_block[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                 "X-Crawler-Transfer-Encoding: chunked\r\n\r\n"
                                 "<html><body><p>Ibuprofen dosage.</p></body></html>";

static char *path_of(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static enum chaff_err put(struct chaff_warc_writer *w, const char *type, const char *id,
                          const char *extra, const char *block, size_t n, size_t payload_at)
{
	struct chaff_warc_out r;
	char why[CHAFF_WHY_MAX] = "";

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.record_id = id;
	r.target_uri = strcmp(type, "warcinfo") ? "http://example.org/a" : NULL;
	r.content_type = !strcmp(type, "warcinfo") ? "application/warc-fields"
	                 : !strcmp(type, "request") ? "application/http; msgtype=request"
	                 : "application/http; msgtype=response";
	r.extra_fields = extra;
	r.date = 1700000000;
	r.block = block;
	r.n = n;
	r.payload_at = payload_at;
	return chaff_warc_write(w, &r, why);
}

/* warcinfo, request, response: the crawler's shape. */
static void put_pair(struct chaff_warc_writer *w, bool info)
{
	char req_id[CHAFF_WARC_ID_MAX], resp_id[CHAFF_WARC_ID_MAX], f[128];
	static const char info_block[] = "software: chaff test\r\n";

	chaff_warc_new_id(req_id);
	chaff_warc_new_id(resp_id);
	if (info)
		CHECK_INT(put(w, "warcinfo", NULL, NULL, info_block, strlen(info_block), SIZE_MAX),
		          CHAFF_OK);
	snprintf(f, sizeof(f), "WARC-Concurrent-To: %s\r\n", resp_id);
	CHECK_INT(put(w, "request", req_id, f, req_block, strlen(req_block), SIZE_MAX), CHAFF_OK);
	snprintf(f, sizeof(f), "WARC-Concurrent-To: %s\r\nWARC-Protocol: http/1.1\r\n", req_id);
	CHECK_INT(put(w, "response", resp_id, f, resp_block, strlen(resp_block),
	              strstr(resp_block, "\r\n\r\n") + 4 - resp_block), CHAFF_OK);
}

/* The payload digest recomputed here: the reader does not check it again
 * once the block digest matched. 1 match, -1 mismatch, 0 absent. */
static int payload_digest(const struct chaff_warc_record *rec)
{
	const char *want = chaff_warc_field(rec, "WARC-Payload-Digest");
	const char *head = rec->block.data ? strstr(rec->block.data, "\r\n\r\n") : NULL;
	struct chaff_digest d;
	unsigned char raw[32];
	char b32[40];

	if (!want)
		return 0;
	if (!head || strncmp(want, "sha1:", 5))
		return -1;
	head += 4;
	chaff_digest_init(&d, CHAFF_SHA1);
	chaff_digest_update(&d, head, rec->block.len - (size_t)(head - rec->block.data));
	chaff_base32(raw, chaff_digest_final(&d, raw), b32);
	return strcmp(want + 5, b32) ? -1 : 1;
}

struct readback {
	size_t n, errors, responses, bad_digests;
	char types[16][16];
};

static void read_all(const char *path, struct readback *rb)
{
	struct chaff_warc_reader *r;
	struct chaff_warc_record rec;
	char why[CHAFF_WHY_MAX] = "";
	enum chaff_err err;

	memset(rb, 0, sizeof(*rb));
	if (chaff_warc_open(&r, path, 8u << 20, why)) {
		rb->errors++;
		return;
	}
	chaff_warc_record_init(&rec);
	while ((err = chaff_warc_next(r, &rec, why)) != CHAFF_EOF) {
		if (err) {
			rb->errors++;
			if (err == CHAFF_ERR_IO)
				break;
			continue;
		}
		if (rb->n < 16)
			snprintf(rb->types[rb->n], sizeof(rb->types[0]), "%s", rec.type);
		rb->n++;
		if (rec.block_digest_ok != 1 || rec.payload_digest_ok == -1 || rec.incomplete)
			rb->bad_digests++;
		if (!strcmp(rec.type, "response")) {
			rb->responses++;
			if (payload_digest(&rec) != 1)
				rb->bad_digests++;
		}
	}
	chaff_warc_record_release(&rec);
	chaff_warc_close(r);
}

static size_t count_members(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char in[4096], out[8192];
	z_stream zs;
	size_t members = 0;
	int rc = Z_OK;

	if (!f)
		return 0;
	memset(&zs, 0, sizeof(zs));
	inflateInit2(&zs, 15 + 16);
	for (;;) {
		if (!zs.avail_in) {
			zs.avail_in = (uInt)fread(in, 1, sizeof(in), f);
			zs.next_in = in;
			if (!zs.avail_in)
				break;
		}
		zs.next_out = out;
		zs.avail_out = sizeof(out);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			members++;
			inflateReset(&zs);
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			break;
		}
	}
	inflateEnd(&zs);
	fclose(f);
	return members;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

static void test_roundtrip(void)
{
	struct chaff_warc_writer *w;
	struct chaff_warc_reader *r;
	struct chaff_warc_record rec;
	struct readback rb;
	char why[CHAFF_WHY_MAX] = "", id[CHAFF_WARC_ID_MAX];
	char out[512];

	snprintf(out, sizeof(out), "%s", path_of("one.warc.gz"));
	CHECK_INT(chaff_warc_writer_open(&w, out, false, why), CHAFF_OK);
	CHECK_INT(chaff_warc_writer_tell(w), 0);
	put_pair(w, true);
	CHECK(chaff_warc_writer_tell(w) > 0);
	CHECK(file_size(path_of("one.warc.gz.open")) == (off_t)chaff_warc_writer_tell(w));
	CHECK(file_size(out) < 0);  /* not published before close */
	CHECK_INT(chaff_warc_writer_close(w, why), CHAFF_OK);
	CHECK(file_size(out) > 0);
	CHECK(file_size(path_of("one.warc.gz.open")) < 0);
	CHECK_INT(count_members(out), 3);
	read_all(out, &rb);
	CHECK_INT(rb.n, 3);
	CHECK_INT(rb.errors, 0);
	CHECK_INT(rb.bad_digests, 0);
	CHECK_STR(rb.types[0], "warcinfo");
	CHECK_STR(rb.types[1], "request");
	CHECK_STR(rb.types[2], "response");

	/* The fields as written, and the IDs given. */
	CHECK_INT(chaff_warc_writer_open(&w, out, false, why), CHAFF_OK);
	chaff_warc_new_id(id);
	CHECK_INT(put(w, "response", id, "WARC-Truncated: length\r\n", resp_block,
	              strlen(resp_block), strstr(resp_block, "\r\n\r\n") + 4 - resp_block),
	          CHAFF_OK);
	CHECK_INT(chaff_warc_writer_close(w, why), CHAFF_OK);
	CHECK_INT(chaff_warc_open(&r, out, 1 << 20, why), CHAFF_OK);
	chaff_warc_record_init(&rec);
	CHECK_INT(chaff_warc_next(r, &rec, why), CHAFF_OK);
	CHECK_STR(rec.version, "WARC/1.1");
	CHECK_STR(rec.record_id, id);
	CHECK_STR(rec.date, "2023-11-14T22:13:20Z");
	CHECK_STR(rec.target_uri, "http://example.org/a");
	CHECK_STR(rec.content_type, "application/http; msgtype=response");
	CHECK_STR(chaff_warc_field(&rec, "WARC-Truncated"), "length");
	CHECK(chaff_warc_field(&rec, "WARC-Block-Digest") &&
	      !strncmp(chaff_warc_field(&rec, "WARC-Block-Digest"), "sha1:", 5));
	CHECK_INT(rec.content_length, strlen(resp_block));
	CHECK(rec.block.len == strlen(resp_block) && !memcmp(rec.block.data, resp_block, rec.block.len));
	CHECK_INT(rec.block_digest_ok, 1);
	CHECK(rec.payload_digest_ok != -1);
	CHECK_INT(payload_digest(&rec), 1);
	CHECK_INT(chaff_warc_next(r, &rec, why), CHAFF_EOF);
	chaff_warc_record_release(&rec);
	chaff_warc_close(r);
}

/* A block larger than the writer's first buffer, and an empty one. */
static void test_sizes(void)
{
	struct chaff_warc_writer *w;
	struct readback rb;
	char why[CHAFF_WHY_MAX] = "";
	size_t n = 3u << 20, i, head = 19;
	char *big = malloc(n);
	uint32_t x = 1;

	memcpy(big, "HTTP/1.1 200 OK\r\n\r\n", head);
	for (i = head; i < n; i++) {
		x = x * 1103515245u + 12345u;  /* barely compressible */
		big[i] = (char)(x >> 24);
	}
	CHECK_INT(chaff_warc_writer_open(&w, path_of("big.warc.gz"), false, why), CHAFF_OK);
	CHECK_INT(put(w, "response", NULL, NULL, big, n, head), CHAFF_OK);
	CHECK_INT(put(w, "resource", NULL, NULL, NULL, 0, SIZE_MAX), CHAFF_OK);
	CHECK_INT(chaff_warc_writer_close(w, why), CHAFF_OK);
	read_all(path_of("big.warc.gz"), &rb);
	CHECK_INT(rb.n, 2);
	CHECK_INT(rb.errors, 0);
	CHECK_INT(rb.bad_digests, 0);
	free(big);
}

static void test_refused(void)
{
	struct chaff_warc_writer *w;
	struct chaff_warc_out r;
	char why[CHAFF_WHY_MAX] = "";
	uint64_t size;

	CHECK_INT(chaff_warc_writer_open(&w, path_of("bad.warc.gz"), false, why), CHAFF_OK);
	put_pair(w, true);
	size = chaff_warc_writer_tell(w);
	memset(&r, 0, sizeof(r));
	r.type = "response";
	r.block = "x";
	r.n = 1;
	r.payload_at = SIZE_MAX;
	r.target_uri = "http://example.org/\r\nWARC-Type: revisit";
	CHECK_INT(chaff_warc_write(w, &r, why), CHAFF_ERR_USAGE);
	r.target_uri = "http://example.org/caf\xc3\xa9";
	CHECK_INT(chaff_warc_write(w, &r, why), CHAFF_ERR_USAGE);
	r.target_uri = NULL;
	r.type = "";
	CHECK_INT(chaff_warc_write(w, &r, why), CHAFF_ERR_USAGE);
	r.type = "response";
	r.extra_fields = "WARC-Truncated: length";  /* no CRLF */
	CHECK_INT(chaff_warc_write(w, &r, why), CHAFF_ERR_USAGE);
	r.extra_fields = "no colon\r\n";
	CHECK_INT(chaff_warc_write(w, &r, why), CHAFF_ERR_USAGE);
	r.extra_fields = "A: b\nWARC-Type: x\r\n";
	CHECK_INT(chaff_warc_write(w, &r, why), CHAFF_ERR_USAGE);
	r.extra_fields = ": empty name\r\n";
	CHECK_INT(chaff_warc_write(w, &r, why), CHAFF_ERR_USAGE);
	r.extra_fields = NULL;
	r.payload_at = 2;
	CHECK_INT(chaff_warc_write(w, &r, why), CHAFF_ERR_USAGE);
	CHECK(strstr(why, "payload") != NULL);
	CHECK_INT(chaff_warc_writer_tell(w), size);  /* nothing written */
	CHECK_INT(chaff_warc_writer_close(w, why), CHAFF_OK);
	CHECK_INT(chaff_warc_writer_open(&w, "-", true, why), CHAFF_ERR_USAGE);
	CHECK_INT(chaff_warc_writer_open(&w, "/nonexistent-dir/x.warc.gz", false, why),
	          CHAFF_ERR_IO);
	CHECK(strstr(why, "nonexistent-dir") != NULL);
	chaff_warc_writer_abandon(NULL);
	CHECK_INT(chaff_warc_writer_close(NULL, why), CHAFF_OK);
}

static void append_bytes(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	CHECK(fd >= 0 && write(fd, p, n) == (ssize_t)n);
	if (fd >= 0)
		close(fd);
}

/* What a kill leaves, and what append mode keeps of it. */
static void test_append(void)
{
	struct chaff_warc_writer *w;
	struct readback rb;
	char why[CHAFF_WHY_MAX] = "", out[512], open_path[520];
	uint64_t after_pair, after_two;
	unsigned char *full;
	FILE *f;
	size_t n;

	snprintf(out, sizeof(out), "%s", path_of("resume.warc.gz"));
	snprintf(open_path, sizeof(open_path), "%s.open", out);

	/* Missing file: starts empty. */
	CHECK_INT(chaff_warc_writer_open(&w, out, true, why), CHAFF_OK);
	CHECK_INT(chaff_warc_writer_tell(w), 0);
	put_pair(w, true);
	after_pair = chaff_warc_writer_tell(w);
	put_pair(w, false);
	after_two = chaff_warc_writer_tell(w);
	chaff_warc_writer_abandon(w);  /* killed: .open stays */
	CHECK(file_size(open_path) == (off_t)after_two);
	CHECK(file_size(out) < 0);

	/* A member cut in the middle by the kill is dropped. */
	f = fopen(open_path, "rb");
	full = malloc(after_two);
	n = fread(full, 1, after_two, f);
	fclose(f);
	CHECK_INT(n, after_two);
	append_bytes(open_path, full + after_pair, (size_t)(after_two - after_pair) / 2);
	CHECK_INT(chaff_warc_writer_open(&w, out, true, why), CHAFF_OK);
	CHECK_INT(chaff_warc_writer_tell(w), after_two);
	chaff_warc_writer_abandon(w);
	CHECK(file_size(open_path) == (off_t)after_two);

	/* A request left without its response is dropped too. */
	{
		/* the second pair's request member alone */
		unsigned char *p = full + after_pair;
		size_t len = (size_t)(after_two - after_pair), req_len = 0;
		z_stream zs;
		unsigned char sink[8192];

		memset(&zs, 0, sizeof(zs));
		inflateInit2(&zs, 15 + 16);
		zs.next_in = p;
		zs.avail_in = (uInt)len;
		do {
			zs.next_out = sink;
			zs.avail_out = sizeof(sink);
		} while (inflate(&zs, Z_NO_FLUSH) == Z_OK);
		req_len = len - zs.avail_in;
		inflateEnd(&zs);
		append_bytes(open_path, p, req_len);
		CHECK(file_size(open_path) == (off_t)(after_two + req_len));
	}
	CHECK_INT(chaff_warc_writer_open(&w, out, true, why), CHAFF_OK);
	CHECK_INT(chaff_warc_writer_tell(w), after_two);
	put_pair(w, false);
	CHECK_INT(chaff_warc_writer_close(w, why), CHAFF_OK);
	read_all(out, &rb);
	CHECK_INT(rb.n, 7);
	CHECK_INT(rb.errors, 0);
	CHECK_INT(rb.bad_digests, 0);
	CHECK_INT(rb.responses, 3);
	CHECK_INT(count_members(out), 7);

	/* Not a WARC at all: nothing kept. */
	f = fopen(open_path, "wb");
	fputs("this is not gzip", f);
	fclose(f);
	CHECK_INT(chaff_warc_writer_open(&w, out, true, why), CHAFF_OK);
	CHECK_INT(chaff_warc_writer_tell(w), 0);
	chaff_warc_writer_abandon(w);
	CHECK(file_size(open_path) == 0);

	/* gzip, but not WARC records: nothing kept either. */
	{
		gzFile gz = gzopen(open_path, "wb");

		gzputs(gz, "hello, not a WARC record\n");
		gzclose(gz);
	}
	CHECK_INT(chaff_warc_writer_open(&w, out, true, why), CHAFF_OK);
	CHECK_INT(chaff_warc_writer_tell(w), 0);
	chaff_warc_writer_abandon(w);
	free(full);
}

static void test_ids(void)
{
	char a[CHAFF_WARC_ID_MAX], b[CHAFF_WARC_ID_MAX];

	chaff_warc_new_id(a);
	chaff_warc_new_id(b);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(strlen(a), 47);
	CHECK(!strncmp(a, "<urn:uuid:", 10) && a[46] == '>');
	CHECK(a[10 + 14] == '4');  /* version 4 */
	CHECK(strchr("89ab", a[10 + 19]) != NULL);
}

static void cleanup(void)
{
	static const char *const names[] = {
		"one.warc.gz", "big.warc.gz", "bad.warc.gz", "resume.warc.gz", "resume.warc.gz.open",
		"one.warc.gz.open", "bad.warc.gz.open",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path_of(names[i]));
	rmdir(dir);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/chaff-warc-write.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_roundtrip();
	test_sizes();
	test_refused();
	test_append();
	test_ids();
	cleanup();
	return check_summary();
}
