// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the "idmesh" generic netlink family: its operations and the
 * handlers of the namespace-wide commands (version, settings, statistics;
 * their attributes are config.c's). The load balancer's and the SACL
 * gateway's commands are in netlink_lb.c and netlink_sacl.c. Every
 * operation works on the network namespace of the requesting socket;
 * every change needs CAP_NET_ADMIN (GENL_ADMIN_PERM); every attribute has
 * a strict policy.
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
	/* The hash key, or NULL: not shown to this caller. */
	const u8 *key;
};

static int idm_fill_config_cb(struct sk_buff *skb, void *arg)
{
	struct idm_config_req *r = arg;

	return idm_fill_config(skb, r->in, r->key);
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
	struct idm_config_req r = { .in = idm_pernet(genl_info_net(info)) };
	u8 key[IDMESH_HASH_KEY_LEN];

	/*
	 * The key lets one pick the backend a flow lands on: shown to whoever
	 * may set it, under CONFIG_SET's own rule (GENL_ADMIN_PERM).
	 */
	if (netlink_capable(skb, CAP_NET_ADMIN)) {
		idm_lb_get_key(&r.in->lb, key);
		r.key = key;
	}
	return idm_reply(info, IDMESH_CMD_CONFIG_GET, idm_fill_config_cb, &r);
}

static int idm_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct idm_net *in = idm_pernet(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	int err;

	err = idm_config_check(attrs, info->extack);
	if (err)
		return err;
	mutex_lock(&in->lock);
	/* The one change that can fail goes first: then all, or nothing. */
	if (attrs[IDMESH_A_HASH_KEY])
		err = idm_lb_set_key(&in->lb, nla_data(attrs[IDMESH_A_HASH_KEY]));
	if (!err)
		idm_config_apply(in, attrs);
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
		.cmd = IDMESH_CMD_VIP_SET,
		.doit = idm_nl_vip_set,
		.policy = idm_vip_req_policy,
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
	{
		.cmd = IDMESH_CMD_LINK_PEER_NEW,
		.doit = idm_nl_link_peer_new,
		.policy = idm_link_peer_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_LINK_PEER_DEL,
		.doit = idm_nl_link_peer_del,
		.policy = idm_link_peer_req_policy,
		.maxattr = IDMESH_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IDMESH_CMD_LINK_PEER_GET,
		.dumpit = idm_nl_link_peer_dump,
		.policy = idm_link_peer_req_policy,
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
