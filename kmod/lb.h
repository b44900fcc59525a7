/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: Maglev-hashed virtual services (VIPs), their backends, the
 * per-namespace flow table and the netfilter hooks that forward to them.
 */
#ifndef _IDMESH_LB_H
#define _IDMESH_LB_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/siphash.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/netfilter.h>
#include <net/netlink.h>
#include <uapi/linux/idmesh.h>

struct idm_net;
struct genl_info;
struct netlink_callback;
struct sk_buff;

struct idm_lb_stats {
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t no_backend;
	u64_stats_t no_route;
	struct u64_stats_sync syncp;
};

struct idm_backend {
	struct list_head list;		/* vip->backends, in->lock */
	union nf_inet_addr addr;
	__be16 port;			/* 0: keep the destination port */
	u32 weight;
	u32 index;			/* in the current table's be[] */
	/* Set (under the flow lock) before the backend leaves its VIP. */
	bool removed;
	atomic_t flows;
	struct idm_lb_stats __percpu *stats;
	struct rcu_head rcu;
};

/* A published lookup table: read under RCU, replaced whole. */
struct idm_table {
	struct rcu_head rcu;
	u32 size;			/* M, prime */
	u32 n;				/* backends in be[] */
	u32 active;			/* of which own slots (weight > 0) */
	u32 gen;			/* changes with every rebuild */
	struct idm_backend **be;
	u16 *slot;			/* M entries, index into be[] */
};

struct idm_vip {
	struct hlist_node hnode;	/* in->lb.vip_hash, RCU */
	struct list_head list;		/* in->lb.vips, in->lock */
	union nf_inet_addr addr;
	__be16 port;			/* 0: every port */
	u8 family, proto, mode;
	bool removed;			/* under the flow lock */
	u32 table_size;
	u32 nbackends;
	u64 build_ns;			/* last table build, in->lock */
	struct list_head backends;	/* sorted by (addr, port) */
	struct idm_table __rcu *table;
	atomic_t flows;
	struct idm_lb_stats __percpu *stats;
	struct rcu_head rcu;
};

#define IDM_VIP_HASH_BITS 8

/* Per-namespace state of the load balancer. */
struct idm_lb {
	struct hlist_head vip_hash[1 << IDM_VIP_HASH_BITS];
	struct list_head vips;
	unsigned int nvips;
	bool hooks;			/* registered while there are VIPs */
	siphash_key_t key;		/* flow → slot hash */
};

int idm_lb_net_init(struct idm_net *in);
void idm_lb_net_exit(struct net *net, struct idm_net *in);

int idm_nl_vip_new(struct sk_buff *skb, struct genl_info *info);
int idm_nl_vip_del(struct sk_buff *skb, struct genl_info *info);
int idm_nl_vip_dump(struct sk_buff *skb, struct netlink_callback *cb);
int idm_nl_backend_new(struct sk_buff *skb, struct genl_info *info);
int idm_nl_backend_del(struct sk_buff *skb, struct genl_info *info);
int idm_nl_backend_set(struct sk_buff *skb, struct genl_info *info);
int idm_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb);

struct idm_vip *idm_vip_lookup(struct idm_lb *lb, u8 family,
			       const union nf_inet_addr *addr, u8 proto,
			       __be16 port);

extern const struct nla_policy idm_vip_policy[IDMESH_VIP_A_MAX + 1];
extern const struct nla_policy idm_backend_policy[IDMESH_BACKEND_A_MAX + 1];

/* Packet path (lb_hook.c). */
int idm_lb_hooks_register(struct net *net);
void idm_lb_hooks_unregister(struct net *net);

#endif /* _IDMESH_LB_H */
