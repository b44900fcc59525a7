// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the "idmesh" generic netlink family: its policies, its
 * operations, and the namespace-wide commands (version, settings,
 * statistics). The load balancer's and the SACL gateway's commands are in
 * netlink_lb.c and netlink_sacl.c. Every operation works on the network
 * namespace of the requesting socket; every change needs CAP_NET_ADMIN
 * (GENL_ADMIN_PERM); every attribute has a strict policy.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/errno.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"
#include "netlink.h"

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
	[IDMESH_A_FLOW_LIMIT]		= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_flow_limit_range),
	[IDMESH_A_SACL_FLOW_LIMIT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_flow_limit_range),
	[IDMESH_A_SACL_PORT_FLOW_LIMIT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_flow_limit_range),
	[IDMESH_A_TIMEOUT_TCP_SYN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_timeout_range),
	[IDMESH_A_TIMEOUT_TCP]		= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_timeout_range),
	[IDMESH_A_TIMEOUT_TCP_FIN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_timeout_range),
	[IDMESH_A_TIMEOUT_UDP]		= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_timeout_range),
	[IDMESH_A_TIMEOUT_SCTP]		= NLA_POLICY_FULL_RANGE(NLA_U32, &idm_timeout_range),
	[IDMESH_A_HASH_KEY]		= NLA_POLICY_EXACT_LEN(IDMESH_HASH_KEY_LEN),
};

static const char * const idm_features[] = {
	"netns",
	"config",
	"link",
	"maglev",
	"sacl",
};

static int idm_fill_version(struct sk_buff *skb)
{
	unsigned int i;

	if (nla_put_string(skb, IDMESH_A_VERSION, IDM_VERSION))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(idm_features); i++)
		if (nla_put_string(skb, IDMESH_A_FEATURE, idm_features[i]))
			return -EMSGSIZE;
	return 0;
}

/* Timeout attributes, in the order of enum idm_timeout. */
static const int idm_timeout_attr[] = {
	[IDM_TO_TCP_SYN] = IDMESH_A_TIMEOUT_TCP_SYN,
	[IDM_TO_TCP] = IDMESH_A_TIMEOUT_TCP,
	[IDM_TO_TCP_FIN] = IDMESH_A_TIMEOUT_TCP_FIN,
	[IDM_TO_UDP] = IDMESH_A_TIMEOUT_UDP,
	[IDM_TO_SCTP] = IDMESH_A_TIMEOUT_SCTP,
};

/* The settings; the hash key only for a caller who may change it. */
static int idm_fill_config(struct sk_buff *skb, struct idm_net *in,
			   bool with_key)
{
	const struct idm_flow_zone *z = in->flows.zone;
	u8 key[IDMESH_HASH_KEY_LEN];
	unsigned int i;

	if (nla_put_u32(skb, IDMESH_A_FLOW_LIMIT,
			READ_ONCE(z[IDM_ZONE_LB].limit)) ||
	    nla_put_u32(skb, IDMESH_A_SACL_FLOW_LIMIT,
			READ_ONCE(z[IDM_ZONE_SACL].limit)) ||
	    nla_put_u32(skb, IDMESH_A_SACL_PORT_FLOW_LIMIT,
			READ_ONCE(in->flows.port_limit)))
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(idm_timeout_attr); i++)
		if (nla_put_u32(skb, idm_timeout_attr[i],
				READ_ONCE(in->flows.timeout[i])))
			return -EMSGSIZE;
	if (!with_key)
		return 0;
	idm_lb_get_key(&in->lb, key);
	return nla_put(skb, IDMESH_A_HASH_KEY, sizeof(key), key);
}

/*
 * Apply a validated IDMESH_CMD_CONFIG_SET request. The policy has already
 * range-checked every attribute, so once a request is accepted, all of it
 * is applied; a rejected request changes nothing. Caller holds in->lock.
 */
