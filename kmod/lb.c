// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: Maglev-hashed virtual services. VIPs and backends are changed
 * over generic netlink under the namespace's config mutex; each change
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
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <uapi/linux/idmesh.h>

#include "compat.h"
#include "idmesh.h"
#include "lb.h"
#include "maglev.h"

/* What names a VIP or a backend: family, address, port (and protocol). */
struct idm_id {
	union nf_inet_addr addr;
	u8 family, proto;
	__be16 port;
};

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

/* VIPs, their backends and tables change under the namespace's lock. */
static inline struct mutex *idm_lb_lock(struct idm_lb *lb)
{
	return &container_of(lb, struct idm_net, lb)->lock;
}

/* The current table of a VIP, in->lock held. */
#define idm_vip_table(lb, vip) \
	rcu_dereference_protected((vip)->table, \
				  lockdep_is_held(idm_lb_lock(lb)))

/* Under RCU or in->lock: the VIP with exactly this identity. */
static struct idm_vip *idm_vip_find(struct idm_lb *lb, u8 family,
				    const union nf_inet_addr *addr, u8 proto,
				    __be16 port)
{
	struct idm_vip *v;

	hlist_for_each_entry_rcu(v, &lb->vip_hash[idm_vip_bucket(family, addr,
								 proto, port)],
				 hnode, lockdep_is_held(idm_lb_lock(lb)))
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

/* Parse an address pair of attributes (ADDR4 or ADDR6, exactly one). */
static int idm_parse_addr(struct nlattr *a4, struct nlattr *a6,
			  struct idm_id *id, struct nlattr *nest,
			  struct netlink_ext_ack *extack)
{
	memset(&id->addr, 0, sizeof(id->addr));
	if (a4 && a6) {
		NL_SET_ERR_MSG_ATTR(extack, a6,
				    "Give one address, IPv4 or IPv6, not both");
		return -EINVAL;
	}
	if (a4) {
		id->family = AF_INET;
		id->addr.ip = nla_get_in_addr(a4);
		if (ipv4_is_multicast(id->addr.ip) ||
		    ipv4_is_lbcast(id->addr.ip) ||
		    ipv4_is_zeronet(id->addr.ip)) {
			NL_SET_ERR_MSG_ATTR(extack, a4,
					    "Address must be a unicast address");
			return -EINVAL;
		}
	} else if (a6) {
		id->family = AF_INET6;
		id->addr.in6 = nla_get_in6_addr(a6);
		if (ipv6_addr_any(&id->addr.in6) ||
		    ipv6_addr_is_multicast(&id->addr.in6)) {
			NL_SET_ERR_MSG_ATTR(extack, a6,
					    "Address must be a unicast address");
			return -EINVAL;
		}
	} else {
		NL_SET_ERR_MSG_ATTR(extack, nest, "An address is required");
		return -EINVAL;
	}
	return 0;
}

/*
 * The VIP named by IDMESH_A_VIP: address, protocol, port. With new set,
 * table size and mode are allowed too (the caller reads them).
 */
static int idm_parse_vip(struct genl_info *info, struct nlattr **tb,
			 struct idm_id *id, bool new)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[IDMESH_A_VIP];
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "Missing the VIP (IDMESH_A_VIP)");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, IDMESH_VIP_A_MAX, nest, idm_vip_policy,
			       extack);
	if (err)
		return err;
	err = idm_parse_addr(tb[IDMESH_VIP_A_ADDR4], tb[IDMESH_VIP_A_ADDR6],
			     id, nest, extack);
	if (err)
		return err;
	if (!tb[IDMESH_VIP_A_PROTO]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "A VIP needs a protocol: tcp, udp or sctp");
		return -EINVAL;
	}
	id->proto = nla_get_u8(tb[IDMESH_VIP_A_PROTO]);
	if (id->proto != IPPROTO_TCP && id->proto != IPPROTO_UDP &&
	    id->proto != IPPROTO_SCTP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_VIP_A_PROTO],
				    "Protocol must be tcp, udp or sctp");
		return -EINVAL;
	}
	id->port = tb[IDMESH_VIP_A_PORT] ?
		   htons(nla_get_u16(tb[IDMESH_VIP_A_PORT])) : 0;
	if (!new && (tb[IDMESH_VIP_A_TABLE_SIZE] || tb[IDMESH_VIP_A_MODE])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_VIP_A_TABLE_SIZE] ?:
				    tb[IDMESH_VIP_A_MODE],
				    "Table size and mode are set when the VIP is added");
		return -EINVAL;
	}
	return 0;
}

