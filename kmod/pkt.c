// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: what the packet path reads of a packet: its 5-tuple (or an ICMP
 * echo's identifier) and TCP flags.
 */
#include <linux/kernel.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <uapi/linux/in.h>

#include "pkt.h"
bool idm_pkt_parse_l4(struct sk_buff *skb, struct idm_pkt *p, bool any)
{
	__be16 _ports[2];
	const __be16 *ports;

	p->tcpflags = 0;
	if (p->key.proto == IPPROTO_ICMP) {
		struct icmphdr _ih;
		const struct icmphdr *ih;

		ih = skb_header_pointer(skb, p->l4off, sizeof(_ih), &_ih);
		if (!ih)
			return false;
		if (ih->type == ICMP_ECHO || ih->type == ICMP_ECHOREPLY) {
			p->key.sport = ih->un.echo.id;
			p->key.dport = ih->un.echo.id;
		}
		return any;
	}
	if (p->key.proto == IPPROTO_ICMPV6) {
		struct icmp6hdr _ih;
		const struct icmp6hdr *ih;

		ih = skb_header_pointer(skb, p->l4off, sizeof(_ih), &_ih);
		if (!ih)
			return false;
		if (ih->icmp6_type == ICMPV6_ECHO_REQUEST ||
		    ih->icmp6_type == ICMPV6_ECHO_REPLY) {
			p->key.sport = ih->icmp6_identifier;
			p->key.dport = ih->icmp6_identifier;
		}
		return any;
	}
	if (p->key.proto != IPPROTO_TCP && p->key.proto != IPPROTO_UDP &&
	    p->key.proto != IPPROTO_SCTP)
		return any;
	ports = skb_header_pointer(skb, p->l4off, sizeof(_ports), _ports);
	if (!ports)
		return false;
	p->key.sport = ports[0];
	p->key.dport = ports[1];
	if (p->key.proto == IPPROTO_TCP) {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, p->l4off, sizeof(_th), &_th);
		if (!th)
			return false;
		p->tcpflags = ((const u8 *)th)[13];
	}
	return true;
}

bool idm_pkt_parse_quoted(struct sk_buff *skb, unsigned int off, u8 family,
			  struct idm_pkt *p)
{
	__be16 _ports[2];
	const __be16 *ports;

	memset(p, 0, sizeof(*p));
	p->key.family = family;
	if (family == AF_INET) {
		struct iphdr _iph;
		const struct iphdr *iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5 ||
		    (iph->frag_off & htons(IP_OFFSET)))
			return false;
		p->key.src.ip = iph->saddr;
		p->key.dst.ip = iph->daddr;
		p->key.proto = iph->protocol;
		p->l4off = off + iph->ihl * 4;
	} else {
		struct ipv6hdr _ip6h;
		const struct ipv6hdr *ip6h;
		__be16 frag_off;
		u8 nexthdr;
		int l4;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return false;
		p->key.src.in6 = ip6h->saddr;
		p->key.dst.in6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		l4 = ipv6_skip_exthdr(skb, off + sizeof(*ip6h), &nexthdr,
				      &frag_off);
		if (l4 < 0 || frag_off)
			return false;
		p->key.proto = nexthdr;
		p->l4off = l4;
	}
	switch (p->key.proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		ports = skb_header_pointer(skb, p->l4off, sizeof(_ports), _ports);
		if (!ports)
			return false;
		p->key.sport = ports[0];
		p->key.dport = ports[1];
		return true;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* An echo: its identifier as both ports (idm_pkt_parse_l4). */
		return idm_pkt_parse_l4(skb, p, true);
	}
	return true;
}

bool idm_pkt_parse(struct sk_buff *skb, u8 family, struct idm_pkt *p)
{
	memset(&p->key, 0, sizeof(p->key));
	p->key.family = family;
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (ip_is_fragment(iph))
			return false;
		p->key.src.ip = iph->saddr;
		p->key.dst.ip = iph->daddr;
		p->key.proto = iph->protocol;
		p->l4off = skb_network_offset(skb) + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		__be16 frag_off;
		u8 nexthdr = ip6h->nexthdr;
		int off;

		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				       sizeof(*ip6h), &nexthdr, &frag_off);
		if (off < 0 || frag_off)
			return false;
		p->key.src.in6 = ip6h->saddr;
		p->key.dst.in6 = ip6h->daddr;
		p->key.proto = nexthdr;
		p->l4off = off;
	}
	return idm_pkt_parse_l4(skb, p, false);
}
