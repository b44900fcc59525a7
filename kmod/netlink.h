/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh: what the generic netlink family (netlink.c) takes from the
 * files that hold each feature's commands: their request policies and
 * handlers. Nothing outside the netlink files uses these.
 */
#ifndef _IDMESH_NETLINK_H
#define _IDMESH_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/idmesh.h>

struct idm_net;

/* netlink.c: the family, for the dumps' messages. */
extern struct genl_family idm_genl_family;

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
int idm_nl_vip_dump(struct sk_buff *skb, struct netlink_callback *cb);
int idm_nl_backend_new(struct sk_buff *skb, struct genl_info *info);
int idm_nl_backend_del(struct sk_buff *skb, struct genl_info *info);
int idm_nl_backend_set(struct sk_buff *skb, struct genl_info *info);
int idm_nl_backend_replace(struct sk_buff *skb, struct genl_info *info);
int idm_nl_table_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* netlink_sacl.c: the SACL nest; netlink_sacl_dump.c: the dump. */
extern const struct nla_policy idm_sacl_policy[IDMESH_SACL_A_MAX + 1];
extern const struct nla_policy idm_sacl_req_policy[IDMESH_A_MAX + 1];
int idm_nl_sacl_set(struct sk_buff *skb, struct genl_info *info);
int idm_nl_sacl_new(struct sk_buff *skb, struct genl_info *info);
int idm_nl_sacl_del(struct sk_buff *skb, struct genl_info *info);
int idm_nl_sacl_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _IDMESH_NETLINK_H */
