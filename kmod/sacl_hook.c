// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the SACL gateway's packet path, IPv4 and IPv6 alike. The IDs
 * travel in an IPv6 Hop-by-Hop option or an IPv4 option (its bytes:
 * sacl_wire.h; found, inserted and taken out of packets: sacl_opt.c).
 * One decision (idm_sacl_forward_one()), made in one of two places:
 * inside idmesh pairs (idm_sacl_pair_in(), idm_sacl_pair_out(), from
 * link.c's transmit) in a namespace whose ports are all pairs, with no
 * netfilter hook at all; else at one netfilter hook at forward per
 * family (idm_sacl_hooks_sync() says which):
 *
 *  - from a workload-facing port (client side): a packet that already
 *    carries the option is forged, dropped and counted; otherwise its IDs
 *    come from connection tracking (a reply of a connection a workload
 *    behind a port accepted) or from the client and server tables, and
 *    the option is inserted inline. A connection the workload opens
 *    towards an address with no server entry leaves untagged but is
 *    tracked, so that its replies pass;
 *  - towards a port (server side): a reply of a connection a workload
 *    here started passes; otherwise the rule for (client ID, server ID),
 *    or the default, allows or drops it; the rule's priority and DSCP are
 *    set, the connection is remembered, and the option is removed;
 *  - neither (transit): a packet with the option gets its rule's priority
 *    and DSCP, nothing else.
 *
 * A second hook at local-out, in a namespace with the marker on, writes
 * each socket's LID (UID % 128 + 100) into the hop limit (IPv4: TTL).
 */
#include <linux/kernel.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/dsfield.h>
#include <net/sch_generic.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/inet_ecn.h>
#include <net/sock.h>
#include <uapi/linux/idmesh.h>

#include "compat.h"
#include "idmesh.h"
#include "lb.h"
#include "nf_whole.h"
#include "pkt.h"
#include "sacl.h"
#include "sacl_opt.h"

/* After the filter table: what it drops is not counted here. */
#define IDM_PRI_SACL		(NF_IP6_PRI_FILTER + 50)
#define IDM_PRI_SACL4		(NF_IP_PRI_FILTER + 50)
#define IDM_PRI_MARKER		(NF_IP6_PRI_MANGLE + 10)
#define IDM_PRI_MARKER4		(NF_IP_PRI_MANGLE + 10)
/* The hop limits that carry a LID: LID % 128 + 100. */
#define IDM_LID_BASE		100

void idm_sacl_count(struct idm_sacl *sc, enum idm_sacl_counter c)
{
	struct idm_sacl_stats *s = get_cpu_ptr(sc->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->c[c]);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(sc->stats);
}

/* Forward runs in softirq context: the per-CPU pointer is stable. */
static void idm_rule_count(struct idm_sacl_rule *r, bool drop)
{
	struct idm_rule_stats *s = this_cpu_ptr(r->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->hits);
	if (drop)
		u64_stats_inc(&s->drops);
	u64_stats_update_end(&s->syncp);
}

/* An ICMP or ICMPv6 error's type, or -1 for any other packet. */
static int idm_icmp_error(struct sk_buff *skb, const struct idm_sacl_pkt *sp)
{
	u8 _t;
	const u8 *t;

	if (sp->p.key.proto != (idm_is4(sp) ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return -1;
	t = skb_header_pointer(skb, sp->p.l4off, 1, &_t);
	if (!t)
		return -1;
	if (idm_is4(sp) ? icmp_is_err(*t) : !(*t & ICMPV6_INFOMSG_MASK))
		return *t;
	return -1;
}

/*
 * The load balancer's NAT flow this packet is a reply of, its source made
 * the VIP's in pre-routing (lb_hook.c), or NULL. Under RCU.
 */
static struct idm_flow *idm_sacl_nat_flow(struct idm_net *in,
					  const struct idm_sacl_pkt *sp)
{
	struct idm_flow_key k = {
		.src = sp->p.key.dst, .dst = sp->p.key.src,
		.sport = sp->p.key.dport, .dport = sp->p.key.sport,
		.family = sp->p.key.family, .proto = sp->p.key.proto,
		.zone = IDM_ZONE_LB,
	};
	struct idm_flow *f;
	u8 dir = 0;

	if (!atomic_read(&in->lb.nat_flows))
		return NULL;
	f = idm_flow_lookup(&in->flows, &k, &dir);
	return f && !dir && f->reply ? f : NULL;
}

/*
 * A tracked connection this packet belongs to; *reply if it answers.
 * Only between the ports it was tracked for (a packet of the same tuple
 * from or to another port is not its), and only while the IDs it was
 * given are those of the current tables: a tagged connection tracked
 * before a client or server entry went is forgotten.
 */
static struct idm_sacl_conn *idm_sacl_conn_find(struct idm_net *in,
						const struct idm_sacl_pkt *sp,
						bool *reply)
{
	struct idm_flow_table *ft = &in->flows;
	struct idm_sacl_conn *c;
	struct idm_flow *f;
	u8 dir = 0;

	*reply = false;
	/* Both directions of a connection are hashed. */
	f = idm_flow_lookup(ft, &sp->p.key, &dir);
	if (!f) {
		/*
		 * A VIP's NAT reply: the connection was tracked to its
		 * backend, whose address the reply had before pre-routing.
		 */
		struct idm_flow *nat = idm_sacl_nat_flow(in, sp);
		struct idm_flow_key k;

		if (!nat)
			return NULL;
		k = nat->n[1].key;
		k.zone = IDM_ZONE_SACL;
		f = idm_flow_lookup(ft, &k, &dir);
		if (!f)
			return NULL;
	}
	c = idm_sacl_conn(f);
	if (dir ? c->sport != sp->from || c->cport != sp->to :
		  c->cport != sp->from || c->sport != sp->to)
		return NULL;
	if (c->id_gen != sp->id_gen && (c->client || c->server)) {
		idm_flow_drop(ft, f);
		return NULL;
	}
	*reply = dir;
	return c;
}

/*
 * An ICMP or ICMPv6 error from or to a port passes only when it quotes
 * a connection tracked between those ports, as conntrack's RELATED: the
 * quoted packet went from A to B, the error goes back to A from B's
 * side. Redirects never pass.
 */
static bool idm_sacl_icmp_related(struct idm_net *in, struct sk_buff *skb,
				  const struct idm_sacl_pkt *sp, int type)
{
	const struct idm_sacl_conn *c;
	struct idm_flow *f;
	struct idm_pkt q;
	u8 dir = 0;

	if (idm_is4(sp) && type == ICMP_REDIRECT)
		return false;
	/* Both ICMP headers are 8 bytes; the quote follows. */
	if (!idm_pkt_parse_quoted(skb, sp->p.l4off + sizeof(struct icmphdr),
				  sp->p.key.family, &q))
		return false;
	q.key.zone = IDM_ZONE_SACL;
	f = idm_flow_lookup(&in->flows, &q.key, &dir);
	if (!f)
		return false;
	c = idm_sacl_conn(f);
	if (dir)
		return c->sport == sp->to && c->cport == sp->from;
	return c->cport == sp->to && c->sport == sp->from;
}

/*
 * Where the gateway runs: a netfilter hook at forward, or an idmesh
 * pair's transmit (the packet's header may still be its sender's there).
 */
struct idm_sacl_at {
	u32 in_ifindex;		/* the device it came in on */
	bool early;		/* before forwarding took one off its hop limit */
};

/* The rule's priority and DSCP (a header its sender may share, copied). */
static void idm_sacl_classify(struct sk_buff *skb, struct idm_sacl_rule *r)
{
	if (r->has_priority)
		skb->priority = r->priority;
	if (!r->has_dscp ||
	    skb_ensure_writable(skb, skb_network_offset(skb) +
				(skb->protocol == htons(ETH_P_IP) ?
				 sizeof(struct iphdr) : sizeof(struct ipv6hdr))))
		return;
	if (skb->protocol == htons(ETH_P_IP))
		ipv4_change_dsfield(ip_hdr(skb), INET_ECN_MASK, r->dscp << 2);
	else
		ipv6_change_dsfield(ipv6_hdr(skb), INET_ECN_MASK, r->dscp << 2);
}

static bool idm_too_big(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->len <= mtu)
		return false;
	if (skb->ignore_df)
		return false;
	if (skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu))
		return false;
	return true;
}

/*
 * On a marker port: the LID the hop limit carries (-1: none), and the hop
 * limit as if the packet had left with the default.
 */
static int idm_sacl_lid(struct sk_buff *skb, struct idm_sacl_port *port,
			bool v4, const struct idm_sacl_at *at)
{
	/* After forwarding, one is off the hop limit already. */
	unsigned int off = at->early ? 0 : 1;
	unsigned int hl = (v4 ? ip_hdr(skb)->ttl : ipv6_hdr(skb)->hop_limit) + off;

	if (!port->marker || hl < IDM_LID_BASE ||
	    hl > IDM_LID_BASE + IDMESH_SACL_LID_MAX)
		return -1;
	if (skb_ensure_writable(skb, skb_network_offset(skb) +
				(v4 ? sizeof(struct iphdr) :
				 sizeof(struct ipv6hdr))))
		return hl - IDM_LID_BASE;
	if (v4) {
		ip_hdr(skb)->ttl = ip4_dst_hoplimit(skb_dst(skb)) - off;
		ip_send_check(ip_hdr(skb));
	} else {
		ipv6_hdr(skb)->hop_limit = ip6_dst_hoplimit(skb_dst(skb)) - off;
	}
	return hl - IDM_LID_BASE;
}

/* An address of either family as the tables key it (IPv4-mapped). */
static void idm_sacl_key_addr(const struct idm_sacl_pkt *sp,
			      const union nf_inet_addr *a, struct in6_addr *out)
{
	if (idm_is4(sp))
		ipv6_addr_set_v4mapped(a->ip, out);
	else
		*out = a->in6;
}

/*
 * Client side: the IDs of a packet from a port, 0 when unknown (both
 * looked up: egress rules judge the one known). Whether both are known.
 */
static bool idm_sacl_identify(struct idm_sacl *sc, struct idm_sacl_port *port,
			      int lid, struct idm_sacl_pkt *sp)
{
	struct in6_addr a;

	sp->ids.client = idm_sacl_client_id(sc, sp->client, port, lid);
	idm_sacl_key_addr(sp, &sp->p.key.dst, &a);
	sp->ids.server = idm_sacl_server_id(sc, &a, sp->p.key.proto,
					    sp->p.key.dport);
	if (!sp->ids.client) {
		idm_sacl_count(sc, IDM_SC_NO_CLIENT);
		return false;
	}
	if (!sp->ids.server) {
		idm_sacl_count(sc, IDM_SC_NO_SERVER);
		return false;
	}
	return true;
}

/*
 * A new connection leaving its client's port: may it? Its egress rule
 * says (counted); without one, it may.
 */
static bool idm_sacl_egress_denied(struct idm_sacl *sc,
				   const struct idm_sacl_pkt *sp)
{
	u64 server = sp->ids.server;
	struct idm_sacl_rule *r;
	struct in6_addr a;

	if (!READ_ONCE(sc->negress))
		return false;
	/* An address no server entry names: the peer it is in, if any. */
	if (!server && READ_ONCE(sc->npeers)) {
		idm_sacl_key_addr(sp, &sp->p.key.dst, &a);
		server = idm_sacl_peer_id(sc, &a);
	}
	r = idm_sacl_rule_find(sc, IDMESH_SACL_EGRESS, sp->ids.client,
			       server, sp->p.key.proto,
			       ntohs(sp->p.key.dport));
	if (!r)
		return false;
	idm_rule_count(r, r->action == IDMESH_SACL_DENY);
	return r->action == IDMESH_SACL_DENY;
}

/*
 * A tag that came from outside the ports: believed when no trusted source
 * is named, or when it came in on a trusted device or from a trusted
 * source prefix.
 */
static bool idm_sacl_trusted(struct idm_sacl *sc, u32 ifindex,
			     const struct idm_sacl_pkt *sp)
{
	const struct idm_trust_set *ts = rcu_dereference(sc->trust);
	struct in6_addr a;
	unsigned int i;

	if (!ts)
		return true;
	idm_sacl_key_addr(sp, &sp->p.key.src, &a);
	for (i = 0; i < ts->n; i++) {
		const struct idm_trust_entry *e = &ts->e[i];

		if (e->ifindex ? e->ifindex == ifindex :
				 ipv6_prefix_equal(&a, &e->addr, e->plen))
			return true;
	}
	return false;
}

/*
 * The connection tracked from now on, between the ports the packet comes
 * from and goes to, or NULL when it cannot be.
 */
static struct idm_sacl_conn *idm_sacl_track(struct idm_net *in,
					    struct idm_sacl_pkt *sp)
{
	struct idm_flow_key reply = sp->p.key;
	struct idm_sacl_conn *c;
	struct idm_flow *f;

	c = kzalloc(sizeof(*c), GFP_ATOMIC);
	if (!c) {
		atomic64_inc(&in->flows.zone[IDM_ZONE_SACL].failed);
		return NULL;
	}
	/* Both directions hashed: one lookup finds a packet's connection. */
	reply.src = sp->p.key.dst;
	reply.dst = sp->p.key.src;
	reply.sport = sp->p.key.dport;
	reply.dport = sp->p.key.sport;
	idm_flow_prepare(&c->f, &sp->p.key, &reply, IDM_ZONE_SACL,
			 idm_tcp_next(IDM_TCP_NONE, sp->p.tcpflags, false));
	c->f.owner = sp->owner;
	c->client = sp->ids.client;
	c->server = sp->ids.server;
	c->cport = sp->from;
	c->sport = sp->to;
	c->id_gen = sp->id_gen;
	c->bare = !sp->tagged;
	/* From a port, it was checked: the spoof check, the tables. */
	c->checked[0] = sp->tables_gen;
	f = idm_flow_insert(&in->flows, &c->f);
	if (!IS_ERR(f))
		return idm_sacl_conn(f);
	if (PTR_ERR(f) != -EEXIST && PTR_ERR(f) != -EAGAIN)
		atomic64_inc(&in->flows.zone[IDM_ZONE_SACL].failed);
	return NULL;
}

/*
 * The rule for a packet's IDs (RCU). A tracked connection keeps the one
 * it was given, looked up again only when the rules change (their
 * generation, sc->rule_gen, moves before a removed rule's grace period
 * starts): one packet at a time fills the cache, claiming it with
 * IDM_RULE_GEN_BUSY, and a packet takes the cached rule only when the
 * generation stored with it, read before and after, is the current one.
 * A packet whose IDs are not its connection's (a tag from the wire)
 * looks its own up.
 */
static struct idm_sacl_rule *idm_sacl_conn_rule(struct idm_sacl *sc,
						struct idm_sacl_conn *c,
						const struct idm_sacl_pkt *sp)
{
	/* Pairs with the release in idm_sacl_rules_changed(). */
	unsigned long gen = smp_load_acquire(&sc->rule_gen), g;
	const struct idm_sacl_ids *ids = &sp->ids;
	/* Ranges are of the connection's server port: its first packet's. */
	const struct idm_flow_key *k = c ? &c->f.n[0].key : &sp->p.key;
	u16 port = ntohs(k->dport);
	struct idm_sacl_rule *r;

	if (!c || c->client != ids->client || c->server != ids->server)
		return idm_sacl_rule_find(sc, IDMESH_SACL_INGRESS, ids->client,
					  ids->server, sp->p.key.proto,
					  ntohs(sp->p.key.dport));
	/* Pairs with the release below: the rule stored with g. */
	g = smp_load_acquire(&c->rule_gen);
	if (g == gen) {
		r = READ_ONCE(c->rule);
		/* The rule before the generation again: not refilled since. */
		smp_rmb();
		if (READ_ONCE(c->rule_gen) == gen)
			return r;
	}
	r = idm_sacl_rule_find(sc, IDMESH_SACL_INGRESS, ids->client,
			       ids->server, k->proto, port);
	if (g != IDM_RULE_GEN_BUSY &&
	    cmpxchg(&c->rule_gen, g, IDM_RULE_GEN_BUSY) == g) {
		WRITE_ONCE(c->rule, r);
		/* Pairs with the acquire above: the rule before its gen. */
		smp_store_release(&c->rule_gen, gen);
	}
	return r;
}

/*
 * From a port: identify and tag. NF_ACCEPT, or a drop. *cp and *replyp
 * come with the connection the packet belongs to, if any
 * (idm_sacl_from_port()), and leave with the one it now does.
 */
static unsigned int idm_sacl_client_side(struct idm_net *in,
					 struct sk_buff *skb,
					 struct idm_sacl_port *port,
					 struct idm_sacl_pkt *sp,
					 const struct idm_sacl_at *at,
					 bool to_port,
					 struct idm_sacl_conn **cp, bool *replyp)
{
	struct idm_sacl *sc = &in->sacl;
	unsigned int mtu, add, keep;
	struct idm_sacl_conn *c;
	bool reply, known;
	int lid;

	lid = idm_sacl_lid(skb, port, idm_is4(sp), at);
	c = *cp;
	reply = *replyp;
	known = c && sp->recheck && idm_sacl_identify(sc, port, lid, sp);
	if (known) {
		/* Untagged so far, known now: tracked anew, tagged. */
		idm_flow_drop(&in->flows, &c->f);
		c = NULL;
		*cp = NULL;
	}
	if (c) {
		idm_flow_touch(&c->f, &sp->p, reply);
		sp->ids.client = c->client;
		sp->ids.server = c->server;
		if (reply)
			idm_sacl_count(sc, IDM_SC_REPLIES);
		*cp = c;
		*replyp = reply;
		if (!sp->ids.client)
			return NF_ACCEPT;	/* the workload's own, untagged */
	} else if (known || idm_sacl_identify(sc, port, lid, sp)) {
		if (idm_sacl_egress_denied(sc, sp))
			return NF_DROP;
		sp->tagged = true;
		c = idm_sacl_track(in, sp);
		*cp = c;
	} else {
		if (idm_sacl_egress_denied(sc, sp))
			return NF_DROP;
		/*
		 * The workload's own connection to an address with no
		 * server entry (or from a client with no ID): it leaves
		 * untagged, tracked so that its replies pass. Towards a
		 * port here, the server side decides instead.
		 */
		if (!to_port) {
			sp->ids.client = 0;
			sp->ids.server = 0;
			idm_sacl_track(in, sp);
		}
		return NF_ACCEPT;
	}
	sp->tagged = true;
	if (to_port)
		return NF_ACCEPT;	/* the server side, on this node */

	if (idm_is4(sp)) {
		unsigned int len = idm_sacl4_new_len(sp);

		if (len > IDM_IPV4_OPTS_MAX) {
			idm_sacl_count(sc, IDM_SC_NO_ROOM);
			return NF_DROP;
		}
		add = len - sp->hbh_len;
		mtu = ip_dst_mtu_maybe_forward(skb_dst(skb), true);
		/* Without DF, the packet is fragmented after the hook. */
		if ((ip_hdr(skb)->frag_off & htons(IP_DF)) &&
		    idm_too_big(skb, mtu - add)) {
			icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
				  htonl(mtu - add));
			idm_sacl_count(sc, IDM_SC_TOO_BIG);
			return NF_DROP;
		}
		if (idm_sacl4_insert(skb, sp, add, READ_ONCE(sc->opt_type4))) {
			idm_sacl_count(sc, IDM_SC_MALFORMED);
			return NF_DROP;
		}
	} else {
		add = idm_sacl_growth(skb, sp, &keep);
		if (sp->hbh_len + add > IDM_HBH_MAX) {
			idm_sacl_count(sc, IDM_SC_NO_ROOM);
			return NF_DROP;
		}
		mtu = ip6_dst_mtu_maybe_forward(skb_dst(skb), true);
		if (idm_too_big(skb, mtu - add)) {
			icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0,
				    max_t(unsigned int, mtu - add, IPV6_MIN_MTU));
			idm_sacl_count(sc, IDM_SC_TOO_BIG);
			return NF_DROP;
		}
		if (idm_sacl_insert(skb, sp->hbh_len, keep, add,
				    READ_ONCE(sc->opt_type), &sp->ids)) {
			idm_sacl_count(sc, IDM_SC_MALFORMED);
			return NF_DROP;
		}
	}
	idm_sacl_count(sc, IDM_SC_TAGGED);
	if (READ_ONCE(sc->nrules)) {
		struct idm_sacl_rule *r;

		r = idm_sacl_conn_rule(sc, c, sp);
		if (r) {
			idm_rule_count(r, false);
			idm_sacl_classify(skb, r);
		}
	}
	return NF_ACCEPT;
}

