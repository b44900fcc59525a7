/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: Maglev-hashed virtual services (VIPs), their backends (lb.c)
 * and the netfilter hooks that forward to them (lb_hook.c).
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
#include <uapi/linux/idmesh.h>

#include "flow.h"

struct netlink_ext_ack;

struct idm_lb_stats {
	u64_stats_t packets;
	u64_stats_t bytes;
	u64_stats_t no_backend;
	u64_stats_t no_route;
	struct u64_stats_sync syncp;
};

struct idm_backend {
	struct list_head list;		/* vip->backends, lb->lock */
	union nf_inet_addr addr;
	__be16 port;			/* 0: keep the destination port */
	u32 weight;
	u32 index;			/* in the current table's be[] */
	/*
	 * Going: no new flow to it. Set under lb->lock before it leaves its
	 * VIP, then the flow table fenced (idm_lb_stop()); READ_ONCE.
	 */
	bool removed;
	/* No route to it, or its device down (lb_health.c); lb->lock. */
	bool down;
	bool flipped;			/* in this round of checks; lb->lock */
	u32 downs;			/* times found down; lb->lock */
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
	u32 *counts;			/* slots each of be[] owns */
};

struct idm_vip {
	struct hlist_node hnode;	/* lb->vip_hash, RCU */
	struct list_head list;		/* lb->vips, lb->lock */
	union nf_inet_addr addr;
	__be16 port;			/* 0: every port */
	u8 family, proto, mode;
	bool removed;			/* as a backend's */
	u32 table_size;
	u32 nbackends;
	u64 build_ns;			/* last table build, lb->lock */
	u32 builds;			/* table builds so far, lb->lock */
	struct list_head backends;	/* sorted by (addr, port) */
	struct idm_table __rcu *table;
	/*
	 * Session affinity, in seconds (0: none): a client address whose
	 * new connection picked a backend sends its next ones there while
	 * it opens one at least that often and the backend owns slots.
	 * Written under lb->lock, read with READ_ONCE.
	 */
	u32 affinity;
	atomic_t pinned;		/* client addresses pinned now */
	atomic_t flows;
	struct idm_lb_stats __percpu *stats;
	struct rcu_head rcu;
};

#define IDM_VIP_HASH_BITS 8

/* The flow hash's key: replaced whole, read under RCU. */
struct idm_hash_key {
	siphash_key_t key;
	struct rcu_head rcu;
};

/*
 * A Maglev flow: the backend a connection to a VIP went to (zone LB), or
 * the backend a client address is pinned to (zone AFFINITY: the key's
 * source is the client, its destination and destination port the VIP's,
 * its source port 0). Its flow is first: the flow table frees the whole
 * entry (flow.h).
 */
struct idm_lb_flow {
	struct idm_flow f;
	struct idm_vip *vip;
	struct idm_backend *be;
};

static_assert(offsetof(struct idm_lb_flow, f) == 0);

static inline struct idm_lb_flow *idm_lb_flow(struct idm_flow *f)
{
	return container_of(f, struct idm_lb_flow, f);
}

/* Per-namespace state of the load balancer. */
struct idm_lb {
	struct net *net;		/* the namespace this is of */
	/* The namespace's configuration lock, which every change holds. */
	struct mutex *lock;
	/* The namespace's flow table: the LB's flows are its zone LB. */
	struct idm_flow_table *flows;
	atomic_t nat_flows;		/* > 0: the reply hook has work */
	struct hlist_head vip_hash[1 << IDM_VIP_HASH_BITS];
	struct list_head vips;
	unsigned int nvips;
	bool hooks;			/* registered while there are VIPs */
	/*
	 * A VIP was added once (lock): only then can the health round
	 * have been queued, and a dying namespace has it to cancel.
	 */
	bool had_vips;
	/* flow → slot hash; lookups under RCU, changes under lock */
	struct idm_hash_key __rcu *hkey;
	/* Every second while there are VIPs: can the backends be reached? */
	struct delayed_work health;
};

/* What names a VIP or a backend: family, address, port (and protocol). */
struct idm_id {
	union nf_inet_addr addr;
	u8 family, proto;
	__be16 port;
};

/*
 * Namespace net's load balancer, its changes under lock, its flows in
 * the zone LB of flows.
 */