static int idm_parse_backend(struct genl_info *info, struct nlattr **tb,
			     struct idm_id *id, const struct idm_vip *vip)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[IDMESH_A_BACKEND];
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(extack,
			       "Missing the backend (IDMESH_A_BACKEND)");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, IDMESH_BACKEND_A_MAX, nest,
			       idm_backend_policy, extack);
	if (err)
		return err;
	err = idm_parse_addr(tb[IDMESH_BACKEND_A_ADDR4],
			     tb[IDMESH_BACKEND_A_ADDR6], id, nest, extack);
	if (err)
		return err;
	if (id->family == AF_INET && vip->family != AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_BACKEND_A_ADDR4],
				    "IPv4 backend for an IPv6 VIP");
		return -EINVAL;
	}
	if (id->family == AF_INET6 && vip->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_BACKEND_A_ADDR6],
				    "IPv6 backend for an IPv4 VIP");
		return -EINVAL;
	}
	id->proto = vip->proto;
	id->port = tb[IDMESH_BACKEND_A_PORT] ?
		   htons(nla_get_u16(tb[IDMESH_BACKEND_A_PORT])) : 0;
	return 0;
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

static struct idm_backend *idm_backend_find(struct idm_vip *vip,
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
 * Build the table of vip for its backend list with one change: add (not
 * on the list yet), remove (on it), or reweight set to weight. Publishes
 * it on success; on failure nothing changed. Caller holds in->lock and
 * applies the change to the list after success.
 */
static int idm_vip_rebuild(struct idm_lb *lb, struct idm_vip *vip,
			   struct idm_backend *add,
			   struct idm_backend *remove,
			   struct idm_backend *reweight, u32 weight)
{
	struct idm_maglev_entry *e = NULL;
	unsigned int n = 0, cap, i;
	struct idm_backend *be;
	struct idm_table *t, *old;
	u64 start = ktime_get_ns();
	u32 *scratch = NULL;
	int err = -ENOMEM;

	cap = vip->nbackends + 1;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->size = vip->table_size;
	t->be = kvcalloc(cap, sizeof(*t->be), GFP_KERNEL);
	t->slot = kvmalloc_array(t->size, sizeof(*t->slot), GFP_KERNEL);
	e = kvcalloc(cap, sizeof(*e), GFP_KERNEL);
	scratch = kvcalloc(2 * cap, sizeof(*scratch), GFP_KERNEL);
	if (!t->be || !t->slot || !e || !scratch)
		goto out;

	list_for_each_entry(be, &vip->backends, list) {
		if (add && idm_backend_cmp(&add->addr, add->port, &be->addr,
					   be->port) < 0) {
			t->be[n++] = add;
			add = NULL;
		}
		if (be != remove)
			t->be[n++] = be;
	}
	if (add)
		t->be[n++] = add;

	for (i = 0; i < n; i++) {
		struct idm_addr16 { u8 b[16]; } a;

		be = t->be[i];
		if (vip->family == AF_INET)
			ipv6_addr_set_v4mapped(be->addr.ip,
					       (struct in6_addr *)&a);
		else
			memcpy(&a, &be->addr.in6, sizeof(a));
		idm_maglev_permutation(&a, be->port, vip->family, t->size,
				       &e[i]);
		e[i].weight = be == reweight ? weight : be->weight;
	}
	t->n = n;
	t->active = idm_maglev_populate(e, n, t->size, t->slot, scratch,
					scratch + cap);
	old = idm_vip_table(lb, vip);
	t->gen = old ? old->gen + 1 : 1;

	rcu_assign_pointer(vip->table, t);
	vip->build_ns = ktime_get_ns() - start;
	for (i = 0; i < n; i++)
		t->be[i]->index = i;
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

static void idm_vip_unlink(struct net *net, struct idm_net *in,
			   struct idm_vip *vip)
{
	struct idm_lb *lb = &in->lb;

	lockdep_assert_held(&in->lock);
	hlist_del_rcu(&vip->hnode);
	list_del(&vip->list);
	WRITE_ONCE(lb->nvips, lb->nvips - 1);
	idm_flow_forget(&in->flows, vip, NULL);
	if (!lb->nvips && lb->hooks) {
		idm_lb_hooks_unregister(net);
		lb->hooks = false;
	}
	call_rcu(&vip->rcu, idm_vip_free_rcu);
}

int idm_nl_vip_new(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct idm_net *in = idm_pernet(net);
	struct nlattr *tb[IDMESH_VIP_A_MAX + 1];
	struct idm_lb *lb = &in->lb;
	struct idm_vip *vip;
	struct idm_id id;
	int err;

	err = idm_parse_vip(info, tb, &id, true);
	if (err)
		return err;

	vip = kzalloc(sizeof(*vip), GFP_KERNEL);
	if (!vip)
		return -ENOMEM;
	vip->stats = netdev_alloc_pcpu_stats(struct idm_lb_stats);
	if (!vip->stats) {
		kfree(vip);
		return -ENOMEM;
	}
	vip->addr = id.addr;
	vip->family = id.family;
	vip->proto = id.proto;
	vip->port = id.port;
	vip->mode = tb[IDMESH_VIP_A_MODE] ? nla_get_u8(tb[IDMESH_VIP_A_MODE]) :
		    IDMESH_VIP_MODE_NAT;
	vip->table_size = tb[IDMESH_VIP_A_TABLE_SIZE] ?
			  nla_get_u32(tb[IDMESH_VIP_A_TABLE_SIZE]) :
			  IDMESH_TABLE_SIZE_DEFAULT;
	INIT_LIST_HEAD(&vip->backends);
	atomic_set(&vip->flows, 0);

	if (!idm_is_prime(vip->table_size)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_VIP_A_TABLE_SIZE],
				    "Table size must be a prime number");
		err = -EINVAL;
		goto err_free;
	}

	mutex_lock(&in->lock);
	if (idm_vip_find(lb, id.family, &id.addr, id.proto, id.port)) {
		NL_SET_ERR_MSG(info->extack, "VIP already exists");
		err = -EEXIST;
		goto err_unlock;
	}
	/* An empty table: packets are dropped and counted until backends. */
	err = idm_vip_rebuild(lb, vip, NULL, NULL, NULL, 0);
	if (err)
		goto err_unlock;
	if (!lb->hooks) {
		err = idm_lb_hooks_register(net);
		if (err) {
			NL_SET_ERR_MSG(info->extack,
				       "Cannot register the netfilter hooks");
			goto err_unlock;
		}
		lb->hooks = true;
	}
	list_add_tail(&vip->list, &lb->vips);
	WRITE_ONCE(lb->nvips, lb->nvips + 1);
	hlist_add_head_rcu(&vip->hnode,
			   &lb->vip_hash[idm_vip_bucket(id.family, &id.addr,
							id.proto, id.port)]);
	mutex_unlock(&in->lock);
	return 0;

err_unlock:
	mutex_unlock(&in->lock);
err_free:
	idm_vip_free(vip);
	return err;
}

