/*
 * charset.c - any page bytes to UTF-8, the WHATWG way: BOM, then the HTTP
 * charset, then <meta> in the first 1024 bytes, then "is it valid UTF-8?",
 * then windows-1252. About 93% of the web is UTF-8, so validation comes
 * first and iconv runs only when needed.
 */
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "chaff.h"

#define META_SCAN_BYTES 1024

struct alias {
	const char *label;   /* WHATWG label, lower case */
	const char *name;    /* canonical name (iconv's) */
};

/* The labels met on the web, mapped as WHATWG's Encoding Standard does. */
static const struct alias aliases[] = {
	{"utf-8", "UTF-8"}, {"utf8", "UTF-8"}, {"unicode-1-1-utf-8", "UTF-8"},
	{"us-ascii", "WINDOWS-1252"}, {"ascii", "WINDOWS-1252"},
	{"iso-8859-1", "WINDOWS-1252"}, {"iso8859-1", "WINDOWS-1252"},
	{"latin1", "WINDOWS-1252"}, {"l1", "WINDOWS-1252"}, {"windows-1252", "WINDOWS-1252"},
	{"cp1252", "WINDOWS-1252"}, {"x-cp1252", "WINDOWS-1252"}, {"iso_8859-1", "WINDOWS-1252"},
	{"iso-8859-2", "ISO-8859-2"}, {"latin2", "ISO-8859-2"},
	{"iso-8859-5", "ISO-8859-5"}, {"iso-8859-7", "ISO-8859-7"}, {"iso-8859-8", "ISO-8859-8"},
	{"iso-8859-9", "WINDOWS-1254"}, {"latin5", "WINDOWS-1254"},
	{"iso-8859-15", "ISO-8859-15"}, {"latin9", "ISO-8859-15"},
	{"windows-1250", "WINDOWS-1250"}, {"windows-1251", "WINDOWS-1251"},
	{"windows-1253", "WINDOWS-1253"}, {"windows-1254", "WINDOWS-1254"},
	{"windows-1255", "WINDOWS-1255"}, {"windows-1256", "WINDOWS-1256"},
	{"windows-1257", "WINDOWS-1257"}, {"windows-1258", "WINDOWS-1258"},
	{"cp1251", "WINDOWS-1251"}, {"koi8-r", "KOI8-R"}, {"koi8-u", "KOI8-U"},
	{"gb2312", "GBK"}, {"gbk", "GBK"}, {"x-gbk", "GBK"}, {"gb18030", "GB18030"},
	{"big5", "BIG5"}, {"big5-hkscs", "BIG5-HKSCS"},
	{"shift_jis", "SHIFT_JIS"}, {"shift-jis", "SHIFT_JIS"}, {"sjis", "SHIFT_JIS"},
	{"x-sjis", "SHIFT_JIS"}, {"ms_kanji", "SHIFT_JIS"}, {"windows-31j", "CP932"},
	{"euc-jp", "EUC-JP"}, {"iso-2022-jp", "ISO-2022-JP"}, {"euc-kr", "EUC-KR"},
	{"ks_c_5601-1987", "EUC-KR"}, {"windows-874", "CP874"}, {"tis-620", "CP874"},
	{"utf-16", "UTF-16LE"}, {"utf-16le", "UTF-16LE"}, {"utf-16be", "UTF-16BE"},
};

static const char *canonical(const char *label, size_t n)
{
	size_t i;

	while (n && (*label == ' ' || *label == '"' || *label == '\'')) {
		label++;
		n--;
	}
	while (n && (label[n - 1] == ' ' || label[n - 1] == '"' || label[n - 1] == '\''))
		n--;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strlen(aliases[i].label) == n && !chaff_strncasecmp(label, aliases[i].label, n))
			return aliases[i].name;
	return NULL;
}

/*
 * Append UTF-8 bytes up to the buffer's ceiling, cutting at a character
 * boundary: a page over the parse cap keeps its first max_parse_bytes.
 */
static enum chaff_err append_capped(struct chaff_buf *out, const char *p, size_t n)
{
	size_t room;

	if (!chaff_buf_append(out, p, n))
		return CHAFF_OK;
	room = out->max - out->len;
	while (room > 0 && ((unsigned char)p[room] & 0xC0) == 0x80)
		room--;
	chaff_buf_append(out, p, room);
	return CHAFF_ERR_TOO_LARGE;
}

/* windows-1252 bytes 0x80..0x9F; the rest of the range maps to itself. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

static enum chaff_err from_cp1252(const char *in, size_t n, struct chaff_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		char enc[4];
		uint32_t cp = c >= 0x80 && c < 0xA0 ? cp1252_high[c - 0x80] : c;
		size_t k = chaff_utf8_encode(cp, enc);

		if (append_capped(out, enc, k))
			return CHAFF_ERR_TOO_LARGE;
	}
	return CHAFF_OK;
}

/* Copy UTF-8, replacing invalid sequences by U+FFFD. */
static enum chaff_err from_utf8(const char *in, size_t n, struct chaff_buf *out)
{
	size_t i = 0, run = 0;

