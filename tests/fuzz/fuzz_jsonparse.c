/*
 * fuzz_jsonparse.c - the JSON reader on any bytes. What it accepts must
 * survive a round trip: written back with the JSON writer and read again,
 * the tree is the same (numbers compared as the writer prints them).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DEPTH 32

struct frame {
	const struct chaff_json_value *container;
	const struct chaff_json_value *next;  /* child still to visit */
};

static void write_scalar(struct chaff_json *j, const struct chaff_json_value *v)
{
	switch (v->type) {
	case CHAFF_JSON_NULL: chaff_json_null(j); break;
	case CHAFF_JSON_BOOL: chaff_json_bool(j, v->boolean); break;
	case CHAFF_JSON_NUMBER: chaff_json_num(j, v->number); break;
	case CHAFF_JSON_STRING: chaff_json_strn(j, v->str, v->len); break;
	default: abort();
	}
}

/* Write the tree with an explicit stack (depth <= MAX_DEPTH by the limits). */
static void write_tree(struct chaff_json *j, const struct chaff_json_value *root)
{
	struct frame stack[MAX_DEPTH + 1];
	size_t d = 0;
	const struct chaff_json_value *v = root;

	for (;;) {
		if (v) {
			if (v->key)
				chaff_json_key(j, v->key);
			if (v->type == CHAFF_JSON_ARRAY || v->type == CHAFF_JSON_OBJECT) {
				if (v->type == CHAFF_JSON_ARRAY)
					chaff_json_array_begin(j);
				else
					chaff_json_object_begin(j);
				if (d > MAX_DEPTH)
					abort();
				stack[d].container = v;
				stack[d].next = v->child;
				d++;
			} else {
				write_scalar(j, v);
			}
		}
		if (!d)
			return;
		v = stack[d - 1].next;
		if (v) {
			stack[d - 1].next = v->next;
			continue;
		}
		if (stack[d - 1].container->type == CHAFF_JSON_ARRAY)
			chaff_json_array_end(j);
		else
			chaff_json_object_end(j);
		d--;
		if (!d)
			return;
	}
}

static void num_text(double x, char *out, size_t n)
{
	snprintf(out, n, "%.6g", x == 0 ? 0 : x);
}

static void same_node(const struct chaff_json_value *a, const struct chaff_json_value *b)
{
	char x[40], y[40];

	if ((a->key == NULL) != (b->key == NULL))
		abort();
	if (a->key && (a->key_len != b->key_len || memcmp(a->key, b->key, a->key_len)))
		abort();
	if (a->type == CHAFF_JSON_NUMBER && !isfinite(a->number)) {
		if (b->type != CHAFF_JSON_NULL)
			abort();  /* the writer prints non-finite numbers as null */
		return;
	}
	if (a->type != b->type)
		abort();
	switch (a->type) {
	case CHAFF_JSON_BOOL:
		if (a->boolean != b->boolean)
			abort();
		break;
	case CHAFF_JSON_NUMBER:
		num_text(a->number, x, sizeof(x));
		num_text(b->number, y, sizeof(y));
		if (strcmp(x, y))
			abort();
		break;
	case CHAFF_JSON_STRING:
		if (a->len != b->len || memcmp(a->str, b->str, a->len) || strlen(a->str) != a->len ||
		    !chaff_utf8_valid(a->str, a->len))
			abort();
		break;
	case CHAFF_JSON_ARRAY:
	case CHAFF_JSON_OBJECT:
		if (a->n != b->n)
			abort();
		break;
	default:
		break;
	}
}

/* Walk both trees in step, pre-order, with explicit stacks. */
static void same_tree(const struct chaff_json_value *a, const struct chaff_json_value *b)
{
	const struct chaff_json_value *sa[MAX_DEPTH + 2], *sb[MAX_DEPTH + 2];
	size_t d = 0;

	for (;;) {
		same_node(a, b);
		if (a->type == CHAFF_JSON_ARRAY || a->type == CHAFF_JSON_OBJECT) {
			if (d > MAX_DEPTH)
				abort();
			sa[d] = a->child;
			sb[d] = b->child;
			d++;
		}
		while (d && !sa[d - 1]) {
			if (sb[d - 1])
				abort();
			d--;
		}
		if (!d)
			return;
		a = sa[d - 1];
		b = sb[d - 1];
		if (!b)
			abort();
		sa[d - 1] = a->next;
		sb[d - 1] = b->next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chaff_json_limits lim;
	struct chaff_arena arena;
	struct chaff_buf out;
	struct chaff_json j;
	const struct chaff_json_value *v, *w;
	char why[CHAFF_WHY_MAX];

	chaff_json_limits_default(&lim);
	lim.max_depth = MAX_DEPTH;
	chaff_arena_init(&arena);
	if (chaff_json_parse(&v, (const char *)data, size, &lim, &arena, why) == CHAFF_OK) {
		chaff_buf_init(&out, (size_t)64 << 20);
		chaff_json_init(&j, &out);
		write_tree(&j, v);
		if (chaff_json_parse(&w, out.data, out.len, NULL, &arena, why) != CHAFF_OK) {
			fprintf(stderr, "round trip refused: %s\n", why);
			abort();
		}
		same_tree(v, w);
		chaff_buf_release(&out);
	} else if (strncmp(why, "byte ", 5) && strncmp(why, "text of ", 8)) {
		abort();  /* every error says where */
	}
	chaff_arena_release(&arena);
	return 0;
}
