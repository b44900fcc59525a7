// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the peers of an external remote link. One device carries the
 * node's traffic to every other node: each packet goes to the peer whose
 * prefix (a node's pod CIDR) holds its inner destination, longest prefix
 * first, as Geneve's collect-metadata mode with a route per node would;
 * packets are received from any peer's address. Peers are immutable once
 * published: a change replaces one. Writers hold RTNL; the packet path
 * reads under RCU. Lookups are bounded: one hash probe per prefix length
 * in use (at most 33 for IPv4, 129 for IPv6).
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/bitmap.h>
#include <linux/rtnetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <uapi/linux/idmesh.h>

#include "link.h"

#define IDM_XPEER_BITS	10

struct idm_xpeer {
	struct hlist_node node;		/* xp->pfx[], RCU readers */
	struct hlist_node rnode;	/* xp->rem[], RCU readers */
	struct list_head list;		/* xp->all, RTNL */
	struct rcu_head rcu;
	struct idm_xpeer_spec s;
};

struct idm_xpeers {
	struct hlist_head pfx[1 << IDM_XPEER_BITS];	/* by prefix and length */
	struct hlist_head rem[1 << IDM_XPEER_BITS];	/* by remote */
	struct list_head all;		/* in order of addition, RTNL */
	unsigned int n;			/* RTNL */
	/*
	 * Peers per prefix length (RTNL); the lengths in use (atomic bits),
	 * bit i for length max - i, so that readers walk the set bits alone,
	 * longest first.
	 */
	unsigned int per_len4[33], per_len6[129];
	DECLARE_BITMAP(lens4, 33);
	DECLARE_BITMAP(lens6, 129);
};

static bool idm_addr_eq(const union idm_addr *a, const union idm_addr *b,
			bool v6)
{
	return v6 ? ipv6_addr_equal(&a->v6, &b->v6) : a->v4 == b->v4;
}

static u32 idm_pfx_hash(const union idm_addr *p, bool v6, unsigned int len)
{
	return jhash(p, v6 ? sizeof(p->v6) : sizeof(p->v4), len | v6 << 8) &
	       ((1 << IDM_XPEER_BITS) - 1);
}

static u32 idm_rem_hash(const union idm_addr *r, bool v6)
{
	return jhash(r, v6 ? sizeof(r->v6) : sizeof(r->v4), 0) &
	       ((1 << IDM_XPEER_BITS) - 1);
}

int idm_xpeers_alloc(struct idm_link *l)
{
	struct idm_xpeers *xp;
	unsigned int i;

	xp = kvzalloc(sizeof(*xp), GFP_KERNEL_ACCOUNT);
	if (!xp)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(xp->pfx); i++) {
		INIT_HLIST_HEAD(&xp->pfx[i]);
		INIT_HLIST_HEAD(&xp->rem[i]);
	}
	INIT_LIST_HEAD(&xp->all);
	l->xp = xp;
	return 0;
}

void idm_xpeers_free(struct idm_link *l)
{
	struct idm_xpeer *p, *tmp;

	if (!l->xp)
		return;
	list_for_each_entry_safe(p, tmp, &l->xp->all, list)
		kfree(p);
	kvfree(l->xp);
	l->xp = NULL;
}

/* The peer of exactly s's prefix, or NULL. RTNL. */
static struct idm_xpeer *idm_xpeer_find(struct idm_xpeers *xp,
					const struct idm_xpeer_spec *s)
{
	struct idm_xpeer *p;

	hlist_for_each_entry(p, &xp->pfx[idm_pfx_hash(&s->prefix, s->ipv6, s->len)],
			     node)
		if (p->s.len == s->len && p->s.ipv6 == s->ipv6 &&
		    idm_addr_eq(&p->s.prefix, &s->prefix, s->ipv6))
			return p;
	return NULL;
}

/* One peer of s's length more (delta 1) or fewer (-1); RTNL. */
static void idm_xpeer_count_len(struct idm_xpeers *xp,
				const struct idm_xpeer_spec *s, int delta)
{
	unsigned int *per = s->ipv6 ? xp->per_len6 : xp->per_len4;
	unsigned long *lens = s->ipv6 ? xp->lens6 : xp->lens4;
	unsigned int bit = (s->ipv6 ? 128 : 32) - s->len;

	per[s->len] += delta;
	if (delta > 0 && per[s->len] == 1)
		set_bit(bit, lens);
	else if (delta < 0 && !per[s->len])
		clear_bit(bit, lens);
}

