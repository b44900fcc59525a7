/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: the SACL identity gateway (Acila). Per namespace: the
 * workload-facing ports, the client and server tables that give a
 * packet its IDs, the rules that filter and prioritise by IDs, and the
 * hooks that insert, check and remove the option (IPv6 Hop-by-Hop, or
 * IPv4). IPv4 addresses are kept IPv4-mapped in the same tables.
 */
#ifndef _IDMESH_SACL_H
#define _IDMESH_SACL_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <uapi/linux/idmesh.h>

#include "flow.h"
#include "sacl_wire.h"

struct idm_net;
struct netlink_ext_ack;
struct net_device;
struct sk_buff;

/* Namespace-wide counters, per CPU. */
enum idm_sacl_counter {
	IDM_SC_TAGGED,
	IDM_SC_STRIPPED,
	IDM_SC_REPLIES,
	IDM_SC_TRANSIT,
	IDM_SC_NO_CLIENT,
	IDM_SC_NO_SERVER,
	IDM_SC_FORGED,
	IDM_SC_MALFORMED,
	IDM_SC_TOO_BIG,
	IDM_SC_NO_ROOM,
	IDM_SC_MARKED,
	IDM_SC_DEF_HITS,	/* the default action's */
	IDM_SC_DEF_DROPS,
	IDM_SC_UNTRUSTED,
	IDM_SC_SPOOFED,		/* from a port, not from its addresses */
	IDM_SC_UNRELATED,	/* an ICMP error quoting no connection of its ports */
	IDM_SC_SEGMENTED,	/* GSO packets segmented in the hook */
	IDM_SC_MAX
};

struct idm_sacl_stats {
	u64_stats_t c[IDM_SC_MAX];
	struct u64_stats_sync syncp;
};

struct idm_rule_stats {
	u64_stats_t hits;
	u64_stats_t drops;
	struct u64_stats_sync syncp;
};

struct idm_sacl_port {
	struct hlist_node hnode;	/* sc->port_hash, RCU */
	struct list_head list;		/* sc->ports, in->lock */
	u32 ifindex;
	bool marker;			/* clients behind it send LIDs */
	bool pair;			/* an idmesh pair's end (link.c) */
	/*
	 * It had a qdisc of its own when the hooks were last synced
	 * (in->lock; the packet path reads it with READ_ONCE).
	 */
	bool queued;
	/*
	 * Its address clients, IPv4 [0] and IPv6 [1] (in->lock; the packet
	 * path reads them with READ_ONCE): while it has any of a family, a
	 * packet of that family from the port must come from one of them.
	 */
	unsigned int naddrs[2];
	/* Its connections and their budget (the flow table's lock). */
	struct idm_flow_owner flows;
	struct rcu_head rcu;
};

/*
 * A client: by address (ifindex 0; one port's, each address behind one
 * port only), or by marker port and LID.
 */
struct idm_client_key {
	struct in6_addr addr;
	u32 ifindex;
	u8 lid;
	u8 pad[3];
};

struct idm_sacl_client {
	struct rhash_head node;
	struct idm_client_key key;
	u32 port;			/* the ifindex of the port it is behind */
	u64 id;
	struct list_head list;
	struct rcu_head rcu;
};

/* A server: address, protocol (0: any), port (0: any). */
struct idm_server_key {
	struct in6_addr addr;
	__be16 port;
	u8 proto;
	u8 pad;
};

struct idm_sacl_server {
	struct rhash_head node;
	struct idm_server_key key;
	u64 id;
	struct list_head list;
	struct rcu_head rcu;
};

/*
 * A rule covers the IDs whose first cbits (sbits) bits are client's
 * (server's); with 0 bits, every ID and none (0). It is judged where dir
 * says (enum idmesh_sacl_direction).
 */
struct idm_rule_key {
	u64 client;
	u64 server;
	u8 cbits, sbits;		/* 0..64; 64: one ID */
	u8 dir;
	u8 pad[5];
};

/* The prefix lengths the rules use, most specific first (RCU). */
struct idm_rule_prefixes {
	struct rcu_head rcu;
	unsigned int n;
	struct {
		u8 cbits, sbits;
	} p[IDMESH_SACL_PREFIXES_MAX];
};

/* A protocol and a range of destination ports (host order). */
struct idm_port_range {
	u8 proto;
	u16 lo, hi;
};

static inline u64 idm_prefix_mask(unsigned int bits)
{
	return bits >= 64 ? ~0ULL : bits ? ~(~0ULL >> bits) : 0;
}

/*
 * Whether a connection of protocol proto to destination port (host
 * order) is one of the n ranges r[] (none: every connection). Pure: no
 * locks, no packets.
 */
