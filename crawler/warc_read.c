/*
 * warc_read.c - a streaming WARC reader that survives real archives.
 *
 * Two layers. The stream turns the file (plain, or gzip members: one per
 * record, one for the whole file, or concatenated files) into a window of
 * uncompressed bytes and remembers which gzip member each byte came from,
 * so a record's offset is its member's. After damage inside a gzip member
 * the stream sets a barrier: it delivers nothing past the damage until the
 * record layer has closed the record it was reading, so a damaged record
 * never swallows the next one. The record layer parses headers, keeps the
 * block up to a cap, digests all of it, and resynchronises on "WARC/".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "chaff.h"

#define IN_CHUNK (256u * 1024u)
#define WINDOW_MIN (1u << 20)
#define HEAD_MAX (64u * 1024u)
#define MAX_BOUNDS 256

struct bound {
	uint64_t upos;     /* uncompressed offset where a gzip member starts */
	uint64_t member;   /* file offset of that member */
};

struct chaff_warc_reader {
	FILE *f;
	bool own_file;
	bool gzip;
	bool fatal;
	size_t max_block;

	/* compressed input */
	z_stream zs;
	bool z_active;             /* inside a gzip member */
	unsigned char *in;
	uint64_t in_off;           /* file offset of in[0] */
	bool in_eof;

	/* uncompressed window */
	unsigned char *win;
	size_t win_start, win_end, win_cap;
	uint64_t upos;             /* uncompressed offset of win[win_start] */
	bool out_eof;

	struct bound bounds[MAX_BOUNDS];
	size_t nbounds;

	/* damage found by the stream, reported by the record layer */
	bool barrier;
	char damage[CHAFF_WHY_MAX];

	struct chaff_buf head;     /* current record's header, fields point into it */
};

/* ---------------------------------------------------------------- */
/* The stream                                                        */
/* ---------------------------------------------------------------- */

static size_t avail(const struct chaff_warc_reader *r)
{
	return r->win_end - r->win_start;
}

static void consume(struct chaff_warc_reader *r, size_t n)
{
	r->win_start += n;
	r->upos += n;
}

/* Make room for at least need more bytes after win_end. */
static void window_room(struct chaff_warc_reader *r, size_t need)
{
	size_t have = avail(r);

	if (r->win_cap - r->win_end >= need)
		return;
	if (r->win_start) {
		memmove(r->win, r->win + r->win_start, have);
		r->win_start = 0;
		r->win_end = have;
	}
	if (r->win_cap - r->win_end < need) {
		r->win_cap = chaff_st_add(have, need) < WINDOW_MIN ? WINDOW_MIN
		                                                   : chaff_st_add(have, need);
		r->win = chaff_xrealloc(r->win, r->win_cap);
	}
}

/* Put bytes back in front of the window (after a Content-Length overrun). */
static void unread(struct chaff_warc_reader *r, const void *p, size_t n)
{
	size_t have = avail(r);

	if (r->win_start >= n) {
		r->win_start -= n;
	} else {
		unsigned char *grown = chaff_xmalloc(chaff_st_add(chaff_st_add(have, n), WINDOW_MIN));

		memcpy(grown + n, r->win + r->win_start, have);
		free(r->win);
		r->win = grown;
		r->win_cap = have + n + WINDOW_MIN;
		r->win_start = 0;
		r->win_end = have + n;
	}
	memcpy(r->win + r->win_start, p, n);
	r->upos -= n;
}

static uint64_t in_pos(const struct chaff_warc_reader *r)
{
	return r->in_off + (uint64_t)(r->zs.next_in - r->in);
}

