// SPDX-License-Identifier: GPL-2.0
/*
 * The peers of external links over netlink (IDMESH_CMD_LINK_PEER_*):
 * the requests and the dump, for "idmesh link peer".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netlink/attr.h>

#include "link.h"
#include "nl.h"

static int put_peer(struct nl_msg *msg, void *arg)
{
	const struct idm_link_peer *p = arg;
	struct nlattr *nest = nla_nest_start(msg, IDMESH_A_LINK_PEER);
	int v6;

	if (!nest || (p->ifindex && nla_put_u32(msg, IDMESH_LINK_PEER_A_IFINDEX, p->ifindex)))
		return -1;
	if (p->prefix.family) {
		v6 = p->prefix.family == AF_INET6;
		if (nla_put(msg, v6 ? IDMESH_LINK_PEER_A_PREFIX6 : IDMESH_LINK_PEER_A_PREFIX4,
			    p->prefix.len, p->prefix.bytes) ||
		    nla_put_u8(msg, IDMESH_LINK_PEER_A_PREFIX_LEN, p->len))
			return -1;
	}
	if (p->remote.family) {
		v6 = p->remote.family == AF_INET6;
		if (nla_put(msg, v6 ? IDMESH_LINK_PEER_A_REMOTE6 : IDMESH_LINK_PEER_A_REMOTE4,
			    p->remote.len, p->remote.bytes))
			return -1;
	}
	nla_nest_end(msg, nest);
	return 0;
}

int idm_link_peer_change(struct idm_nl *nl, int add, const struct idm_link_peer *p)
{
	return idm_nl_request(nl, add ? IDMESH_CMD_LINK_PEER_NEW : IDMESH_CMD_LINK_PEER_DEL,
			      put_peer, (void *)p, NULL, NULL);
}

struct peer_list {
	struct idm_link_peer *v;
	size_t n, cap;
};

static void get_addr(const struct nlattr *a4, const struct nlattr *a6, struct idm_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (a4 && nla_len(a4) == 4) {
		a->family = AF_INET;
		a->len = 4;
		memcpy(a->bytes, nla_data(a4), 4);
	} else if (a6 && nla_len(a6) == 16) {
		a->family = AF_INET6;
		a->len = 16;
		memcpy(a->bytes, nla_data(a6), 16);
	}
}

static int peer_reply(struct nlattr **top, struct nlattr *head, int len, void *arg)
{
	struct nlattr *tb[IDMESH_LINK_PEER_A_MAX + 1];
	struct peer_list *l = arg;
	struct idm_link_peer *p;

	if (!top[IDMESH_A_LINK_PEER] ||
	    nla_parse_nested(tb, IDMESH_LINK_PEER_A_MAX, top[IDMESH_A_LINK_PEER], NULL))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct idm_link_peer *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	p = &l->v[l->n++];
	memset(p, 0, sizeof(*p));
	if (tb[IDMESH_LINK_PEER_A_IFINDEX])
		p->ifindex = nla_get_u32(tb[IDMESH_LINK_PEER_A_IFINDEX]);
	get_addr(tb[IDMESH_LINK_PEER_A_PREFIX4], tb[IDMESH_LINK_PEER_A_PREFIX6], &p->prefix);
	if (tb[IDMESH_LINK_PEER_A_PREFIX_LEN])
		p->len = nla_get_u8(tb[IDMESH_LINK_PEER_A_PREFIX_LEN]);
	get_addr(tb[IDMESH_LINK_PEER_A_REMOTE4], tb[IDMESH_LINK_PEER_A_REMOTE6], &p->remote);
	return 0;
}

int idm_link_peer_dump(struct idm_nl *nl, int ifindex, struct idm_link_peer **v, size_t *n)
{
	struct idm_link_peer only = { .ifindex = ifindex };
	struct peer_list l = { 0 };
	int rc;

	rc = idm_nl_dump(nl, IDMESH_CMD_LINK_PEER_GET, put_peer, &only, peer_reply, &l);
	if (rc) {
		free(l.v);
		return rc;
	}
	*v = l.v;
	*n = l.n;
	return 0;
}
