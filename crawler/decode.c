/*
 * decode.c - Content-Encoding decoding (gzip, deflate, br) with a ceiling
 * on the output, so a small bomb cannot become a large allocation.
 */
#include <string.h>

#include <brotli/decode.h>
#include <zlib.h>

#include "chaff.h"

enum coding { CODING_IDENTITY, CODING_GZIP, CODING_DEFLATE, CODING_BR, CODING_UNKNOWN };

static enum coding coding_of(const char *s, size_t n)
{
	if ((n == 4 && !chaff_strncasecmp(s, "gzip", 4)) ||
	    (n == 6 && !chaff_strncasecmp(s, "x-gzip", 6)))
		return CODING_GZIP;
	if (n == 7 && !chaff_strncasecmp(s, "deflate", 7))
		return CODING_DEFLATE;
	if (n == 2 && !chaff_strncasecmp(s, "br", 2))
		return CODING_BR;
	if (n == 0 || (n == 8 && !chaff_strncasecmp(s, "identity", 8)) ||
	    (n == 4 && !chaff_strncasecmp(s, "none", 4)))
		return CODING_IDENTITY;
	return CODING_UNKNOWN;
}

/*
 * window_bits: 15+32 auto-detects gzip or zlib headers; -15 is raw deflate
 * (servers that send "deflate" without the zlib wrapper). Concatenated
 * gzip members are all decoded.
 */
static enum chaff_err inflate_into(const char *in, size_t n, int window_bits,
                                   struct chaff_buf *out, bool *truncated)
{
	z_stream zs;
	unsigned char chunk[65536];
	enum chaff_err err = CHAFF_OK;
	int rc = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, window_bits) != Z_OK)
		return CHAFF_ERR_DECODE;
	zs.next_in = (unsigned char *)in;
	while (n > 0 || rc == Z_OK) {
		uInt take = n > (1u << 30) ? (1u << 30) : (uInt)n;
		size_t produced;

		if (zs.avail_in == 0) {
			zs.avail_in = take;
			n -= take;
		}
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = inflate(&zs, Z_NO_FLUSH);
		produced = sizeof(chunk) - zs.avail_out;
		if (produced && chaff_buf_append(out, chunk, produced)) {
			/* Keep what fits under the ceiling, then stop. */
			size_t room = out->max - out->len;

			chaff_buf_append(out, chunk, room < produced ? room : produced);
			*truncated = true;
			break;
		}
		if (rc == Z_STREAM_END) {
			if (zs.avail_in == 0 && n == 0)
				break;
			/* Only another gzip member continues; padding after the end is ignored. */
			if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b)
				break;
			/* Another gzip member follows. */
			if (inflateReset(&zs) != Z_OK) {
				err = CHAFF_ERR_DECODE;
				break;
			}
			rc = Z_OK;
			continue;
		}
		if (rc == Z_BUF_ERROR && zs.avail_in == 0 && n == 0) {
			err = CHAFF_ERR_TRUNCATED;  /* input ended mid-stream */
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			err = CHAFF_ERR_DECODE;
			break;
		}
	}
	inflateEnd(&zs);
	return err;
}

static enum chaff_err brotli_into(const char *in, size_t n, struct chaff_buf *out,
                                  bool *truncated)
{
	BrotliDecoderState *st = BrotliDecoderCreateInstance(NULL, NULL, NULL);
	const uint8_t *next_in = (const uint8_t *)in;
	size_t avail_in = n;
	enum chaff_err err = CHAFF_OK;

	if (!st)
		return CHAFF_ERR_DECODE;
	for (;;) {
		uint8_t chunk[65536];
		uint8_t *next_out = chunk;
		size_t avail_out = sizeof(chunk), produced;
		BrotliDecoderResult r = BrotliDecoderDecompressStream(
			st, &avail_in, &next_in, &avail_out, &next_out, NULL);

		produced = sizeof(chunk) - avail_out;
		if (produced && chaff_buf_append(out, chunk, produced)) {
			size_t room = out->max - out->len;

			chaff_buf_append(out, chunk, room < produced ? room : produced);
			*truncated = true;
			break;
		}
		if (r == BROTLI_DECODER_RESULT_SUCCESS)
			break;
		if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT)
			continue;
		err = r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT ? CHAFF_ERR_TRUNCATED
		                                                   : CHAFF_ERR_DECODE;
		break;
	}
	BrotliDecoderDestroyInstance(st);
	return err;
}

static enum chaff_err decode_one(enum coding c, const char *in, size_t n,
                                 struct chaff_buf *out, bool *truncated)
{
	enum chaff_err err;
	size_t start = out->len;

	switch (c) {
	case CODING_GZIP:
		return inflate_into(in, n, 15 + 32, out, truncated);
	case CODING_DEFLATE:
		err = inflate_into(in, n, 15 + 32, out, truncated);
		if (err == CHAFF_ERR_DECODE && out->len == start)
			err = inflate_into(in, n, -15, out, truncated);
		return err;
	case CODING_BR:
		return brotli_into(in, n, out, truncated);
	case CODING_IDENTITY:
		if (chaff_buf_append(out, in, n)) {
			chaff_buf_append(out, in, out->max - out->len);
			*truncated = true;
		}
		return CHAFF_OK;
	default:
		return CHAFF_ERR_UNSUPPORTED;
	}
}

/* Split "gzip, br" into codings; decode right to left through temporaries. */
enum chaff_err chaff_content_decode(const char *encoding, const char *in, size_t n,
                                    struct chaff_buf *out, bool *truncated, char *why)
{
	enum coding list[4];
	size_t count = 0, i;
	const char *p = encoding ? encoding : "";
	struct chaff_buf cur, next;
	bool have_cur = false;
	enum chaff_err err = CHAFF_OK;

	*truncated = false;
	while (*p) {
		const char *start, *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == start)
			continue;
		if (count == sizeof(list) / sizeof(list[0])) {
			chaff_why(why, "too many content codings in '%.60s'", encoding);
			return CHAFF_ERR_UNSUPPORTED;
		}
		list[count] = coding_of(start, (size_t)(end - start));
		if (list[count] == CODING_UNKNOWN) {
			chaff_why(why, "unsupported content coding '%.*s'",
			          (int)(end - start > 40 ? 40 : end - start), start);
			return CHAFF_ERR_UNSUPPORTED;
		}
		if (list[count] != CODING_IDENTITY)
			count++;
	}
	if (count == 0)
		return decode_one(CODING_IDENTITY, in, n, out, truncated);

	for (i = count; i-- > 0;) {
		struct chaff_buf *dst = out;
		bool cut = false;

		if (i != 0) {
			chaff_buf_init(&next, out->max);
			dst = &next;
		}
		err = decode_one(list[i], in, n, dst, &cut);
		*truncated |= cut;
		if (have_cur) {
			chaff_buf_release(&cur);
			have_cur = false;
		}
		if (err && err != CHAFF_ERR_TRUNCATED) {
			if (i != 0)
				chaff_buf_release(&next);
			break;
		}
		if (i != 0) {
			cur = next;
			have_cur = true;
			in = cur.data ? cur.data : "";
			n = cur.len;
		}
	}
	if (have_cur)
		chaff_buf_release(&cur);
	if (err == CHAFF_ERR_TRUNCATED)
		chaff_why(why, "compressed body ends early; decoded what was there");
	else if (err)
		chaff_why(why, "damaged compressed body");
	return err;
}
