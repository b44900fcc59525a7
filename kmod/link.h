/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: the link device's private state, shared by the device and the
 * local pair (link.c) and the remote transport (link_remote.c).
 */
#ifndef _IDMESH_LINK_H
#define _IDMESH_LINK_H

#include <linux/netdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <linux/u64_stats_sync.h>
#include <net/gro_cells.h>
#include <net/dst_cache.h>
#include <uapi/linux/idmesh.h>

struct idm_net;

#define IDM_ID_HASH_BITS	8

/* One UDP socket per (namespace, family, port), shared by remote links. */
struct idm_sock {
	struct list_head list;		/* idm_net.socks, RTNL */
	struct socket *sock;
	struct idm_net *in;
	__be16 port;
	bool ipv6;
	unsigned int users;		/* links using it, RTNL */
	struct hlist_head ids[1 << IDM_ID_HASH_BITS];
	struct rcu_head rcu;
};

/*
 * Packets and bytes are in dev->tstats, where the UDP tunnel helpers count
 * what they send; drops, by reason, are here.
 */
struct idm_pcpu_stats {
	u64_stats_t drops[IFLA_IDMESH_XSTATS_MAX + 1];
	struct u64_stats_sync syncp;
};

union idm_addr {
	__be32 v4;
	struct in6_addr v6;
};

struct idm_xpeers;

/* a with every bit past len cleared (the rest of the union zero). */
static inline void idm_addr_mask(union idm_addr *out, const union idm_addr *a,
				 bool v6, unsigned int len)
{
	memset(out, 0, sizeof(*out));
	if (v6)
		ipv6_addr_prefix(&out->v6, &a->v6, len);
	else
		out->v4 = len ? a->v4 & htonl(~0U << (32 - len)) : 0;
}

struct idm_link {
	struct net_device *dev;
	u8 mode;
	struct idm_pcpu_stats __percpu *stats;
	struct gro_cells gro_cells;

	/* local pair */
	struct net_device __rcu *peer;

	/* remote link */
	struct dst_cache dst_cache;	/* the route to the remote, per CPU */
	struct idm_sock *isk;
	struct hlist_node id_node;	/* isk->ids, RCU readers */
	struct list_head remote_node;	/* idm_net.remote_links, RTNL */
	u32 id;
	bool ipv6;
	bool has_local;
	union idm_addr remote;
	union idm_addr local;
	__be16 port;
	int underlay;			/* ifindex given by the user, or 0 */
	int mtu_dev;			/* ifindex whose MTU the link follows */
	bool mtu_user;			/* the user chose an MTU below the max */
	bool mtu_auto_change;		/* we are changing the MTU ourselves */
	/*
	 * An external remote link (no remote of its own): its peers
	 * (link_peer.c), allocated with it; writers hold RTNL, the packet
	 * path reads them under RCU.
	 */
	bool external;
	struct idm_xpeers *xp;
};

static inline void idm_count_drop(struct idm_link *l, int reason)
{
	struct idm_pcpu_stats *s = this_cpu_ptr(l->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[reason]);
	u64_stats_update_end(&s->syncp);
}

static inline void idm_link_drop(struct idm_link *l, struct sk_buff *skb, int reason)
{
	idm_count_drop(l, reason);
	kfree_skb(skb);
}

/* Is this an IPv4 or IPv6 packet whose header agrees with skb->protocol? */
static inline bool idm_ip_ok(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
		       ip_hdr(skb)->version == 4;
	if (skb->protocol == htons(ETH_P_IPV6))
		return pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
		       ipv6_hdr(skb)->version == 6;
	return false;
}

/* Remote links (link_remote.c); RTNL unless said otherwise. */
netdev_tx_t idm_remote_xmit(struct sk_buff *skb, struct net_device *dev);
int idm_newlink_remote(struct net *net, struct net_device *dev,
		       struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack);
/* dellink: receive no more for it (readers go with synchronize_net). */
void idm_remote_unhash(struct idm_link *l);
/* uninit: let go of the socket, once no reader can see the link. */
void idm_remote_release(struct idm_link *l);
/*
 * A device's event (main.c's notifier, RTNL held): remote links follow
 * their underlay's MTU, and forget an underlay that goes away.
 */
void idm_remote_netdev_event(struct net_device *dev, unsigned long event);

/*
 * An external link's peers (link_peer.c): prefix of inner destinations
 * -> the node's address; longest prefix first.
 */
struct idm_xpeer_spec {
	union idm_addr prefix;		/* no bit set past len */
	union idm_addr remote;		/* of the link's family */
	u8 len;
	bool ipv6;			/* the prefix's family */
};

/* The table of a new external link; -ENOMEM. RTNL. */
int idm_xpeers_alloc(struct idm_link *l);
/* Every peer and the table, once no reader can see the link. RTNL. */
void idm_xpeers_free(struct idm_link *l);
/* Add or replace the peer of s's prefix. RTNL; -ENOSPC past the limit. */
int idm_xpeer_set(struct idm_link *l, const struct idm_xpeer_spec *s,
		  struct netlink_ext_ack *extack);
/* Remove the peer of s's prefix (s->remote unused). RTNL; -ENOENT. */
int idm_xpeer_del(struct idm_link *l, const struct idm_xpeer_spec *s,
		  struct netlink_ext_ack *extack);
/*
 * The remote for an inner packet of skb->protocol (network header set),
 * copied to *remote: true, or false when no peer holds its destination.
 * RCU (the xmit path).
 */
bool idm_xpeer_route(const struct idm_link *l, struct sk_buff *skb,
		     union idm_addr *remote);
/* Is addr the address of one of the link's peers? RCU (receive). */
bool idm_xpeer_known(const struct idm_link *l, const union idm_addr *addr);
/*
 * The peers from the skip-th on, each given to fill (which returns
 * nonzero to stop: the message is full); the number given. RTNL.
 */
unsigned int idm_xpeer_walk(const struct idm_link *l, unsigned int skip,
			    int (*fill)(void *arg, const struct idm_xpeer_spec *s),
			    void *arg);
/* How many peers the link has. RTNL. */
unsigned int idm_xpeer_count(const struct idm_link *l);
/* The external link of ifindex in net, or NULL. RTNL. */
struct idm_link *idm_external_link(struct net *net, int ifindex);
/* Whether dev is an idmesh pair's end (under RCU or RTNL). */
bool idm_link_is_pair(const struct net_device *dev);

#endif /* _IDMESH_LINK_H */
