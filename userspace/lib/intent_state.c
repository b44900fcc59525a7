// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: the SACL tables a node should hold for an intent, and the
 * changes (removals first, in an order the kernel accepts) that take the
 * node's tables there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "intent.h"
#include "intent_impl.h"
#include "sacl.h"
#include "siphash.h"

static struct idm_sacl_row *st_add(struct idm_sacl_tables *st, int kind)
{
	struct idm_sacl_row *e;

	st->e = xrealloc(st->e, st->n + 1, sizeof(*st->e));
	e = &st->e[st->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

/*
 * The node's tables: its ports; a client entry for each workload behind
 * a port (by address, or by marker port and LID); a server entry for
 * each workload with an address (any node's: clients here may reach it);
 * every rule (server side filters, client side and transit classify).
 */
static int cmp_key(const void *a, const void *b);
static bool same_entry(const struct idm_sacl_row *x, const struct idm_sacl_row *y);

int idm_intent_state(const struct idm_intent *in, struct idm_sacl_tables *st,
		     char *err, size_t errlen)
{
	struct idm_sacl_row *e;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->has_default = in->has_default;
	st->def_action = in->def_action;
	for (i = 0; i < in->nports; i++) {
		e = st_add(st, IDMESH_SACL_KIND_PORT);
		snprintf(e->dev, sizeof(e->dev), "%s", in->ports[i].dev);
		e->marker = in->ports[i].marker;
	}
	for (i = 0; i < in->nworkloads; i++) {
		const struct idm_workload *w = &in->workloads[i];
		uint64_t id = in->services[w->service].id;

		if (w->dev) {
			e = st_add(st, IDMESH_SACL_KIND_CLIENT);
			e->id = id;
			snprintf(e->dev, sizeof(e->dev), "%s", w->dev);
			if (w->has_lid) {
				e->lid = w->lid;
			} else {
				e->has_addr = true;
				e->addr = w->addr;
			}
		}
		if (w->has_addr) {
			e = st_add(st, IDMESH_SACL_KIND_SERVER);
			e->has_addr = true;
			e->addr = w->addr;
			e->proto = w->proto;
			e->port = w->port;
			e->id = id;
		}
	}
	for (i = 0; i < in->nrules; i++) {
		const struct idm_rule *r = &in->rules[i];

		e = st_add(st, IDMESH_SACL_KIND_RULE);
		e->client = r->c.id;
		e->cbits = r->c.bits;
		e->server = r->s.id;
		e->sbits = r->s.bits;
		e->dir = r->dir;
		e->nranges = r->nranges;
		memcpy(e->ranges, r->ranges, r->nranges * sizeof(*r->ranges));
		e->action = r->action;
		e->has_priority = r->has_priority;
		e->priority = r->priority;
		e->has_dscp = r->has_dscp;
		e->dscp = r->dscp;
	}
	for (i = 0; i < in->npeers; i++) {
		const struct idm_prefix *p = &in->peers[i].p;

		e = st_add(st, IDMESH_SACL_KIND_PEER);
		idm_addr46(&p->a, &e->addr);
		e->has_addr = true;
		e->plen = p->len;
		e->id = in->peers[i].id;
	}
	/* Entries as given: one the workloads or policies give is kept once. */
	for (i = 0; i < in->nraw; i++) {
		size_t k, n = st->n;

		for (k = 0; k < n; k++)
			if (!cmp_key(&st->e[k], &in->raw[i]))
				break;
		if (k < n && same_entry(&st->e[k], &in->raw[i]))
			continue;
		if (k < n) {
			char buf[256];

			idm_sacl_row_format(&in->raw[i], buf, sizeof(buf));
			snprintf(err, errlen, "%s: sacl-entries[%zu]: \"%s\": another entry has its key and another value",
				 in->file, i, buf);
			return -1;
		}
		e = st_add(st, in->raw[i].kind);
		*e = in->raw[i];
	}
	return 0;
}

void idm_sacl_tables_free(struct idm_sacl_tables *st)
{
	free(st->e);
	memset(st, 0, sizeof(*st));
}

/* Order by kind, then key. */
static int cmp_key(const void *a, const void *b)
{
	const struct idm_sacl_row *x = a, *y = b;
	int d;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	switch (x->kind) {
	case IDMESH_SACL_KIND_PORT:
		return strcmp(x->dev, y->dev);
	case IDMESH_SACL_KIND_CLIENT:
		if (x->has_addr != y->has_addr)
			return x->has_addr - y->has_addr;
		if (x->has_addr)
			return memcmp(&x->addr, &y->addr, sizeof(x->addr));
		d = strcmp(x->dev, y->dev);
		return d ? d : (int)x->lid - (int)y->lid;
	case IDMESH_SACL_KIND_PEER:
		d = memcmp(&x->addr, &y->addr, sizeof(x->addr));
		return d ? d : (int)x->plen - (int)y->plen;
	case IDMESH_SACL_KIND_SERVER:
		d = memcmp(&x->addr, &y->addr, sizeof(x->addr));
		if (d)
			return d;
		if (x->proto != y->proto)
			return (int)x->proto - (int)y->proto;
		return (int)x->port - (int)y->port;
	case IDMESH_SACL_KIND_RULE:
		d = cmp_u64(x->client, y->client);
		if (!d)
			d = (int)x->cbits - (int)y->cbits;
		if (!d)
			d = cmp_u64(x->server, y->server);
		if (!d)
			d = (int)x->sbits - (int)y->sbits;
		return d ? d : (int)x->dir - (int)y->dir;
	}
	return 0;
}

static bool same_entry(const struct idm_sacl_row *x, const struct idm_sacl_row *y)
{
	switch (x->kind) {
	case IDMESH_SACL_KIND_PORT:
		return x->marker == y->marker;
	case IDMESH_SACL_KIND_CLIENT:
		/* An address moved to another port is another entry. */
		return x->id == y->id && !strcmp(x->dev, y->dev);
	case IDMESH_SACL_KIND_SERVER:
	case IDMESH_SACL_KIND_PEER:
		return x->id == y->id;
	case IDMESH_SACL_KIND_RULE:
		return x->action == y->action && x->nranges == y->nranges &&
		       !memcmp(x->ranges, y->ranges, x->nranges * sizeof(*x->ranges)) &&
		       x->has_priority == y->has_priority &&
		       (!x->has_priority || x->priority == y->priority) &&
		       x->has_dscp == y->has_dscp &&
		       (!x->has_dscp || x->dscp == y->dscp);
	}
	return false;
}

static struct idm_sacl_row *sorted_copy(const struct idm_sacl_tables *st)
{
	struct idm_sacl_row *e = xrealloc(NULL, st->n, sizeof(*e));

	if (st->n)
		memcpy(e, st->e, st->n * sizeof(*e));
	qsort(e, st->n, sizeof(*e), cmp_key);
	return e;
}

static bool port_recreated(const struct idm_sacl_op *ops, size_t n, const char *dev)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ops[i].add && ops[i].e.kind == IDMESH_SACL_KIND_PORT &&
		    !strcmp(ops[i].e.dev, dev))
			return true;
	return false;
}