/*
 * Towards a port: filter, classify, remember, strip. From a port, c and
 * reply are what the client side found (or tracked).
 */
static unsigned int idm_sacl_server_side(struct idm_net *in,
					 struct sk_buff *skb,
					 struct idm_sacl_pkt *sp,
					 bool from_port,
					 struct idm_sacl_conn *c, bool reply)
{
	struct idm_sacl *sc = &in->sacl;
	struct idm_sacl_rule *r = NULL;
	u8 action;

	if (!from_port) {
		c = idm_sacl_conn_find(in, sp, &reply);
		/*
		 * A SYN reusing the tuple; or a connection tracked untagged
		 * whose client's node now tags it (the tables there learnt
		 * it): tracked anew, so that its replies carry its IDs.
		 */
		if (c && (idm_tcp_reopens(&c->f, &sp->p) ||
			  (sp->tagged && !reply && c->bare))) {
			idm_flow_drop(&in->flows, &c->f);
			c = NULL;
		}
		if (c)
			idm_flow_touch(&c->f, &sp->p, reply);
	}
	if (!sp->tagged && !reply && READ_ONCE(sc->nrules)) {
		struct in6_addr a;

		/*
		 * No identity: the peer its source is in gives it one, else
		 * rules of any client judge it; for the identity of the
		 * workload it goes to.
		 */
		idm_sacl_key_addr(sp, &sp->p.key.src, &a);
		sp->ids.client = READ_ONCE(sc->npeers) ? idm_sacl_peer_id(sc, &a) : 0;
		idm_sacl_key_addr(sp, &sp->p.key.dst, &a);
		sp->ids.server = idm_sacl_server_id(sc, &a, sp->p.key.proto,
						    sp->p.key.dport);
		if (c && (c->client != sp->ids.client ||
			  c->server != sp->ids.server))
			c = NULL;	/* not the connection it was tracked as */
		r = idm_sacl_conn_rule(sc, c, sp);
	} else if (sp->tagged) {
		r = idm_sacl_conn_rule(sc, c, sp);
	}
	if (reply) {
		/* A workload here started it: the reply passes. */
		idm_sacl_count(sc, IDM_SC_REPLIES);
		action = IDMESH_SACL_ALLOW;
	} else if (r) {
		action = r->action;
	} else {
		action = READ_ONCE(sc->def_action);
		idm_sacl_count(sc, IDM_SC_DEF_HITS);
		if (action == IDMESH_SACL_DENY) {
			idm_sacl_count(sc, IDM_SC_DEF_DROPS);
			return NF_DROP;
		}
	}
	if (r)
		idm_rule_count(r, !reply && action == IDMESH_SACL_DENY);
	if (action == IDMESH_SACL_DENY)
		return NF_DROP;
	if (r)
		idm_sacl_classify(skb, r);
	/*
	 * Remembered, so that its replies pass as replies (an egress rule
	 * of the server would judge them otherwise): a tagged one from the
	 * wire (from a port, the client side tracked it), and one without
	 * identity, rules or not: untracked, the server's reply would be
	 * taken for a connection of its own, and the client's next packets
	 * (or a new connection from the same port) for its replies, which
	 * no rule added later would judge.
	 */
	if (!c && !reply && (!sp->tagged || !from_port))
		idm_sacl_track(in, sp);
	if (sp->on_wire) {
		if (idm_sacl_take_out(skb, sp)) {
			idm_sacl_count(sc, IDM_SC_MALFORMED);
			return NF_DROP;
		}
		idm_sacl_count(sc, IDM_SC_STRIPPED);
	}
	return NF_ACCEPT;
}

