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

#endif /* _IDMESH_LINK_H */
