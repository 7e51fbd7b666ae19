/* arena.c - bump allocation for everything made while scoring one page. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

#define ARENA_ALIGN 16
#define ARENA_FIRST_BLOCK (256u * 1024u)

struct chaff_arena_block {
	struct chaff_arena_block *next;
	size_t size;   /* usable bytes in mem[] */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char mem[];
};

void chaff_arena_init(struct chaff_arena *a)
{
	a->head = NULL;
	a->full = NULL;
	a->block_size = ARENA_FIRST_BLOCK;
	a->used = 0;
}

static struct chaff_arena_block *new_block(size_t size)
{
	struct chaff_arena_block *b =
		chaff_xmalloc(chaff_st_add(sizeof(*b), size));

	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

void *chaff_arena_alloc(struct chaff_arena *a, size_t size)
{
	struct chaff_arena_block *b = a->head;
	size_t need = chaff_st_add(size, ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (!need)
		need = ARENA_ALIGN;
	if (!b || b->size - b->used < need) {
		/* Blocks double so that a big page costs O(log n) mallocs. */
		size_t bsize = a->block_size;

		while (bsize < need)
			bsize = chaff_st_mult(bsize, 2);
		if (b) {
			b->next = a->full;
			a->full = b;
		}
		b = new_block(bsize);
		a->head = b;
		if (a->block_size < ((size_t)64 << 20))
			a->block_size = chaff_st_mult(a->block_size, 2);
	}
	p = b->mem + b->used;
	b->used += need;
	a->used += need;
	return p;
}

void *chaff_arena_calloc(struct chaff_arena *a, size_t n, size_t size)
{
	size_t total = chaff_st_mult(n, size);
	void *p = chaff_arena_alloc(a, total);

	memset(p, 0, total);
	return p;
}

char *chaff_arena_strndup(struct chaff_arena *a, const char *s, size_t n)
{
	char *p = chaff_arena_alloc(a, chaff_st_add(n, 1));

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *chaff_arena_strdup(struct chaff_arena *a, const char *s)
{
	return chaff_arena_strndup(a, s, strlen(s));
}

char *chaff_arena_printf(struct chaff_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p, probe[1];

	va_start(ap, fmt);
	n = vsnprintf(probe, sizeof(probe), fmt, ap);
	va_end(ap);
	if (n < 0)
		return chaff_arena_strdup(a, "");
	p = chaff_arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void free_chain(struct chaff_arena_block *b)
{
	while (b) {
		struct chaff_arena_block *next = b->next;

		free(b);
		b = next;
	}
}

/*
 * Keep memory for the next page: when the page needed several blocks,
 * they are replaced by one block as large as all of them (up to
 * ARENA_KEEP_MAX), so a page of a similar size allocates nothing and
 * touches no fresh memory. A block past the cap is given back, so one huge
 * page does not pin its memory for every later page.
 */
#define ARENA_KEEP_MAX ((size_t)8 << 20)

void chaff_arena_reset(struct chaff_arena *a)
{
	size_t total = 0;
	struct chaff_arena_block *b;

	if (a->full) {
		for (b = a->full; b; b = b->next)
			total += b->size;
		total += a->head ? a->head->size : 0;
		free_chain(a->full);
		a->full = NULL;
		free(a->head);
		a->head = total <= ARENA_KEEP_MAX ? new_block(total) : NULL;
	} else if (a->head && a->head->size > ARENA_KEEP_MAX) {
		free(a->head);
		a->head = NULL;
	}
	if (a->head)
		a->head->used = 0;
	else
		a->block_size = ARENA_FIRST_BLOCK;
	a->used = 0;
}

void chaff_arena_release(struct chaff_arena *a)
{
	free_chain(a->full);
	free_chain(a->head);
	chaff_arena_init(a);
}