/* From a port: not from one of its addresses (idm_sacl_spoofed()). */
static bool idm_sacl_src_spoofed(struct idm_sacl *sc, struct sk_buff *skb,
				 const struct idm_sacl_port *port, bool v4,
				 const struct idm_sacl_client **client)
{
	struct in6_addr a;

	if (v4) {
		if (!pskb_may_pull(skb, sizeof(struct iphdr)))
			return true;
		ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, &a);
	} else {
		if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)))
			return true;
		a = ipv6_hdr(skb)->saddr;
	}
	return idm_sacl_spoofed(sc, port, &a, client);
}

/*
 * A VIP's NAT reply leaving its backend's port: the load balancer gave it
 * the VIP's source before routing (lb_hook.c), an address that is not the
 * port's. It is the port's own when the backend of its flow is.
 */
static bool idm_sacl_vip_reply(struct idm_net *in,
			       const struct idm_sacl_pkt *sp,
			       const struct idm_sacl_port *port)
{
	const struct idm_sacl_client *c;
	const struct idm_backend *be;
	struct idm_flow *f;
	struct in6_addr a;

	f = idm_sacl_nat_flow(in, sp);
	if (!f)
		return false;
	be = idm_lb_flow(f)->be;
	if (idm_is4(sp))
		ipv6_addr_set_v4mapped(be->addr.ip, &a);
	else
		a = be->addr.in6;
	return !idm_sacl_spoofed(&in->sacl, port, &a, &c);
}

