// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: the SACL gateway's generic netlink commands: SACL_SET (the
 * settings), SACL_NEW and SACL_DEL (one entry of a kind: port, client,
 * server, rule, trusted source); the SACL_GET dump is netlink_sacl_dump.c.
 * Requests are parsed and checked here, then applied to the tables
 * (sacl.c) under the namespace's lock; the hooks follow (sacl_hook.c).
 */
#include <linux/kernel.h>
#include <linux/netdevice.h>
#include <linux/in.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <uapi/linux/idmesh.h>

#include "compat.h"
#include "idmesh.h"
#include "netlink.h"
#include "link.h"
#include "sacl.h"

static const struct nla_policy idm_sacl_range_policy[IDMESH_SACL_RANGE_A_MAX + 1] = {
	[IDMESH_SACL_RANGE_A_PROTO]	= { .type = NLA_U8 },
	[IDMESH_SACL_RANGE_A_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[IDMESH_SACL_RANGE_A_PORT_END]	= NLA_POLICY_MIN(NLA_U16, 1),
};

/* SACL IDs: any u64 but 0, which stands for "unknown" on the packet path. */
const struct nla_policy idm_sacl_policy[IDMESH_SACL_A_MAX + 1] = {
	[IDMESH_SACL_A_KIND]		= NLA_POLICY_RANGE(NLA_U8, IDMESH_SACL_KIND_SETTINGS,
							   IDMESH_SACL_KIND_PEER),
	[IDMESH_SACL_A_IFINDEX]		= NLA_POLICY_MIN(NLA_U32, 1),
	[IDMESH_SACL_A_ADDR6]		= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[IDMESH_SACL_A_LID]		= NLA_POLICY_MAX(NLA_U8, IDMESH_SACL_LID_MAX),
	[IDMESH_SACL_A_ID]		= NLA_POLICY_MIN(NLA_U64, 1),
	/* A rule's: 0 only as the first bits of a prefix (idm_rule_side()). */
	[IDMESH_SACL_A_CLIENT_ID]	= { .type = NLA_U64 },
	[IDMESH_SACL_A_SERVER_ID]	= { .type = NLA_U64 },
	[IDMESH_SACL_A_PROTO]		= { .type = NLA_U8 },
	[IDMESH_SACL_A_PORT]		= { .type = NLA_U16 },
	[IDMESH_SACL_A_ACTION]		= NLA_POLICY_RANGE(NLA_U8, IDMESH_SACL_ALLOW,
							   IDMESH_SACL_DENY),
	[IDMESH_SACL_A_PRIORITY]	= { .type = NLA_U32 },
	[IDMESH_SACL_A_DSCP]		= NLA_POLICY_MAX(NLA_U8, IDMESH_SACL_DSCP_MAX),
	[IDMESH_SACL_A_MARKER]		= NLA_POLICY_MAX(NLA_U8, 1),
	[IDMESH_SACL_A_OPT_TYPE]	= { .type = NLA_U8 },
	[IDMESH_SACL_A_DEFAULT]		= NLA_POLICY_RANGE(NLA_U8, IDMESH_SACL_ALLOW,
							   IDMESH_SACL_DENY),
	[IDMESH_SACL_A_CLIENT_BITS]	= NLA_POLICY_MAX(NLA_U8, 64),
	[IDMESH_SACL_A_SERVER_BITS]	= NLA_POLICY_MAX(NLA_U8, 64),
	[IDMESH_SACL_A_ADDR4]		= { .type = NLA_BE32 },
	[IDMESH_SACL_A_OPT_TYPE4]	= { .type = NLA_U8 },
	[IDMESH_SACL_A_PREFIX_LEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[IDMESH_SACL_A_DIRECTION]	= NLA_POLICY_RANGE(NLA_U8, IDMESH_SACL_INGRESS,
							   IDMESH_SACL_EGRESS),
	[IDMESH_SACL_A_RANGE]		= NLA_POLICY_NESTED(idm_sacl_range_policy),
};

const struct nla_policy idm_sacl_req_policy[IDMESH_A_MAX + 1] = {
	[IDMESH_A_SACL]	= NLA_POLICY_NESTED(idm_sacl_policy),
};

/* Which attributes each kind of entry takes (keys and values). */
static const u64 idm_sacl_kind_attrs[] = {
	[IDMESH_SACL_KIND_SETTINGS] = BIT_ULL(IDMESH_SACL_A_KIND) |
		BIT_ULL(IDMESH_SACL_A_OPT_TYPE) | BIT_ULL(IDMESH_SACL_A_DEFAULT) |
		BIT_ULL(IDMESH_SACL_A_MARKER) | BIT_ULL(IDMESH_SACL_A_OPT_TYPE4),
	[IDMESH_SACL_KIND_PORT] = BIT_ULL(IDMESH_SACL_A_KIND) |
		BIT_ULL(IDMESH_SACL_A_IFINDEX) | BIT_ULL(IDMESH_SACL_A_MARKER),
	[IDMESH_SACL_KIND_CLIENT] = BIT_ULL(IDMESH_SACL_A_KIND) |
		BIT_ULL(IDMESH_SACL_A_ADDR6) | BIT_ULL(IDMESH_SACL_A_IFINDEX) |
		BIT_ULL(IDMESH_SACL_A_LID) | BIT_ULL(IDMESH_SACL_A_ID) |
		BIT_ULL(IDMESH_SACL_A_ADDR4),
	[IDMESH_SACL_KIND_SERVER] = BIT_ULL(IDMESH_SACL_A_KIND) |
		BIT_ULL(IDMESH_SACL_A_ADDR6) | BIT_ULL(IDMESH_SACL_A_PROTO) |
		BIT_ULL(IDMESH_SACL_A_PORT) | BIT_ULL(IDMESH_SACL_A_ID) |
		BIT_ULL(IDMESH_SACL_A_ADDR4),
	[IDMESH_SACL_KIND_RULE] = BIT_ULL(IDMESH_SACL_A_KIND) |
		BIT_ULL(IDMESH_SACL_A_CLIENT_ID) | BIT_ULL(IDMESH_SACL_A_SERVER_ID) |
		BIT_ULL(IDMESH_SACL_A_ACTION) | BIT_ULL(IDMESH_SACL_A_PRIORITY) |
		BIT_ULL(IDMESH_SACL_A_DSCP) | BIT_ULL(IDMESH_SACL_A_CLIENT_BITS) |
		BIT_ULL(IDMESH_SACL_A_SERVER_BITS) | BIT_ULL(IDMESH_SACL_A_DIRECTION) |
		BIT_ULL(IDMESH_SACL_A_RANGE),
	[IDMESH_SACL_KIND_TRUST] = BIT_ULL(IDMESH_SACL_A_KIND) |
		BIT_ULL(IDMESH_SACL_A_IFINDEX) | BIT_ULL(IDMESH_SACL_A_ADDR6) |
		BIT_ULL(IDMESH_SACL_A_ADDR4) | BIT_ULL(IDMESH_SACL_A_PREFIX_LEN),
	[IDMESH_SACL_KIND_PEER] = BIT_ULL(IDMESH_SACL_A_KIND) |
		BIT_ULL(IDMESH_SACL_A_ADDR6) | BIT_ULL(IDMESH_SACL_A_ADDR4) |
		BIT_ULL(IDMESH_SACL_A_PREFIX_LEN) | BIT_ULL(IDMESH_SACL_A_ID),
};

/*
 * Parse the request's SACL nest. kind 0: KIND required (an entry);
 * otherwise the settings. Refuses what the kind does not take.
 */
static int idm_sacl_parse_req(struct genl_info *info, struct nlattr **tb,
			      u8 *kind, bool need_kind)
{
	struct nlattr *nest = info->attrs[IDMESH_A_SACL];
	int err, i;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "Missing SACL attributes");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, IDMESH_SACL_A_MAX, nest, idm_sacl_policy,
			       info->extack);
	if (err)
		return err;
	if (!tb[IDMESH_SACL_A_KIND] && need_kind) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "Missing the kind of entry (port, client, server, rule, trust or peer)");
		return -EINVAL;
	}
	*kind = tb[IDMESH_SACL_A_KIND] ? nla_get_u8(tb[IDMESH_SACL_A_KIND]) :
					 IDMESH_SACL_KIND_SETTINGS;
	if (need_kind == (*kind == IDMESH_SACL_KIND_SETTINGS)) {
		if (need_kind)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_KIND],
					    "Settings are changed with SACL_SET");
		else
			NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_KIND],
					    "SACL_SET changes only the settings");
		return -EINVAL;
	}
	for (i = 1; i <= IDMESH_SACL_A_MAX; i++)
		if (tb[i] && !(idm_sacl_kind_attrs[*kind] & BIT_ULL(i))) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[i],
					    "Attribute not valid for this kind of entry");
			return -EINVAL;
		}
	return 0;
}

