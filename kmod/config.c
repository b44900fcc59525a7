// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: version/feature reply and the per-namespace settings. Pure
 * message helpers, kept apart from the family so the KUnit suite can
 * exercise them on their own.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <net/netlink.h>
#include <uapi/linux/idmesh.h>

#include "idmesh.h"

const char * const idmesh_features[] = {
	"netns",
	"config",
	"link",
};

const unsigned int idmesh_n_features = ARRAY_SIZE(idmesh_features);

int idmesh_fill_version(struct sk_buff *skb)
{
	unsigned int i;

	if (nla_put_string(skb, IDMESH_A_VERSION, IDMESH_VERSION))
		return -EMSGSIZE;
	for (i = 0; i < idmesh_n_features; i++)
		if (nla_put_string(skb, IDMESH_A_FEATURE, idmesh_features[i]))
			return -EMSGSIZE;
	return 0;
}

int idmesh_fill_config(struct sk_buff *skb, const struct idmesh_net *in)
{
	if (nla_put_u32(skb, IDMESH_A_FLOW_LIMIT, READ_ONCE(in->flow_limit)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Apply a validated IDMESH_CMD_CONFIG_SET request. The policy has already
 * range-checked every attribute, so once a request is accepted, all of it
 * is applied; a rejected request changes nothing. Caller holds in->lock.
 */
int idmesh_config_apply(struct idmesh_net *in, struct nlattr **attrs,
			struct netlink_ext_ack *extack)
{
	if (!attrs[IDMESH_A_FLOW_LIMIT]) {
		NL_SET_ERR_MSG_MOD(extack, "No setting to change was given");
		return -EINVAL;
	}

	lockdep_assert_held(&in->lock);
	WRITE_ONCE(in->flow_limit, nla_get_u32(attrs[IDMESH_A_FLOW_LIMIT]));
	return 0;
}

int idmesh_fill_stats(struct sk_buff *skb, const struct idmesh_net *in)
{
	if (nla_put_u64_64bit(skb, IDMESH_A_RX_UNKNOWN_ID,
			      atomic64_read(&in->rx_unknown_id), IDMESH_A_PAD) ||
	    nla_put_u64_64bit(skb, IDMESH_A_RX_MALFORMED,
			      atomic64_read(&in->rx_malformed), IDMESH_A_PAD))
		return -EMSGSIZE;
	return 0;
}