/* Refill the compressed buffer; false at end of file. */
static bool refill(struct chaff_warc_reader *r)
{
	size_t keep = r->zs.avail_in, got;
	uint64_t at = in_pos(r);

	if (r->in_eof)
		return keep > 0;
	if (keep)
		memmove(r->in, r->zs.next_in, keep);
	r->in_off = at;  /* file offset of what is now in[0] */
	got = fread(r->in + keep, 1, IN_CHUNK - keep, r->f);
	if (got == 0) {
		if (ferror(r->f)) {
			snprintf(r->damage, sizeof(r->damage), "offset %llu: read error: %s",
			         (unsigned long long)in_pos(r), strerror(errno));
			r->fatal = true;
		}
		r->in_eof = true;
	}
	r->zs.next_in = r->in;
	r->zs.avail_in = (uInt)(keep + got);
	return r->zs.avail_in > 0;
}

static void note_damage(struct chaff_warc_reader *r, const char *msg, uint64_t at)
{
	if (!r->damage[0])
		snprintf(r->damage, sizeof(r->damage), "offset %llu: %s", (unsigned long long)at, msg);
	r->barrier = true;
}

/* Skip input up to the next gzip magic (1f 8b 08); false at end of file. */
static bool seek_member(struct chaff_warc_reader *r)
{
	for (;;) {
		while (r->zs.avail_in >= 3) {
			unsigned char *p = memchr(r->zs.next_in, 0x1f, r->zs.avail_in - 2);

			if (!p) {
				r->zs.next_in += r->zs.avail_in - 2;
				r->zs.avail_in = 2;
				break;
			}
			r->zs.avail_in -= (uInt)(p - r->zs.next_in);
			r->zs.next_in = p;
			if (p[1] == 0x8b && p[2] == 0x08)
				return true;
			r->zs.next_in++;
			r->zs.avail_in--;
		}
		if (r->in_eof || !refill(r) || (r->in_eof && r->zs.avail_in < 3)) {
			if (r->zs.avail_in < 3) {
				r->zs.next_in += r->zs.avail_in;
				r->zs.avail_in = 0;
				return false;
			}
		}
	}
}

/* Start a gzip member at the input position; false when none follows. */
static bool start_member(struct chaff_warc_reader *r)
{
	uint64_t at;

	/* Padding between members (NUL, newlines) is tolerated silently. */
	for (;;) {
		if (r->zs.avail_in < 3 && !r->in_eof)
			refill(r);
		while (r->zs.avail_in && (r->zs.next_in[0] == 0 || r->zs.next_in[0] == '\n' ||
		                          r->zs.next_in[0] == '\r')) {
			r->zs.next_in++;
			r->zs.avail_in--;
		}
		if (r->zs.avail_in || r->in_eof)
			break;
	}
	if (r->zs.avail_in == 0)
		return false;
	at = in_pos(r);
	if (r->zs.avail_in < 3 || r->zs.next_in[0] != 0x1f || r->zs.next_in[1] != 0x8b) {
		note_damage(r, "bytes that are not a gzip member, skipped to the next member", at);
		if (!seek_member(r))
			return false;
		at = in_pos(r);
	}
	if (r->nbounds == MAX_BOUNDS) {
		memmove(r->bounds, r->bounds + MAX_BOUNDS / 2, (MAX_BOUNDS / 2) * sizeof(r->bounds[0]));
		r->nbounds = MAX_BOUNDS / 2;
	}
	r->bounds[r->nbounds].upos = r->upos + avail(r);
	r->bounds[r->nbounds].member = at;
	r->nbounds++;
	inflateReset2(&r->zs, 15 + 16);
	r->z_active = true;
	return true;
}

static void inflate_some(struct chaff_warc_reader *r)
{
	size_t before;
	int rc;

	if (!r->z_active && !start_member(r)) {
		r->out_eof = true;
		return;
	}
	if (r->zs.avail_in == 0 && !refill(r)) {
		note_damage(r, "gzip member ends early (truncated archive)",
		            r->bounds[r->nbounds - 1].member);
		r->z_active = false;
		r->out_eof = true;
		return;
	}
	window_room(r, 65536);
	r->zs.next_out = r->win + r->win_end;
	r->zs.avail_out = (uInt)(r->win_cap - r->win_end);
	before = r->zs.avail_out;
	rc = inflate(&r->zs, Z_NO_FLUSH);
	r->win_end += before - r->zs.avail_out;
	if (rc == Z_STREAM_END) {
		r->z_active = false;
	} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
		note_damage(r, "corrupt gzip data, skipped to the next member",
		            r->bounds[r->nbounds - 1].member);
		r->z_active = false;
		if (!seek_member(r))
			r->out_eof = true;
	}
}

