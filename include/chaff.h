/*
 * chaff.h - the public API of chaff: every type and function the command
 * line tool and the tests may call.
 *
 * chaff scores a medication web page as reliable, thin or pharmacy_spam and
 * says why. The pipeline is a chain of plain functions, one struct to the
 * next:
 *
 *   bytes (URL fetch, file, stdin, WARC record)
 *     -> struct chaff_page      (body bytes, URL, status, content type)
 *     -> struct chaff_doc       (UTF-8 text blocks, links, title, meta)
 *     -> struct chaff_features  (named signals with evidence, hashed terms)
 *     -> struct chaff_verdict   (label, probabilities, top contributions)
 *
 * Ownership, stated once: no function takes ownership of its arguments.
 * What a chaff_X_new/_parse/_load returns belongs to the caller until the
 * matching chaff_X_free, which accepts NULL. _init sets up a struct the
 * caller owns (no allocation of the struct itself), _release frees its
 * contents, _free frees contents and struct. Everything made while scoring
 * one page (doc, features, evidence strings) lives in that page's arena and
 * is freed by one chaff_arena_reset or chaff_arena_release.
 *
 * Out of memory aborts the process with a message: error returns mean bad
 * input or I/O only.
 *
 * Every input is untrusted. Limits (struct chaff_limits) have safe
 * defaults; input over a limit is truncated or refused with an error, never
 * a crash.
 */
#ifndef CHAFF_H
#define CHAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CHAFF_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

enum chaff_err {
	CHAFF_OK = 0,
	CHAFF_EOF,              /* no more records / input; not a failure */
	CHAFF_ERR_IO,           /* read/write/open failed (errno tells more) */
	CHAFF_ERR_USAGE,        /* bad argument from the caller */
	CHAFF_ERR_TOO_LARGE,    /* input over a size limit */
	CHAFF_ERR_TOO_DEEP,     /* markup nested deeper than the limit */
	CHAFF_ERR_MALFORMED,    /* input bytes do not follow their format */
	CHAFF_ERR_TRUNCATED,    /* input ends before a complete unit */
	CHAFF_ERR_DECODE,       /* gzip/deflate/br/chunked decoding failed */
	CHAFF_ERR_CHARSET,      /* charset conversion failed */
	CHAFF_ERR_UNSUPPORTED,  /* a format chaff knowingly does not read */
	CHAFF_ERR_EMPTY,        /* no text to score */
	CHAFF_ERR_FETCH,        /* network transfer failed */
	CHAFF_ERR_HTTP,         /* server answered with a non-2xx status */
	CHAFF_ERR_NOT_ALLOWED,  /* refused by policy (scheme, private address, robots) */
	CHAFF_ERR_MODEL,        /* model file damaged, truncated or foreign */
	CHAFF_ERR_COUNT
};

/* A static, lower-case description of err ("input over a size limit"). */
const char *chaff_strerror(enum chaff_err err);

/*
 * Functions that can say more than an enum fill a caller-provided
 * `char why[CHAFF_WHY_MAX]` with a lower-case message without a final
 * period, e.g. "offset 1234: missing WARC-Record-ID". why may be NULL.
 */
#define CHAFF_WHY_MAX 256

/* printf-style helper that fills why (no-op when why is NULL). */
void chaff_why(char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* Memory: checked allocation, growable buffers with a ceiling, arenas   */
/* ------------------------------------------------------------------ */

/* malloc/calloc/realloc/strdup that abort with a message on failure. */
void *chaff_xmalloc(size_t size);
void *chaff_xcalloc(size_t n, size_t size);
void *chaff_xrealloc(void *p, size_t size);
char *chaff_xstrdup(const char *s);
char *chaff_xstrndup(const char *s, size_t n);

/* a*b and a+b for sizes; abort on overflow (git's st_mult). */
size_t chaff_st_mult(size_t a, size_t b);
size_t chaff_st_add(size_t a, size_t b);

/*
 * A growable byte buffer with a ceiling fixed when it is made (curl's
 * dynbuf). data is always NUL-terminated when non-NULL; len excludes it.
 */
struct chaff_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;     /* appends that would pass max fail with TOO_LARGE */
};