/*
 * From a port: the connection the packet belongs to (*cp, *replyp; NULL
 * when unparsed), and whether its source is not one of the port's, to
 * be dropped. Each direction of a connection remembers the tables'
 * generation a packet from its port was last checked in: while that is
 * current, the connection's lookup is the packet's only one. When it is
 * not, an untagged connection's packet from its client is to be
 * identified again (sp->recheck): the tables may know it now.
 */
static bool idm_sacl_from_port(struct idm_net *in, struct sk_buff *skb,
			       const struct idm_sacl_port *from,
			       struct idm_sacl_pkt *sp, bool v4, bool parsed,
			       struct idm_sacl_conn **cp, bool *replyp)
{
	struct idm_sacl *sc = &in->sacl;
	struct idm_sacl_conn *c = NULL;
	bool reply = false;

	/* Pairs with the release in idm_sacl_tables_changed(). */
	sp->tables_gen = smp_load_acquire(&sc->tables_gen);
	if (parsed)
		c = idm_sacl_conn_find(in, sp, &reply);
	if (!c || READ_ONCE(c->checked[reply]) != sp->tables_gen) {
		if (idm_sacl_src_spoofed(sc, skb, from, v4, &sp->client)) {
			if (!parsed || !idm_sacl_vip_reply(in, sp, from))
				return true;
			/* Its NAT flow's while that lasts: never remembered. */
			sp->tables_gen = 0;
		} else if (c) {
			sp->recheck = !reply && c->bare;
			WRITE_ONCE(c->checked[reply], sp->tables_gen);
		}
	}
	if (c && idm_tcp_reopens(&c->f, &sp->p)) {
		idm_flow_drop(&in->flows, &c->f);
		c = NULL;
		reply = false;
	}
	*cp = c;
	*replyp = reply;
	return false;
}