static struct idm_vip *idm_vip_get_locked(struct genl_info *info,
					  struct idm_lb *lb, int *err)
{
	struct nlattr *tb[IDMESH_VIP_A_MAX + 1];
	struct idm_vip *vip;
	struct idm_id id;

	*err = idm_parse_vip(info, tb, &id, false);
	if (*err)
		return NULL;
	vip = idm_vip_find(lb, id.family, &id.addr, id.proto, id.port);
	if (!vip) {
		NL_SET_ERR_MSG(info->extack, "No such VIP");
		*err = -ENOENT;
	}
	return vip;
}

int idm_nl_vip_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct idm_net *in = idm_pernet(net);
	struct idm_vip *vip;
	int err;

	mutex_lock(&in->lock);
	vip = idm_vip_get_locked(info, &in->lb, &err);
	if (vip)
		idm_vip_unlink(net, in, vip);
	mutex_unlock(&in->lock);
	return err;
}

int idm_nl_backend_new(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	struct nlattr *tb[IDMESH_BACKEND_A_MAX + 1];
	struct idm_backend *be, *pos;
	struct idm_vip *vip;
	struct idm_id id;
	int err;

	mutex_lock(&in->lock);
	vip = idm_vip_get_locked(info, &in->lb, &err);
	if (!vip)
		goto out;
	err = idm_parse_backend(info, tb, &id, vip);
	if (err)
		goto out;
	if (idm_backend_find(vip, &id)) {
		NL_SET_ERR_MSG(info->extack,
			       "Backend already exists for this VIP");
		err = -EEXIST;
		goto out;
	}
	if (vip->nbackends >= IDMESH_BACKENDS_MAX) {
		NL_SET_ERR_MSG(info->extack, "Too many backends for one VIP");
		err = -ENOSPC;
		goto out;
	}
	if (vip->nbackends >= vip->table_size) {
		NL_SET_ERR_MSG(info->extack,
			       "Table size is too small for more backends");
		err = -ENOSPC;
		goto out;
	}
	err = -ENOMEM;
	be = kzalloc(sizeof(*be), GFP_KERNEL);
	if (!be)
		goto out;
	be->stats = netdev_alloc_pcpu_stats(struct idm_lb_stats);
	if (!be->stats) {
		kfree(be);
		goto out;
	}
	be->addr = id.addr;
	be->port = id.port;
	be->weight = tb[IDMESH_BACKEND_A_WEIGHT] ?
		     nla_get_u32(tb[IDMESH_BACKEND_A_WEIGHT]) :
		     IDMESH_WEIGHT_DEFAULT;
	atomic_set(&be->flows, 0);

	err = idm_vip_rebuild(&in->lb, vip, be, NULL, NULL, 0);
	if (err) {
		idm_backend_free(be);
		goto out;
	}
	/* Insert sorted. */
	list_for_each_entry(pos, &vip->backends, list)
		if (idm_backend_cmp(&be->addr, be->port, &pos->addr,
				    pos->port) < 0)
			break;
	list_add_tail(&be->list, &pos->list);
	vip->nbackends++;
out:
	mutex_unlock(&in->lock);
	return err;
}

