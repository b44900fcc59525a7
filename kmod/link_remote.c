// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: remote links. What a remote link sends is carried in Geneve over
 * UDP to the remote node, and delivered there to the link with the same
 * id; the inner packet is never rewritten. Remote links of a namespace
 * that use the same UDP port and address family share one socket; the
 * socket demultiplexes by id and local address. A link's MTU follows its
 * underlay's. The packet path reads links and sockets under RCU;
 * everything else runs under RTNL.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/rtnetlink.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/ip_tunnels.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/route.h>
#include <net/icmp.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"
#include "compat.h"
#include "link.h"
#include "geneve.h"

/* ---- transmit ---- */
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

/*
 * To remote: the link's own, or (an external link) its peer's for this
 * packet, whose route is looked up each time: it follows route changes,
 * and no per-peer cache grows with the peers.
 */
static netdev_tx_t idm_xmit4(struct idm_link *l, struct sk_buff *skb,
			     const union idm_addr *remote)
{
	struct net_device *dev = l->dev;
	struct net *net = dev_net(dev);
	struct sock *sk = l->isk->sock->sk;
	struct flowi4 fl4 = {
		.flowi4_oif = l->underlay,
		.flowi4_proto = IPPROTO_UDP,
		.daddr = remote->v4,
		.saddr = l->has_local ? l->local.v4 : 0,
		.fl4_dport = l->port,
	};
	__be16 sport, df;
	struct rtable *rt;
	u8 tos;

	rt = l->external ? NULL : dst_cache_get_ip4(&l->dst_cache, &fl4.saddr);
	if (!rt) {
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt)) {
			idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NO_ROUTE);
			return NETDEV_TX_OK;
		}
		if (!l->external)
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

/* One fragment of an inner IPv4 packet, encapsulated as any packet. */
static int idm_xmit6_frag(struct net *net, struct sock *sk,
			  struct sk_buff *skb)
{
	idm_remote_xmit(skb, skb->dev);
	return 0;
}

static netdev_tx_t idm_xmit6(struct idm_link *l, struct sk_buff *skb,
			     const union idm_addr *remote)
{
	struct net_device *dev = l->dev;
	struct net *net = dev_net(dev);
	struct sock *sk = l->isk->sock->sk;
	struct flowi6 fl6 = {
		.flowi6_oif = l->underlay,
		.flowi6_proto = IPPROTO_UDP,
		.daddr = remote->v6,
		.fl6_dport = l->port,
	};
	struct dst_entry *dst;
	unsigned int mtu;
	__be16 sport;
	u8 prio;

	if (l->has_local)
		fl6.saddr = l->local.v6;
	dst = l->external ? NULL : dst_cache_get_ip6(&l->dst_cache, &fl6.saddr);
	if (!dst) {
		dst = ipv6_stub->ipv6_dst_lookup_flow(net, sk, &fl6, NULL);
		if (IS_ERR(dst)) {
			idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NO_ROUTE);
			return NETDEV_TX_OK;
		}
		if (!l->external)
			dst_cache_set_ip6(&l->dst_cache, dst, &fl6.saddr);
	}
	if (unlikely(dst->dev == dev)) {
		dst_release(dst);
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_LOOP);
		return NETDEV_TX_OK;
	}
	mtu = dst_mtu(dst) - IDM_OVERHEAD6;
	/*
	 * IPv4 without DF may be fragmented on the way: over IPv6 only its
	 * sender's side may, so here, to the path's MTU, before
	 * encapsulation (ip_do_fragment() frees it on failure).
	 */
	if (skb->protocol == htons(ETH_P_IP) && !skb_is_gso(skb) &&
	    skb->len > mtu && !(ip_hdr(skb)->frag_off & htons(IP_DF))) {
		dst_release(dst);
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		IPCB(skb)->frag_max_size = mtu;
		if (ip_do_fragment(net, NULL, skb, idm_xmit6_frag))
			DEV_STATS_INC(dev, tx_errors);
		return NETDEV_TX_OK;
	}
	if (idm_check_pmtu(skb, mtu)) {
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

netdev_tx_t idm_remote_xmit(struct sk_buff *skb,
			    struct net_device *dev)
{
	struct idm_link *l = netdev_priv(dev);
	union idm_addr remote;

	skb_reset_network_header(skb);
	if (unlikely(!idm_ip_ok(skb))) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_BAD_PROTO);
		return NETDEV_TX_OK;
	}
	if (!l->external) {
		remote = l->remote;
	} else if (!idm_xpeer_route(l, skb, &remote)) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NO_PEER);
		return NETDEV_TX_OK;
	}
	return l->ipv6 ? idm_xmit6(l, skb, &remote) : idm_xmit4(l, skb, &remote);
}