int idm_nl_sacl_set(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct idm_net *in = idm_pernet(net);
	struct nlattr *tb[IDMESH_SACL_A_MAX + 1];
	struct idm_sacl *sc = &in->sacl;
	bool old_marker;
	u8 kind;
	int err;

	err = idm_sacl_parse_req(info, tb, &kind, false);
	if (err)
		return err;
	if (!tb[IDMESH_SACL_A_OPT_TYPE] && !tb[IDMESH_SACL_A_DEFAULT] &&
	    !tb[IDMESH_SACL_A_MARKER] && !tb[IDMESH_SACL_A_OPT_TYPE4]) {
		NL_SET_ERR_MSG(info->extack, "Nothing to set");
		return -EINVAL;
	}
	if (tb[IDMESH_SACL_A_OPT_TYPE]) {
		u8 t = nla_get_u8(tb[IDMESH_SACL_A_OPT_TYPE]);

		if (!idm_sacl_type_ok(t)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_OPT_TYPE],
					    "Option type must have action bits 00 (below 0x40), so that nodes unaware of it skip it");
			return -EINVAL;
		}
		if (t == IDM_OPT_PAD1 || t == IDM_OPT_PADN) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_OPT_TYPE],
					    "Option types 0 and 1 are Pad1 and PadN");
			return -EINVAL;
		}
	}
	if (tb[IDMESH_SACL_A_OPT_TYPE4] &&
	    !idm_sacl4_type_ok(nla_get_u8(tb[IDMESH_SACL_A_OPT_TYPE4]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_OPT_TYPE4],
				    "IPv4 option type must be one of RFC 4727's experimental types: 30, 94, 158 or 222");
		return -EINVAL;
	}

	mutex_lock(&in->lock);
	old_marker = sc->marker;
	if (tb[IDMESH_SACL_A_MARKER])
		WRITE_ONCE(sc->marker, !!nla_get_u8(tb[IDMESH_SACL_A_MARKER]));
	err = idm_sacl_hooks_sync(net, sc, info->extack);
	if (err) {
		WRITE_ONCE(sc->marker, old_marker);
		goto out;
	}
	if (tb[IDMESH_SACL_A_OPT_TYPE])
		WRITE_ONCE(sc->opt_type, nla_get_u8(tb[IDMESH_SACL_A_OPT_TYPE]));
	if (tb[IDMESH_SACL_A_OPT_TYPE4])
		WRITE_ONCE(sc->opt_type4, nla_get_u8(tb[IDMESH_SACL_A_OPT_TYPE4]));
	if (tb[IDMESH_SACL_A_DEFAULT])
		WRITE_ONCE(sc->def_action, nla_get_u8(tb[IDMESH_SACL_A_DEFAULT]));
