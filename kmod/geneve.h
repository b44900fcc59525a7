/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: Geneve, the wire format of remote links, and the MTU arithmetic.
 * Pure helpers, no state: KUnit tests them on their own.
 */
#ifndef _IDMESH_GENEVE_H
#define _IDMESH_GENEVE_H

#include <linux/types.h>

/* Geneve base header (RFC 8926 §3.4), no options. */
#define IDM_GENEVE_HLEN	8
/* Outer IP, UDP and Geneve headers that a remote link adds. */
#define IDM_OVERHEAD4	(20 + 8 + IDM_GENEVE_HLEN)
#define IDM_OVERHEAD6	(40 + 8 + IDM_GENEVE_HLEN)
/* The smallest MTU a link may have: IPv4's minimum. */
#define IDM_MIN_MTU		68

struct idm_geneve {
	u32 id;			/* the VNI */
	__be16 proto;		/* ETH_P_IP or ETH_P_IPV6 */
	unsigned int hlen;	/* header length, options included */
};

void idm_geneve_build(void *buf, u32 id, __be16 proto);
unsigned int idm_geneve_hlen(const void *buf);
int idm_geneve_parse(const void *buf, unsigned int len,
		     struct idm_geneve *g);
unsigned int idm_overhead(bool ipv6);
int idm_link_mtu(unsigned int underlay_mtu, bool ipv6);

#endif /* _IDMESH_GENEVE_H */
