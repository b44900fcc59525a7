// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: the node's VIPs made what the intent's "vips" say. The
 * changes: a VIP added (with its whole backend set, one table build), a VIP
 * removed, or a VIP's backend set replaced in one request and its session
 * affinity changed (VIP_SET: its flows go on). A VIP whose mode or table
 * size differs is removed and added again (both are fixed when a VIP is
 * made). Each change can be undone: a removed VIP comes back with its
 * backends and affinity.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/idmesh.h>

#include "apply_vip.h"
#include "nl.h"

static void spec_of(const struct idm_vip_info *vi, struct idm_vip_spec *v)
{
	memset(v, 0, sizeof(*v));
	idm_parse_addr(vi->addr, &v->addr);
	v->port = vi->port;
	v->proto = vi->proto;
	v->mode = vi->mode ? vi->mode : IDMESH_VIP_MODE_NAT;
	v->table_size = vi->table_size;
	v->affinity = vi->affinity;
	v->has_affinity = 1;
}

/* The VIP's identity alone: what a request that only names it sends. */
static struct idm_vip_spec id_of(const struct idm_vip_spec *v)
{
	struct idm_vip_spec id = *v;

	id.mode = 0;
	id.table_size = 0;
	id.affinity = 0;
	id.has_affinity = 0;
	return id;
}

static int same_vip(const struct idm_vip_spec *a, const struct idm_vip_spec *b)
{
	return a->addr.family == b->addr.family && a->port == b->port &&
	       a->proto == b->proto &&
	       !memcmp(a->addr.bytes, b->addr.bytes, a->addr.len);
}

static int be_cmp(const void *x, const void *y)
{
	const struct idm_backend_spec *a = x, *b = y;
	int r = a->addr.family - b->addr.family;

	if (!r)
		r = memcmp(a->addr.bytes, b->addr.bytes, sizeof(a->addr.bytes));
	if (!r)
		r = (int)a->port - (int)b->port;
	if (!r)
		r = (int)a->weight - (int)b->weight;
	return r;
}

/* The same set, weights included, whatever the order. */
static int same_set(struct idm_backend_spec *a, size_t na,
		    struct idm_backend_spec *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	qsort(a, na, sizeof(*a), be_cmp);
	qsort(b, nb, sizeof(*b), be_cmp);
	for (i = 0; i < na; i++)
		if (be_cmp(&a[i], &b[i]))
			return 0;
	return 1;
}

static struct idm_vip_op *add_op(struct idm_vip_changes *p, int kind)
{
	struct idm_vip_op *op;

	p->op = realloc(p->op, (p->n + 1) * sizeof(*p->op));
	if (!p->op) {
		fprintf(stderr, "idmesh: out of memory\n");
		exit(1);
	}
	op = &p->op[p->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	return op;
}

/* The node's backends of a VIP as specs (weights given). */
static struct idm_backend_spec *cur_set(const struct idm_vip_info *vi)
{
	struct idm_backend_spec *s = calloc(vi->nbe ? vi->nbe : 1, sizeof(*s));
	size_t i;

	if (!s) {
		fprintf(stderr, "idmesh: out of memory\n");
		exit(1);
	}
	for (i = 0; i < vi->nbe; i++) {
		idm_parse_addr(vi->be[i].addr, &s[i].addr);
		s[i].port = vi->be[i].port;
		s[i].weight = vi->be[i].weight;
		s[i].has_weight = 1;
	}
	return s;
}

/*
 * One VIP as the node has it, added to l; absent: nothing added. The
 * work is that VIP's, whatever else the node holds.
 */
static int read_one(struct idm_nl *nl, const struct idm_vip_spec *v,
		    struct idm_vip_list *l)
{
	struct idm_vip_spec id = id_of(v);
	struct idm_vip_list one;
	int quiet = nl->quiet, ret;

