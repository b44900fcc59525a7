/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh apply: the node's idmesh links, and the addresses and routes of
 * their ends, made what the intent's "pairs", "remote-links" and
 * "external-links" say (apply_link.c).
 */
#ifndef IDMESH_APPLY_LINK_H
#define IDMESH_APPLY_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "intent.h"

enum { IDM_LINK_OP_DEL, IDM_LINK_OP_ADD, IDM_LINK_OP_MTU, IDM_LINK_OP_ADDR,
	IDM_LINK_OP_ROUTE, IDM_LINK_OP_PEER };

/*
 * One change: a link removed or added (with its MTU, both ends up, their
 * addresses and routes, an external link's peers), its MTU set, an
 * address or a route of one end added or removed, or a peer of an
 * external link.
 */
struct idm_link_op {
	int kind;
	bool add;			/* ADDR, ROUTE, PEER: add, or remove */
	const struct idm_intent_link *l;	/* DEL: the node's, to undo; else the intent's */
	int end;			/* IDM_END_NODE or IDM_END_PEER */
	struct idm_prefix p;
	struct idm_intent_xpeer xp;	/* PEER */
	struct idm_addr old_remote;	/* PEER added over another: that one's */
	uint32_t mtu, old_mtu;
};

struct idm_link_changes {
	struct idm_intent_link *cur;		/* the node's links when planned */
	size_t ncur;
	struct idm_link_op *op;		/* removals, additions, then the rest */
	size_t n;
};

struct idm_nl;
/*
 * The node's idmesh links as intent links, with the addresses and the
 * routes (main table, not the kernel's own) of both ends, and external
 * links with their peers (read through nl, the idmesh family; nl NULL:
 * external links are left out). A pair whose two ends are both here is
 * one link. 0, or -1 with the reason printed.
 */
int idm_links_read(struct idm_nl *nl, struct idm_nl *rt, struct idm_intent_link **out,
		   size_t *n);
/* The changes that make the node's links the intent's. */
int idm_link_plan(struct idm_nl *nl, struct idm_nl *rt, const struct idm_intent *in,
		  struct idm_link_changes *p);
/*
 * Make the link l (netns: a name under /run/netns, or a path), with its
 * MTU, both ends up, their addresses and routes, and an external link's
 * peers (through nl, the idmesh family; NULL for other links); or, on a
 * failure (the reason printed), nothing. 0 or -1.
 */
int idm_intent_link_add(struct idm_nl *nl, struct idm_nl *rt,
			const struct idm_intent_link *l);
/* Delete the link name (and a pair's other end); the refusal is printed. */
int idm_intent_link_del(struct idm_nl *rt, const char *name);
/* Give the device ifname an alias (IFLA_IFALIAS). */
int idm_link_set_alias(struct idm_nl *rt, const char *ifname, const char *alias);
/* Has the device ifname of netns (NULL: this one) address p? */
bool idm_end_has_addr(const char *netns, const char *ifname,
		      const struct idm_prefix *p);
/* Make one change, or undo it; the kernel's refusal is printed. */
int idm_link_op_do(struct idm_nl *nl, struct idm_nl *rt, const struct idm_link_op *op,
		   int undo);
/* "link NAME peer P ...", "address A dev D [netns N]", ... */
void idm_link_op_format(const struct idm_link_op *op, char *buf, size_t len);
/* "NAME peer P [netns N]" or "NAME remote A ... id I" and the MTU. */
void idm_intent_link_format(const struct idm_intent_link *l, char *buf, size_t len);
void idm_link_changes_free(struct idm_link_changes *p);

#endif