static struct idm_backend *idm_backend_get_locked(struct genl_info *info,
						  struct idm_lb *lb,
						  struct nlattr **tb,
						  struct idm_vip **vipp,
						  int *err)
{
	struct idm_backend *be;
	struct idm_id id;

	*vipp = idm_vip_get_locked(info, lb, err);
	if (!*vipp)
		return NULL;
	*err = idm_parse_backend(info, tb, &id, *vipp);
	if (*err)
		return NULL;
	be = idm_backend_find(*vipp, &id);
	if (!be) {
		NL_SET_ERR_MSG(info->extack, "No such backend for this VIP");
		*err = -ENOENT;
	}
	return be;
}

int idm_nl_backend_del(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	struct nlattr *tb[IDMESH_BACKEND_A_MAX + 1];
	struct idm_backend *be;
	struct idm_vip *vip;
	int err;

	mutex_lock(&in->lock);
	be = idm_backend_get_locked(info, &in->lb, tb, &vip, &err);
	if (!be)
		goto out;
	if (tb[IDMESH_BACKEND_A_WEIGHT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_BACKEND_A_WEIGHT],
				    "A weight is not taken when deleting");
		err = -EINVAL;
		goto out;
	}
	err = idm_vip_rebuild(&in->lb, vip, NULL, be, NULL, 0);
	if (err)
		goto out;
	list_del(&be->list);
	vip->nbackends--;
	/* Its flows pick again from the new table. */
	idm_flow_forget(&in->flows, vip, be);
	call_rcu(&be->rcu, idm_backend_free_rcu);
