// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: Geneve header build and parse, MTU arithmetic.
 *
 * A remote link sends the inner IP packet directly after a Geneve header
 * whose protocol type is the packet's EtherType (0x0800 or 0x86DD) and
 * whose VNI is the link id: tcpdump and Wireshark decode it as Geneve.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/string.h>

#include "geneve.h"

/* Byte 0: version (2 bits) and options length in 4-byte words (6 bits). */
#define GENEVE_VER_SHIFT	6
#define GENEVE_OPTLEN_MASK	0x3f
/* Byte 1: O (control packet) and C (critical options present) bits. */
#define GENEVE_OAM		0x80
#define GENEVE_CRITICAL		0x40

void idm_geneve_build(void *buf, u32 id, __be16 proto)
{
	u8 *p = buf;

	p[0] = 0;		/* version 0, no options */
	p[1] = 0;		/* not OAM, no critical options */
	p[2] = ntohs(proto) >> 8;
	p[3] = ntohs(proto) & 0xff;
	p[4] = id >> 16;
	p[5] = id >> 8;
	p[6] = id;
	p[7] = 0;
}

/* Length of the Geneve header at buf (its first byte), options included. */
unsigned int idm_geneve_hlen(const void *buf)
{
	return IDM_GENEVE_HLEN + (*(const u8 *)buf & GENEVE_OPTLEN_MASK) * 4;
}

/*
 * Parse a Geneve header of len bytes at buf. Options are skipped unless
 * one is critical (we understand none), control (OAM) packets are not
 * ours, and only IPv4 and IPv6 payloads are carried.
 */
int idm_geneve_parse(const void *buf, unsigned int len,
		     struct idm_geneve *g)
{
	const u8 *p = buf;
	unsigned int hlen;

	if (len < IDM_GENEVE_HLEN)
		return -EINVAL;
	if (p[0] >> GENEVE_VER_SHIFT)
		return -EINVAL;
	if (p[1] & (GENEVE_OAM | GENEVE_CRITICAL))
		return -EINVAL;
	hlen = idm_geneve_hlen(p);
	if (len < hlen)
		return -EINVAL;
	g->proto = htons((p[2] << 8) | p[3]);
	if (g->proto != htons(ETH_P_IP) && g->proto != htons(ETH_P_IPV6))
		return -EPROTONOSUPPORT;
	g->id = (p[4] << 16) | (p[5] << 8) | p[6];
	g->hlen = hlen;
	return 0;
}

unsigned int idm_overhead(bool ipv6)
{
	return ipv6 ? IDM_OVERHEAD6 : IDM_OVERHEAD4;
}

/* The MTU of a link over an underlay of underlay_mtu; -ERANGE if none fits. */
int idm_link_mtu(unsigned int underlay_mtu, bool ipv6)
{
	unsigned int oh = idm_overhead(ipv6);

	if (underlay_mtu < oh + IDM_MIN_MTU)
		return -ERANGE;
	return underlay_mtu - oh;
}