/*
 * The gateway's decision for one packet, on either path: NF_ACCEPT (the
 * packet tagged, checked or stripped as it must be), or NF_DROP.
 */
static unsigned int idm_sacl_forward_one(struct idm_net *in, struct sk_buff *skb,
					 const struct idm_sacl_at *at,
					 struct idm_sacl_port *from,
					 struct idm_sacl_port *to)
{
	bool v4 = skb->protocol == htons(ETH_P_IP);
	struct idm_sacl *sc = &in->sacl;
	struct idm_sacl_conn *c = NULL;
	struct idm_sacl_pkt sp;
	unsigned int verdict;
	bool reply = false;
	int err, icmp;

	if (v4)
		err = idm_sacl_parse_skb4(skb, READ_ONCE(sc->opt_type4), &sp);
	else
		err = idm_sacl_parse_skb(skb, READ_ONCE(sc->opt_type), &sp);
	if (err == -EBADMSG) {
		idm_sacl_count(sc, IDM_SC_MALFORMED);
		return NF_DROP;
	}
	sp.client = NULL;
	sp.from = from ? from->ifindex : 0;
	sp.to = to ? to->ifindex : 0;
	sp.owner = from ? &from->flows : to ? &to->flows : NULL;
	/* Pairs with the release in idm_sacl_ids_changed(). */
	sp.id_gen = smp_load_acquire(&sc->id_gen);
	if (from && idm_sacl_from_port(in, skb, from, &sp, v4, !err,
				       &c, &reply)) {
		/* Before anything is tracked or tagged for it. */
		idm_sacl_count(sc, IDM_SC_SPOOFED);
		return NF_DROP;
	}
	if (from && sp.tagged) {
		/* A workload cannot name its own identity. */
		idm_sacl_count(sc, IDM_SC_FORGED);
		return NF_DROP;
	}
	if (!from && sp.on_wire && !idm_sacl_trusted(sc, at->in_ifindex, &sp)) {
		idm_sacl_count(sc, IDM_SC_UNTRUSTED);
		return NF_DROP;
	}
	if (!from && !to) {
		struct idm_sacl_rule *r;

		if (!sp.tagged)
			return NF_ACCEPT;
		idm_sacl_count(sc, IDM_SC_TRANSIT);
		r = idm_sacl_rule_find(sc, IDMESH_SACL_INGRESS, sp.ids.client,
				       sp.ids.server, sp.p.key.proto,
				       ntohs(sp.p.key.dport));
		if (r) {
			idm_rule_count(r, false);
			idm_sacl_classify(skb, r);
		}
		return NF_ACCEPT;
	}
	if (err) {
		/*
		 * Cut short (no whole transport header): not trusted towards
		 * a workload; from one, it leaves untagged.
		 */
		if (!to)
			return NF_ACCEPT;
		idm_sacl_count(sc, IDM_SC_MALFORMED);
		return NF_DROP;
	}
	icmp = idm_icmp_error(skb, &sp);
	if (icmp >= 0) {
		if (!idm_sacl_icmp_related(in, skb, &sp, icmp)) {
			idm_sacl_count(sc, IDM_SC_UNRELATED);
			return NF_DROP;
		}
		/* Not ours to classify: just never let the option through. */
		if (to && sp.on_wire && idm_sacl_take_out(skb, &sp))
			return NF_DROP;
		return NF_ACCEPT;
	}
	if (from) {
		verdict = idm_sacl_client_side(in, skb, from, &sp, at, !!to,
					       &c, &reply);
		if (verdict != NF_ACCEPT || !to)
			return verdict;
	}
	/* From a port, the option was never on the wire. */
	return idm_sacl_server_side(in, skb, &sp, !!from, c, reply);
}

/*
 * A GSO packet whose length field could not hold it with the option (or
 * holds 0: BIG TCP), or whose segments keep headers of their own
 * (fraglist), is segmented here: each segment is then tagged, checked or
 * stripped alone, as if it had come so, and sent on.
 */