long idm_sacl_diff(const struct idm_sacl_tables *cur, const struct idm_sacl_tables *want,
		   struct idm_sacl_op **ops)
{
	struct idm_sacl_row *a = sorted_copy(cur), *b = sorted_copy(want);
	struct idm_sacl_op *del = NULL, *add = NULL, *out;
	size_t i = 0, j = 0, ndel = 0, nadd = 0, k;
	static const int del_order[] = { IDMESH_SACL_KIND_RULE, IDMESH_SACL_KIND_PEER,
					 IDMESH_SACL_KIND_SERVER, IDMESH_SACL_KIND_CLIENT,
					 IDMESH_SACL_KIND_PORT };
	int kind, d;

	while (i < cur->n || j < want->n) {
		if (i == cur->n)
			d = 1;
		else if (j == want->n)
			d = -1;
		else
			d = cmp_key(&a[i], &b[j]);
		if (d <= 0 && (d < 0 || !same_entry(&a[i], &b[j]))) {
			del = xrealloc(del, ndel + 1, sizeof(*del));
			del[ndel].add = false;
			del[ndel++].e = a[i];
		}
		if (d >= 0 && (d > 0 || !same_entry(&a[i], &b[j]))) {
			add = xrealloc(add, nadd + 1, sizeof(*add));
			add[nadd].add = true;
			add[nadd++].e = b[j];
		}
		/* A client of a re-created port: gone with it, so re-added. */
		if (!d && same_entry(&a[i], &b[j]) &&
		    a[i].kind == IDMESH_SACL_KIND_CLIENT &&
		    port_recreated(del, ndel, a[i].dev)) {
			del = xrealloc(del, ndel + 1, sizeof(*del));
			del[ndel].add = false;
			del[ndel++].e = a[i];
			add = xrealloc(add, nadd + 1, sizeof(*add));
			add[nadd].add = true;
			add[nadd++].e = b[j];
		}
		if (d <= 0)
			i++;
		if (d >= 0)
			j++;
	}
	free(a);
	free(b);
	/* Removals, rules first; additions, ports first. */
	out = xrealloc(NULL, ndel + nadd, sizeof(*out));
	k = 0;
	for (d = 0; d < (int)ARRAY_LEN(del_order); d++) {
		kind = del_order[d];
		for (i = 0; i < ndel; i++)
			if (del[i].e.kind == kind)
				out[k++] = del[i];
	}
	for (d = (int)ARRAY_LEN(del_order) - 1; d >= 0; d--) {
		kind = del_order[d];
		for (i = 0; i < nadd; i++)
			if (add[i].e.kind == kind)
				out[k++] = add[i];
	}
	free(del);
	free(add);
	*ops = out;
	return (long)k;
}

