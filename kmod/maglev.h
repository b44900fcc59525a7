/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: Maglev lookup table population (Eisenbud et al., NSDI'16, §3.4),
 * with weights. Pure functions: no locking, no packets, KUnit-tested.
 * Process context: the table build may reschedule.
 */
#ifndef _IDMESH_MAGLEV_H
#define _IDMESH_MAGLEV_H

#include <linux/types.h>

/* Marks a slot no backend owns (only while the table is being filled). */
#define IDM_MAGLEV_EMPTY	0xffff

/* One backend's preference list: slot(j) = (offset + j * skip) mod M. */
struct idm_maglev_entry {
	u32 offset;	/* 0..M-1 */
	u32 skip;	/* 1..M-1 */
	u32 weight;	/* 0: owns no slot */
};

bool idm_is_prime(u32 n);

/*
 * Offset and skip of a backend, from its address (16 bytes, IPv4 as
 * v4-mapped), port and family. Independent of the namespace and of the
 * other backends, so that every node builds the same table from the same
 * backends.
 */
void idm_maglev_permutation(const void *addr16, __be16 port, u8 family,
			    u32 m, struct idm_maglev_entry *e);

/* u32 words of scratch space idm_maglev_populate() needs for n backends. */
#define IDM_MAGLEV_SCRATCH(n)	(4 * (n))

/*
 * Fill slot[0..m-1] with indexes into e[0..n-1]. m must be prime and
 * n <= IDM_MAGLEV_EMPTY; scratch holds IDM_MAGLEV_SCRATCH(n) u32 words,
 * 8-byte aligned. Each round every backend earns its weight in credit and
 * places one slot per max-weight of credit, so equal weights give classic
 * Maglev (one slot per backend per round) and unequal ones give shares
 * proportional to the weights. O(m log n) whatever the weights; may
 * sleep (a resched point every 65536 slots). Returns the number of
 * backends placed (0: all weights are 0, slot[] left empty).
 */
unsigned int idm_maglev_populate(const struct idm_maglev_entry *e,
				 unsigned int n, u32 m, u16 *slot,
				 u32 *scratch);

#endif /* _IDMESH_MAGLEV_H */
