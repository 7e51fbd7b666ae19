/*
 * warc_write.c - the WARC writer: WARC/1.1 records, each one gzip member
 * written with one write(2), digests computed here so they always match
 * the bytes stored. Append mode (resume) keeps the complete members of an
 * interrupted file and cuts what a kill left half written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "chaff.h"

#define SCAN_CHUNK (256u * 1024u)
#define HEAD_PEEK 4096u   /* bytes of a member's output looked at for its WARC-Type */

struct chaff_warc_writer {
	int fd;
	bool to_stdout;
	bool broken;          /* a write failed: the file may end in a partial member */
	char *path;
	char *open_path;
	uint64_t size;        /* bytes of complete members */
	z_stream zs;
	struct chaff_buf head;
	unsigned char *out;   /* compressed member */
	size_t out_cap;
};

/* ---- record IDs and dates ---- */

static void fill_random(unsigned char *p, size_t n)
{
	static uint64_t counter;
	ssize_t got = getrandom(p, n, 0);
	uint64_t mix;
	size_t i;

	if (got == (ssize_t)n)
		return;
	/* No getrandom: still unique within and across runs, if not secret. */
	mix = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (++counter * 0x9e3779b97f4a7c15ull);
	for (i = 0; i < n; i++) {
		mix = chaff_hash64(&mix, sizeof(mix), i + counter);
		p[i] = (unsigned char)mix;
	}
}

void chaff_warc_new_id(char id[CHAFF_WARC_ID_MAX])
{
	unsigned char u[16];
	char hex[33];

	fill_random(u, sizeof(u));
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);  /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);  /* RFC 4122 variant */
	chaff_hex(u, sizeof(u), hex);
	snprintf(id, CHAFF_WARC_ID_MAX, "<urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s>", hex, hex + 8,
	         hex + 12, hex + 16, hex + 20);
}

static void format_date(int64_t when, char out[32])
{
	time_t t = when ? (time_t)when : time(NULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* ---- opening: new file, or continue the complete part of one ---- */

struct scan {
	uint64_t keep;          /* end of the last complete member that is not a request */
	uint64_t member_start;
	bool in_member;
	unsigned char peek[HEAD_PEEK];
	size_t npeek;
};

static bool peek_is_warc(const struct scan *s)
{
	return s->npeek >= 5 && !memcmp(s->peek, "WARC/", 5);
}

static bool peek_is_request(const struct scan *s)
{
	const char *p = (const char *)s->peek;
	size_t n = s->npeek;
	const char *end = NULL;
	size_t i;

	for (i = 0; i + 3 < n; i++)
		if (!memcmp(p + i, "\r\n\r\n", 4)) {
			end = p + i;
			break;
		}
	return chaff_memcasemem(p, end ? (size_t)(end - p) : n, "\r\nWARC-Type: request\r\n") != NULL;
}

/* Inflate every member of fd from the start; set s->keep. */
static enum chaff_err scan_members(int fd, struct scan *s, char *why)
{
	unsigned char *in = chaff_xmalloc(SCAN_CHUNK), *out = chaff_xmalloc(SCAN_CHUNK);
	z_stream zs;
	uint64_t in_off = 0;   /* file offset of in[0] */
	enum chaff_err err = CHAFF_OK;
	bool done = false;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		chaff_why(why, "cannot start zlib");
		err = CHAFF_ERR_IO;
		done = true;
	}
	while (!done) {
		ssize_t got;

		if (zs.avail_in == 0) {
			in_off += (uint64_t)(zs.next_in ? zs.next_in - in : 0);
			got = read(fd, in, SCAN_CHUNK);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				chaff_why(why, "read error: %s", strerror(errno));
				err = CHAFF_ERR_IO;
				break;
			}
			if (got == 0)
				break;  /* end of file: a member in progress is incomplete */
			zs.next_in = in;
			zs.avail_in = (uInt)got;
		}
		if (!s->in_member) {
			s->in_member = true;
			s->member_start = in_off + (uint64_t)(zs.next_in - in);
			s->npeek = 0;
		}
		while (zs.avail_in) {
			unsigned char *before = zs.next_out = out;
			int rc;

			zs.avail_out = SCAN_CHUNK;
			rc = inflate(&zs, Z_NO_FLUSH);
			if (s->npeek < HEAD_PEEK) {
				size_t made = (size_t)(zs.next_out - before), take = HEAD_PEEK - s->npeek;

				if (take > made)
					take = made;
				memcpy(s->peek + s->npeek, before, take);
				s->npeek += take;
			}
			if (rc == Z_STREAM_END) {
				if (!peek_is_warc(s)) {
					done = true;  /* not a WARC record: keep nothing from here */
					break;
				}
				if (!peek_is_request(s))
					s->keep = in_off + (uint64_t)(zs.next_in - in);
				s->in_member = false;
				inflateReset(&zs);
				break;
			}
			if (rc != Z_OK && rc != Z_BUF_ERROR) {
				done = true;  /* damage: cut here */
				break;
			}
		}
	}
	inflateEnd(&zs);
	free(in);
	free(out);
	return err;
}

