/*
 * robots.c - robots.txt as RFC 9309 reads it. Rules of the groups that
 * apply are kept sorted longest first (Allow before Disallow on equal
 * length), so the first rule that matches a path is the one that decides.
 * Matching "*" is the iterative glob with one backtrack point: no
 * recursion, time bounded by pattern length times path length.
 */
#include <stdlib.h>
#include <string.h>

#include "crawler/frontier.h"

#define MAX_RULES 10000            /* more are ignored: bounds the cost of a lookup */
#define MAX_PATTERN 2048           /* bytes of one normalised pattern or path */
#define MAX_DELAY_SECS 86400

enum mode { RULES, ALLOW_ALL, DISALLOW_ALL };

struct rule {
	char *pat;
	size_t len;   /* bytes of pat, "$" included: the RFC's "most octets" */
	bool allow;
};

struct rules {
	struct rule *v;
	size_t n, cap;
	long delay_ms;
	bool seen;    /* some group of this kind exists */
};

struct chaff_robots {
	enum mode mode;
	struct rule *rules;
	size_t nrules;
	long delay_ms;
};

/*
 * The one spelling both sides are compared in: %XX of an unreserved
 * character decoded, other escapes with upper-case hex, raw bytes outside
 * printable ASCII escaped. Returns the length written to out (cap bytes,
 * NUL included), or SIZE_MAX when it does not fit.
 */
static size_t norm_path(const char *in, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		int hi, lo;

		if (o + 4 > cap) {
			out[o] = '\0';
			return SIZE_MAX;
		}
		if (c == '%' && i + 2 < n && (hi = hexval(in[i + 1])) >= 0 &&
		    (lo = hexval(in[i + 2])) >= 0) {
			int v = hi * 16 + lo;

			i += 2;
			if (unreserved(v)) {
				out[o++] = (char)v;
				continue;
			}
			c = (unsigned char)v;
		} else if (c != '%' && !must_escape(c)) {
			/* Escaped as frontier.c escapes our URLs, or the two never match. */
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	return o;
}

/* Does pat (with "*" and a final "$") match the start of s? */
static bool match(const char *pat, size_t plen, const char *s, size_t slen)
{
	bool anchored = plen && pat[plen - 1] == '$';
	size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;

	if (anchored)
		plen--;
	for (;;) {
		if (p == plen) {
			if (!anchored || i == slen)
				return true;
		} else if (pat[p] == '*') {
			star_p = p++;
			star_i = i;
			continue;
		} else if (i < slen && pat[p] == s[i]) {
			p++;
			i++;
			continue;
		}
		if (star_p == SIZE_MAX || star_i >= slen)
			return false;
		p = star_p + 1;
		i = ++star_i;
	}
}

static void add_rule(struct rules *r, const char *v, size_t n, bool allow)
{
	char buf[MAX_PATTERN + 2], *pat;
	size_t len, i, o;

	if (!n || r->n >= MAX_RULES)
		return;  /* "Disallow:" with no path allows everything: no rule */
	/* A path must start with "/" (or a wildcard); be lenient with the rest. */
	o = 0;
	if (v[0] != '/' && v[0] != '*')
		buf[o++] = '/';
	len = norm_path(v, n, buf + o, sizeof(buf) - o);
	if (len == SIZE_MAX)
		return;
	len += o;
	/* Runs of "*" match what one does: collapse them. */
	for (i = o = 0; i < len; i++)
		if (!(buf[i] == '*' && o && buf[o - 1] == '*'))
			buf[o++] = buf[i];
	buf[o] = '\0';
	pat = chaff_xstrndup(buf, o);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = chaff_xrealloc(r->v, chaff_st_mult(r->cap, sizeof(*r->v)));
	}
	r->v[r->n].pat = pat;
	r->v[r->n].len = o;
	r->v[r->n].allow = allow;
	r->n++;
}

static void free_rules(struct rules *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].pat);
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

/* Crawl-delay: seconds, maybe with a fraction ("0.5"); -1 for junk. */
static long parse_delay(const char *v, size_t n)
{
	long secs = 0, ms = 0, scale = 100;
	size_t i = 0;

	if (!n || v[0] < '0' || v[0] > '9')
		return -1;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		if (secs <= MAX_DELAY_SECS)
			secs = secs * 10 + (v[i] - '0');
	if (i < n && v[i] == '.')
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++, scale /= 10)
			ms += (v[i] - '0') * scale;
	if (i != n)
		return -1;
	if (secs > MAX_DELAY_SECS)
		secs = MAX_DELAY_SECS;
	return secs * 1000 + ms;
}

/* The product token of a user-agent line: its leading [A-Za-z_-] run. */
static bool agent_matches(const char *v, size_t n, const char *agent)
{
	size_t len = 0, alen = strlen(agent);

	while (len < n && ((v[len] >= 'a' && v[len] <= 'z') || (v[len] >= 'A' && v[len] <= 'Z') ||
	                   v[len] == '_' || v[len] == '-'))
		len++;
	return len && len == alen && !chaff_strncasecmp(v, agent, len);
}

