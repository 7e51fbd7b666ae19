/* err.c - error names and the why-message helper. */
#include <stdarg.h>
#include <stdio.h>

#include "chaff.h"

static const char *const messages[CHAFF_ERR_COUNT] = {
	[CHAFF_OK] = "success",
	[CHAFF_EOF] = "end of input",
	[CHAFF_ERR_IO] = "input/output error",
	[CHAFF_ERR_USAGE] = "bad argument",
	[CHAFF_ERR_TOO_LARGE] = "input over a size limit",
	[CHAFF_ERR_TOO_DEEP] = "markup nested too deeply",
	[CHAFF_ERR_MALFORMED] = "malformed input",
	[CHAFF_ERR_TRUNCATED] = "truncated input",
	[CHAFF_ERR_DECODE] = "content decoding failed",
	[CHAFF_ERR_CHARSET] = "charset conversion failed",
	[CHAFF_ERR_UNSUPPORTED] = "unsupported format",
	[CHAFF_ERR_EMPTY] = "no text to score",
	[CHAFF_ERR_FETCH] = "fetch failed",
	[CHAFF_ERR_HTTP] = "server answered with an error status",
	[CHAFF_ERR_NOT_ALLOWED] = "refused by policy",
	[CHAFF_ERR_MODEL] = "bad model file",
};

const char *chaff_strerror(enum chaff_err err)
{
	if ((unsigned)err >= CHAFF_ERR_COUNT || !messages[err])
		return "unknown error";
	return messages[err];
}

void chaff_why(char *why, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return;
	va_start(ap, fmt);
	vsnprintf(why, CHAFF_WHY_MAX, fmt, ap);
	va_end(ap);
}
