/* str.c - ASCII case-insensitive comparison and search on raw bytes. */
#include <string.h>

#include "chaff.h"

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int chaff_strncasecmp(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int ca = lower((unsigned char)a[i]), cb = lower((unsigned char)b[i]);

		if (ca != cb)
			return ca - cb;
		if (!ca)
			break;
	}
	return 0;
}

/*
 * The first byte of the needle is found with memchr in both cases (SIMD in
 * libc), so long texts without it are skipped quickly; only candidates are
 * compared byte by byte.
 */
const char *chaff_memcasemem(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	const char *p = hay, *last, *a = NULL;
	bool a_known = false;
	int lo, up;

	if (!m)
		return hay;
	if (m > n)
		return NULL;
	lo = lower((unsigned char)needle[0]);
	up = lo >= 'a' && lo <= 'z' ? lo - 32 : lo;
	last = hay + (n - m);  /* the last place a match can start */
	while (p <= last) {
		size_t span = (size_t)(last - p) + 1;
		const char *b, *c;

		/*
		 * The next lower-case candidate stays valid until p passes it:
		 * looking for it again after every upper-case one is quadratic.
		 */
		if (!a_known || (a && a < p)) {
			a = memchr(p, lo, span);
			a_known = true;
		}
		b = up != lo ? memchr(p, up, a ? (size_t)(a - p) : span) : NULL;
		c = b ? b : a;

		if (!c)
			return NULL;
		if (!chaff_strncasecmp(c + 1, needle + 1, m - 1))
			return c;
		p = c + 1;
	}
	return NULL;
}
