// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: a namespace's version, settings and counters as netlink
 * attributes, and a settings request checked and applied. Pure: no
 * sockets, no family, no other file's functions (the KUnit suite builds
 * it alone); netlink.c's handlers call it.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <net/netlink.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"
#include "netlink.h"

static struct netlink_range_validation idm_flow_limit_range = {
	.min = IDMESH_FLOW_LIMIT_MIN,
	.max = IDMESH_FLOW_LIMIT_MAX,
};

static struct netlink_range_validation idm_timeout_range = {
	.min = IDMESH_TIMEOUT_MIN,
	.max = IDMESH_TIMEOUT_MAX,
};

const struct nla_policy idm_config_set_policy[IDMESH_A_MAX + 1] = {
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

int idm_fill_version(struct sk_buff *skb)
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

int idm_fill_config(struct sk_buff *skb, struct idm_net *in, const u8 *key)
{
	const struct idm_flow_zone *z = in->flows.zone;
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
	if (key && nla_put(skb, IDMESH_A_HASH_KEY, IDMESH_HASH_KEY_LEN, key))
		return -EMSGSIZE;
	return 0;
}

int idm_config_check(struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	bool any = attrs[IDMESH_A_FLOW_LIMIT] || attrs[IDMESH_A_SACL_FLOW_LIMIT] ||
		   attrs[IDMESH_A_SACL_PORT_FLOW_LIMIT] || attrs[IDMESH_A_HASH_KEY];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(idm_timeout_attr); i++)
		any |= !!attrs[idm_timeout_attr[i]];
	if (!any) {
		NL_SET_ERR_MSG(extack, "No setting to change was given");
		return -EINVAL;
	}
	return 0;
}

void idm_config_apply(struct idm_net *in, struct nlattr **attrs)
{
	unsigned int i;

	lockdep_assert_held(&in->lock);
	/* Clients pinned by session affinity: as many as flows at most. */
	if (attrs[IDMESH_A_FLOW_LIMIT]) {
		WRITE_ONCE(in->flows.zone[IDM_ZONE_LB].limit,
			   nla_get_u32(attrs[IDMESH_A_FLOW_LIMIT]));
		WRITE_ONCE(in->flows.zone[IDM_ZONE_AFFINITY].limit,
			   nla_get_u32(attrs[IDMESH_A_FLOW_LIMIT]));
	}
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

int idm_fill_stats(struct sk_buff *skb, const struct idm_net *in)
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
