/*
 * terms.c - the hashed word 1- and 2-grams of the main content (the
 * hashing trick). A term's index is chaff_hash64 of its lower-cased words
 * ("buy cheap": the two words one space apart, as in the context buffer)
 * masked to hash_bits; its value is log(1 + tf), L2-normalised over the
 * page. Model files depend on these exact indices.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features/signals.h"

#define MAX_TERMS ((size_t)1 << 16)   /* distinct terms kept per page */

struct term_slot {
	uint32_t index;
	uint32_t tf;        /* 0: empty */
	uint32_t off;       /* first n-gram that produced it, in ctx->low */
	uint32_t len;
};

struct term_table {
	struct term_slot *s;
	size_t mask, used;
};

static void add_term(struct term_table *t, uint32_t index, uint32_t off, uint32_t len)
{
	size_t i = (index * 0x9E3779B1u) & t->mask;

	for (;; i = (i + 1) & t->mask) {
		struct term_slot *s = &t->s[i];

		if (s->tf && s->index == index) {
			if (s->tf < UINT32_MAX)
				s->tf++;
			return;
		}
		if (!s->tf) {
			if (t->used >= MAX_TERMS)
				return;  /* a page of a million distinct words keeps its first ones */
			s->index = index;
			s->tf = 1;
			s->off = off;
			s->len = len;
			t->used++;
			return;
		}
	}
}

/* LSD radix sort of the used slots by index, 8 bits a pass: linear, no compare calls. */
static void sort_slots(struct term_slot *s, struct term_slot *tmp, size_t n, unsigned bits)
{
	unsigned shift;
	size_t i;

	for (shift = 0; shift < bits; shift += 8) {
		size_t count[257] = {0};
		struct term_slot *swap;

		for (i = 0; i < n; i++)
			count[((s[i].index >> shift) & 0xFF) + 1]++;
		for (i = 1; i <= 256; i++)
			count[i] += count[i - 1];
		for (i = 0; i < n; i++)
			tmp[count[(s[i].index >> shift) & 0xFF]++] = s[i];
		swap = s;
		s = tmp;
		tmp = swap;
	}
	/* An odd number of passes leaves the result in the other buffer. */
	if (((bits + 7) / 8) & 1)
		memcpy(tmp, s, n * sizeof(*s));
}

void chaff_sig_terms(struct sig_ctx *c, unsigned hash_bits)
{
	struct term_table tt;
	uint32_t mask = hash_bits >= 32 ? UINT32_MAX : (uint32_t)((1ull << hash_bits) - 1);
	bool use_main = c->main_tokens > 0;
	size_t i, k, size = 64, want;
	double norm = 0;

	want = use_main ? c->main_tokens : c->ntok;
	want = want * 2 < MAX_TERMS ? want * 2 : MAX_TERMS;
	while (size < want * 2)
		size *= 2;
	tt.s = chaff_arena_calloc(c->arena, size, sizeof(*tt.s));
	tt.mask = size - 1;
	tt.used = 0;
	for (i = 0; i < c->ntok; i++) {
		const struct sig_tok *t = &c->tok[i], *u = t + 1;

		if (use_main ? !c->blk[t->block].main : !c->blk[t->block].visible)
			continue;
		/* token hashes use seed 0: reuse them when terms do too */
		add_term(&tt, (uint32_t)(CHAFF_TERM_SEED == 0 ? t->hash :
		                         chaff_hash64(c->low + t->off, t->len, CHAFF_TERM_SEED)) & mask,
		         t->off, t->len);
		if (i + 1 < c->ntok && u->block == t->block) {
			uint32_t len = u->off + u->len - t->off;

			add_term(&tt, (uint32_t)chaff_hash64(c->low + t->off, len, CHAFF_TERM_SEED) & mask,
			         t->off, len);
		}
	}
	/* Pack the used slots to the front, sort them, then emit. */
	for (i = 0, k = 0; i < size; i++)
		if (tt.s[i].tf)
			tt.s[k++] = tt.s[i];
	sort_slots(tt.s, tt.s + k, k, hash_bits);
	c->f->terms = chaff_arena_alloc(c->arena, chaff_st_mult(k + 1, sizeof(*c->f->terms)));
	for (i = 0; i < k; i++) {
		/* most terms occur once or twice: skip log1p for them */
		double v = tt.s[i].tf == 1 ? M_LN2 : log1p((double)tt.s[i].tf);

		c->f->terms[i].value = (float)v;
		norm += v * v;
	}
	norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
	for (i = 0; i < k; i++) {
		const struct term_slot *s = &tt.s[i];

		c->f->terms[i].index = s->index;
		c->f->terms[i].value = (float)(c->f->terms[i].value * norm);
		c->f->terms[i].words = chaff_arena_strndup(c->arena, c->low + s->off, s->len);
	}
	c->f->nterms = k;
}