out:
	mutex_unlock(&in->lock);
	return err;
}

int idm_nl_backend_set(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	struct nlattr *tb[IDMESH_BACKEND_A_MAX + 1];
	struct idm_backend *be;
	struct idm_vip *vip;
	u32 weight;
	int err;

	mutex_lock(&in->lock);
	be = idm_backend_get_locked(info, &in->lb, tb, &vip, &err);
	if (!be)
		goto out;
	if (!tb[IDMESH_BACKEND_A_WEIGHT]) {
		NL_SET_ERR_MSG(info->extack, "Nothing to set: give a weight");
		err = -EINVAL;
		goto out;
	}
	weight = nla_get_u32(tb[IDMESH_BACKEND_A_WEIGHT]);
	if (weight == be->weight)
		goto out;
	err = idm_vip_rebuild(&in->lb, vip, NULL, NULL, be, weight);
	if (!err)
		be->weight = weight;
out:
	mutex_unlock(&in->lock);
	return err;
}

/* Dumps. */

static void idm_stats_sum(struct idm_lb_stats __percpu *pcpu,
			  u64 *packets, u64 *bytes, u64 *no_backend,
			  u64 *no_route)
{
	int cpu;

	*packets = *bytes = *no_backend = *no_route = 0;
	for_each_possible_cpu(cpu) {
		const struct idm_lb_stats *s = per_cpu_ptr(pcpu, cpu);
		u64 p, b, nb, nr;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			p = u64_stats_read(&s->packets);
			b = u64_stats_read(&s->bytes);
			nb = u64_stats_read(&s->no_backend);
			nr = u64_stats_read(&s->no_route);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*packets += p;
		*bytes += b;
		*no_backend += nb;
		*no_route += nr;
	}
}

static int idm_put_addr(struct sk_buff *skb, int a4, int a6, u8 family,
			const union nf_inet_addr *addr)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, a4, addr->ip);
	return nla_put_in6_addr(skb, a6, &addr->in6);
}

static int idm_fill_vip_id(struct sk_buff *skb, const struct idm_vip *vip)
{
	if (idm_put_addr(skb, IDMESH_VIP_A_ADDR4, IDMESH_VIP_A_ADDR6,
			 vip->family, &vip->addr) ||
	    nla_put_u8(skb, IDMESH_VIP_A_PROTO, vip->proto) ||
	    nla_put_u16(skb, IDMESH_VIP_A_PORT, ntohs(vip->port)) ||
	    nla_put_u32(skb, IDMESH_VIP_A_TABLE_SIZE, vip->table_size) ||
	    nla_put_u8(skb, IDMESH_VIP_A_MODE, vip->mode))
		return -EMSGSIZE;
	return 0;
}