static inline bool idm_ranges_cover(const struct idm_port_range *r,
				    unsigned int n, u8 proto, u16 port)
{
	unsigned int i;

	if (!n)
		return true;
	for (i = 0; i < n; i++)
		if (r[i].proto == proto && port >= r[i].lo && port <= r[i].hi)
			return true;
	return false;
}

struct idm_sacl_rule {
	struct rhash_head node;
	struct idm_rule_key key;
	u8 action;			/* enum idmesh_sacl_action */
	bool has_priority, has_dscp;
	u8 dscp;
	u32 priority;
	/* What it applies to (none: everything); fixed while it lives. */
	unsigned int nranges;
	struct idm_port_range *ranges;
	struct idm_rule_stats __percpu *stats;
	struct list_head list;
	struct rcu_head rcu;
};

/* A peer's key: an address prefix, masked (IPv4: IPv4-mapped, 96 + len). */
struct idm_peer_key {
	struct in6_addr addr;
	u8 plen;
	u8 pad[3];
};

struct idm_sacl_peer {
	struct rhash_head node;
	struct idm_peer_key key;
	u64 id;
	struct list_head list;		/* sc->peers, in->lock */
	struct rcu_head rcu;
};

/* The peers' prefix lengths in use, longest first (RCU). */
struct idm_peer_lens {
	struct rcu_head rcu;
	unsigned int n;
	u8 len[IDMESH_SACL_PEER_LENS_MAX];
};

/* Where tags are believed from: a device, or a source prefix. */
struct idm_sacl_trust {
	struct list_head list;		/* sc->trusts, in->lock */
	u32 ifindex;			/* 0: a prefix */
	struct in6_addr addr;		/* IPv4: IPv4-mapped */
	u8 plen;			/* of addr; IPv4: 96 + 0..32 */
};

/* The trusted sources as the packet path reads them (RCU). */
struct idm_trust_set {
	struct rcu_head rcu;
	unsigned int n;
	struct idm_trust_entry {
		u32 ifindex;
		struct in6_addr addr;
		u8 plen;
	} e[];
};

#define IDM_PORT_HASH_BITS 4
/* A flow's rule_gen while one packet fills its cached rule. */
#define IDM_RULE_GEN_BUSY ULONG_MAX

/*
 * A connection through the gateway, with the IDs it was given. Its flow
 * is first: the flow table frees the whole entry (flow.h). Set before it
 * is tracked, but for the cached rule.
 */
struct idm_sacl_conn {
	struct idm_flow f;
	u64 client, server;
	/*
	 * The ports its client (cport) and server (sport) are behind, by
	 * ifindex; 0: not behind a port. Its packets come and go only
	 * between these.
	 */
	u32 cport, sport;
	/* The client and server tables' generation (idm_sacl.id_gen). */
	unsigned long id_gen;
	/*
	 * Its first packet had no IDs (none on the wire, none found): its
	 * client or server may be known later (sacl_hook.c tracks it anew).
	 */
	bool bare;
	/*
	 * Per direction (0: client to server), the tables' generation
	 * (idm_sacl.tables_gen) under which a packet from its port was
	 * last checked (0: none yet): found not spoofed and, untagged, not
	 * known to the tables either. The packet path writes it
	 * (WRITE_ONCE) and reads it: while it is the current one, the
	 * tuple's source for that direction is the port's, and IDs are
	 * not to be found, without a look at the tables.
	 */
	unsigned long checked[2];
	/*
	 * The rule for its IDs, as of rule generation rule_gen (0: none
	 * looked up yet): filled and read by the packet path, see
	 * idm_sacl_conn_rule() in sacl_hook.c.
	 */
	struct idm_sacl_rule *rule;
	unsigned long rule_gen;
};

static_assert(offsetof(struct idm_sacl_conn, f) == 0);

static inline struct idm_sacl_conn *idm_sacl_conn(struct idm_flow *f)
{
	return container_of(f, struct idm_sacl_conn, f);
}

