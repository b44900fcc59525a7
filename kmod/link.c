// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the "idmesh" link kind, an L3 point-to-point device (no ARP, no
 * MAC address) that is either
 *
 *  - one end of a local pair: what one end sends, the other receives, in
 *    whatever network namespace each end is (a pod and its node); or
 *  - a remote link: what it sends is carried in Geneve over UDP to the
 *    remote node, and delivered there to the link with the same id. The
 *    inner packet is never rewritten.
 *
 * Remote links of a namespace that use the same UDP port and address
 * family share one socket; the socket demultiplexes by id and local
 * address. The packet path reads links and sockets under RCU; everything
 * else runs under RTNL.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/u64_stats_sync.h>
#include <net/rtnetlink.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/ip_tunnels.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/gro_cells.h>
#include <net/dst_cache.h>
#include <net/route.h>
#include <net/icmp.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"
#include "compat.h"
#include "wire.h"

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

static struct rtnl_link_ops idm_link_ops;

static void idm_count_drop(struct idm_link *l, int reason)
{
	struct idm_pcpu_stats *s = this_cpu_ptr(l->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[reason]);
	u64_stats_update_end(&s->syncp);
}

static void idm_link_drop(struct idm_link *l, struct sk_buff *skb, int reason)
{
	idm_count_drop(l, reason);
	kfree_skb(skb);
}

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

/* Is this an IPv4 or IPv6 packet whose header agrees with skb->protocol? */
static bool idm_ip_ok(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
		       ip_hdr(skb)->version == 4;
	if (skb->protocol == htons(ETH_P_IPV6))
		return pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
		       ipv6_hdr(skb)->version == 6;
	return false;
}

/* ---- local pair ---- */

static netdev_tx_t idm_pair_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	struct net_device *peer;
	unsigned int len = skb->len;

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

	skb_scrub_packet(skb, !net_eq(dev_net(dev), dev_net(peer)));
	skb->dev = peer;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb->mac_len = 0;

	if (likely(__netif_rx(skb) == NET_RX_SUCCESS)) {
		dev_sw_netstats_tx_add(dev, 1, len);
		dev_sw_netstats_rx_add(peer, len);
	} else {
		/* The packet was freed by the backlog. */
		idm_count_drop(l, IFLA_IDMESH_XSTATS_BACKLOG);
	}
	return NETDEV_TX_OK;
}

/* ---- remote link: transmit ---- */

/* Tell the sender the packet does not fit; true if it was too big. */
static bool idm_check_pmtu(struct sk_buff *skb, unsigned int mtu)
{
	if (skb_is_gso(skb) ? skb_gso_validate_network_len(skb, mtu)
			    : skb->len <= mtu)
		return false;

	skb_dst_update_pmtu_no_confirm(skb, mtu);
	if (skb->protocol == htons(ETH_P_IP)) {
		/* Without DF the outer packet may be fragmented instead. */
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)))
			return false;
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(mtu));
	} else {
		if (mtu < IPV6_MIN_MTU)
			mtu = IPV6_MIN_MTU;
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	}
	return true;
}

/*
 * Over IPv4 the outer UDP checksum is zero, as Geneve's and VXLAN's default
 * (RFC 8926 §3.3 allows it; the inner packet has its own checksums); over
 * IPv6 it is computed, as RFC 8200 asks.
 */
static int idm_encap(struct idm_link *l, struct sk_buff *skb,
		     unsigned int headroom)
{
	int err;

	err = skb_cow_head(skb, headroom);
	if (unlikely(err))
		return err;
	err = iptunnel_handle_offloads(skb, l->ipv6 ? SKB_GSO_UDP_TUNNEL_CSUM
						    : SKB_GSO_UDP_TUNNEL);
	if (unlikely(err))
		return err;
	skb_set_inner_protocol(skb, skb->protocol);
	idm_geneve_build(__skb_push(skb, IDM_GENEVE_HLEN), l->id,
			 skb->protocol);
	return 0;
}