static bool idm_sacl_must_segment(const struct sk_buff *skb)
{
	if (!skb_is_gso(skb))
		return false;
	if (skb_shinfo(skb)->gso_type & SKB_GSO_FRAGLIST)
		return true;
	/* Room for the largest growth: 40 bytes of IPv4 options, or more. */
	return skb->len - skb_network_offset(skb) > IP_MAX_MTU - 64;
}

/*
 * Segment skb (which must be) and decide each segment: the list of those
 * to send on (NULL: none). skb is consumed; dropped segments are freed.
 */
static struct sk_buff *idm_sacl_segments(struct idm_net *in,
					 struct sk_buff *skb,
					 const struct idm_sacl_at *at,
					 struct idm_sacl_port *from,
					 struct idm_sacl_port *to)
{
	struct sk_buff *segs, *seg, *next, *head = NULL, **tail = &head;

	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		idm_sacl_count(&in->sacl, IDM_SC_MALFORMED);
		kfree_skb(skb);
		return NULL;
	}
	idm_sacl_count(&in->sacl, IDM_SC_SEGMENTED);
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		if (idm_sacl_forward_one(in, seg, at, from, to) != NF_ACCEPT) {
			kfree_skb(seg);
			continue;
		}
		*tail = seg;
		tail = &seg->next;
	}
	return head;
}

/*
 * A device with a queueing discipline of its own (a pair's is noqueue):
 * the priority the server side sets classifies there, so the decision
 * must come before it, at the forward hook. Under RCU.
 */
static bool idm_sacl_dev_queued(struct net_device *dev)
{
	/* noop_qdisc: a device's before it is first up; noqueue: none. */
	return rcu_dereference(dev->qdisc) != &noop_qdisc &&
	       rcu_dereference(dev->qdisc)->enqueue;
}

static unsigned int idm_sacl_forward(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct idm_net *in = idm_pernet(state->net);
	struct idm_sacl_at at = { .in_ifindex = state->in->ifindex };
	struct idm_sacl_port *from, *to;
	struct sk_buff *segs, *seg, *next;

	from = idm_sacl_port_find(&in->sacl, state->in->ifindex);
	to = idm_sacl_port_find(&in->sacl, state->out->ifindex);
	/* A pair port's qdisc gone since it was noted: maybe the pairs'. */
	if (unlikely(to && READ_ONCE(to->queued)) &&
	    !idm_sacl_dev_queued(state->out))
		schedule_work(&in->sacl.resync);
	if (!(from || to) || !idm_sacl_must_segment(skb))
		return idm_sacl_forward_one(in, skb, &at, from, to);
	segs = idm_sacl_segments(in, skb, &at, from, to);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		state->okfn(state->net, state->sk, seg);
	}
	return NF_STOLEN;
}

/*
 * The gateway's work on one packet: what to send on, NULL or a list (a
 * segmented packet's). skb is consumed; what is dropped is freed.
 */
static struct sk_buff *idm_sacl_run(struct idm_net *in, struct sk_buff *skb,
				    const struct idm_sacl_at *at,
				    struct idm_sacl_port *from,
				    struct idm_sacl_port *to)
{
	if (idm_sacl_must_segment(skb))
		return idm_sacl_segments(in, skb, at, from, to);
	if (idm_sacl_forward_one(in, skb, at, from, to) == NF_ACCEPT)
		return skb;
	kfree_skb(skb);
	return NULL;
}

/* ---- inside an idmesh pair: the same work, without netfilter ---- */

/* Our own reassembly queues: neither conntrack's nor local delivery's. */
#define IDM_DEFRAG_USER		0x1de50000

/*
 * A packet from a workload, before the stack's receive checks it: is
 * its header one ip_rcv_core() or ipv6_rcv() would take? Trimmed to its
 * length. A GSO packet's length may be 0 (BIG TCP): it is segmented.
 */
static bool idm_sacl_pair_hdr_ok(struct sk_buff *skb)
{
	unsigned int len, hlen;

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		hlen = iph->ihl * 4;
		if (iph->version != 4 || hlen < sizeof(*iph) ||
		    !pskb_may_pull(skb, hlen))
			return false;
		iph = ip_hdr(skb);
		if (unlikely(ip_fast_csum((u8 *)iph, iph->ihl)))
			return false;
		len = ntohs(iph->tot_len);
		if (!len)
			return skb_is_gso(skb);
	} else {
		const struct ipv6hdr *ip6h;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return false;
		ip6h = ipv6_hdr(skb);
		if (ip6h->version != 6)
			return false;
		hlen = sizeof(*ip6h);
		len = ntohs(ip6h->payload_len);
		if (!len)
			return skb_is_gso(skb);
		len += hlen;
	}
	if (len < hlen || len > skb->len)
		return false;
	return !pskb_trim_rcsum(skb, len);
}

/*
 * Fragments made whole, as the forward hook's defragmentation would:
 * the packet, or NULL while it is held (or freed: a bad fragment).
 */
static struct sk_buff *idm_sacl_pair_defrag(struct net *net,
					    struct sk_buff *skb)
{
	u8 nexthdr;
	int err;

	if (skb->protocol == htons(ETH_P_IP)) {
		if (!ip_is_fragment(ip_hdr(skb)))
			return skb;
		return ip_defrag(net, skb, IDM_DEFRAG_USER) ? NULL : skb;
	}
	/*
	 * The transport header first, or after a Hop-by-Hop header (one
	 * with the option, from another node): no fragment header to look
	 * for.
	 */
	nexthdr = ipv6_hdr(skb)->nexthdr;
	if (nexthdr == NEXTHDR_HOP) {
		if (!pskb_may_pull(skb, sizeof(struct ipv6hdr) + 8))
			goto gather;
		nexthdr = skb_network_header(skb)[sizeof(struct ipv6hdr)];
	}
	switch (nexthdr) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMPV6:
		return skb;
	}
gather:
	err = nf_ct_frag6_gather(net, skb, IDM_DEFRAG_USER);
	if (!err)
		return skb;
	if (err != -EINPROGRESS)
		kfree_skb(skb);
	return NULL;
}

/* What routing a workload's packet on its port's side found. */
enum idm_pair_route {
	IDM_ROUTE_NONE,		/* for the stack to route (and answer) */
	IDM_ROUTE_LOCAL,	/* routed, not forwarded */
	IDM_ROUTE_FORWARD,	/* routed, forwarded: the gateway's */
	IDM_ROUTE_DROP,		/* its route went while it was held */
};