out:
	mutex_unlock(&in->lock);
	return err;
}

static int idm_sacl_full(struct genl_info *info, unsigned int n)
{
	if (n < IDMESH_SACL_ENTRIES_MAX)
		return 0;
	NL_SET_ERR_MSG(info->extack, "Table is full");
	return -ENOSPC;
}

static int idm_port_new(struct net *net, struct idm_sacl *sc,
			struct genl_info *info, struct nlattr **tb)
{
	struct net_device *dev;
	u32 ifindex;
	bool pair;
	int err;

	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[IDMESH_A_SACL], tb,
			      IDMESH_SACL_A_IFINDEX)) {
		NL_SET_ERR_MSG(info->extack, "Missing the port's device");
		return -EINVAL;
	}
	ifindex = nla_get_u32(tb[IDMESH_SACL_A_IFINDEX]);
	if (idm_sacl_port_find(sc, ifindex)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_IFINDEX],
				    "Device is already a port");
		return -EEXIST;
	}
	rcu_read_lock();
	dev = dev_get_by_index_rcu(net, ifindex);
	err = dev && READ_ONCE(dev->reg_state) == NETREG_REGISTERED ? 0 : -ENODEV;
	/* A pair's end does the work itself (a device's kind never changes). */
	pair = !err && idm_link_is_pair(dev);
	rcu_read_unlock();
	if (err) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_IFINDEX],
				    "No such device in this namespace");
		return err;
	}
	err = idm_sacl_port_add(sc, ifindex, tb[IDMESH_SACL_A_MARKER] &&
				nla_get_u8(tb[IDMESH_SACL_A_MARKER]), pair);
	if (err)
		return err;
	err = idm_sacl_hooks_sync(net, sc, info->extack);
	if (err)
		idm_sacl_port_remove(sc, idm_sacl_port_find(sc, ifindex));
	return err;
}

