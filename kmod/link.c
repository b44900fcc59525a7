// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the "idmesh" link kind, an L3 point-to-point device (no ARP, no
 * MAC address): its net_device and rtnetlink operations, and the local
 * pair, whose two ends hand each other what they send, in whatever
 * network namespace each end is (a pod and its node). A remote link's
 * transport (its UDP socket, transmit, receive, MTU following) is in
 * link_remote.c. Everything here runs under RTNL but transmit, which reads
 * the peer under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/if_arp.h>
#include <linux/u64_stats_sync.h>
#include <net/rtnetlink.h>
#include <net/net_namespace.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"
#include "compat.h"
#include "link.h"
#include "sacl.h"
#include "geneve.h"

static struct rtnl_link_ops idm_link_ops;

/* Drops by reason, summed over the CPUs. */
static void idm_sum_drops(const struct idm_link *l,
			  u64 sum[IFLA_IDMESH_XSTATS_MAX + 1])
{
	unsigned int i, start;
	int cpu;

	memset(sum, 0, (IFLA_IDMESH_XSTATS_MAX + 1) * sizeof(u64));
	for_each_possible_cpu(cpu) {
		const struct idm_pcpu_stats *s = per_cpu_ptr(l->stats, cpu);
		u64 v[IFLA_IDMESH_XSTATS_MAX + 1];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < ARRAY_SIZE(v); i++)
				v[i] = u64_stats_read(&s->drops[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < ARRAY_SIZE(v); i++)
			sum[i] += v[i];
	}
}

/* ---- local pair ---- */

/* One packet across to the peer, into its namespace. */
static void idm_pair_cross(struct idm_link *l, struct net_device *dev,
			   struct net_device *peer, struct sk_buff *skb)
{
	struct sk_buff *next;
	unsigned int len;

	skb_scrub_packet(skb, !net_eq(dev_net(dev), dev_net(peer)));
	skb->dev = peer;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb->mac_len = 0;

	/* The SACL gateway of a port, when the pair does its work. */
	skb = idm_sacl_pair_in(skb, peer);
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		len = skb->len;
		if (likely(__netif_rx(skb) == NET_RX_SUCCESS)) {
			dev_sw_netstats_tx_add(dev, 1, len);
			dev_sw_netstats_rx_add(peer, len);
		} else {
			/* The packet was freed by the backlog. */
			idm_count_drop(l, IFLA_IDMESH_XSTATS_BACKLOG);
		}
	}
}

static netdev_tx_t idm_pair_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	struct net_device *peer;
	struct sk_buff *next;

	skb_reset_network_header(skb);
	peer = rcu_dereference(l->peer);
	if (unlikely(!peer || !(peer->flags & IFF_UP))) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NO_PEER);
		return NETDEV_TX_OK;
	}
	if (unlikely(!idm_ip_ok(skb))) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_BAD_PROTO);
		return NETDEV_TX_OK;
	}
	if (unlikely(skb_orphan_frags(skb, GFP_ATOMIC))) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NOMEM);
		return NETDEV_TX_OK;
	}

	skb = idm_sacl_pair_out(skb, dev);
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		idm_pair_cross(l, dev, peer, skb);
	}
	return NETDEV_TX_OK;
}

static netdev_tx_t idm_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);

	if (l->mode == IDMESH_LINK_MODE_PAIR)
		return idm_pair_xmit(skb, dev);
	return idm_remote_xmit(skb, dev);
}

/* ---- device ---- */

static int idm_dev_init(struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	int err;

	l->stats = netdev_alloc_pcpu_stats(struct idm_pcpu_stats);
	if (!l->stats)
		return -ENOMEM;
	/*
	 * A pair hands packets to its peer as they are: only a remote link
	 * routes (a cached route) and receives from a socket (GRO cells).
	 */
	if (l->mode != IDMESH_LINK_MODE_REMOTE)
		return 0;
	err = dst_cache_init(&l->dst_cache, GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_stats;
	err = gro_cells_init(&l->gro_cells, dev);
	if (err)
		goto err_dst_cache;
	return 0;

err_dst_cache:
	dst_cache_destroy(&l->dst_cache);
err_stats:
	free_percpu(l->stats);
	return err;
}

static void idm_dev_uninit(struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);

	if (l->mode == IDMESH_LINK_MODE_REMOTE) {
		idm_remote_release(l);
		idm_xpeers_free(l);
		gro_cells_destroy(&l->gro_cells);
		dst_cache_destroy(&l->dst_cache);
	}
	free_percpu(l->stats);
}

