/* buf.c - growable byte buffers that never grow past their ceiling. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

void chaff_buf_init(struct chaff_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* Make room for n more bytes plus the terminating NUL. */
enum chaff_err chaff_buf_reserve(struct chaff_buf *b, size_t n)
{
	size_t need, cap;

	if (n > b->max - b->len)
		return CHAFF_ERR_TOO_LARGE;
	need = b->len + n + 1;
	if (need <= b->cap)
		return CHAFF_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = chaff_xrealloc(b->data, cap);
	b->cap = cap;
	return CHAFF_OK;
}

enum chaff_err chaff_buf_append(struct chaff_buf *b, const void *p, size_t n)
{
	enum chaff_err err = chaff_buf_reserve(b, n);

	if (err)
		return err;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return CHAFF_OK;
}

enum chaff_err chaff_buf_puts(struct chaff_buf *b, const char *s)
{
	return chaff_buf_append(b, s, strlen(s));
}

enum chaff_err chaff_buf_putc(struct chaff_buf *b, char c)
{
	return chaff_buf_append(b, &c, 1);
}

enum chaff_err chaff_buf_printf(struct chaff_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;
	enum chaff_err err;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return CHAFF_ERR_USAGE;
	if ((size_t)n < sizeof(small))
		return chaff_buf_append(b, small, (size_t)n);
	err = chaff_buf_reserve(b, (size_t)n);
	if (err)
		return err;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CHAFF_OK;
}

void chaff_buf_reset(struct chaff_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *chaff_buf_detach(struct chaff_buf *b, size_t *len)
{
	char *p = b->data ? b->data : chaff_xstrdup("");

	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void chaff_buf_release(struct chaff_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