static bool key_is(const char *k, size_t n, const char *const *names)
{
	for (; *names; names++)
		if (strlen(*names) == n && !chaff_strncasecmp(k, *names, n))
			return true;
	return false;
}

static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

struct parser {
	const char *agent;
	struct rules mine, star;
	bool in_agents;    /* the last line that mattered was a user-agent line */
	bool cur_mine, cur_star;
};

static void parse_line(struct parser *ps, const char *line, size_t n)
{
	static const char *const ua_keys[] = {"user-agent", "useragent", "user agent", NULL};
	static const char *const allow_keys[] = {"allow", NULL};
	static const char *const disallow_keys[] = {"disallow", "dissallow", "dissalow", "disalow",
	                                            "diasllow", "disallaw", NULL};
	static const char *const delay_keys[] = {"crawl-delay", "crawldelay", "crawl delay", NULL};
	const char *hash = memchr(line, '#', n), *colon, *key, *val;
	size_t klen, vlen;

	if (hash)
		n = (size_t)(hash - line);
	colon = memchr(line, ':', n);
	if (!colon)
		return;
	key = line;
	klen = (size_t)(colon - line);
	val = colon + 1;
	vlen = n - klen - 1;
	trim(&key, &klen);
	trim(&val, &vlen);
	if (key_is(key, klen, ua_keys)) {
		if (!ps->in_agents)
			ps->cur_mine = ps->cur_star = false;  /* a new group starts */
		ps->in_agents = true;
		if (vlen == 1 && val[0] == '*') {
			ps->cur_star = true;
			ps->star.seen = true;
		} else if (agent_matches(val, vlen, ps->agent)) {
			ps->cur_mine = true;
			ps->mine.seen = true;
		}
		return;
	}
	if (key_is(key, klen, allow_keys) || key_is(key, klen, disallow_keys)) {
		bool allow = key_is(key, klen, allow_keys);

		ps->in_agents = false;
		if (ps->cur_mine)
			add_rule(&ps->mine, val, vlen, allow);
		if (ps->cur_star)
			add_rule(&ps->star, val, vlen, allow);
	} else if (key_is(key, klen, delay_keys)) {
		long d = parse_delay(val, vlen);

		ps->in_agents = false;
		if (d >= 0 && ps->cur_mine)
			ps->mine.delay_ms = d;
		if (d >= 0 && ps->cur_star)
			ps->star.delay_ms = d;
	}
	/* Sitemap and unknown lines are ignored and do not end a group. */
}

static int rule_order(const void *a, const void *b)
{
	const struct rule *x = a, *y = b;

	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	if (x->allow != y->allow)
		return x->allow ? -1 : 1;
	return strcmp(x->pat, y->pat);
}

struct chaff_robots *chaff_robots_new(int status, const char *body, size_t n, const char *agent)
{
	struct chaff_robots *r = chaff_xcalloc(1, sizeof(*r));
	struct parser ps;
	struct rules *use;
	size_t i = 0;

	r->delay_ms = -1;
	if (status >= 400 && status < 500) {
		r->mode = ALLOW_ALL;
		return r;
	}
	if (status < 200 || status > 299) {
		r->mode = DISALLOW_ALL;
		return r;
	}
	r->mode = RULES;
	memset(&ps, 0, sizeof(ps));
	ps.agent = agent ? agent : "chaff";
	ps.mine.delay_ms = ps.star.delay_ms = -1;
	if (!body)
		n = 0;
	if (n > CHAFF_ROBOTS_MAX_BYTES)
		n = CHAFF_ROBOTS_MAX_BYTES;  /* the line cut here is parsed as it stands */
	if (n >= 3 && !memcmp(body, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n) {
		size_t end = i;

		while (end < n && body[end] != '\n' && body[end] != '\r')
			end++;
		parse_line(&ps, body + i, end - i);
		i = end + 1;
	}
	use = ps.mine.seen ? &ps.mine : &ps.star;
	if (use->n)
		qsort(use->v, use->n, sizeof(*use->v), rule_order);
	r->rules = use->v;
	r->nrules = use->n;
	r->delay_ms = use->delay_ms;
	use->v = NULL;
	use->n = 0;
	free_rules(&ps.mine);
	free_rules(&ps.star);
	return r;
}

bool chaff_robots_allowed(const struct chaff_robots *r, const char *path)
{
	char buf[3 * CHAFF_URL_MAX + 4];
	size_t len, i;

	if (!strcmp(path, "/robots.txt") || r->mode == ALLOW_ALL)
		return true;
	if (r->mode == DISALLOW_ALL)
		return false;
	len = norm_path(path, strlen(path), buf, sizeof(buf));
	if (len == SIZE_MAX)
		return false;  /* no URL of ours is that long: refuse rather than guess */
	for (i = 0; i < r->nrules; i++)
		if (match(r->rules[i].pat, r->rules[i].len, buf, len))
			return r->rules[i].allow;
	return true;
}

long chaff_robots_crawl_delay_ms(const struct chaff_robots *r)
{
	return r->delay_ms;
}

void chaff_robots_free(struct chaff_robots *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nrules; i++)
		free(r->rules[i].pat);
	free(r->rules);
	free(r);
}
