// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the per-namespace flow table. It remembers which backend each
 * Maglev flow went to, so established flows keep their backend when the
 * backend set changes, and the SACL gateway's connections with their
 * IDs. Each zone is bounded by its own limit (flow-limit,
 * sacl-flow-limit): when a zone is full, its entry longest unlooked-at
 * makes room (expired entries first, recently active ones get a second
 * chance); the other zone is never touched. Lookups are lockless
 * (rhashtable under RCU); changes take flow_lock.
 */
#include <linux/kernel.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/jiffies.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <uapi/linux/in.h>

#include "idmesh.h"
#include "lb.h"

static const struct rhashtable_params idm_flow_params = {
	.head_offset = offsetof(struct idm_flow_node, node),
	.key_offset = offsetof(struct idm_flow_node, key),
	.key_len = sizeof(struct idm_flow_key),
	.automatic_shrinking = true,
};

/* Entries looked at per garbage collection batch, and batches per run. */
#define IDM_GC_BATCH	1024
#define IDM_GC_BATCHES	16
/* Entries looked at to find one to evict. */
#define IDM_EVICT_TRIES	8

static struct idm_flow *idm_flow_of(struct idm_flow_node *n)
{
	return container_of(n - n->dir, struct idm_flow, n[0]);
}

struct idm_flow *idm_flow_lookup(struct idm_lb *lb,
				 const struct idm_flow_key *k, u8 *dir)
{
	struct idm_flow_node *n;

	n = rhashtable_lookup(&lb->flows, k, idm_flow_params);
	if (!n)
		return NULL;
	*dir = n->dir;
	return idm_flow_of(n);
}

bool idm_parse_l4(struct sk_buff *skb, struct idm_pkt *p, bool any)
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

int idm_nf_register_whole(struct net *net, const struct nf_hook_ops *ops,
			  unsigned int n)
{
	int err;

	err = nf_defrag_ipv4_enable(net);
	if (err)
		return err;
	err = nf_defrag_ipv6_enable(net);
	if (err)
		goto err_v4;
	err = nf_register_net_hooks(net, ops, n);
	if (err)
		goto err_v6;
	return 0;

err_v6:
	nf_defrag_ipv6_disable(net);
err_v4:
	nf_defrag_ipv4_disable(net);
	return err;
}

void idm_nf_unregister_whole(struct net *net, const struct nf_hook_ops *ops,
			     unsigned int n)
{
	nf_unregister_net_hooks(net, ops, n);
	nf_defrag_ipv6_disable(net);
	nf_defrag_ipv4_disable(net);
}

bool idm_parse(struct sk_buff *skb, u8 family, struct idm_pkt *p)
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
	return idm_parse_l4(skb, p, false);
}

u8 idm_tcp_next(u8 state, u8 flags, bool reply)
{
	if (flags & (TCPHDR_RST | TCPHDR_FIN))
		return IDM_TCP_FIN;
	if (!reply && (flags & TCPHDR_SYN) && !(flags & TCPHDR_ACK))
		return IDM_TCP_SYN;
	if (state == IDM_TCP_SYN && (flags & TCPHDR_ACK) &&
	    !(flags & TCPHDR_SYN))
		return IDM_TCP_EST;
	return state;
}

/* A SYN on a flow that saw FIN or RST: the tuple is being reused. */
bool idm_tcp_reopens(const struct idm_flow *f, const struct idm_pkt *p)
{
	return p->key.proto == IPPROTO_TCP &&
	       (p->tcpflags & (TCPHDR_SYN | TCPHDR_ACK)) == TCPHDR_SYN &&
	       READ_ONCE(f->state) == IDM_TCP_FIN;
}

void idm_flow_touch(struct idm_flow *f, const struct idm_pkt *p, bool reply)
{
	unsigned long now = jiffies;

	if (READ_ONCE(f->last) != now)
		WRITE_ONCE(f->last, now);
	if (p->key.proto == IPPROTO_TCP) {
		u8 s = idm_tcp_next(READ_ONCE(f->state), p->tcpflags, reply);

		if (s != f->state)
			WRITE_ONCE(f->state, s);
	}
}

