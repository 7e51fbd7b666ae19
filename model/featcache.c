/*
 * featcache.c - extracted features cached on disk, so that retraining does
 * not parse every page again. An optimisation only: an entry that is
 * missing, damaged or made by another extractor is recomputed; entries are
 * written to a temporary name and renamed, so readers never see half of
 * one. Layout: DIR/ab/<32 hex digits of the key>.cf, little-endian:
 *
 *   "chaffFC1" key(16) nsignals(4) nterms(4) hash_bits(4) 0(4)
 *   signals(8 each) terms(index 4 + float 4 each) checksum(8)
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/model_impl.h"

#define MAGIC "chaffFC1"
#define HEADER_BYTES 40
#define ENTRY_MAX_BYTES ((size_t)64 << 20)
#define CHECKSUM_SEED 0x63686166664643ULL

/* A checksum of the feature code, from the build (model/module.mk). */
#ifndef CHAFF_FEATURES_CODE
#define CHAFF_FEATURES_CODE "unknown"
#endif

static void put_u32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static uint64_t double_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static double bits_double(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static uint32_t float_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float bits_float(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* mkdir -p; true when path is a directory afterwards. */
static bool make_dirs(char *path)
{
	char *p;
	struct stat st;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return false;
		}
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return false;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

char *featcache_dir(const struct chaff_train_opts *o)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct chaff_buf b;
	char *dir;

	if (o->no_cache || (o->cache_dir && !o->cache_dir[0]))
		return NULL;
	chaff_buf_init(&b, 4096);
	if (o->cache_dir)
		chaff_buf_puts(&b, o->cache_dir);
	else if (xdg && xdg[0] == '/')
		chaff_buf_printf(&b, "%s/chaff", xdg);
	else if (home && home[0] == '/')
		chaff_buf_printf(&b, "%s/.cache/chaff", home);
	if (!b.len) {
		chaff_buf_release(&b);
		return NULL;
	}
	dir = chaff_buf_detach(&b, NULL);
	if (!make_dirs(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Everything besides the page bytes that changes what extraction gives. */
static void key_header(struct chaff_buf *b, const struct chaff_page *page, unsigned bits,
                       const struct chaff_limits *lim)
{
	size_t i, n = chaff_signal_count();

	chaff_buf_printf(b, "chaff-features %d code %s bits %u seed %llu ngrams %d %d\n",
	                 CHAFF_FEATURES_VERSION, CHAFF_FEATURES_CODE, bits,
	                 (unsigned long long)CHAFF_TERM_SEED, CHAFF_TERM_NGRAM_MIN,
	                 CHAFF_TERM_NGRAM_MAX);
	chaff_buf_printf(b, "limits %zu %zu %zu %u %zu\n", lim->max_input_bytes,
	                 lim->max_decoded_bytes, lim->max_parse_bytes, lim->max_depth,
	                 lim->max_blocks);
	chaff_buf_printf(b, "page %d %d %s %s %s\n", (int)page->kind, (int)page->truncated,
	                 page->url ? page->url : "-",
	                 page->content_type ? page->content_type : "-",
	                 page->charset ? page->charset : "-");
	for (i = 0; i < n; i++)
		chaff_buf_printf(b, "%s\n", chaff_signal_name(i));
}

struct feat_key featcache_key(const struct chaff_page *page, unsigned hash_bits,
                              const struct chaff_limits *lim)
{
	struct feat_key k;
	struct chaff_buf b;
	const char *body = page->body.data ? page->body.data : "";

	chaff_buf_init(&b, SIZE_MAX);
	key_header(&b, page, hash_bits, lim);
	k.h[0] = chaff_hash64(body, page->body.len, chaff_hash64(b.data, b.len, 1));
	k.h[1] = chaff_hash64(body, page->body.len, chaff_hash64(b.data, b.len, 2));
	chaff_buf_release(&b);
	return k;
}

static char *entry_path(const char *dir, const struct feat_key *key)
{
	struct chaff_buf b;

	chaff_buf_init(&b, SIZE_MAX);
	chaff_buf_printf(&b, "%s/%02x/%016llx%016llx.cf", dir, (unsigned)(key->h[0] >> 56),
	                 (unsigned long long)key->h[0], (unsigned long long)key->h[1]);
	return chaff_buf_detach(&b, NULL);
}

static bool read_entry(const char *path, struct chaff_buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t got;
	bool ok = true;

	if (!f)
		return false;
	while (ok && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ok = !chaff_buf_append(b, chunk, got);
	ok = ok && !ferror(f);
	fclose(f);
	return ok;
}

/* Check an entry's bytes thoroughly; fill e only when all is well. */
static bool decode_entry(const unsigned char *p, size_t len, const struct feat_key *key,
                         size_t nsignals, unsigned hash_bits, struct feat_entry *e)
{
	size_t nterms, i, need;
	uint32_t prev = 0;

	if (len < HEADER_BYTES + 8 || memcmp(p, MAGIC, 8) || get_u64(p + 8) != key->h[0] ||
	    get_u64(p + 16) != key->h[1] || get_u32(p + 24) != nsignals ||
	    get_u32(p + 32) != hash_bits || get_u32(p + 36) != 0)
		return false;
	nterms = get_u32(p + 28);
	if (nterms > ((size_t)1 << hash_bits))
		return false;
	need = HEADER_BYTES + 8 * nsignals + 8 * nterms + 8;
	if (len != need || get_u64(p + len - 8) != chaff_hash64(p, len - 8, CHECKSUM_SEED))
		return false;
	e->signals = chaff_xmalloc(chaff_st_mult(nsignals ? nsignals : 1, sizeof(double)));
	e->terms = chaff_xmalloc(chaff_st_mult(nterms ? nterms : 1, sizeof(*e->terms)));
	e->nterms = nterms;
	p += HEADER_BYTES;
	for (i = 0; i < nsignals; i++, p += 8)
		e->signals[i] = bits_double(get_u64(p));
	for (i = 0; i < nterms; i++, p += 8) {
		e->terms[i].index = get_u32(p);
		e->terms[i].value = bits_float(get_u32(p + 4));
		if ((i && e->terms[i].index <= prev) || (e->terms[i].index >> hash_bits) ||
		    !isfinite(e->terms[i].value))
			goto bad;
		prev = e->terms[i].index;
	}
	for (i = 0; i < nsignals; i++)
		if (!isfinite(e->signals[i]))
			goto bad;
	return true;
bad:
	feat_entry_release(e);
	return false;
}

bool featcache_get(const char *dir, const struct feat_key *key, size_t nsignals,
                   unsigned hash_bits, struct feat_entry *e)
{
	char *path = entry_path(dir, key);
	struct chaff_buf b;
	bool ok;

	chaff_buf_init(&b, ENTRY_MAX_BYTES);
	ok = read_entry(path, &b) &&
	     decode_entry((const unsigned char *)b.data, b.len, key, nsignals, hash_bits, e);
	chaff_buf_release(&b);
	free(path);
	return ok;
}

static unsigned char *encode_entry(const struct feat_key *key, size_t nsignals,
                                   unsigned hash_bits, const struct feat_entry *e,
                                   size_t *len)
{
	size_t n = chaff_st_add(HEADER_BYTES + 8, chaff_st_mult(8, chaff_st_add(nsignals,
	                                                                      e->nterms)));
	unsigned char *buf = chaff_xmalloc(n), *p = buf;
	size_t i;

	memcpy(p, MAGIC, 8);
	put_u64(p + 8, key->h[0]);
	put_u64(p + 16, key->h[1]);
	put_u32(p + 24, (uint32_t)nsignals);
	put_u32(p + 28, (uint32_t)e->nterms);
	put_u32(p + 32, hash_bits);
	put_u32(p + 36, 0);
	p += HEADER_BYTES;
	for (i = 0; i < nsignals; i++, p += 8)
		put_u64(p, double_bits(e->signals[i]));
	for (i = 0; i < e->nterms; i++, p += 8) {
		put_u32(p, e->terms[i].index);
		put_u32(p + 4, float_bits(e->terms[i].value));
	}
	put_u64(p, chaff_hash64(buf, n - 8, CHECKSUM_SEED));
	*len = n;
	return buf;
}

static bool write_file(const char *path, const unsigned char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool ok = fd >= 0;

	while (ok && n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		if (ok) {
			p += w;
			n -= (size_t)w;
		}
	}
	if (fd >= 0 && close(fd))
		ok = false;
	return ok;
}

bool featcache_put(const char *dir, const struct feat_key *key, size_t nsignals,
                   unsigned hash_bits, const struct feat_entry *e)
{
	char *path = entry_path(dir, key), *slash = strrchr(path, '/');
	struct chaff_buf tmp;
	unsigned char *bytes;
	size_t len;
	bool ok;

	*slash = '\0';
	ok = make_dirs(path);
	*slash = '/';
	chaff_buf_init(&tmp, SIZE_MAX);
	/* Unique per process and thread: two threads may hold the same page. */
	chaff_buf_printf(&tmp, "%.*s/.tmp-%ld-%lx-%016llx", (int)(slash - path), path,
	                 (long)getpid(), (unsigned long)pthread_self(),
	                 (unsigned long long)key->h[1]);
	bytes = encode_entry(key, nsignals, hash_bits, e, &len);
	ok = ok && len <= ENTRY_MAX_BYTES && write_file(tmp.data, bytes, len) &&
	     !rename(tmp.data, path);
	if (!ok)
		unlink(tmp.data);
	free(bytes);
	chaff_buf_release(&tmp);
	free(path);
	return ok;
}

void feat_entry_release(struct feat_entry *e)
{
	free(e->signals);
	free(e->terms);
	e->signals = NULL;
	e->terms = NULL;
	e->nterms = 0;
}
