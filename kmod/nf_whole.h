/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh: netfilter hooks that need whole packets (nf_whole.c). */
#ifndef _IDMESH_NF_WHOLE_H
#define _IDMESH_NF_WHOLE_H

#include <linux/types.h>

struct net;
struct nf_hook_ops;
/*
 * Hooks that need whole packets (their ports): IPv4 and IPv6
 * defragmentation on in net, then the hooks; the reverse on the way out.
 */
int idm_nf_register_whole(struct net *net, const struct nf_hook_ops *ops,
			  unsigned int n);
void idm_nf_unregister_whole(struct net *net, const struct nf_hook_ops *ops,
			     unsigned int n);

#endif /* _IDMESH_NF_WHOLE_H */
