/*
 * jsonparse.c - read one untrusted JSON text into a tree in an arena.
 *
 * Strict RFC 8259 grammar, with two leniencies that keep a record usable
 * when its producer was careless: invalid UTF-8 bytes and lone surrogates
 * become U+FFFD, and so does U+0000 (strings come out as C strings). The
 * walk is iterative: nesting depth costs one stack slot, never C stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

#define JSON_DEPTH_CEILING 1024  /* stack slots allocated at most */

struct parser {
	const char *s;      /* the text */
	size_t n;
	size_t i;           /* next byte */
	size_t values;
	const struct chaff_json_limits *lim;
	struct chaff_arena *arena;
	char *why;
	enum chaff_err err;
};

void chaff_json_limits_default(struct chaff_json_limits *lim)
{
	lim->max_bytes = (size_t)1 << 20;
	lim->max_depth = 32;
	lim->max_values = 100000;
}

static enum chaff_err fail(struct parser *p, enum chaff_err err, const char *what)
{
	if (p->err)
		return p->err;
	p->err = err;
	chaff_why(p->why, "byte %zu: %s", p->i, what);
	return err;
}

/* "expected X" at the end of the text is a truncation, elsewhere malformed. */
static enum chaff_err expected(struct parser *p, const char *what)
{
	char msg[80];

	if (p->i >= p->n) {
		snprintf(msg, sizeof(msg), "text ends where %s was expected", what);
		return fail(p, CHAFF_ERR_TRUNCATED, msg);
	}
	snprintf(msg, sizeof(msg), "expected %s", what);
	return fail(p, CHAFF_ERR_MALFORMED, msg);
}

static void skip_ws(struct parser *p)
{
	while (p->i < p->n) {
		char c = p->s[p->i];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->i++;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s[i..]; -1 when they are not. */
static long hex4(const char *s, size_t n, size_t i)
{
	long v = 0;
	size_t k;

	if (n - i < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		int h = hexval(s[i + k]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Decode the escape after a backslash (p->i is past it); a code point, or -1. */
static long escape(struct parser *p, size_t end)
{
	char c = p->s[p->i++];
	long hi, lo;

	switch (c) {
	case '"': return '"';
	case '\\': return '\\';
	case '/': return '/';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u': break;
	default: return -1;
	}
	hi = hex4(p->s, end, p->i);
	if (hi < 0)
		return -1;
	p->i += 4;
	if (hi < 0xD800 || hi > 0xDFFF)
		return hi ? hi : 0xFFFD;
	if (hi >= 0xDC00)
		return 0xFFFD;  /* a low surrogate alone */
	if (end - p->i >= 6 && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
		lo = hex4(p->s, end, p->i + 2);
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			p->i += 6;
			return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
		}
	}
	return 0xFFFD;  /* a high surrogate alone */
}

/*
 * The string starting at the quote s[i]: find its end first, so the
 * decoded copy (at most 3 bytes out per byte in: one invalid byte becomes
 * U+FFFD) is allocated once.
 */
static enum chaff_err string(struct parser *p, const char **out, size_t *outlen)
{
	size_t end = p->i + 1, o = 0;
	char *d;

	while (end < p->n && p->s[end] != '"')
		end += p->s[end] == '\\' ? 2 : 1;
	if (end >= p->n) {
		p->i = p->n;
		return fail(p, CHAFF_ERR_TRUNCATED, "text ends inside a string");
	}
	d = chaff_arena_alloc(p->arena, chaff_st_add(chaff_st_mult(end - p->i, 3), 1));
	p->i++;
	while (p->i < end) {
		unsigned char c = (unsigned char)p->s[p->i];
		uint32_t cp;
		size_t k;

		if (c == '\\') {
			long e;

			p->i++;
			e = escape(p, end);
			if (e < 0)
				return fail(p, CHAFF_ERR_MALFORMED, "bad escape in string");
			o += chaff_utf8_encode((uint32_t)e, d + o);
			continue;
		}
		if (c < 0x20)
			return fail(p, CHAFF_ERR_MALFORMED, "control character in string");
		if (c < 0x80) {
			d[o++] = (char)c;
			p->i++;
			continue;
		}
		k = chaff_utf8_decode(p->s + p->i, end - p->i, &cp);
		if (cp == 0xFFFD && k == 1) {
			memcpy(d + o, "\xEF\xBF\xBD", 3);
			o += 3;
		} else {
			memcpy(d + o, p->s + p->i, k);
			o += k;
		}
		p->i += k;
	}
	p->i = end + 1;
	d[o] = '\0';
	*out = d;
	*outlen = o;
	return CHAFF_OK;
}

static size_t digits(struct parser *p)
{
	size_t start = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? then strtod on a copy. */
static enum chaff_err number(struct parser *p, double *out)
{
	size_t start = p->i;
	char *copy;

	if (p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if (!digits(p))
		return expected(p, "a digit");
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!digits(p))
			return expected(p, "a digit after '.'");
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!digits(p))
			return expected(p, "a digit in the exponent");
	}
	/* chaff never calls setlocale, so strtod's decimal point is '.'. */
	copy = chaff_arena_strndup(p->arena, p->s + start, p->i - start);
	*out = strtod(copy, NULL);
	return CHAFF_OK;
}

static enum chaff_err literal(struct parser *p, struct chaff_json_value *v)
{
	static const struct { const char *word; enum chaff_json_type type; bool b; } words[] = {
		{"true", CHAFF_JSON_BOOL, true},
		{"false", CHAFF_JSON_BOOL, false},
		{"null", CHAFF_JSON_NULL, false},
	};
	size_t k;

	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		size_t len = strlen(words[k].word);

		if (p->s[p->i] != words[k].word[0])
			continue;
		if (p->n - p->i < len) {
			if (!memcmp(p->s + p->i, words[k].word, p->n - p->i)) {
				p->i = p->n;
				return fail(p, CHAFF_ERR_TRUNCATED, "text ends inside a literal");
			}
		} else if (!memcmp(p->s + p->i, words[k].word, len)) {
			p->i += len;
			v->type = words[k].type;
			v->boolean = words[k].b;
			return CHAFF_OK;
		}
	}
	return expected(p, "a value");
}

static struct chaff_json_value *new_value(struct parser *p)
{
	struct chaff_json_value *v;

	if (p->values >= p->lim->max_values) {
		fail(p, CHAFF_ERR_TOO_LARGE, "more values than the limit");
		return NULL;
	}
	p->values++;
	v = chaff_arena_alloc(p->arena, sizeof(*v));
	memset(v, 0, sizeof(*v));
	return v;
}

/* A scalar, or the opening bracket of a container (filled by the caller). */
static enum chaff_err value(struct parser *p, struct chaff_json_value *v)
{
	char c;

	if (p->i >= p->n)
		return expected(p, "a value");
	c = p->s[p->i];
	if (c == '{' || c == '[') {
		v->type = c == '{' ? CHAFF_JSON_OBJECT : CHAFF_JSON_ARRAY;
		p->i++;
		return CHAFF_OK;
	}
	if (c == '"') {
		v->type = CHAFF_JSON_STRING;
		return string(p, &v->str, &v->len);
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		v->type = CHAFF_JSON_NUMBER;
		return number(p, &v->number);
	}
	return literal(p, v);
}

/* One open container and where its next element is linked. */
struct frame {
	struct chaff_json_value *v;
	struct chaff_json_value **tail;
};

/* Parse "key": before a member value. */
static enum chaff_err member_key(struct parser *p, struct chaff_json_value *v)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return expected(p, "a string key");
	if (string(p, &v->key, &v->key_len))
		return p->err;
	skip_ws(p);
	if (p->i >= p->n || p->s[p->i] != ':')
		return expected(p, "':' after the key");
	p->i++;
	skip_ws(p);
	return CHAFF_OK;
}

/* After a value: ',' (more to come: returns true) or closing brackets. */
static bool after_value(struct parser *p, struct frame *stack, unsigned *depth)
{
	for (;;) {
		struct chaff_json_value *top;
		char close;

		skip_ws(p);
		if (!*depth) {
			if (p->i < p->n)
				fail(p, CHAFF_ERR_MALFORMED, "bytes after the value");
			return false;
		}
		top = stack[*depth - 1].v;
		close = top->type == CHAFF_JSON_OBJECT ? '}' : ']';
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			skip_ws(p);
			return true;
		}
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			(*depth)--;
			continue;
		}
		expected(p, close == '}' ? "',' or '}'" : "',' or ']'");
		return false;
	}
}

