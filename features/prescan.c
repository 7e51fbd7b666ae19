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
static bool non_nesting(GumboTag tag)
{
	switch (tag) {
	case GUMBO_TAG_AREA: case GUMBO_TAG_BASE: case GUMBO_TAG_BR: case GUMBO_TAG_COL:
	case GUMBO_TAG_EMBED: case GUMBO_TAG_HR: case GUMBO_TAG_IMG: case GUMBO_TAG_INPUT:
	case GUMBO_TAG_LINK: case GUMBO_TAG_META: case GUMBO_TAG_PARAM: case GUMBO_TAG_SOURCE:
	case GUMBO_TAG_TRACK: case GUMBO_TAG_WBR: case GUMBO_TAG_P: case GUMBO_TAG_LI:
	case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_TR: case GUMBO_TAG_OPTION:
	case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_KEYGEN: case GUMBO_TAG_BASEFONT:
	case GUMBO_TAG_FRAME: case GUMBO_TAG_ISINDEX:
		return true;
	default:
		return false;
	}
}

/* Raw-text elements whose content is not markup. */
static const char *raw_text_end(GumboTag tag)
{
	switch (tag) {
	case GUMBO_TAG_SCRIPT: return "</script";
	case GUMBO_TAG_STYLE: return "</style";
	case GUMBO_TAG_TEXTAREA: return "</textarea";
	case GUMBO_TAG_TITLE: return "</title";
	default: return NULL;
	}
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
		GumboTag tag;

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
		tag = gumbo_tagn_enum(name, (unsigned)len);
		if (closing) {
			if (depth > 0 && !non_nesting(tag))
				depth--;
			continue;
		}
		raw = raw_text_end(tag);
		if (raw) {
			const char *end = chaff_memcasemem(p + i, n - i, raw);

			i = end ? (size_t)(end - p) : n;
			continue;
		}
		if (self_closing || non_nesting(tag))
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