struct idm_sacl {
	/* The namespace's configuration lock, which every change holds. */
	struct mutex *lock;
	/* The namespace's flow table: connections are its zone SACL. */
	struct idm_flow_table *flows;
	struct hlist_head port_hash[1 << IDM_PORT_HASH_BITS];
	struct list_head ports, clients, servers, rules, trusts;
	/*
	 * in->lock; nrules and negress (the egress rules among them) also
	 * read by the packet path (READ_ONCE).
	 */
	unsigned int nports, nclients, nservers, nrules, ntrusts, negress;
	/* in->lock: the ports that are idmesh pairs' ends. */
	unsigned int npairs;
	/* in->lock; npeers also read by the packet path (READ_ONCE). */
	unsigned int npeers;
	struct list_head peers;		/* in->lock */
	struct rhashtable peer_ht;
	/* Peers per prefix length (in->lock), published as peer_lens. */
	unsigned int peer_len_refs[129];
	struct idm_peer_lens __rcu *peer_lens;
	/*
	 * Changes with every rule added or removed (in->lock, release; the
	 * packet path reads it with acquire): a flow's cached rule is good only
	 * for the generation it was looked up in. Never 0 or
	 * IDM_RULE_GEN_BUSY.
	 */
	unsigned long rule_gen;
	/*
	 * Moves with every client or server entry removed (in->lock,
	 * release; the packet path reads it with acquire): a connection's
	 * IDs are good only for the generation they were found in. Never 0.
	 */
	unsigned long id_gen;
	/*
	 * Moves with every client or server entry added or removed
	 * (in->lock, release; the packet path reads it with acquire): which
	 * source addresses a port may send from, and which IDs a packet
	 * gets, is as of this generation. Never 0.
	 */
	unsigned long tables_gen;
	/* NULL: tags are believed from any device that is not a port. */
	struct idm_trust_set __rcu *trust;
	struct rhashtable client_ht, server_ht, rule_ht;
	/* Rules per prefix-length pair (in->lock), published as prefixes. */
	struct {
		u8 cbits, sbits;
		unsigned int rules;
	} prefix_refs[IDMESH_SACL_PREFIXES_MAX];
	unsigned int nprefix_refs;
	struct idm_rule_prefixes __rcu *prefixes;
	/* Settings, read by the packet path with READ_ONCE. */
	u8 opt_type;
	u8 opt_type4;
	u8 def_action;
	bool marker;
	/*
	 * Hooks registered (in->lock): forward while a port is not an
	 * idmesh pair or has a qdisc, or rules exist without ports
	 * (transit), or the load balancer has VIPs; marker while marking
	 * is on.
	 */
	bool fwd_hooks, marker_hook;
	/*
	 * Ports exist and all are pairs, no forward hook: the pairs do the
	 * work themselves (idm_sacl_pair_*()). in->lock; the packet path
	 * reads it with READ_ONCE.
	 */
	bool pair_path;
	/* Syncs the hooks when a pair port got a qdisc (sacl_hook.c). */
	struct work_struct resync;
	struct idm_sacl_stats __percpu *stats;
};

int idm_sacl_net_init(struct idm_net *in);
/* After idm_sacl_flush() and the hooks: SACL flows, then the tables. */
void idm_sacl_net_exit(struct idm_net *in);

/*
 * Changes (sacl.c), under in->lock. The caller checked the request
 * (no such entry yet, room for it) and syncs the hooks after.
 */
int idm_sacl_port_add(struct idm_sacl *sc, u32 ifindex, bool marker,
		      bool pair);
/* Its LID clients go with it. */
void idm_sacl_port_remove(struct idm_sacl *sc, struct idm_sacl_port *p);
/* An address client behind port (a port of sc), or a LID client. */
int idm_sacl_client_add(struct idm_sacl *sc, const struct idm_client_key *k,
			u32 port, u64 id);
void idm_sacl_client_remove(struct idm_sacl *sc, struct idm_sacl_client *c);
int idm_sacl_server_add(struct idm_sacl *sc, const struct idm_server_key *k,
			u64 id);
void idm_sacl_server_remove(struct idm_sacl *sc, struct idm_sacl_server *s);
/*
 * A rule as spec has it (key, action, priority, DSCP, ranges: copied),
 * or an ERR_PTR.
 */
struct idm_sacl_rule *idm_sacl_rule_add(struct idm_sacl *sc,
					const struct idm_sacl_rule *spec,
					struct netlink_ext_ack *extack);
void idm_sacl_rule_remove(struct idm_sacl *sc, struct idm_sacl_rule *r);
int idm_sacl_trust_add(struct idm_sacl *sc, const struct idm_sacl_trust *k);
/*
 * Without memory for the smaller set, the old one stays published: it
 * still names the source, so this fails.
 */
int idm_sacl_trust_remove(struct idm_sacl *sc, struct idm_sacl_trust *t);
/*
 * A peer prefix (key masked) with its ID; a new length needs room among
 * IDMESH_SACL_PEER_LENS_MAX.
 */
int idm_sacl_peer_add(struct idm_sacl *sc, const struct idm_peer_key *k,
		      u64 id, struct netlink_ext_ack *extack);
