/*
 * member_pool.c - gzip members of a .warc.gz inflated ahead of the reader
 * by helper threads.
 *
 * Inflating is most of a WARC scan and a deflate stream is serial, but a
 * .warc.gz holds one gzip member per record. Where a member ends is known
 * only by inflating it; where the next may start can be guessed by looking
 * for a gzip header in the compressed bytes. So the pool scans the bytes
 * the reader has read ahead for headers, and a helper inflates each
 * candidate up to the next one, checking zlib's CRC and length. The reader
 * still walks the archive in order: it takes a job only when it begins
 * exactly where the reader stands (after the member before ended there), so
 * a false candidate, a failed job or a member too large for a job costs
 * only the time to inflate that member in the reader, the way it always
 * did. Damage is left to the reader, which reports it as before.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "crawler/warc_internal.h"

#define JOB_MAX_IN ((size_t)512 << 10)   /* compressed bytes of one job */
#define JOB_KEEP ((size_t)1 << 20)       /* larger job buffers are freed after use */
#define MAX_HELPERS 8
#define MAX_JOBS (2 * MAX_HELPERS + 2)       /* the most jobs queued: 2 per helper, and 2 */
#define HEAD_PEEK ((size_t)32 << 10)     /* output searched for the end of the WARC header */

enum job_state { JOB_FREE, JOB_PENDING, JOB_BUSY, JOB_DONE, JOB_FAILED };

struct job {
	enum job_state state;
	uint64_t start;          /* file offset of the member */
	struct chaff_buf in;     /* compressed bytes from there to the next candidate */
	struct pool_buf head;    /* the member inflated: up to its WARC header's blank line, */
	struct pool_buf out;     /* and the rest, so that the block can be handed on whole */
	size_t used;             /* compressed bytes of the member, trailer included */
};

struct member_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;     /* a job is pending, or stop */
	pthread_cond_t done;     /* a job is done or failed */
	pthread_t *threads;
	unsigned nthreads;
	bool stop;
	struct job jobs[MAX_JOBS];
	size_t head, count, max_jobs;  /* ring of jobs in file order */
	size_t max_out;
	z_stream zs;             /* for the reader, when it inflates a job itself */
	uint64_t scanned;        /* candidates were looked for up to this offset */
	uint64_t pending;        /* a candidate waiting for the next, or NONE */
};

#define NONE UINT64_MAX

/* ---- helpers ---- */

/* Grow b to hold at least need bytes (doubling). */
static void pool_buf_room(struct pool_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 65536;

	if (need <= b->cap)
		return;
	while (cap < need)
		cap *= 2;
	b->data = chaff_xrealloc(b->data, cap);
	b->cap = cap;
}

/*
 * Inflate into b until it holds upto bytes or the member ends. Returns
 * zlib's code; Z_DATA_ERROR also when the input ends first (the member
 * runs past the next candidate).
 */
