// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the peers of external remote links over generic netlink
 * (IDMESH_CMD_LINK_PEER_*): the IDMESH_A_LINK_PEER nest, checked here,
 * applied by link_peer.c under RTNL. A request names a link of the
 * requesting socket's namespace by ifindex.
 */
#include <linux/kernel.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"
#include "compat.h"
#include "link.h"
#include "netlink.h"

static const struct nla_policy idm_link_peer_policy[IDMESH_LINK_PEER_A_MAX + 1] = {
	[IDMESH_LINK_PEER_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[IDMESH_LINK_PEER_A_PREFIX4]	= { .type = NLA_U32 },
	[IDMESH_LINK_PEER_A_PREFIX6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IDMESH_LINK_PEER_A_PREFIX_LEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[IDMESH_LINK_PEER_A_REMOTE4]	= { .type = NLA_U32 },
	[IDMESH_LINK_PEER_A_REMOTE6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

const struct nla_policy idm_link_peer_req_policy[IDMESH_A_MAX + 1] = {
	[IDMESH_A_LINK_PEER] = NLA_POLICY_NESTED(idm_link_peer_policy),
};

/* One of a pair of attributes (4: be32, 6: in6_addr) into *a: 4, 6, or 0. */
static int idm_peer_addr(struct nlattr *a4, struct nlattr *a6,
			 union idm_addr *a, struct netlink_ext_ack *extack)
{
	if (a4 && a6) {
		NL_SET_ERR_MSG_ATTR(extack, a6, "Give an address as IPv4 or IPv6, not both");
		return -EINVAL;
	}
	memset(a, 0, sizeof(*a));
	if (a4) {
		a->v4 = nla_get_in_addr(a4);
		return 4;
	}
	if (a6) {
		a->v6 = nla_get_in6_addr(a6);
		return 6;
	}
	return 0;
}

/*
 * The request's link and peer: the link (RTNL held by the caller), or an
 * error pointer with extack set. del: the remote is not needed.
 */
static struct idm_link *idm_parse_link_peer(struct genl_info *info, bool del,
					    struct idm_xpeer_spec *s)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[IDMESH_LINK_PEER_A_MAX + 1];
	struct nlattr *nest = info->attrs[IDMESH_A_LINK_PEER];
	union idm_addr full;
	struct idm_link *l;
	int fam, rfam, err;
	unsigned int max;

	if (!nest) {
		NL_SET_ERR_MSG(extack, "Missing the peer (IDMESH_A_LINK_PEER)");
		return ERR_PTR(-EINVAL);
	}
	err = nla_parse_nested(tb, IDMESH_LINK_PEER_A_MAX, nest, idm_link_peer_policy,
			       extack);
	if (err)
		return ERR_PTR(err);
	if (!tb[IDMESH_LINK_PEER_A_IFINDEX]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "Name the external link (IFINDEX)");
		return ERR_PTR(-EINVAL);
	}
	memset(s, 0, sizeof(*s));
	fam = idm_peer_addr(tb[IDMESH_LINK_PEER_A_PREFIX4], tb[IDMESH_LINK_PEER_A_PREFIX6],
			    &s->prefix, extack);
	if (fam < 0)
		return ERR_PTR(fam);
	if (!fam) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "Missing the peer's prefix (PREFIX4 or PREFIX6)");
		return ERR_PTR(-EINVAL);
	}
	s->ipv6 = fam == 6;
	max = s->ipv6 ? 128 : 32;
	s->len = tb[IDMESH_LINK_PEER_A_PREFIX_LEN] ?
		 nla_get_u8(tb[IDMESH_LINK_PEER_A_PREFIX_LEN]) : max;
	if (s->len > max) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_LINK_PEER_A_PREFIX_LEN],
				    "An IPv4 prefix is at most 32 bits long");
		return ERR_PTR(-EINVAL);
	}
	full = s->prefix;
	idm_addr_mask(&s->prefix, &full, s->ipv6, s->len);
	if (memcmp(&full, &s->prefix, sizeof(full))) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "The prefix has bits set past its length");
		return ERR_PTR(-EINVAL);
	}
	rfam = idm_peer_addr(tb[IDMESH_LINK_PEER_A_REMOTE4], tb[IDMESH_LINK_PEER_A_REMOTE6],
			     &s->remote, extack);
	if (rfam < 0)
		return ERR_PTR(rfam);
	if (!del && !rfam) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "Missing the peer's remote address");
		return ERR_PTR(-EINVAL);
	}
	l = idm_external_link(genl_info_net(info),
			      nla_get_u32(tb[IDMESH_LINK_PEER_A_IFINDEX]));
	if (!l) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_LINK_PEER_A_IFINDEX],
				    "No external idmesh link of this ifindex here");
		return ERR_PTR(-ENODEV);
	}
	if (rfam && rfam != (l->ipv6 ? 6 : 4)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[rfam == 6 ? IDMESH_LINK_PEER_A_REMOTE6 :
					       IDMESH_LINK_PEER_A_REMOTE4],
				    "The remote is not of the link's underlay family");
		return ERR_PTR(-EINVAL);
	}
	return l;
}

