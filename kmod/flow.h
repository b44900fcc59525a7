/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: the per-namespace flow table (flow.c): connections by their
 * tuples, each of a zone (the load balancer's, the SACL gateway's) with
 * its own limit and LRU list, so that a flood through one cannot evict
 * the other's. A zone's user embeds struct idm_flow, first, in its own
 * entry (struct idm_lb_flow in lb.h, struct idm_sacl_conn in sacl.h),
 * reaches that by container_of, and keeps its own counts through the
 * zone's callbacks; the table knows nothing of what the entries are for.
 */
#ifndef _IDMESH_FLOW_H
#define _IDMESH_FLOW_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/atomic.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "pkt.h"

/*
 * Whose a flow is: the load balancer's, the SACL gateway's, or a client
 * address pinned to a backend (a VIP's session affinity: lb.h).
 */
enum idm_flow_zone_id {
	IDM_ZONE_LB,
	IDM_ZONE_SACL,
	IDM_ZONE_AFFINITY,
	IDM_ZONES
};

enum idm_tcp_state {
	IDM_TCP_NONE,
	IDM_TCP_SYN,
	IDM_TCP_EST,
	IDM_TCP_FIN,
};

/* Idle timeouts, by protocol and TCP state. */
enum idm_timeout {
	IDM_TO_TCP_SYN,
	IDM_TO_TCP,
	IDM_TO_TCP_FIN,
	IDM_TO_UDP,
	IDM_TO_SCTP,
	IDM_TIMEOUTS
};

/*
 * What a flow may be charged to besides its zone, with a budget of its
 * own (the table's port_limit): the SACL gateway charges a connection to
 * the port its client is behind, else its server's. An owner at its
 * budget evicts its own oldest flow, never another's. Embedded in the
 * owner (a port); every field under the table's lock (n also read
 * locklessly by the dump).
 */
struct idm_flow_owner {
	struct list_head lru;		/* its connections, oldest first */
	unsigned int n;
	bool removed;			/* its port is going: no new ones */
	atomic64_t evicted;		/* by its budget */
};

struct idm_flow_node {
	struct rhash_head node;
	struct idm_flow_key key;
	u8 dir;				/* 0: the original tuple, 1: the reply's */
};

/*
 * A tracked flow: the first member of its zone's entry, which the table
 * frees (kfree_rcu) when it forgets the flow. Its tuples and zone are set
 * by idm_flow_prepare() before idm_flow_insert().
 */
struct idm_flow {
	struct idm_flow_node n[2];	/* n[1] hashed when reply is true */
	struct list_head lru;		/* its zone's lru, table lock */
	/* Charged to (NULL: nothing but its zone); set before insert. */
	struct idm_flow_owner *owner;
	struct list_head olru;		/* owner->lru, table lock */
	unsigned long last;		/* jiffies of the last packet */
	u8 zone;			/* enum idm_flow_zone_id */
	u8 state;			/* enum idm_tcp_state */
	bool reply;			/* n[1], the reply tuple, hashed too */
	bool dead;			/* unlinked; under the table lock */
	struct rcu_head rcu;
};

/*
 * What a zone's user does as its flows come and go, under the table's
 * lock with softirqs off (no sleeping, bounded): admit (NULL: always)
 * says whether f may be tracked (false: idm_flow_insert() returns
 * -EAGAIN, its target is going); added and removed keep the user's own
 * counts; timeout (NULL: the table's, by protocol and state) is how
 * long, in jiffies, f may stay idle. priv is what idm_flow_zone_set()
 * was given.
 */
struct idm_flow_zone_ops {
	bool (*admit)(void *priv, const struct idm_flow *f);
	void (*added)(void *priv, struct idm_flow *f);
	void (*removed)(void *priv, struct idm_flow *f);
	unsigned long (*timeout)(void *priv, const struct idm_flow *f);
};