/*
 * A workload's packet routed on its port's side as its receive would
 * route it; ip_rcv_finish() keeps the route found, held here. A packet
 * whose hop limit is spent, multicast, or with no route is left to the
 * stack, which drops it or answers.
 */
static enum idm_pair_route idm_sacl_pair_route(struct sk_buff *skb,
					       struct net_device *dev)
{
	struct net *net = dev_net(dev);
	bool fwd;

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->ttl <= 1 || ipv4_is_multicast(iph->daddr) ||
		    ipv4_is_lbcast(iph->daddr) ||
		    ip_route_input_noref(skb, iph->daddr, iph->saddr,
					 iph->tos, dev))
			return IDM_ROUTE_NONE;
		fwd = skb_rtable(skb)->rt_type == RTN_UNICAST;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct flowi6 fl6 = {
			.flowi6_iif = dev->ifindex,
			.daddr = ip6h->daddr,
			.saddr = ip6h->saddr,
			.flowlabel = ip6_flowinfo(ip6h),
			.flowi6_mark = skb->mark,
			.flowi6_proto = ip6h->nexthdr,
		};
		struct dst_entry *dst;

		if (ip6h->hop_limit <= 1 || ipv6_addr_is_multicast(&ip6h->daddr))
			return IDM_ROUTE_NONE;
		dst = ip6_route_input_lookup(net, dev, &fl6, skb,
					     RT6_LOOKUP_F_HAS_SADDR);
		if (dst->error) {
			dst_release(dst);
			return IDM_ROUTE_NONE;
		}
		skb_dst_set(skb, dst);
		fwd = !ipv6_unicast_destination(skb) &&
		      !ipv6_anycast_destination(dst, &ip6h->daddr);
		/* ip6_forward() would drop it: not the gateway's either. */
		if (fwd && !READ_ONCE(net->ipv6.devconf_all->forwarding))
			return IDM_ROUTE_LOCAL;
	}
	/* Held: the route outlives this RCU section, in the backlog. */
	if (!skb_dst_force(skb))
		return IDM_ROUTE_DROP;
	return fwd ? IDM_ROUTE_FORWARD : IDM_ROUTE_LOCAL;
}

struct sk_buff *idm_sacl_pair_in(struct sk_buff *skb, struct net_device *dev)
{
	struct idm_net *in = idm_pernet(dev_net(dev));
	struct idm_sacl_at at = { .in_ifindex = dev->ifindex, .early = true };
	struct idm_sacl_port *from, *to;

	if (!READ_ONCE(in->sacl.pair_path))
		return skb;
	rcu_read_lock();
	from = idm_sacl_port_find(&in->sacl, dev->ifindex);
	if (!from)
		goto out;
	/* The stack's receive would clear it; the sender's is not ours. */
	memset(skb->cb, 0, sizeof(skb->cb));
	if (!idm_sacl_pair_hdr_ok(skb)) {
		/* The stack would drop it too; never past the gateway. */
		idm_sacl_count(&in->sacl, IDM_SC_MALFORMED);
		kfree_skb(skb);
		skb = NULL;
		goto out;
	}
	skb = idm_sacl_pair_defrag(dev_net(dev), skb);
	if (!skb)
		goto out;
	switch (idm_sacl_pair_route(skb, dev)) {
	case IDM_ROUTE_NONE:
	case IDM_ROUTE_LOCAL:
		goto out;
	case IDM_ROUTE_DROP:
		kfree_skb(skb);
		skb = NULL;
		goto out;
	case IDM_ROUTE_FORWARD:
		break;
	}
	to = idm_sacl_port_find(&in->sacl, skb_dst(skb)->dev->ifindex);
	skb = idm_sacl_run(in, skb, &at, from, to);
out:
	rcu_read_unlock();
	return skb;
}

struct sk_buff *idm_sacl_pair_out(struct sk_buff *skb, struct net_device *dev)
{
	struct idm_net *in = idm_pernet(dev_net(dev));
	struct idm_sacl_at at = { .in_ifindex = skb->skb_iif };
	struct idm_sacl_port *to;

	/* The node's own packets are not forwarded: not the gateway's. */
	if (!READ_ONCE(in->sacl.pair_path) || !skb->skb_iif)
		return skb;
	rcu_read_lock();
	to = idm_sacl_port_find(&in->sacl, dev->ifindex);
	/* From a port, its pair decided for both sides already. */
	if (!to || idm_sacl_port_find(&in->sacl, skb->skb_iif))
		goto out;
	/* A qdisc added since it was noted: the hook from now on. */
	if (unlikely(idm_sacl_dev_queued(dev)))
		schedule_work(&in->sacl.resync);
	skb = idm_sacl_pair_defrag(dev_net(dev), skb);
	if (skb)
		skb = idm_sacl_run(in, skb, &at, NULL, to);
out:
	rcu_read_unlock();
	return skb;
}

/* The LID of the socket's owner, as a hop limit. */
static u8 idm_sacl_lid_hl(const struct nf_hook_state *state, struct sock *sk)
{
	uid_t uid = from_kuid_munged(sock_net(sk)->user_ns,
				     sock_net_uid(state->net, sk));

	return IDM_LID_BASE + uid % (IDMESH_SACL_LID_MAX + 1);
}

/* IPv4: the LID into the TTL, but not of multicast, broadcast, loopback. */
static unsigned int idm_sacl_mark4(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct idm_sacl *sc = &idm_pernet(state->net)->sacl;
	unsigned int hlen;
	struct sock *sk;
	__be32 daddr;

	if (!READ_ONCE(sc->marker))
		return NF_ACCEPT;
	sk = skb_to_full_sk(skb);
	if (!sk || !sk_fullsock(sk) || !pskb_may_pull(skb, sizeof(struct iphdr)))
		return NF_ACCEPT;
	/* The checksum covers the options too. */
	hlen = ip_hdrlen(skb);
	if (hlen < sizeof(struct iphdr) || !pskb_may_pull(skb, hlen))
		return NF_ACCEPT;
	daddr = ip_hdr(skb)->daddr;
	if (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr) ||
	    ipv4_is_loopback(daddr) || ipv4_is_linklocal_169(daddr))
		return NF_ACCEPT;
	if (skb_ensure_writable(skb, hlen))
		return NF_DROP;
	ip_hdr(skb)->ttl = idm_sacl_lid_hl(state, sk);
	ip_send_check(ip_hdr(skb));
	idm_sacl_count(sc, IDM_SC_MARKED);
	return NF_ACCEPT;
}

