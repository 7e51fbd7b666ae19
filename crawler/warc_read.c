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
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "crawler/warc_internal.h"

#define IN_CHUNK (256u * 1024u)
#define POOL_IN_CHUNK (1024u * 1024u)   /* read ahead for the member pool */
#define POOL_MAX_OUT ((size_t)2 << 20)  /* larger members are inflated by the reader */
#define WINDOW_MIN (1u << 20)
#define HEAD_MAX (64u * 1024u)
#define MAX_BOUNDS 256
#define STRAY_MAX (64u * 1024u)
#define TRAILER_KEEP 8u            /* consumed input kept across refills: a gzip trailer */

struct bound {
	uint64_t upos;     /* uncompressed offset where a gzip member starts */
	uint64_t member;   /* file offset of that member */
};

struct chaff_warc_reader {
	FILE *f;
	bool own_file;
	bool gzip;
	bool fatal;
	bool defer_digests;        /* blocks kept whole: digests left to the caller */
	size_t max_block;

	/* compressed input */
	z_stream zs;
	bool z_active;             /* inside a gzip member */
	uint32_t member_crc;       /* CRC-32 and length of the member's output so far */
	uint64_t member_out;
	unsigned char *in;         /* TRAILER_KEEP bytes of history, then input */
	size_t in_cap;
	struct member_pool *pool;  /* helpers inflating members ahead, or NULL */
	struct pool_buf pool_out;  /* the head of the member last taken from the pool */
	struct pool_buf adopt;     /* its rest, not yet in the window: a block to take whole */
	uint64_t adopt_at;         /* uncompressed offset of adopt's first byte */
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
	uint64_t damage_at;        /* offset the pending damage message names */
	uint64_t error_at;         /* offset the last error returned names */

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

/*
 * Refill the compressed buffer; false at end of file. The last
 * TRAILER_KEEP bytes consumed stay in front of next_in, so that a member's
 * trailer can be read there when inflate has just passed it.
 */
static bool refill(struct chaff_warc_reader *r)
{
	size_t keep = r->zs.avail_in, got;
	size_t history = (size_t)(r->zs.next_in - r->in);
	uint64_t at = in_pos(r);

	if (r->in_eof)
		return keep > 0;
	if (history > TRAILER_KEEP)
		history = TRAILER_KEEP;
	memmove(r->in, r->zs.next_in - history, history + keep);
	r->in_off = at - history;  /* file offset of what is now in[0] */
	got = fread(r->in + history + keep, 1, r->in_cap - history - keep, r->f);
	if (got == 0) {
		if (ferror(r->f)) {
			r->damage_at = in_pos(r);
			snprintf(r->damage, sizeof(r->damage), "offset %llu: read error: %s",
			         (unsigned long long)r->damage_at, strerror(errno));
			r->fatal = true;
		}
		r->in_eof = true;
	}
	r->zs.next_in = r->in + history;
	r->zs.avail_in = (uInt)(keep + got);
	if (r->pool)
		member_pool_offer(r->pool, r->zs.next_in, r->zs.avail_in, in_pos(r), r->in_eof);
	return r->zs.avail_in > 0;
}

static void note_damage(struct chaff_warc_reader *r, const char *msg, uint64_t at)
{
	if (!r->damage[0]) {
		r->damage_at = at;
		snprintf(r->damage, sizeof(r->damage), "offset %llu: %s", (unsigned long long)at, msg);
	}
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

enum member_start { NO_MEMBER, STREAMING, INFLATED };

/*
 * Take the member at `at` from the pool: its output goes into the window,
 * the input moves past it. False when the reader must inflate it.
 */
static bool take_member(struct chaff_warc_reader *r, uint64_t at)
{
	size_t used;

	if (!member_pool_take(r->pool, at, &r->pool_out, &r->adopt, &used))
		return false;
	if (avail(r) == 0) {
		/* The window is empty: the member's buffer becomes the window. */
		struct pool_buf old = {r->win, 0, r->win_cap};

		r->win = r->pool_out.data;
		r->win_cap = r->pool_out.cap;
		r->win_start = 0;
		r->win_end = r->pool_out.len;
		r->pool_out = old;
	} else {
		window_room(r, r->pool_out.len);
		memcpy(r->win + r->win_end, r->pool_out.data, r->pool_out.len);
		r->win_end += r->pool_out.len;
	}
	/* The rest waits: read_block may take it as a block, else fill copies it in. */
	r->adopt_at = r->upos + avail(r);
	r->zs.next_in += used;
	r->zs.avail_in -= (uInt)used;
	return true;
}

/* Put the rest of a pooled member into the window, after what is there. */
static void flush_adopt(struct chaff_warc_reader *r)
{
	window_room(r, r->adopt.len);
	memcpy(r->win + r->win_end, r->adopt.data, r->adopt.len);
	r->win_end += r->adopt.len;
	r->adopt.len = 0;
}

/* Start the gzip member at the input position: inflated by the pool, or to stream. */
static enum member_start start_member(struct chaff_warc_reader *r)
{
	uint64_t at;

	/*
	 * Keep the pool's read-ahead at least a quarter full (a dozen members
	 * and more), and its jobs queued. Refilling moves what is left to the
	 * front: a quarter keeps that copy small.
	 */
	if (r->pool && r->zs.avail_in < r->in_cap / 4 && !r->in_eof)
		refill(r);
	else if (r->pool)
		member_pool_offer(r->pool, r->zs.next_in, r->zs.avail_in, in_pos(r), r->in_eof);
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
		return NO_MEMBER;
	at = in_pos(r);
	if (r->zs.avail_in < 3 || r->zs.next_in[0] != 0x1f || r->zs.next_in[1] != 0x8b) {
		note_damage(r, "bytes that are not a gzip member, skipped to the next member", at);
		if (!seek_member(r))
			return NO_MEMBER;
		at = in_pos(r);
	}
	if (r->nbounds == MAX_BOUNDS) {
		memmove(r->bounds, r->bounds + MAX_BOUNDS / 2, (MAX_BOUNDS / 2) * sizeof(r->bounds[0]));
		r->nbounds = MAX_BOUNDS / 2;
	}
	r->bounds[r->nbounds].upos = r->upos + avail(r);
	r->bounds[r->nbounds].member = at;
	r->nbounds++;
	/* After damage the window must not run ahead of its report: stream. */
	if (r->pool && !r->barrier && take_member(r, at))
		return INFLATED;
	inflateReset2(&r->zs, 15 + 16);
	/* zlib's table CRC was a tenth of the inflating thread: ours is faster. */
	inflateValidate(&r->zs, 0);
	r->member_crc = 0;
	r->member_out = 0;
	r->z_active = true;
	return STREAMING;
}

/* At the end of a member: its trailer (just consumed) against what came out. */
static bool member_intact(const struct chaff_warc_reader *r)
{
	const unsigned char *trailer = r->zs.next_in - 8;

	if (r->zs.next_in - r->in < 8)
		return true;  /* not kept: cannot happen with reads of IN_CHUNK */
	return gzip_trailer_matches(trailer, r->member_crc, r->member_out);
}

/*
 * Whether the stream can inflate now: a member started (or taken whole
 * from the pool, which returns false with its output in the window), no
 * damage waiting to be reported, input at hand.
 */
static bool stream_ready(struct chaff_warc_reader *r)
{
	if (!r->z_active) {
		enum member_start how = start_member(r);

		if (how == NO_MEMBER)
			r->out_eof = true;
		if (how != STREAMING)
			return false;
	}
	/* Stray bytes were skipped: report them before the member after them. */
	if (r->barrier)
		return false;
	if (r->zs.avail_in == 0 && !refill(r)) {
		note_damage(r, "gzip member ends early (truncated archive)",
		            r->bounds[r->nbounds - 1].member);
		r->z_active = false;
		r->out_eof = true;
		return false;
	}
	return true;
}

/* Inflate up to room bytes of the current member into out; returns how many. */
static size_t inflate_into(struct chaff_warc_reader *r, unsigned char *out, size_t room)
{
	size_t made;
	int rc;

	r->zs.next_out = out;
	r->zs.avail_out = (uInt)(room < UINT_MAX ? room : UINT_MAX);
	made = r->zs.avail_out;
	rc = inflate(&r->zs, Z_NO_FLUSH);
	made -= r->zs.avail_out;
	r->member_crc = chaff_crc32(r->member_crc, out, made);
	r->member_out += made;
	if (rc == Z_STREAM_END && member_intact(r)) {
		r->z_active = false;
	} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
		note_damage(r, "corrupt gzip data, skipped to the next member",
		            r->bounds[r->nbounds - 1].member);
		r->z_active = false;
		if (!seek_member(r))
			r->out_eof = true;
	}
	return made;
}

static void inflate_some(struct chaff_warc_reader *r)
{
	if (!stream_ready(r))
		return;
	window_room(r, 65536);
	r->win_end += inflate_into(r, r->win + r->win_end, r->win_cap - r->win_end);
}

/* Try to have at least want bytes in the window; returns what is there. */
static size_t fill(struct chaff_warc_reader *r, size_t want)
{
	while (avail(r) < want && !r->out_eof && !r->barrier && !r->fatal) {
		if (r->adopt.len) {
			flush_adopt(r);
		} else if (r->gzip) {
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
	r->in_cap = IN_CHUNK;
	r->in = chaff_xmalloc(r->in_cap);
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
		/* Plain: move what was read into the window (made even when empty). */
		window_room(r, n ? n : 1);
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
	member_pool_free(r->pool);
	if (r->own_file)
		fclose(r->f);
	inflateEnd(&r->zs);
	free(r->pool_out.data);
	free(r->adopt.data);
	free(r->in);
	free(r->win);
	chaff_buf_release(&r->head);
	free(r);
}

uint64_t chaff_warc_error_offset(const struct chaff_warc_reader *r)
{
	return r->error_at;
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

/* Fields the reader and chaff_warc_page use: never crowded out by others. */
static const char *const needed[] = {"WARC-Type", "WARC-Record-ID", "WARC-Date",
                                     "WARC-Target-URI", "Content-Type", "Content-Length",
                                     "WARC-Block-Digest", "WARC-Payload-Digest"};
#define NEEDED_FIELDS (sizeof(needed) / sizeof(needed[0]))

static bool needed_field(const char *name)
{
	size_t i;

	for (i = 0; i < NEEDED_FIELDS; i++)
		if (!chaff_strncasecmp(name, needed[i], strlen(needed[i]) + 1))
			return true;
	return false;
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
		line = trim(line);
		/* The last slots are kept for the fields the reader needs. */
		if (rec->nfields == CHAFF_WARC_MAX_FIELDS ||
		    (rec->nfields >= CHAFF_WARC_MAX_FIELDS - NEEDED_FIELDS && !needed_field(line)))
			continue;
		rec->fields[rec->nfields].name = line;
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

/* Standard base64 of in[0..n) into out (4 * ceil(n / 3) + 1 bytes). */
static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		             (i + 2 < n ? in[i + 2] : 0);

		*out++ = abc[v >> 18 & 63];
		*out++ = abc[v >> 12 & 63];
		*out++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? abc[v & 63] : '=';
	}
	*out = '\0';
}

/* Base64 as python warcio writes it, URL-safe or not, padded or not. */
static bool base64_equal(const char *want, const char *b64)
{
	for (; *want && *b64 && *b64 != '='; want++, b64++) {
		char w = *want == '-' ? '+' : *want == '_' ? '/' : *want;

		if (w != *b64)
			return false;
	}
	while (*b64 == '=' && *want == '=') {
		b64++;
		want++;
	}
	return !*want && (!*b64 || *b64 == '=');
}

/* Compare against base32 (classic), hex (warcio.js) or base64 spellings. */
static int digest_result(struct digest_check *c)
{
	unsigned char raw[32];
	char b32[64], hex[72], b64[48];
	size_t n;

	if (!c->active)
		return 0;
	n = chaff_digest_final(&c->d, raw);
	chaff_base32(raw, n, b32);
	chaff_hex(raw, n, hex);
	base64(raw, n, b64);
	if (!chaff_strncasecmp(c->want, b32, strlen(b32) + 1) ||
	    !chaff_strncasecmp(c->want, hex, strlen(hex) + 1) || base64_equal(c->want, b64))
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
 * A block that matches its digest holds an intact payload: hashing the
 * payload again would only cost time (SHA-1 is most of a scan).
 */
static void check_payload_unless_block_ok(struct chaff_warc_record *rec)
{
	if (rec->block_digest_ok <= 0)
		rec->payload_digest_ok = check_payload(rec,
		                                       chaff_warc_field(rec, "WARC-Payload-Digest"));
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

/*
 * The gzip member after the one being read starts `at` bytes into the
 * window. True when the bytes there do not start a record (after blank
 * lines): the record goes on in that member, so its Content-Length holds.
 * May refill the window.
 */
static bool continues_in_next_member(struct chaff_warc_reader *r, size_t at)
{
	size_t n = fill(r, chaff_st_add(at, 16)), i = at;
	const unsigned char *p = r->win + r->win_start;

	while (i < n && i < at + 8 && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i == n)
		return false;  /* nothing after the member: the input ends there */
	return !starts_record(p + i, n - i) && n - i >= 5;
}

/*
 * Inside a member, with the window empty and the whole rest of the block
 * under the cap: inflate straight into the block rather than through the
 * window (one copy less of every byte of a scan). False when the window
 * path must be taken: at a member's start (where the record may end),
 * near the cap, or after damage.
 */
static bool inflate_straight(struct chaff_warc_reader *r, struct chaff_warc_record *rec,
                             struct digest_check *c, uint64_t *left)
{
	struct chaff_buf *b = &rec->block;
	size_t want = *left < ((size_t)1 << 20) ? (size_t)*left : (size_t)1 << 20, made;

	if (!r->gzip || !r->z_active || avail(r) || rec->block_cut || r->barrier || r->fatal ||
	    *left > b->max - b->len || chaff_buf_reserve(b, want) || !stream_ready(r))
		return false;
	made = inflate_into(r, (unsigned char *)b->data + b->len, want);
	if (c->active)
		chaff_digest_update(&c->d, b->data + b->len, made);
	b->len += made;
	b->data[b->len] = '\0';
	r->upos += made;
	*left -= made;
	return made > 0;
}

/*
 * The rest of a member from the pool starts with this record's block and
 * holds all of it: the record takes that buffer as its block, and what
 * follows the block (the blank lines, or whatever else) goes to the window.
 */
static bool adopt_block(struct chaff_warc_reader *r, struct chaff_warc_record *rec,
                        struct digest_check *c)
{
	size_t n = (size_t)rec->content_length, rest;
	struct pool_buf spare = {(unsigned char *)rec->block.data, 0, rec->block.cap};

	if (!r->adopt.len || avail(r) || r->adopt_at != r->upos || rec->block.len ||
	    rec->content_length >= r->adopt.cap || n > r->adopt.len || n > rec->block.max)
		return false;
	rest = r->adopt.len - n;
	window_room(r, rest);
	memcpy(r->win + r->win_end, r->adopt.data + n, rest);
	r->win_end += rest;
	rec->block.data = (char *)r->adopt.data;
	rec->block.cap = r->adopt.cap;
	rec->block.len = n;
	rec->block.data[n] = '\0';
	r->adopt = spare;
	r->upos += n;
	if (c->active)
		chaff_digest_update(&c->d, rec->block.data, n);
	return true;
}

/* Read the block: keep up to the cap, digest everything. */
static void read_block(struct chaff_warc_reader *r, struct chaff_warc_record *rec,
                       bool member_per_record)
{
	uint64_t left = rec->content_length;
	struct digest_check c;

	/* A block that fits under the cap can be hashed later, by its consumer. */
	rec->digests_pending = r->defer_digests && rec->content_length <= rec->block.max;
	if (rec->digests_pending)
		c.active = false;
	else
		digest_start(&c, chaff_warc_field(rec, "WARC-Block-Digest"));
	if (adopt_block(r, rec, &c))
		left = 0;
	while (left > 0) {
		size_t n, take;
		const unsigned char *p;

		if (inflate_straight(r, rec, &c, &left))
			continue;
		n = fill(r, left < 65536 ? (size_t)left : 65536);
		take = n < left ? n : (size_t)left;
		p = r->win + r->win_start;

		if (member_per_record) {
			uint64_t end = next_member_start(r, r->upos);

			if (end != UINT64_MAX && end - r->upos < take) {
				bool goes_on = continues_in_next_member(r, (size_t)(end - r->upos));

				n = avail(r);  /* the window may have moved */
				p = r->win + r->win_start;
				if (goes_on) {
					/* Some writers split a record over members: read on. */
					take = n < left ? n : (size_t)left;
					member_per_record = false;
				} else {
					take = (size_t)(end - r->upos);
					snprintf(rec->warning, sizeof(rec->warning),
					         "Content-Length %llu runs past the record's gzip member; "
					         "block cut at %llu bytes",
					         (unsigned long long)rec->content_length,
					         (unsigned long long)(rec->content_length - left + take));
					left = take;  /* this is the last piece */
					c.active = false;
					rec->digests_pending = false;
				}
			}
		}
		if (take == 0) {
			rec->incomplete = true;
			rec->digests_pending = false;
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
	if (rec->digests_pending)
		return;
	if (!rec->incomplete)
		rec->block_digest_ok = digest_result(&c);
	check_payload_unless_block_ok(rec);
}

/* True when a gzip member starts at uncompressed offset u. */
static bool member_starts_at(const struct chaff_warc_reader *r, uint64_t u)
{
	size_t i;

	for (i = 0; i < r->nbounds; i++)
		if (r->bounds[i].upos == u)
			return true;
	return false;
}

/* Where "WARC/" starts a line (or a gzip member) in p[1..n); n if nowhere. */
static size_t find_record_start(const struct chaff_warc_reader *r, const unsigned char *p,
                                size_t n)
{
	size_t j;

	for (j = 1; j + 5 <= n; j++)
		if (p[j] == 'W' && !memcmp(p + j, "WARC/", 5) &&
		    (p[j - 1] == '\n' || (r->gzip && member_starts_at(r, r->upos + j))))
			return j;
	return n;
}

/*
 * A record header inside the block (after a blank line): the
 * Content-Length was too long. Cut the block there and give the rest back
 * to the stream, so that record is read next. The first such header wins:
 * a length that swallowed several records loses none of them.
 */
static bool hidden_record(struct chaff_warc_reader *r, struct chaff_warc_record *rec)
{
	const char *d = rec->block.data;
	size_t k;

	if (rec->block_cut || rec->block.len < 8)
		return false;
	for (k = 2; k + 5 <= rec->block.len; k++)
		if (d[k] == 'W' && !memcmp(d + k, "WARC/", 5) && d[k - 1] == '\n' &&
		    (d[k - 2] == '\n' || d[k - 2] == '\r'))
			break;
	if (k + 5 > rec->block.len)
		return false;
	snprintf(rec->warning, sizeof(rec->warning),
	         "Content-Length %llu runs into the next record; block cut at %zu bytes",
	         (unsigned long long)rec->content_length, k);
	unread(r, d + k, rec->block.len - k);
	rec->block.len = k;
	while (rec->block.len && (rec->block.data[rec->block.len - 1] == '\n' ||
	                          rec->block.data[rec->block.len - 1] == '\r'))
		rec->block.len--;
	rec->block.data[rec->block.len] = '\0';
	rec->block_digest_ok = 0;
	rec->payload_digest_ok = 0;
	rec->digests_pending = false;
	rec->incomplete = false;
	return true;
}

/*
 * After the block: CRLF CRLF, then the next "WARC/" or the end. Anything
 * else means a wrong Content-Length. Too long: a record header hides in
 * the block (see hidden_record). Too short: the rest of the block comes
 * before the next record; those stray bytes are skipped with a warning
 * (warcio and jwarc tolerate them too). Only when no record follows
 * within STRAY_MAX bytes is it left to the next call to report.
 */
static void check_trailer(struct chaff_warc_reader *r, struct chaff_warc_record *rec)
{
	size_t n, i = 0, k;
	const unsigned char *p;
	bool blank = true;

	if (rec->incomplete) {
		/* A length past the end of the input may hide the records after it. */
		hidden_record(r, rec);
		return;
	}
	n = fill(r, 8);
	p = r->win + r->win_start;
	while (i < n && i < 4 && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i == n || starts_record(p + i, n - i) || (n - i < 5 && r->out_eof)) {
		consume(r, i);
		return;
	}
	if (hidden_record(r, rec))
		return;
	n = fill(r, STRAY_MAX);
	if (n > STRAY_MAX)
		n = STRAY_MAX;
	p = r->win + r->win_start;
	k = find_record_start(r, p, n);
	if (k == n) {
		snprintf(rec->warning, sizeof(rec->warning),
		         "Content-Length %llu is not followed by the end of the record",
		         (unsigned long long)rec->content_length);
		return;
	}
	for (i = 0; i < k && blank; i++)
		blank = p[i] == '\r' || p[i] == '\n' || p[i] == ' ' || p[i] == '\t';
	if (!blank)
		snprintf(rec->warning, sizeof(rec->warning),
		         "Content-Length %llu is followed by %zu stray bytes before the next record",
		         (unsigned long long)rec->content_length, k);
	consume(r, k);
}

/*
 * Some writers (ClueWeb09's, node-warc) copy the block digest into
 * WARC-Payload-Digest. When the block itself checked out, that is their
 * quirk, not damage: not worth a warning on every record.
 */
static bool payload_is_block_digest(const struct chaff_warc_record *rec)
{
	const char *b = chaff_warc_field(rec, "WARC-Block-Digest");
	const char *p = chaff_warc_field(rec, "WARC-Payload-Digest");

	return rec->block_digest_ok > 0 && b && p && !strcmp(b, p);
}

/* A digest that does not match is the record's warning, unless it has one already. */
static void digest_warning(struct chaff_warc_record *rec)
{
	if (rec->warning[0])
		return;
	if (rec->block_digest_ok < 0)
		snprintf(rec->warning, sizeof(rec->warning), "WARC-Block-Digest does not match");
	else if (rec->payload_digest_ok < 0 && !payload_is_block_digest(rec))
		snprintf(rec->warning, sizeof(rec->warning), "WARC-Payload-Digest does not match");
}

/* Pending stream damage becomes this call's error; the barrier lifts. */
static enum chaff_err report_damage(struct chaff_warc_reader *r, char *why)
{
	chaff_why(why, "%s", r->damage);
	r->error_at = r->damage_at;
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
		r->error_at = at;
		chaff_why(why, "offset %llu: %llu bytes that are not a WARC record, skipped",
		          (unsigned long long)at, (unsigned long long)skipped);
		return CHAFF_ERR_MALFORMED;
	}
	rec->offset = member_of(r, start);
	/* The header: up to its blank line, at most HEAD_MAX bytes. */
	/* What is in the window first: a pooled member's block waits behind it. */
	n = avail(r) < HEAD_MAX ? avail(r) : HEAD_MAX;
	hlen = header_end(r->win + r->win_start, n);
	while (!hlen) {
		n = fill(r, avail(r) + 1024 < HEAD_MAX ? avail(r) + 1024 : HEAD_MAX);
		hlen = header_end(r->win + r->win_start, n);
		if (hlen || n >= HEAD_MAX || r->out_eof || r->barrier || r->fatal)
			break;
	}
	if (!hlen) {
		bool at_end = n < HEAD_MAX;

		/*
		 * A header cut by the end of the input (or by damage) is one
		 * fault: drop what came of it, not report it again as stray
		 * bytes. A header too long is skipped past "WARC/" only, and
		 * the next call resynchronises.
		 */
		consume(r, 5);
		if (at_end)
			skip_to_record(r);
		if (r->damage[0])
			return report_damage(r, why);
		r->error_at = rec->offset;
		chaff_why(why, "offset %llu: %s", (unsigned long long)rec->offset,
		          at_end ? "archive ends inside a record header"
		                 : "record header longer than 64 KiB");
		return at_end ? CHAFF_ERR_TRUNCATED : CHAFF_ERR_MALFORMED;
	}
	chaff_buf_reset(&r->head);
	chaff_buf_append(&r->head, r->win + r->win_start, hlen);
	consume(r, hlen);
	if (!parse_fields(r, rec)) {
		r->error_at = rec->offset;
		chaff_why(why, "offset %llu: bad WARC version line", (unsigned long long)rec->offset);
		return CHAFF_ERR_MALFORMED;
	}
	fill_known_fields(rec);
	if (!parse_length(chaff_warc_field(rec, "Content-Length"), &rec->content_length)) {
		/* The block's end is unknown: it runs to the next record. */
		skip_to_record(r);
		r->error_at = rec->offset;
		chaff_why(why, "offset %llu: missing or bad Content-Length%s%s",
		          (unsigned long long)rec->offset, rec->record_id ? " in " : "",
		          rec->record_id ? rec->record_id : "");
		return CHAFF_ERR_MALFORMED;
	}
	/* A record that starts its own gzip member ends with it. */
	read_block(r, rec, r->gzip && r->nbounds && r->bounds[0].upos == start);
	check_trailer(r, rec);
	if (rec->incomplete && r->damage[0] && !r->fatal) {
		/* The damage cut this record short: its line reports it, once. */
		const char *msg = strstr(r->damage, ": ");

		snprintf(rec->warning, sizeof(rec->warning), "%s", msg ? msg + 2 : r->damage);
		r->damage[0] = '\0';
		r->barrier = false;
	}
	digest_warning(rec);
	return CHAFF_OK;
}

void chaff_warc_set_threads(struct chaff_warc_reader *r, unsigned helpers)
{
	size_t at = (size_t)(r->zs.next_in - r->in);

	if (!r->gzip || r->pool || helpers == 0)
		return;
	r->in_cap = POOL_IN_CHUNK;
	r->in = chaff_xrealloc(r->in, r->in_cap);
	r->zs.next_in = r->in + at;
	r->pool = member_pool_new(helpers, POOL_MAX_OUT);
	member_pool_offer(r->pool, r->zs.next_in, r->zs.avail_in, in_pos(r), r->in_eof);
}

void chaff_warc_defer_digests(struct chaff_warc_reader *r, bool defer)
{
	r->defer_digests = defer;
}

void chaff_warc_check_digests(struct chaff_warc_record *rec)
{
	struct digest_check c;

	if (!rec->digests_pending)
		return;
	rec->digests_pending = false;
	digest_start(&c, chaff_warc_field(rec, "WARC-Block-Digest"));
	if (c.active) {
		chaff_digest_update(&c.d, rec->block.data ? rec->block.data : "", rec->block.len);
		rec->block_digest_ok = digest_result(&c);
	}
	check_payload_unless_block_ok(rec);
	digest_warning(rec);
}