static struct chaff_json_value *parse(struct parser *p)
{
	unsigned max_depth = p->lim->max_depth, depth = 0;
	struct frame *stack;
	struct chaff_json_value *root = NULL;

	if (max_depth > JSON_DEPTH_CEILING)
		max_depth = JSON_DEPTH_CEILING;
	stack = chaff_arena_alloc(p->arena, sizeof(*stack) * (max_depth + 1));
	skip_ws(p);
	for (;;) {
		struct chaff_json_value *v = new_value(p);
		struct frame *top = depth ? &stack[depth - 1] : NULL;

		if (!v)
			return NULL;
		if (top && top->v->type == CHAFF_JSON_OBJECT && member_key(p, v))
			return NULL;
		if (value(p, v))
			return NULL;
		if (top) {
			*top->tail = v;
			top->tail = &v->next;
			top->v->n++;
		} else {
			root = v;
		}
		if (v->type == CHAFF_JSON_OBJECT || v->type == CHAFF_JSON_ARRAY) {
			char close = v->type == CHAFF_JSON_OBJECT ? '}' : ']';

			if (depth >= max_depth) {
				fail(p, CHAFF_ERR_TOO_DEEP, "nested deeper than the limit");
				return NULL;
			}
			skip_ws(p);
			if (p->i < p->n && p->s[p->i] == close) {
				p->i++;  /* empty: a value like any other */
			} else {
				stack[depth].v = v;
				stack[depth].tail = &v->child;
				depth++;
				continue;
			}
		}
		if (!after_value(p, stack, &depth))
			return p->err ? NULL : root;
	}
}

enum chaff_err chaff_json_parse(const struct chaff_json_value **out, const char *text,
                                size_t n, const struct chaff_json_limits *lim,
                                struct chaff_arena *arena, char *why)
{
	struct chaff_json_limits def;
	struct parser p;
	const struct chaff_json_value *root;

	*out = NULL;
	if (!lim) {
		chaff_json_limits_default(&def);
		lim = &def;
	}
	memset(&p, 0, sizeof(p));
	p.s = text;
	p.n = n;
	p.lim = lim;
	p.arena = arena;
	p.why = why;
	if (n > lim->max_bytes) {
		chaff_why(why, "text of %zu bytes is over the limit of %zu", n, lim->max_bytes);
		return CHAFF_ERR_TOO_LARGE;
	}
	root = parse(&p);
	if (p.err)
		return p.err;
	*out = root;
	return CHAFF_OK;
}

const struct chaff_json_value *chaff_json_get(const struct chaff_json_value *obj,
                                              const char *key)
{
	const struct chaff_json_value *v;
	size_t len = strlen(key);

	if (!obj || obj->type != CHAFF_JSON_OBJECT)
		return NULL;
	for (v = obj->child; v; v = v->next)
		if (v->key_len == len && !memcmp(v->key, key, len))
			return v;
	return NULL;
}