static unsigned long idm_flow_timeout(const struct idm_lb *lb,
				      const struct idm_flow *f)
{
	enum idm_timeout t;

	switch (f->n[0].key.proto) {
	case IPPROTO_TCP:
		t = f->state == IDM_TCP_EST ? IDM_TO_TCP :
		    f->state == IDM_TCP_FIN ? IDM_TO_TCP_FIN : IDM_TO_TCP_SYN;
		break;
	case IPPROTO_UDP:
	case IPPROTO_ICMPV6:
		t = IDM_TO_UDP;
		break;
	default:
		t = IDM_TO_SCTP;
		break;
	}
	return (unsigned long)READ_ONCE(lb->timeout[t]) * HZ;
}

static bool idm_flow_expired(const struct idm_lb *lb, const struct idm_flow *f,
			     unsigned long now)
{
	return time_after(now, READ_ONCE(f->last) + idm_flow_timeout(lb, f));
}

static void idm_flow_unlink(struct idm_lb *lb, struct idm_flow *f)
{
	lockdep_assert_held(&lb->flow_lock);
	rhashtable_remove_fast(&lb->flows, &f->n[0].node, idm_flow_params);
	if (f->nat) {
		rhashtable_remove_fast(&lb->flows, &f->n[1].node,
				       idm_flow_params);
		if (f->zone == IDM_ZONE_LB)
			atomic_dec(&lb->nat_flows);
	}
	list_del(&f->lru);
	f->dead = true;
	WRITE_ONCE(lb->zone[f->zone].n, lb->zone[f->zone].n - 1);
	if (f->zone == IDM_ZONE_LB) {
		atomic_dec(&f->vip->flows);
		atomic_dec(&f->be->flows);
	}
	kfree_rcu(f, rcu);
}

/* Make room for one entry in zone z. */
static void idm_flow_evict_one(struct idm_lb *lb, struct idm_flow_zone_state *z,
			       unsigned long now)
{
	struct idm_flow *f;
	int i;

	for (i = 0; i < IDM_EVICT_TRIES && !list_empty(&z->lru); i++) {
		f = list_first_entry(&z->lru, struct idm_flow, lru);
		if (idm_flow_expired(lb, f, now)) {
			idm_flow_unlink(lb, f);
			atomic64_inc(&z->expired);
			return;
		}
		if (time_before(now, READ_ONCE(f->last) + HZ)) {
			/* Active in the last second: second chance. */
			list_move_tail(&f->lru, &z->lru);
			continue;
		}
		idm_flow_unlink(lb, f);
		atomic64_inc(&z->evicted);
		return;
	}
	if (!list_empty(&z->lru)) {
		f = list_first_entry(&z->lru, struct idm_flow, lru);
		idm_flow_unlink(lb, f);
		atomic64_inc(&z->evicted);
	}
}

/* Flows of every zone (flow_lock). */
static unsigned int idm_flows_total(const struct idm_lb *lb)
{
	unsigned int z, n = 0;

	for (z = 0; z < IDM_ZONES; z++)
		n += lb->zone[z].n;
	return n;
}

static struct idm_flow *idm_flow_alloc(const struct idm_flow_key *orig,
				       const struct idm_flow_key *reply,
				       u8 zone, u8 state)
{
	struct idm_flow *f;

	f = kzalloc(sizeof(*f), GFP_ATOMIC);
	if (!f)
		return NULL;
	f->n[0].key = *orig;
	f->n[0].key.zone = zone;
	f->n[0].dir = 0;
	if (reply) {
		f->n[1].key = *reply;
		f->n[1].key.zone = zone;
		f->n[1].dir = 1;
		f->nat = true;
	}
	f->zone = zone;
	f->state = state;
	f->last = jiffies;
	return f;
}

/*
 * Hash f and account for it, under flow_lock (released on return).
 * Returns f, or the flow another CPU tracked first, or an ERR_PTR.
 */