static int idm_link_peer_change(struct genl_info *info, bool del)
{
	struct idm_xpeer_spec s;
	struct idm_link *l;
	int err;

	rtnl_lock();
	l = idm_parse_link_peer(info, del, &s);
	if (IS_ERR(l))
		err = PTR_ERR(l);
	else
		err = del ? idm_xpeer_del(l, &s, info->extack) :
			    idm_xpeer_set(l, &s, info->extack);
	rtnl_unlock();
	return err;
}

int idm_nl_link_peer_new(struct sk_buff *skb, struct genl_info *info)
{
	return idm_link_peer_change(info, false);
}

int idm_nl_link_peer_del(struct sk_buff *skb, struct genl_info *info)
{
	return idm_link_peer_change(info, true);
}

struct idm_peer_fill {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	int ifindex;
	bool ipv6;			/* the link's family */
};

static int idm_fill_link_peer(void *arg, const struct idm_xpeer_spec *s)
{
	struct idm_peer_fill *f = arg;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(f->skb, NETLINK_CB(f->cb->skb).portid, f->cb->nlh->nlmsg_seq,
			  &idm_genl_family, NLM_F_MULTI, IDMESH_CMD_LINK_PEER_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(f->skb, IDMESH_A_LINK_PEER);
	if (!nest ||
	    nla_put_u32(f->skb, IDMESH_LINK_PEER_A_IFINDEX, f->ifindex) ||
	    (s->ipv6 ? nla_put_in6_addr(f->skb, IDMESH_LINK_PEER_A_PREFIX6, &s->prefix.v6) :
		       nla_put_in_addr(f->skb, IDMESH_LINK_PEER_A_PREFIX4, s->prefix.v4)) ||
	    nla_put_u8(f->skb, IDMESH_LINK_PEER_A_PREFIX_LEN, s->len) ||
	    (f->ipv6 ? nla_put_in6_addr(f->skb, IDMESH_LINK_PEER_A_REMOTE6, &s->remote.v6) :
		       nla_put_in_addr(f->skb, IDMESH_LINK_PEER_A_REMOTE4, s->remote.v4))) {
		genlmsg_cancel(f->skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(f->skb, nest);
	genlmsg_end(f->skb, hdr);
	return 0;
}

/*
 * One message per peer; of the link IFINDEX names, or of every external
 * link of the namespace. cb->args[0]: external links done, [1]: peers
 * done of the next one.
 */
int idm_nl_link_peer_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = idm_dump_attrs(cb);
	struct nlattr *tb[IDMESH_LINK_PEER_A_MAX + 1];
	struct idm_peer_fill f = { .skb = skb, .cb = cb };
	struct net *net = sock_net(skb->sk);
	struct net_device *dev;
	int only = 0, err = 0;
	long i = 0;

	if (attrs[IDMESH_A_LINK_PEER]) {
		err = nla_parse_nested(tb, IDMESH_LINK_PEER_A_MAX, attrs[IDMESH_A_LINK_PEER],
				       idm_link_peer_policy, cb->extack);
		if (err)
			return err;
		if (tb[IDMESH_LINK_PEER_A_IFINDEX])
			only = nla_get_u32(tb[IDMESH_LINK_PEER_A_IFINDEX]);
	}
	rtnl_lock();
	if (only && !idm_external_link(net, only)) {
		NL_SET_ERR_MSG(cb->extack, "No external idmesh link of this ifindex here");
		err = -ENODEV;
		goto out;
	}
	for_each_netdev(net, dev) {
		struct idm_link *l;

		if (only && dev->ifindex != only)
			continue;
		l = idm_external_link(net, dev->ifindex);
		if (!l || i++ < cb->args[0])
			continue;
		f.ifindex = dev->ifindex;
		f.ipv6 = l->ipv6;
		cb->args[1] += idm_xpeer_walk(l, cb->args[1], idm_fill_link_peer, &f);
		if (cb->args[1] < idm_xpeer_count(l))
			break;		/* the message is full */
		cb->args[0]++;
		cb->args[1] = 0;
	}
	err = skb->len;
out:
	rtnl_unlock();
	return err;
}