static int inflate_upto(z_stream *zs, struct pool_buf *b, size_t upto)
{
	int rc = Z_OK;

	while (rc == Z_OK && b->len < upto) {
		size_t room;

		pool_buf_room(b, b->len + 65536 < upto ? b->len + 65536 : upto);
		room = b->cap - b->len < upto - b->len ? b->cap - b->len : upto - b->len;
		zs->next_out = b->data + b->len;
		zs->avail_out = (uInt)room;
		rc = inflate(zs, Z_NO_FLUSH);
		b->len += room - zs->avail_out;
		if (rc == Z_BUF_ERROR)
			rc = zs->avail_in == 0 ? Z_DATA_ERROR : Z_OK;
	}
	return rc;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool gzip_trailer_matches(const unsigned char *trailer, uint32_t crc, uint64_t len)
{
	return le32(trailer) == crc && le32(trailer + 4) == (uint32_t)(len & 0xffffffffu);
}

/*
 * Inflate one gzip member from job->in; false when it is not one, or
 * larger than max_out. A member longer than HEAD_PEEK is split after its
 * WARC header's blank line, so the reader can take the block as it is.
 */
static bool inflate_job(z_stream *zs, struct job *job, size_t max_out)
{
	int rc;

	inflateReset2(zs, 15 + 16);
	inflateValidate(zs, 0);  /* the trailer is checked below, with a faster CRC */
	zs->next_in = (unsigned char *)job->in.data;
	zs->avail_in = (uInt)job->in.len;
	job->head.len = 0;
	job->out.len = 0;
	rc = inflate_upto(zs, &job->head, HEAD_PEEK);
	if (rc == Z_OK) {
		const unsigned char *blank = memmem(job->head.data, job->head.len, "\r\n\r\n", 4);
		size_t keep = blank ? (size_t)(blank - job->head.data) + 4 : 0;

		pool_buf_room(&job->out, job->head.len - keep + 65536);
		memcpy(job->out.data, job->head.data + keep, job->head.len - keep);
		job->out.len = job->head.len - keep;
		job->head.len = keep;
		rc = inflate_upto(zs, &job->out, max_out - keep);
		if (rc == Z_OK)
			return false;  /* larger than a job may be: the reader streams it */
	}
	if (rc != Z_STREAM_END)
		return false;
	job->used = job->in.len - zs->avail_in;
	return gzip_trailer_matches((const unsigned char *)job->in.data + job->used - 8,
	                            chaff_crc32(chaff_crc32(0, job->head.data, job->head.len),
	                                        job->out.data, job->out.len),
	                            (uint64_t)job->head.len + job->out.len);
}

static struct job *next_pending(struct member_pool *p)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		struct job *job = &p->jobs[(p->head + i) % MAX_JOBS];

		if (job->state == JOB_PENDING)
			return job;
	}
	return NULL;
}

static void *helper_main(void *arg)
{
	struct member_pool *p = arg;
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		abort();
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct job *job = next_pending(p);
		bool ok;

		if (!job) {
			pthread_cond_wait(&p->work, &p->lock);
			continue;
		}
		job->state = JOB_BUSY;
		pthread_mutex_unlock(&p->lock);
		ok = inflate_job(&zs, job, p->max_out);
		pthread_mutex_lock(&p->lock);
		job->state = ok ? JOB_DONE : JOB_FAILED;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	inflateEnd(&zs);
	return NULL;
}

/* ---- the pool ---- */

struct member_pool *member_pool_new(unsigned helpers, size_t max_out)
{
	struct member_pool *p = chaff_xcalloc(1, sizeof(*p));
	size_t i;
	unsigned k;

	if (helpers > MAX_HELPERS)
		helpers = MAX_HELPERS;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->max_jobs = 2 * (size_t)helpers + 2;
	if (inflateInit2(&p->zs, 15 + 16) != Z_OK)
		abort();
	p->max_out = max_out;
	p->pending = NONE;
	for (i = 0; i < MAX_JOBS; i++)
		chaff_buf_init(&p->jobs[i].in, JOB_MAX_IN);
	p->threads = chaff_xcalloc(helpers, sizeof(*p->threads));
	for (k = 0; k < helpers; k++) {
		if (pthread_create(&p->threads[k], NULL, helper_main, p))
			break;
		p->nthreads++;
	}
	return p;
}

void member_pool_free(struct member_pool *p)
{
	size_t i;
	unsigned k;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (k = 0; k < p->nthreads; k++)
		pthread_join(p->threads[k], NULL);
	for (i = 0; i < MAX_JOBS; i++) {
		chaff_buf_release(&p->jobs[i].in);
		free(p->jobs[i].head.data);
		free(p->jobs[i].out.data);
	}
	free(p->threads);
	inflateEnd(&p->zs);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p);
}

/*
 * A gzip header as writers make them: magic, deflate, no reserved flag
 * bits, a known XFL and OS. Compressed data looks like this about once in
 * 10^11 bytes; a false candidate only fails its job.
 */
static bool looks_like_member(const unsigned char *b)
{
	return b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 && !(b[3] & 0xe0) &&
	       (b[8] == 0 || b[8] == 2 || b[8] == 4) && (b[9] <= 13 || b[9] == 255);
}

