/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh apply: the node's VIPs made what the intent says (apply_vip.c). */
#ifndef IDMESH_APPLY_VIP_H
#define IDMESH_APPLY_VIP_H

#include <stddef.h>

#include "intent.h"
#include "vip.h"

enum { IDM_VIP_OP_DEL, IDM_VIP_OP_ADD, IDM_VIP_OP_SET };

/*
 * One change: a VIP removed, added (with its set), or changed: its set
 * replaced (set) and/or its affinity made vip.affinity.
 */
struct idm_vip_op {
	int kind;
	struct idm_vip_spec vip;
	struct idm_backend_spec *want, *old;	/* old: to undo */
	size_t nwant, nold;
	int set;			/* SET: the backend set changes */
	uint32_t old_affinity;		/* SET: to undo */
};

struct idm_vip_changes {
	struct idm_vip_list cur;	/* the node's VIPs when planned */
	struct idm_vip_op *op;		/* removals first */
	size_t n;
};

struct idm_nl;
/* The changes that make the node's VIPs the intent's. */
int idm_vip_plan(struct idm_nl *nl, const struct idm_intent *in,
		 struct idm_vip_changes *p);
/* Make one change, or undo it; the kernel's refusal is printed. */
int idm_vip_op_do(struct idm_nl *nl, const struct idm_vip_op *op, int undo);
/*
 * "vip ADDR [port P] proto X [mode M table-size N [affinity S|none], K
 * backend(s)]".
 */
void idm_vip_op_format(const struct idm_vip_op *op, char *buf, size_t len);
void idm_vip_changes_free(struct idm_vip_changes *p);

#endif
