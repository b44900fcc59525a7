// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: Maglev-hashed virtual services: the VIP table and each VIP's
 * backends. They change under the namespace's config mutex (the netlink
 * layer, netlink_lb.c, holds it and checks requests first); each change
 * builds a new lookup table off the packet path and publishes it with
 * one RCU pointer swap. A VIP that covers every port has one table, so a
 * backend change is one rebuild however many ports are in use.
 */
#include <linux/kernel.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/rculist.h>
#include <linux/sort.h>
#include <net/ipv6.h>
#include <uapi/linux/idmesh.h>

#include "compat.h"
#include "lb.h"
#include "maglev.h"

static u32 idm_vip_bucket(u8 family, const union nf_inet_addr *addr,
			  u8 proto, __be16 port)
{
	u32 h = jhash2(addr->all, 4, ((u32)family << 24) | ((u32)proto << 16) |
		       (__force u16)port);

	return hash_32(h, IDM_VIP_HASH_BITS);
}

static bool idm_vip_is(const struct idm_vip *v, u8 family,
		       const union nf_inet_addr *addr, u8 proto, __be16 port)
{
	return v->family == family && v->proto == proto && v->port == port &&
	       nf_inet_addr_cmp(&v->addr, addr);
}

/* The current table of a VIP, lb->lock held. */
#define idm_vip_table(lb, vip) \
	rcu_dereference_protected((vip)->table, lockdep_is_held((lb)->lock))

/* Under RCU or lb->lock: the VIP with exactly this identity. */
struct idm_vip *idm_vip_find(struct idm_lb *lb, u8 family,
			     const union nf_inet_addr *addr, u8 proto,
			     __be16 port)
{
	struct idm_vip *v;

	hlist_for_each_entry_rcu(v, &lb->vip_hash[idm_vip_bucket(family, addr,
								 proto, port)],
				 hnode, lockdep_is_held(lb->lock))
		if (idm_vip_is(v, family, addr, proto, port))
			return v;
	return NULL;
}

/* Packet path: the VIP for this destination port, else the all-ports one. */
struct idm_vip *idm_vip_lookup(struct idm_lb *lb, u8 family,
			       const union nf_inet_addr *addr, u8 proto,
			       __be16 port)
{
	struct idm_vip *v;

	v = idm_vip_find(lb, family, addr, proto, port);
	if (!v && port)
		v = idm_vip_find(lb, family, addr, proto, 0);
	return v;
}

/* Backends are kept sorted, so a set gives one table whatever the order. */
static int idm_backend_cmp(const union nf_inet_addr *a, __be16 ap,
			   const union nf_inet_addr *b, __be16 bp)
{
	int r = memcmp(a, b, sizeof(*a));

	if (r)
		return r;
	return (int)ntohs(ap) - (int)ntohs(bp);
}

struct idm_backend *idm_backend_find(struct idm_vip *vip,
				     const struct idm_id *id)
{
	struct idm_backend *be;

	list_for_each_entry(be, &vip->backends, list)
		if (!idm_backend_cmp(&be->addr, be->port, &id->addr, id->port))
			return be;
	return NULL;
}

static void idm_table_free(struct idm_table *t)
{
	if (!t)
		return;
	kvfree(t->slot);
	kvfree(t->counts);
	kvfree(t->be);
	kfree(t);
}

static void idm_table_free_rcu(struct rcu_head *head)
{
	idm_table_free(container_of(head, struct idm_table, rcu));
}

static void idm_backend_free(struct idm_backend *be)
{
	free_percpu(be->stats);
	kfree(be);
}

static void idm_backend_free_rcu(struct rcu_head *head)
{
	idm_backend_free(container_of(head, struct idm_backend, rcu));
}

/*
 * Build the table of vip from the n backends be[] (sorted by address and
 * port) with weights w[], and publish it. On failure nothing changed.
 * Caller holds lb->lock and makes the backend list agree after success.
 */