static netdev_tx_t idm_xmit4(struct idm_link *l, struct sk_buff *skb)
{
	struct net_device *dev = l->dev;
	struct net *net = dev_net(dev);
	struct sock *sk = l->isk->sock->sk;
	struct flowi4 fl4 = {
		.flowi4_oif = l->underlay,
		.flowi4_proto = IPPROTO_UDP,
		.daddr = l->remote.v4,
		.saddr = l->has_local ? l->local.v4 : 0,
		.fl4_dport = l->port,
	};
	__be16 sport, df;
	struct rtable *rt;
	u8 tos;

	rt = dst_cache_get_ip4(&l->dst_cache, &fl4.saddr);
	if (!rt) {
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt)) {
			idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NO_ROUTE);
			return NETDEV_TX_OK;
		}
		dst_cache_set_ip4(&l->dst_cache, &rt->dst, fl4.saddr);
	}
	if (unlikely(rt->dst.dev == dev)) {
		ip_rt_put(rt);
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_LOOP);
		return NETDEV_TX_OK;
	}
	if (idm_check_pmtu(skb, dst_mtu(&rt->dst) - IDM_OVERHEAD4)) {
		ip_rt_put(rt);
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_TOO_BIG);
		return NETDEV_TX_OK;
	}

	df = 0;
	if (skb->protocol == htons(ETH_P_IPV6) ||
	    (ip_hdr(skb)->frag_off & htons(IP_DF)))
		df = htons(IP_DF);
	tos = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);
	sport = udp_flow_src_port(net, skb, 0, 0, true);
	if (idm_encap(l, skb, LL_RESERVED_SPACE(rt->dst.dev) +
		      IDM_OVERHEAD4)) {
		ip_rt_put(rt);
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NOMEM);
		return NETDEV_TX_OK;
	}
	/* Counts the packet in dev->tstats, or the error. */
	udp_tunnel_xmit_skb(rt, sk, skb, fl4.saddr, fl4.daddr, tos,
			    ip4_dst_hoplimit(&rt->dst), df, sport, l->port,
			    false, true);
	return NETDEV_TX_OK;
}

static netdev_tx_t idm_xmit6(struct idm_link *l, struct sk_buff *skb)
{
	struct net_device *dev = l->dev;
	struct net *net = dev_net(dev);
	struct sock *sk = l->isk->sock->sk;
	struct flowi6 fl6 = {
		.flowi6_oif = l->underlay,
		.flowi6_proto = IPPROTO_UDP,
		.daddr = l->remote.v6,
		.fl6_dport = l->port,
	};
	struct dst_entry *dst;
	__be16 sport;
	u8 prio;

	if (l->has_local)
		fl6.saddr = l->local.v6;
	dst = dst_cache_get_ip6(&l->dst_cache, &fl6.saddr);
	if (!dst) {
		dst = ipv6_stub->ipv6_dst_lookup_flow(net, sk, &fl6, NULL);
		if (IS_ERR(dst)) {
			idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NO_ROUTE);
			return NETDEV_TX_OK;
		}
		dst_cache_set_ip6(&l->dst_cache, dst, &fl6.saddr);
	}
	if (unlikely(dst->dev == dev)) {
		dst_release(dst);
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_LOOP);
		return NETDEV_TX_OK;
	}
	if (idm_check_pmtu(skb, dst_mtu(dst) - IDM_OVERHEAD6)) {
		dst_release(dst);
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_TOO_BIG);
		return NETDEV_TX_OK;
	}

	prio = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);
	sport = udp_flow_src_port(net, skb, 0, 0, true);
	if (idm_encap(l, skb, LL_RESERVED_SPACE(dst->dev) +
		      IDM_OVERHEAD6)) {
		dst_release(dst);
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NOMEM);
		return NETDEV_TX_OK;
	}
	udp_tunnel6_xmit_skb(dst, sk, skb, dev, &fl6.saddr, &fl6.daddr, prio,
			     ip6_dst_hoplimit(dst), 0, sport, l->port, false);
	return NETDEV_TX_OK;
}

static netdev_tx_t idm_remote_xmit(struct sk_buff *skb,
				   struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);

	skb_reset_network_header(skb);
	if (unlikely(!idm_ip_ok(skb))) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_BAD_PROTO);
		return NETDEV_TX_OK;
	}
	return l->ipv6 ? idm_xmit6(l, skb) : idm_xmit4(l, skb);
}

static netdev_tx_t idm_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);

	if (l->mode == IDMESH_LINK_MODE_PAIR)
		return idm_pair_xmit(skb, dev);
	return idm_remote_xmit(skb, dev);
}

/* ---- remote link: receive ---- */

static u32 idm_id_hash(u32 id)
{
	return hash_32(id, IDM_ID_HASH_BITS);
}

/* The link for id and the outer destination daddr; RCU. */
static struct idm_link *idm_lookup(struct idm_sock *isk, u32 id,
				   const union idm_addr *daddr)
{
	struct idm_link *l, *wild = NULL;

	hlist_for_each_entry_rcu(l, &isk->ids[idm_id_hash(id)], id_node) {
		if (l->id != id)
			continue;
		if (!l->has_local)
			wild = l;
		else if (isk->ipv6 ? ipv6_addr_equal(&l->local.v6, &daddr->v6)
				   : l->local.v4 == daddr->v4)
			return l;
	}
	return wild;
}

