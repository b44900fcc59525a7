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
#include <uapi/linux/idmesh.h>

#include "sacl_wire.h"

struct idm_net;
struct genl_info;
struct netlink_callback;
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
	struct rcu_head rcu;
};

/* A client: by address (ifindex 0), or by marker port and LID. */
struct idm_client_key {
	struct in6_addr addr;
	u32 ifindex;
	u8 lid;
	u8 pad[3];
};

struct idm_sacl_client {
	struct rhash_head node;
	struct idm_client_key key;
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

/* A rule covers the IDs whose first cbits (sbits) bits are client's (server's). */
struct idm_rule_key {
	u64 client;
	u64 server;
	u8 cbits, sbits;		/* 1..64; 64: one ID */
	u8 pad[6];
};

/* The prefix lengths the rules use, most specific first (RCU). */
struct idm_rule_prefixes {
	struct rcu_head rcu;
	unsigned int n;
	struct {
		u8 cbits, sbits;
	} p[IDMESH_SACL_PREFIXES_MAX];
};

static inline u64 idm_prefix_mask(unsigned int bits)
{
	return bits >= 64 ? ~0ULL : ~(~0ULL >> bits);
}

struct idm_sacl_rule {
	struct rhash_head node;
	struct idm_rule_key key;
	u8 action;			/* enum idmesh_sacl_action */
	bool has_priority, has_dscp;
	u8 dscp;
	u32 priority;
	struct idm_rule_stats __percpu *stats;
	struct list_head list;
	struct rcu_head rcu;
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

struct idm_sacl {
	struct hlist_head port_hash[1 << IDM_PORT_HASH_BITS];
	struct list_head ports, clients, servers, rules, trusts;
	/* in->lock; nrules also read by the packet path (READ_ONCE). */
	unsigned int nports, nclients, nservers, nrules, ntrusts;
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
	/* Hooks registered: forward while ports or rules exist. */
	bool fwd_hooks, marker_hook;
	struct idm_sacl_stats __percpu *stats;
};

int idm_sacl_net_init(struct idm_net *in);
void idm_sacl_net_exit(struct net *net, struct idm_net *in);
/* Ports and trusted devices go with their device: a netdev notifier. */
int idm_sacl_init(void);
void idm_sacl_exit(void);

int idm_nl_sacl_set(struct sk_buff *skb, struct genl_info *info);
int idm_nl_sacl_new(struct sk_buff *skb, struct genl_info *info);
int idm_nl_sacl_del(struct sk_buff *skb, struct genl_info *info);
int idm_nl_sacl_dump(struct sk_buff *skb, struct netlink_callback *cb);

extern const struct nla_policy idm_sacl_policy[IDMESH_SACL_A_MAX + 1];

/* Lookups, under RCU (sacl.c). */
struct idm_sacl_port *idm_sacl_port_find(struct idm_sacl *sc, u32 ifindex);
u64 idm_sacl_client_id(struct idm_sacl *sc, const struct in6_addr *addr,
		       u32 ifindex, int lid);
u64 idm_sacl_server_id(struct idm_sacl *sc, const struct in6_addr *addr,
		       u8 proto, __be16 port);
struct idm_sacl_rule *idm_sacl_rule_find(struct idm_sacl *sc, u64 client,
					 u64 server);

/* Packet path (sacl_hook.c). */
void idm_sacl_count(struct idm_sacl *sc, enum idm_sacl_counter c);
int idm_sacl_hooks_register(struct net *net, bool marker);
void idm_sacl_hooks_unregister(struct net *net, bool marker);

#endif /* _IDMESH_SACL_H */