/* ---- receive ---- */

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
	void *oh;

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
	if (l->external ? !idm_xpeer_known(l, &saddr) :
	    isk->ipv6 ? !ipv6_addr_equal(&saddr.v6, &l->remote.v6)
		      : saddr.v4 != l->remote.v4) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_BAD_SOURCE);
		return 0;
	}

	if (iptunnel_pull_header(skb, sizeof(struct udphdr) + g.hlen, g.proto,
				 !net_eq(sock_net(sk), dev_net(l->dev)))) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_NOMEM);
		return 0;
	}
	/* Still the outer header: its offset did not move. */
	oh = skb_network_header(skb);
	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);
	skb->mac_len = 0;
	if (!idm_ip_ok(skb)) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_BAD_PROTO);
		return 0;
	}
	/*
	 * Congestion marked on the way reaches the inner header (RFC 6040,
	 * as Geneve does); CE on a packet whose sender does not do ECN is
	 * dropped.
	 */
	if (unlikely((isk->ipv6 ? IP6_ECN_decapsulate((struct ipv6hdr *)oh, skb) :
				  IP_ECN_decapsulate((struct iphdr *)oh, skb)) > 1)) {
		idm_link_drop(l, skb, IFLA_IDMESH_XSTATS_ECN);
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

/*
 * An ICMP error about a packet one of the socket's links sent: udp_err()
 * finds no socket by the random source port, and asks this. 0 (ours) when
 * it quotes a link's Geneve header and went to that link's remote: then
 * the underlay's route to the remote learns the path MTU from Frag Needed
 * or Packet Too Big, and the link's next packets use it.
 */
static int idm_udp_err_lookup(struct sock *sk, struct sk_buff *skb)
{
	struct idm_sock *isk = rcu_dereference_sk_user_data(sk);
	unsigned int off = skb_transport_offset(skb) + sizeof(struct udphdr);
	union idm_addr daddr;
	struct idm_geneve g;
	struct idm_link *l;

	if (!isk || !pskb_may_pull(skb, off + IDM_GENEVE_HLEN) ||
	    idm_geneve_parse(skb->data + off, IDM_GENEVE_HLEN, &g))
		return -EINVAL;
	memset(&daddr, 0, sizeof(daddr));
	if (isk->ipv6)
		daddr.v6 = ipv6_hdr(skb)->daddr;
	else
		daddr.v4 = ip_hdr(skb)->daddr;
	hlist_for_each_entry_rcu(l, &isk->ids[idm_id_hash(g.id)], id_node)
		if (l->id == g.id &&
		    (l->external ? idm_xpeer_known(l, &daddr) :
		     isk->ipv6 ? ipv6_addr_equal(&l->remote.v6, &daddr.v6)
			       : l->remote.v4 == daddr.v4))
			return 0;
	return -ENOENT;
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
	cfg.encap_err_lookup = idm_udp_err_lookup;
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

/* ---- creating, deleting ---- */

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

int idm_newlink_remote(struct net *net, struct net_device *dev,
		       struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack)
{
	struct idm_link *l = netdev_priv(dev), *o;
	struct idm_net *in = idm_pernet(net);
	struct net_device *under;
	struct idm_sock *isk;
	int max_mtu, err;

	l->mode = IDMESH_LINK_MODE_REMOTE;
	if (data[IFLA_IDMESH_EXTERNAL]) {
		l->external = true;
		l->ipv6 = nla_get_u8(data[IFLA_IDMESH_EXTERNAL]) == 6;
	} else {
		l->ipv6 = nla_len(data[IFLA_IDMESH_REMOTE]) == sizeof(struct in6_addr);
		nla_memcpy(&l->remote, data[IFLA_IDMESH_REMOTE], sizeof(l->remote));
	}
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
		/* An external link has no one remote to route to. */
		under = l->external ? NULL : idm_route_dev(net, l);
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

	if (l->external) {
		err = idm_xpeers_alloc(l);
		if (err)
			return err;
	}
	isk = idm_sock_get(net, l->ipv6, l->port, extack);
	if (IS_ERR(isk)) {
		idm_xpeers_free(l);
		return PTR_ERR(isk);
	}
	l->isk = isk;

	err = register_netdevice(dev);
	if (err) {
		l->isk = NULL;
		idm_sock_put(isk);
		idm_xpeers_free(l);
		return err;
	}
	list_add(&l->remote_node, &in->remote_links);
	hlist_add_head_rcu(&l->id_node, &isk->ids[idm_id_hash(l->id)]);
	return 0;
}

void idm_remote_unhash(struct idm_link *l)
{
	/* Readers may still see it until unregister's synchronize_net. */
	if (l->isk)
		hlist_del_init_rcu(&l->id_node);
}

void idm_remote_release(struct idm_link *l)
{
	if (!l->isk)
		return;
	/* dellink unhashed it; readers are gone (synchronize_net). */
	list_del(&l->remote_node);
	idm_sock_put(l->isk);
	l->isk = NULL;
}

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

void idm_remote_netdev_event(struct net_device *dev, unsigned long event)
{
	struct idm_net *in = idm_pernet(dev_net(dev));
	struct idm_link *l;

	ASSERT_RTNL();
	if (event != NETDEV_CHANGEMTU && event != NETDEV_UNREGISTER)
		return;
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
}