/*
 * A client's key: an address (each behind one port, so the address alone
 * names it), or a marker port and LID; *port: the port named (0: none).
 */
static int idm_client_key(struct idm_sacl *sc, struct genl_info *info,
			  struct nlattr **tb, struct idm_client_key *k,
			  u32 *port)
{
	int ret;

	memset(k, 0, sizeof(*k));
	*port = tb[IDMESH_SACL_A_IFINDEX] ?
		nla_get_u32(tb[IDMESH_SACL_A_IFINDEX]) : 0;
	ret = idm_nl_addr(tb[IDMESH_SACL_A_ADDR4], tb[IDMESH_SACL_A_ADDR6], &k->addr,
			  info->extack);
	if (ret < 0)
		return ret;
	if (ret) {
		if (tb[IDMESH_SACL_A_LID]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_LID],
					    "A client is an address or a marker port and LID, not both");
			return -EINVAL;
		}
		return 0;
	}
	if (!tb[IDMESH_SACL_A_IFINDEX] || !tb[IDMESH_SACL_A_LID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[IDMESH_A_SACL],
				    "A client needs an address, or a marker port and a LID");
		return -EINVAL;
	}
	k->ifindex = nla_get_u32(tb[IDMESH_SACL_A_IFINDEX]);
	k->lid = nla_get_u8(tb[IDMESH_SACL_A_LID]);
	return 0;
}

static int idm_client_new(struct idm_sacl *sc, struct genl_info *info,
			  struct nlattr **tb)
{
	struct idm_client_key k;
	int err;

	struct idm_sacl_client *c;
	struct idm_sacl_port *p;
	u32 port;

	err = idm_client_key(sc, info, tb, &k, &port);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[IDMESH_A_SACL], tb,
			      IDMESH_SACL_A_ID)) {
		NL_SET_ERR_MSG(info->extack, "Missing the client's SACL ID");
		return -EINVAL;
	}
	/* Identity belongs to a port: an address is a client behind one. */
	if (!port) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[IDMESH_SACL_A_ADDR6] ?: tb[IDMESH_SACL_A_ADDR4],
				    "A client's address needs the port it is behind (dev)");
		return -EINVAL;
	}
	p = idm_sacl_port_find(sc, port);
	if (!p) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_IFINDEX],
				    "Device is not a port");
		return -EINVAL;
	}
	if (k.ifindex && !p->marker) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_IFINDEX],
				    "Port is not a marker port");
		return -EINVAL;
	}
	c = idm_sacl_client_find(sc, &k);
	if (c && c->port != port) {
		NL_SET_ERR_MSG(info->extack, "Address is a client behind another port");
		return -EEXIST;
	}
	if (c) {
		NL_SET_ERR_MSG(info->extack, "Client already exists");
		return -EEXIST;
	}
	err = idm_sacl_full(info, sc->nclients);
	if (err)
		return err;
	return idm_sacl_client_add(sc, &k, port,
				   nla_get_u64(tb[IDMESH_SACL_A_ID]));
}

static int idm_server_key(struct genl_info *info, struct nlattr **tb,
			  struct idm_server_key *k)
{
	int ret;

	memset(k, 0, sizeof(*k));
	ret = idm_nl_addr(tb[IDMESH_SACL_A_ADDR4], tb[IDMESH_SACL_A_ADDR6], &k->addr,
			  info->extack);
	if (ret < 0)
		return ret;
	if (!ret) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[IDMESH_A_SACL],
				    "Missing the server's address");
		return -EINVAL;
	}
	if (tb[IDMESH_SACL_A_PROTO])
		k->proto = nla_get_u8(tb[IDMESH_SACL_A_PROTO]);
	if (tb[IDMESH_SACL_A_PORT])
		k->port = htons(nla_get_u16(tb[IDMESH_SACL_A_PORT]));
	if (k->port && k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP &&
	    k->proto != IPPROTO_SCTP) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_PORT],
				    "A port needs the protocol tcp, udp or sctp");
		return -EINVAL;
	}
	return 0;
}

