// SPDX-License-Identifier: GPL-2.0
/* A namespace's settings over generic netlink: CONFIG_GET and _SET. */
#include <string.h>
#include <netlink/attr.h>

#include "config.h"
#include "nl.h"

const struct idm_setting idm_settings[IDM_N_SETTINGS] = {
	{ "flow-limit", "flow_limit", IDMESH_A_FLOW_LIMIT },
	{ "sacl-flow-limit", "sacl_flow_limit", IDMESH_A_SACL_FLOW_LIMIT },
	{ "sacl-port-flow-limit", "sacl_port_flow_limit", IDMESH_A_SACL_PORT_FLOW_LIMIT },
	{ "timeout-tcp-syn", "timeout_tcp_syn", IDMESH_A_TIMEOUT_TCP_SYN },
	{ "timeout-tcp", "timeout_tcp", IDMESH_A_TIMEOUT_TCP },
	{ "timeout-tcp-fin", "timeout_tcp_fin", IDMESH_A_TIMEOUT_TCP_FIN },
	{ "timeout-udp", "timeout_udp", IDMESH_A_TIMEOUT_UDP },
	{ "timeout-sctp", "timeout_sctp", IDMESH_A_TIMEOUT_SCTP },
};

static int config_reply(struct nlattr **tb, struct nlattr *head, int len,
			void *arg)
{
	struct idm_config *c = arg;
	size_t i;

	for (i = 0; i < IDM_N_SETTINGS; i++)
		if (tb[idm_settings[i].attr]) {
			c->val[i] = nla_get_u32(tb[idm_settings[i].attr]);
			c->has[i] = 1;
		}
	if (tb[IDMESH_A_HASH_KEY] &&
	    nla_len(tb[IDMESH_A_HASH_KEY]) == IDMESH_HASH_KEY_LEN) {
		memcpy(c->key, nla_data(tb[IDMESH_A_HASH_KEY]), sizeof(c->key));
		c->has_key = 1;
	}
	return 0;
}

static int config_put(struct nl_msg *msg, void *arg)
{
	const struct idm_config *c = arg;
	size_t i;

	for (i = 0; i < IDM_N_SETTINGS; i++)
		if (c->has[i] && nla_put_u32(msg, idm_settings[i].attr, c->val[i]))
			return -1;
	if (c->has_key && nla_put(msg, IDMESH_A_HASH_KEY, sizeof(c->key), c->key))
		return -1;
	return 0;
}

int idm_config_get(struct idm_nl *nl, struct idm_config *c)
{
	memset(c, 0, sizeof(*c));
	return idm_nl_request(nl, IDMESH_CMD_CONFIG_GET, NULL, NULL,
			      config_reply, c);
}

int idm_config_set(struct idm_nl *nl, const struct idm_config *c)
{
	return idm_nl_request(nl, IDMESH_CMD_CONFIG_SET, config_put,
			      (void *)c, NULL, NULL);
}

int idm_hash_key_get(struct idm_nl *nl, uint8_t key[IDMESH_HASH_KEY_LEN])
{
	struct idm_config c;

	if (idm_config_get(nl, &c))
		return -1;
	if (!c.has_key)
		return 1;
	memcpy(key, c.key, sizeof(c.key));
	return 0;
}

int idm_hash_key_set(struct idm_nl *nl, const uint8_t key[IDMESH_HASH_KEY_LEN])
{
	struct idm_config c = { .has_key = 1 };

	memcpy(c.key, key, sizeof(c.key));
	return idm_config_set(nl, &c);
}
