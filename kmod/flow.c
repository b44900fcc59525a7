// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the per-namespace flow table of the load balancer. It remembers
 * which backend each flow went to, so established flows keep their
 * backend when the backend set changes. Bounded by the namespace's
 * flow-limit: when full, the entry longest unlooked-at makes room
 * (expired entries first, recently active ones get a second chance).
 * Lookups are lockless (rhashtable under RCU); changes take flow_lock.
 */
#include <linux/kernel.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/jiffies.h>
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
		atomic_dec(&lb->nat_flows);
	}
	list_del(&f->lru);
	f->dead = true;
	lb->nflows--;
	atomic_dec(&f->vip->flows);
	atomic_dec(&f->be->flows);
	kfree_rcu(f, rcu);
}

/* Make room for one entry. */
static void idm_flow_evict_one(struct idm_lb *lb, unsigned long now)
{
	struct idm_flow *f;
	int i;

	for (i = 0; i < IDM_EVICT_TRIES && !list_empty(&lb->flow_lru); i++) {
		f = list_first_entry(&lb->flow_lru, struct idm_flow, lru);
		if (idm_flow_expired(lb, f, now)) {
			idm_flow_unlink(lb, f);
			atomic64_inc(&lb->expired);
			return;
		}
		if (time_before(now, READ_ONCE(f->last) + HZ)) {
			/* Active in the last second: second chance. */
			list_move_tail(&f->lru, &lb->flow_lru);
			continue;
		}
		idm_flow_unlink(lb, f);
		atomic64_inc(&lb->evicted);
		return;
	}
	if (!list_empty(&lb->flow_lru)) {
		f = list_first_entry(&lb->flow_lru, struct idm_flow, lru);
		idm_flow_unlink(lb, f);
		atomic64_inc(&lb->evicted);
	}
}

struct idm_flow *idm_flow_insert(struct idm_lb *lb, u32 limit,
				 const struct idm_flow_key *orig,
				 const struct idm_flow_key *reply,
				 struct idm_vip *vip, struct idm_backend *be,
				 u8 state)
{
	struct idm_flow_node *old;
	struct idm_flow *f;
	int err;

	f = kzalloc(sizeof(*f), GFP_ATOMIC);
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->n[0].key = *orig;
	f->n[0].dir = 0;
	if (reply) {
		f->n[1].key = *reply;
		f->n[1].dir = 1;
		f->nat = true;
	}
	f->vip = vip;
	f->be = be;
	f->state = state;
	f->last = jiffies;

	spin_lock_bh(&lb->flow_lock);
	if (READ_ONCE(vip->removed) || READ_ONCE(be->removed)) {
		err = -EAGAIN;
		goto err_unlock;
	}
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
	if (reply) {
		err = rhashtable_lookup_insert_fast(&lb->flows, &f->n[1].node,
						    idm_flow_params);
		if (err) {
			rhashtable_remove_fast(&lb->flows, &f->n[0].node,
					       idm_flow_params);
			goto err_unlock_rcu;
		}
		atomic_inc(&lb->nat_flows);
	}
	/* Two at most: a lowered limit is reached over a few inserts. */
	if (lb->nflows >= limit)
		idm_flow_evict_one(lb, f->last);
	if (lb->nflows >= limit)
		idm_flow_evict_one(lb, f->last);
	list_add_tail(&f->lru, &lb->flow_lru);
	lb->nflows++;
	atomic_inc(&vip->flows);
	atomic_inc(&be->flows);
	spin_unlock_bh(&lb->flow_lock);
	return f;

err_unlock_rcu:
	/* f->n[0] was visible to lookups for a moment. */
	spin_unlock_bh(&lb->flow_lock);
	kfree_rcu(f, rcu);
	return ERR_PTR(err);
err_unlock:
	spin_unlock_bh(&lb->flow_lock);
	kfree(f);
	return ERR_PTR(err);
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
	list_for_each_entry_safe(f, tmp, &lb->flow_lru, lru)
		if (be ? f->be == be : f->vip == vip)
			idm_flow_unlink(lb, f);
	spin_unlock_bh(&lb->flow_lock);
}

static void idm_flow_gc(struct work_struct *work)
{
	struct idm_lb *lb = container_of(to_delayed_work(work), struct idm_lb,
					 gc);
	struct idmesh_net *in = container_of(lb, struct idmesh_net, lb);
	unsigned long now = jiffies;
	bool again;
	int b, i;

	for (b = 0; b < IDM_GC_BATCHES; b++) {
		spin_lock_bh(&lb->flow_lock);
		/* A lowered flow-limit: trim to it. */
		for (i = 0; i < IDM_GC_BATCH && lb->nflows > READ_ONCE(in->flow_limit);
		     i++)
			idm_flow_evict_one(lb, now);
		for (i = 0; i < IDM_GC_BATCH && i < lb->nflows; i++) {
			struct idm_flow *f;

			f = list_first_entry(&lb->flow_lru, struct idm_flow,
					     lru);
			if (idm_flow_expired(lb, f, now)) {
				idm_flow_unlink(lb, f);
				atomic64_inc(&lb->expired);
			} else {
				list_move_tail(&f->lru, &lb->flow_lru);
			}
		}
		again = lb->nflows > (b + 1) * IDM_GC_BATCH;
		spin_unlock_bh(&lb->flow_lock);
		if (!again)
			break;
		cond_resched();
	}

	spin_lock_bh(&lb->flow_lock);
	again = lb->nflows || READ_ONCE(lb->nvips);
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
	INIT_LIST_HEAD(&lb->flow_lru);
	lb->nflows = 0;
	atomic_set(&lb->nat_flows, 0);
	atomic64_set(&lb->evicted, 0);
	atomic64_set(&lb->expired, 0);
	atomic64_set(&lb->failed, 0);
	INIT_DELAYED_WORK(&lb->gc, idm_flow_gc);
	return rhashtable_init(&lb->flows, &idm_flow_params);
}

/* The namespace is going: no hooks, no VIPs, so no flows remain. */
void idm_flow_destroy(struct idm_lb *lb)
{
	cancel_delayed_work_sync(&lb->gc);
	WARN_ON_ONCE(lb->nflows);
	rhashtable_destroy(&lb->flows);
}
