// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: Maglev lookup table population with weights.
 */
#include <linux/kernel.h>
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

unsigned int idm_maglev_populate(const struct idm_maglev_entry *e,
				 unsigned int n, u32 m, u16 *slot,
				 u32 *next, u32 *credit)
{
	unsigned int i, placed = 0;
	u32 filled = 0, wmax = 0;

	for (i = 0; i < n; i++) {
		wmax = max(wmax, e[i].weight);
		next[i] = e[i].offset;
		credit[i] = 0;
		if (e[i].weight)
			placed++;
	}
	memset(slot, 0xff, m * sizeof(*slot));
	if (!wmax)
		return 0;

	while (filled < m) {
		for (i = 0; i < n && filled < m; i++) {
			credit[i] += e[i].weight;
			while (credit[i] >= wmax && filled < m) {
				u32 c = next[i];

				credit[i] -= wmax;
				while (slot[c] != IDM_MAGLEV_EMPTY) {
					c += e[i].skip;
					if (c >= m)
						c -= m;
				}
				slot[c] = i;
				c += e[i].skip;
				next[i] = c >= m ? c - m : c;
				filled++;
			}
		}
	}
	return placed;
}