static int idm_udp_recv(struct sock *sk, struct sk_buff *skb)
{
	struct idm_sock *isk = rcu_dereference_sk_user_data(sk);
	union idm_addr saddr, daddr;
	struct idm_geneve g;
	struct idm_link *l;
	unsigned int hlen;

	if (unlikely(!isk))
		goto drop;
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + IDM_GENEVE_HLEN))
		goto malformed;
	/* Options, if any, must be in the linear part too. */
	hlen = idm_geneve_hlen(udp_hdr(skb) + 1);
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + hlen) ||
	    idm_geneve_parse(udp_hdr(skb) + 1, hlen, &g))
		goto malformed;

	if (isk->ipv6) {
		saddr.v6 = ipv6_hdr(skb)->saddr;
		daddr.v6 = ipv6_hdr(skb)->daddr;
	} else {
		saddr.v4 = ip_hdr(skb)->saddr;
		daddr.v4 = ip_hdr(skb)->daddr;
	}
	l = idm_lookup(isk, g.id, &daddr);
	if (!l || !netif_running(l->dev)) {
		atomic64_inc(&isk->in->rx_unknown_id);
		goto drop;
	}
	if (isk->ipv6 ? !ipv6_addr_equal(&saddr.v6, &l->remote.v6)
		      : saddr.v4 != l->remote.v4) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_BAD_SOURCE);
		return 0;
	}

	if (iptunnel_pull_header(skb, sizeof(struct udphdr) + g.hlen, g.proto,
				 !net_eq(sock_net(sk), dev_net(l->dev)))) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NOMEM);
		return 0;
	}
	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);
	skb->mac_len = 0;
	if (!idm_ip_ok(skb)) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_BAD_PROTO);
		return 0;
	}
	skb->dev = l->dev;
	skb->pkt_type = PACKET_HOST;
	dev_sw_netstats_rx_add(l->dev, skb->len);
	gro_cells_receive(&l->gro_cells, skb);
	return 0;

malformed:
	if (isk)
		atomic64_inc(&isk->in->rx_malformed);
drop:
	kfree_skb(skb);
	return 0;
}

/* ---- sockets ---- */

static struct idm_sock *idm_sock_get(struct net *net, bool ipv6,
				     __be16 port,
				     struct netlink_ext_ack *extack)
{
	struct idm_net *in = idm_pernet(net);
	struct udp_tunnel_sock_cfg cfg = { };
	struct udp_port_cfg conf = { };
	struct idm_sock *isk;
	struct socket *sock;
	unsigned int i;
	int err;

	ASSERT_RTNL();
	list_for_each_entry(isk, &in->socks, list) {
		if (isk->ipv6 == ipv6 && isk->port == port) {
			isk->users++;
			return isk;
		}
	}

	isk = kzalloc(sizeof(*isk), GFP_KERNEL);
	if (!isk)
		return ERR_PTR(-ENOMEM);
	if (ipv6) {
		conf.family = AF_INET6;
		conf.ipv6_v6only = 1;
		conf.use_udp6_rx_checksums = 1;
		conf.use_udp6_tx_checksums = 1;
	} else {
		conf.family = AF_INET;
	}
	conf.local_udp_port = port;
	err = udp_sock_create(net, &conf, &sock);
	if (err) {
		NL_SET_ERR_MSG(extack, "Cannot open the link's UDP port");
		kfree(isk);
		return ERR_PTR(err);
	}
	for (i = 0; i < ARRAY_SIZE(isk->ids); i++)
		INIT_HLIST_HEAD(&isk->ids[i]);
	isk->sock = sock;
	isk->in = in;
	isk->ipv6 = ipv6;
	isk->port = port;
	isk->users = 1;

	cfg.sk_user_data = isk;
	cfg.encap_type = 1;
	cfg.encap_rcv = idm_udp_recv;
	setup_udp_tunnel_sock(net, sock, &cfg);
	list_add(&isk->list, &in->socks);
	return isk;
}

static void idm_sock_put(struct idm_sock *isk)
{
	ASSERT_RTNL();
	if (--isk->users)
		return;
	list_del(&isk->list);
	udp_tunnel_sock_release(isk->sock);
	kfree_rcu(isk, rcu);
}

/* ---- device ---- */

