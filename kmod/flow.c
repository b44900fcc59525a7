// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the per-namespace flow table. Its users (the load balancer,
 * which keeps established flows on their backend when the backend set
 * changes, and the SACL gateway, which keeps a connection's IDs) embed
 * a flow in entries of their own. Each zone is bounded by its own limit
 * (flow-limit, sacl-flow-limit): when a zone is full, its entry longest
 * unlooked-at makes room (expired entries first, recently active ones
 * get a second chance); the other zone is never touched. Lookups are
 * lockless (rhashtable under RCU); changes take the table's lock.
 */
#include <linux/kernel.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/jiffies.h>
#include <linux/workqueue.h>
#include <net/tcp.h>
#include <uapi/linux/in.h>
#include <uapi/linux/idmesh.h>

#include "flow.h"

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

struct idm_flow *idm_flow_lookup(struct idm_flow_table *ft,
				 const struct idm_flow_key *k, u8 *dir)
{
	struct idm_flow_node *n;

	n = rhashtable_lookup(&ft->ht, k, idm_flow_params);
	if (!n)
		return NULL;
	*dir = n->dir;
	return idm_flow_of(n);
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

static unsigned long idm_flow_timeout(const struct idm_flow_table *ft,
				      const struct idm_flow *f)
{
	const struct idm_flow_zone *z = &ft->zone[f->zone];
	enum idm_timeout t;

	if (z->ops && z->ops->timeout)
		return z->ops->timeout(z->priv, f);
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
	return (unsigned long)READ_ONCE(ft->timeout[t]) * HZ;
}

static bool idm_flow_expired(const struct idm_flow_table *ft, const struct idm_flow *f,
			     unsigned long now)
{
	return time_after(now, READ_ONCE(f->last) + idm_flow_timeout(ft, f));
}

static void idm_flow_unlink(struct idm_flow_table *ft, struct idm_flow *f)
{
	struct idm_flow_zone *z = &ft->zone[f->zone];

	lockdep_assert_held(&ft->lock);
	rhashtable_remove_fast(&ft->ht, &f->n[0].node, idm_flow_params);
	if (f->reply)
		rhashtable_remove_fast(&ft->ht, &f->n[1].node,
				       idm_flow_params);
	list_del(&f->lru);
	if (f->owner) {
		list_del(&f->olru);
		WRITE_ONCE(f->owner->n, f->owner->n - 1);
	}
	f->dead = true;
	WRITE_ONCE(z->n, z->n - 1);
	if (z->ops && z->ops->removed)
		z->ops->removed(z->priv, f);
	/* The first member of its zone's entry: that goes with it. */
	kfree_rcu(f, rcu);
}

/* The oldest entry of a zone's LRU list, or of an owner's (own). */
static struct idm_flow *idm_flow_oldest(struct list_head *lru, bool own)
{
	return own ? list_first_entry(lru, struct idm_flow, olru) :
		     list_first_entry(lru, struct idm_flow, lru);
}

/*
 * Make room for one entry (table lock): the oldest of the list lru (a
 * zone's, or an owner's when own) that expired, else that was not active
 * in the last second (a second chance), else the oldest; counted in
 * expired or evicted.
 */
static void idm_flow_evict(struct idm_flow_table *ft, struct list_head *lru, bool own,
			   atomic64_t *expired, atomic64_t *evicted, unsigned long now)
{
	struct idm_flow *f;
	int i;

	for (i = 0; i < IDM_EVICT_TRIES && !list_empty(lru); i++) {
		f = idm_flow_oldest(lru, own);
		if (idm_flow_expired(ft, f, now)) {
			idm_flow_unlink(ft, f);
			atomic64_inc(expired);
			return;
		}
		if (!time_before(now, READ_ONCE(f->last) + HZ))
			break;
		list_move_tail(own ? &f->olru : &f->lru, lru);
	}
	if (!list_empty(lru)) {
		idm_flow_unlink(ft, idm_flow_oldest(lru, own));
		atomic64_inc(evicted);
	}
}

/* Make room for one entry in zone z. */
static void idm_flow_evict_one(struct idm_flow_table *ft, struct idm_flow_zone *z,
			       unsigned long now)
{
	idm_flow_evict(ft, &z->lru, false, &z->expired, &z->evicted, now);
}

/*
 * Make room for one flow of owner o: its own oldest goes (an expired one
 * counted in zone z's expired, whose flows o's are).
 */
static void idm_flow_evict_own(struct idm_flow_table *ft, struct idm_flow_owner *o,
			       struct idm_flow_zone *z, unsigned long now)
{
	idm_flow_evict(ft, &o->lru, true, &z->expired, &o->evicted, now);
}

/* Flows of every zone (table lock). */
static unsigned int idm_flows_total(const struct idm_flow_table *ft)
{
	unsigned int z, n = 0;

	for (z = 0; z < IDM_ZONES; z++)
		n += ft->zone[z].n;
	return n;
}

void idm_flow_prepare(struct idm_flow *f, const struct idm_flow_key *orig,
		      const struct idm_flow_key *reply, u8 zone, u8 state)
{
	f->n[0].key = *orig;
	f->n[0].key.zone = zone;
	f->n[0].dir = 0;
	if (reply) {
		f->n[1].key = *reply;
		f->n[1].key.zone = zone;
		f->n[1].dir = 1;
		f->reply = true;
	}
	f->zone = zone;
	f->state = state;
	f->last = jiffies;
}

struct idm_flow *idm_flow_insert(struct idm_flow_table *ft, struct idm_flow *f)
{
	struct idm_flow_zone *z = &ft->zone[f->zone];
	struct idm_flow_node *old;
	u32 limit;
	int err;

	spin_lock_bh(&ft->lock);
	/* Checked under the lock: see idm_flow_fence(). */
	if ((z->ops && z->ops->admit && !z->ops->admit(z->priv, f)) ||
	    (f->owner && f->owner->removed)) {
		spin_unlock_bh(&ft->lock);
		kfree(f);
		return ERR_PTR(-EAGAIN);
	}
	old = rhashtable_lookup_get_insert_fast(&ft->ht, &f->n[0].node,
						idm_flow_params);
	if (old) {
		/* Another CPU tracked it first (or no memory). */
		spin_unlock_bh(&ft->lock);
		kfree(f);
		if (IS_ERR(old))
			return ERR_CAST(old);
		return old->dir ? ERR_PTR(-EEXIST) : idm_flow_of(old);
	}
	if (f->reply) {
		err = rhashtable_lookup_insert_fast(&ft->ht, &f->n[1].node,
						    idm_flow_params);
		if (err) {
			rhashtable_remove_fast(&ft->ht, &f->n[0].node,
					       idm_flow_params);
			/* f->n[0] was visible to lookups for a moment. */
			spin_unlock_bh(&ft->lock);
			kfree_rcu(f, rcu);
			return ERR_PTR(err);
		}
	}
	limit = READ_ONCE(z->limit);
	if (f->owner) {
		u32 own = READ_ONCE(ft->port_limit);

		/* The owner's budget first: a full owner pays for itself. */
		if (f->owner->n >= own)
			idm_flow_evict_own(ft, f->owner, z, f->last);
		if (f->owner->n >= own)
			idm_flow_evict_own(ft, f->owner, z, f->last);
		list_add_tail(&f->olru, &f->owner->lru);
		WRITE_ONCE(f->owner->n, f->owner->n + 1);
	}
	/* Two at most: a lowered limit is reached over a few inserts. */
	if (z->n >= limit)
		idm_flow_evict_one(ft, z, f->last);
	if (z->n >= limit)
		idm_flow_evict_one(ft, z, f->last);
	if (!idm_flows_total(ft))
		queue_delayed_work(system_power_efficient_wq, &ft->gc, HZ);
	list_add_tail(&f->lru, &z->lru);
	WRITE_ONCE(z->n, z->n + 1);
	if (z->ops && z->ops->added)
		z->ops->added(z->priv, f);
	spin_unlock_bh(&ft->lock);
	return f;
}

void idm_flow_fence(struct idm_flow_table *ft)
{
	spin_lock_bh(&ft->lock);
	spin_unlock_bh(&ft->lock);
}

void idm_flow_owner_init(struct idm_flow_owner *o)
{
	INIT_LIST_HEAD(&o->lru);
	o->n = 0;
	o->removed = false;
	atomic64_set(&o->evicted, 0);
}

void idm_flow_forget_owner(struct idm_flow_table *ft, struct idm_flow_owner *o)
{
	bool more;
	int i;

	spin_lock_bh(&ft->lock);
	o->removed = true;
	for (;;) {
		for (i = 0; i < IDM_GC_BATCH && !list_empty(&o->lru); i++)
			idm_flow_unlink(ft, list_first_entry(&o->lru,
							     struct idm_flow, olru));
		more = !list_empty(&o->lru);
		spin_unlock_bh(&ft->lock);
		if (!more)
			return;
		cond_resched();
		spin_lock_bh(&ft->lock);
	}
}

void idm_flow_drop(struct idm_flow_table *ft, struct idm_flow *f)
{
	spin_lock_bh(&ft->lock);
	if (!f->dead)
		idm_flow_unlink(ft, f);
	spin_unlock_bh(&ft->lock);
}

/*
 * One pass over the zone, a batch per hold of the lock. Its list is taken
 * aside and given back entry by entry; meanwhile inserts, evictions and
 * the GC see only what was given back (or inserted since), and a flow
 * dropped by a packet leaves whichever list it is on.
 */
void idm_flow_forget_if(struct idm_flow_table *ft, u8 zone,
			bool (*gone)(const struct idm_flow *f, const void *arg),
			const void *arg)
{
	struct idm_flow_zone *z = &ft->zone[zone];
	struct idm_flow *f;
	LIST_HEAD(aside);
	int i;

	spin_lock_bh(&ft->lock);
	list_splice_init(&z->lru, &aside);
	for (;;) {
		for (i = 0; i < IDM_GC_BATCH && !list_empty(&aside); i++) {
			f = list_first_entry(&aside, struct idm_flow, lru);
			if (!gone || gone(f, arg))
				idm_flow_unlink(ft, f);
			else
				list_move_tail(&f->lru, &z->lru);
		}
		if (list_empty(&aside))
			break;
		spin_unlock_bh(&ft->lock);
		cond_resched();
		spin_lock_bh(&ft->lock);
	}
	spin_unlock_bh(&ft->lock);
}

/*
 * Batch b of a zone (table lock): trim it to a lowered limit, expire its
 * oldest. Returns whether the zone has more for batch b + 1.
 */
static bool idm_flow_gc_zone(struct idm_flow_table *ft, struct idm_flow_zone *z,
			     u32 limit, int b, unsigned long now)
{
	int i;

	for (i = 0; i < IDM_GC_BATCH && z->n > limit; i++)
		idm_flow_evict_one(ft, z, now);
	/* The list may be shorter than n while a scan has it aside. */
	for (i = 0; i < IDM_GC_BATCH && i < z->n && !list_empty(&z->lru); i++) {
		struct idm_flow *f;

		f = list_first_entry(&z->lru, struct idm_flow, lru);
		if (idm_flow_expired(ft, f, now)) {
			idm_flow_unlink(ft, f);
			atomic64_inc(&z->expired);
		} else {
			list_move_tail(&f->lru, &z->lru);
		}
	}
	return z->n > (b + 1) * IDM_GC_BATCH;
}

static void idm_flow_gc(struct work_struct *work)
{
	struct idm_flow_table *ft = container_of(to_delayed_work(work),
						 struct idm_flow_table, gc);
	unsigned long now = jiffies;
	unsigned int z;
	bool again;
	int b;

	for (b = 0; b < IDM_GC_BATCHES; b++) {
		again = false;
		spin_lock_bh(&ft->lock);
		for (z = 0; z < IDM_ZONES; z++)
			again |= idm_flow_gc_zone(ft, &ft->zone[z],
						  READ_ONCE(ft->zone[z].limit), b, now);
		spin_unlock_bh(&ft->lock);
		if (!again)
			break;
		cond_resched();
	}

	spin_lock_bh(&ft->lock);
	again = idm_flows_total(ft);
	spin_unlock_bh(&ft->lock);
	if (again)
		queue_delayed_work(system_power_efficient_wq, &ft->gc, HZ);
}

int idm_flow_init(struct idm_flow_table *ft)
{
	unsigned int z;

	spin_lock_init(&ft->lock);
	ft->timeout[IDM_TO_TCP_SYN] = IDMESH_TIMEOUT_TCP_SYN_DEFAULT;
	ft->timeout[IDM_TO_TCP] = IDMESH_TIMEOUT_TCP_DEFAULT;
	ft->timeout[IDM_TO_TCP_FIN] = IDMESH_TIMEOUT_TCP_FIN_DEFAULT;
	ft->timeout[IDM_TO_UDP] = IDMESH_TIMEOUT_UDP_DEFAULT;
	ft->timeout[IDM_TO_SCTP] = IDMESH_TIMEOUT_SCTP_DEFAULT;
	for (z = 0; z < IDM_ZONES; z++) {
		ft->zone[z].limit = IDMESH_FLOW_LIMIT_DEFAULT;
		INIT_LIST_HEAD(&ft->zone[z].lru);
		ft->zone[z].n = 0;
		atomic64_set(&ft->zone[z].evicted, 0);
		atomic64_set(&ft->zone[z].expired, 0);
		atomic64_set(&ft->zone[z].failed, 0);
	}
	ft->port_limit = IDMESH_SACL_PORT_FLOW_LIMIT_DEFAULT;
	INIT_DELAYED_WORK(&ft->gc, idm_flow_gc);
	return rhashtable_init(&ft->ht, &idm_flow_params);
}

void idm_flow_zone_set(struct idm_flow_table *ft, u8 zone,
		       const struct idm_flow_zone_ops *ops, void *priv)
{
	ft->zone[zone].ops = ops;
	ft->zone[zone].priv = priv;
}

/* The namespace is going: no hooks, no VIPs, no ports, so no flows. */
void idm_flow_destroy(struct idm_flow_table *ft)
{
	cancel_delayed_work_sync(&ft->gc);
	WARN_ON_ONCE(idm_flows_total(ft));
	rhashtable_destroy(&ft->ht);
}
