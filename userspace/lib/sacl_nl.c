// SPDX-License-Identifier: GPL-2.0
/*
 * The SACL gateway over netlink: requests built from a spec, the dump read
 * into entries, and the controller's backend ("idmesh apply"): the
 * node's tables read as intent entries, one entry added or removed, the
 * default action set. The CLI object (sacl.c) only parses and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/attr.h>

#include "intent.h"
#include "nl.h"
#include "sacl.h"

/* A rule's port ranges: one nest each. */
static int put_ranges(struct nl_msg *msg, const struct idm_range *r, uint32_t n)
{
	struct nlattr *nest;
	uint32_t i;

	for (i = 0; i < n; i++) {
		nest = nla_nest_start(msg, IDMESH_SACL_A_RANGE);
		if (!nest || nla_put_u8(msg, IDMESH_SACL_RANGE_A_PROTO, r[i].proto))
			return -1;
		if (!(r[i].lo == 1 && r[i].hi == 65535) &&
		    (nla_put_u16(msg, IDMESH_SACL_RANGE_A_PORT, r[i].lo) ||
		     (r[i].hi != r[i].lo &&
		      nla_put_u16(msg, IDMESH_SACL_RANGE_A_PORT_END, r[i].hi))))
			return -1;
		nla_nest_end(msg, nest);
	}
	return 0;
}

/* A rule's port ranges from a dump; at most IDMESH_SACL_RANGES_MAX. */
static int get_ranges(struct nlattr *sacl, struct idm_range *r, uint32_t *n)
{
	struct nlattr *tb[IDMESH_SACL_RANGE_A_MAX + 1], *a;
	int rem;

	*n = 0;
	nla_for_each_nested(a, sacl, rem) {
		if (nla_type(a) != IDMESH_SACL_A_RANGE)
			continue;
		if (*n == IDMESH_SACL_RANGES_MAX ||
		    nla_parse_nested(tb, IDMESH_SACL_RANGE_A_MAX, a, NULL))
			return -1;
		r[*n].proto = idm_nla_u8(tb[IDMESH_SACL_RANGE_A_PROTO]);
		r[*n].lo = tb[IDMESH_SACL_RANGE_A_PORT] ?
			   nla_get_u16(tb[IDMESH_SACL_RANGE_A_PORT]) : 1;
		r[*n].hi = tb[IDMESH_SACL_RANGE_A_PORT_END] ?
			   nla_get_u16(tb[IDMESH_SACL_RANGE_A_PORT_END]) :
			   tb[IDMESH_SACL_RANGE_A_PORT] ? r[*n].lo : 65535;
		(*n)++;
	}
	return 0;
}

