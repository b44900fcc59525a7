/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: what the generic netlink family (netlink.c) takes from the
 * files that hold each feature's commands: their request policies and
 * handlers. Nothing outside the netlink files uses these.
 */
#ifndef _IDMESH_NETLINK_H
#define _IDMESH_NETLINK_H

#include <net/genetlink.h>
#include <net/ipv6.h>
#include <uapi/linux/idmesh.h>

struct idm_net;

/* netlink.c: the family, for the dumps' messages. */
extern struct genl_family idm_genl_family;

/*
 * An address given as a pair of attributes, ADDR4 or ADDR6: AF_INET with
 * it IPv4-mapped in *a, AF_INET6, 0 when neither is there, or -EINVAL
 * with the reason in extack (both given, or an IPv4 address given
 * IPv4-mapped in ADDR6). Every nest with an address reads it so.
 */
static inline int idm_nl_addr(struct nlattr *a4, struct nlattr *a6,
			      struct in6_addr *a,
			      struct netlink_ext_ack *extack)
{
	if (a4 && a6) {
		NL_SET_ERR_MSG_ATTR(extack, a6,
				    "Give one address, IPv4 (ADDR4) or IPv6 (ADDR6), not both");
		return -EINVAL;
	}
	if (a4) {
		ipv6_addr_set_v4mapped(nla_get_in_addr(a4), a);
		return AF_INET;
	}
	if (!a6)
		return 0;
	*a = nla_get_in6_addr(a6);
	if (ipv6_addr_v4mapped(a)) {
		NL_SET_ERR_MSG_ATTR(extack, a6,
				    "An IPv4 address goes in ADDR4, not IPv4-mapped in ADDR6");
		return -EINVAL;
	}
	return AF_INET6;
}

/*
 * config.c: the namespace-wide replies and the settings request. Pure
 * (no locks taken, no other file's functions): the KUnit suite builds it.
 */
extern const struct nla_policy idm_config_set_policy[IDMESH_A_MAX + 1];
/* IDMESH_A_VERSION and every IDMESH_A_FEATURE; -EMSGSIZE if no room. */
int idm_fill_version(struct sk_buff *skb);
/* The settings, and the hash key if key is not NULL; -EMSGSIZE. */
int idm_fill_config(struct sk_buff *skb, struct idm_net *in, const u8 *key);
/* The namespace's counters and the flow zones'; -EMSGSIZE. */
int idm_fill_stats(struct sk_buff *skb, const struct idm_net *in);
/*
 * A CONFIG_SET request its policy accepted: 0, or -EINVAL with a message
 * when it names no setting.
 */
int idm_config_check(struct nlattr **attrs, struct netlink_ext_ack *extack);
/*
 * Write its limits and timeouts (every one is in range: the policy said
 * so; the hash key is the caller's, set first). Caller holds in->lock.
 */
void idm_config_apply(struct idm_net *in, struct nlattr **attrs);

/* netlink_lb.c: a VIP alone (vip new/del, dumps), or a VIP and a backend. */
extern const struct nla_policy idm_vip_req_policy[IDMESH_A_MAX + 1];
extern const struct nla_policy idm_backend_req_policy[IDMESH_A_MAX + 1];
int idm_nl_vip_new(struct sk_buff *skb, struct genl_info *info);
int idm_nl_vip_del(struct sk_buff *skb, struct genl_info *info);
int idm_nl_vip_set(struct sk_buff *skb, struct genl_info *info);
int idm_nl_vip_dump(struct sk_buff *skb, struct netlink_callback *cb);
int idm_nl_backend_new(struct sk_buff *skb, struct genl_info *info);
int idm_nl_backend_del(struct sk_buff *skb, struct genl_info *info);
int idm_nl_backend_set(struct sk_buff *skb, struct genl_info *info);
int idm_nl_backend_replace(struct sk_buff *skb, struct genl_info *info);
int idm_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* netlink_peer.c: an external link's peers. */
extern const struct nla_policy idm_link_peer_req_policy[IDMESH_A_MAX + 1];
int idm_nl_link_peer_new(struct sk_buff *skb, struct genl_info *info);
int idm_nl_link_peer_del(struct sk_buff *skb, struct genl_info *info);
int idm_nl_link_peer_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* netlink_sacl.c: the SACL nest; netlink_sacl_dump.c: the dump. */
extern const struct nla_policy idm_sacl_policy[IDMESH_SACL_A_MAX + 1];
extern const struct nla_policy idm_sacl_req_policy[IDMESH_A_MAX + 1];
int idm_nl_sacl_set(struct sk_buff *skb, struct genl_info *info);
int idm_nl_sacl_new(struct sk_buff *skb, struct genl_info *info);
int idm_nl_sacl_del(struct sk_buff *skb, struct genl_info *info);
int idm_nl_sacl_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _IDMESH_NETLINK_H */
