/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pod egress (masq.c): the masquerade of what pods send out of the node,
 * in the kernel's own nftables, driven by the nft command as the CNI
 * reference plugins drive iptables. Table "inet idmesh"; one base chain
 * per owner (the intent's "intent", a CNI network's "cni-NETWORK") at
 * postrouting, priority srcnat; one rule per pod CIDR:
 *
 *   ip saddr CIDR meta oifkind != "idmesh" counter masquerade comment "CIDR"
 *
 * What leaves through an idmesh device (a pod's pair, a remote link to
 * another node's pods) keeps its source, which identity and
 * NetworkPolicy need; whatever else leaves with a pod's source gets the
 * node's address of the device it leaves by. Documentation/cni.rst.
 *
 * No locks: each call is one nft transaction (atomic in the kernel);
 * callers that read, merge and write (the CNI plugin) serialise
 * themselves.
 */
#ifndef IDM_MASQ_H
#define IDM_MASQ_H

#include <stddef.h>
#include "intent.h"

/* Is s a name a chain may have here ([a-zA-Z0-9_.-], at most 128 bytes)? */
bool idm_masq_chain_ok(const char *s);

/*
 * The CIDRs chain masquerades now into *cidrs (allocated; none if the
 * chain or the table is not there). 0, or -1 with why in err (no nft, or
 * nft failed).
 */
int idm_masq_get(const char *chain, struct idm_prefixes *cidrs, char *err, size_t errlen);

/*
 * Make chain masquerade exactly cidrs, in one transaction (none: the chain
 * goes, and the table with its last chain). 0, or -1 with nft's reason in
 * err and nothing changed.
 */
int idm_masq_set(const char *chain, const struct idm_prefixes *cidrs, char *err,
		 size_t errlen);

#endif
