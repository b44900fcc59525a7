// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the load balancer's packet path. Netfilter hooks at pre-routing
 * and local-out, IPv4 and IPv6, registered in a namespace while it has
 * VIPs:
 *
 *  - before conntrack (priority -250): a packet to a VIP finds its flow or
 *    picks a backend from the Maglev table by its 5-tuple hash (with
 *    session affinity, its client's address may be pinned to one), then is
 *    either NATed to the backend (conntrack sees the backend's tuple) or,
 *    in tunnel mode, routed unchanged towards the backend;
 *  - after conntrack (priority -140): a NAT reply from a backend gets the
 *    VIP back as its source, so the client sees only the VIP.
 *
 * Fragments are reassembled first (nf_defrag, enabled with the hooks).
 */
#include <linux/kernel.h>
#include <linux/crc32c.h>
#include <linux/ip.h>
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/sctp.h>
#include <linux/slab.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/checksum.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"
#include "lb.h"
#include "nf_whole.h"
#include "pkt.h"

#define IDM_PRI_FORWARD	(NF_IP_PRI_CONNTRACK - 50)
#define IDM_PRI_REPLY	(NF_IP_PRI_MANGLE + 10)

/* Hash of the 5-tuple under the namespace's secret key. */
static u32 idm_flow_hash(const struct idm_lb *lb, const struct idm_flow_key *k)
{
	return (u32)siphash(k, sizeof(*k), &rcu_dereference(lb->hkey)->key);
}

/*
 * Local-out runs in process context, preemptible: pin the CPU, and keep
 * a softirq on it from interleaving (a no-op on 64-bit).
 */
static void idm_count(struct idm_lb_stats __percpu *pcpu, unsigned int len)
{
	struct idm_lb_stats *s = get_cpu_ptr(pcpu);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, len);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(pcpu);
}

static unsigned int idm_drop(struct idm_lb_stats __percpu *pcpu, bool route)
{
	struct idm_lb_stats *s = get_cpu_ptr(pcpu);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(route ? &s->no_route : &s->no_backend);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(pcpu);
	return NF_DROP;
}

/*
 * No backend takes a new flow (none, all drained or down): the client
 * hears at once that nothing listens there, as from kube-proxy's REJECT
 * of a Service without endpoints (ICMP port unreachable, for TCP too),
 * instead of waiting out its timeouts. Counted as no-backend; the packet
 * goes no further. In PRE_ROUTING the packet has no route yet: the way
 * back to its source is looked up for the error, as nf_reject does.
 */
static unsigned int idm_reject(struct sk_buff *skb,
			       const struct nf_hook_state *state,
			       struct idm_lb_stats __percpu *pcpu)
{
	struct dst_entry *dst = NULL;
	struct flowi fl = {};

	idm_drop(pcpu, false);
	if (state->pf == NFPROTO_IPV4) {
		if (!skb_dst(skb)) {
			fl.u.ip4.daddr = ip_hdr(skb)->saddr;
			if (nf_ip_route(state->net, &dst, &fl, false) || !dst)
				return NF_DROP;
			skb_dst_set(skb, dst);
		}
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
		return NF_DROP;
	}
	if (!skb->dev)
		skb->dev = state->net->loopback_dev;
	if (!skb_dst(skb)) {
		fl.u.ip6.daddr = ipv6_hdr(skb)->saddr;
		if (nf_ip6_route(state->net, &dst, &fl, false) || !dst)
			return NF_DROP;
		skb_dst_set(skb, dst);
	}
	icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
	return NF_DROP;
}

/* SCTP's CRC32c covers no addresses, only its own packet: redo it. */
static bool idm_sctp_csum(struct sk_buff *skb, unsigned int l4off)
{
	struct sctphdr *sh;
	u32 crc;

	if (skb_linearize(skb))
		return false;
	sh = (struct sctphdr *)(skb->data + l4off);
	sh->checksum = 0;
	crc = ~crc32c(~0, skb->data + l4off, skb->len - l4off);
	sh->checksum = cpu_to_le32(crc);
	return true;
}

/*
 * Rewrite one address and port of the packet, destination (dst) or
 * source, fixing the L3 and L4 checksums. Returns false when the packet
 * cannot be made writable.
 */
static bool idm_mangle(struct sk_buff *skb, const struct idm_pkt *p, bool dst,
		       const union nf_inet_addr *addr, __be16 port)
{
	unsigned int hlen;
	__be16 *pport;
	__sum16 *check = NULL;
	void *l4;

	hlen = p->key.proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
	       p->key.proto == IPPROTO_UDP ? sizeof(struct udphdr) :
	       sizeof(struct sctphdr);
	if (skb_ensure_writable(skb, p->l4off + hlen))
		return false;
	l4 = skb->data + p->l4off;
	pport = (__be16 *)l4 + (dst ? 1 : 0);

	if (p->key.proto == IPPROTO_TCP) {
		check = &((struct tcphdr *)l4)->check;
	} else if (p->key.proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		/* A zero UDP checksum over IPv4 means none: keep it so. */
		if (uh->check || skb->ip_summed == CHECKSUM_PARTIAL ||
		    p->key.family == AF_INET6)
			check = &uh->check;
	}

	if (p->key.family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);
		__be32 *a = dst ? &iph->daddr : &iph->saddr;

		if (check)
			inet_proto_csum_replace4(check, skb, *a, addr->ip, true);
		csum_replace4(&iph->check, *a, addr->ip);
		*a = addr->ip;
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct in6_addr *a = dst ? &ip6h->daddr : &ip6h->saddr;

		if (check)
			inet_proto_csum_replace16(check, skb, a->s6_addr32,
						  addr->in6.s6_addr32, true);
		*a = addr->in6;
	}

	if (*pport != port) {
		if (check)
			inet_proto_csum_replace2(check, skb, *pport, port,
						 false);
		*pport = port;
		if (p->key.proto == IPPROTO_SCTP &&
		    skb->ip_summed != CHECKSUM_PARTIAL &&
		    !idm_sctp_csum(skb, p->l4off))
			return false;
	}
	if (check && p->key.proto == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
	return true;
}

/* Tunnel mode: route the unchanged packet towards the backend. */
static bool idm_route_tunnel(struct sk_buff *skb, const struct nf_hook_state *state,
			     const struct idm_backend *be, u8 family)
{
	struct dst_entry *dst;

	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (state->hook == NF_INET_PRE_ROUTING) {
			skb_dst_drop(skb);
			if (ip_route_input_noref(skb, be->addr.ip, iph->saddr,
						 iph->tos, state->in))
				return false;
		} else {
			struct flowi4 fl4 = {
				.daddr = be->addr.ip,
				.saddr = iph->saddr,
				.flowi4_mark = skb->mark,
				.flowi4_proto = iph->protocol,
			};
			struct rtable *rt;

			rt = ip_route_output_key(state->net, &fl4);
			if (IS_ERR(rt))
				return false;
			skb_dst_drop(skb);
			skb_dst_set(skb, &rt->dst);
		}
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct flowi6 fl6 = {
			.daddr = be->addr.in6,
			.saddr = ip6h->saddr,
			.flowlabel = ip6_flowinfo(ip6h),
			.flowi6_mark = skb->mark,
			.flowi6_proto = ip6h->nexthdr,
		};

		if (state->hook == NF_INET_PRE_ROUTING) {
			fl6.flowi6_iif = state->in->ifindex;
			dst = ip6_route_input_lookup(state->net, state->in,
						     &fl6, skb,
						     RT6_LOOKUP_F_HAS_SADDR);
		} else {
			dst = ip6_route_output(state->net, skb->sk, &fl6);
		}
		if (dst->error) {
			dst_release(dst);
			return false;
		}
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
	}
	/*
	 * The packet keeps the VIP as its destination, so the next hop must
	 * not be resolved from it: only a point-to-point device (an idmesh
	 * link, a tunnel) carries it to the backend.
	 */
	dst = skb_dst(skb);
	return dst && dst->dev && (dst->dev->flags & IFF_NOARP) &&
	       !(dst->dev->flags & IFF_LOOPBACK);
}