/* Try to have at least want bytes in the window; returns what is there. */
static size_t fill(struct chaff_warc_reader *r, size_t want)
{
	while (avail(r) < want && !r->out_eof && !r->barrier && !r->fatal) {
		if (r->gzip) {
			inflate_some(r);
		} else {
			size_t got;

			window_room(r, want - avail(r) > 65536 ? want - avail(r) : 65536);
			got = fread(r->win + r->win_end, 1, r->win_cap - r->win_end, r->f);
			r->win_end += got;
			if (got == 0) {
				if (ferror(r->f)) {
					snprintf(r->damage, sizeof(r->damage), "read error: %s",
					         strerror(errno));
					r->fatal = true;
				}
				r->out_eof = true;
			}
		}
	}
	return avail(r);
}

/* The gzip member holding uncompressed offset u (or u itself when plain). */
static uint64_t member_of(struct chaff_warc_reader *r, uint64_t u)
{
	size_t i = r->nbounds;

	if (!r->gzip)
		return u;
	while (i-- > 0)
		if (r->bounds[i].upos <= u) {
			/* Older boundaries are no longer needed. */
			if (i > 0) {
				memmove(r->bounds, r->bounds + i, (r->nbounds - i) * sizeof(r->bounds[0]));
				r->nbounds -= i;
			}
			return r->bounds[0].member;
		}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Opening                                                           */
/* ---------------------------------------------------------------- */

/* Formats that look like archives but are not WARC: say so plainly. */
static const char *foreign_format(const unsigned char *p, size_t n)
{
	if (n >= 3 && !memcmp(p, "BZh", 3))
		return "bzip2-compressed file: not supported (decompress it with bunzip2 first)";
	if (n >= 4 && !memcmp(p, "\x04\x22\x4d\x18", 4))
		return "lz4-compressed file: not supported (decompress it with lz4 -d first)";
	if (n >= 4 && !memcmp(p, "PK\x03\x04", 4))
		return "zip file (WACZ?): not supported (unzip it and read its .warc.gz files)";
	if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return "zstd-compressed file: not supported (decompress it with zstd -d first)";
	if (n >= 11 && !memcmp(p, "filedesc://", 11))
		return "ARC file (WARC's predecessor): not supported";
	return NULL;
}

enum chaff_err chaff_warc_open_file(struct chaff_warc_reader **out, FILE *f, const char *name,
                                    size_t max_block, char *why)
{
	struct chaff_warc_reader *r = chaff_xcalloc(1, sizeof(*r));
	unsigned char *p;
	size_t n;
	const char *foreign;

	(void)name;
	r->f = f;
	r->max_block = max_block;
	r->in = chaff_xmalloc(IN_CHUNK);
	r->zs.next_in = r->in;
	if (inflateInit2(&r->zs, 15 + 16) != Z_OK)
		abort();
	chaff_buf_init(&r->head, HEAD_MAX + 1);
	/* Sniff the first bytes through the compressed buffer. */
	refill(r);
	p = r->zs.next_in;
	n = r->zs.avail_in;
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		r->gzip = true;
	} else {
		/* Plain: move what was read into the window. */
		window_room(r, n);
		memcpy(r->win, p, n);
		r->win_end = n;
		r->zs.avail_in = 0;
		if (r->in_eof)
			r->out_eof = true;
	}
	if (r->gzip)
		fill(r, 16);
	foreign = foreign_format(r->win ? r->win + r->win_start : p, r->win ? avail(r) : n);
	if (foreign) {
		chaff_why(why, "%s", foreign);
		r->own_file = false;
		chaff_warc_close(r);
		*out = NULL;
		return CHAFF_ERR_UNSUPPORTED;
	}
	if (r->fatal) {
		chaff_why(why, "%s", r->damage);
		chaff_warc_close(r);
		*out = NULL;
		return CHAFF_ERR_IO;
	}
	*out = r;
	return CHAFF_OK;
}