	nl->quiet = 1;
	nl->error = 0;
	ret = idm_vip_dump(nl, IDMESH_CMD_VIP_GET, &id, &one);
	nl->quiet = quiet;
	if (ret) {
		idm_vip_list_free(&one);
		if (nl->error == ENOENT || nl->error == -ENOENT)
			return 0;
		fprintf(stderr, "Error: %s\n", nl->extack.msg[0] ? nl->extack.msg :
			strerror(abs(nl->error)));
		return -1;
	}
	l->v = realloc(l->v, (l->n + one.n + 1) * sizeof(*l->v));
	if (!l->v) {
		fprintf(stderr, "idmesh: out of memory\n");
		exit(1);
	}
	memcpy(l->v + l->n, one.v, one.n * sizeof(*one.v));
	l->n += one.n;
	free(one.v);
	free(one.slots);
	return 0;
}

/* The node's VIPs: all, or (vips_some) those named. */
static int read_cur(struct idm_nl *nl, const struct idm_intent *in,
		    struct idm_vip_list *l)
{
	size_t i;

	if (!in->vips_some)
		return idm_vip_dump(nl, IDMESH_CMD_VIP_GET, NULL, l);
	for (i = 0; i < in->nvips; i++)
		if (read_one(nl, &in->vips[i].v, l))
			return -1;
	for (i = 0; i < in->nvips_gone; i++)
		if (read_one(nl, &in->vips_gone[i], l))
			return -1;
	return 0;
}

int idm_vip_plan(struct idm_nl *nl, const struct idm_intent *in,
		 struct idm_vip_changes *p)
{
	struct idm_vip_spec cv;
	size_t i, k;