int idm_lb_net_init(struct idm_lb *lb, struct net *net, struct mutex *lock,
		    struct idm_flow_table *flows);
/* After idm_lb_flush() and the hooks. */
void idm_lb_net_exit(struct idm_lb *lb);

/*
 * Changes (lb.c), under lb->lock. The caller checked the request (no
 * such VIP or backend yet, room for it) and syncs the hooks after. Each
 * builds the VIP's new table and publishes it; on failure nothing changed.
 */
struct idm_vip *idm_vip_add(struct idm_lb *lb, const struct idm_id *id,
			    u8 mode, u32 table_size);
/* Its flows are forgotten; it is freed after a grace period. */
void idm_vip_remove(struct idm_lb *lb, struct idm_vip *vip);
int idm_backend_add(struct idm_lb *lb, struct idm_vip *vip,
		    const struct idm_id *id, u32 weight);
/* Its flows pick again from the new table. */
int idm_backend_remove(struct idm_lb *lb, struct idm_vip *vip,
		       struct idm_backend *be);
int idm_backend_set_weight(struct idm_lb *lb, struct idm_vip *vip,
			   struct idm_backend *be, u32 weight);
/* One backend of a replacement set. */
struct idm_backend_spec {
	struct idm_id id;
	u32 weight;
};

/*
 * The whole backend set of vip becomes set[0..n) (sorted here): one table
 * build. Backends that stay keep their flows; those that go are freed
 * after a grace period, their flows pick again. On failure nothing
 * changed.
 */
int idm_backends_replace(struct idm_lb *lb, struct idm_vip *vip,
			 struct idm_backend_spec *set, unsigned int n,
			 struct netlink_ext_ack *extack);
/*
 * Session affinity of vip becomes seconds (0: none; lb->lock). The
 * clients pinned stay pinned under the new timeout; with none, they are
 * forgotten.
 */
void idm_vip_set_affinity(struct idm_lb *lb, struct idm_vip *vip, u32 seconds);
/* Every VIP gone. */
void idm_lb_flush(struct idm_lb *lb);

/* Lookups (lb.c): under RCU or lb->lock. */
struct idm_vip *idm_vip_find(struct idm_lb *lb, u8 family,
			     const union nf_inet_addr *addr, u8 proto,
			     __be16 port);
/* The packet path's: the VIP for this destination port, else the all-ports one. */
struct idm_vip *idm_vip_lookup(struct idm_lb *lb, u8 family,
			       const union nf_inet_addr *addr, u8 proto,
			       __be16 port);
/* Under lb->lock. */
struct idm_backend *idm_backend_find(struct idm_vip *vip,
				     const struct idm_id *id);
struct idm_table *idm_vip_cur_table(struct idm_lb *lb, struct idm_vip *vip);
/*
 * Slots each backend holds in the current table, counted when it was
 * built (lb->lock: valid while it is held).
 */
const u32 *idm_vip_slot_counts(struct idm_lb *lb, struct idm_vip *vip);

/*
 * The flow hash's key (IDMESH_HASH_KEY_LEN bytes): set (lb->lock; -ENOMEM
 * changes nothing), or read (lb->lock or RCU).
 */
int idm_lb_set_key(struct idm_lb *lb, const u8 *key);
void idm_lb_get_key(struct idm_lb *lb, u8 *key);

/*
 * Build vip's table again from its backends' weights and states (a
 * backend that is down owns no slot). lb->lock; on failure, nothing
 * changed.
 */
int idm_vip_reweigh(struct idm_lb *lb, struct idm_vip *vip);

/*
 * Backends that cannot be reached (lb_health.c): checked every second
 * while there are VIPs, and at once when a device changes state. One
 * that is down gets no new flow; it comes back when it can be reached.
 */
void idm_lb_health_init(struct idm_lb *lb);
void idm_lb_health_start(struct idm_lb *lb);
void idm_lb_health_stop(struct idm_lb *lb);
/*
 * A device went up, down or away (main.c's notifier, RTNL held): recheck
 * the backends' routes soon, if there are VIPs.
 */
void idm_lb_netdev_event(struct net_device *dev, unsigned long event);

/* Packet path (lb_hook.c). The hooks are registered while VIPs exist. */
int idm_lb_hooks_sync(struct net *net, struct idm_lb *lb,
		      struct netlink_ext_ack *extack);

#endif /* _IDMESH_LB_H */
