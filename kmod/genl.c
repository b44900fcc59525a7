// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the "idmesh" generic netlink family. Every operation works on
 * the network namespace of the requesting socket; every change needs
 * CAP_NET_ADMIN (GENL_ADMIN_PERM); every attribute has a strict policy.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"

/* Requests that carry no attributes: anything sent is rejected. */
static const struct nla_policy idm_empty_policy[IDMESH_A_MAX + 1] = {
};

static struct netlink_range_validation idm_flow_limit_range = {
	.min = IDMESH_FLOW_LIMIT_MIN,
	.max = IDMESH_FLOW_LIMIT_MAX,
};

static struct netlink_range_validation idm_timeout_range = {
	.min = IDMESH_TIMEOUT_MIN,
	.max = IDMESH_TIMEOUT_MAX,
};

static const struct nla_policy idm_config_set_policy[IDMESH_A_MAX + 1] = {
	[IDMESH_A_FLOW_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U32,
						      &idm_flow_limit_range),
	[IDMESH_A_SACL_FLOW_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U32,
							   &idm_flow_limit_range),
	[IDMESH_A_TIMEOUT_TCP_SYN] = NLA_POLICY_FULL_RANGE(NLA_U32,
							   &idm_timeout_range),
	[IDMESH_A_TIMEOUT_TCP] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &idm_timeout_range),
	[IDMESH_A_TIMEOUT_TCP_FIN] = NLA_POLICY_FULL_RANGE(NLA_U32,
							   &idm_timeout_range),
	[IDMESH_A_TIMEOUT_UDP] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &idm_timeout_range),
	[IDMESH_A_TIMEOUT_SCTP] = NLA_POLICY_FULL_RANGE(NLA_U32,
							&idm_timeout_range),
};

static struct netlink_range_validation idm_table_size_range = {
	.min = IDMESH_TABLE_SIZE_MIN,
	.max = IDMESH_TABLE_SIZE_MAX,
};

const struct nla_policy idm_vip_policy[IDMESH_VIP_A_MAX + 1] = {
	[IDMESH_VIP_A_ADDR4] = { .type = NLA_BE32 },
	[IDMESH_VIP_A_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IDMESH_VIP_A_PROTO] = { .type = NLA_U8 },
	[IDMESH_VIP_A_PORT] = { .type = NLA_U16 },
	[IDMESH_VIP_A_TABLE_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32,
							  &idm_table_size_range),
	[IDMESH_VIP_A_MODE] = NLA_POLICY_RANGE(NLA_U8, IDMESH_VIP_MODE_NAT,
					       IDMESH_VIP_MODE_TUNNEL),
};

static struct netlink_range_validation idm_weight_range = {
	.min = 0,
	.max = IDMESH_WEIGHT_MAX,
};

const struct nla_policy idm_backend_policy[IDMESH_BACKEND_A_MAX + 1] = {
	[IDMESH_BACKEND_A_ADDR4] = { .type = NLA_BE32 },
	[IDMESH_BACKEND_A_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IDMESH_BACKEND_A_PORT] = { .type = NLA_U16 },
	[IDMESH_BACKEND_A_WEIGHT] = NLA_POLICY_FULL_RANGE(NLA_U32,
							  &idm_weight_range),
};