static int idm_open(struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	struct net_device *peer;

	if (l->mode == IDMESH_LINK_MODE_REMOTE) {
		netif_carrier_on(dev);
		return 0;
	}
	peer = rtnl_dereference(l->peer);
	if (!peer)
		return -ENOTCONN;
	if (peer->flags & IFF_UP) {
		netif_carrier_on(dev);
		netif_carrier_on(peer);
	}
	return 0;
}

static int idm_stop(struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(l->peer);

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer);
	return 0;
}

static int idm_change_mtu(struct net_device *dev, int new_mtu)
{
	struct idm_link *l = netdev_priv(dev);

	if (!l->mtu_auto_change)
		l->mtu_user = new_mtu < dev->max_mtu;
	dev->mtu = new_mtu;
	return 0;
}

static void idm_get_stats64(struct net_device *dev,
			    struct rtnl_link_stats64 *tot)
{
	struct idm_link *l = netdev_priv(dev);
	u64 drops[IFLA_IDMESH_XSTATS_MAX + 1];
	unsigned int i;

	dev_fetch_sw_netstats(tot, dev->tstats);
	idm_sum_drops(l, drops);
	tot->rx_dropped += drops[IFLA_IDMESH_XSTATS_BAD_SOURCE] +
			   drops[IFLA_IDMESH_XSTATS_ECN];
	for (i = 0; i < ARRAY_SIZE(drops); i++)
		if (i != IFLA_IDMESH_XSTATS_BAD_SOURCE &&
		    i != IFLA_IDMESH_XSTATS_ECN)
			tot->tx_dropped += drops[i];
	/* What the tunnel helpers counted as errors or drops on transmit. */
	tot->tx_dropped += DEV_STATS_READ(dev, tx_dropped);
	tot->tx_errors += DEV_STATS_READ(dev, tx_errors);
}

static int idm_get_iflink(const struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	struct net_device *peer;
	int ifindex = 0;

	if (l->mode == IDMESH_LINK_MODE_REMOTE)
		return l->underlay ?: dev->ifindex;
	rcu_read_lock();
	peer = rcu_dereference(l->peer);
	if (peer)
		ifindex = peer->ifindex;
	rcu_read_unlock();
	return ifindex;
}

static const struct net_device_ops idm_netdev_ops = {
	.ndo_init = idm_dev_init,
	.ndo_uninit = idm_dev_uninit,
	.ndo_open = idm_open,
	.ndo_stop = idm_stop,
	.ndo_start_xmit = idm_xmit,
	.ndo_change_mtu = idm_change_mtu,
	.ndo_get_stats64 = idm_get_stats64,
	.ndo_get_iflink = idm_get_iflink,
};

/*
 * What a pod's packets get room for in front, so that its node can add
 * without a copy the SACL option (24 bytes), a remote link's
 * encapsulation over IPv6 (40 + 8 + 8) and an Ethernet header.
 */
#define IDM_PAIR_HEADROOM	(24 + 40 + 8 + 8 + ETH_HLEN)

#define IDM_FEATURES (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA | \
		      NETIF_F_RXCSUM | NETIF_F_GSO_SOFTWARE)

static void idm_setup(struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);

	l->dev = dev;
	dev->netdev_ops = &idm_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = IDM_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU;
	dev->needs_free_netdev = true;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	dev->features |= IDM_FEATURES;
	dev->hw_features |= IDM_FEATURES;
	dev->hw_enc_features |= IDM_FEATURES;
	idm_dev_set_lltx(dev);
	netif_keep_dst(dev);
}

/* ---- rtnetlink ---- */

static struct netlink_range_validation idm_id_range = {
	.min = 1,
	.max = IDMESH_ID_MAX,
};

static const struct nla_policy idm_policy[IFLA_IDMESH_MAX + 1] = {
	[IFLA_IDMESH_MODE]	= { .type = NLA_REJECT },
	[IFLA_IDMESH_PEER]	= { .len = sizeof(struct ifinfomsg) },
	[IFLA_IDMESH_PEER_NAME]	= { .type = NLA_REJECT },
	[IFLA_IDMESH_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_id_range),
	[IFLA_IDMESH_REMOTE]	= NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[IFLA_IDMESH_LOCAL]	= NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[IFLA_IDMESH_PORT]	= NLA_POLICY_MIN(NLA_BE16, 1),
	[IFLA_IDMESH_UNDERLAY]	= NLA_POLICY_MIN(NLA_U32, 1),
	[IFLA_IDMESH_MAX_MTU]	= { .type = NLA_REJECT },
	[IFLA_IDMESH_EXTERNAL]	= NLA_POLICY_RANGE(NLA_U8, 4, 6),
};