static int idm_fill_backend(struct sk_buff *skb, const struct idm_vip *vip,
			    const struct idm_backend *be, const u32 *slots)
{
	u64 packets, bytes, nb, nr;
	struct nlattr *nest;

	nest = nla_nest_start(skb, IDMESH_VIP_A_BACKEND);
	if (!nest)
		return -EMSGSIZE;
	idm_stats_sum(be->stats, &packets, &bytes, &nb, &nr);
	if (idm_put_addr(skb, IDMESH_BACKEND_A_ADDR4, IDMESH_BACKEND_A_ADDR6,
			 vip->family, &be->addr) ||
	    nla_put_u16(skb, IDMESH_BACKEND_A_PORT, ntohs(be->port)) ||
	    nla_put_u32(skb, IDMESH_BACKEND_A_WEIGHT, be->weight) ||
	    nla_put_u32(skb, IDMESH_BACKEND_A_INDEX, be->index) ||
	    (slots && nla_put_u32(skb, IDMESH_BACKEND_A_SLOTS,
				  slots[be->index])) ||
	    nla_put_u64_64bit(skb, IDMESH_BACKEND_A_PACKETS, packets,
			      IDMESH_BACKEND_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_BACKEND_A_BYTES, bytes,
			      IDMESH_BACKEND_A_PAD) ||
	    nla_put_u32(skb, IDMESH_BACKEND_A_FLOWS,
			atomic_read(&be->flows))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One message of a VIP: its identity and counters, then its backends from
 * *pos on, as many as fit. Returns 0 when all were put.
 */
static int idm_fill_vip(struct sk_buff *skb, struct netlink_callback *cb,
			const struct genl_family *family,
			struct idm_vip *vip, long *pos, const u32 *slots)
{
	u64 packets, bytes, nb, nr;
	struct idm_backend *be;
	struct nlattr *nest;
	long i = 0, start = *pos;
	void *hdr;
	int err = 0;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  family, NLM_F_MULTI, IDMESH_CMD_VIP_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, IDMESH_A_VIP);
	if (!nest)
		goto cancel;
	idm_stats_sum(vip->stats, &packets, &bytes, &nb, &nr);
	if (idm_fill_vip_id(skb, vip) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_PACKETS, packets,
			      IDMESH_VIP_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_BYTES, bytes,
			      IDMESH_VIP_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_NO_BACKEND, nb,
			      IDMESH_VIP_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_NO_ROUTE, nr,
			      IDMESH_VIP_A_PAD) ||
	    nla_put_u32(skb, IDMESH_VIP_A_FLOWS, atomic_read(&vip->flows)) ||
	    nla_put_u64_64bit(skb, IDMESH_VIP_A_BUILD_NS, vip->build_ns,
			      IDMESH_VIP_A_PAD))
		goto cancel;
	list_for_each_entry(be, &vip->backends, list) {
		if (i++ < start)
			continue;
		err = idm_fill_backend(skb, vip, be, slots);
		if (err) {
			if (*pos == start)
				goto cancel;	/* not even one fits */
			break;
		}
		(*pos)++;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return err;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Slots each backend owns in the current table; NULL on no memory. */
static u32 *idm_vip_slot_counts(struct idm_lb *lb, struct idm_vip *vip)
{
	struct idm_table *t = idm_vip_table(lb, vip);
	u32 *counts, i;

	counts = kvcalloc(t->n + 1, sizeof(*counts), GFP_KERNEL);
	if (!counts)
		return NULL;
	if (t->active)
		for (i = 0; i < t->size; i++)
			counts[t->slot[i]]++;
	return counts;
}

static struct idm_vip *idm_dump_filter(struct netlink_callback *cb,
				       struct idm_lb *lb, bool *filtered,
				       int *err)
{
	struct nlattr **attrs = idm_dump_attrs(cb);
	struct nlattr *nest = attrs[IDMESH_A_VIP];
	struct nlattr *tb[IDMESH_VIP_A_MAX + 1];
	struct genl_info info = {
		.attrs = attrs,
		.extack = cb->extack,
	};
	struct idm_vip *vip;
	struct idm_id id;

	*filtered = !!nest;
	*err = 0;
	if (!nest)
		return NULL;
	*err = idm_parse_vip(&info, tb, &id, false);
	if (*err)
		return NULL;
	vip = idm_vip_find(lb, id.family, &id.addr, id.proto, id.port);
	if (!vip) {
		NL_SET_ERR_MSG(cb->extack, "No such VIP");
		*err = -ENOENT;
	}
	return vip;
}

/* cb->args[0]: VIPs done, [1]: backends of the next VIP done. */
int idm_nl_vip_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct idm_net *in = idm_pernet(sock_net(skb->sk));
	const struct genl_family *family = &idm_genl_family;
	struct idm_vip *vip, *only;
	bool filtered;
	long n = 0;
	int err;

	mutex_lock(&in->lock);
	only = idm_dump_filter(cb, &in->lb, &filtered, &err);
	if (err)
		goto out;
	list_for_each_entry(vip, &in->lb.vips, list) {
		u32 *slots;

		if (filtered && vip != only)
			continue;
		if (n++ < cb->args[0])
			continue;
		slots = idm_vip_slot_counts(&in->lb, vip);
		if (!slots) {
			err = -ENOMEM;
			goto out;
		}
		err = idm_fill_vip(skb, cb, family, vip, &cb->args[1], slots);
		kvfree(slots);
		if (err) {
			/* Not even one VIP fit in an empty buffer: an error. */
			if (!skb->len)
				goto out;
			break;
		}
		cb->args[0]++;
		cb->args[1] = 0;
	}
	err = skb->len;
out:
	mutex_unlock(&in->lock);
	return err;
}

#define IDM_SLOTS_PER_MSG 2048
/* The offset attribute, the slots' header and their alignment. */
#define IDM_SLOTS_OVERHEAD (nla_total_size(sizeof(u32)) + NLA_HDRLEN + NLA_ALIGNTO)

/*
 * The VIP's lookup table: first the VIP and its backends (with the index
 * slots refer to), then the slots in chunks. cb->args[0]: phase (0: VIP
 * and backends, 1: slots), [1]: position, [2]: table generation.
 */
int idm_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct idm_net *in = idm_pernet(sock_net(skb->sk));
	const struct genl_family *family = &idm_genl_family;
	struct idm_table *t;
	struct idm_vip *vip;
	bool filtered;
	int err;

	mutex_lock(&in->lock);
	vip = idm_dump_filter(cb, &in->lb, &filtered, &err);
	if (!err && !filtered) {
		NL_SET_ERR_MSG(cb->extack, "Name the VIP whose table to dump");
		err = -EINVAL;
	}
	if (err)
		goto out;
	t = idm_vip_table(&in->lb, vip);
	if (!cb->args[2]) {
		cb->args[2] = t->gen;
	} else if (cb->args[2] != t->gen) {
		NL_SET_ERR_MSG(cb->extack,
			       "The table changed while it was dumped; try again");
		err = -EAGAIN;
		goto out;
	}

	if (cb->args[0] == 0) {
		err = idm_fill_vip(skb, cb, family, vip, &cb->args[1], NULL);
		if (!err) {
			cb->args[0] = 1;
			cb->args[1] = 0;
		}
		goto done;
	}
	while (t->active && cb->args[1] < t->size) {
		u32 off = cb->args[1], cnt, room;
		void *hdr;

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, family, NLM_F_MULTI,
				  IDMESH_CMD_TABLE_GET);
		if (!hdr)
			break;
		/*
		 * As many slots as this buffer has room for: netlink falls
		 * back to a one-page buffer when a larger one cannot be had,
		 * and a fixed chunk that did not fit ended the dump early.
		 */
		room = skb_tailroom(skb);
		cnt = room > IDM_SLOTS_OVERHEAD ?
		      (room - IDM_SLOTS_OVERHEAD) / sizeof(u16) : 0;
		cnt = min3(cnt, (u32)IDM_SLOTS_PER_MSG, t->size - off);
		if (!cnt) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		if (nla_put_u32(skb, IDMESH_A_TABLE_OFFSET, off) ||
		    nla_put(skb, IDMESH_A_TABLE_SLOTS, cnt * sizeof(u16),
			    &t->slot[off])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[1] += cnt;
	}
done:
	err = skb->len;
	/* Nothing fit in an empty buffer: an error, not a short table. */
	if (!err && (!cb->args[0] || (t->active && cb->args[1] < t->size)))
		err = -EMSGSIZE;
out:
	mutex_unlock(&in->lock);
	return err;
}

int idm_lb_net_init(struct idm_net *in)
{
	struct idm_lb *lb = &in->lb;
	int i;

	for (i = 0; i < ARRAY_SIZE(lb->vip_hash); i++)
		INIT_HLIST_HEAD(&lb->vip_hash[i]);
	INIT_LIST_HEAD(&lb->vips);
	lb->nvips = 0;
	lb->hooks = false;
	get_random_bytes(&lb->key, sizeof(lb->key));
	return 0;
}

void idm_lb_net_exit(struct net *net, struct idm_net *in)
{
	struct idm_vip *vip, *tmp;

	mutex_lock(&in->lock);
	list_for_each_entry_safe(vip, tmp, &in->lb.vips, list)
		idm_vip_unlink(net, in, vip);
	mutex_unlock(&in->lock);
}