static int idm_vip_build(struct idm_lb *lb, struct idm_vip *vip,
			 struct idm_backend **be, const u32 *w, unsigned int n)
{
	struct idm_maglev_entry *e = NULL;
	struct idm_table *t, *old;
	u64 start = ktime_get_ns();
	u32 *scratch = NULL;
	unsigned int cap = n ?: 1, i;
	int err = -ENOMEM;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->size = vip->table_size;
	t->be = kvcalloc(cap, sizeof(*t->be), GFP_KERNEL_ACCOUNT);
	t->slot = kvmalloc_array(t->size, sizeof(*t->slot), GFP_KERNEL_ACCOUNT);
	t->counts = kvcalloc(cap, sizeof(*t->counts), GFP_KERNEL_ACCOUNT);
	e = kvcalloc(cap, sizeof(*e), GFP_KERNEL_ACCOUNT);
	scratch = kvcalloc(IDM_MAGLEV_SCRATCH(cap), sizeof(*scratch), GFP_KERNEL_ACCOUNT);
	if (!t->be || !t->slot || !t->counts || !e || !scratch)
		goto out;

	for (i = 0; i < n; i++) {
		struct idm_addr16 { u8 b[16]; } a;

		t->be[i] = be[i];
		if (vip->family == AF_INET)
			ipv6_addr_set_v4mapped(be[i]->addr.ip,
					       (struct in6_addr *)&a);
		else
			memcpy(&a, &be[i]->addr.in6, sizeof(a));
		idm_maglev_permutation(&a, be[i]->port, vip->family, t->size,
				       &e[i]);
		/* A backend that cannot be reached owns no slot. */
		e[i].weight = be[i]->down ? 0 : w[i];
	}
	t->n = n;
	t->active = idm_maglev_populate(e, n, t->size, t->slot, scratch);
	/* Counted once here: a dump (unprivileged) only reads them. */
	if (t->active)
		for (i = 0; i < t->size; i++)
			t->counts[t->slot[i]]++;
	old = idm_vip_table(lb, vip);
	t->gen = old ? old->gen + 1 : 1;

	rcu_assign_pointer(vip->table, t);
	vip->build_ns = ktime_get_ns() - start;
	vip->builds = t->gen;
	/* Read by the packet path to check a pinned client's backend. */
	for (i = 0; i < n; i++)
		WRITE_ONCE(t->be[i]->index, i);
	if (old)
		call_rcu(&old->rcu, idm_table_free_rcu);
	t = NULL;
	err = 0;
out:
	kvfree(scratch);
	kvfree(e);
	idm_table_free(t);
	return err;
}

/*
 * The table of vip for its backend list with one change: add (not on the
 * list yet), remove (on it), or reweight set to weight.
 */
static int idm_vip_rebuild(struct idm_lb *lb, struct idm_vip *vip,
			   struct idm_backend *add,
			   struct idm_backend *remove,
			   struct idm_backend *reweight, u32 weight)
{
	unsigned int n = 0, cap = vip->nbackends + 1;
	struct idm_backend **be, *pos;
	u32 *w;
	int err = -ENOMEM;

	be = kvcalloc(cap, sizeof(*be), GFP_KERNEL_ACCOUNT);
	w = kvcalloc(cap, sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!be || !w)
		goto out;
	list_for_each_entry(pos, &vip->backends, list) {
		if (add && idm_backend_cmp(&add->addr, add->port, &pos->addr,
					   pos->port) < 0) {
			w[n] = add->weight;
			be[n++] = add;
			add = NULL;
		}
		if (pos == remove)
			continue;
		w[n] = pos == reweight ? weight : pos->weight;
		be[n++] = pos;
	}
	if (add) {
		w[n] = add->weight;
		be[n++] = add;
	}
	err = idm_vip_build(lb, vip, be, w, n);
out:
	kvfree(w);
	kvfree(be);
	return err;
}

