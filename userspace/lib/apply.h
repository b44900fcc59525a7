/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An intent made true on this node (apply.c): planned as a diff against
 * what the node holds, then made, link by link, key, VIP by VIP and SACL
 * entry by entry; a failure undoes what was made, last first.
 */
#ifndef IDMESH_APPLY_H
#define IDMESH_APPLY_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/idmesh.h>

#include "apply_link.h"
#include "apply_vip.h"
#include "intent.h"
#include "ipsec.h"

struct idm_nl;

/* The changes that turn the node into the intent. */
struct idm_apply {
	struct idm_link_changes links;	/* when the intent has links */
	bool set_key;			/* the hash key differs */
	uint8_t old_key[IDMESH_HASH_KEY_LEN];
	bool set_masq;			/* the masquerade differs: */
	struct idm_prefixes old_masq;	/* what it was */
	/* When the intent has "ipsec": the node's, the intent's, the changes. */
	struct idm_nl *xfrm;		/* an xfrm socket, open until freed */
	struct idm_ipsec_state ipsec_cur, ipsec_want;
	struct idm_ipsec_op *ipsec_ops;
	long nipsec;
	struct idm_vip_changes vips;	/* when the intent has VIPs */
	struct idm_sacl_tables cur;	/* the SACL tables as they are */
	struct idm_sacl_op *ops;	/* their changes, in order */
	long nops;
	bool set_default;		/* the default action differs */
};

/*
 * Read the node (nl: idmesh in the namespace; rt: rtnetlink) and plan
 * the changes to want, the intent's tables. 0, or -1 with why printed.
 * Free p either way.
 */
int idm_apply_plan(struct idm_nl *nl, struct idm_nl *rt,
		   const struct idm_intent *in,
		   const struct idm_sacl_tables *want, struct idm_apply *p);
/*
 * Every port the intent names exists here or is one of its links: 0, or
 * -1 with the device named on standard error.
 */
int idm_apply_check_devs(const struct idm_intent *in,
			 const struct idm_sacl_tables *want);
/*
 * Make the planned changes. 0; or -1 when one failed and all made were
 * undone; or -2 when the undo failed too. What failed, and whether the
 * node is as it was, is printed on standard error.
 */
int idm_apply_commit(struct idm_nl *nl, struct idm_nl *rt,
		     const struct idm_intent *in,
		     const struct idm_sacl_tables *want,
		     const struct idm_apply *p);
void idm_apply_free(struct idm_apply *p);

#endif
