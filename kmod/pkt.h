/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: what the packet path reads of a packet (pkt.c), and hooks that
 * need whole packets.
 */
#ifndef _IDMESH_PKT_H
#define _IDMESH_PKT_H

#include <linux/types.h>
#include <linux/skbuff.h>
#include <linux/netfilter.h>

/*
 * A packet's 5-tuple, as the flow table (flow.h) keys it: zone says
 * whose flow a lookup is for (enum idm_flow_zone_id).
 */
struct idm_flow_key {
	union nf_inet_addr src, dst;
	__be16 sport, dport;
	u8 family, proto;
	u8 zone;
	u8 pad;
};

/* A packet's 5-tuple and what the flow table needs of it. */
struct idm_pkt {
	struct idm_flow_key key;
	unsigned int l4off;	/* from skb->data */
	u8 tcpflags;		/* TCPHDR_* */
};

/*
 * Ports (or an ICMP or ICMPv6 echo's identifier, as both ports) at p->l4off.
 * Only TCP, UDP and SCTP unless any: other protocols then have none.
 */
bool idm_pkt_parse_l4(struct sk_buff *skb, struct idm_pkt *p, bool any);
/*
 * The 5-tuple (zone unset) of the packet an ICMP or ICMPv6 error quotes,
 * its IP header at off: TCP, UDP and SCTP ports or an echo's identifier
 * from the first 8 bytes after that header, as much as an error must
 * quote. False when the quote is cut short or is not a first fragment.
 */
bool idm_pkt_parse_quoted(struct sk_buff *skb, unsigned int off, u8 family,
			  struct idm_pkt *p);
/* The 5-tuple of an unfragmented TCP, UDP or SCTP packet. */
bool idm_pkt_parse(struct sk_buff *skb, u8 family, struct idm_pkt *p);

#endif /* _IDMESH_PKT_H */
