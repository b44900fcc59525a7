// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the SACL option in a packet: found, inserted inline and taken
 * out, IPv6 (a Hop-by-Hop header) and IPv4 (an IP option) alike. Inline:
 * the headers in front move towards the head (or back), the payload stays
 * where it is, checksums and IPCB follow.
 */
#include <linux/kernel.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <uapi/linux/idmesh.h>

#include "flow.h"
#include "sacl_opt.h"

/*
 * Find the Hop-by-Hop header and our option in it, and the 5-tuple.
 * Returns 0, or -EBADMSG for a header to drop, or -EINVAL for a packet
 * the gateway does not handle (truncated, a fragment).
 */
int idm_sacl_parse_skb(struct sk_buff *skb, u8 type,
		       struct idm_sacl_pkt *sp)
{
	const struct ipv6hdr *ip6h;
	__be16 frag_off;
	u8 nexthdr;
	int off, ret;

	memset(sp, 0, sizeof(*sp));
	if (!pskb_may_pull(skb, sizeof(*ip6h)))
		return -EINVAL;
	ip6h = ipv6_hdr(skb);
	nexthdr = ip6h->nexthdr;
	off = skb_network_offset(skb) + sizeof(*ip6h);
	if (nexthdr == NEXTHDR_HOP) {
		const u8 *hbh;

		if (!pskb_may_pull(skb, sizeof(*ip6h) + 8))
			return -EBADMSG;
		hbh = skb_network_header(skb) + sizeof(*ip6h);
		sp->hbh_len = (hbh[1] + 1) * 8;
		if (!pskb_may_pull(skb, sizeof(*ip6h) + sp->hbh_len))
			return -EBADMSG;
		hbh = skb_network_header(skb) + sizeof(*ip6h);
		ret = idm_sacl_parse(hbh, sp->hbh_len, type, &sp->ids, &sp->off);
		if (ret < 0)
			return ret;
		sp->tagged = ret;
		sp->on_wire = ret;
		ip6h = ipv6_hdr(skb);
		/* Walked once: the headers after it, if any, from its end. */
		nexthdr = hbh[0];
		off += sp->hbh_len;
	}
	/* The usual transports first, without a call. */
	if (nexthdr != IPPROTO_UDP && nexthdr != IPPROTO_TCP &&
	    nexthdr != IPPROTO_ICMPV6) {
		off = ipv6_skip_exthdr(skb, off, &nexthdr, &frag_off);
		if (off < 0 || frag_off)
			return -EINVAL;
	}
	sp->p.key.family = AF_INET6;
	sp->p.key.src.in6 = ip6h->saddr;
	sp->p.key.dst.in6 = ip6h->daddr;
	sp->p.key.proto = nexthdr;
	sp->p.key.zone = IDM_ZONE_SACL;
	sp->p.l4off = off;
	return idm_pkt_parse_l4(skb, &sp->p, true) ? 0 : -EINVAL;
}

/* IPv4: the options and ours among them, and the 5-tuple. */
int idm_sacl_parse_skb4(struct sk_buff *skb, u8 type,
			struct idm_sacl_pkt *sp)
{
	const struct iphdr *iph;
	unsigned int hlen;
	int ret;

	memset(sp, 0, sizeof(*sp));
	if (!pskb_may_pull(skb, sizeof(*iph)))
		return -EINVAL;
	hlen = ip_hdr(skb)->ihl * 4;
	if (hlen < sizeof(*iph) || !pskb_may_pull(skb, hlen))
		return -EINVAL;
	iph = ip_hdr(skb);
	if (hlen > sizeof(*iph)) {
		sp->hbh_len = hlen - sizeof(*iph);
		ret = idm_sacl4_parse((const u8 *)(iph + 1), sp->hbh_len, type,
				      &sp->ids, &sp->off, &sp->end);
		if (ret < 0)
			return ret;
		sp->tagged = ret;
		sp->on_wire = ret;
	}
	if (ip_is_fragment(iph))
		return -EINVAL;
	sp->p.key.family = AF_INET;
	sp->p.key.src.ip = iph->saddr;
	sp->p.key.dst.ip = iph->daddr;
	sp->p.key.proto = iph->protocol;
	sp->p.key.zone = IDM_ZONE_SACL;
	sp->p.l4off = skb_network_offset(skb) + hlen;
	return idm_pkt_parse_l4(skb, &sp->p, true) ? 0 : -EINVAL;
}

