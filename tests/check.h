/*
 * check.h - the test harness: CHECK, CHECK_INT, CHECK_STR, and a summary
 * whose last line is "N passed, N failed". One static counter pair per
 * test program; include this from exactly one .c per program.
 */
#ifndef CHAFF_CHECK_H
#define CHAFF_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) check_report(!!(cond), __FILE__, __LINE__, #cond, NULL, NULL)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	char gs_[32], ws_[32]; \
	snprintf(gs_, sizeof(gs_), "%lld", g_); \
	snprintf(ws_, sizeof(ws_), "%lld", w_); \
	check_report(g_ == w_, __FILE__, __LINE__, #got " == " #want, gs_, ws_); \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	check_report(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __FILE__, __LINE__, \
	             #got " == " #want, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

static inline void check_report(int ok, const char *file, int line, const char *expr,
                                const char *got, const char *want)
{
	if (ok) {
		check_passed++;
		return;
	}
	check_failed++;
	fprintf(stderr, "%s:%d: check failed: %s", file, line, expr);
	if (got)
		fprintf(stderr, " (got \"%s\", want \"%s\")", got, want);
	fputc('\n', stderr);
}

/* Print the summary line; the exit status of the test program. */
static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