enum chaff_err chaff_warc_open(struct chaff_warc_reader **out, const char *path,
                               size_t max_block, char *why)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	enum chaff_err err;

	*out = NULL;
	if (!f) {
		chaff_why(why, "cannot open: %s", strerror(errno));
		return CHAFF_ERR_IO;
	}
	err = chaff_warc_open_file(out, f, path, max_block, why);
	if (err) {
		if (!is_stdin)
			fclose(f);
		return err;
	}
	(*out)->own_file = !is_stdin;
	return CHAFF_OK;
}

void chaff_warc_close(struct chaff_warc_reader *r)
{
	if (!r)
		return;
	if (r->own_file)
		fclose(r->f);
	inflateEnd(&r->zs);
	free(r->in);
	free(r->win);
	chaff_buf_release(&r->head);
	free(r);
}

uint64_t chaff_warc_tell(const struct chaff_warc_reader *r)
{
	return r->gzip ? in_pos(r) : r->upos;
}

/* ---------------------------------------------------------------- */
/* Records                                                           */
/* ---------------------------------------------------------------- */

void chaff_warc_record_init(struct chaff_warc_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	chaff_buf_init(&rec->block, 0);
}

void chaff_warc_record_release(struct chaff_warc_record *rec)
{
	chaff_buf_release(&rec->block);
}

static void record_reset(struct chaff_warc_record *rec, size_t max_block)
{
	struct chaff_buf block = rec->block;

	memset(rec, 0, sizeof(*rec));
	rec->block = block;
	rec->block.max = max_block;
	chaff_buf_reset(&rec->block);
	rec->type = "";
}

const char *chaff_warc_field(const struct chaff_warc_record *rec, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < rec->nfields; i++)
		if (strlen(rec->fields[i].name) == n && !chaff_strncasecmp(rec->fields[i].name, name, n))
			return rec->fields[i].value;
	return NULL;
}

static bool is_blank(unsigned char c)
{
	return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == 0;
}

static bool starts_record(const unsigned char *p, size_t n)
{
	return n >= 5 && !memcmp(p, "WARC/", 5);
}

/*
 * Skip bytes until "WARC/" at the start of a line; returns how many were
 * skipped. Used after damage: stray bytes, a wrong Content-Length.
 */
static uint64_t skip_to_record(struct chaff_warc_reader *r)
{
	uint64_t skipped = 0;
	bool line_start = true;

	for (;;) {
		size_t n = fill(r, 6), i;
		const unsigned char *p = r->win + r->win_start;

		if (n < 5) {
			skipped += n;
			consume(r, n);
			if (r->barrier || r->out_eof || r->fatal)
				return skipped;
			continue;
		}
		for (i = 0; i + 5 <= n; i++) {
			if (line_start && !memcmp(p + i, "WARC/", 5)) {
				consume(r, i);
				return skipped + i;
			}
			line_start = p[i] == '\n';
		}
		/* Keep the last 4 bytes: "WARC/" may straddle the refill. */
		consume(r, n - 4);
		skipped += n - 4;
		line_start = p[n - 5] == '\n';
		if (r->out_eof && avail(r) <= 4) {
			skipped += avail(r);
			consume(r, avail(r));
			return skipped;
		}
	}
}