/* A zone's share of the table. */
struct idm_flow_zone {
	/* Its user's callbacks (NULL: none), set before its first flow. */
	const struct idm_flow_zone_ops *ops;
	void *priv;
	/* Flows at most; written under in->lock, read with READ_ONCE. */
	u32 limit;
	struct list_head lru;		/* oldest looked-at first; lock */
	unsigned int n;			/* lock; read locklessly by stats */
	atomic64_t evicted, expired, failed;
};

/* One per namespace: lookups under RCU, changes under lock. */
struct idm_flow_table {
	struct rhashtable ht;
	/* Serialises inserts, removals, the zones' LRU lists and counts. */
	spinlock_t lock;
	struct idm_flow_zone zone[IDM_ZONES];
	/*
	 * Seconds, by enum idm_timeout; written under in->lock, read with
	 * READ_ONCE.
	 */
	u32 timeout[IDM_TIMEOUTS];
	/* Flows per owner at most; in->lock, READ_ONCE. */
	u32 port_limit;
	struct delayed_work gc;		/* runs while there are flows */
};

/* Limits and timeouts at their defaults, no flows, no callbacks. */
int idm_flow_init(struct idm_flow_table *ft);
/* A zone's callbacks, before its first flow (namespace setup). */
void idm_flow_zone_set(struct idm_flow_table *ft, u8 zone,
		       const struct idm_flow_zone_ops *ops, void *priv);
/* The namespace is going: no hooks, no VIPs, no ports, so no flows. */
void idm_flow_destroy(struct idm_flow_table *ft);

/* Under RCU; *dir tells which of the flow's two tuples matched. */
struct idm_flow *idm_flow_lookup(struct idm_flow_table *ft,
				 const struct idm_flow_key *k, u8 *dir);
/*
 * A new flow f (the first member of its zone's entry, zeroed, from
 * kzalloc): its tuple orig and, when reply is not NULL, the tuple its
 * replies have (hashed too), in zone with TCP state.
 */
void idm_flow_prepare(struct idm_flow *f, const struct idm_flow_key *orig,
		      const struct idm_flow_key *reply, u8 zone, u8 state);
/*
 * Track f (prepared; softirq or process context). Returns f, or the flow
 * another CPU tracked first with the same tuple, or an ERR_PTR: -EAGAIN
 * when its zone's admit or its owner refuse it (its target is going),
 * -EEXIST when its tuple is another flow's reply. Unless f is returned,
 * it has been freed.
 */
struct idm_flow *idm_flow_insert(struct idm_flow_table *ft, struct idm_flow *f);
/*
 * Every insert that runs after this returns sees what the caller wrote
 * before it (its zone's admit then refuses), and every one that ran
 * before it has finished: a user marks a target going, calls this, then
 * forgets the target's flows (process context).
 */
void idm_flow_fence(struct idm_flow_table *ft);
/* An owner with no flows. */
void idm_flow_owner_init(struct idm_flow_owner *o);
/*
 * Its owner is going (process context): no new flows, and those it has
 * are forgotten, a batch per lock hold.
 */
void idm_flow_forget_owner(struct idm_flow_table *ft, struct idm_flow_owner *o);
/* Under RCU: forget one flow (if nobody else did). */
void idm_flow_drop(struct idm_flow_table *ft, struct idm_flow *f);
/*
 * Forget the flows of zone that gone() (NULL: every one) says are gone:
 * one pass, in batches (process context; gone() runs under the table's
 * lock).
 */
void idm_flow_forget_if(struct idm_flow_table *ft, u8 zone,
			bool (*gone)(const struct idm_flow *f, const void *arg),
			const void *arg);

/* A packet seen on f: its time and TCP state. */
void idm_flow_touch(struct idm_flow *f, const struct idm_pkt *p, bool reply);
u8 idm_tcp_next(u8 state, u8 flags, bool reply);
/* A SYN on a flow that ended: a new connection on the same tuple. */
bool idm_tcp_reopens(const struct idm_flow *f, const struct idm_pkt *p);

#endif /* _IDMESH_FLOW_H */