int idm_sacl_put(struct nl_msg *msg, void *arg)
{
	const struct idm_sacl_spec *s = arg;
	struct nlattr *nest;

	if (!s)
		return 0;
	nest = nla_nest_start(msg, IDMESH_A_SACL);
	if (!nest)
		return -1;
	if (s->kind != IDMESH_SACL_KIND_SETTINGS &&
	    nla_put_u8(msg, IDMESH_SACL_A_KIND, s->kind))
		return -1;
#define PUT(a, call) if (IDM_HAS(s, a) && (call)) return -1
	PUT(IDMESH_SACL_A_IFINDEX, nla_put_u32(msg, IDMESH_SACL_A_IFINDEX, s->ifindex));
	PUT(IDMESH_SACL_A_ADDR6, s->addr.family == AF_INET ?
	    nla_put(msg, IDMESH_SACL_A_ADDR4, 4, s->addr.bytes) :
	    nla_put(msg, IDMESH_SACL_A_ADDR6, 16, s->addr.bytes));
	PUT(IDMESH_SACL_A_LID, nla_put_u8(msg, IDMESH_SACL_A_LID, s->lid));
	PUT(IDMESH_SACL_A_ID, nla_put_u64(msg, IDMESH_SACL_A_ID, s->id));
	PUT(IDMESH_SACL_A_CLIENT_ID, nla_put_u64(msg, IDMESH_SACL_A_CLIENT_ID, s->client));
	PUT(IDMESH_SACL_A_SERVER_ID, nla_put_u64(msg, IDMESH_SACL_A_SERVER_ID, s->server));
	PUT(IDMESH_SACL_A_PROTO, nla_put_u8(msg, IDMESH_SACL_A_PROTO, s->proto));
	PUT(IDMESH_SACL_A_PORT, nla_put_u16(msg, IDMESH_SACL_A_PORT, s->port));
	PUT(IDMESH_SACL_A_ACTION, nla_put_u8(msg, IDMESH_SACL_A_ACTION, s->action));
	PUT(IDMESH_SACL_A_PRIORITY, nla_put_u32(msg, IDMESH_SACL_A_PRIORITY, s->priority));
	PUT(IDMESH_SACL_A_DSCP, nla_put_u8(msg, IDMESH_SACL_A_DSCP, s->dscp));
	PUT(IDMESH_SACL_A_MARKER, nla_put_u8(msg, IDMESH_SACL_A_MARKER, s->marker));
	PUT(IDMESH_SACL_A_OPT_TYPE, nla_put_u8(msg, IDMESH_SACL_A_OPT_TYPE, s->opt_type));
	PUT(IDMESH_SACL_A_OPT_TYPE4, nla_put_u8(msg, IDMESH_SACL_A_OPT_TYPE4, s->opt_type4));
	PUT(IDMESH_SACL_A_DEFAULT, nla_put_u8(msg, IDMESH_SACL_A_DEFAULT, s->def_action));
	PUT(IDMESH_SACL_A_CLIENT_BITS, nla_put_u8(msg, IDMESH_SACL_A_CLIENT_BITS, s->cbits));
	PUT(IDMESH_SACL_A_SERVER_BITS, nla_put_u8(msg, IDMESH_SACL_A_SERVER_BITS, s->sbits));
	PUT(IDMESH_SACL_A_PREFIX_LEN, nla_put_u8(msg, IDMESH_SACL_A_PREFIX_LEN, s->plen));
	PUT(IDMESH_SACL_A_DIRECTION, nla_put_u8(msg, IDMESH_SACL_A_DIRECTION, s->dir));
#undef PUT
	if (IDM_HAS(s, IDMESH_SACL_A_RANGE) && put_ranges(msg, s->ranges, s->nranges))
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

static int sacl_reply(struct nlattr **top, struct nlattr *head, int len,
		      void *arg)
{
	struct nlattr *tb[IDMESH_SACL_A_MAX + 1];
	struct idm_sacl_list *l = arg;
	struct idm_sacl_entry *e;
	int i;

	if (!top[IDMESH_A_SACL] ||
	    nla_parse_nested(tb, IDMESH_SACL_A_MAX, top[IDMESH_A_SACL], NULL))
		return -1;
	l->e = realloc(l->e, (l->n + 1) * sizeof(*l->e));
	if (!l->e)
		return -1;
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->kind = idm_nla_u8(tb[IDMESH_SACL_A_KIND]);
	e->ifindex = idm_nla_u32(tb[IDMESH_SACL_A_IFINDEX]);
	e->lid = idm_nla_u8(tb[IDMESH_SACL_A_LID]);
	e->proto = idm_nla_u8(tb[IDMESH_SACL_A_PROTO]);
	e->port = tb[IDMESH_SACL_A_PORT] ? nla_get_u16(tb[IDMESH_SACL_A_PORT]) : 0;
	e->action = idm_nla_u8(tb[IDMESH_SACL_A_ACTION]);
	e->has_priority = !!tb[IDMESH_SACL_A_PRIORITY];
	e->priority = idm_nla_u32(tb[IDMESH_SACL_A_PRIORITY]);
	e->has_dscp = !!tb[IDMESH_SACL_A_DSCP];
	e->dscp = idm_nla_u8(tb[IDMESH_SACL_A_DSCP]);
	e->marker = idm_nla_u8(tb[IDMESH_SACL_A_MARKER]);
	e->flows = idm_nla_u32(tb[IDMESH_SACL_A_FLOWS]);
	e->opt_type = idm_nla_u8(tb[IDMESH_SACL_A_OPT_TYPE]);
	e->opt_type4 = idm_nla_u8(tb[IDMESH_SACL_A_OPT_TYPE4]);
	e->has_plen = !!tb[IDMESH_SACL_A_PREFIX_LEN];
	e->plen = idm_nla_u8(tb[IDMESH_SACL_A_PREFIX_LEN]);
	e->def_action = idm_nla_u8(tb[IDMESH_SACL_A_DEFAULT]);
	e->path = idm_nla_u8(tb[IDMESH_SACL_A_PATH]);
	e->cbits = tb[IDMESH_SACL_A_CLIENT_BITS] ? idm_nla_u8(tb[IDMESH_SACL_A_CLIENT_BITS]) : 64;
	e->sbits = tb[IDMESH_SACL_A_SERVER_BITS] ? idm_nla_u8(tb[IDMESH_SACL_A_SERVER_BITS]) : 64;
	e->dir = tb[IDMESH_SACL_A_DIRECTION] ? idm_nla_u8(tb[IDMESH_SACL_A_DIRECTION]) :
					       IDMESH_SACL_INGRESS;
	if (get_ranges(top[IDMESH_A_SACL], e->ranges, &e->nranges))
		return -1;
	if (tb[IDMESH_SACL_A_ADDR6] && nla_len(tb[IDMESH_SACL_A_ADDR6]) == 16) {
		inet_ntop(AF_INET6, nla_data(tb[IDMESH_SACL_A_ADDR6]), e->addr,
			  sizeof(e->addr));
		e->has_addr = 1;
	} else if (tb[IDMESH_SACL_A_ADDR4] && nla_len(tb[IDMESH_SACL_A_ADDR4]) == 4) {
		inet_ntop(AF_INET, nla_data(tb[IDMESH_SACL_A_ADDR4]), e->addr,
			  sizeof(e->addr));
		e->has_addr = 1;
	}
	e->id = idm_nla_u64(tb[IDMESH_SACL_A_ID]);
	e->client = idm_nla_u64(tb[IDMESH_SACL_A_CLIENT_ID]);
	e->server = idm_nla_u64(tb[IDMESH_SACL_A_SERVER_ID]);
	for (i = IDMESH_SACL_A_HITS; i <= IDMESH_SACL_A_MARKED; i++)
		e->c[i] = idm_nla_u64(tb[i]);
	e->c[IDMESH_SACL_A_NO_ROOM] = idm_nla_u64(tb[IDMESH_SACL_A_NO_ROOM]);
	e->c[IDMESH_SACL_A_UNTRUSTED] = idm_nla_u64(tb[IDMESH_SACL_A_UNTRUSTED]);
	e->c[IDMESH_SACL_A_SPOOFED] = idm_nla_u64(tb[IDMESH_SACL_A_SPOOFED]);
	e->c[IDMESH_SACL_A_UNRELATED] = idm_nla_u64(tb[IDMESH_SACL_A_UNRELATED]);
	e->c[IDMESH_SACL_A_EVICTED] = idm_nla_u64(tb[IDMESH_SACL_A_EVICTED]);
	e->c[IDMESH_SACL_A_SEGMENTED] = idm_nla_u64(tb[IDMESH_SACL_A_SEGMENTED]);
	return 0;
}

int idm_sacl_dump(struct idm_nl *nl, const struct idm_sacl_spec *only,
		  struct idm_sacl_list *l)
{
	memset(l, 0, sizeof(*l));
	return idm_nl_dump(nl, IDMESH_CMD_SACL_GET, idm_sacl_put, (void *)only,
			   sacl_reply, l);
}

void idm_dev_name(uint32_t ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
}

int idm_sacl_read(struct idm_nl *nl, struct idm_sacl_tables *st)
{
	struct idm_sacl_list l = { 0 };
	struct idm_sacl_row *s;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (idm_sacl_dump(nl, NULL, &l)) {
		free(l.e);
		return -1;
	}
	for (i = 0; i < l.n; i++) {
		const struct idm_sacl_entry *e = &l.e[i];

		if (e->kind == IDMESH_SACL_KIND_SETTINGS) {
			st->has_default = 1;
			st->def_action = e->def_action;
			continue;
		}
		/* Trusted sources are not the intent's (identity.rst). */
		if (e->kind == IDMESH_SACL_KIND_TRUST)
			continue;
		st->e = realloc(st->e, (st->n + 1) * sizeof(*st->e));
		if (!st->e) {
			free(l.e);
			return -1;
		}
		s = &st->e[st->n++];
		memset(s, 0, sizeof(*s));
		s->kind = e->kind;
		if (e->ifindex)
			idm_dev_name(e->ifindex, s->dev);
		s->marker = e->marker;
		s->has_addr = e->has_addr;
		if (e->has_addr)
			idm_addr46_pton(e->addr, &s->addr);
		s->lid = e->lid;
		s->proto = e->proto;
		s->port = e->port;
		s->id = e->id;
		s->client = e->client;
		s->server = e->server;
		s->action = e->action;
		s->has_priority = e->has_priority;
		s->priority = e->priority;
		s->has_dscp = e->has_dscp;
		s->dscp = e->dscp;
		s->cbits = e->cbits;
		s->sbits = e->sbits;
		s->plen = e->kind == IDMESH_SACL_KIND_PEER ? e->plen : 0;
		s->dir = e->dir;
		s->nranges = e->nranges;
		memcpy(s->ranges, e->ranges, e->nranges * sizeof(*e->ranges));
	}
	free(l.e);
	return 0;
}

#define SETA(a) (s.has |= 1ull << (a))

/* Add or remove one entry; the kernel's refusal is printed. */
int idm_sacl_change(struct idm_nl *nl, int add, const struct idm_sacl_row *e)
{
	struct idm_sacl_spec s = { .kind = e->kind };

	/* An address client's port goes with its add; the address names it. */
	if (e->kind == IDMESH_SACL_KIND_PORT ||
	    (e->kind == IDMESH_SACL_KIND_CLIENT && (!e->has_addr || add))) {
		s.ifindex = if_nametoindex(e->dev);
		if (!s.ifindex) {
			fprintf(stderr, "Error: cannot find device \"%s\"\n", e->dev);
			return -1;
		}
		SETA(IDMESH_SACL_A_IFINDEX);
	}
	if (e->has_addr && IN6_IS_ADDR_V4MAPPED(&e->addr)) {
		s.addr.family = AF_INET;
		s.addr.len = 4;
		memcpy(s.addr.bytes, &e->addr.s6_addr[12], 4);
		SETA(IDMESH_SACL_A_ADDR6);
	} else if (e->has_addr) {
		s.addr.family = AF_INET6;
		s.addr.len = 16;
		memcpy(s.addr.bytes, &e->addr, 16);
		SETA(IDMESH_SACL_A_ADDR6);
	}
	switch (e->kind) {
	case IDMESH_SACL_KIND_PEER:
		s.plen = e->plen;
		SETA(IDMESH_SACL_A_PREFIX_LEN);
		if (add) {
			s.id = e->id;
			SETA(IDMESH_SACL_A_ID);
		}
		break;
	case IDMESH_SACL_KIND_PORT:
		if (add && e->marker) {
			s.marker = 1;
			SETA(IDMESH_SACL_A_MARKER);
		}
		break;
	case IDMESH_SACL_KIND_CLIENT:
	case IDMESH_SACL_KIND_SERVER:
		if (e->kind == IDMESH_SACL_KIND_CLIENT && !e->has_addr) {
			s.lid = e->lid;
			SETA(IDMESH_SACL_A_LID);
		}
		if (e->proto) {
			s.proto = e->proto;
			SETA(IDMESH_SACL_A_PROTO);
		}
		if (e->port) {
			s.port = e->port;
			SETA(IDMESH_SACL_A_PORT);
		}
		if (add) {
			s.id = e->id;
			SETA(IDMESH_SACL_A_ID);
		}
		break;
	case IDMESH_SACL_KIND_RULE:
		/* A side of 0 bits (any) has no ID. */
		s.client = e->client;
		s.server = e->server;
		if (e->cbits)
			SETA(IDMESH_SACL_A_CLIENT_ID);
		if (e->sbits)
			SETA(IDMESH_SACL_A_SERVER_ID);
		if (e->cbits < 64) {
			s.cbits = e->cbits;
			SETA(IDMESH_SACL_A_CLIENT_BITS);
		}
		if (e->sbits < 64) {
			s.sbits = e->sbits;
			SETA(IDMESH_SACL_A_SERVER_BITS);
		}
		if (e->dir == IDMESH_SACL_EGRESS) {
			s.dir = e->dir;
			SETA(IDMESH_SACL_A_DIRECTION);
		}
		if (!add)
			break;
		if (e->nranges) {
			s.nranges = e->nranges;
			memcpy(s.ranges, e->ranges, e->nranges * sizeof(*e->ranges));
			SETA(IDMESH_SACL_A_RANGE);
		}
		s.action = e->action;
		SETA(IDMESH_SACL_A_ACTION);
		if (e->has_priority) {
			s.priority = e->priority;
			SETA(IDMESH_SACL_A_PRIORITY);
		}
		if (e->has_dscp) {
			s.dscp = e->dscp;
			SETA(IDMESH_SACL_A_DSCP);
		}
		break;
	}
	return idm_nl_request(nl, add ? IDMESH_CMD_SACL_NEW : IDMESH_CMD_SACL_DEL,
			      idm_sacl_put, &s, NULL, NULL);
}

int idm_sacl_set_default(struct idm_nl *nl, uint32_t action)
{
	struct idm_sacl_spec s = { .kind = IDMESH_SACL_KIND_SETTINGS };

	s.def_action = action;
	SETA(IDMESH_SACL_A_DEFAULT);
	return idm_nl_request(nl, IDMESH_CMD_SACL_SET, idm_sacl_put, &s, NULL, NULL);
}