static bool idm_addr_len_ok(const struct nlattr *a)
{
	return nla_len(a) == sizeof(struct in_addr) ||
	       nla_len(a) == sizeof(struct in6_addr);
}

static int idm_validate(struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	static const int remote_only[] = {
		IFLA_IDMESH_ID, IFLA_IDMESH_LOCAL, IFLA_IDMESH_PORT,
		IFLA_IDMESH_UNDERLAY,
	};
	unsigned int i;

	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG(extack, "An idmesh link has no link-layer address");
		return -EINVAL;
	}
	if (!data || (!data[IFLA_IDMESH_PEER] && !data[IFLA_IDMESH_REMOTE] &&
		      !data[IFLA_IDMESH_EXTERNAL])) {
		NL_SET_ERR_MSG(extack,
			       "A link needs a peer (local pair), a remote address or external");
		return -EINVAL;
	}
	if (data[IFLA_IDMESH_PEER]) {
		if (data[IFLA_IDMESH_REMOTE] || data[IFLA_IDMESH_EXTERNAL]) {
			NL_SET_ERR_MSG(extack,
				       "A link has a peer or a remote address, not both");
			return -EINVAL;
		}
		for (i = 0; i < ARRAY_SIZE(remote_only); i++) {
			if (data[remote_only[i]]) {
				NL_SET_ERR_MSG_ATTR(extack, data[remote_only[i]],
						    "The id, local, port and dev are for remote links");
				return -EINVAL;
			}
		}
		return 0;
	}

	if (data[IFLA_IDMESH_EXTERNAL]) {
		u8 fam = nla_get_u8(data[IFLA_IDMESH_EXTERNAL]);

		if (data[IFLA_IDMESH_REMOTE]) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_IDMESH_REMOTE],
					    "An external link has no remote address of its own: its peers have");
			return -EINVAL;
		}
		if (fam != 4 && fam != 6) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_IDMESH_EXTERNAL],
					    "An external link's underlay family is 4 or 6");
			return -EINVAL;
		}
		if (data[IFLA_IDMESH_LOCAL] &&
		    nla_len(data[IFLA_IDMESH_LOCAL]) != (fam == 6 ? sizeof(struct in6_addr)
								  : sizeof(struct in_addr))) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_IDMESH_LOCAL],
					    "The local address is not of the link's family");
			return -EINVAL;
		}
	} else if (!idm_addr_len_ok(data[IFLA_IDMESH_REMOTE])) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_IDMESH_REMOTE],
				    "Remote address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	} else if (data[IFLA_IDMESH_LOCAL] &&
		   nla_len(data[IFLA_IDMESH_LOCAL]) != nla_len(data[IFLA_IDMESH_REMOTE])) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_IDMESH_LOCAL],
				    "Local and remote addresses are of different families");
		return -EINVAL;
	}
	if (!data[IFLA_IDMESH_ID]) {
		NL_SET_ERR_MSG(extack, "A remote link needs an id");
		return -EINVAL;
	}
	return 0;
}

/*
 * The namespace the peer end goes to: the request's own, or the one its
 * IFLA_NET_NS_PID, IFLA_NET_NS_FD or IFLA_TARGET_NETNSID names. Putting a
 * device there needs CAP_NET_ADMIN over that namespace too, as it does
 * for the device the request itself creates: without it, a container
 * holding CAP_NET_ADMIN over its own namespace only could plant the peer
 * in the host's. A reference is held on what is returned.
 */
static struct net *idm_peer_net(struct net *src_net, struct nlattr *tb[],
				struct netlink_ext_ack *extack)
{
	struct net *net;