void idm_sacl_peer_remove(struct idm_sacl *sc, struct idm_sacl_peer *p);
struct idm_sacl_peer *idm_sacl_peer_find(struct idm_sacl *sc,
					 const struct idm_peer_key *k);
/*
 * The packet path's (RCU): the ID of the longest peer prefix holding
 * addr (IPv4-mapped for IPv4, which only IPv4 prefixes hold); 0: none.
 */
u64 idm_sacl_peer_id(struct idm_sacl *sc, const struct in6_addr *addr);
/* A device that is a port, or trusted, went away: so do its entries. */
void idm_sacl_dev_gone(struct idm_sacl *sc, u32 ifindex);
/* Every entry and setting gone. */
void idm_sacl_flush(struct idm_sacl *sc);

/* Lookups, under RCU or in->lock (sacl.c). */
struct idm_sacl_port *idm_sacl_port_find(struct idm_sacl *sc, u32 ifindex);
struct idm_sacl_client *idm_sacl_client_find(struct idm_sacl *sc,
					     const struct idm_client_key *k);
struct idm_sacl_server *idm_sacl_server_find(struct idm_sacl *sc,
					     const struct idm_server_key *k);
struct idm_sacl_rule *idm_sacl_rule_find_key(struct idm_sacl *sc,
					     const struct idm_rule_key *k);
struct idm_sacl_trust *idm_sacl_trust_find(struct idm_sacl *sc,
					   const struct idm_sacl_trust *k);
/* The address client with this address, whatever its port. */
struct idm_sacl_client *idm_sacl_client_find_addr(struct idm_sacl *sc,
						  const struct in6_addr *addr);
/*
 * The packet path's. A packet from port is spoofed when its source
 * address is another port's client, or is none of the port's while it
 * has some of that family.
 */
bool idm_sacl_spoofed(struct idm_sacl *sc, const struct idm_sacl_port *port,
		      const struct in6_addr *src, const struct idm_sacl_client **client);
/*
 * The client's ID behind port: by LID (lid >= 0), else that of client,
 * the address client of its source (as idm_sacl_spoofed() found it), if
 * it is behind port; 0: none.
 */
u64 idm_sacl_client_id(struct idm_sacl *sc, const struct idm_sacl_client *client,
		       const struct idm_sacl_port *port, int lid);
u64 idm_sacl_server_id(struct idm_sacl *sc, const struct in6_addr *addr,
		       u8 proto, __be16 port);
/*
 * The most specific rule of direction dir that covers the IDs and
 * applies to a connection of protocol proto to port (host order). An ID
 * 0 (none) is covered only by rules of 0 bits on its side.
 */
struct idm_sacl_rule *idm_sacl_rule_find(struct idm_sacl *sc, u8 dir,
					 u64 client, u64 server, u8 proto,
					 u16 port);

/* Packet path (sacl_hook.c). */
void idm_sacl_count(struct idm_sacl *sc, enum idm_sacl_counter c);
/*
 * Hooks follow the tables (in->lock; also after the load balancer's VIPs
 * change, and from sc->resync): forward while a port is not a pair or
 * has a qdisc, or rules exist without ports, or ports or rules exist
 * beside VIPs; the marker hook while
 * marking is on. With ports that are all pairs and no forward hook, the
 * pairs do the work (sc->pair_path).
 */
int idm_sacl_hooks_sync(struct net *net, struct idm_sacl *sc,
			struct netlink_ext_ack *extack);
/* sc->resync's work: the hooks synced under in->lock. */
void idm_sacl_resync(struct work_struct *work);
/*
 * A device's event (main.c's notifier, RTNL held): ports, marker ports
 * and trusted devices go with their device. Takes the namespace's lock.
 */
void idm_sacl_netdev_event(struct net_device *dev, unsigned long event);

/*
 * An idmesh pair's own gateway (link.c's transmit, under RCU with
 * softirqs off), on the namespace's side where sc->pair_path is on.
 * Each takes skb and returns what to send on: NULL (dropped, counted,
 * or held for reassembly) or a list of packets (a segmented one).
 *
 * idm_sacl_pair_out(): leaving dev, a port, towards the workload, before
 * the packet is scrubbed: a forwarded packet that did not come from a
 * port is checked and stripped (the server side).
 * idm_sacl_pair_in(): arriving on dev, a port, from the workload, after
 * it is scrubbed: routed here, then tagged and tracked (the client side;
 * the server side too when the route leads to a port).
 */
struct sk_buff *idm_sacl_pair_out(struct sk_buff *skb, struct net_device *dev);
struct sk_buff *idm_sacl_pair_in(struct sk_buff *skb, struct net_device *dev);

#endif /* _IDMESH_SACL_H */