/*
 * How many bytes inserting the option adds (a multiple of 8), and in
 * *keep how many of the Hop-by-Hop header's bytes stay in front of it.
 */
unsigned int idm_sacl_growth(struct sk_buff *skb,
			     const struct idm_sacl_pkt *sp,
			     unsigned int *keep)
{
	if (!sp->hbh_len) {
		*keep = 0;
		return IDM_SACL_ADD;
	}
	*keep = idm_sacl_keep(skb_network_header(skb) + sizeof(struct ipv6hdr),
			      sp->hbh_len);
	return idm_sacl_append_len(*keep) - sp->hbh_len;
}

/*
 * Open a gap of add bytes in a header of old bytes, either family: its
 * first move bytes go add bytes towards the head, what follows stays.
 * The old header leaves a CHECKSUM_COMPLETE sum; the caller fills the
 * gap and adds old + add bytes back.
 */
static int idm_sacl_open_gap(struct sk_buff *skb, unsigned int old,
			     unsigned int move, unsigned int add)
{
	struct dst_entry *dst = skb_dst(skb);
	u8 *p;

	if (skb_ensure_writable(skb, old) ||
	    skb_cow_head(skb, add + (dst ? LL_RESERVED_SPACE(dst->dev) : 0)))
		return -ENOMEM;
	skb_postpull_rcsum(skb, skb_network_header(skb), old);
	p = skb_push(skb, add);
	memmove(p, p + add, move);
	skb_reset_network_header(skb);
	return 0;
}

/*
 * Insert the option inline: the IPv6 header and the Hop-by-Hop header's
 * first keep bytes move add bytes towards the head, the option (and its
 * padding) takes their place, what follows stays where it is.
 */
int idm_sacl_insert(struct sk_buff *skb, unsigned int hbh_len,
		    unsigned int keep, unsigned int add, u8 type,
		    const struct idm_sacl_ids *ids)
{
	unsigned int old = sizeof(struct ipv6hdr) + hbh_len;
	struct ipv6hdr *ip6h;

	if (idm_sacl_open_gap(skb, old, sizeof(*ip6h) + keep, add))
		return -ENOMEM;
	ip6h = ipv6_hdr(skb);
	if (hbh_len) {
		idm_sacl_append((u8 *)(ip6h + 1), keep, type, ids);
	} else {
		idm_sacl_build_header((u8 *)(ip6h + 1), ip6h->nexthdr, type, ids);
		ip6h->nexthdr = NEXTHDR_HOP;
	}
	be16_add_cpu(&ip6h->payload_len, add);
	skb_postpush_rcsum(skb, skb_network_header(skb), old + add);
	return 0;
}

/* IPv4: the options' length with ours; their growth is that less hbh_len. */
unsigned int idm_sacl4_new_len(const struct idm_sacl_pkt *sp)
{
	return max(idm_sacl4_append_len(sp->end), sp->hbh_len);
}

/*
 * IPv4: append the option to the header's options. The header up to
 * where its options end moves add bytes towards the head, the option
 * (after its NOPs) takes their place, padding as before ends it.
 * Options already there keep their offsets (IPCB's record of them).
 */