/* Length of the header up to and including its blank line, or 0. */
static size_t header_end(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
			return i + 3;
		/* CR CR LF line ends, seen in the wild */
		if (p[i + 1] == '\r' && i + 3 < n && p[i + 2] == '\r' && p[i + 3] == '\n')
			return i + 4;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Split the header in r->head into fields; false on a bad version line. */
static bool parse_fields(struct chaff_warc_reader *r, struct chaff_warc_record *rec)
{
	char *p = r->head.data, *line, *next;
	bool first = true;

	for (line = p; line && *line; line = next) {
		char *colon;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line = trim(line);
		if (first) {
			if (strncmp(line, "WARC/", 5))
				return false;
			rec->version = line;
			first = false;
			continue;
		}
		if (!*line)
			break;
		colon = strchr(line, ':');
		if (!colon || colon == line)
			continue;  /* not a field: ignored, like unknown fields */
		*colon = '\0';
		if (rec->nfields == CHAFF_WARC_MAX_FIELDS)
			continue;
		rec->fields[rec->nfields].name = trim(line);
		rec->fields[rec->nfields].value = trim(colon + 1);
		rec->nfields++;
	}
	return !first;
}

static bool parse_length(const char *v, uint64_t *out)
{
	uint64_t n = 0;
	bool digits = false;

	if (!v)
		return false;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t')
			continue;
		if (*v < '0' || *v > '9' || n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*v - '0');
		digits = true;
	}
	*out = n;
	return digits;
}

static void fill_known_fields(struct chaff_warc_record *rec)
{
	const char *t = chaff_warc_field(rec, "WARC-Type");
	char *uri = (char *)chaff_warc_field(rec, "WARC-Target-URI");

	rec->type = t ? t : "";
	rec->record_id = chaff_warc_field(rec, "WARC-Record-ID");
	rec->date = chaff_warc_field(rec, "WARC-Date");
	rec->content_type = chaff_warc_field(rec, "Content-Type");
	if (uri) {
		size_t n = strlen(uri);

		/* WARC/1.0 writers such as wget wrap the URI in <>. */
		if (n >= 2 && uri[0] == '<' && uri[n - 1] == '>') {
			uri[n - 1] = '\0';
			uri++;
		}
		rec->target_uri = uri;
	}
}

/* ---- digests ---- */

struct digest_check {
	const char *want;          /* value after "algo:" */
	struct chaff_digest d;
	bool active;
};

static void digest_start(struct digest_check *c, const char *field)
{
	const char *colon = field ? strchr(field, ':') : NULL;

	c->active = false;
	if (!colon)
		return;
	if (colon - field == 4 && !chaff_strncasecmp(field, "sha1", 4))
		chaff_digest_init(&c->d, CHAFF_SHA1);
	else if (colon - field == 6 && !chaff_strncasecmp(field, "sha256", 6))
		chaff_digest_init(&c->d, CHAFF_SHA256);
	else
		return;
	c->want = colon + 1;
	c->active = true;
}

/* Compare against base32 (classic) or hex (warcio.js) spellings. */
static int digest_result(struct digest_check *c)
{
	unsigned char raw[32];
	char b32[64], hex[72];
	size_t n;

	if (!c->active)
		return 0;
	n = chaff_digest_final(&c->d, raw);
	chaff_base32(raw, n, b32);
	chaff_hex(raw, n, hex);
	if (!chaff_strncasecmp(c->want, b32, strlen(b32) + 1) ||
	    !chaff_strncasecmp(c->want, hex, strlen(hex) + 1))
		return 1;
	/* Some writers drop base32 padding. */
	{
		size_t k = strlen(b32);

		while (k && b32[k - 1] == '=')
			k--;
		if (strlen(c->want) == k && !chaff_strncasecmp(c->want, b32, k))
			return 1;
	}
	return -1;
}

/* Payload digest: the HTTP body after the head, raw or de-chunked. */
static int check_payload(struct chaff_warc_record *rec, const char *field)
{
	struct chaff_http_head h;
	struct digest_check c;
	size_t head;
	int result;

	/* A revisit's payload digest is the original capture's, not this block's. */
	if (!field || rec->block_cut || rec->incomplete || !rec->content_type ||
	    !strcmp(rec->type, "revisit") ||
	    !chaff_memcasemem(rec->content_type, strlen(rec->content_type), "application/http"))
		return 0;
	head = chaff_http_parse_head(rec->block.data, rec->block.len, &h);
	if (!head)
		return 0;
	digest_start(&c, field);
	if (!c.active)
		return 0;
	chaff_digest_update(&c.d, rec->block.data + head, rec->block.len - head);
	result = digest_result(&c);
	if (result < 0 && h.chunked) {
		struct chaff_buf body;

		chaff_buf_init(&body, rec->block.len);
		if (!chaff_http_dechunk(rec->block.data + head, rec->block.len - head, &body)) {
			digest_start(&c, field);
			chaff_digest_update(&c.d, body.data ? body.data : "", body.len);
			result = digest_result(&c);
		}
		chaff_buf_release(&body);
	}
	return result;
}