static int idm_server_new(struct idm_sacl *sc, struct genl_info *info,
			  struct nlattr **tb)
{
	struct idm_server_key k;
	int err;

	err = idm_server_key(info, tb, &k);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[IDMESH_A_SACL], tb,
			      IDMESH_SACL_A_ID)) {
		NL_SET_ERR_MSG(info->extack, "Missing the server's SACL ID");
		return -EINVAL;
	}
	if (idm_sacl_server_find(sc, &k)) {
		NL_SET_ERR_MSG(info->extack, "Server already exists");
		return -EEXIST;
	}
	err = idm_sacl_full(info, sc->nservers);
	if (err)
		return err;
	return idm_sacl_server_add(sc, &k, nla_get_u64(tb[IDMESH_SACL_A_ID]));
}

/*
 * One side of a rule's key: its ID (absent exactly when bits is 0: every
 * ID and none) and prefix length.
 */
static int idm_rule_side(struct genl_info *info, struct nlattr **tb,
			 bool client, u64 *id, u8 *bits)
{
	int id_attr = client ? IDMESH_SACL_A_CLIENT_ID : IDMESH_SACL_A_SERVER_ID;
	int bits_attr = client ? IDMESH_SACL_A_CLIENT_BITS :
				 IDMESH_SACL_A_SERVER_BITS;
	struct nlattr *nest = info->attrs[IDMESH_A_SACL];

	*bits = tb[bits_attr] ? nla_get_u8(tb[bits_attr]) : 64;
	if (!*bits) {
		if (tb[id_attr] && client) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[id_attr],
					    "A rule for every client (0 bits) names no client ID");
			return -EINVAL;
		}
		if (tb[id_attr]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[id_attr],
					    "A rule for every server (0 bits) names no server ID");
			return -EINVAL;
		}
		*id = 0;
		return 0;
	}
	if (NL_REQ_ATTR_CHECK(info->extack, nest, tb, id_attr)) {
		if (client)
			NL_SET_ERR_MSG(info->extack, "Missing the rule's client SACL ID");
		else
			NL_SET_ERR_MSG(info->extack, "Missing the rule's server SACL ID");
		return -EINVAL;
	}
	*id = nla_get_u64(tb[id_attr]);
	/* 0 is no ID; a prefix may start with 0 bits (0/1: half of them). */
	if (!*id && *bits == 64) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[id_attr],
				    "SACL ID 0 is not an ID: only a prefix of fewer bits may be 0");
		return -EINVAL;
	}
	return 0;
}

static int idm_rule_key(struct genl_info *info, struct nlattr **tb,
			struct idm_rule_key *k)
{
	int err;

	memset(k, 0, sizeof(*k));
	err = idm_rule_side(info, tb, true, &k->client, &k->cbits);
	if (err)
		return err;
	err = idm_rule_side(info, tb, false, &k->server, &k->sbits);
	if (err)
		return err;
	k->dir = tb[IDMESH_SACL_A_DIRECTION] ?
		 nla_get_u8(tb[IDMESH_SACL_A_DIRECTION]) : IDMESH_SACL_INGRESS;
	if (k->client & ~idm_prefix_mask(k->cbits)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_CLIENT_ID],
				    "The client ID has bits set past its prefix length");
		return -EINVAL;
	}
	if (k->server & ~idm_prefix_mask(k->sbits)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_SERVER_ID],
				    "The server ID has bits set past its prefix length");
		return -EINVAL;
	}
	return 0;
}

/*
 * The rule's ranges (IDMESH_SACL_A_RANGE, repeated) into r[], at most
 * IDMESH_SACL_RANGES_MAX; their number.
 */