void idm_sacl_row_format(const struct idm_sacl_row *e, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "", pri[32] = "", dscp[16] = "", proto[32] = "";
	char cb[8] = "", sb[8] = "", cid[24] = "any", sid[24] = "any";
	char ports[IDMESH_SACL_RANGES_MAX * 20 + 8] = "";
	const char *p;

	if (e->has_addr)
		idm_addr46_ntop(&e->addr, addr, sizeof(addr));
	switch (e->kind) {
	case IDMESH_SACL_KIND_PORT:
		snprintf(buf, len, "port %s%s", e->dev, e->marker ? " marker" : "");
		break;
	case IDMESH_SACL_KIND_CLIENT:
		if (e->has_addr)
			snprintf(buf, len, "client %s dev %s id 0x%016" PRIx64,
				 addr, e->dev, e->id);
		else
			snprintf(buf, len, "client dev %s lid %u id 0x%016" PRIx64,
				 e->dev, e->lid, e->id);
		break;
	case IDMESH_SACL_KIND_PEER:
		snprintf(buf, len, "peer %s/%u id 0x%016" PRIx64, addr, e->plen, e->id);
		break;
	case IDMESH_SACL_KIND_SERVER:
		if (e->proto) {
			p = idm_proto_name(e->proto);
			if (p)
				snprintf(proto, sizeof(proto), " proto %s", p);
			else
				snprintf(proto, sizeof(proto), " proto %u", e->proto);
			if (e->port)
				snprintf(proto + strlen(proto), sizeof(proto) - strlen(proto),
					 " port %u", e->port);
		}
		snprintf(buf, len, "server %s%s id 0x%016" PRIx64, addr, proto, e->id);
		break;
	case IDMESH_SACL_KIND_RULE:
		if (e->has_priority && e->priority >> 16)
			snprintf(pri, sizeof(pri), " priority %x:%x", e->priority >> 16,
				 e->priority & 0xffff);
		else if (e->has_priority)
			snprintf(pri, sizeof(pri), " priority %u", e->priority);
		if (e->has_dscp)
			snprintf(dscp, sizeof(dscp), " dscp %u", e->dscp);
		/* 0 bits: any (every ID and none). */
		if (e->cbits && e->cbits < 64)
			snprintf(cb, sizeof(cb), "/%u", e->cbits);
		if (e->sbits && e->sbits < 64)
			snprintf(sb, sizeof(sb), "/%u", e->sbits);
		if (e->cbits)
			snprintf(cid, sizeof(cid), "0x%016" PRIx64, e->client);
		if (e->sbits)
			snprintf(sid, sizeof(sid), "0x%016" PRIx64, e->server);
		if (e->nranges) {
			strcpy(ports, " ports ");
			idm_format_ranges(e->ranges, e->nranges, ports + 7,
					  sizeof(ports) - 7);
		}
		snprintf(buf, len, "rule client %s%s server %s%s%s %s%s%s%s",
			 cid, cb, sid, sb,
			 e->dir == IDMESH_SACL_EGRESS ? " egress" : "",
			 e->action == IDMESH_SACL_DENY ? "deny" : "allow", ports,
			 pri, dscp);
		break;
	default:
		snprintf(buf, len, "?");
	}
}