static void idm_xpeer_unlink(struct idm_xpeer *p)
{
	hlist_del_rcu(&p->node);
	hlist_del_rcu(&p->rnode);
	list_del(&p->list);
	kfree_rcu(p, rcu);
}

int idm_xpeer_set(struct idm_link *l, const struct idm_xpeer_spec *s,
		  struct netlink_ext_ack *extack)
{
	struct idm_xpeers *xp = l->xp;
	struct idm_xpeer *p, *old;

	ASSERT_RTNL();
	old = idm_xpeer_find(xp, s);
	if (!old && xp->n >= IDMESH_LINK_PEERS_MAX) {
		NL_SET_ERR_MSG(extack, "The link has as many peers as it may (65536)");
		return -ENOSPC;
	}
	p = kmalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->s = *s;
	hlist_add_head_rcu(&p->rnode, &xp->rem[idm_rem_hash(&s->remote, l->ipv6)]);
	hlist_add_head_rcu(&p->node, &xp->pfx[idm_pfx_hash(&s->prefix, s->ipv6, s->len)]);
	if (old) {
		/* Readers find the one or the other, never none. */
		list_add(&p->list, &old->list);
		idm_xpeer_unlink(old);
		return 0;
	}
	list_add_tail(&p->list, &xp->all);
	xp->n++;
	idm_xpeer_count_len(xp, s, 1);
	return 0;
}

int idm_xpeer_del(struct idm_link *l, const struct idm_xpeer_spec *s,
		  struct netlink_ext_ack *extack)
{
	struct idm_xpeers *xp = l->xp;
	struct idm_xpeer *p;

	ASSERT_RTNL();
	p = idm_xpeer_find(xp, s);
	if (!p) {
		NL_SET_ERR_MSG(extack, "The link has no peer for this prefix");
		return -ENOENT;
	}
	idm_xpeer_unlink(p);
	xp->n--;
	idm_xpeer_count_len(xp, s, -1);
	return 0;
}

bool idm_xpeer_route(const struct idm_link *l, struct sk_buff *skb,
		     union idm_addr *remote)
{
	const struct idm_xpeers *xp = l->xp;
	bool v6 = skb->protocol == htons(ETH_P_IPV6);
	const unsigned long *lens = v6 ? xp->lens6 : xp->lens4;
	unsigned int max = v6 ? 128 : 32, bit, len;
	union idm_addr dst, m;
	struct idm_xpeer *p;

	memset(&dst, 0, sizeof(dst));
	if (v6)
		dst.v6 = ipv6_hdr(skb)->daddr;
	else
		dst.v4 = ip_hdr(skb)->daddr;
	for_each_set_bit(bit, lens, max + 1) {
		len = max - bit;
		idm_addr_mask(&m, &dst, v6, len);
		hlist_for_each_entry_rcu(p, &xp->pfx[idm_pfx_hash(&m, v6, len)], node) {
			if (p->s.len == len && p->s.ipv6 == v6 &&
			    idm_addr_eq(&p->s.prefix, &m, v6)) {
				*remote = p->s.remote;
				return true;
			}
		}
	}
	return false;
}

bool idm_xpeer_known(const struct idm_link *l, const union idm_addr *addr)
{
	struct idm_xpeer *p;

	hlist_for_each_entry_rcu(p, &l->xp->rem[idm_rem_hash(addr, l->ipv6)], rnode)
		if (idm_addr_eq(&p->s.remote, addr, l->ipv6))
			return true;
	return false;
}

unsigned int idm_xpeer_count(const struct idm_link *l)
{
	ASSERT_RTNL();
	return l->xp->n;
}

unsigned int idm_xpeer_walk(const struct idm_link *l, unsigned int skip,
			    int (*fill)(void *arg, const struct idm_xpeer_spec *s),
			    void *arg)
{
	const struct idm_xpeer *p;
	unsigned int i = 0, done = 0;

	ASSERT_RTNL();
	list_for_each_entry(p, &l->xp->all, list) {
		if (i++ < skip)
			continue;
		if (fill(arg, &p->s))
			break;
		done++;
	}
	return done;
}
