/* alloc.c - allocation that cannot fail silently, size arithmetic that cannot wrap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

static void die_oom(size_t size)
{
	fprintf(stderr, "chaff: out of memory allocating %zu bytes\n", size);
	abort();
}

void *chaff_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die_oom(size);
	return p;
}

void *chaff_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_oom(chaff_st_mult(n, size));
	return p;
}

void *chaff_xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (!q)
		die_oom(size);
	return q;
}

char *chaff_xstrdup(const char *s)
{
	return chaff_xstrndup(s, strlen(s));
}

char *chaff_xstrndup(const char *s, size_t n)
{
	char *p = chaff_xmalloc(chaff_st_add(n, 1));

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t chaff_st_mult(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b) {
		fprintf(stderr, "chaff: size overflow: %zu * %zu\n", a, b);
		abort();
	}
	return a * b;
}

size_t chaff_st_add(size_t a, size_t b)
{
	if (a > SIZE_MAX - b) {
		fprintf(stderr, "chaff: size overflow: %zu + %zu\n", a, b);
		abort();
	}
	return a + b;
}