static int idm_rule_ranges(struct genl_info *info, struct idm_port_range *r)
{
	struct nlattr *tb[IDMESH_SACL_RANGE_A_MAX + 1], *a;
	struct netlink_ext_ack *extack = info->extack;
	int rem, n = 0, err;

	nla_for_each_nested(a, info->attrs[IDMESH_A_SACL], rem) {
		if (nla_type(a) != IDMESH_SACL_A_RANGE)
			continue;
		if (n == IDMESH_SACL_RANGES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "Too many port ranges for one rule");
			return -E2BIG;
		}
		err = nla_parse_nested(tb, IDMESH_SACL_RANGE_A_MAX, a,
				       idm_sacl_range_policy, extack);
		if (err)
			return err;
		if (NL_REQ_ATTR_CHECK(extack, a, tb, IDMESH_SACL_RANGE_A_PROTO)) {
			NL_SET_ERR_MSG(extack, "A port range needs a protocol");
			return -EINVAL;
		}
		r[n].proto = nla_get_u8(tb[IDMESH_SACL_RANGE_A_PROTO]);
		if (r[n].proto != IPPROTO_TCP && r[n].proto != IPPROTO_UDP &&
		    r[n].proto != IPPROTO_SCTP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_SACL_RANGE_A_PROTO],
					    "A port range's protocol must be tcp, udp or sctp");
			return -EINVAL;
		}
		if (tb[IDMESH_SACL_RANGE_A_PORT_END] && !tb[IDMESH_SACL_RANGE_A_PORT]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_SACL_RANGE_A_PORT_END],
					    "A port range's end needs its start");
			return -EINVAL;
		}
		r[n].lo = tb[IDMESH_SACL_RANGE_A_PORT] ?
			  nla_get_u16(tb[IDMESH_SACL_RANGE_A_PORT]) : 1;
		r[n].hi = tb[IDMESH_SACL_RANGE_A_PORT_END] ?
			  nla_get_u16(tb[IDMESH_SACL_RANGE_A_PORT_END]) :
			  tb[IDMESH_SACL_RANGE_A_PORT] ? r[n].lo : 65535;
		if (r[n].hi < r[n].lo) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IDMESH_SACL_RANGE_A_PORT_END],
					    "A port range ends before it starts");
			return -EINVAL;
		}
		n++;
	}
	return n;
}

static int idm_rule_new(struct net *net, struct idm_sacl *sc,
			struct genl_info *info, struct nlattr **tb)
{
	struct idm_port_range ranges[IDMESH_SACL_RANGES_MAX];
	struct idm_sacl_rule spec = {}, *r;
	int err, n;

	err = idm_rule_key(info, tb, &spec.key);
	if (err)
		return err;
	if (spec.key.dir == IDMESH_SACL_EGRESS &&
	    (tb[IDMESH_SACL_A_PRIORITY] || tb[IDMESH_SACL_A_DSCP])) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_PRIORITY] ?:
				    tb[IDMESH_SACL_A_DSCP],
				    "An egress rule allows or denies; priority and DSCP are an ingress rule's");
		return -EINVAL;
	}
	n = idm_rule_ranges(info, ranges);
	if (n < 0)
		return n;
	spec.ranges = ranges;
	spec.nranges = n;
	if (idm_sacl_rule_find_key(sc, &spec.key)) {
		NL_SET_ERR_MSG(info->extack, "Rule already exists");
		return -EEXIST;
	}
	err = idm_sacl_full(info, sc->nrules);
	if (err)
		return err;
	spec.action = tb[IDMESH_SACL_A_ACTION] ?
		      nla_get_u8(tb[IDMESH_SACL_A_ACTION]) : IDMESH_SACL_ALLOW;
	if (tb[IDMESH_SACL_A_PRIORITY]) {
		spec.has_priority = true;
		spec.priority = nla_get_u32(tb[IDMESH_SACL_A_PRIORITY]);
	}
	if (tb[IDMESH_SACL_A_DSCP]) {
		spec.has_dscp = true;
		spec.dscp = nla_get_u8(tb[IDMESH_SACL_A_DSCP]);
	}
	r = idm_sacl_rule_add(sc, &spec, info->extack);
	if (IS_ERR(r))
		return PTR_ERR(r);
	err = idm_sacl_hooks_sync(net, sc, info->extack);
	if (err)
		idm_sacl_rule_remove(sc, r);
	return err;
}

/* A trusted source's key: a device, or an address and prefix length. */
/*
 * The prefix *addr / *plen the request names (family from ADDR4 or ADDR6,
 * found already: ret of idm_nl_addr(); IPv4 IPv4-mapped, 96 + its length);
 * no bits past it.
 */
static int idm_nl_prefix(struct genl_info *info, struct nlattr **tb,
			 struct in6_addr *addr, u8 *plenp)
{
	struct nlattr *plen = tb[IDMESH_SACL_A_PREFIX_LEN];
	struct in6_addr masked;