static enum chaff_err open_append(struct chaff_warc_writer *w, char *why)
{
	struct scan s;
	enum chaff_err err;

	memset(&s, 0, sizeof(s));
	w->fd = open(w->open_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		chaff_why(why, "%s: %s", w->open_path, strerror(errno));
		return CHAFF_ERR_IO;
	}
	err = scan_members(w->fd, &s, why);
	if (err)
		return err;
	if (ftruncate(w->fd, (off_t)s.keep) || lseek(w->fd, (off_t)s.keep, SEEK_SET) < 0) {
		chaff_why(why, "%s: %s", w->open_path, strerror(errno));
		return CHAFF_ERR_IO;
	}
	w->size = s.keep;
	return CHAFF_OK;
}

enum chaff_err chaff_warc_writer_open(struct chaff_warc_writer **out, const char *path,
                                      bool append, char *why)
{
	struct chaff_warc_writer *w = chaff_xcalloc(1, sizeof(*w));
	enum chaff_err err = CHAFF_OK;

	*out = NULL;
	w->fd = -1;
	chaff_buf_init(&w->head, 64 * 1024);
	if (deflateInit2(&w->zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		chaff_why(why, "cannot start zlib");
		chaff_buf_release(&w->head);
		free(w);
		return CHAFF_ERR_IO;
	}
	if (!strcmp(path, "-")) {
		if (append) {
			chaff_why(why, "cannot append to standard output");
			err = CHAFF_ERR_USAGE;
			goto out;
		}
		w->to_stdout = true;
		w->fd = STDOUT_FILENO;
		w->path = chaff_xstrdup(path);
		goto out;
	}
	w->path = chaff_xstrdup(path);
	w->open_path = chaff_xmalloc(chaff_st_add(strlen(path), 6));
	snprintf(w->open_path, strlen(path) + 6, "%s.open", path);
	if (append) {
		err = open_append(w, why);
	} else {
		w->fd = open(w->open_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (w->fd < 0) {
			chaff_why(why, "%s: %s", w->open_path, strerror(errno));
			err = CHAFF_ERR_IO;
		}
	}
out:
	if (err) {
		chaff_warc_writer_abandon(w);
		return err;
	}
	*out = w;
	return CHAFF_OK;
}

uint64_t chaff_warc_writer_tell(const struct chaff_warc_writer *w)
{
	return w->size;
}

/* ---- one record ---- */

static bool field_ok(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
			return false;
	return true;
}

/* "Name: value\r\n" lines only: a field injected by a bare CR or LF, or a
 * line without a name, would change what readers see. */
static bool extra_ok(const char *s)
{
	while (*s) {
		const char *eol = strstr(s, "\r\n"), *colon;
		const char *p;

		if (!eol)
			return false;
		colon = memchr(s, ':', (size_t)(eol - s));
		if (!colon || colon == s)
			return false;
		for (p = s; p < eol; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				return false;
		s = eol + 2;
	}
	return true;
}

static void digest_field(struct chaff_buf *b, const char *name, const void *p, size_t n)
{
	struct chaff_digest d;
	unsigned char raw[32];
	char b32[40];
	size_t len;

	chaff_digest_init(&d, CHAFF_SHA1);
	chaff_digest_update(&d, p, n);
	len = chaff_digest_final(&d, raw);
	chaff_base32(raw, len, b32);
	chaff_buf_printf(b, "%s: sha1:%s\r\n", name, b32);
}

static enum chaff_err build_head(struct chaff_warc_writer *w, const struct chaff_warc_out *r,
                                 char *why)
{
	char id[CHAFF_WARC_ID_MAX], date[32];
	struct chaff_buf *b = &w->head;
	const char *block = r->block ? r->block : "";

	if (!r->type || !r->type[0] || !field_ok(r->type) ||
	    (r->record_id && !field_ok(r->record_id)) ||
	    (r->target_uri && !field_ok(r->target_uri)) ||
	    (r->content_type && !field_ok(r->content_type))) {
		chaff_why(why, "a WARC field value is empty or not one line of printable ASCII");
		return CHAFF_ERR_USAGE;
	}
	if (r->extra_fields && !extra_ok(r->extra_fields)) {
		chaff_why(why, "extra WARC fields are not \"Name: value\" lines ending in CRLF");
		return CHAFF_ERR_USAGE;
	}
	if (r->payload_at != SIZE_MAX && r->payload_at > r->n) {
		chaff_why(why, "payload offset %zu past the block (%zu bytes)", r->payload_at, r->n);
		return CHAFF_ERR_USAGE;
	}
	if (!r->record_id)
		chaff_warc_new_id(id);
	format_date(r->date, date);
	chaff_buf_reset(b);
	chaff_buf_printf(b, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: %s\r\nWARC-Date: %s\r\n",
	                 r->type, r->record_id ? r->record_id : id, date);
	if (r->target_uri)
		chaff_buf_printf(b, "WARC-Target-URI: %s\r\n", r->target_uri);
	if (r->content_type)
		chaff_buf_printf(b, "Content-Type: %s\r\n", r->content_type);
	if (r->extra_fields && chaff_buf_puts(b, r->extra_fields)) {
		chaff_why(why, "WARC header over %zu bytes", b->max);
		return CHAFF_ERR_USAGE;
	}
	digest_field(b, "WARC-Block-Digest", block, r->n);
	if (r->payload_at != SIZE_MAX)
		digest_field(b, "WARC-Payload-Digest", block + r->payload_at, r->n - r->payload_at);
	if (chaff_buf_printf(b, "Content-Length: %zu\r\n\r\n", r->n)) {
		chaff_why(why, "WARC header over %zu bytes", b->max);
		return CHAFF_ERR_USAGE;
	}
	return CHAFF_OK;
}

/* Compress n bytes at p into w->out; flush Z_FINISH ends the member. */
static void deflate_part(struct chaff_warc_writer *w, const void *p, size_t n, int flush)
{
	const unsigned char *src = p;

	/* zlib counts in uInt: feed large blocks in pieces. */
	do {
		size_t take = n > (1u << 30) ? (1u << 30) : n;
		int mode, rc;

		w->zs.next_in = (Bytef *)(uintptr_t)src;
		w->zs.avail_in = (uInt)take;
		src += take;
		n -= take;
		mode = n ? Z_NO_FLUSH : flush;
		for (;;) {
			size_t used = (size_t)(w->zs.next_out - w->out);

			if (w->out_cap - used < 65536) {
				w->out_cap = chaff_st_mult(w->out_cap, 2);
				w->out = chaff_xrealloc(w->out, w->out_cap);
				w->zs.next_out = w->out + used;
			}
			w->zs.avail_out = (uInt)(w->out_cap - used > (1u << 30) ? (1u << 30)
			                                                        : w->out_cap - used);
			rc = deflate(&w->zs, mode);
			if (mode == Z_FINISH ? rc == Z_STREAM_END : w->zs.avail_in == 0)
				break;
		}
	} while (n);
}

static enum chaff_err write_all(struct chaff_warc_writer *w, const unsigned char *p, size_t n,
                                char *why)
{
	while (n) {
		ssize_t put = write(w->fd, p, n);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0) {
			w->broken = true;
			chaff_why(why, "%s: %s", w->open_path ? w->open_path : "standard output",
			          put < 0 ? strerror(errno) : "nothing written");
			return CHAFF_ERR_IO;
		}
		p += put;
		n -= (size_t)put;
	}
	return CHAFF_OK;
}

enum chaff_err chaff_warc_write(struct chaff_warc_writer *w, const struct chaff_warc_out *r,
                                char *why)
{
	enum chaff_err err;
	size_t len;

	if (w->broken) {
		chaff_why(why, "an earlier write failed");
		return CHAFF_ERR_IO;
	}
	err = build_head(w, r, why);
	if (err)
		return err;
	if (!w->out) {
		w->out_cap = 256 * 1024;
		w->out = chaff_xmalloc(w->out_cap);
	}
	deflateReset(&w->zs);
	w->zs.next_out = w->out;
	deflate_part(w, w->head.data, w->head.len, Z_NO_FLUSH);
	deflate_part(w, r->block ? r->block : "", r->n, Z_NO_FLUSH);
	deflate_part(w, "\r\n\r\n", 4, Z_FINISH);
	len = (size_t)(w->zs.next_out - w->out);
	err = write_all(w, w->out, len, why);
	if (err)
		return err;
	w->size += len;
	return CHAFF_OK;
}

/* ---- closing ---- */

static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? chaff_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
	                  : chaff_xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);  /* best effort: makes the rename durable */
		close(fd);
	}
	free(dir);
}