static void idm_vip_free(struct idm_vip *vip)
{
	struct idm_backend *be, *tmp;

	list_for_each_entry_safe(be, tmp, &vip->backends, list)
		idm_backend_free(be);
	/* Never published, or a grace period has passed: no reader. */
	idm_table_free(rcu_access_pointer(vip->table));
	free_percpu(vip->stats);
	kfree(vip);
}

static void idm_vip_free_rcu(struct rcu_head *head)
{
	idm_vip_free(container_of(head, struct idm_vip, rcu));
}

/*
 * The flow table's view of the LB's flows (its zone LB): a flow to a VIP
 * or backend that is going is not tracked, and each VIP and backend
 * counts its flows. Under the table's lock; priv is the idm_lb.
 */
static bool idm_lb_flow_admit(void *priv, const struct idm_flow *f)
{
	const struct idm_lb_flow *lf = container_of(f, struct idm_lb_flow, f);

	return !READ_ONCE(lf->vip->removed) && !READ_ONCE(lf->be->removed);
}

static void idm_lb_flow_added(void *priv, struct idm_flow *f)
{
	struct idm_lb_flow *lf = idm_lb_flow(f);
	struct idm_lb *lb = priv;

	if (f->reply)
		atomic_inc(&lb->nat_flows);
	atomic_inc(&lf->vip->flows);
	atomic_inc(&lf->be->flows);
}

static void idm_lb_flow_removed(void *priv, struct idm_flow *f)
{
	struct idm_lb_flow *lf = idm_lb_flow(f);
	struct idm_lb *lb = priv;

	if (f->reply)
		atomic_dec(&lb->nat_flows);
	atomic_dec(&lf->vip->flows);
	atomic_dec(&lf->be->flows);
}

static const struct idm_flow_zone_ops idm_lb_flow_ops = {
	.admit = idm_lb_flow_admit,
	.added = idm_lb_flow_added,
	.removed = idm_lb_flow_removed,
};

/*
 * The zone AFFINITY: a client pinned to a backend of a VIP with session
 * affinity. Admitted as a flow is; counted in its VIP's pinned; idle for
 * its VIP's affinity timeout at most. The VIP lives while the entry does
 * (idm_vip_remove() forgets its entries before freeing it).
 */
static void idm_lb_pin_added(void *priv, struct idm_flow *f)
{
	atomic_inc(&idm_lb_flow(f)->vip->pinned);
}

static void idm_lb_pin_removed(void *priv, struct idm_flow *f)
{
	atomic_dec(&idm_lb_flow(f)->vip->pinned);
}

static unsigned long idm_lb_pin_timeout(void *priv, const struct idm_flow *f)
{
	const struct idm_lb_flow *lf = container_of(f, struct idm_lb_flow, f);

	return (unsigned long)READ_ONCE(lf->vip->affinity) * HZ;
}

static const struct idm_flow_zone_ops idm_lb_pin_ops = {
	.admit = idm_lb_flow_admit,
	.added = idm_lb_pin_added,
	.removed = idm_lb_pin_removed,
	.timeout = idm_lb_pin_timeout,
};

/*
 * No new flow to vip (be NULL) or to its backend be from now on: once
 * this returns, no insert can track one (idm_flow_fence()).
 */
static void idm_lb_stop(struct idm_lb *lb, struct idm_vip *vip,
			struct idm_backend *be)
{
	lockdep_assert_held(lb->lock);
	if (be)
		WRITE_ONCE(be->removed, true);
	else
		WRITE_ONCE(vip->removed, true);
	idm_flow_fence(lb->flows);
}

static bool idm_lb_flow_stopped(const struct idm_flow *f, const void *vip)
{
	const struct idm_lb_flow *lf = container_of(f, struct idm_lb_flow, f);

	return lf->vip == vip && (lf->vip->removed || lf->be->removed);
}

/*
 * Forget the flows of vip to the backends stopped, or all when vip is,
 * and the clients pinned to them: one pass over each zone for a whole
 * change set (the backends stay allocated until it returns).
 */