/* In the workload's namespace: the socket's LID into the hop limit. */
static unsigned int idm_sacl_mark(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct idm_sacl *sc = &idm_pernet(state->net)->sacl;
	const struct ipv6hdr *ip6h;
	struct sock *sk;
	int type;

	if (!READ_ONCE(sc->marker))
		return NF_ACCEPT;
	sk = skb_to_full_sk(skb);
	if (!sk || !sk_fullsock(sk) || !pskb_may_pull(skb, sizeof(*ip6h)))
		return NF_ACCEPT;
	ip6h = ipv6_hdr(skb);
	type = ipv6_addr_type(&ip6h->daddr);
	if (type & (IPV6_ADDR_MULTICAST | IPV6_ADDR_LINKLOCAL |
		    IPV6_ADDR_LOOPBACK))
		return NF_ACCEPT;
	if (ip6h->nexthdr == IPPROTO_ICMPV6) {
		/* Neighbour discovery needs its hop limit of 255. */
		u8 _t;
		const u8 *t = skb_header_pointer(skb, sizeof(*ip6h), 1, &_t);

		if (!t || (*t >= NDISC_ROUTER_SOLICITATION &&
			   *t <= NDISC_REDIRECT))
			return NF_ACCEPT;
	}
	if (skb_ensure_writable(skb, sizeof(*ip6h)))
		return NF_DROP;
	ipv6_hdr(skb)->hop_limit = idm_sacl_lid_hl(state, sk);
	idm_sacl_count(sc, IDM_SC_MARKED);
	return NF_ACCEPT;
}

static const struct nf_hook_ops idm_sacl_fwd_ops[] = {
	{ .hook = idm_sacl_forward, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_FORWARD, .priority = IDM_PRI_SACL },
	{ .hook = idm_sacl_forward, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_FORWARD, .priority = IDM_PRI_SACL4 },
};

static const struct nf_hook_ops idm_sacl_mark_ops[] = {
	{ .hook = idm_sacl_mark, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = IDM_PRI_MARKER },
	{ .hook = idm_sacl_mark4, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = IDM_PRI_MARKER4 },
};

static int idm_sacl_hooks_register(struct net *net, bool marker)
{
	if (marker)
		return nf_register_net_hooks(net, idm_sacl_mark_ops,
					     ARRAY_SIZE(idm_sacl_mark_ops));
	/* Fragments are reassembled first: the option needs the ports. */
	return idm_nf_register_whole(net, idm_sacl_fwd_ops,
				     ARRAY_SIZE(idm_sacl_fwd_ops));
}

static void idm_sacl_hooks_unregister(struct net *net, bool marker)
{
	if (marker) {
		nf_unregister_net_hooks(net, idm_sacl_mark_ops,
					ARRAY_SIZE(idm_sacl_mark_ops));
		return;
	}
	idm_nf_unregister_whole(net, idm_sacl_fwd_ops,
				ARRAY_SIZE(idm_sacl_fwd_ops));
}

/* Each port's qdisc noted (in->lock): whether one has one of its own. */
static bool idm_sacl_ports_queued(struct net *net, struct idm_sacl *sc)
{
	struct idm_sacl_port *p;
	struct net_device *dev;
	bool any = false, q;

	rcu_read_lock();
	list_for_each_entry(p, &sc->ports, list) {
		dev = dev_get_by_index_rcu(net, p->ifindex);
		q = dev && idm_sacl_dev_queued(dev);
		WRITE_ONCE(p->queued, q);
		any |= q;
	}
	rcu_read_unlock();
	return any;
}

void idm_sacl_resync(struct work_struct *work)
{
	struct idm_sacl *sc = container_of(work, struct idm_sacl, resync);
	struct idm_net *in = container_of(sc, struct idm_net, sacl);

	mutex_lock(&in->lock);
	idm_sacl_hooks_sync(in->net, sc, NULL);
	mutex_unlock(&in->lock);
}

int idm_sacl_hooks_sync(struct net *net, struct idm_sacl *sc,
			struct netlink_ext_ack *extack)
{
	/*
	 * Ports that are all pairs do the work themselves; the hook is for
	 * other ports, pairs with a qdisc, transit nodes (rules, no ports),
	 * and the load balancer's NAT, which pre-routing does before
	 * forward decides.
	 */
	bool queued = idm_sacl_ports_queued(net, sc);	/* each noted */
	bool fwd = sc->nports > sc->npairs || (sc->nrules && !sc->nports) ||
		   ((sc->nports || sc->nrules) && idm_pernet(net)->lb.nvips) ||
		   queued;
	int err;

	/*
	 * Between the two paths, a packet may meet both (a tag from a port
	 * is then dropped as forged), never neither: the new one is on
	 * before the old one goes.
	 */
	if (fwd && !sc->fwd_hooks) {
		err = idm_sacl_hooks_register(net, false);
		if (err) {
			NL_SET_ERR_MSG(extack, "Cannot register the netfilter hooks");
			return err;
		}
		sc->fwd_hooks = true;
	}
	WRITE_ONCE(sc->pair_path, sc->nports && !fwd);
	if (!fwd && sc->fwd_hooks) {
		idm_sacl_hooks_unregister(net, false);
		sc->fwd_hooks = false;
	}
	if (sc->marker && !sc->marker_hook) {
		err = idm_sacl_hooks_register(net, true);
		if (err) {
			NL_SET_ERR_MSG(extack, "Cannot register the marker hook");
			return err;
		}
		sc->marker_hook = true;
	} else if (!sc->marker && sc->marker_hook) {
		idm_sacl_hooks_unregister(net, true);
		sc->marker_hook = false;
	}
	return 0;
}

void idm_sacl_netdev_event(struct net_device *dev, unsigned long event)
{
	struct net *net = dev_net(dev);
	struct idm_net *in = idm_pernet(net);

	if (event != NETDEV_UNREGISTER)
		return;
	mutex_lock(&in->lock);
	idm_sacl_dev_gone(&in->sacl, dev->ifindex);
	idm_sacl_hooks_sync(net, &in->sacl, NULL);
	mutex_unlock(&in->lock);
}
