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

const char *chaff_memcasemem(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;
	int first;

	if (!m)
		return hay;
	if (m > n)
		return NULL;
	first = lower((unsigned char)needle[0]);
	for (i = 0; i + m <= n; i++) {
		if (lower((unsigned char)hay[i]) != first)
			continue;
		if (!chaff_strncasecmp(hay + i + 1, needle + 1, m - 1) || m == 1)
			return hay + i;
	}
	return NULL;
}
