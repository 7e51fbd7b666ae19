/*
 * frontier.h - the crawler's state between crawl.c and frontier.c (not
 * part of the public API): the seen-set, per-host queues and politeness
 * state, and the journal that lets --resume continue a killed crawl.
 *
 * The journal (OUT.frontier) is append-only text, one event a line:
 *   S DEPTH HOPS URL   URL entered the frontier
 *   D URL              URL is finished (written to the WARC, or given up)
 * A crawl journals the links of a page before writing the page's records
 * and its D line after, so whatever instant a kill lands on, the WARC and
 * the journal together tell which URLs are done and which still wait. A
 * last line without its newline (cut by the kill) is ignored.
 */
#ifndef CHAFF_CRAWLER_FRONTIER_H
#define CHAFF_CRAWLER_FRONTIER_H

#include <stdint.h>
#include <stdio.h>

#include "chaff.h"

/* URL byte classes, shared by the frontier's normaliser and robots.txt paths. */
static inline bool unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static inline int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Bytes a URL may not carry raw (RFC 3986 plus what browsers escape). */
static inline bool must_escape(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '`' ||
	       c == '{' || c == '}' || c == '|' || c == '^';
}

/* A set of URLs kept as 64-bit hashes (collisions: 2^-64 per pair). */
struct chaff_urlset {
	uint64_t *slot;
	size_t cap, n;
};

void chaff_urlset_init(struct chaff_urlset *s);
void chaff_urlset_release(struct chaff_urlset *s);
/* Add url; false when it was there already. */
bool chaff_urlset_add(struct chaff_urlset *s, const char *url);
bool chaff_urlset_has(const struct chaff_urlset *s, const char *url);

struct chaff_url_item {
	struct chaff_url_item *next;
	unsigned depth;    /* link hops from a seed */
	unsigned hops;     /* redirect hops that led here */
	unsigned tries;    /* 429/503 answers so far */
	char url[];
};

enum chaff_robots_state { ROBOTS_NONE, ROBOTS_FETCHING, ROBOTS_READY };

struct chaff_host {
	char *origin;                      /* "http://host:port" */
	struct chaff_url_item *head, *tail;
	size_t nqueued;
	int64_t next_ms;                   /* no request before this time */
	long delay_ms;                     /* spacing in force for this host */
	enum chaff_robots_state robots_state;
	struct chaff_robots *robots;
	int64_t robots_ms;                 /* when robots.txt was fetched */
	bool busy;                         /* a transfer is in flight */
	bool refused;                      /* its address is private (no --allow-private) */
	bool robots_failed;                /* robots.txt could not be had: its URLs fail */
	struct chaff_host *chain;          /* hash table chain */
};

struct chaff_frontier {
	struct chaff_urlset seen;
	size_t max_urls;
	struct chaff_host **hosts;         /* in order of appearance, for round robin */
	size_t nhosts, hosts_cap;
	struct chaff_host **table;
	size_t table_cap;
	size_t cursor;
	size_t queued;                     /* URLs waiting, all hosts */
	FILE *journal;
	char *journal_path;
	bool journal_failed;
};

void chaff_frontier_init(struct chaff_frontier *f, size_t max_urls);
void chaff_frontier_release(struct chaff_frontier *f);

/* The host of a normalised URL, made on first use with delay_ms. */
struct chaff_host *chaff_frontier_host(struct chaff_frontier *f, const char *url, long delay_ms);

enum chaff_add { CHAFF_ADD_NEW, CHAFF_ADD_SEEN, CHAFF_ADD_FULL };
/* Queue a normalised URL unless seen; journals it. */
enum chaff_add chaff_frontier_add(struct chaff_frontier *f, const char *url, unsigned depth,
                                  unsigned hops, long delay_ms);
/* Put an item back at the front of its host's queue (a retry). */
void chaff_frontier_requeue(struct chaff_frontier *f, struct chaff_host *h,
                            struct chaff_url_item *it);
struct chaff_url_item *chaff_frontier_pop(struct chaff_frontier *f, struct chaff_host *h);
/*
 * A host with queued URLs, no transfer in flight and its time come, taken
 * round robin; NULL when none, with *wait_ms the time until one may be
 * (or -1 when no host has anything queued).
 */
struct chaff_host *chaff_frontier_next(struct chaff_frontier *f, int64_t now_ms,
                                       int64_t *wait_ms);

/*
 * Journal: open path for appending (resume: after replaying it, queueing
 * the URLs it has that neither it nor done lists as finished; every URL of
 * done counts as seen). The replayed lines are not journaled again; done
 * may be NULL without resume. Errors: CHAFF_ERR_IO.
 */
enum chaff_err chaff_frontier_journal(struct chaff_frontier *f, const char *path, bool resume,
                                      struct chaff_urlset *done, long delay_ms, char *why);
/* Journal url as finished (flushed, so a kill right after keeps it). */
void chaff_frontier_done(struct chaff_frontier *f, const char *url);
/* Flush the journal; false when it could not be written. */
bool chaff_frontier_sync(struct chaff_frontier *f);
/* Close the journal; remove its file when remove is true. */
void chaff_frontier_journal_close(struct chaff_frontier *f, bool remove);

#endif
