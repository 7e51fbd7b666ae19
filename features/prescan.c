/*
 * prescan.c - a cheap pass over the markup before Gumbo sees it. Gumbo is
 * superlinear on deep nesting (100k nested <div> take half a minute) and
 * on piles of unclosed formatting tags, so we measure the nesting depth the
 * way a tokenizer would, without building anything, and report where the
 * depth first passes the limit so the caller can cut the input there.
 */
#include <string.h>

#include "features/internal.h"

/* Elements that never nest: void elements and ones closed implicitly by a sibling. */
static bool non_nesting(const char *name, size_t n)
{
	static const char *const names[] = {
		"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
		"param", "source", "track", "wbr", "p", "li", "td", "th", "tr", "option",
		"dt", "dd", "keygen", "basefont", "frame", "isindex", "!doctype",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !chaff_strncasecmp(name, names[i], n))
			return true;
	return false;
}

/* Raw-text elements whose content is not markup. */
static const char *raw_text_end(const char *name, size_t n)
{
	if (n == 6 && !chaff_strncasecmp(name, "script", 6))
		return "</script";
	if (n == 5 && !chaff_strncasecmp(name, "style", 5))
		return "</style";
	if (n == 8 && !chaff_strncasecmp(name, "textarea", 8))
		return "</textarea";
	if (n == 5 && !chaff_strncasecmp(name, "title", 5))
		return "</title";
	return NULL;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == ':' || c == '!';
}

void prescan_depth(const char *p, size_t n, unsigned limit, struct prescan *out)
{
	size_t i = 0;
	unsigned depth = 0;

	out->max_depth = 0;
	out->cut_at = n;
	while (i < n) {
		const char *lt = memchr(p + i, '<', n - i), *gt, *name, *raw;
		size_t len = 0, tag_start;
		bool closing = false, self_closing;

		if (!lt)
			break;
		tag_start = (size_t)(lt - p);
		i = tag_start + 1;
		if (i + 3 <= n && !memcmp(p + i, "!--", 3)) {
			const char *end = chaff_memcasemem(p + i + 3, n - i - 3, "-->");

			i = end ? (size_t)(end - p) + 3 : n;
			continue;
		}
		if (i < n && p[i] == '/') {
			closing = true;
			i++;
		}
		name = p + i;
		while (i + len < n && is_name_char(name[len]))
			len++;
		if (!len || name[0] == '!' || name[0] == '-' || (name[0] >= '0' && name[0] <= '9'))
			continue;
		gt = memchr(name + len, '>', n - i - len);
		if (!gt)
			break;
		self_closing = gt > name && gt[-1] == '/';
		i = (size_t)(gt - p) + 1;
		if (closing) {
			if (depth > 0 && !non_nesting(name, len))
				depth--;
			continue;
		}
		raw = raw_text_end(name, len);
		if (raw) {
			const char *end = chaff_memcasemem(p + i, n - i, raw);

			i = end ? (size_t)(end - p) : n;
			continue;
		}
		if (self_closing || non_nesting(name, len))
			continue;
		depth++;
		if (depth > out->max_depth)
			out->max_depth = depth;
		if (depth > limit && out->cut_at == n) {
			out->cut_at = tag_start;
			return;
		}
	}
}