	if (tb[IFLA_TARGET_NETNSID] &&
	    (tb[IFLA_NET_NS_PID] || tb[IFLA_NET_NS_FD])) {
		NL_SET_ERR_MSG(extack,
			       "The peer's namespace is given twice (netnsid and pid or fd)");
		return ERR_PTR(-EINVAL);
	}
	if (tb[IFLA_TARGET_NETNSID]) {
		net = get_net_ns_by_id(src_net,
				       nla_get_s32(tb[IFLA_TARGET_NETNSID]));
		if (!net) {
			NL_SET_ERR_MSG(extack,
				       "The peer's network namespace id is unknown");
			return ERR_PTR(-EINVAL);
		}
	} else {
		net = rtnl_link_get_net(src_net, tb);
		if (IS_ERR(net)) {
			NL_SET_ERR_MSG(extack,
				       "The peer's network namespace does not exist");
			return net;
		}
	}
	if (!ns_capable(net->user_ns, CAP_NET_ADMIN)) {
		put_net(net);
		NL_SET_ERR_MSG(extack,
			       "Putting the peer in that network namespace needs CAP_NET_ADMIN over it");
		return ERR_PTR(-EPERM);
	}
	return net;
}

static int idm_newlink_pair(struct net *src_net, struct net_device *dev,
			    struct nlattr *tb[], struct nlattr *data[],
			    struct netlink_ext_ack *extack)
{
	struct nlattr *peer_tb[IFLA_MAX + 1];
	struct idm_link *l = netdev_priv(dev), *pl;
	unsigned char name_assign_type;
	struct net_device *peer;
	struct ifinfomsg *ifmp;
	char ifname[IFNAMSIZ];
	struct net *net;
	int err;

	ifmp = nla_data(data[IFLA_IDMESH_PEER]);
	err = rtnl_nla_parse_ifinfomsg(peer_tb, data[IFLA_IDMESH_PEER], extack);
	if (err < 0)
		return err;
	if (peer_tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG(extack, "An idmesh link has no link-layer address");
		return -EINVAL;
	}
	if (peer_tb[IFLA_IFNAME]) {
		nla_strscpy(ifname, peer_tb[IFLA_IFNAME], IFNAMSIZ);
		name_assign_type = NET_NAME_USER;
	} else {
		snprintf(ifname, IFNAMSIZ, "idmesh%%d");
		name_assign_type = NET_NAME_ENUM;
	}

	net = idm_peer_net(src_net, peer_tb, extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	peer = rtnl_create_link(net, ifname, name_assign_type, &idm_link_ops,
				peer_tb, extack);
	if (IS_ERR(peer)) {
		put_net(net);
		return PTR_ERR(peer);
	}
	pl = netdev_priv(peer);
	pl->mode = IDMESH_LINK_MODE_PAIR;
	if (!peer_tb[IFLA_MTU])
		peer->mtu = dev->mtu;
	peer->needed_headroom = IDM_PAIR_HEADROOM;
	dev->needed_headroom = IDM_PAIR_HEADROOM;
	err = register_netdevice(peer);
	put_net(net);
	if (err < 0) {
		free_netdev(peer);
		return err;
	}
	netif_carrier_off(peer);
	err = rtnl_configure_link(peer, ifmp, 0, NULL);
	if (err < 0)
		goto err_peer;

	l->mode = IDMESH_LINK_MODE_PAIR;
	if (tb[IFLA_IFNAME])
		nla_strscpy(dev->name, tb[IFLA_IFNAME], IFNAMSIZ);
	else
		snprintf(dev->name, IFNAMSIZ, "idmesh%%d");
	err = register_netdevice(dev);
	if (err < 0)
		goto err_peer;
	netif_carrier_off(dev);

	rcu_assign_pointer(l->peer, peer);
	rcu_assign_pointer(pl->peer, dev);
	return 0;

err_peer:
	unregister_netdevice(peer);
	return err;
}

static int idm_newlink(struct net *src_net, struct net_device *dev,
		       struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack)
{
	if (data[IFLA_IDMESH_PEER])
		return idm_newlink_pair(src_net, dev, tb, data, extack);
	return idm_newlink_remote(dev_net(dev), dev, tb, data, extack);
}

static void idm_dellink(struct net_device *dev, struct list_head *head)
{
	struct idm_link *l = netdev_priv(dev), *pl;
	struct net_device *peer;

	if (l->mode == IDMESH_LINK_MODE_REMOTE) {
		idm_remote_unhash(l);
		unregister_netdevice_queue(dev, head);
		return;
	}

	peer = rtnl_dereference(l->peer);
	RCU_INIT_POINTER(l->peer, NULL);
	unregister_netdevice_queue(dev, head);
	if (peer) {
		pl = netdev_priv(peer);
		RCU_INIT_POINTER(pl->peer, NULL);
		unregister_netdevice_queue(peer, head);
	}
}

static size_t idm_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u8)) +		/* MODE */
	       nla_total_size(IFNAMSIZ) +		/* PEER_NAME */
	       nla_total_size(sizeof(u32)) +		/* ID */
	       2 * nla_total_size(sizeof(struct in6_addr)) + /* REMOTE, LOCAL */
	       nla_total_size(sizeof(__be16)) +	/* PORT */
	       nla_total_size(sizeof(u32)) +		/* UNDERLAY */
	       nla_total_size(sizeof(u32)) +		/* MAX_MTU */
	       nla_total_size(sizeof(u8));		/* EXTERNAL */
}