static struct idm_flow *idm_flow_add(struct idm_lb *lb, u32 limit,
				     struct idm_flow *f)
	__releases(&lb->flow_lock)
{
	struct idm_flow_zone_state *z = &lb->zone[f->zone];
	struct idm_flow_node *old;
	int err;

	lockdep_assert_held(&lb->flow_lock);
	old = rhashtable_lookup_get_insert_fast(&lb->flows, &f->n[0].node,
						idm_flow_params);
	if (old) {
		/* Another CPU tracked it first (or no memory). */
		spin_unlock_bh(&lb->flow_lock);
		kfree(f);
		if (IS_ERR(old))
			return ERR_CAST(old);
		return old->dir ? ERR_PTR(-EEXIST) : idm_flow_of(old);
	}
	if (f->nat) {
		err = rhashtable_lookup_insert_fast(&lb->flows, &f->n[1].node,
						    idm_flow_params);
		if (err) {
			rhashtable_remove_fast(&lb->flows, &f->n[0].node,
					       idm_flow_params);
			/* f->n[0] was visible to lookups for a moment. */
			spin_unlock_bh(&lb->flow_lock);
			kfree_rcu(f, rcu);
			return ERR_PTR(err);
		}
		if (f->zone == IDM_ZONE_LB)
			atomic_inc(&lb->nat_flows);
	}
	/* Two at most: a lowered limit is reached over a few inserts. */
	if (z->n >= limit)
		idm_flow_evict_one(lb, z, f->last);
	if (z->n >= limit)
		idm_flow_evict_one(lb, z, f->last);
	if (!idm_flows_total(lb))
		queue_delayed_work(system_power_efficient_wq, &lb->gc, HZ);
	list_add_tail(&f->lru, &z->lru);
	WRITE_ONCE(z->n, z->n + 1);
	if (f->zone == IDM_ZONE_LB) {
		atomic_inc(&f->vip->flows);
		atomic_inc(&f->be->flows);
	}
	spin_unlock_bh(&lb->flow_lock);
	return f;
}

struct idm_flow *idm_flow_insert(struct idm_lb *lb, u32 limit,
				 const struct idm_flow_key *orig,
				 const struct idm_flow_key *reply,
				 struct idm_vip *vip, struct idm_backend *be,
				 u8 state)
{
	struct idm_flow *f;

	f = idm_flow_alloc(orig, reply, IDM_ZONE_LB, state);
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->vip = vip;
	f->be = be;
	spin_lock_bh(&lb->flow_lock);
	if (READ_ONCE(vip->removed) || READ_ONCE(be->removed)) {
		spin_unlock_bh(&lb->flow_lock);
		kfree(f);
		return ERR_PTR(-EAGAIN);
	}
	return idm_flow_add(lb, limit, f);
}

struct idm_flow *idm_flow_insert_sacl(struct idm_lb *lb, u32 limit,
				      const struct idm_flow_key *orig,
				      u64 client, u64 server, u8 state)
{
	struct idm_flow_key reply = *orig;
	struct idm_flow *f;

	/* Both directions hashed: one lookup finds a packet's connection. */
	reply.src = orig->dst;
	reply.dst = orig->src;
	reply.sport = orig->dport;
	reply.dport = orig->sport;
	f = idm_flow_alloc(orig, &reply, IDM_ZONE_SACL, state);
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->client = client;
	f->server = server;
	spin_lock_bh(&lb->flow_lock);
	return idm_flow_add(lb, limit, f);
}

void idm_flow_drop(struct idm_lb *lb, struct idm_flow *f)
{
	spin_lock_bh(&lb->flow_lock);
	if (!f->dead)
		idm_flow_unlink(lb, f);
	spin_unlock_bh(&lb->flow_lock);
}

void idm_flow_forget(struct idm_lb *lb, struct idm_vip *vip,
		     struct idm_backend *be)
{
	struct idm_flow *f, *tmp;

	spin_lock_bh(&lb->flow_lock);
	/* From here on, no flow to them can be inserted. */
	if (be)
		WRITE_ONCE(be->removed, true);
	else
		WRITE_ONCE(vip->removed, true);
	list_for_each_entry_safe(f, tmp, &lb->zone[IDM_ZONE_LB].lru, lru)
		if (be ? f->be == be : f->vip == vip)
			idm_flow_unlink(lb, f);
	spin_unlock_bh(&lb->flow_lock);
}

