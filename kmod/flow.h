/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: the per-namespace flow table (flow.c). It remembers which backend
 * each Maglev flow went to, and the SACL gateway's connections with their
 * IDs. Each user has a zone of its own with its own limit and LRU list, so
 * that a flood through one cannot evict the other's flows.
 */
#ifndef _IDMESH_FLOW_H
#define _IDMESH_FLOW_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/atomic.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/netfilter.h>

struct idm_vip;
struct idm_backend;
struct idm_pkt;

/* Who a flow belongs to: the load balancer or the SACL gateway. */
enum idm_flow_zone_id {
	IDM_ZONE_LB,
	IDM_ZONE_SACL,
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

struct idm_flow_key {
	union nf_inet_addr src, dst;
	__be16 sport, dport;
	u8 family, proto;
	u8 zone;			/* enum idm_flow_zone_id */
	u8 pad;
};

struct idm_sacl_rule;

/*
 * What a SACL connection is charged to: the port its client is behind,
 * else its server's. A port at its budget (the table's port_limit)
 * evicts its own oldest connection, never another port's. Embedded in
 * the port; every field under the table's lock (n also read locklessly
 * by the dump).
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
	u8 dir;				/* 0: client to VIP, 1: reply */
};

struct idm_flow {
	struct idm_flow_node n[2];	/* n[1] hashed in NAT mode only */
	struct list_head lru;		/* its zone's lru, table lock */
	union {
		struct {		/* IDM_ZONE_LB */
			struct idm_vip *vip;
			struct idm_backend *be;
		};
		struct {		/* IDM_ZONE_SACL: the connection's IDs */
			u64 client;
			u64 server;
			/*
			 * The ports its client (cport) and server
			 * (sport) are behind, by ifindex; 0: not
			 * behind a port. Its packets come and go only
			 * between these.
			 */
			u32 cport, sport;
			/* The client and server tables' generation. */
			unsigned long id_gen;
			/* Charged to (NULL: no port); table lock. */
			struct idm_flow_owner *owner;
			struct list_head olru;	/* owner->lru */
			/*
			 * The rule for them, as of rule generation
			 * rule_gen (0: none looked up yet): filled and
			 * read by the packet path, see
			 * idm_sacl_flow_rule() in sacl_hook.c.
			 */
			struct idm_sacl_rule *rule;
			unsigned long rule_gen;
		};
	};
	unsigned long last;		/* jiffies of the last packet */
	u8 zone;			/* enum idm_flow_zone_id */
	u8 state;			/* enum idm_tcp_state */
	bool nat;			/* n[1] hashed: NAT reply (LB), reverse (SACL) */
	bool dead;			/* unlinked; under the table lock */
	struct rcu_head rcu;
};

/* A zone's share of the table. */
struct idm_flow_zone {
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
	/* SACL connections per port at most; in->lock, READ_ONCE. */
	u32 port_limit;
	atomic_t nat_flows;		/* > 0: the LB's reply hook has work */
	struct delayed_work gc;		/* runs while there are flows */
};

/* Limits and timeouts at their defaults, no flows. */
int idm_flow_init(struct idm_flow_table *ft);
/* The namespace is going: no hooks, no VIPs, no ports, so no flows. */
void idm_flow_destroy(struct idm_flow_table *ft);

/* Under RCU; *dir tells which of the flow's two tuples matched. */
struct idm_flow *idm_flow_lookup(struct idm_flow_table *ft,
				 const struct idm_flow_key *k, u8 *dir);
/*
 * Track a new LB flow; reply is NULL in tunnel mode. Returns the flow (a
 * concurrent insert of the same flow returns that one) or an ERR_PTR:
 * -EAGAIN when vip or be is being removed (pick again).
 */
struct idm_flow *idm_flow_insert(struct idm_flow_table *ft,
				 const struct idm_flow_key *orig,
				 const struct idm_flow_key *reply,
				 struct idm_vip *vip, struct idm_backend *be,
				 u8 state);
/* What the SACL gateway tracks with a connection (struct idm_flow). */
struct idm_flow_sacl {
	u64 client, server;
	u32 cport, sport;
	unsigned long id_gen;
};

/*
 * Track a SACL connection (orig tuple) with its IDs and ports, charged to
 * owner (NULL: none): -EAGAIN when owner's port is going.
 */
struct idm_flow *idm_flow_insert_sacl(struct idm_flow_table *ft,
				      const struct idm_flow_key *orig,
				      const struct idm_flow_sacl *s,
				      struct idm_flow_owner *owner, u8 state);
/* An owner with no connections. */
void idm_flow_owner_init(struct idm_flow_owner *o);
/*
 * Its port is going (process context): no new connections, and those it
 * has are forgotten, a batch per lock hold.
 */
void idm_flow_forget_owner(struct idm_flow_table *ft, struct idm_flow_owner *o);
/* Under RCU: forget one flow (if nobody else did). */
void idm_flow_drop(struct idm_flow_table *ft, struct idm_flow *f);
/* No new flow to vip (be == NULL) or to one of its backends from now on. */
void idm_flow_stop(struct idm_flow_table *ft, struct idm_vip *vip,
		   struct idm_backend *be);
/*
 * Forget the flows of vip to the backends stopped, or all when vip is:
 * one pass over the flows for a whole change set, in batches (process
 * context; the backends stay allocated until it returns).
 */
void idm_flow_forget(struct idm_flow_table *ft, struct idm_vip *vip);
/* Forget every flow of a zone, in batches (process context). */
void idm_flow_forget_zone(struct idm_flow_table *ft, u8 zone);

/* A packet seen on f: its time and TCP state. */
void idm_flow_touch(struct idm_flow *f, const struct idm_pkt *p, bool reply);
u8 idm_tcp_next(u8 state, u8 flags, bool reply);
/* A SYN on a flow that ended: a new connection on the same tuple. */
bool idm_tcp_reopens(const struct idm_flow *f, const struct idm_pkt *p);

#endif /* _IDMESH_FLOW_H */