/*
 * Where the gzip member after the one holding u starts, or UINT64_MAX. In a
 * file of one member per record, that is where the record must end,
 * whatever its Content-Length says.
 */
static uint64_t next_member_start(const struct chaff_warc_reader *r, uint64_t u)
{
	size_t i;

	for (i = 0; i < r->nbounds; i++)
		if (r->bounds[i].upos > u)
			return r->bounds[i].upos;
	return UINT64_MAX;
}

/* Read the block: keep up to the cap, digest everything. */
static void read_block(struct chaff_warc_reader *r, struct chaff_warc_record *rec,
                       bool member_per_record)
{
	uint64_t left = rec->content_length;
	struct digest_check c;

	digest_start(&c, chaff_warc_field(rec, "WARC-Block-Digest"));
	while (left > 0) {
		size_t n = fill(r, left < 65536 ? (size_t)left : 65536);
		size_t take = n < left ? n : (size_t)left;
		const unsigned char *p = r->win + r->win_start;

		if (member_per_record) {
			uint64_t end = next_member_start(r, r->upos);

			if (end != UINT64_MAX && end - r->upos < take) {
				take = (size_t)(end - r->upos);
				snprintf(rec->warning, sizeof(rec->warning),
				         "Content-Length %llu runs past the record's gzip member; "
				         "block cut at %llu bytes",
				         (unsigned long long)rec->content_length,
				         (unsigned long long)(rec->content_length - left + take));
				left = take;  /* this is the last piece */
				c.active = false;
			}
		}
		if (take == 0) {
			rec->incomplete = true;
			break;
		}
		if (c.active)
			chaff_digest_update(&c.d, p, take);
		if (!rec->block_cut) {
			size_t room = rec->block.max - rec->block.len;

			if (take > room) {
				chaff_buf_append(&rec->block, p, room);
				rec->block_cut = true;
			} else {
				chaff_buf_append(&rec->block, p, take);
			}
		}
		consume(r, take);
		left -= take;
	}
	if (!rec->incomplete)
		rec->block_digest_ok = digest_result(&c);
	rec->payload_digest_ok = check_payload(rec, chaff_warc_field(rec, "WARC-Payload-Digest"));
}

/*
 * After the block: CRLF CRLF, then the next "WARC/" or the end. When
 * something else follows and a record header hides inside the block, the
 * Content-Length was too long: cut the block there and read that record
 * next.
 */
static void check_trailer(struct chaff_warc_reader *r, struct chaff_warc_record *rec)
{
	size_t n = fill(r, 8), i = 0;
	const unsigned char *p = r->win + r->win_start;
	const char *hit = NULL;
	size_t k;

	while (i < n && i < 4 && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i == n || starts_record(p + i, n - i) || (n - i < 5 && r->out_eof)) {
		consume(r, i);
		return;
	}
	if (rec->incomplete || rec->block_cut || rec->block.len < 5)
		return;
	for (k = rec->block.len - 5; k > 0; k--) {
		if (rec->block.data[k - 1] == '\n' && !memcmp(rec->block.data + k, "WARC/", 5) &&
		    k >= 2 && (rec->block.data[k - 2] == '\n' || rec->block.data[k - 2] == '\r')) {
			hit = rec->block.data + k;
			break;
		}
	}
	if (!hit) {
		snprintf(rec->warning, sizeof(rec->warning),
		         "Content-Length %llu is not followed by the end of the record",
		         (unsigned long long)rec->content_length);
		return;
	}
	k = (size_t)(hit - rec->block.data);
	snprintf(rec->warning, sizeof(rec->warning),
	         "Content-Length %llu runs into the next record; block cut at %zu bytes",
	         (unsigned long long)rec->content_length, k);
	unread(r, hit, rec->block.len - k);
	rec->block.len = k;
	while (rec->block.len && (rec->block.data[rec->block.len - 1] == '\n' ||
	                          rec->block.data[rec->block.len - 1] == '\r'))
		rec->block.len--;
	rec->block.data[rec->block.len] = '\0';
	rec->block_digest_ok = 0;
}