int idm_sacl4_insert(struct sk_buff *skb, const struct idm_sacl_pkt *sp,
		     unsigned int add, u8 type)
{
	unsigned int old = sizeof(struct iphdr) + sp->hbh_len;
	unsigned int len = idm_sacl4_new_len(sp);
	struct iphdr *iph;

	if (idm_sacl_open_gap(skb, old, sizeof(*iph) + sp->end, add))
		return -ENOMEM;
	iph = ip_hdr(skb);
	idm_sacl4_append((u8 *)(iph + 1), sp->end, type, &sp->ids);
	memset((u8 *)(iph + 1) + idm_sacl4_append_len(sp->end), IDM_IPOPT_EOL,
	       len - idm_sacl4_append_len(sp->end));
	iph->ihl = (sizeof(*iph) + len) / 4;
	be16_add_cpu(&iph->tot_len, add);
	ip_send_check(iph);
	IPCB(skb)->opt.optlen = len;
	skb_postpush_rcsum(skb, skb_network_header(skb), old + add);
	return 0;
}

/* IPCB's offsets of the options after ours, which moved up by cut. */
static void idm_sacl4_ipcb(struct sk_buff *skb, unsigned int off,
			   unsigned int len, unsigned int cut)
{
	struct ip_options *opt = &IPCB(skb)->opt;
	unsigned char *f[] = { &opt->srr, &opt->rr, &opt->ts,
			       &opt->router_alert, &opt->cipso };
	unsigned int i;

	opt->optlen = len;
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (!len)
			*f[i] = 0;
		else if (*f[i] > sizeof(struct iphdr) + off)
			*f[i] -= cut;
	}
}

/* IPv4: take the option out; the header shrinks towards the payload. */
static int idm_sacl4_remove(struct sk_buff *skb, const struct idm_sacl_pkt *sp)
{
	unsigned int old = sizeof(struct iphdr) + sp->hbh_len, len, cut;
	struct iphdr *iph;

	if (skb_ensure_writable(skb, old))
		return -ENOMEM;
	iph = ip_hdr(skb);
	skb_postpull_rcsum(skb, iph, old);
	len = idm_sacl4_strip((u8 *)(iph + 1), sp->hbh_len, sp->off);
	cut = sp->hbh_len - len;
	iph->ihl = (sizeof(*iph) + len) / 4;
	be16_add_cpu(&iph->tot_len, -(int)cut);
	memmove((u8 *)iph + cut, iph, old - cut);
	skb_pull(skb, cut);
	skb_reset_network_header(skb);
	ip_send_check(ip_hdr(skb));
	skb_postpush_rcsum(skb, skb_network_header(skb), old - cut);
	idm_sacl4_ipcb(skb, sp->off, len, cut);
	return 0;
}

/*
 * Take the option out, and the header with it when it held nothing else:
 * the IPv6 header and what stays of the Hop-by-Hop header move towards
 * the payload, which stays where it is.
 */
static int idm_sacl_remove(struct sk_buff *skb, unsigned int hbh_len,
			   unsigned int off)
{
	unsigned int old = sizeof(struct ipv6hdr) + hbh_len, len, cut;
	struct ipv6hdr *ip6h;
	u8 *hbh;

	if (skb_ensure_writable(skb, old))
		return -ENOMEM;
	ip6h = ipv6_hdr(skb);
	hbh = (u8 *)(ip6h + 1);
	skb_postpull_rcsum(skb, ip6h, old);
	len = idm_sacl_strip(hbh, hbh_len, off);
	if (!len)
		ip6h->nexthdr = hbh[0];
	cut = hbh_len - len;
	be16_add_cpu(&ip6h->payload_len, -(int)cut);
	memmove((u8 *)ip6h + cut, ip6h, old - cut);
	skb_pull(skb, cut);
	skb_reset_network_header(skb);
	skb_postpush_rcsum(skb, skb_network_header(skb), old - cut);
	return 0;
}

/* The option out of a packet that came with it, either family. */
int idm_sacl_take_out(struct sk_buff *skb, const struct idm_sacl_pkt *sp)
{
	if (idm_is4(sp))
		return idm_sacl4_remove(skb, sp);
	return idm_sacl_remove(skb, sp->hbh_len, sp->off);
}