static void release(struct chaff_warc_writer *w)
{
	deflateEnd(&w->zs);
	chaff_buf_release(&w->head);
	free(w->out);
	free(w->path);
	free(w->open_path);
	free(w);
}

enum chaff_err chaff_warc_writer_close(struct chaff_warc_writer *w, char *why)
{
	enum chaff_err err = CHAFF_OK;

	if (!w)
		return CHAFF_OK;
	if (w->to_stdout) {
		release(w);
		return CHAFF_OK;
	}
	if (w->broken) {
		chaff_why(why, "%s: an earlier write failed; not published", w->open_path);
		err = CHAFF_ERR_IO;
	} else if (fsync(w->fd) && errno != EINVAL) {
		chaff_why(why, "%s: %s", w->open_path, strerror(errno));
		err = CHAFF_ERR_IO;
	}
	if (close(w->fd) && !err) {
		chaff_why(why, "%s: %s", w->open_path, strerror(errno));
		err = CHAFF_ERR_IO;
	}
	if (!err && rename(w->open_path, w->path)) {
		chaff_why(why, "%s: %s", w->path, strerror(errno));
		err = CHAFF_ERR_IO;
	}
	if (!err)
		sync_dir(w->path);
	release(w);
	return err;
}

void chaff_warc_writer_abandon(struct chaff_warc_writer *w)
{
	if (!w)
		return;
	if (!w->to_stdout && w->fd >= 0)
		close(w->fd);
	release(w);
}