static void idm_lb_forget(struct idm_lb *lb, struct idm_vip *vip)
{
	idm_flow_forget_if(lb->flows, IDM_ZONE_LB, idm_lb_flow_stopped, vip);
	if (atomic_read(&vip->pinned))
		idm_flow_forget_if(lb->flows, IDM_ZONE_AFFINITY,
				   idm_lb_flow_stopped, vip);
}

static bool idm_lb_pin_of(const struct idm_flow *f, const void *vip)
{
	return container_of(f, struct idm_lb_flow, f)->vip == vip;
}

void idm_vip_set_affinity(struct idm_lb *lb, struct idm_vip *vip, u32 seconds)
{
	lockdep_assert_held(lb->lock);
	WRITE_ONCE(vip->affinity, seconds);
	/* The packet path pins no client once it reads 0. */
	if (!seconds && atomic_read(&vip->pinned))
		idm_flow_forget_if(lb->flows, IDM_ZONE_AFFINITY, idm_lb_pin_of,
				   vip);
}

void idm_vip_remove(struct idm_lb *lb, struct idm_vip *vip)
{
	lockdep_assert_held(lb->lock);
	hlist_del_rcu(&vip->hnode);
	list_del(&vip->list);
	WRITE_ONCE(lb->nvips, lb->nvips - 1);
	idm_lb_stop(lb, vip, NULL);
	idm_lb_forget(lb, vip);
	call_rcu(&vip->rcu, idm_vip_free_rcu);
}

const u32 *idm_vip_slot_counts(struct idm_lb *lb, struct idm_vip *vip)
{
	return idm_vip_table(lb, vip)->counts;
}

struct idm_table *idm_vip_cur_table(struct idm_lb *lb, struct idm_vip *vip)
{
	return idm_vip_table(lb, vip);
}

struct idm_vip *idm_vip_add(struct idm_lb *lb, const struct idm_id *id,
			    u8 mode, u32 table_size)
{
	struct idm_vip *vip;
	int err;

	vip = kzalloc(sizeof(*vip), GFP_KERNEL_ACCOUNT);
	if (!vip)
		return ERR_PTR(-ENOMEM);
	vip->stats = netdev_alloc_pcpu_stats(struct idm_lb_stats);
	if (!vip->stats) {
		kfree(vip);
		return ERR_PTR(-ENOMEM);
	}
	vip->addr = id->addr;
	vip->family = id->family;
	vip->proto = id->proto;
	vip->port = id->port;
	vip->mode = mode;
	vip->table_size = table_size;
	INIT_LIST_HEAD(&vip->backends);
	atomic_set(&vip->flows, 0);
	atomic_set(&vip->pinned, 0);

	/* An empty table: packets are dropped and counted until backends. */
	err = idm_vip_rebuild(lb, vip, NULL, NULL, NULL, 0);
	if (err) {
		idm_vip_free(vip);
		return ERR_PTR(err);
	}
	list_add_tail(&vip->list, &lb->vips);
	lb->had_vips = true;
	WRITE_ONCE(lb->nvips, lb->nvips + 1);
	hlist_add_head_rcu(&vip->hnode,
			   &lb->vip_hash[idm_vip_bucket(id->family, &id->addr,
							id->proto, id->port)]);
	return vip;
}

static struct idm_backend *idm_backend_alloc(const struct idm_id *id,
					     u32 weight)
{
	struct idm_backend *be;

	be = kzalloc(sizeof(*be), GFP_KERNEL_ACCOUNT);
	if (!be)
		return NULL;
	be->stats = netdev_alloc_pcpu_stats(struct idm_lb_stats);
	if (!be->stats) {
		kfree(be);
		return NULL;
	}
	be->addr = id->addr;
	be->port = id->port;
	be->weight = weight;
	atomic_set(&be->flows, 0);
	return be;
}