/*
 * Session affinity: the backend the client of key pk (zone AFFINITY) is
 * pinned to at vip, when its pin is within the VIP's timeout (secs) and
 * that backend owns slots of t, the current table (the pin's time is
 * then now); else NULL, and a stale pin is forgotten. Under RCU.
 */
static struct idm_backend *idm_pinned(struct idm_lb *lb,
				      const struct idm_table *t,
				      const struct idm_flow_key *pk, u32 secs)
{
	unsigned long now = jiffies;
	struct idm_backend *be;
	struct idm_flow *f;
	u32 i;
	u8 dir;

	f = idm_flow_lookup(lb->flows, pk, &dir);
	if (!f)
		return NULL;
	be = idm_lb_flow(f)->be;
	i = READ_ONCE(be->index);
	if (time_after(now, READ_ONCE(f->last) + (unsigned long)secs * HZ) ||
	    READ_ONCE(be->removed) || i >= t->n || t->be[i] != be ||
	    !t->counts[i]) {
		idm_flow_drop(lb->flows, f);
		return NULL;
	}
	if (READ_ONCE(f->last) != now)
		WRITE_ONCE(f->last, now);
	return be;
}

/* Pin the client of key pk to be, a backend of vip (best effort). */
static void idm_pin(struct idm_lb *lb, struct idm_vip *vip,
		    const struct idm_flow_key *pk, struct idm_backend *be)
{
	struct idm_lb_flow *pin;
	struct idm_flow *f;

	pin = kzalloc(sizeof(*pin), GFP_ATOMIC);
	if (!pin) {
		atomic64_inc(&lb->flows->zone[IDM_ZONE_AFFINITY].failed);
		return;
	}
	idm_flow_prepare(&pin->f, pk, NULL, IDM_ZONE_AFFINITY, IDM_TCP_NONE);
	pin->vip = vip;
	pin->be = be;
	/* Another CPU's pin of the same client, if first, is as good. */
	f = idm_flow_insert(lb->flows, &pin->f);
	if (IS_ERR(f) && PTR_ERR(f) != -EAGAIN)
		atomic64_inc(&lb->flows->zone[IDM_ZONE_AFFINITY].failed);
}