static int idm_dev_init(struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	int err;

	l->stats = netdev_alloc_pcpu_stats(struct idm_pcpu_stats);
	if (!l->stats)
		return -ENOMEM;
	err = dst_cache_init(&l->dst_cache, GFP_KERNEL);
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

	if (l->mode == IDMESH_LINK_MODE_REMOTE && l->isk) {
		/* dellink unhashed it; readers are gone (synchronize_net). */
		list_del(&l->remote_node);
		idm_sock_put(l->isk);
		l->isk = NULL;
	}
	gro_cells_destroy(&l->gro_cells);
	dst_cache_destroy(&l->dst_cache);
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
	tot->rx_dropped += drops[IFLA_IDMESH_XSTATS_BAD_SOURCE];
	for (i = 0; i < ARRAY_SIZE(drops); i++)
		if (i != IFLA_IDMESH_XSTATS_BAD_SOURCE)
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
	[IFLA_IDMESH_MODE] = { .type = NLA_REJECT },
	[IFLA_IDMESH_PEER] = { .len = sizeof(struct ifinfomsg) },
	[IFLA_IDMESH_PEER_NAME] = { .type = NLA_REJECT },
	[IFLA_IDMESH_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &idm_id_range),
	[IFLA_IDMESH_REMOTE] = NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[IFLA_IDMESH_LOCAL] = NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[IFLA_IDMESH_PORT] = NLA_POLICY_MIN(NLA_BE16, 1),
	[IFLA_IDMESH_UNDERLAY] = NLA_POLICY_MIN(NLA_U32, 1),
	[IFLA_IDMESH_MAX_MTU] = { .type = NLA_REJECT },
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
	if (!data || (!data[IFLA_IDMESH_PEER] && !data[IFLA_IDMESH_REMOTE])) {
		NL_SET_ERR_MSG(extack,
			       "A link needs a peer (local pair) or a remote address");
		return -EINVAL;
	}
	if (data[IFLA_IDMESH_PEER]) {
		if (data[IFLA_IDMESH_REMOTE]) {
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

	if (!idm_addr_len_ok(data[IFLA_IDMESH_REMOTE])) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_IDMESH_REMOTE],
				    "Remote address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	if (data[IFLA_IDMESH_LOCAL] &&
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

/* The device the underlay route to the remote leaves by, or NULL. */
static struct net_device *idm_route_dev(struct net *net,
					struct idm_link *l)
{
	struct net_device *dev = NULL;

	if (l->ipv6) {
		struct flowi6 fl6 = { .daddr = l->remote.v6,
				      .flowi6_proto = IPPROTO_UDP };
		struct dst_entry *dst;

		if (l->has_local)
			fl6.saddr = l->local.v6;
		dst = ipv6_stub->ipv6_dst_lookup_flow(net, NULL, &fl6, NULL);
		if (IS_ERR(dst))
			return NULL;
		dev = dst->dev;
		dev_hold(dev);
		dst_release(dst);
	} else {
		struct flowi4 fl4 = { .daddr = l->remote.v4,
				      .flowi4_proto = IPPROTO_UDP };
		struct rtable *rt;

		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return NULL;
		dev = rt->dst.dev;
		dev_hold(dev);
		ip_rt_put(rt);
	}
	return dev;
}

static bool idm_same_local(const struct idm_link *a,
			   const struct idm_link *b)
{
	if (a->has_local != b->has_local)
		return false;
	if (!a->has_local)
		return true;
	return a->ipv6 ? ipv6_addr_equal(&a->local.v6, &b->local.v6)
		       : a->local.v4 == b->local.v4;
}

static int idm_newlink_remote(struct net *net, struct net_device *dev,
			      struct nlattr *tb[], struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	struct idm_link *l = netdev_priv(dev), *o;
	struct idm_net *in = idm_pernet(net);
	struct net_device *under;
	struct idm_sock *isk;
	int max_mtu, err;

	l->mode = IDMESH_LINK_MODE_REMOTE;
	l->ipv6 = nla_len(data[IFLA_IDMESH_REMOTE]) == sizeof(struct in6_addr);
	nla_memcpy(&l->remote, data[IFLA_IDMESH_REMOTE], sizeof(l->remote));
	if (data[IFLA_IDMESH_LOCAL]) {
		nla_memcpy(&l->local, data[IFLA_IDMESH_LOCAL], sizeof(l->local));
		l->has_local = true;
	}
	l->id = nla_get_u32(data[IFLA_IDMESH_ID]);
	l->port = data[IFLA_IDMESH_PORT] ? nla_get_be16(data[IFLA_IDMESH_PORT])
					 : htons(IDMESH_DEFAULT_PORT);

	list_for_each_entry(o, &in->remote_links, remote_node) {
		if (o->id == l->id && o->port == l->port && o->ipv6 == l->ipv6 &&
		    idm_same_local(o, l)) {
			NL_SET_ERR_MSG(extack,
				       "This id is already used on this local address and port");
			return -EEXIST;
		}
	}

	if (data[IFLA_IDMESH_UNDERLAY]) {
		l->underlay = nla_get_u32(data[IFLA_IDMESH_UNDERLAY]);
		under = dev_get_by_index(net, l->underlay);
		if (!under) {
			NL_SET_ERR_MSG_ATTR(extack, data[IFLA_IDMESH_UNDERLAY],
					    "Underlay device not found");
			return -ENODEV;
		}
	} else {
		under = idm_route_dev(net, l);
	}
	if (under) {
		l->mtu_dev = under->ifindex;
		max_mtu = idm_link_mtu(under->mtu, l->ipv6);
		dev_put(under);
	} else {
		/* No route yet: assume an Ethernet underlay until one shows. */
		max_mtu = idm_link_mtu(ETH_DATA_LEN, l->ipv6);
	}
	if (max_mtu < 0) {
		NL_SET_ERR_MSG(extack, "The underlay MTU is too small for encapsulation");
		return -EINVAL;
	}
	if (tb[IFLA_MTU]) {
		if (dev->mtu > max_mtu) {
			NL_SET_ERR_MSG(extack,
				       "MTU above the underlay MTU minus the encapsulation");
			return -EINVAL;
		}
		l->mtu_user = dev->mtu < max_mtu;
	} else {
		dev->mtu = max_mtu;
	}
	dev->max_mtu = max_mtu;
	dev->needed_headroom = LL_MAX_HEADER + idm_overhead(l->ipv6);
	idm_dev_set_netns_immutable(dev);

	isk = idm_sock_get(net, l->ipv6, l->port, extack);
	if (IS_ERR(isk))
		return PTR_ERR(isk);
	l->isk = isk;

	err = register_netdevice(dev);
	if (err) {
		l->isk = NULL;
		idm_sock_put(isk);
		return err;
	}
	list_add(&l->remote_node, &in->remote_links);
	hlist_add_head_rcu(&l->id_node, &isk->ids[idm_id_hash(l->id)]);
	return 0;
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
		/* Readers may still see it until unregister's synchronize_net. */
		if (l->isk)
			hlist_del_init_rcu(&l->id_node);
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
	       nla_total_size(sizeof(u32));		/* MAX_MTU */
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
	    nla_put(skb, IFLA_IDMESH_REMOTE, alen, &l->remote) ||
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

/* ---- following the underlay's MTU ---- */

static void idm_follow_mtu(struct idm_link *l, unsigned int under_mtu)
{
	int max = idm_link_mtu(under_mtu, l->ipv6);
	int target;

	if (max < 0)
		max = IDM_MIN_MTU;
	l->dev->max_mtu = max;
	target = l->mtu_user ? min_t(int, l->dev->mtu, max) : max;
	if (target == l->dev->mtu)
		return;
	l->mtu_auto_change = true;
	if (dev_set_mtu(l->dev, target))
		netdev_warn(l->dev, "cannot follow the underlay MTU to %d\n",
			    target);
	l->mtu_auto_change = false;
}

static int idm_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct idm_net *in = idm_pernet(dev_net(dev));
	struct idm_link *l;

	if (event != NETDEV_CHANGEMTU && event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	if (event == NETDEV_UNREGISTER)
		idm_sacl_dev_gone(in, dev);
	list_for_each_entry(l, &in->remote_links, remote_node) {
		if (l->mtu_dev != dev->ifindex || l->dev == dev)
			continue;
		if (event == NETDEV_CHANGEMTU) {
			idm_follow_mtu(l, dev->mtu);
		} else {
			l->mtu_dev = 0;
			if (l->underlay == dev->ifindex)
				l->underlay = 0;
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block idm_notifier = {
	.notifier_call = idm_netdev_event,
};

int __init idm_link_init(void)
{
	int err;

	err = register_netdevice_notifier(&idm_notifier);
	if (err)
		return err;
	err = rtnl_link_register(&idm_link_ops);
	if (err)
		unregister_netdevice_notifier(&idm_notifier);
	return err;
}

void idm_link_exit(void)
{
	rtnl_link_unregister(&idm_link_ops);
	unregister_netdevice_notifier(&idm_notifier);
}

MODULE_ALIAS_RTNL_LINK(IDMESH_LINK_KIND);