int idm_backend_add(struct idm_lb *lb, struct idm_vip *vip,
		    const struct idm_id *id, u32 weight)
{
	struct idm_backend *be, *pos;
	int err;

	be = idm_backend_alloc(id, weight);
	if (!be)
		return -ENOMEM;
	err = idm_vip_rebuild(lb, vip, be, NULL, NULL, 0);
	if (err) {
		idm_backend_free(be);
		return err;
	}
	/* Insert sorted. */
	list_for_each_entry(pos, &vip->backends, list)
		if (idm_backend_cmp(&be->addr, be->port, &pos->addr,
				    pos->port) < 0)
			break;
	list_add_tail(&be->list, &pos->list);
	vip->nbackends++;
	return 0;
}

int idm_backend_remove(struct idm_lb *lb, struct idm_vip *vip,
		       struct idm_backend *be)
{
	int err;

	err = idm_vip_rebuild(lb, vip, NULL, be, NULL, 0);
	if (err)
		return err;
	list_del(&be->list);
	vip->nbackends--;
	/* Its flows pick again from the new table. */
	idm_lb_stop(lb, vip, be);
	idm_lb_forget(lb, vip);
	call_rcu(&be->rcu, idm_backend_free_rcu);
	return 0;
}

int idm_backend_set_weight(struct idm_lb *lb, struct idm_vip *vip,
			   struct idm_backend *be, u32 weight)
{
	int err;

	if (weight == be->weight)
		return 0;
	err = idm_vip_rebuild(lb, vip, NULL, NULL, be, weight);
	if (!err)
		be->weight = weight;
	return err;
}

static int idm_spec_cmp(const void *a, const void *b)
{
	const struct idm_backend_spec *x = a, *y = b;

	return idm_backend_cmp(&x->id.addr, x->id.port, &y->id.addr,
			       y->id.port);
}

/*
 * be[0..n) for the sorted set: the backends of vip that stay, new ones
 * (on fresh, not published) for the others.
 */
static int idm_backends_match(struct idm_vip *vip,
			      const struct idm_backend_spec *set,
			      unsigned int n, struct idm_backend **be,
			      struct list_head *fresh)
{
	struct idm_backend *pos;
	unsigned int i;

	pos = list_first_entry(&vip->backends, struct idm_backend, list);
	for (i = 0; i < n; i++) {
		const struct idm_id *id = &set[i].id;

		while (!list_entry_is_head(pos, &vip->backends, list) &&
		       idm_backend_cmp(&pos->addr, pos->port, &id->addr,
				       id->port) < 0)
			pos = list_next_entry(pos, list);
		if (!list_entry_is_head(pos, &vip->backends, list) &&
		    !idm_backend_cmp(&pos->addr, pos->port, &id->addr,
				     id->port)) {
			be[i] = pos;
			continue;
		}
		be[i] = idm_backend_alloc(id, set[i].weight);
		if (!be[i])
			return -ENOMEM;
		list_add_tail(&be[i]->list, fresh);
	}
	return 0;
}

int idm_backends_replace(struct idm_lb *lb, struct idm_vip *vip,
			 struct idm_backend_spec *set, unsigned int n,
			 struct netlink_ext_ack *extack)
{
	struct idm_backend **be, *pos, *tmp;
	LIST_HEAD(fresh);
	LIST_HEAD(next);
	unsigned int i;
	u32 *w = NULL;
	int err;