static int idm_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	unsigned int alen = l->ipv6 ? sizeof(struct in6_addr)
				    : sizeof(struct in_addr);
	struct net_device *peer;
	int err = 0;

	if (nla_put_u8(skb, IFLA_IDMESH_MODE, l->mode) ||
	    nla_put_u32(skb, IFLA_IDMESH_MAX_MTU, dev->max_mtu))
		return -EMSGSIZE;

	if (l->mode == IDMESH_LINK_MODE_PAIR) {
		rcu_read_lock();
		peer = rcu_dereference(l->peer);
		if (peer && nla_put_string(skb, IFLA_IDMESH_PEER_NAME, peer->name))
			err = -EMSGSIZE;
		rcu_read_unlock();
		return err;
	}

	if (nla_put_u32(skb, IFLA_IDMESH_ID, l->id) ||
	    (l->external ? nla_put_u8(skb, IFLA_IDMESH_EXTERNAL, l->ipv6 ? 6 : 4) :
			   nla_put(skb, IFLA_IDMESH_REMOTE, alen, &l->remote)) ||
	    (l->has_local && nla_put(skb, IFLA_IDMESH_LOCAL, alen, &l->local)) ||
	    nla_put_be16(skb, IFLA_IDMESH_PORT, l->port) ||
	    (l->underlay && nla_put_u32(skb, IFLA_IDMESH_UNDERLAY, l->underlay)))
		return -EMSGSIZE;
	return 0;
}

static size_t idm_get_xstats_size(const struct net_device *dev)
{
	return nla_total_size(0) +	/* IFLA_INFO_XSTATS */
	       (IFLA_IDMESH_XSTATS_MAX - 1) * nla_total_size_64bit(sizeof(u64));
}

static int idm_fill_xstats(struct sk_buff *skb, const struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	u64 sum[IFLA_IDMESH_XSTATS_MAX + 1];
	struct nlattr *nest;
	unsigned int i;

	idm_sum_drops(l, sum);
	nest = nla_nest_start_noflag(skb, IFLA_INFO_XSTATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = IFLA_IDMESH_XSTATS_NO_PEER; i <= IFLA_IDMESH_XSTATS_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, sum[i], IFLA_IDMESH_XSTATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static struct net *idm_get_link_net(const struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	struct net_device *peer;
	struct net *net = dev_net(dev);

	if (l->mode != IDMESH_LINK_MODE_PAIR)
		return net;
	peer = rtnl_dereference(l->peer);
	return peer ? dev_net(peer) : net;
}

static struct rtnl_link_ops idm_link_ops __read_mostly = {
	.kind = IDMESH_LINK_KIND,
	.priv_size = sizeof(struct idm_link),
	.setup = idm_setup,
	.maxtype = IFLA_IDMESH_MAX,
	.policy = idm_policy,
	.validate = idm_validate,
	.newlink = idm_newlink,
	.dellink = idm_dellink,
	.get_size = idm_get_size,
	.fill_info = idm_fill_info,
	.get_xstats_size = idm_get_xstats_size,
	.fill_xstats = idm_fill_xstats,
	.get_link_net = idm_get_link_net,
};

struct idm_link *idm_external_link(struct net *net, int ifindex)
{
	struct net_device *dev = __dev_get_by_index(net, ifindex);
	struct idm_link *l;

	ASSERT_RTNL();
	if (!dev || dev->rtnl_link_ops != &idm_link_ops)
		return NULL;
	l = netdev_priv(dev);
	return l->external ? l : NULL;
}

bool idm_link_is_pair(const struct net_device *dev)
{
	const struct idm_link *l = netdev_priv(dev);

	return dev->rtnl_link_ops == &idm_link_ops &&
	       l->mode == IDMESH_LINK_MODE_PAIR;
}

int __init idm_link_init(void)
{
	return rtnl_link_register(&idm_link_ops);
}

void idm_link_exit(void)
{
	rtnl_link_unregister(&idm_link_ops);
}

MODULE_ALIAS_RTNL_LINK(IDMESH_LINK_KIND);