static unsigned int idm_lb_forward(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct idm_net *in = idm_pernet(state->net);
	struct idm_lb *lb = &in->lb;
	struct idm_flow_key reply;
	struct idm_lb_flow *lf;
	struct idm_backend *be;
	struct idm_flow *f;
	struct idm_vip *vip;
	struct idm_pkt p;
	int tries = 0;
	u8 dir;

	if (!idm_pkt_parse(skb, state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6,
			   &p))
		return NF_ACCEPT;
	vip = idm_vip_lookup(lb, p.key.family, &p.key.dst, p.key.proto,
			     p.key.dport);
	if (!vip)
		return NF_ACCEPT;

again:
	f = idm_flow_lookup(lb->flows, &p.key, &dir);
	lf = f ? idm_lb_flow(f) : NULL;
	if (f && !dir && lf->vip == vip && !READ_ONCE(lf->be->removed) &&
	    !idm_tcp_reopens(f, &p)) {
		be = lf->be;
		idm_flow_touch(f, &p, false);
	} else {
		/* A new connection on the tuple of a closed one picks anew. */
		if (f && !dir && idm_tcp_reopens(f, &p))
			idm_flow_drop(lb->flows, f);
		struct idm_table *t = rcu_dereference(vip->table);
		u32 secs = READ_ONCE(vip->affinity);
		struct idm_flow_key pk;

		if (!t->active)
			return idm_reject(skb, state, vip->stats);
		be = NULL;
		if (secs) {
			/* The client's address alone, at this VIP. */
			memset(&pk, 0, sizeof(pk));
			pk.src = p.key.src;
			pk.dst = vip->addr;
			pk.dport = vip->port;
			pk.family = p.key.family;
			pk.proto = p.key.proto;
			pk.zone = IDM_ZONE_AFFINITY;
			be = idm_pinned(lb, t, &pk, secs);
		}
		if (!be) {
			u32 slot = reciprocal_scale(idm_flow_hash(lb, &p.key),
						    t->size);

			be = t->be[t->slot[slot]];
			if (secs)
				idm_pin(lb, vip, &pk, be);
		}
		if (vip->mode == IDMESH_VIP_MODE_NAT) {
			reply = p.key;
			reply.src = be->addr;
			reply.sport = be->port ?: p.key.dport;
			reply.dst = p.key.src;
			reply.dport = p.key.sport;
		}
		lf = kzalloc(sizeof(*lf), GFP_ATOMIC);
		if (!lf) {
			atomic64_inc(&lb->flows->zone[IDM_ZONE_LB].failed);
			return NF_DROP;
		}
		idm_flow_prepare(&lf->f, &p.key,
				 vip->mode == IDMESH_VIP_MODE_NAT ? &reply : NULL,
				 IDM_ZONE_LB,
				 idm_tcp_next(IDM_TCP_NONE, p.tcpflags, false));
		lf->vip = vip;
		lf->be = be;
		f = idm_flow_insert(lb->flows, &lf->f);
		if (IS_ERR(f)) {
			if (PTR_ERR(f) == -EAGAIN && !tries++)
				goto again;
			atomic64_inc(&lb->flows->zone[IDM_ZONE_LB].failed);
			return NF_DROP;
		}
		be = idm_lb_flow(f)->be;
	}

	if (vip->mode == IDMESH_VIP_MODE_NAT) {
		if (!idm_mangle(skb, &p, true, &be->addr,
				be->port ?: p.key.dport))
			return NF_DROP;
		if (state->hook == NF_INET_LOCAL_OUT) {
			int err = state->pf == NFPROTO_IPV4 ?
				  ip_route_me_harder(state->net, state->sk, skb,
						     RTN_UNSPEC) :
				  nf_ip6_route_me_harder(state->net, state->sk,
							 skb);
			if (err)
				return idm_drop(vip->stats, true);
		}
	} else if (!idm_route_tunnel(skb, state, be, p.key.family)) {
		return idm_drop(vip->stats, true);
	}
	idm_count(vip->stats, skb->len);
	idm_count(be->stats, skb->len);
	return NF_ACCEPT;
}