	sort(set, n, sizeof(*set), idm_spec_cmp, NULL);
	for (i = 1; i < n; i++)
		if (!idm_spec_cmp(&set[i - 1], &set[i])) {
			NL_SET_ERR_MSG(extack, "A backend is given twice");
			return -EINVAL;
		}
	err = -ENOMEM;
	be = kvcalloc(n ?: 1, sizeof(*be), GFP_KERNEL_ACCOUNT);
	w = kvcalloc(n ?: 1, sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!be || !w)
		goto out;
	for (i = 0; i < n; i++)
		w[i] = set[i].weight;
	err = idm_backends_match(vip, set, n, be, &fresh);
	if (!err)
		err = idm_vip_build(lb, vip, be, w, n);
	if (err) {
		/* Never published: no reader saw them. */
		list_for_each_entry_safe(pos, tmp, &fresh, list)
			idm_backend_free(pos);
		goto out;
	}
	/* The new table is out: the list follows, sorted as the set. */
	for (i = 0; i < n; i++) {
		be[i]->weight = w[i];
		list_move_tail(&be[i]->list, &next);
	}
	/* What is left on the list goes; its flows pick again (one pass). */
	list_for_each_entry(pos, &vip->backends, list)
		idm_lb_stop(lb, vip, pos);
	if (!list_empty(&vip->backends))
		idm_lb_forget(lb, vip);
	list_for_each_entry_safe(pos, tmp, &vip->backends, list) {
		list_del(&pos->list);
		call_rcu(&pos->rcu, idm_backend_free_rcu);
	}
	list_splice(&next, &vip->backends);
	vip->nbackends = n;
out:
	kvfree(w);
	kvfree(be);
	return err;
}

int idm_vip_reweigh(struct idm_lb *lb, struct idm_vip *vip)
{
	return idm_vip_rebuild(lb, vip, NULL, NULL, NULL, 0);
}

/* Every VIP gone (lb->lock); the caller syncs the hooks. */
void idm_lb_flush(struct idm_lb *lb)
{
	struct idm_vip *vip, *tmp;

	list_for_each_entry_safe(vip, tmp, &lb->vips, list)
		idm_vip_remove(lb, vip);
}

int idm_lb_net_init(struct idm_lb *lb, struct net *net, struct mutex *lock,
		    struct idm_flow_table *flows)
{
	struct idm_hash_key *hk;
	int i;

	lb->net = net;
	lb->lock = lock;
	lb->flows = flows;
	atomic_set(&lb->nat_flows, 0);
	idm_flow_zone_set(flows, IDM_ZONE_LB, &idm_lb_flow_ops, lb);
	idm_flow_zone_set(flows, IDM_ZONE_AFFINITY, &idm_lb_pin_ops, lb);
	for (i = 0; i < ARRAY_SIZE(lb->vip_hash); i++)
		INIT_HLIST_HEAD(&lb->vip_hash[i]);
	INIT_LIST_HEAD(&lb->vips);
	lb->nvips = 0;
	lb->hooks = false;
	hk = kzalloc(sizeof(*hk), GFP_KERNEL_ACCOUNT);
	if (!hk)
		return -ENOMEM;
	get_random_bytes(&hk->key, sizeof(hk->key));
	RCU_INIT_POINTER(lb->hkey, hk);
	return 0;
}

/* After idm_lb_flush() and the hooks: every VIP is freed after RCU. */
void idm_lb_net_exit(struct idm_lb *lb)
{
	WARN_ON_ONCE(!list_empty(&lb->vips));
	/* No hooks: no reader is left but those in a grace period. */
	kfree_rcu(rcu_dereference_protected(lb->hkey, true), rcu);
}

int idm_lb_set_key(struct idm_lb *lb, const u8 *key)
{
	struct idm_hash_key *hk, *old;

	hk = kzalloc(sizeof(*hk), GFP_KERNEL_ACCOUNT);
	if (!hk)
		return -ENOMEM;
	BUILD_BUG_ON(sizeof(hk->key) != IDMESH_HASH_KEY_LEN);
	memcpy(&hk->key, key, sizeof(hk->key));
	old = rcu_replace_pointer(lb->hkey, hk, lockdep_is_held(lb->lock));
	kfree_rcu(old, rcu);
	return 0;
}

void idm_lb_get_key(struct idm_lb *lb, u8 *key)
{
	rcu_read_lock();
	memcpy(key, &rcu_dereference(lb->hkey)->key, IDMESH_HASH_KEY_LEN);
	rcu_read_unlock();
}