void idm_flow_forget_zone(struct idm_lb *lb, u8 zone)
{
	struct idm_flow *f, *tmp;

	spin_lock_bh(&lb->flow_lock);
	list_for_each_entry_safe(f, tmp, &lb->zone[zone].lru, lru)
		idm_flow_unlink(lb, f);
	spin_unlock_bh(&lb->flow_lock);
}

/* A zone's limit: flow-limit, or sacl-flow-limit. */
static u32 idm_zone_limit(const struct idm_net *in, unsigned int zone)
{
	if (zone == IDM_ZONE_SACL)
		return READ_ONCE(in->sacl_flow_limit);
	return READ_ONCE(in->flow_limit);
}

/*
 * Batch b of a zone (flow_lock): trim it to a lowered limit, expire its
 * oldest. Returns whether the zone has more for batch b + 1.
 */
static bool idm_flow_gc_zone(struct idm_lb *lb, struct idm_flow_zone_state *z,
			     u32 limit, int b, unsigned long now)
{
	int i;

	for (i = 0; i < IDM_GC_BATCH && z->n > limit; i++)
		idm_flow_evict_one(lb, z, now);
	for (i = 0; i < IDM_GC_BATCH && i < z->n; i++) {
		struct idm_flow *f;

		f = list_first_entry(&z->lru, struct idm_flow, lru);
		if (idm_flow_expired(lb, f, now)) {
			idm_flow_unlink(lb, f);
			atomic64_inc(&z->expired);
		} else {
			list_move_tail(&f->lru, &z->lru);
		}
	}
	return z->n > (b + 1) * IDM_GC_BATCH;
}

static void idm_flow_gc(struct work_struct *work)
{
	struct idm_lb *lb = container_of(to_delayed_work(work), struct idm_lb,
					 gc);
	struct idm_net *in = container_of(lb, struct idm_net, lb);
	unsigned long now = jiffies;
	unsigned int z;
	bool again;
	int b;

	for (b = 0; b < IDM_GC_BATCHES; b++) {
		again = false;
		spin_lock_bh(&lb->flow_lock);
		for (z = 0; z < IDM_ZONES; z++)
			again |= idm_flow_gc_zone(lb, &lb->zone[z],
						  idm_zone_limit(in, z), b, now);
		spin_unlock_bh(&lb->flow_lock);
		if (!again)
			break;
		cond_resched();
	}

	spin_lock_bh(&lb->flow_lock);
	again = idm_flows_total(lb) || READ_ONCE(lb->nvips);
	spin_unlock_bh(&lb->flow_lock);
	if (again)
		queue_delayed_work(system_power_efficient_wq, &lb->gc, HZ);
}

void idm_flow_gc_start(struct idm_lb *lb)
{
	mod_delayed_work(system_power_efficient_wq, &lb->gc, HZ);
}

int idm_flow_init(struct idm_lb *lb)
{
	spin_lock_init(&lb->flow_lock);
	unsigned int z;

	for (z = 0; z < IDM_ZONES; z++) {
		INIT_LIST_HEAD(&lb->zone[z].lru);
		lb->zone[z].n = 0;
		atomic64_set(&lb->zone[z].evicted, 0);
		atomic64_set(&lb->zone[z].expired, 0);
		atomic64_set(&lb->zone[z].failed, 0);
	}
	atomic_set(&lb->nat_flows, 0);
	INIT_DELAYED_WORK(&lb->gc, idm_flow_gc);
	return rhashtable_init(&lb->flows, &idm_flow_params);
}

/* The namespace is going: no hooks, no VIPs, so no flows remain. */
void idm_flow_destroy(struct idm_lb *lb)
{
	cancel_delayed_work_sync(&lb->gc);
	WARN_ON_ONCE(idm_flows_total(lb));
	rhashtable_destroy(&lb->flows);
}
