// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: Maglev lookup table population with weights.
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/string.h>

#include "maglev.h"

bool idm_is_prime(u32 n)
{
	u32 d;

	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; d <= n / d; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

/*
 * Fixed keys: the permutation must be the same on every node (a fleet of
 * load balancers agrees on the table without talking), so it is not keyed
 * by anything secret. Which flow lands in which slot is: see the
 * per-namespace key of the flow hash.
 */
static const siphash_key_t idm_maglev_offset_key = {
	{ 0x69646d6573686f66ULL, 0x6d61676c65763031ULL }
};

static const siphash_key_t idm_maglev_skip_key = {
	{ 0x69646d657368736bULL, 0x6d61676c65763032ULL }
};

void idm_maglev_permutation(const void *addr16, __be16 port, u8 family,
			    u32 m, struct idm_maglev_entry *e)
{
	struct {
		u8 addr[16];
		__be16 port;
		u8 family;
		u8 pad;
	} __aligned(8) name;
	u64 h1, h2;

	memset(&name, 0, sizeof(name));
	memcpy(name.addr, addr16, sizeof(name.addr));
	name.port = port;
	name.family = family;

	h1 = siphash(&name, sizeof(name), &idm_maglev_offset_key);
	h2 = siphash(&name, sizeof(name), &idm_maglev_skip_key);
	e->offset = h1 % m;
	e->skip = h2 % (m - 1) + 1;
}

/* Min-heap of (round << 16 | backend) keys: the next placement first. */
static void idm_heap_down(u64 *h, unsigned int n, unsigned int i)
{
	u64 v = h[i];

	for (;;) {
		unsigned int c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1] < h[c])
			c++;
		if (v <= h[c])
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = v;
}

/* The round (from 1) in which a backend of weight w places its k-th slot. */
static u64 idm_round(u32 k, u32 wmax, u32 w)
{
	return div_u64((u64)k * wmax + w - 1, w);
}

/*
 * Each round, every backend earns its weight in credit and places one
 * slot per wmax of it, in backend order: as w <= wmax, backend i places
 * its k-th slot in round ceil(k * wmax / w) and never two in one round.
 * The heap replays exactly that order, one step per slot: O(M log n)
 * whatever the weights, where walking the rounds one by one took
 * O(n * M * wmax / sum(w)).
 */
unsigned int idm_maglev_populate(const struct idm_maglev_entry *e,
				 unsigned int n, u32 m, u16 *slot,
				 u32 *scratch)
{
	u32 *next = scratch, *count = scratch + n;
	u64 *heap = (u64 *)(scratch + 2 * n);
	unsigned int i, hn = 0;
	u32 filled = 0, wmax = 0;

	for (i = 0; i < n; i++)
		wmax = max(wmax, e[i].weight);
	memset(slot, 0xff, m * sizeof(*slot));
	if (!wmax)
		return 0;
	for (i = 0; i < n; i++) {
		next[i] = e[i].offset;
		count[i] = 0;
		if (e[i].weight)
			heap[hn++] = idm_round(1, wmax, e[i].weight) << 16 | i;
	}
	for (i = hn / 2; i-- > 0;)
		idm_heap_down(heap, hn, i);

	while (filled < m) {
		u32 c, b = heap[0] & 0xffff;

		c = next[b];
		while (slot[c] != IDM_MAGLEV_EMPTY) {
			c += e[b].skip;
			if (c >= m)
				c -= m;
		}
		slot[c] = b;
		c += e[b].skip;
		next[b] = c >= m ? c - m : c;
		filled++;
		count[b]++;
		heap[0] = idm_round(count[b] + 1, wmax, e[b].weight) << 16 | b;
		idm_heap_down(heap, hn, 0);
		/* A million slots under the VIP's lock: let others run. */
		if (!(filled & 0xffff))
			cond_resched();
	}
	return hn;
}