	memset(p, 0, sizeof(*p));
	if (read_cur(nl, in, &p->cur))
		return -1;
	/* What goes: VIPs not wanted, or wanted with another mode or size. */
	for (k = 0; k < p->cur.n; k++) {
		const struct idm_intent_vip *w = NULL;
		struct idm_vip_op *op;

		spec_of(&p->cur.v[k], &cv);
		for (i = 0; i < in->nvips; i++)
			if (same_vip(&in->vips[i].v, &cv))
				w = &in->vips[i];
		if (w && w->v.mode == cv.mode && w->v.table_size == cv.table_size)
			continue;
		op = add_op(p, IDM_VIP_OP_DEL);
		op->vip = cv;
		op->old = cur_set(&p->cur.v[k]);
		op->nold = p->cur.v[k].nbe;
	}
	/* What comes or changes. */
	for (i = 0; i < in->nvips; i++) {
		const struct idm_intent_vip *w = &in->vips[i];
		const struct idm_vip_info *c = NULL;
		struct idm_backend_spec *want;
		struct idm_vip_op *op;

		for (k = 0; k < p->cur.n; k++) {
			spec_of(&p->cur.v[k], &cv);
			if (same_vip(&w->v, &cv) && w->v.mode == cv.mode &&
			    w->v.table_size == cv.table_size)
				c = &p->cur.v[k];
		}
		want = calloc(w->nbe ? w->nbe : 1, sizeof(*want));
		if (!want) {
			fprintf(stderr, "idmesh: out of memory\n");
			exit(1);
		}
		memcpy(want, w->be, w->nbe * sizeof(*want));
		if (c) {
			struct idm_backend_spec *old = cur_set(c);
			int set = !same_set(want, w->nbe, old, c->nbe);

			if (!set && w->v.affinity == c->affinity) {
				free(want);
				free(old);
				continue;
			}
			op = add_op(p, IDM_VIP_OP_SET);
			op->old = old;
			op->nold = c->nbe;
			op->set = set;
			op->old_affinity = c->affinity;
		} else {
			op = add_op(p, IDM_VIP_OP_ADD);
		}
		op->vip = w->v;
		op->want = want;
		op->nwant = w->nbe;
	}
	return 0;
}

static int do_add(struct idm_nl *nl, const struct idm_vip_spec *v,
		  const struct idm_backend_spec *be, size_t n)
{
	struct idm_vip_spec id = id_of(v);

	if (idm_vip_request(nl, IDMESH_CMD_VIP_NEW, v, NULL, 0))
		return -1;
	if (!idm_vip_request(nl, IDMESH_CMD_BACKEND_REPLACE, &id, be, n))
		return 0;
	/* All of it, or none. */
	idm_vip_request(nl, IDMESH_CMD_VIP_DEL, &id, NULL, 0);
	return -1;
}

/*
 * A VIP's backend set (if set) then its affinity (if it differs from
 * from_aff) made want/aff; undone as a whole if the second fails.
 */
static int do_set(struct idm_nl *nl, const struct idm_vip_op *op,
		  const struct idm_backend_spec *want, size_t nwant,
		  const struct idm_backend_spec *back, size_t nback,
		  uint32_t aff, uint32_t from_aff)
{
	struct idm_vip_spec id = id_of(&op->vip);

	if (op->set &&
	    idm_vip_request(nl, IDMESH_CMD_BACKEND_REPLACE, &id, want, nwant))
		return -1;
	if (aff == from_aff)
		return 0;
	id.affinity = aff;
	id.has_affinity = 1;
	if (!idm_vip_request(nl, IDMESH_CMD_VIP_SET, &id, NULL, 0))
		return 0;
	id.has_affinity = 0;
	if (op->set)
		idm_vip_request(nl, IDMESH_CMD_BACKEND_REPLACE, &id, back, nback);
	return -1;
}

int idm_vip_op_do(struct idm_nl *nl, const struct idm_vip_op *op, int undo)
{
	/* Mode and table size go with VIP_NEW only. */
	struct idm_vip_spec id = id_of(&op->vip);
	int kind = op->kind;

	if (undo)
		kind = kind == IDM_VIP_OP_ADD ? IDM_VIP_OP_DEL :
		       kind == IDM_VIP_OP_DEL ? IDM_VIP_OP_ADD : IDM_VIP_OP_SET;
	switch (kind) {
	case IDM_VIP_OP_ADD:
		return undo ? do_add(nl, &op->vip, op->old, op->nold) :
			      do_add(nl, &op->vip, op->want, op->nwant);
	case IDM_VIP_OP_DEL:
		return idm_vip_request(nl, IDMESH_CMD_VIP_DEL, &id, NULL, 0);
	default:
		return undo ? do_set(nl, op, op->old, op->nold, op->want,
				     op->nwant, op->old_affinity,
				     op->vip.affinity) :
			      do_set(nl, op, op->want, op->nwant, op->old,
				     op->nold, op->vip.affinity,
				     op->old_affinity);
	}
}

void idm_vip_op_format(const struct idm_vip_op *op, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], port[24] = "";
	const struct idm_vip_spec *v = &op->vip;

	inet_ntop(v->addr.family, v->addr.bytes, a, sizeof(a));
	if (v->port)
		snprintf(port, sizeof(port), " port %u", v->port);
	snprintf(buf, len, "vip %s%s proto %s", a, port,
		 idm_proto_name(v->proto) ? idm_proto_name(v->proto) : "?");
	if (op->kind != IDM_VIP_OP_DEL) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, " mode %s table-size %u",
			 v->mode == IDMESH_VIP_MODE_TUNNEL ? "tunnel" : "nat",
			 v->table_size);
		n = strlen(buf);
		if (v->affinity)
			snprintf(buf + n, len - n, " affinity %u", v->affinity);
		else if (op->kind == IDM_VIP_OP_SET && op->old_affinity)
			snprintf(buf + n, len - n, " affinity none");
		n = strlen(buf);
		snprintf(buf + n, len - n, ", %zu backend(s)", op->nwant);
	}
}

void idm_vip_changes_free(struct idm_vip_changes *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->op[i].want);
		free(p->op[i].old);
	}
	free(p->op);
	idm_vip_list_free(&p->cur);
	memset(p, 0, sizeof(*p));
}