static unsigned int idm_lb_reply(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct idm_lb *lb = &idm_pernet(state->net)->lb;
	struct idm_flow *f;
	struct idm_pkt p;
	u8 dir;

	if (!atomic_read(&lb->nat_flows))
		return NF_ACCEPT;
	if (!idm_pkt_parse(skb, state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6,
			   &p))
		return NF_ACCEPT;
	f = idm_flow_lookup(lb->flows, &p.key, &dir);
	if (!f || dir != 1)
		return NF_ACCEPT;
	idm_flow_touch(f, &p, true);
	if (!idm_mangle(skb, &p, false, &f->n[0].key.dst, f->n[0].key.dport))
		return NF_DROP;
	return NF_ACCEPT;
}

static const struct nf_hook_ops idm_lb_ops[] = {
	{ .hook = idm_lb_forward, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = IDM_PRI_FORWARD },
	{ .hook = idm_lb_forward, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = IDM_PRI_FORWARD },
	{ .hook = idm_lb_reply, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = IDM_PRI_REPLY },
	{ .hook = idm_lb_reply, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = IDM_PRI_REPLY },
	{ .hook = idm_lb_forward, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = IDM_PRI_FORWARD },
	{ .hook = idm_lb_forward, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = IDM_PRI_FORWARD },
	{ .hook = idm_lb_reply, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = IDM_PRI_REPLY },
	{ .hook = idm_lb_reply, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = IDM_PRI_REPLY },
};

int idm_lb_hooks_sync(struct net *net, struct idm_lb *lb,
		      struct netlink_ext_ack *extack)
{
	int err;

	if (lb->nvips && !lb->hooks) {
		err = idm_nf_register_whole(net, idm_lb_ops,
					    ARRAY_SIZE(idm_lb_ops));
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "Cannot register the netfilter hooks");
			return err;
		}
		lb->hooks = true;
	} else if (!lb->nvips && lb->hooks) {
		idm_nf_unregister_whole(net, idm_lb_ops, ARRAY_SIZE(idm_lb_ops));
		lb->hooks = false;
	}
	return 0;
}
