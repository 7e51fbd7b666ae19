/*
 * sha.c - SHA-1 and SHA-256 (FIPS 180-4), streaming, for WARC digests, and
 * the base32 (RFC 4648) spelling WARC writers use for SHA-1.
 */
#include <string.h>

#include "chaff.h"

static uint32_t rol(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }
static uint32_t ror(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
		else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
		else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
		else { f = b ^ c ^ d; k = 0xCA62C1D6; }
		t = rol(a, 5) + f + e + k + w[i];
		e = d; d = c; c = rol(b, 30); b = a; a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

/*
 * SHA-1 with the x86 SHA extensions, when the CPU has them: checking the
 * digests of every record is most of the work of a WARC scan, and this is
 * about ten times the speed of the portable code above.
 */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>
#define HAVE_SHA_NI 1

static bool sha_ni(void)
{
	static atomic_int have = -1;
	int v = atomic_load_explicit(&have, memory_order_relaxed);

	if (v < 0) {
		unsigned a, b = 0, c = 0, d;

		/* SSSE3 and SSE4.1 (leaf 1), SHA (leaf 7, EBX bit 29). */
		v = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9)) && (c & (1u << 19)) &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
		atomic_store_explicit(&have, v, memory_order_relaxed);
	}
	return v;
}

/*
 * Four rounds: E takes the message words, msg2/msg1/xor extend the
 * schedule for the rounds ahead (W[t] from W[t-3], W[t-8], W[t-14],
 * W[t-16]); g is the group of four rounds, 0..19.
 */
#define NI_ROUNDS(g, ecur, enext) do { \
	if ((g) > 0) \
		ecur = _mm_sha1nexte_epu32(ecur, m[(g) % 4]); \
	enext = abcd; \
	if ((g) >= 3 && (g) <= 18) \
		m[((g) + 1) % 4] = _mm_sha1msg2_epu32(m[((g) + 1) % 4], m[(g) % 4]); \
	abcd = _mm_sha1rnds4_epu32(abcd, ecur, (g) / 5); \
	if ((g) >= 1 && (g) <= 16) \
		m[((g) + 3) % 4] = _mm_sha1msg1_epu32(m[((g) + 3) % 4], m[(g) % 4]); \
	if ((g) >= 2 && (g) <= 17) \
		m[((g) + 2) % 4] = _mm_xor_si128(m[((g) + 2) % 4], m[(g) % 4]); \
} while (0)

__attribute__((target("sha,ssse3,sse4.1")))
static void sha1_blocks_ni(uint32_t h[5], const unsigned char *p, size_t blocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
	__m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)h), 0x1b);
	__m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0), e1, m[4];

	for (; blocks; blocks--, p += 64) {
		__m128i abcd_save = abcd, e0_save = e0;
		int i;

		for (i = 0; i < 4; i++)
			m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)
			                                        (p + 16 * i)), bswap);
		e0 = _mm_add_epi32(e0, m[0]);
		NI_ROUNDS(0, e0, e1);  NI_ROUNDS(1, e1, e0);  NI_ROUNDS(2, e0, e1);
		NI_ROUNDS(3, e1, e0);  NI_ROUNDS(4, e0, e1);  NI_ROUNDS(5, e1, e0);
		NI_ROUNDS(6, e0, e1);  NI_ROUNDS(7, e1, e0);  NI_ROUNDS(8, e0, e1);
		NI_ROUNDS(9, e1, e0);  NI_ROUNDS(10, e0, e1); NI_ROUNDS(11, e1, e0);
		NI_ROUNDS(12, e0, e1); NI_ROUNDS(13, e1, e0); NI_ROUNDS(14, e0, e1);
		NI_ROUNDS(15, e1, e0); NI_ROUNDS(16, e0, e1); NI_ROUNDS(17, e1, e0);
		NI_ROUNDS(18, e0, e1); NI_ROUNDS(19, e1, e0);
		e0 = _mm_sha1nexte_epu32(e0, e0_save);
		abcd = _mm_add_epi32(abcd, abcd_save);
	}
	_mm_storeu_si128((__m128i *)(void *)h, _mm_shuffle_epi32(abcd, 0x1b));
	h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}
#endif

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], s[8];
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(s, h, sizeof(s));
	for (i = 0; i < 64; i++) {
		uint32_t S1 = ror(s[4], 6) ^ ror(s[4], 11) ^ ror(s[4], 25);
		uint32_t ch = (s[4] & s[5]) ^ (~s[4] & s[6]);
		uint32_t t1 = s[7] + S1 + ch + k256[i] + w[i];
		uint32_t S0 = ror(s[0], 2) ^ ror(s[0], 13) ^ ror(s[0], 22);
		uint32_t maj = (s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]);
		uint32_t t2 = S0 + maj;

		memmove(s + 1, s, 7 * sizeof(s[0]));
		s[4] += t1;
		s[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += s[i];
}

void chaff_digest_init(struct chaff_digest *d, enum chaff_digest_algo algo)
{
	static const uint32_t iv1[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476,
	                                0xC3D2E1F0};
	static const uint32_t iv256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memset(d, 0, sizeof(*d));
	d->algo = algo;
	if (algo == CHAFF_SHA1)
		memcpy(d->h, iv1, sizeof(iv1));
	else
		memcpy(d->h, iv256, sizeof(iv256));
}

static void compress(struct chaff_digest *d, const unsigned char *block)
{
	if (d->algo == CHAFF_SHA1)
		sha1_block(d->h, block);
	else
		sha256_block(d->h, block);
}

void chaff_digest_update(struct chaff_digest *d, const void *data, size_t n)
{
	const unsigned char *p = data;

	d->total += n;
	if (d->fill) {
		size_t take = 64 - d->fill < n ? 64 - d->fill : n;

		memcpy(d->buf + d->fill, p, take);
		d->fill += take;
		p += take;
		n -= take;
		if (d->fill < 64)
			return;
		compress(d, d->buf);
		d->fill = 0;
	}
#ifdef HAVE_SHA_NI
	if (d->algo == CHAFF_SHA1 && n >= 64 && sha_ni()) {
		sha1_blocks_ni(d->h, p, n / 64);
		p += n / 64 * 64;
		n %= 64;
	}
#endif
	while (n >= 64) {
		compress(d, p);
		p += 64;
		n -= 64;
	}
	memcpy(d->buf, p, n);
	d->fill = n;
}

size_t chaff_digest_final(struct chaff_digest *d, unsigned char out[32])
{
	uint64_t bits = d->total * 8;
	unsigned char pad[72] = {0x80};
	size_t padlen = (d->fill < 56 ? 56 : 120) - d->fill, words, i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
	chaff_digest_update(d, pad, padlen + 8);
	words = d->algo == CHAFF_SHA1 ? 5 : 8;
	for (i = 0; i < words; i++) {
		out[4 * i] = (unsigned char)(d->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(d->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(d->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)d->h[i];
	}
	return words * 4;
}

void chaff_base32(const unsigned char *in, size_t n, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t i, k = 0;
	unsigned buffer = 0, bits = 0;

	for (i = 0; i < n; i++) {
		buffer = (buffer << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[k++] = alphabet[(buffer >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits)
		out[k++] = alphabet[(buffer << (5 - bits)) & 31];
	while (k % 8)
		out[k++] = '=';
	out[k] = '\0';
}

void chaff_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}