	*plenp = plen ? nla_get_u8(plen) : 128;
	if (ipv6_addr_v4mapped(addr)) {
		if (plen && *plenp > 32) {
			NL_SET_ERR_MSG_ATTR(info->extack, plen,
					    "An IPv4 prefix is at most 32 bits long");
			return -EINVAL;
		}
		*plenp = plen ? 96 + *plenp : 128;
	}
	ipv6_addr_prefix(&masked, addr, *plenp);
	if (!ipv6_addr_equal(&masked, addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, plen,
				    "The address has bits set past its prefix length");
		return -EINVAL;
	}
	return 0;
}

static int idm_trust_key(struct genl_info *info, struct nlattr **tb,
			 struct idm_sacl_trust *t)
{
	struct nlattr *plen = tb[IDMESH_SACL_A_PREFIX_LEN];
	int ret;

	memset(t, 0, sizeof(*t));
	ret = idm_nl_addr(tb[IDMESH_SACL_A_ADDR4], tb[IDMESH_SACL_A_ADDR6], &t->addr,
			  info->extack);
	if (ret < 0)
		return ret;
	if (tb[IDMESH_SACL_A_IFINDEX]) {
		if (ret || plen) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_IFINDEX],
					    "A trusted source is a device or a prefix, not both");
			return -EINVAL;
		}
		t->ifindex = nla_get_u32(tb[IDMESH_SACL_A_IFINDEX]);
		return 0;
	}
	if (!ret) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[IDMESH_A_SACL],
				    "A trusted source needs a device, or an address and prefix length");
		return -EINVAL;
	}
	return idm_nl_prefix(info, tb, &t->addr, &t->plen);
}

/* A peer's key: an address and prefix length. */
static int idm_peer_key(struct genl_info *info, struct nlattr **tb,
			struct idm_peer_key *k)
{
	int ret;

	memset(k, 0, sizeof(*k));
	ret = idm_nl_addr(tb[IDMESH_SACL_A_ADDR4], tb[IDMESH_SACL_A_ADDR6], &k->addr,
			  info->extack);
	if (ret < 0)
		return ret;
	if (!ret) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[IDMESH_A_SACL],
				    "A peer needs an address and prefix length");
		return -EINVAL;
	}
	return idm_nl_prefix(info, tb, &k->addr, &k->plen);
}

static int idm_peer_new(struct idm_sacl *sc, struct genl_info *info,
			struct nlattr **tb)
{
	struct idm_peer_key k;
	int err;

	err = idm_peer_key(info, tb, &k);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[IDMESH_A_SACL], tb,
			      IDMESH_SACL_A_ID)) {
		NL_SET_ERR_MSG(info->extack, "Missing the peer's SACL ID");
		return -EINVAL;
	}
	if (idm_sacl_peer_find(sc, &k)) {
		NL_SET_ERR_MSG(info->extack, "Peer already exists");
		return -EEXIST;
	}
	err = idm_sacl_full(info, sc->npeers);
	if (err)
		return err;
	return idm_sacl_peer_add(sc, &k, nla_get_u64(tb[IDMESH_SACL_A_ID]),
				 info->extack);
}

static int idm_trust_new(struct net *net, struct idm_sacl *sc,
			 struct genl_info *info, struct nlattr **tb)
{
	struct idm_sacl_trust k;
	int err;

	err = idm_trust_key(info, tb, &k);
	if (err)
		return err;
	if (k.ifindex) {
		struct net_device *dev;

		rcu_read_lock();
		dev = dev_get_by_index_rcu(net, k.ifindex);
		err = dev ? 0 : -ENODEV;
		rcu_read_unlock();
		if (err) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[IDMESH_SACL_A_IFINDEX],
					    "No such device in this namespace");
			return err;
		}
	}
	if (idm_sacl_trust_find(sc, &k)) {
		NL_SET_ERR_MSG(info->extack, "Trusted source already exists");
		return -EEXIST;
	}
	if (sc->ntrusts >= IDMESH_SACL_TRUST_MAX) {
		NL_SET_ERR_MSG(info->extack, "Too many trusted sources");
		return -ENOSPC;
	}
	return idm_sacl_trust_add(sc, &k);
}