static int idm_config_apply(struct idm_net *in, struct nlattr **attrs,
			    struct netlink_ext_ack *extack)
{
	bool any = attrs[IDMESH_A_FLOW_LIMIT] || attrs[IDMESH_A_SACL_FLOW_LIMIT] ||
		   attrs[IDMESH_A_SACL_PORT_FLOW_LIMIT] || attrs[IDMESH_A_HASH_KEY];
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(idm_timeout_attr); i++)
		any |= !!attrs[idm_timeout_attr[i]];
	if (!any) {
		NL_SET_ERR_MSG(extack, "No setting to change was given");
		return -EINVAL;
	}

	lockdep_assert_held(&in->lock);
	/* The one change that can fail goes first: then all, or nothing. */
	if (attrs[IDMESH_A_HASH_KEY]) {
		err = idm_lb_set_key(&in->lb, nla_data(attrs[IDMESH_A_HASH_KEY]));
		if (err)
			return err;
	}
	if (attrs[IDMESH_A_FLOW_LIMIT])
		WRITE_ONCE(in->flows.zone[IDM_ZONE_LB].limit,
			   nla_get_u32(attrs[IDMESH_A_FLOW_LIMIT]));
	if (attrs[IDMESH_A_SACL_FLOW_LIMIT])
		WRITE_ONCE(in->flows.zone[IDM_ZONE_SACL].limit,
			   nla_get_u32(attrs[IDMESH_A_SACL_FLOW_LIMIT]));
	if (attrs[IDMESH_A_SACL_PORT_FLOW_LIMIT])
		WRITE_ONCE(in->flows.port_limit,
			   nla_get_u32(attrs[IDMESH_A_SACL_PORT_FLOW_LIMIT]));
	for (i = 0; i < ARRAY_SIZE(idm_timeout_attr); i++)
		if (attrs[idm_timeout_attr[i]])
			WRITE_ONCE(in->flows.timeout[i],
				   nla_get_u32(attrs[idm_timeout_attr[i]]));
	return 0;
}

/* A zone's counters, from its first attribute on (FLOWS, EVICTED, ...). */
static int idm_fill_zone(struct sk_buff *skb,
			 const struct idm_flow_zone *z, int first)
{
	if (nla_put_u32(skb, first, READ_ONCE(z->n)) ||
	    nla_put_u64_64bit(skb, first + 1, atomic64_read(&z->evicted),
			      IDMESH_A_PAD) ||
	    nla_put_u64_64bit(skb, first + 2, atomic64_read(&z->expired),
			      IDMESH_A_PAD) ||
	    nla_put_u64_64bit(skb, first + 3, atomic64_read(&z->failed),
			      IDMESH_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int idm_fill_stats(struct sk_buff *skb, const struct idm_net *in)
{
	if (nla_put_u64_64bit(skb, IDMESH_A_RX_UNKNOWN_ID,
			      atomic64_read(&in->rx_unknown_id), IDMESH_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_A_RX_MALFORMED,
			      atomic64_read(&in->rx_malformed), IDMESH_A_PAD) ||
	    idm_fill_zone(skb, &in->flows.zone[IDM_ZONE_LB], IDMESH_A_FLOWS) ||
	    idm_fill_zone(skb, &in->flows.zone[IDM_ZONE_SACL],
			  IDMESH_A_SACL_FLOWS))
		return -EMSGSIZE;
	return 0;
}

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
	NL_SET_ERR_MSG(info->extack, "Reply does not fit in a message");
	return err;
}

static int idm_fill_version_cb(struct sk_buff *skb, void *arg)
{
	return idm_fill_version(skb);
}

struct idm_config_req {
	struct idm_net *in;
	bool admin;
};

static int idm_fill_config_cb(struct sk_buff *skb, void *arg)
{
	struct idm_config_req *r = arg;

	return idm_fill_config(skb, r->in, r->admin);
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
	struct net *net = genl_info_net(info);
	struct idm_config_req r = {
		.in = idm_pernet(net),
		/*
		 * The key lets one pick the backend a flow lands on: shown to
		 * whoever may set it, under CONFIG_SET's own rule
		 * (GENL_ADMIN_PERM).
		 */
		.admin = netlink_capable(skb, CAP_NET_ADMIN),
	};

	return idm_reply(info, IDMESH_CMD_CONFIG_GET, idm_fill_config_cb, &r);
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
		.cmd = IDMESH_CMD_BACKEND_REPLACE,
		.doit = idm_nl_backend_replace,
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
