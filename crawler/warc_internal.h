/* warc_internal.h - what the WARC reader shares with its helpers, and nobody else sees. */
#ifndef CHAFF_CRAWLER_WARC_INTERNAL_H
#define CHAFF_CRAWLER_WARC_INTERNAL_H

#include "chaff.h"

/* A plain growable byte buffer, handed between the pool and the reader. */
struct pool_buf {
	unsigned char *data;
	size_t len, cap;
};

/* A gzip trailer (8 bytes) names this CRC-32 and length (mod 2^32) of the output. */
bool gzip_trailer_matches(const unsigned char *trailer, uint32_t crc, uint64_t len);

/*
 * Helper threads that inflate gzip members ahead of the reader
 * (member_pool.c). max_out caps one member's output: larger members are
 * left to the reader.
 */
struct member_pool;

struct member_pool *member_pool_new(unsigned helpers, size_t max_out);
void member_pool_free(struct member_pool *p);

/*
 * The reader has the compressed bytes buf[0..n), at file offset base, in
 * hand (eof: nothing follows them). Members found wholly inside are queued.
 */
void member_pool_offer(struct member_pool *p, const unsigned char *buf, size_t n,
                       uint64_t base, bool eof);

/*
 * The member starting at file offset at, inflated: waits for its job and
 * swaps its output into *head and *out (the member is head then out: a
 * member longer than 32 KiB is split after the blank line that ends its
 * WARC header), with the compressed bytes it took in *used. The buffers
 * given are the job's to reuse. False when there is no such job or it
 * failed: the reader inflates the member itself. Jobs before at are dropped.
 */
bool member_pool_take(struct member_pool *p, uint64_t at, struct pool_buf *head,
                      struct pool_buf *out, size_t *used);

#endif
