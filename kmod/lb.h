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

enum idm_tcp_state {
	IDM_TCP_NONE,
	IDM_TCP_SYN,
	IDM_TCP_EST,
	IDM_TCP_FIN,
};

/*
 * Who a flow belongs to: the load balancer or the SACL gateway. Each has
 * its own budget (flow-limit, sacl-flow-limit) and LRU list, so that a
 * flood through one cannot evict the other's flows.
 */
enum idm_flow_zone {
	IDM_ZONE_LB,
	IDM_ZONE_SACL,
	IDM_ZONES
};

/* A zone's share of the flow table; all of it under flow_lock. */
struct idm_flow_zone_state {
	struct list_head lru;		/* oldest looked-at first */
	unsigned int n;			/* read locklessly by stats */
	atomic64_t evicted, expired, failed;
};

/* Per-namespace state of the load balancer. */
struct idm_lb {
	struct hlist_head vip_hash[1 << IDM_VIP_HASH_BITS];
	struct list_head vips;
	unsigned int nvips;
	bool hooks;			/* registered while there are VIPs */
	siphash_key_t key;		/* flow → slot hash */
	u32 timeout[5];			/* jiffies; enum idm_timeout */

	/* Flow table: lookups under RCU, changes under flow_lock. */
	struct rhashtable flows;
	/* Serialises inserts, removals, the zones' LRU lists and counts. */
	spinlock_t flow_lock;
	struct idm_flow_zone_state zone[IDM_ZONES];
	atomic_t nat_flows;		/* > 0: the reply hook has work */
	struct delayed_work gc;
};

enum idm_timeout {
	IDM_TO_TCP_SYN,
	IDM_TO_TCP,
	IDM_TO_TCP_FIN,
	IDM_TO_UDP,
	IDM_TO_SCTP,
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

/* Flow table (flow.c). */
struct idm_flow_key {
	union nf_inet_addr src, dst;
	__be16 sport, dport;
	u8 family, proto;
	u8 zone;			/* enum idm_flow_zone */
	u8 pad;
};

struct idm_flow_node {
	struct rhash_head node;
	struct idm_flow_key key;
	u8 dir;				/* 0: client to VIP, 1: reply */
};

struct idm_flow {
	struct idm_flow_node n[2];	/* n[1] hashed in NAT mode only */
	struct list_head lru;		/* its zone's lru, flow_lock */
	union {
		struct {		/* IDM_ZONE_LB */
			struct idm_vip *vip;
			struct idm_backend *be;
		};
		struct {		/* IDM_ZONE_SACL: the connection's IDs */
			u64 client;
			u64 server;
		};
	};
	unsigned long last;		/* jiffies of the last packet */
	u8 zone;			/* enum idm_flow_zone */
	u8 state;			/* enum idm_tcp_state */
	bool nat;			/* n[1] hashed: NAT reply (LB), reverse (SACL) */
	bool dead;			/* unlinked; under flow_lock */
	struct rcu_head rcu;
};

/* Under RCU; *dir tells which of the flow's two tuples matched. */
struct idm_flow *idm_flow_lookup(struct idm_lb *lb,
				 const struct idm_flow_key *k, u8 *dir);
/*
 * Track a new flow; reply is NULL in tunnel mode. Returns the flow (a
 * concurrent insert of the same flow returns that one) or an ERR_PTR:
 * -EAGAIN when vip or be is being removed (pick again).
 */
struct idm_flow *idm_flow_insert(struct idm_lb *lb, u32 limit,
				 const struct idm_flow_key *orig,
				 const struct idm_flow_key *reply,
				 struct idm_vip *vip, struct idm_backend *be,
				 u8 state);
/* Track a SACL connection (orig tuple) with its IDs. */
struct idm_flow *idm_flow_insert_sacl(struct idm_lb *lb, u32 limit,
				      const struct idm_flow_key *orig,
				      u64 client, u64 server, u8 state);
/* Forget every flow of a zone. */
void idm_flow_forget_zone(struct idm_lb *lb, u8 zone);
int idm_flow_init(struct idm_lb *lb);
void idm_flow_destroy(struct idm_lb *lb);
/* Under RCU: forget one flow (if nobody else did). */
void idm_flow_drop(struct idm_lb *lb, struct idm_flow *f);
/* Forget every flow of vip (be == NULL) or of one backend. */
void idm_flow_forget(struct idm_lb *lb, struct idm_vip *vip,
		     struct idm_backend *be);
void idm_flow_gc_start(struct idm_lb *lb);

/* A packet's 5-tuple and what the flow table needs of it (flow.c). */
struct idm_pkt {
	struct idm_flow_key key;
	unsigned int l4off;	/* from skb->data */
	u8 tcpflags;		/* TCPHDR_* */
};

/*
 * Ports (or an ICMP or ICMPv6 echo's identifier, as both ports) at p->l4off.
 * Only TCP, UDP and SCTP unless any: other protocols then have none.
 */
bool idm_parse_l4(struct sk_buff *skb, struct idm_pkt *p, bool any);
bool idm_parse(struct sk_buff *skb, u8 family, struct idm_pkt *p);
struct nf_hook_ops;
/*
 * Hooks that need whole packets (their ports): IPv4 and IPv6
 * defragmentation on in net, then the hooks; the reverse on the way out.
 */
int idm_nf_register_whole(struct net *net, const struct nf_hook_ops *ops,
			  unsigned int n);
void idm_nf_unregister_whole(struct net *net, const struct nf_hook_ops *ops,
			     unsigned int n);
u8 idm_tcp_next(u8 state, u8 flags, bool reply);
bool idm_tcp_reopens(const struct idm_flow *f, const struct idm_pkt *p);
void idm_flow_touch(struct idm_flow *f, const struct idm_pkt *p, bool reply);

/* Packet path (lb_hook.c). */
int idm_lb_hooks_register(struct net *net);
void idm_lb_hooks_unregister(struct net *net);

#endif /* _IDMESH_LB_H */