/* SACL IDs: any u64 but 0, which stands for "unknown" on the packet path. */
const struct nla_policy idm_sacl_policy[IDMESH_SACL_A_MAX + 1] = {
	[IDMESH_SACL_A_KIND] = NLA_POLICY_RANGE(NLA_U8, IDMESH_SACL_KIND_SETTINGS,
						IDMESH_SACL_KIND_TRUST),
	[IDMESH_SACL_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[IDMESH_SACL_A_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IDMESH_SACL_A_LID] = NLA_POLICY_MAX(NLA_U8, IDMESH_SACL_LID_MAX),
	[IDMESH_SACL_A_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[IDMESH_SACL_A_CLIENT_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[IDMESH_SACL_A_SERVER_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[IDMESH_SACL_A_PROTO] = { .type = NLA_U8 },
	[IDMESH_SACL_A_PORT] = { .type = NLA_U16 },
	[IDMESH_SACL_A_ACTION] = NLA_POLICY_RANGE(NLA_U8, IDMESH_SACL_ALLOW,
						  IDMESH_SACL_DENY),
	[IDMESH_SACL_A_PRIORITY] = { .type = NLA_U32 },
	[IDMESH_SACL_A_DSCP] = NLA_POLICY_MAX(NLA_U8, IDMESH_SACL_DSCP_MAX),
	[IDMESH_SACL_A_MARKER] = NLA_POLICY_MAX(NLA_U8, 1),
	[IDMESH_SACL_A_OPT_TYPE] = { .type = NLA_U8 },
	[IDMESH_SACL_A_DEFAULT] = NLA_POLICY_RANGE(NLA_U8, IDMESH_SACL_ALLOW,
						   IDMESH_SACL_DENY),
	[IDMESH_SACL_A_CLIENT_BITS] = NLA_POLICY_RANGE(NLA_U8, 1, 64),
	[IDMESH_SACL_A_SERVER_BITS] = NLA_POLICY_RANGE(NLA_U8, 1, 64),
	[IDMESH_SACL_A_ADDR4] = { .type = NLA_BE32 },
	[IDMESH_SACL_A_OPT_TYPE4] = { .type = NLA_U8 },
	[IDMESH_SACL_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy idm_sacl_req_policy[IDMESH_A_MAX + 1] = {
	[IDMESH_A_SACL] = NLA_POLICY_NESTED(idm_sacl_policy),
};

/* A VIP alone (vip new/del, dumps), or a VIP and one backend. */
static const struct nla_policy idm_vip_req_policy[IDMESH_A_MAX + 1] = {
	[IDMESH_A_VIP] = NLA_POLICY_NESTED(idm_vip_policy),
};

static const struct nla_policy idm_backend_req_policy[IDMESH_A_MAX + 1] = {
	[IDMESH_A_VIP] = NLA_POLICY_NESTED(idm_vip_policy),
	[IDMESH_A_BACKEND] = NLA_POLICY_NESTED(idm_backend_policy),
};

static int idm_reply(struct genl_info *info, u8 cmd,
		     int (*fill)(struct sk_buff *skb, void *arg), void *arg)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &idm_genl_family, 0, cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}

	err = fill(msg, arg);
	if (err)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	NL_SET_ERR_MSG_MOD(info->extack, "Reply does not fit in a message");
	return err;
}

static int idm_fill_version_cb(struct sk_buff *skb, void *arg)
{
	return idm_fill_version(skb);
}

static int idm_fill_config_cb(struct sk_buff *skb, void *arg)
{
	return idm_fill_config(skb, arg);
}

static int idm_fill_stats_cb(struct sk_buff *skb, void *arg)
{
	return idm_fill_stats(skb, arg);
}

static int idm_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));

	return idm_reply(info, IDMESH_CMD_STATS_GET,
			 idm_fill_stats_cb, in);
}

static int idm_nl_version_get(struct sk_buff *skb, struct genl_info *info)
{
	return idm_reply(info, IDMESH_CMD_VERSION_GET,
			 idm_fill_version_cb, NULL);
}

static int idm_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));

	return idm_reply(info, IDMESH_CMD_CONFIG_GET,
			 idm_fill_config_cb, in);
}

static int idm_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	int err;

	mutex_lock(&in->lock);
	err = idm_config_apply(in, info->attrs, info->extack);
	mutex_unlock(&in->lock);
	return err;
}

static const struct genl_ops idm_genl_ops[] = {
	{
		.cmd = IDMESH_CMD_VERSION_GET,
		.doit = idm_nl_version_get,
		.policy = idm_empty_policy,
		.maxattr = IDMESH_A_MAX,
	},
	{
		.cmd = IDMESH_CMD_CONFIG_GET,
		.doit = idm_nl_config_get,
		.policy = idm_empty_policy,
		.maxattr = IDMESH_A_MAX,
	},
	{
		.cmd = IDMESH_CMD_CONFIG_SET,
		.doit = idm_nl_config_set,
		.policy = idm_config_set_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_STATS_GET,
		.doit = idm_nl_stats_get,
		.policy = idm_empty_policy,
		.maxattr = IDMESH_A_MAX,
	},
	{
		.cmd = IDMESH_CMD_VIP_NEW,
		.doit = idm_nl_vip_new,
		.policy = idm_vip_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_VIP_DEL,
		.doit = idm_nl_vip_del,
		.policy = idm_vip_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_VIP_GET,
		.dumpit = idm_nl_vip_dump,
		.policy = idm_vip_req_policy,
		.maxattr = IDMESH_A_MAX,
	},
	{
		.cmd = IDMESH_CMD_BACKEND_NEW,
		.doit = idm_nl_backend_new,
		.policy = idm_backend_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_BACKEND_DEL,
		.doit = idm_nl_backend_del,
		.policy = idm_backend_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_BACKEND_SET,
		.doit = idm_nl_backend_set,
		.policy = idm_backend_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_TABLE_GET,
		.dumpit = idm_nl_table_dump,
		.policy = idm_vip_req_policy,
		.maxattr = IDMESH_A_MAX,
	},
	{
		.cmd = IDMESH_CMD_SACL_SET,
		.doit = idm_nl_sacl_set,
		.policy = idm_sacl_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_SACL_NEW,
		.doit = idm_nl_sacl_new,
		.policy = idm_sacl_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_SACL_DEL,
		.doit = idm_nl_sacl_del,
		.policy = idm_sacl_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_SACL_GET,
		.dumpit = idm_nl_sacl_dump,
		.policy = idm_sacl_req_policy,
		.maxattr = IDMESH_A_MAX,
	},
};

struct genl_family idm_genl_family __ro_after_init = {
	.name = IDMESH_GENL_NAME,
	.version = IDMESH_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = idm_genl_ops,
	.n_ops = ARRAY_SIZE(idm_genl_ops),
};

int __init idm_genl_init(void)
{
	return genl_register_family(&idm_genl_family);
}

void idm_genl_exit(void)
{
	genl_unregister_family(&idm_genl_family);
}