	while (i < n) {
		uint32_t cp;
		size_t k;

		if ((unsigned char)in[i] < 0x80) {
			i++;
			run++;
			continue;
		}
		k = chaff_utf8_decode(in + i, n - i, &cp);
		if (cp == 0xFFFD && k == 1) {
			if (append_capped(out, in + i - run, run) ||
			    append_capped(out, "\xEF\xBF\xBD", 3))
				return CHAFF_ERR_TOO_LARGE;
			run = 0;
		} else {
			run += k;
		}
		i += k;
	}
	return append_capped(out, in + i - run, run);
}

static enum chaff_err from_iconv(const char *in, size_t n, const char *name,
                                 struct chaff_buf *out, char *why)
{
	iconv_t cd = iconv_open("UTF-8", name);
	char chunk[16384];
	char *src = (char *)in;
	size_t left = n;
	enum chaff_err err = CHAFF_OK;

	if (cd == (iconv_t)-1) {
		chaff_why(why, "charset %s not available", name);
		return CHAFF_ERR_CHARSET;
	}
	while (left > 0) {
		char *dst = chunk;
		size_t room = sizeof(chunk);
		size_t rc = iconv(cd, &src, &left, &dst, &room);
		int e = errno;

		if (append_capped(out, chunk, sizeof(chunk) - room)) {
			err = CHAFF_ERR_TOO_LARGE;
			break;
		}
		if (rc != (size_t)-1 || e == E2BIG)
			continue;
		/* Undecodable or cut-off byte: one U+FFFD, skip it, go on. */
		if (append_capped(out, "\xEF\xBF\xBD", 3)) {
			err = CHAFF_ERR_TOO_LARGE;
			break;
		}
		src++;
		left--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	iconv_close(cd);
	return err;
}

/* The charset named by <meta charset=...> or http-equiv in the first bytes. */
static const char *meta_charset(const char *p, size_t n)
{
	size_t scan = n < META_SCAN_BYTES ? n : META_SCAN_BYTES;
	const char *end = p + scan, *m = p;

	while ((m = chaff_memcasemem(m, (size_t)(end - m), "<meta")) != NULL) {
		const char *close = memchr(m, '>', (size_t)(end - m));
		const char *cs, *v;
		size_t len = 0;

		if (!close)
			close = end;
		cs = chaff_memcasemem(m, (size_t)(close - m), "charset");
		if (cs) {
			v = cs + 7;
			while (v < close && (*v == ' ' || *v == '='))
				v++;
			if (v < close && (*v == '"' || *v == '\''))
				v++;
			while (v + len < close && v[len] != '"' && v[len] != '\'' && v[len] != ';' &&
			       v[len] != ' ' && v[len] != '/' && v[len] != '>')
				len++;
			if (len)
				return canonical(v, len);
		}
		m = close;
	}
	return NULL;
}

enum chaff_err chaff_to_utf8(const char *in, size_t n, const char *label,
                             struct chaff_buf *out, const char **used, char *why)
{
	const char *name = NULL;
	bool valid = false;  /* in[0..n) checked and found to be UTF-8 */

	if (n >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3)) {
		in += 3;
		n -= 3;
		name = "UTF-8";
	} else if (n >= 2 && !memcmp(in, "\xFF\xFE", 2)) {
		in += 2;
		n -= 2;
		name = "UTF-16LE";
	} else if (n >= 2 && !memcmp(in, "\xFE\xFF", 2)) {
		in += 2;
		n -= 2;
		name = "UTF-16BE";
	}
	if (!name && label)
		name = canonical(label, strlen(label));
	if (!name)
		name = meta_charset(in, n);
	/* A page that says UTF-16 but has no BOM is ASCII-compatible (WHATWG). */
	if (name && !strncmp(name, "UTF-16", 6) && !(n >= 2 && (in[0] == 0 || in[1] == 0)))
		name = "UTF-8";
	if (!name) {
		valid = chaff_utf8_valid(in, n);
		name = valid ? "UTF-8" : "WINDOWS-1252";
	}
	*used = name;
	/* Valid UTF-8 (most pages) is copied as it is, after one fast check. */
	if (!strcmp(name, "UTF-8"))
		return valid || chaff_utf8_valid(in, n) ? append_capped(out, in, n)
		                                        : from_utf8(in, n, out);
	if (!strcmp(name, "WINDOWS-1252"))
		return from_cp1252(in, n, out);
	return from_iconv(in, n, name, out, why);
}