/* Pending stream damage becomes this call's error; the barrier lifts. */
static enum chaff_err report_damage(struct chaff_warc_reader *r, char *why)
{
	chaff_why(why, "%s", r->damage);
	r->damage[0] = '\0';
	r->barrier = false;
	return r->fatal ? CHAFF_ERR_IO : CHAFF_ERR_MALFORMED;
}

enum chaff_err chaff_warc_next(struct chaff_warc_reader *r, struct chaff_warc_record *rec,
                               char *why)
{
	size_t n, hlen;
	uint64_t start, skipped;

	record_reset(rec, r->max_block);
	if (r->fatal && !r->damage[0])
		return CHAFF_EOF;
	/* Separators between records: CR, LF, spaces, NUL padding. */
	for (;;) {
		n = fill(r, 1);
		if (n == 0)
			break;
		if (!is_blank(r->win[r->win_start]))
			break;
		consume(r, 1);
	}
	if (n == 0) {
		if (r->damage[0])
			return report_damage(r, why);
		return CHAFF_EOF;
	}
	start = r->upos;
	n = fill(r, 5);
	if (!starts_record(r->win + r->win_start, n)) {
		uint64_t at = member_of(r, start);

		skipped = skip_to_record(r);
		if (r->damage[0])
			return report_damage(r, why);
		chaff_why(why, "offset %llu: %llu bytes that are not a WARC record, skipped",
		          (unsigned long long)at, (unsigned long long)skipped);
		return CHAFF_ERR_MALFORMED;
	}
	rec->offset = member_of(r, start);
	/* The header: up to its blank line, at most HEAD_MAX bytes. */
	for (;;) {
		n = fill(r, avail(r) + 1024 < HEAD_MAX ? avail(r) + 1024 : HEAD_MAX);
		hlen = header_end(r->win + r->win_start, n);
		if (hlen || n >= HEAD_MAX || r->out_eof || r->barrier || r->fatal)
			break;
	}
	if (!hlen) {
		bool at_end = n < HEAD_MAX;

		consume(r, 5);  /* past "WARC/": the next call resynchronises */
		if (r->damage[0])
			return report_damage(r, why);
		chaff_why(why, "offset %llu: %s", (unsigned long long)rec->offset,
		          at_end ? "archive ends inside a record header"
		                 : "record header longer than 64 KiB");
		return at_end ? CHAFF_ERR_TRUNCATED : CHAFF_ERR_MALFORMED;
	}
	chaff_buf_reset(&r->head);
	chaff_buf_append(&r->head, r->win + r->win_start, hlen);
	consume(r, hlen);
	if (!parse_fields(r, rec)) {
		chaff_why(why, "offset %llu: bad WARC version line", (unsigned long long)rec->offset);
		return CHAFF_ERR_MALFORMED;
	}
	fill_known_fields(rec);
	if (!parse_length(chaff_warc_field(rec, "Content-Length"), &rec->content_length)) {
		chaff_why(why, "offset %llu: missing or bad Content-Length%s%s",
		          (unsigned long long)rec->offset, rec->record_id ? " in " : "",
		          rec->record_id ? rec->record_id : "");
		return CHAFF_ERR_MALFORMED;
	}
	/* A record that starts its own gzip member ends with it. */
	read_block(r, rec, r->gzip && r->nbounds && r->bounds[0].upos == start);
	if (!rec->incomplete)
		check_trailer(r, rec);
	return CHAFF_OK;
}
