/*
 * crc32.c - the gzip CRC-32, with carry-less multiplication when the CPU
 * has it. zlib's table-driven crc32_z runs at about 6 GB/s and was a tenth
 * of the time of the thread that inflates a .warc.gz; folding 64 bytes at a
 * time with PCLMULQDQ (Gopal et al., "Fast CRC Computation for Generic
 * Polynomials Using PCLMULQDQ Instruction", Intel 2009; the constants are
 * those of Linux's crc32-pclmul) is several times faster. zlib does the
 * short heads and tails, and everything on other CPUs.
 */
#include <zlib.h>

#include "chaff.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>

static bool have_pclmul(void)
{
	static atomic_int have = -1;
	int v = atomic_load_explicit(&have, memory_order_relaxed);

	if (v < 0) {
		unsigned a, b, c, d;

		/* PCLMULQDQ (leaf 1, ECX bit 1) and SSE4.1 (bit 19) for the extract. */
		v = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 1)) && (c & (1u << 19));
		atomic_store_explicit(&have, v, memory_order_relaxed);
	}
	return v;
}

static __m128i load(const unsigned char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* x * k (the two halves by their constants), folded onto next. */
__attribute__((target("pclmul,sse4.1")))
static __m128i fold(__m128i x, __m128i k, __m128i next)
{
	__m128i lo = _mm_clmulepi64_si128(x, k, 0x00), hi = _mm_clmulepi64_si128(x, k, 0x11);

	return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

/*
 * The bit-reflected CRC register (no inversions) after n bytes, n >= 64
 * and a multiple of 16.
 */
__attribute__((target("pclmul,sse4.1")))
static uint32_t crc32_fold(uint32_t crc, const unsigned char *p, size_t n)
{
	const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
	const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
	const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124LL);
	const __m128i poly = _mm_set_epi64x(0x1f7011641LL, 0x1db710641LL);
	const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
	__m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128((int)crc));
	__m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48), t;

	for (p += 64, n -= 64; n >= 64; p += 64, n -= 64) {
		x0 = fold(x0, k1k2, load(p));
		x1 = fold(x1, k1k2, load(p + 16));
		x2 = fold(x2, k1k2, load(p + 32));
		x3 = fold(x3, k1k2, load(p + 48));
	}
	/* Four lanes into one, then the remaining 16-byte blocks. */
	x0 = fold(x0, k3k4, x1);
	x0 = fold(x0, k3k4, x2);
	x0 = fold(x0, k3k4, x3);
	for (; n >= 16; p += 16, n -= 16)
		x0 = fold(x0, k3k4, load(p));
	/* 128 bits to 64 (appending 32 zero bits), then to 32 by Barrett reduction. */
	t = _mm_clmulepi64_si128(k3k4, x0, 0x01);
	x0 = _mm_xor_si128(_mm_srli_si128(x0, 8), t);
	t = _mm_srli_si128(x0, 4);
	x0 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x0, mask32), k5, 0x00), t);
	t = x0;
	x0 = _mm_clmulepi64_si128(_mm_and_si128(x0, mask32), poly, 0x10);
	x0 = _mm_clmulepi64_si128(_mm_and_si128(x0, mask32), poly, 0x00);
	return (uint32_t)_mm_extract_epi32(_mm_xor_si128(x0, t), 1);
}

uint32_t chaff_crc32(uint32_t crc, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t body;

	if (n == 0)
		return crc;  /* zlib's crc32 answers 0 for a NULL buffer, whatever crc was */
	if (n < 256 || !have_pclmul())
		return (uint32_t)crc32_z(crc, p, n);
	body = n & ~(size_t)15;
	/* zlib's crc32 inverts before and after; the fold works on the bare register. */
	crc = ~crc32_fold(~crc, p, body);
	return (uint32_t)crc32_z(crc, p + body, n - body);
}

#else

uint32_t chaff_crc32(uint32_t crc, const void *data, size_t n)
{
	return (uint32_t)crc32_z(crc, data, n);
}

#endif