/* Queue a job for the member at start whose bytes are p[0..n); false when the ring is full. */
static bool add_job(struct member_pool *pool, uint64_t start, const unsigned char *p, size_t n)
{
	struct job *job;

	if (pool->count == pool->max_jobs)
		return false;
	job = &pool->jobs[(pool->head + pool->count) % MAX_JOBS];
	job->start = start;
	chaff_buf_reset(&job->in);
	chaff_buf_append(&job->in, p, n);
	job->state = JOB_PENDING;
	pool->count++;
	pthread_cond_signal(&pool->work);
	return true;
}

void member_pool_offer(struct member_pool *pool, const unsigned char *buf, size_t n,
                       uint64_t base, bool eof)
{
	uint64_t end = base + n, at;

	pthread_mutex_lock(&pool->lock);
	if (pool->pending != NONE && pool->pending < base)
		pool->pending = NONE;  /* the reader has gone past it */
	at = pool->scanned > base ? pool->scanned : base;
	while (at + 10 <= end) {
		const unsigned char *c = memchr(buf + (at - base), 0x1f, (size_t)(end - at - 9));
		uint64_t cand;

		if (!c) {
			at = end - 9;
			break;
		}
		cand = base + (uint64_t)(c - buf);
		if (!looks_like_member(c)) {
			at = cand + 1;
			continue;
		}
		if (pool->pending != NONE && cand - pool->pending <= JOB_MAX_IN &&
		    !add_job(pool, pool->pending, buf + (pool->pending - base),
		             (size_t)(cand - pool->pending))) {
			at = cand;  /* the ring is full: pair them on a later offer */
			break;
		}
		pool->pending = cand;
		at = cand + 1;
	}
	pool->scanned = at;
	if (eof && pool->pending != NONE && end - pool->pending <= JOB_MAX_IN &&
	    add_job(pool, pool->pending, buf + (pool->pending - base), (size_t)(end - pool->pending)))
		pool->pending = NONE;
	pthread_mutex_unlock(&pool->lock);
}

/* Give a finished job's buffers back, shrinking the large ones. */
static void retire_head(struct member_pool *pool)
{
	struct job *job = &pool->jobs[pool->head];

	if (job->out.cap > JOB_KEEP) {
		free(job->out.data);
		memset(&job->out, 0, sizeof(job->out));
	}
	if (job->head.cap > JOB_KEEP) {
		free(job->head.data);
		memset(&job->head, 0, sizeof(job->head));
	}
	job->state = JOB_FREE;
	pool->head = (pool->head + 1) % MAX_JOBS;
	pool->count--;
}

static void swap_bufs(struct pool_buf *mine, struct pool_buf *theirs)
{
	struct pool_buf t = *mine;

	*mine = *theirs;
	*theirs = t;
	theirs->len = 0;
}

bool member_pool_take(struct member_pool *pool, uint64_t at, struct pool_buf *head,
                      struct pool_buf *out, size_t *used)
{
	bool ok = false;

	pthread_mutex_lock(&pool->lock);
	while (pool->count > 0) {
		struct job *job = &pool->jobs[pool->head];

		if (job->start > at)
			break;
		if (job->state == JOB_PENDING && job->start < at)
			job->state = JOB_FAILED;  /* passed by: nobody needs it */
		if (job->state == JOB_PENDING) {
			/*
			 * No helper has started ours: do it here rather than wait.
			 * (Taking other jobs too was slower: the reader is the
			 * thread everything waits for, better kept light.)
			 */
			bool done;

			job->state = JOB_BUSY;
			pthread_mutex_unlock(&pool->lock);
			done = inflate_job(&pool->zs, job, pool->max_out);
			pthread_mutex_lock(&pool->lock);
			job->state = done ? JOB_DONE : JOB_FAILED;
			continue;
		}
		if (job->state == JOB_BUSY) {
			pthread_cond_wait(&pool->done, &pool->lock);
			continue;
		}
		if (job->start == at && job->state == JOB_DONE) {
			swap_bufs(head, &job->head);
			swap_bufs(out, &job->out);
			*used = job->used;
			ok = true;
		}
		retire_head(pool);
		if (ok || job->start == at)
			break;
	}
	pthread_mutex_unlock(&pool->lock);
	return ok;
}
