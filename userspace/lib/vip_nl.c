// SPDX-License-Identifier: GPL-2.0
/*
 * VIPs over netlink: requests built from specs (one backend, or a whole
 * set), and the VIP_GET and TABLE_GET dumps read into lists. Used by the
 * CLI object (vip.c) and by apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netlink/attr.h>

#include "nl.h"
#include "vip.h"

static int put_addr(struct nl_msg *msg, int a4, int a6,
		    const struct idm_addr *a)
{
	return a->family == AF_INET ? nla_put(msg, a4, 4, a->bytes) :
	       nla_put(msg, a6, 16, a->bytes);
}

int idm_vip_put(struct nl_msg *msg, void *arg)
{
	const struct idm_vip_req *r = arg;
	struct nlattr *nest;
	size_t i;

	if (!r->vip)
		return 0;
	nest = nla_nest_start(msg, IDMESH_A_VIP);
	if (!nest ||
	    put_addr(msg, IDMESH_VIP_A_ADDR4, IDMESH_VIP_A_ADDR6, &r->vip->addr) ||
	    nla_put_u8(msg, IDMESH_VIP_A_PROTO, r->vip->proto) ||
	    (r->vip->port && nla_put_u16(msg, IDMESH_VIP_A_PORT, r->vip->port)) ||
	    (r->vip->table_size &&
	     nla_put_u32(msg, IDMESH_VIP_A_TABLE_SIZE, r->vip->table_size)) ||
	    (r->vip->mode && nla_put_u8(msg, IDMESH_VIP_A_MODE, r->vip->mode)) ||
	    (r->vip->has_affinity &&
	     nla_put_u32(msg, IDMESH_VIP_A_AFFINITY, r->vip->affinity)))
		return -1;
	nla_nest_end(msg, nest);
	for (i = 0; i < r->nbe; i++) {
		const struct idm_backend_spec *b = &r->be[i];

		nest = nla_nest_start(msg, IDMESH_A_BACKEND);
		if (!nest ||
		    put_addr(msg, IDMESH_BACKEND_A_ADDR4, IDMESH_BACKEND_A_ADDR6,
			     &b->addr) ||
		    (b->port && nla_put_u16(msg, IDMESH_BACKEND_A_PORT, b->port)) ||
		    (b->has_weight &&
		     nla_put_u32(msg, IDMESH_BACKEND_A_WEIGHT, b->weight)))
			return -1;
		nla_nest_end(msg, nest);
	}
	return 0;
}

static void addr_str(const struct nlattr *a4, const struct nlattr *a6,
		     char *out)
{
	out[0] = '\0';
	if (a4 && nla_len(a4) == 4)
		inet_ntop(AF_INET, nla_data(a4), out, INET6_ADDRSTRLEN);
	else if (a6 && nla_len(a6) == 16)
		inet_ntop(AF_INET6, nla_data(a6), out, INET6_ADDRSTRLEN);
}

static int parse_backend(struct nlattr *nest, struct idm_be_info *b)
{
	struct nlattr *tb[IDMESH_BACKEND_A_MAX + 1];

	if (nla_parse_nested(tb, IDMESH_BACKEND_A_MAX, nest, NULL))
		return -1;
	memset(b, 0, sizeof(*b));
	addr_str(tb[IDMESH_BACKEND_A_ADDR4], tb[IDMESH_BACKEND_A_ADDR6], b->addr);
	b->port = tb[IDMESH_BACKEND_A_PORT] ? nla_get_u16(tb[IDMESH_BACKEND_A_PORT]) : 0;
	b->weight = idm_nla_u32(tb[IDMESH_BACKEND_A_WEIGHT]);
	b->index = idm_nla_u32(tb[IDMESH_BACKEND_A_INDEX]);
	b->slots = idm_nla_u32(tb[IDMESH_BACKEND_A_SLOTS]);
	b->flows = idm_nla_u32(tb[IDMESH_BACKEND_A_FLOWS]);
	b->down = idm_nla_u8(tb[IDMESH_BACKEND_A_DOWN]);
	b->downs = idm_nla_u32(tb[IDMESH_BACKEND_A_DOWNS]);
	b->packets = idm_nla_u64(tb[IDMESH_BACKEND_A_PACKETS]);
	b->bytes = idm_nla_u64(tb[IDMESH_BACKEND_A_BYTES]);
	return 0;
}

static int vip_reply(struct nlattr **top, struct nlattr *head, int len,
		     void *arg)
{
	struct nlattr *tb[IDMESH_VIP_A_MAX + 1], *a;
	struct idm_vip_list *l = arg;
	struct idm_vip_info cur, *v;
	int rem;

	if (top[IDMESH_A_TABLE_SLOTS] && top[IDMESH_A_TABLE_OFFSET]) {
		uint32_t off = nla_get_u32(top[IDMESH_A_TABLE_OFFSET]);
		size_t cnt = nla_len(top[IDMESH_A_TABLE_SLOTS]) / 2;

		if (off != l->nslots)
			return -1;	/* chunks come in order */
		l->slots = realloc(l->slots, (l->nslots + cnt) * 2);
		if (!l->slots)
			return -1;
		memcpy(l->slots + l->nslots, nla_data(top[IDMESH_A_TABLE_SLOTS]),
		       cnt * 2);
		l->nslots += cnt;
		return 0;
	}
	if (!top[IDMESH_A_VIP] ||
	    nla_parse_nested(tb, IDMESH_VIP_A_MAX, top[IDMESH_A_VIP], NULL))
		return -1;
	memset(&cur, 0, sizeof(cur));
	addr_str(tb[IDMESH_VIP_A_ADDR4], tb[IDMESH_VIP_A_ADDR6], cur.addr);
	cur.port = tb[IDMESH_VIP_A_PORT] ? nla_get_u16(tb[IDMESH_VIP_A_PORT]) : 0;
	cur.proto = idm_nla_u8(tb[IDMESH_VIP_A_PROTO]);
	cur.mode = idm_nla_u8(tb[IDMESH_VIP_A_MODE]);
	cur.table_size = idm_nla_u32(tb[IDMESH_VIP_A_TABLE_SIZE]);
	cur.flows = idm_nla_u32(tb[IDMESH_VIP_A_FLOWS]);
	cur.packets = idm_nla_u64(tb[IDMESH_VIP_A_PACKETS]);
	cur.bytes = idm_nla_u64(tb[IDMESH_VIP_A_BYTES]);
	cur.no_backend = idm_nla_u64(tb[IDMESH_VIP_A_NO_BACKEND]);
	cur.no_route = idm_nla_u64(tb[IDMESH_VIP_A_NO_ROUTE]);
	cur.build_ns = idm_nla_u64(tb[IDMESH_VIP_A_BUILD_NS]);
	cur.builds = idm_nla_u32(tb[IDMESH_VIP_A_BUILDS]);
	cur.affinity = idm_nla_u32(tb[IDMESH_VIP_A_AFFINITY]);
	cur.clients = idm_nla_u32(tb[IDMESH_VIP_A_AFFINITY_CLIENTS]);

	/* A VIP with many backends comes in several messages. */
	v = l->n ? &l->v[l->n - 1] : NULL;
	if (!v || strcmp(v->addr, cur.addr) || v->port != cur.port ||
	    v->proto != cur.proto) {
		l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
		if (!l->v)
			return -1;
		v = &l->v[l->n++];
		*v = cur;
	}
	nla_for_each_nested(a, top[IDMESH_A_VIP], rem) {
		if (nla_type(a) != IDMESH_VIP_A_BACKEND)
			continue;
		v->be = realloc(v->be, (v->nbe + 1) * sizeof(*v->be));
		if (!v->be || parse_backend(a, &v->be[v->nbe]))
			return -1;
		v->nbe++;
	}
	return 0;
}

void idm_vip_list_free(struct idm_vip_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].be);
	free(l->v);
	free(l->slots);
}

int idm_vip_dump(struct idm_nl *nl, uint8_t cmd, const struct idm_vip_spec *only,
		 struct idm_vip_list *l)
{
	struct idm_vip_req r = { .vip = only };

	memset(l, 0, sizeof(*l));
	return idm_nl_dump(nl, cmd, idm_vip_put, &r, vip_reply, l);
}

int idm_vip_request(struct idm_nl *nl, uint8_t cmd,
		    const struct idm_vip_spec *vip,
		    const struct idm_backend_spec *be, size_t nbe)
{
	struct idm_vip_req r = { .vip = vip, .be = be, .nbe = nbe };

	return idm_nl_request(nl, cmd, idm_vip_put, &r, NULL, NULL);
}