int idm_nl_sacl_new(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct idm_net *in = idm_pernet(net);
	struct nlattr *tb[IDMESH_SACL_A_MAX + 1];
	struct idm_sacl *sc = &in->sacl;
	u8 kind;
	int err;

	err = idm_sacl_parse_req(info, tb, &kind, true);
	if (err)
		return err;
	mutex_lock(&in->lock);
	switch (kind) {
	case IDMESH_SACL_KIND_PORT:
		err = idm_port_new(net, sc, info, tb);
		break;
	case IDMESH_SACL_KIND_CLIENT:
		err = idm_client_new(sc, info, tb);
		break;
	case IDMESH_SACL_KIND_SERVER:
		err = idm_server_new(sc, info, tb);
		break;
	case IDMESH_SACL_KIND_TRUST:
		err = idm_trust_new(net, sc, info, tb);
		break;
	case IDMESH_SACL_KIND_PEER:
		err = idm_peer_new(sc, info, tb);
		break;
	default:
		err = idm_rule_new(net, sc, info, tb);
		break;
	}
	mutex_unlock(&in->lock);
	return err;
}

static int idm_sacl_del_one(struct net *net, struct idm_sacl *sc, u8 kind,
			    struct genl_info *info, struct nlattr **tb)
{
	int err;

	switch (kind) {
	case IDMESH_SACL_KIND_PORT: {
		struct idm_sacl_port *p;

		if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[IDMESH_A_SACL], tb,
				      IDMESH_SACL_A_IFINDEX)) {
			NL_SET_ERR_MSG(info->extack, "Missing the port's device");
			return -EINVAL;
		}
		p = idm_sacl_port_find(sc, nla_get_u32(tb[IDMESH_SACL_A_IFINDEX]));
		if (!p)
			break;
		idm_sacl_port_remove(sc, p);
		idm_sacl_hooks_sync(net, sc, NULL);
		return 0;
	}
	case IDMESH_SACL_KIND_CLIENT: {
		struct idm_sacl_client *c;
		struct idm_client_key k;
		u32 port;

		err = idm_client_key(sc, info, tb, &k, &port);
		if (err)
			return err;
		c = idm_sacl_client_find(sc, &k);
		/* A port named with an address must be the address's. */
		if (!c || (port && c->port != port))
			break;
		idm_sacl_client_remove(sc, c);
		return 0;
	}
	case IDMESH_SACL_KIND_SERVER: {
		struct idm_sacl_server *s;
		struct idm_server_key k;

		err = idm_server_key(info, tb, &k);
		if (err)
			return err;
		s = idm_sacl_server_find(sc, &k);
		if (!s)
			break;
		idm_sacl_server_remove(sc, s);
		return 0;
	}
	case IDMESH_SACL_KIND_TRUST: {
		struct idm_sacl_trust k, *t;

		err = idm_trust_key(info, tb, &k);
		if (err)
			return err;
		t = idm_sacl_trust_find(sc, &k);
		if (!t)
			break;
		return idm_sacl_trust_remove(sc, t);
	}
	case IDMESH_SACL_KIND_PEER: {
		struct idm_sacl_peer *p;
		struct idm_peer_key k;

		err = idm_peer_key(info, tb, &k);
		if (err)
			return err;
		p = idm_sacl_peer_find(sc, &k);
		if (!p)
			break;
		idm_sacl_peer_remove(sc, p);
		return 0;
	}
	default: {
		struct idm_sacl_rule *r;
		struct idm_rule_key k;

		err = idm_rule_key(info, tb, &k);
		if (err)
			return err;
		r = idm_sacl_rule_find_key(sc, &k);
		if (!r)
			break;
		idm_sacl_rule_remove(sc, r);
		idm_sacl_hooks_sync(net, sc, NULL);
		return 0;
	}
	}
	NL_SET_ERR_MSG(info->extack, "No such entry");
	return -ENOENT;
}

int idm_nl_sacl_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct idm_net *in = idm_pernet(net);
	struct nlattr *tb[IDMESH_SACL_A_MAX + 1];
	u8 kind;
	int err;

	err = idm_sacl_parse_req(info, tb, &kind, true);
	if (err)
		return err;
	/* Values are not keys: a delete names the entry only. */
	if (tb[IDMESH_SACL_A_ID] || tb[IDMESH_SACL_A_MARKER] ||
	    tb[IDMESH_SACL_A_ACTION] || tb[IDMESH_SACL_A_PRIORITY] ||
	    tb[IDMESH_SACL_A_DSCP] || tb[IDMESH_SACL_A_RANGE]) {
		NL_SET_ERR_MSG(info->extack, "A delete takes only the entry's key");
		return -EINVAL;
	}
	mutex_lock(&in->lock);
	err = idm_sacl_del_one(net, &in->sacl, kind, info, tb);
	mutex_unlock(&in->lock);
	return err;
}