void chaff_buf_init(struct chaff_buf *b, size_t max);
/* Append n bytes; CHAFF_ERR_TOO_LARGE (and nothing appended) past max. */
enum chaff_err chaff_buf_append(struct chaff_buf *b, const void *p, size_t n);
enum chaff_err chaff_buf_puts(struct chaff_buf *b, const char *s);
enum chaff_err chaff_buf_putc(struct chaff_buf *b, char c);
enum chaff_err chaff_buf_printf(struct chaff_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Make room for n more bytes (and a NUL) without writing them; TOO_LARGE past max. */
enum chaff_err chaff_buf_reserve(struct chaff_buf *b, size_t n);
/* Forget the contents, keep the allocation for reuse. */
void chaff_buf_reset(struct chaff_buf *b);
/* Hand the data to the caller (who frees it); the buffer becomes empty. */
char *chaff_buf_detach(struct chaff_buf *b, size_t *len);
void chaff_buf_release(struct chaff_buf *b);

/*
 * A bump arena: many small allocations, one free. Blocks are kept across
 * chaff_arena_reset so that scoring page after page allocates nothing once
 * warm. chaff_arena_alloc never returns NULL (aborts on OOM); the caller
 * bounds what goes in by bounding the input (struct chaff_limits).
 */
struct chaff_arena_block;
struct chaff_arena {
	struct chaff_arena_block *head;  /* block being filled */
	struct chaff_arena_block *full;  /* blocks already filled */
	size_t block_size;
	size_t used;                     /* bytes handed out since reset */
};

void chaff_arena_init(struct chaff_arena *a);
void *chaff_arena_alloc(struct chaff_arena *a, size_t size);  /* 16-aligned */
void *chaff_arena_calloc(struct chaff_arena *a, size_t n, size_t size);
char *chaff_arena_strndup(struct chaff_arena *a, const char *s, size_t n);
char *chaff_arena_strdup(struct chaff_arena *a, const char *s);
char *chaff_arena_printf(struct chaff_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Free everything handed out; keep one block for reuse. */
void chaff_arena_reset(struct chaff_arena *a);
void chaff_arena_release(struct chaff_arena *a);

/* ------------------------------------------------------------------ */
/* Text utilities                                                       */
/* ------------------------------------------------------------------ */

/* 64-bit hash of bytes (FNV-1a with a final mix), stable across builds:
 * the model file's hashed term indices depend on it. */
uint64_t chaff_hash64(const void *p, size_t n, uint64_t seed);

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool chaff_utf8_valid(const char *s, size_t n);

/*
 * Decode one code point at s (n bytes available). Returns the number of
 * bytes consumed (>= 1 when n >= 1); invalid sequences decode as U+FFFD
 * consuming one byte.
 */
size_t chaff_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encode cp into out (4 bytes room); returns bytes written. */
size_t chaff_utf8_encode(uint32_t cp, char *out);

/* ASCII-only case-insensitive helpers (input bytes are not locale text). */
int chaff_strncasecmp(const char *a, const char *b, size_t n);
/* Find needle (ASCII, any case) in hay[0..n); NULL if absent. */
const char *chaff_memcasemem(const char *hay, size_t n, const char *needle);

/* Streaming SHA-1 / SHA-256 for WARC digests. */
enum chaff_digest_algo { CHAFF_SHA1, CHAFF_SHA256 };

struct chaff_digest {
	enum chaff_digest_algo algo;
	uint32_t h[8];
	unsigned char buf[64];
	size_t fill;
	uint64_t total;
};

void chaff_digest_init(struct chaff_digest *d, enum chaff_digest_algo algo);
void chaff_digest_update(struct chaff_digest *d, const void *data, size_t n);
/* Writes 20 (SHA-1) or 32 (SHA-256) bytes to out; returns how many. */
size_t chaff_digest_final(struct chaff_digest *d, unsigned char out[32]);
/* RFC 4648 base32 with padding: out needs 8 * ceil(n / 5) + 1 bytes. */
void chaff_base32(const unsigned char *in, size_t n, char *out);

/* The gzip CRC-32 of data, continuing crc (0 to start), as zlib's crc32 computes it. */
uint32_t chaff_crc32(uint32_t crc, const void *data, size_t n);
/* Lower-case hex: out needs 2n + 1 bytes. */
void chaff_hex(const unsigned char *in, size_t n, char *out);

/* ------------------------------------------------------------------ */
/* JSON writer (fixed key order is the caller's; output is valid UTF-8)  */
/* ------------------------------------------------------------------ */

#define CHAFF_JSON_MAX_DEPTH 32

struct chaff_json {
	struct chaff_buf *out;
	int depth;
	bool first[CHAFF_JSON_MAX_DEPTH];
	bool after_key;
};

void chaff_json_init(struct chaff_json *j, struct chaff_buf *out);
void chaff_json_object_begin(struct chaff_json *j);
void chaff_json_object_end(struct chaff_json *j);
void chaff_json_array_begin(struct chaff_json *j);
void chaff_json_array_end(struct chaff_json *j);
void chaff_json_key(struct chaff_json *j, const char *key);
/* Strings are escaped; invalid UTF-8 becomes U+FFFD; NULL writes null. */
void chaff_json_str(struct chaff_json *j, const char *s);
void chaff_json_strn(struct chaff_json *j, const char *s, size_t n);
void chaff_json_int(struct chaff_json *j, long long v);
void chaff_json_uint(struct chaff_json *j, unsigned long long v);
/* Shortest round-trip-free form with up to 6 significant digits; non-finite -> null. */
void chaff_json_num(struct chaff_json *j, double v);
void chaff_json_bool(struct chaff_json *j, bool v);
void chaff_json_null(struct chaff_json *j);

/* ------------------------------------------------------------------ */
/* JSON reader (util/jsonparse.c): one untrusted JSON text -> a tree     */
/* ------------------------------------------------------------------ */

/*
 * Reads one JSON text (e.g. one line of JSON Lines) into a tree of values
 * allocated in an arena: everything is freed by resetting the arena.
 * Strict RFC 8259 grammar (no comments, trailing commas, leading zeros,
 * raw control characters in strings or bytes after the value), with one
 * leniency so that a careless producer's record stays readable: invalid
 * UTF-8 bytes and lone surrogate escapes become U+FFFD. Decoded strings
 * are therefore always valid UTF-8; "\u0000" also becomes U+FFFD so that
 * they are NUL-free C strings. Parsing is iterative, so deep nesting costs
 * no C stack; limits bound the bytes, depth and number of values.
 * Duplicate keys are kept in order; chaff_json_get finds the first.
 */
enum chaff_json_type {
	CHAFF_JSON_NULL = 0,
	CHAFF_JSON_BOOL,
	CHAFF_JSON_NUMBER,
	CHAFF_JSON_STRING,
	CHAFF_JSON_ARRAY,
	CHAFF_JSON_OBJECT
};

struct chaff_json_value {
	enum chaff_json_type type;
	bool boolean;                    /* BOOL */
	double number;                   /* NUMBER; +-HUGE_VAL when out of range */
	const char *str;                 /* STRING: decoded, NUL-terminated */
	size_t len;                      /* bytes of str */
	const char *key;                 /* an object member's key (decoded), else NULL */
	size_t key_len;
	struct chaff_json_value *child;  /* ARRAY, OBJECT: first element, or NULL */
	struct chaff_json_value *next;   /* next element of the parent, or NULL */
	size_t n;                        /* ARRAY, OBJECT: number of elements */
};

struct chaff_json_limits {
	size_t max_bytes;     /* longest text read (1 MiB) */
	unsigned max_depth;   /* arrays and objects nested (32; 1024 at most) */
	size_t max_values;    /* values in one text (100000) */
};

void chaff_json_limits_default(struct chaff_json_limits *lim);

/*
 * Parse text[0..n) into *out (arena memory; lim NULL: defaults). Errors:
 * CHAFF_ERR_MALFORMED (not JSON), CHAFF_ERR_TRUNCATED (the text ends inside
 * a value), CHAFF_ERR_TOO_LARGE (bytes or values over the limit),
 * CHAFF_ERR_TOO_DEEP; why names the byte offset ("byte 17: expected ','
 * or '}'"). *out is NULL on error.
 */
enum chaff_err chaff_json_parse(const struct chaff_json_value **out, const char *text,
                                size_t n, const struct chaff_json_limits *lim,
                                struct chaff_arena *arena, char *why);

/* The member of obj called key, or NULL (also when obj is not an object). */
const struct chaff_json_value *chaff_json_get(const struct chaff_json_value *obj,
                                              const char *key);

/* ------------------------------------------------------------------ */
/* Limits                                                               */
/* ------------------------------------------------------------------ */

struct chaff_limits {
	size_t max_input_bytes;    /* bytes read per page or WARC record body (8 MiB) */
	size_t max_decoded_bytes;  /* bytes after gzip/deflate/br decoding (16 MiB) */
	size_t max_parse_bytes;    /* UTF-8 bytes given to Gumbo; the rest is cut (2 MiB) */
	unsigned max_depth;        /* tag nesting seen by the pre-scan (400); deeper is cut */
	size_t max_blocks;         /* text blocks kept per page (20000) */
	long connect_timeout_ms;   /* fetch connect timeout (10 s) */
	long fetch_timeout_ms;     /* fetch total timeout (30 s) */
	int max_redirects;         /* redirects followed per fetch (5) */
	/*
	 * false (the default): the bodies of <script> and <style> are dropped
	 * before the parse, which they would otherwise take close to half of;
	 * the tree is checked to confirm each cut, else the page is parsed
	 * whole. true: Gumbo is given every byte.
	 */
	bool parse_script_bodies;
};

void chaff_limits_default(struct chaff_limits *lim);

/* ------------------------------------------------------------------ */
/* Pages: bytes in, with what is known about them                       */
/* ------------------------------------------------------------------ */

enum chaff_page_kind {
	CHAFF_PAGE_SNIFF = 0,  /* unknown: decide from the bytes */
	CHAFF_PAGE_HTML,
	CHAFF_PAGE_TEXT        /* plain text: paragraphs become blocks */
};

struct chaff_page {
	char *url;              /* final URL, or NULL */
	int status;             /* HTTP status, 0 when not from HTTP */
	char *content_type;     /* media type, lower case, no parameters; or NULL */
	char *charset;          /* charset label from Content-Type, or NULL */
	enum chaff_page_kind kind;
	struct chaff_buf body;  /* decoded body (transfer and content codings removed) */
	bool truncated;         /* body was cut at a limit */
};

void chaff_page_init(struct chaff_page *page, const struct chaff_limits *lim);
void chaff_page_release(struct chaff_page *page);

/*
 * Read a file (or stdin when path is "-") into page. Kind from the name:
 * .html/.htm -> HTML, .txt -> TEXT, .gz is gunzipped (capped by
 * max_decoded_bytes), otherwise sniffed. Files over max_input_bytes are
 * cut and marked truncated.
 */
enum chaff_err chaff_page_read_file(struct chaff_page *page, const char *path,
                                    const struct chaff_limits *lim, char *why);

/*
 * Set page->content_type and page->charset from a Content-Type header
 * value such as "text/html; charset=ISO-8859-1".
 */
void chaff_page_set_content_type(struct chaff_page *page, const char *value, size_t n);

/* Guess HTML vs TEXT from the first bytes (markup tags, doctype). */
enum chaff_page_kind chaff_sniff_kind(const char *p, size_t n);

/*
 * Decode a Content-Encoding list ("gzip", "x-gzip", "deflate" zlib or raw,
 * "br", "identity"; comma-separated, applied right to left) from in into
 * out, stopping at out->max (truncated set). A damaged stream keeps the
 * output decoded so far and returns CHAFF_ERR_DECODE.
 */
enum chaff_err chaff_content_decode(const char *encoding, const char *in, size_t n,
                                    struct chaff_buf *out, bool *truncated, char *why);

/* ------------------------------------------------------------------ */
/* Fetch (crawler/): one URL with libcurl                               */
/* ------------------------------------------------------------------ */

struct chaff_fetch_opts {
	const char *user_agent;  /* NULL: "chaff/VERSION (+contact URL)" */
	bool allow_private;      /* allow loopback/private addresses */
};

/*
 * GET url (http or https only) following up to lim->max_redirects
 * redirects, with connect and total timeouts, a byte cap enforced while
 * receiving (max_input_bytes) and gzip/deflate/br decoding. Fills page
 * (url is the final URL). A non-2xx answer returns CHAFF_ERR_HTTP with the
 * page filled. Call chaff_global_init once before.
 */
enum chaff_err chaff_fetch(struct chaff_page *page, const char *url,
                           const struct chaff_fetch_opts *opts,
                           const struct chaff_limits *lim, char *why);

/* Process-wide set-up of libraries (curl); call once from main. */
void chaff_global_init(void);
void chaff_global_cleanup(void);

/* ------------------------------------------------------------------ */
/* WARC (crawler/): reading and writing web archives                    */
/* ------------------------------------------------------------------ */

/*
 * A streaming WARC reader: plain files, one gzip member per record, a whole
 * file in one gzip member, and concatenated files, told apart by magic
 * bytes; WARC/1.1, 1.0, 0.18 and 0.17. Memory stays constant however large
 * a record is: the block is kept up to a cap and the rest skipped (still
 * digested). After damage (a malformed header, a wrong Content-Length, a
 * corrupt gzip member) the reader reports it with its offset and
 * resynchronises on the next record.
 */
struct chaff_warc_reader;

struct chaff_warc_field {
	const char *name;     /* as written */
	const char *value;    /* trimmed */
};

#define CHAFF_WARC_MAX_FIELDS 64

struct chaff_warc_record {
	uint64_t offset;           /* gzip member start, or "WARC/" line in a plain file */
	const char *version;       /* "WARC/1.1" */
	const char *type;          /* WARC-Type, or "" */
	const char *record_id;     /* WARC-Record-ID, or NULL */
	const char *date;          /* WARC-Date as written, or NULL */
	const char *target_uri;    /* WARC-Target-URI without <>, or NULL */
	const char *content_type;  /* record Content-Type, or NULL */
	uint64_t content_length;   /* declared block length */
	struct chaff_warc_field fields[CHAFF_WARC_MAX_FIELDS];
	size_t nfields;
	struct chaff_buf block;    /* the first max_input_bytes of the block */
	bool block_cut;            /* the block was longer than the cap (rest skipped) */
	bool incomplete;           /* the input ended (or was damaged) inside the block */
	/* Digest checks: 1 matched, -1 mismatched, 0 absent or not checkable.
	 * The payload digest is checked only when the block digest did not
	 * match or is absent (an intact block holds an intact payload).
	 * Digests may be written in base32, hex or base64. A mismatch sets
	 * warning; it is never an error. */
	int block_digest_ok;
	int payload_digest_ok;
	/* The block was kept whole and its digests are left to
	 * chaff_warc_check_digests (see chaff_warc_defer_digests). */
	bool digests_pending;
	char warning[CHAFF_WHY_MAX]; /* a non-fatal oddity of this record, or "" */
};

/*
 * Open path ("-" for stdin). Refuses formats that are not WARC with a clear
 * message (ARC, bzip2, lz4, zip/WACZ). max_block caps what is kept of each
 * record's block.
 */
enum chaff_err chaff_warc_open(struct chaff_warc_reader **out, const char *path,
                               size_t max_block, char *why);
/* Read from an open stream (not closed by the reader). */
enum chaff_err chaff_warc_open_file(struct chaff_warc_reader **out, FILE *f, const char *name,
                                    size_t max_block, char *why);
void chaff_warc_close(struct chaff_warc_reader *r);

/*
 * The next record. Returns CHAFF_OK with *rec filled (valid until the next
 * call), CHAFF_EOF at the end, or an error whose why names the offset of
 * damage the reader skipped; call again to go on (the reader has
 * resynchronised). After CHAFF_ERR_IO the reader only returns CHAFF_EOF.
 */
enum chaff_err chaff_warc_next(struct chaff_warc_reader *r, struct chaff_warc_record *rec,
                               char *why);

/*
 * Leave the digests of blocks kept whole to the caller: chaff_warc_next
 * then sets rec->digests_pending instead of hashing, and whoever holds
 * the record calls chaff_warc_check_digests, in another thread if it likes.
 * SHA-1 is a fifth of a scan; this takes it off the thread that inflates.
 * Blocks longer than the cap are still hashed as they stream past.
 */
void chaff_warc_defer_digests(struct chaff_warc_reader *r, bool defer);

/*
 * Inflate the gzip members of a .warc.gz ahead of the reader with this many
 * helper threads (at most 8; 0: none, the default). Records, offsets and
 * damage reports are the same as without: a helper's member is used only
 * where the reader arrives at it in order, anything else is inflated by
 * the reader itself. No effect on plain files.
 */
void chaff_warc_set_threads(struct chaff_warc_reader *r, unsigned helpers);

/* Check a pending record's digests and set its warning, as chaff_warc_next would have. */
void chaff_warc_check_digests(struct chaff_warc_record *rec);
/* Offset of the damage the last error of chaff_warc_next named. */
uint64_t chaff_warc_error_offset(const struct chaff_warc_reader *r);
/* Bytes of the file consumed so far (compressed), for progress. */
uint64_t chaff_warc_tell(const struct chaff_warc_reader *r);

void chaff_warc_record_init(struct chaff_warc_record *rec);
void chaff_warc_record_release(struct chaff_warc_record *rec);
/* Value of a field (case-insensitive name), or NULL. */
const char *chaff_warc_field(const struct chaff_warc_record *rec, const char *name);

/*
 * Why a record would not be scored, or NULL when it holds a page:
 * "warcinfo", "request", "metadata", "revisit", "not http", "not 2xx",
 * "not HTML", "truncated", "too large", "no payload"... For a record that
 * holds a page, fills page (URL, status, content type, de-chunked and
 * decoded body). text_plain: score text/plain payloads too.
 */
const char *chaff_warc_page(const struct chaff_warc_record *rec, struct chaff_page *page,
                            const struct chaff_limits *lim, bool text_plain, char *why);

/*
 * Parse an HTTP response head at p: status and headers. Returns the length
 * of the head (status line + headers + blank line), or 0 when p does not
 * start with a valid "HTTP/" status line.
 */
struct chaff_http_head {
	int status;
	char content_type[128];
	char content_encoding[64];
	char transfer_encoding[64];
	bool chunked;
};
size_t chaff_http_parse_head(const char *p, size_t n, struct chaff_http_head *h);

/* De-chunk a chunked body into out; on a broken chunk size, CHAFF_ERR_MALFORMED. */
enum chaff_err chaff_http_dechunk(const char *p, size_t n, struct chaff_buf *out);

/*
 * The WARC writer: WARC/1.1, CRLF line ends, one gzip member per record,
 * WARC-Block-Digest and WARC-Payload-Digest in sha1 + base32 (the classic
 * spelling every reader checks). Output goes to PATH.open and is renamed to
 * PATH by chaff_warc_writer_close (atomic publication); PATH "-" writes to
 * standard output (no .open, no rename, no append). Each record reaches the
 * file as one complete gzip member in one write, so a killed writer leaves
 * complete members only, except for the very last one when the kill lands
 * inside that write; append mode removes it.
 */
struct chaff_warc_writer;

/*
 * Open PATH.open for writing. append false: start a new, empty file.
 * append true (resume): keep an existing PATH.open up to the end of its
 * last complete gzip member, and drop a request record left at its end
 * (the first half of a request/response pair whose response was cut off);
 * a missing PATH.open starts empty. Only files this writer made are
 * continued: anything that is not a sequence of gzip members is cut at the
 * first damage.
 */
enum chaff_err chaff_warc_writer_open(struct chaff_warc_writer **out, const char *path,
                                      bool append, char *why);
/* Bytes of complete records in the file (0 for a new or empty file). */
uint64_t chaff_warc_writer_tell(const struct chaff_warc_writer *w);

#define CHAFF_WARC_ID_MAX 64
/* A new "<urn:uuid:...>" record ID (random, version 4) into id. */
void chaff_warc_new_id(char id[CHAFF_WARC_ID_MAX]);

/* One record to write. */
struct chaff_warc_out {
	const char *type;          /* WARC-Type: "warcinfo", "request", "response", ... */
	const char *record_id;     /* from chaff_warc_new_id, or NULL for a new one */
	const char *target_uri;    /* WARC-Target-URI, or NULL */
	const char *content_type;  /* Content-Type of the block, or NULL */
	const char *extra_fields;  /* more "Name: value\r\n" lines, or NULL */
	int64_t date;              /* WARC-Date in seconds since the epoch; 0: now */
	const void *block;         /* the record block, n bytes */
	size_t n;
	size_t payload_at;         /* offset of the HTTP payload in block (after the
	                            * head's blank line); SIZE_MAX: no payload digest */
};

/*
 * Write one record. Field values must be single lines of printable ASCII
 * (URLs are written percent-encoded): anything else, and extra_fields not
 * made of "Name: value\r\n" lines, gives CHAFF_ERR_USAGE and nothing is
 * written. The payload digest covers block[payload_at..n) as stored, so a
 * caller that removed a Transfer-Encoding renames that header (the Common
 * Crawl way: X-Crawler-Transfer-Encoding) to stay consistent with it.
 * CHAFF_ERR_IO when the file cannot be written.
 */
enum chaff_err chaff_warc_write(struct chaff_warc_writer *w, const struct chaff_warc_out *rec,
                                char *why);
/* Finish: flush, fsync, rename PATH.open to PATH; frees w. */
enum chaff_err chaff_warc_writer_close(struct chaff_warc_writer *w, char *why);
/* Close without publishing (PATH.open stays for a resume); frees w. */
void chaff_warc_writer_abandon(struct chaff_warc_writer *w);

/* ------------------------------------------------------------------ */
/* Crawling (crawler/): robots.txt, URLs, focus, the crawl itself       */
/* ------------------------------------------------------------------ */

/*
 * robots.txt as RFC 9309 reads it: groups of user-agent lines and their
 * rules, the group naming agent (case-insensitive product token, all such
 * groups merged) or else the "*" groups; the longest matching Allow or
 * Disallow path wins and Allow wins a tie; "*" matches any run of bytes
 * and a final "$" anchors the end; percent-encoding is normalised on both
 * sides before comparing. Only the first CHAFF_ROBOTS_MAX_BYTES are read.
 * Crawl-delay (not in the RFC, asked for by site owners) is kept from the
 * same group. /robots.txt itself is always allowed.
 */
#define CHAFF_ROBOTS_MAX_BYTES ((size_t)500 * 1024)

struct chaff_robots;

/*
 * The rules for agent given the answer to GET /robots.txt: status 2xx parses
 * body; 4xx (404 included) means no rules, everything allowed; anything
 * else (5xx, 0 for unreachable, a redirect loop) disallows everything.
 * Never fails: unparseable lines are ignored.
 */
struct chaff_robots *chaff_robots_new(int status, const char *body, size_t n, const char *agent);
/* May a URL with this path (and query: "/a/b?c") be fetched? */
bool chaff_robots_allowed(const struct chaff_robots *r, const char *path);
/* Crawl-delay of the matched group in milliseconds, or -1 when none. */
long chaff_robots_crawl_delay_ms(const struct chaff_robots *r);
void chaff_robots_free(struct chaff_robots *r);

/*
 * Resolve ref against base (NULL when ref is absolute) and normalise the
 * result: http and https only, lower-case scheme and host, no user info,
 * no default port, no fragment, dot segments removed, percent-encoding
 * with upper-case hex and unreserved characters decoded, bytes outside
 * printable ASCII encoded, "/" for an empty path. Two spellings of one URL
 * give the same string. *out is the caller's (free); CHAFF_ERR_NOT_ALLOWED
 * for other schemes, CHAFF_ERR_MALFORMED for junk, CHAFF_ERR_TOO_LARGE past
 * CHAFF_URL_MAX bytes.
 */
#define CHAFF_URL_MAX 2048
enum chaff_err chaff_url_resolve(char **out, const char *base, const char *ref, char *why);
/* For a normalised URL: length of its origin ("http://host:port") and
 * its path with the query ("/a?b"). */
size_t chaff_url_origin_len(const char *url);
const char *chaff_url_path(const char *url);

/*
 * The crawler's focus: true when s (a URL or an anchor text) names a
 * medication or a medication topic: a word of the lexicon (drug names,
 * "dosage", "side effects", "pharmacy"...) found on word boundaries,
 * ASCII case-insensitive. URLs split into words at any punctuation.
 */
bool chaff_focus_match(const char *s, size_t n);

/*
 * The SSRF guard shared by chaff_fetch and the crawler: loopback,
 * private, link-local, carrier-grade NAT and unspecified addresses (IPv4,
 * IPv6 and IPv4-mapped IPv6).
 */
struct sockaddr;
bool chaff_addr_is_private(const struct sockaddr *sa);

/* What the crawler hands to on_page for every response it wrote. */
struct chaff_crawl_page {
	const char *record_id;          /* WARC-Record-ID of the response */
	const struct chaff_page *page;  /* URL, status, content type, decoded body */
	const char *truncated;          /* WARC-Truncated reason, or NULL */
	unsigned depth;                 /* link hops from its seed */
};

struct chaff_crawl_opts {
	const char *out_path;        /* OUT.warc.gz, or "-" for standard output */
	size_t max_pages;            /* responses written, all hosts (100) */
	unsigned max_depth;          /* link hops from a seed (2); redirects add none */
	long delay_ms;               /* least time between two requests to a host (1000) */
	long max_crawl_delay_ms;     /* robots Crawl-delay honoured up to this (30000) */
	long max_retry_after_ms;     /* longest 429/503 Retry-After waited for (60000) */
	unsigned max_retries;        /* retries of a URL after 429/503 (2) */
	unsigned parallel;           /* hosts fetched at once (8) */
	size_t max_page_bytes;       /* payload bytes kept per response (1 MiB) */
	long connect_timeout_ms;     /* (10 s) */
	long timeout_ms;             /* per request, all included (30 s) */
	long low_speed_bytes;        /* abort slower than this many bytes/s ... (100) */
	long low_speed_secs;         /* ... for this many seconds (15) */
	int max_redirects;           /* hops followed from one URL (5) */
	size_t max_urls;             /* ceiling of the seen-set (1000000) */
	bool allow_private;          /* fetch loopback/private addresses (tests) */
	bool resume;                 /* continue OUT.open and its frontier */
	const char *user_agent;      /* NULL: CHAFF_CRAWL_USER_AGENT */
	const char *robots_agent;    /* product token matched in robots.txt ("chaff") */
	FILE *log;                   /* diagnostics (stderr), or NULL */
	const char *log_prefix;      /* before each log line ("chaff: crawl: ") */
	bool verbose;                /* log every fetch, not only problems */
	bool progress;               /* a running count on log (when it is a terminal) */
	/* Called for every response written; may be NULL. */
	void (*on_page)(void *ctx, const struct chaff_crawl_page *p);
	void *ctx;
	/* Set (to non-zero) from a signal handler to stop: transfers in flight
	 * are dropped and OUT.open is kept for --resume. May be NULL. */
	volatile int *stop;
};

#define CHAFF_CRAWL_USER_AGENT "chaff/" CHAFF_VERSION \
	" (+https://github.com/chaff-project/chaff/blob/main/README.md#crawl; medication page research)"

void chaff_crawl_opts_default(struct chaff_crawl_opts *o);

struct chaff_crawl_stats {
	size_t pages;           /* responses written (resumed ones included) */
	size_t resumed;         /* of which found in OUT.open at start */
	size_t redirects;       /* 3xx responses written */
	size_t http_errors;     /* 4xx/5xx responses written */
	size_t truncated;       /* responses written with WARC-Truncated */
	size_t failed;          /* URLs with no response (network, refused address) */
	size_t disallowed;      /* URLs refused by robots.txt */
	size_t off_topic;       /* links not followed: no lexicon match */
	size_t retries;         /* 429/503 answers waited out */
	uint64_t bytes;         /* payload bytes written */
	bool interrupted;       /* stopped by *stop: OUT.open kept */
};

/*
 * Crawl from seeds (URLs; invalid ones are reported and counted failed)
 * into o->out_path with the politeness, focus and limits of o. One
 * connection and a "next allowed time" per host (scheme, host, port);
 * robots.txt fetched first on each host and cached for 24 h; redirects
 * followed hop by hop, each hop its own request/response pair; links
 * followed when their URL or anchor text passes chaff_focus_match, within
 * max_depth and max_pages. The frontier is journaled to OUT.frontier so
 * that o->resume continues a killed crawl without fetching again a page
 * that OUT.open holds. On success OUT.open becomes OUT and the journal is
 * removed. CHAFF_OK when the crawl ran to its end (st tells what failed),
 * CHAFF_ERR_IO when the archive cannot be written, CHAFF_ERR_USAGE for bad
 * options; an interrupted crawl returns CHAFF_OK with st->interrupted.
 */
enum chaff_err chaff_crawl(const struct chaff_crawl_opts *o, const char *const *seeds,
                           size_t nseeds, struct chaff_crawl_stats *st, char *why);

/* ------------------------------------------------------------------ */
/* Documents (features/): page -> UTF-8 blocks of text                  */
/* ------------------------------------------------------------------ */

/* Where a block sits: the widget-like container nearest above it. */
enum chaff_region {
	CHAFF_REGION_MAIN = 0,
	CHAFF_REGION_NAV,
	CHAFF_REGION_HEADER,
	CHAFF_REGION_FOOTER,
	CHAFF_REGION_ASIDE,      /* aside, sidebar, widget */
	CHAFF_REGION_FORM,
	CHAFF_REGION_COMMENTS,   /* comments, "leave a reply" */
	CHAFF_REGION_RELATED,    /* related, see also, you may also like, teasers */
	CHAFF_REGION_TAGS,       /* tags, categories */
	CHAFF_REGION_AD,         /* ads, promos, banners, cookie notices */
	CHAFF_REGION_COUNT
};

const char *chaff_region_name(enum chaff_region r);

enum chaff_block_flag {
	CHAFF_BLOCK_HEADING   = 1u << 0,  /* h1..h6, or a heading-like text line */
	CHAFF_BLOCK_LIST_ITEM = 1u << 1,
	CHAFF_BLOCK_TABLE     = 1u << 2,  /* a table row; cells joined by " | " */
	CHAFF_BLOCK_HIDDEN    = 1u << 3,  /* inside display:none / hidden markup */
	CHAFF_BLOCK_PRE       = 1u << 4,  /* pre/code */
	CHAFF_BLOCK_QUOTE     = 1u << 5
};

struct chaff_block {
	const char *text;      /* UTF-8, whitespace collapsed, NUL-terminated */
	size_t len;            /* bytes of text */
	const char *path;      /* tag path, e.g. "body>div.content>article>p" (truncated to 8 levels) */
	unsigned heading;      /* 1..6 for headings, 0 otherwise */
	unsigned flags;        /* enum chaff_block_flag */
	enum chaff_region region;
	size_t link_bytes;     /* bytes of text inside <a> */
	unsigned links;        /* number of <a href> inside */
	unsigned depth;        /* tag depth of the block element */
};

struct chaff_link {
	const char *href;      /* as written (may be relative) */
	const char *text;      /* anchor text, collapsed */
	unsigned block;        /* index of the block holding it, or UINT32_MAX */
	bool external;         /* points to another host than the page's */
	bool nofollow;
};

struct chaff_doc {
	const char *url;          /* page URL or NULL */
	const char *host;         /* lower-case host of url, or NULL */
	const char *title;        /* <title> text, or first line of a text page; "" if none */
	const char *description;  /* meta description, or NULL */
	const char *lang;         /* <html lang> or NULL */
	const char *charset;      /* charset the bytes were decoded from */
	struct chaff_block *blocks;
	size_t nblocks;
	struct chaff_link *links;
	size_t nlinks;
	size_t input_bytes;       /* bytes of the page body */
	size_t text_bytes;        /* bytes of visible text (sum of block lengths) */
	unsigned max_depth;       /* deepest tag nesting seen by the pre-scan */
	size_t elided_bytes;      /* script and style bytes not given to Gumbo */
	bool elision_undone;      /* the tree refuted a cut: parsed whole instead */
	bool is_text;             /* came from plain text */
	bool truncated;           /* input was cut at a limit (bytes, depth, blocks) */
};

/*
 * Turn page into doc: charset to UTF-8 (BOM, Content-Type, meta prescan,
 * UTF-8 validity, windows-1252 fallback), depth pre-scan, script and style
 * bodies dropped (unless lim->parse_script_bodies; each cut confirmed by
 * the tree), Gumbo parse with the arena as allocator, iterative walk. Plain text pages: one block per
 * paragraph line. Everything in doc lives in arena. Returns
 * CHAFF_ERR_EMPTY when the page has no text at all.
 */
enum chaff_err chaff_doc_parse(struct chaff_doc *doc, const struct chaff_page *page,
                               const struct chaff_limits *lim, struct chaff_arena *arena,
                               char *why);

/*
 * Convert bytes to UTF-8. label: a charset name from a header, or NULL to
 * detect (BOM, meta prescan, UTF-8 validity, windows-1252). Writes the
 * label used into *used (static string). out is capped by its max.
 */
enum chaff_err chaff_to_utf8(const char *in, size_t n, const char *label,
                             struct chaff_buf *out, const char **used, char *why);

/* ------------------------------------------------------------------ */
/* Features (features/): doc -> named signals with evidence + terms     */
/* ------------------------------------------------------------------ */

/*
 * Features turn a document into what the model reads: dense named signals,
 * each with the evidence a person can check, and hashed word n-grams.
 *
 * The dense signals. The first five are the product's named signals
 * (DESIGN.md); the general content signals follow, in a table in
 * features/features.c. Names are stable: they are the JSON keys of
 * "signals" and "evidence" and the feature names of model files. Values
 * are raw (the model scales them): counts, shares in [0, 1], rates per
 * 1000 words of main content, or lengths; 0 when absent; always finite.
 *
 * The named signals (counts):
 *   repeated_sections     near-duplicate blocks (MinHash over word shingles),
 *                         repeated headings, stitched articles (numbered
 *                         sections that start at 5 or restart, a second
 *                         references section); the web-text repetition
 *                         statistics are their own signals (dup_line_frac,
 *                         dup_line_char_frac, dup_para_*, top_2..4gram_char_frac,
 *                         dup_5..10gram_char_frac, near_dup_block_char_frac).
 *   price_blocks          medication commerce: prices per pill, tablet or
 *                         capsule in any common currency and number format,
 *                         package x price rows, dosage menus next to prices,
 *                         pharmacy calls ("no prescription needed", "bonus
 *                         pills"), keyword-stuffed pharmacy blocks (hidden
 *                         ones too); each occurrence counts, so a repeated
 *                         box counts each time. A shoe shop's prices and
 *                         carts do not count; a page that states a
 *                         prescription is required and makes no pharmacy
 *                         call (licensed pharmacy, insurer, price
 *                         comparison) scores 0 here, its prices still
 *                         reported by unit_prices, package_price_rows and
 *                         rx_required.
 *   placeholder_studies   attributions that cannot be real or checked: "Doe
 *                         et al.", "John Doe" beside study words, tables of
 *                         findings attributed to "Smith et al. (2018)",
 *                         "Study 1" or a journal name with no DOI, PMID or
 *                         link. Weaker cues (common example surnames with
 *                         "et al.", "published in the Journal of X" with no
 *                         author or year, references with neither year nor
 *                         identifier) add only when a strong cue is present.
 *   truncated_references  entries of a references section that break off
 *                         (open bracket, ending on a joining character, a
 *                         final stub with no year or identifier) plus gaps
 *                         and restarts in their numbering.
 *   offtopic_widgets      widget boxes (related, tags, comments, sidebar and
 *                         ad regions; blocks opening with "See also", "Tags:",
 *                         "Leave a Reply"; app promotions) plus teaser-shaped
 *                         blocks whose words the article does not use.
 */
enum chaff_signal {
	CHAFF_SIG_REPEATED_SECTIONS = 0,
	CHAFF_SIG_PRICE_BLOCKS,
	CHAFF_SIG_PLACEHOLDER_STUDIES,
	CHAFF_SIG_TRUNCATED_REFERENCES,
	CHAFF_SIG_OFFTOPIC_WIDGETS,
	CHAFF_SIG_NAMED_COUNT,        /* the general signals follow; see features/features.c */
	CHAFF_SIG_MAX = 96            /* capacity of the dense array */
};

/* Number of dense signals and their names, in index order (NULL past the end). */
size_t chaff_signal_count(void);
const char *chaff_signal_name(size_t index);
/* Index of a signal by name, or -1 (also for NULL). */
int chaff_signal_index(const char *name);

/*
 * Whether training uses this signal. Signals of a page's form (markup
 * density, lengths, language-dependent word statistics, title shape,
 * disclaimers) vary with the template, the input format and the language
 * more than with the label: they are computed and shown, not learned.
 */
bool chaff_signal_learned(size_t index);

#define CHAFF_MAX_EVIDENCE 8      /* strings kept per signal */
#define CHAFF_EVIDENCE_CHARS 160  /* each trimmed to about this many bytes */

/* The matched strings behind one signal, most telling first. A string may
 * end in " (xN)" when the same text occurs N times. */
struct chaff_evidence {
	const char *items[CHAFF_MAX_EVIDENCE];  /* arena strings */
	size_t n;
};

/* One hashed sparse term: index in [0, 2^hash_bits), a weight. */
struct chaff_term {
	uint32_t index;
	float value;
	const char *words;   /* the first words that produced it (arena), for explanations */
};

#define CHAFF_HASH_BITS_DEFAULT 18

/*
 * What the hashed terms depend on; model files record these values and
 * refuse to load when they differ (term indices would mean other words).
 * Terms hash with chaff_hash64(words, len, CHAFF_TERM_SEED), word n-grams
 * of orders CHAFF_TERM_NGRAM_MIN..CHAFF_TERM_NGRAM_MAX.
 * CHAFF_FEATURES_VERSION: bump whenever any signal or term is computed
 * differently; it keys the training feature cache (stale entries are then
 * recomputed).
 */
#define CHAFF_TERM_SEED 0
#define CHAFF_TERM_NGRAM_MIN 1
#define CHAFF_TERM_NGRAM_MAX 2
#define CHAFF_FEATURES_VERSION 2

struct chaff_features {
	double signals[CHAFF_SIG_MAX];             /* raw values, chaff_signal_count() used */
	struct chaff_evidence evidence[CHAFF_SIG_MAX];
	struct chaff_term *terms;                  /* sorted by index, unique */
	size_t nterms;
	unsigned hash_bits;
};

/*
 * Compute every signal, its evidence, and the hashed word 1- and 2-grams of
 * doc's main content. Words are lower-cased (Latin, Greek and Cyrillic),
 * split on anything but letters and digits (don't, 0.51 stay whole); a
 * term is its words one space apart ("buy cheap"), its value log(1 + tf)
 * L2-normalised over the page. hash_bits: 0 for CHAFF_HASH_BITS_DEFAULT,
 * at most 28. f is overwritten; strings and terms live in arena. Cost is
 * linear in the text (one tokenization, hash tables, no pairwise
 * comparison), a few percent of the HTML parse. Thread-safe: word lists
 * are built once and only read afterwards.
 */
void chaff_features_extract(struct chaff_features *f, const struct chaff_doc *doc,
                            unsigned hash_bits, struct chaff_arena *arena);

/*
 * Append an evidence string: white space (ASCII and U+00A0) collapsed and
 * trimmed, cut at a UTF-8 boundary near CHAFF_EVIDENCE_CHARS with "…",
 * skipped when empty, already present, or the list is full. ev may be NULL.
 */
void chaff_evidence_add(struct chaff_evidence *ev, struct chaff_arena *arena,
                        const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Model (model/): features -> verdict                                  */
/* ------------------------------------------------------------------ */

/*
 * A model is one-vs-rest logistic regression (liblinear) over the dense
 * signals, scaled, and the hashed terms, with a calibration temperature.
 * For each label k:
 *
 *   score_k = bias_k + sum_j w_kj * x_j      p = softmax(score / temperature)
 *
 * where a dense signal v becomes x = clip((T(v) - center) / scale, lo, hi),
 * T being identity or log1p (sign(v) * log(1 + |v|)), and a hashed term's
 * value is multiplied by the model's term scale.
 *
 * The model file is text of our own format (liblinear's save_model and
 * load_model call setlocale and fscanf on untrusted bytes), one item per
 * line, LF line ends, fields separated by one space, '#' lines ignored:
 *
 *   chaff-model 1
 *   labels K                 then K lines: label NAME
 *   signals D                then D lines: signal NAME TRANSFORM CENTER SCALE LO HI
 *   terms bits B seed S ngrams MIN MAX scale X
 *   calibration temperature T
 *   trained pages N sites S cost C folds F macro_f1 M
 *   weights R                then R rows: KEY W_1 .. W_K (one weight per label)
 *   end
 *
 * KEY is "bias", "s<j>" (the j-th signal line) or "t<i>" (hashed term i),
 * strictly increasing in that order; rows whose weights are all zero are
 * left out. Numbers are written with "%.9g" and read by a strict
 * hand-written tokenizer whose digits go to strtod: both depend on the
 * locale only after setlocale(), which chaff never calls. Loading checks
 * everything (version, counts, ranges, names, order, NaN/inf, duplicate or
 * missing sections, trailing bytes) and fails with CHAFF_ERR_MODEL and
 * "line N: ..." in why.
 *
 * Signals are matched by name (chaff_signal_index), so a model survives
 * signals being added or reordered: signals this chaff computes but the
 * model does not name are ignored. A signal the model names but this chaff
 * does not compute is accepted when all its weights are zero, and refused
 * otherwise (predictions would silently change): retrain the model.
 */

#define CHAFF_MAX_LABELS 16
#define CHAFF_TOP_MAX 10
#define CHAFF_LABEL_NAME_MAX 63   /* bytes; names are [A-Za-z0-9_.-] */
#define CHAFF_MODEL_MAX_BYTES ((size_t)256 << 20)  /* largest model file read */

struct chaff_model;

/* Load a model file / parse model text. Damaged or foreign input gives
 * CHAFF_ERR_MODEL with the line in why, never a crash. A file that cannot
 * be read gives CHAFF_ERR_IO. */
enum chaff_err chaff_model_load(struct chaff_model **out, const char *path, char *why);
enum chaff_err chaff_model_parse(struct chaff_model **out, const char *text, size_t n,
                                 char *why);
/* The model compiled into the binary (parsed once, thread-safely, never
 * freed). A damaged embedded model is a build bug: the process aborts with
 * a message saying so. */
const struct chaff_model *chaff_model_default(void);
void chaff_model_free(struct chaff_model *m);

/*
 * Write m in the model file format to out (the same model always gives the
 * same bytes). CHAFF_ERR_TOO_LARGE when out's ceiling is reached.
 */
enum chaff_err chaff_model_write(const struct chaff_model *m, struct chaff_buf *out);
/* Write m to path atomically: a temporary file beside it, then rename. */
enum chaff_err chaff_model_save(const struct chaff_model *m, const char *path, char *why);

size_t chaff_model_nlabels(const struct chaff_model *m);
const char *chaff_model_label(const struct chaff_model *m, size_t i);
/* Index of the label called name, or -1. */
int chaff_model_label_index(const struct chaff_model *m, const char *name);
unsigned chaff_model_hash_bits(const struct chaff_model *m);

/* How a model was trained (the "trained" line; zeros for hand-made models). */
struct chaff_model_info {
	size_t pages;        /* pages it was trained on */
	size_t sites;        /* distinct sites among them */
	double cost;         /* liblinear C */
	unsigned folds;      /* folds of the cross-validation that chose C, 0 if none */
	double macro_f1;     /* cross-validated macro-F1 at that C, 0 if none */
	double temperature;  /* calibration temperature */
};
void chaff_model_info(const struct chaff_model *m, struct chaff_model_info *info);

struct chaff_contrib {
	char feature[96];      /* signal name, or "term:<words>" for a hashed term */
	double contribution;   /* weight x scaled value toward the predicted label */
};

struct chaff_verdict {
	size_t label;                        /* index of the predicted label */
	double prob[CHAFF_MAX_LABELS];       /* calibrated, sums to 1 */
	struct chaff_contrib top[CHAFF_TOP_MAX];
	size_t ntop;                         /* most decisive first (by |contribution|) */
};

/*
 * Probabilities for every label of m and the CHAFF_TOP_MAX contributions
 * toward the predicted label with the largest |weight x scaled value|:
 * signals by name, terms as "term:<words>" (or "term:#<index>" when the
 * words are unknown). f->terms must come from chaff_features_extract with
 * chaff_model_hash_bits(m) bits; others are ignored. Re-entrant: m is only
 * read, so threads may share one model.
 */
void chaff_model_predict(const struct chaff_model *m, const struct chaff_features *f,
                         struct chaff_verdict *v);

/* ------------------------------------------------------------------ */
/* The whole pipeline for one page                                      */
/* ------------------------------------------------------------------ */

/*
 * page -> doc -> features -> verdict, all in arena (reset by the caller
 * between pages). doc and features may be used after the call.
 */
enum chaff_err chaff_score_page(const struct chaff_model *m, const struct chaff_page *page,
                                const struct chaff_limits *lim, struct chaff_arena *arena,
                                struct chaff_doc *doc, struct chaff_features *f,
                                struct chaff_verdict *v, char *why);

/*
 * Append the verdict fields of DESIGN.md to an open JSON object:
 * "label","scores":{...},"signals":{...},"evidence":{...},"top":[...].
 */
void chaff_verdict_json(struct chaff_json *j, const struct chaff_model *m,
                        const struct chaff_features *f, const struct chaff_verdict *v);

/* ------------------------------------------------------------------ */
/* Training (model/): labelled corpus -> features -> model; evaluation  */
/* ------------------------------------------------------------------ */

/*
 * A labelled corpus is read from labels files: a directory holding
 * labels.tsv, or the path of a labels file. One row per page:
 *
 *   path<TAB>label[<TAB>url[<TAB>site]]
 *
 * path is relative to the labels file's directory (or absolute); pages are
 * .html/.htm, .html.gz or .txt, read with chaff_page_read_file. url, when
 * given, becomes the page's URL. site groups pages for cross-validation
 * (a site's pages are never on both sides of a fold); by default the host
 * of url, else the directory of path. Lines starting with '#' are
 * comments, except "# labels: NAME NAME..." which fixes the label order
 * (otherwise the order of first appearance); header rows
 * "path<TAB>label[...]" are skipped wherever they are (files concatenate).
 *
 * Rows may point into WARC archives (a path ending in .warc or .warc.gz;
 * .arc and .arc.gz ones are refused by the WARC reader):
 *
 *   archive<TAB>offset-or-record-id<TAB>label[<TAB>site]
 *
 * An offset (decimal, as `chaff bulk` prints it) selects the record whose
 * gzip member, or in a plain file whose "WARC/" line, starts there; a
 * "<urn:uuid:...>" WARC-Record-ID selects that record wherever it is. The
 * record must hold a page (a 2xx HTML or plain-text response, a resource
 * or a conversion record, as chaff_warc_page reads them with text_plain):
 * others are reported per row with the archive, offset and reason. The
 * page's URL is the record's WARC-Target-URI and its site, unless given,
 * that URL's host. In a whole-file gzip every record shares offset 0: an
 * offset there is refused as ambiguous; name such records by id. Anything
 * that is not a decimal offset is taken as a record id (<> optional).
 *
 * Labels are data: whatever names the rows use (2 to CHAFF_MAX_LABELS),
 * except one reserved name, CHAFF_LABEL_NONE ("none"): background pages,
 * about none of the labels' subject (ordinary pages that are not about
 * medication at all). They are negatives for every label's one-vs-rest
 * fit and are never predicted: a model trained with them lists only the
 * real labels and gives probabilities over those. They teach the model
 * what the rest of the web looks like (shops, tag clouds, link lists that
 * are not pharmacies). The corpus keeps "none" among its labels;
 * chaff_dataset_build sets its pages apart.
 */
#define CHAFF_LABEL_NONE "none"

struct chaff_sample {
	char *path;     /* page file (or WARC archive), resolved */
	char *record;   /* WARC offset or record id; NULL for page files */
	char *url;      /* or NULL */
	char *site;     /* cross-validation group; NULL for a WARC row without
	                 * one (then the host of its record's URI) */
	size_t label;   /* index into the corpus's labels */
	char *where;    /* "FILE:LINE" of the row, for messages */
};

struct chaff_corpus {
	char *labels[CHAFF_MAX_LABELS];
	size_t nlabels;
	/*
	 * "# background: LABEL" in a labels file: the background pages (label
	 * none) are learned as LABEL (a page about none of the labels' subject
	 * gets the label that objects to nothing), instead of as negatives for
	 * every label. NULL when not given.
	 */
	char *background_as;
	struct chaff_sample *samples;
	size_t nsamples;
	size_t cap;
	size_t bad_rows;   /* rows reported on diag and skipped */
};

#define CHAFF_CORPUS_MAX_ROWS 10000000


struct chaff_train_opts {
	double cost;            /* liblinear C; 0: choose by cross-validation */
	unsigned folds;         /* K of the site-grouped K-fold cross-validation (5) */
	uint64_t seed;          /* fold assignment seed (fixed: same corpus, same model) */
	unsigned hash_bits;     /* 0: CHAFF_HASH_BITS_DEFAULT */
	const char *cache_dir;  /* NULL: $XDG_CACHE_HOME/chaff or ~/.cache/chaff */
	bool no_cache;          /* do not read or write the feature cache */
	FILE *log;              /* progress and summary (stderr), or NULL */
	const char *log_prefix; /* put before each log line, e.g. "chaff: train: " */
	bool progress;          /* a running count on log (when it is a terminal) */
	unsigned threads;       /* threads reading pages; 0: one per CPU */
};

void chaff_train_opts_default(struct chaff_train_opts *o);

void chaff_corpus_init(struct chaff_corpus *c);
/*
 * Add the rows of one corpus (directory or labels file) to c. Bad rows are
 * reported on opts->log as "FILE:LINE: reason", counted in c->bad_rows and
 * skipped; the rest go on. Returns an error only when the labels file
 * cannot be read at all (CHAFF_ERR_IO, CHAFF_ERR_TOO_LARGE).
 */
enum chaff_err chaff_corpus_add(struct chaff_corpus *c, const char *path,
                                const struct chaff_train_opts *opts, char *why);
void chaff_corpus_release(struct chaff_corpus *c);

/*
 * The features of a corpus's pages, ready for training: raw signals and
 * hashed terms per page, its label and site. Pages are read and parsed
 * once; the features are cached on disk under opts->cache_dir, keyed by a
 * hash of the page bytes, URL, CHAFF_FEATURES_VERSION, signal names, hash
 * bits and limits. The cache is an optimisation only: a damaged entry is
 * ignored and recomputed, entries are written atomically.
 */
struct chaff_dataset;

/*
 * Build the dataset of c's rows. Pages that cannot be read or parsed are
 * reported on opts->log with their row's FILE:LINE and counted in *failed.
 * Labels with no page left are dropped (and reported). Pages labelled
 * CHAFF_LABEL_NONE are background: chaff_dataset_label does not list it.
 * Each WARC archive is opened once per row that names an offset (a seek)
 * and read through once for all the rows that name record ids. Fails with
 * CHAFF_ERR_EMPTY when no page at all could be read.
 */
enum chaff_err chaff_dataset_build(struct chaff_dataset **out, const struct chaff_corpus *c,
                                   const struct chaff_train_opts *opts, size_t *failed,
                                   char *why);
size_t chaff_dataset_size(const struct chaff_dataset *d);
size_t chaff_dataset_nlabels(const struct chaff_dataset *d);
const char *chaff_dataset_label(const struct chaff_dataset *d, size_t i);
size_t chaff_dataset_nsites(const struct chaff_dataset *d);
/* Background pages (label CHAFF_LABEL_NONE) among chaff_dataset_size. */
size_t chaff_dataset_nbackground(const struct chaff_dataset *d);
void chaff_dataset_free(struct chaff_dataset *d);

/*
 * Train a model on every page of d. Without opts->cost, C is chosen on a
 * small grid by site-grouped K-fold cross-validation maximising macro-F1
 * (ties: the smaller C). Classes are weighted by inverse frequency: in
 * each one-vs-rest fit, the label's pages weigh as much in total as all the
 * others, background pages included, so background counts like any other
 * negative and cannot swamp a label. The calibration temperature is
 * fitted on the cross-validated decision values. Both the choice of C and
 * the calibration look at the labelled pages only (background pages have
 * no right answer among the labels). Deterministic: the same dataset and
 * options give the same model bytes. Needs pages of at least two labels
 * besides CHAFF_LABEL_NONE (CHAFF_ERR_USAGE otherwise).
 */
enum chaff_err chaff_train(struct chaff_model **out, const struct chaff_dataset *d,
                           const struct chaff_train_opts *opts, char *why);

#define CHAFF_ECE_BINS 10

/* Evaluation: confusion matrix, per-label P/R/F1, calibration error. */
struct chaff_eval {
	size_t nlabels;
	char labels[CHAFF_MAX_LABELS][CHAFF_LABEL_NAME_MAX + 1];
	size_t n;                                            /* pages counted */
	size_t confusion[CHAFF_MAX_LABELS][CHAFF_MAX_LABELS]; /* [truth][predicted] */
	double bin_conf[CHAFF_ECE_BINS];  /* sum of max probabilities per confidence bin */
	size_t bin_hits[CHAFF_ECE_BINS];  /* correct predictions per bin */
	size_t bin_n[CHAFF_ECE_BINS];
	double nll;                       /* sum of -log p(truth) */
	unsigned folds;                   /* cross-validation folds used, 0 for a fixed model */
	/* Background pages (CHAFF_LABEL_NONE): not in n or any figure above. */
	size_t background;                          /* background pages counted */
	size_t background_pred[CHAFF_MAX_LABELS];   /* ... predicted as each label */
	/* Filled by chaff_eval_finish: */
	double precision[CHAFF_MAX_LABELS], recall[CHAFF_MAX_LABELS], f1[CHAFF_MAX_LABELS];
	size_t support[CHAFF_MAX_LABELS];
	double macro_f1;      /* mean F1 over labels with pages or predictions */
	double accuracy;
	double ece;           /* expected calibration error, CHAFF_ECE_BINS bins of max p */
	double log_loss;      /* mean -log p(truth) */
};

void chaff_eval_init(struct chaff_eval *e, const char *const *labels, size_t nlabels);
/* Count one page: its true label and the probabilities given to each label. */
void chaff_eval_add(struct chaff_eval *e, size_t truth, const double *prob);
/* Count one background page: only which label it was predicted as. */
void chaff_eval_add_background(struct chaff_eval *e, const double *prob);
void chaff_eval_finish(struct chaff_eval *e);

/*
 * Score every page of d with m. Pages whose label m does not have are
 * reported on opts->log and counted in *skipped; background pages are
 * counted with chaff_eval_add_background. d must have been built with
 * chaff_model_hash_bits(m) bits.
 */
enum chaff_err chaff_eval_model(struct chaff_eval *e, const struct chaff_model *m,
                                const struct chaff_dataset *d,
                                const struct chaff_train_opts *opts, size_t *skipped,
                                char *why);
/*
 * Site-grouped K-fold cross-validation: for each fold, a model is trained
 * on the other folds with chaff_train's procedure (its own inner choice of
 * C and calibration) and scores the fold's pages, background pages too
 * (chaff_eval_add_background).
 */
enum chaff_err chaff_eval_cv(struct chaff_eval *e, const struct chaff_dataset *d,
                             const struct chaff_train_opts *opts, char *why);

/* ------------------------------------------------------------------ */
/* Report (model/report.c): verdict JSON Lines -> one HTML page          */
/* ------------------------------------------------------------------ */

/*
 * A report reads the JSON Lines of `chaff bulk` or `chaff score --json` in
 * one streaming pass and draws one self-contained HTML page: totals and
 * skip reasons, the label distribution, a histogram of each label's
 * probability, the hosts with the most pages of each flagged label, how
 * often each signal fires per label, the pages to review first with their
 * evidence, and a sortable, filterable table of the top pages.
 *
 * Labels and signals are data: whatever names the lines use (up to
 * CHAFF_MAX_LABELS labels). Every label but opts.good is "flagged": it gets
 * host tables and a review list. Lines are untrusted: a line that is not a
 * JSON object is counted as malformed and reported on opts.log with its
 * place ("scores.jsonl:17: byte 9: expected ':' after the key"); unknown
 * fields are ignored, missing ones leave the record out of what needs them.
 *
 * Memory does not grow with the number of lines (about 20 MB): host
 * counts are kept by space-saving counters per flagged label (exact unless
 * more distinct hosts than counters are seen; then shown as estimates) and
 * a count-min sketch of pages per host, histograms in fixed bins, pages in
 * bounded heaps. The page is written with every string that came from the
 * input HTML-escaped, links only for http(s) URLs, and a
 * Content-Security-Policy that allows no external load and only chaff's
 * own inline style and script (by hash).
 */
struct chaff_report_opts {
	size_t top;              /* rows in the page table (500; 1..CHAFF_REPORT_MAX_TOP) */
	size_t review;           /* pages per review list (10; 1..CHAFF_REPORT_MAX_REVIEW) */
	const char *good;        /* the label that needs no review ("reliable") */
	const char *title;       /* what the report is about, shown in its heading, or NULL */
	size_t max_line;         /* longest line read (1 MiB); longer ones are malformed */
	FILE *log;               /* where malformed lines are reported, or NULL */
	const char *log_prefix;  /* put before each log line, e.g. "chaff: report: " */
};

#define CHAFF_REPORT_MAX_TOP 2000
#define CHAFF_REPORT_MAX_REVIEW 100
#define CHAFF_REPORT_MAX_LOGGED 100  /* malformed lines reported on log, per report */

void chaff_report_opts_default(struct chaff_report_opts *o);

/* A new, empty report (opts are copied; out-of-range values are clamped). */
struct chaff_report *chaff_report_new(const struct chaff_report_opts *opts);
void chaff_report_free(struct chaff_report *r);

/*
 * Read every line of in (named name in messages and in the report). Lines
 * longer than opts.max_line, not JSON, or not an object are malformed:
 * counted, reported (the first CHAFF_REPORT_MAX_LOGGED), and skipped.
 * Blank lines are ignored; a UTF-8 byte order mark and CR before LF are
 * allowed. Returns CHAFF_ERR_IO when reading fails (the lines read so far
 * are kept).
 */
enum chaff_err chaff_report_read(struct chaff_report *r, FILE *in, const char *name,
                                 char *why);

struct chaff_report_counts {
	uint64_t lines;       /* lines read, blank ones included */
	uint64_t records;     /* JSON objects */
	uint64_t scored;      /* records with a verdict (label or scores) */
	uint64_t skipped;     /* records carrying "skipped" */
	uint64_t failed;      /* records carrying "error" */
	uint64_t no_verdict;  /* other objects */
	uint64_t malformed;   /* lines that were not JSON objects */
};

void chaff_report_counts(const struct chaff_report *r, struct chaff_report_counts *c);

/*
 * Append the HTML page to out. Its size is bounded by the options whatever
 * the input, since every string is cut to a budget: at most about 1 KiB
 * per table row and 5 KiB per review card (one list per flagged label and
 * one of uncertain pages), plus 200 KiB; under 2 MiB with the defaults.
 * CHAFF_ERR_TOO_LARGE when out's ceiling is reached first. The same lines
 * give the same bytes.
 */
enum chaff_err chaff_report_html(const struct chaff_report *r, struct chaff_buf *out);

#endif /* CHAFF_H */
