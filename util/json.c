/*
 * json.c - a small streaming JSON writer. Output is always valid UTF-8:
 * bytes that are not are replaced by U+FFFD, so a hostile page cannot make
 * chaff print invalid JSON.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chaff.h"

/* JSON output has no ceiling of its own: its size is bounded by the limits
 * on what went in (evidence count and length, signal count). */
static void put(struct chaff_json *j, const char *s, size_t n)
{
	if (chaff_buf_append(j->out, s, n))
		return;  /* over the buffer's ceiling: the caller sized it */
}

static void puts_(struct chaff_json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Comma before every value but the first at this depth, except after a key. */
static void sep(struct chaff_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (!j->first[j->depth - 1])
			put(j, ",", 1);
		j->first[j->depth - 1] = false;
	}
}

void chaff_json_init(struct chaff_json *j, struct chaff_buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

static void open_(struct chaff_json *j, char c)
{
	sep(j);
	put(j, &c, 1);
	if (j->depth < CHAFF_JSON_MAX_DEPTH)
		j->first[j->depth] = true;
	j->depth++;
}

static void close_(struct chaff_json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	put(j, &c, 1);
}

void chaff_json_object_begin(struct chaff_json *j) { open_(j, '{'); }
void chaff_json_object_end(struct chaff_json *j) { close_(j, '}'); }
void chaff_json_array_begin(struct chaff_json *j) { open_(j, '['); }
void chaff_json_array_end(struct chaff_json *j) { close_(j, ']'); }

static void string_body(struct chaff_json *j, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	put(j, "\"", 1);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		uint32_t cp;
		size_t k;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		put(j, s + i - run, run);
		run = 0;
		if (c < 0x80) {
			switch (c) {
			case '"': puts_(j, "\\\""); break;
			case '\\': puts_(j, "\\\\"); break;
			case '\n': puts_(j, "\\n"); break;
			case '\r': puts_(j, "\\r"); break;
			case '\t': puts_(j, "\\t"); break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				puts_(j, esc);
			}
			i++;
			continue;
		}
		k = chaff_utf8_decode(s + i, n - i, &cp);
		if (cp == 0xFFFD && k == 1)
			puts_(j, "\xEF\xBF\xBD");
		else if (cp == 0x2028 || cp == 0x2029) /* break JavaScript parsers */
			puts_(j, cp == 0x2028 ? "\\u2028" : "\\u2029");
		else
			put(j, s + i, k);
		i += k;
	}
	put(j, s + i - run, run);
	put(j, "\"", 1);
}

void chaff_json_key(struct chaff_json *j, const char *key)
{
	sep(j);
	string_body(j, key, strlen(key));
	put(j, ":", 1);
	j->after_key = true;
}

void chaff_json_strn(struct chaff_json *j, const char *s, size_t n)
{
	sep(j);
	if (!s) {
		puts_(j, "null");
		return;
	}
	string_body(j, s, n);
}

void chaff_json_str(struct chaff_json *j, const char *s)
{
	chaff_json_strn(j, s, s ? strlen(s) : 0);
}

void chaff_json_int(struct chaff_json *j, long long v)
{
	char tmp[32];

	sep(j);
	snprintf(tmp, sizeof(tmp), "%lld", v);
	puts_(j, tmp);
}

void chaff_json_uint(struct chaff_json *j, unsigned long long v)
{
	char tmp[32];

	sep(j);
	snprintf(tmp, sizeof(tmp), "%llu", v);
	puts_(j, tmp);
}

void chaff_json_num(struct chaff_json *j, double v)
{
	char tmp[40];

	sep(j);
	if (!isfinite(v)) {
		puts_(j, "null");
		return;
	}
	if (v == 0)
		v = 0; /* no "-0" */
	snprintf(tmp, sizeof(tmp), "%.6g", v);
	puts_(j, tmp);
}

void chaff_json_bool(struct chaff_json *j, bool v)
{
	sep(j);
	puts_(j, v ? "true" : "false");
}

void chaff_json_null(struct chaff_json *j)
{
	sep(j);
	puts_(j, "null");
}
