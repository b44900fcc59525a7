// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh: netfilter hooks that need whole packets (the load balancer's
 * and the SACL gateway's read ports): registered with IPv4 and IPv6
 * defragmentation on in their namespace, and off again with them.
 */
#include <linux/kernel.h>
#include <linux/netfilter.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "nf_whole.h"

int idm_nf_register_whole(struct net *net, const struct nf_hook_ops *ops,
			  unsigned int n)
{
	int err;

	err = nf_defrag_ipv4_enable(net);
	if (err)
		return err;
	err = nf_defrag_ipv6_enable(net);
	if (err)
		goto err_v4;
	err = nf_register_net_hooks(net, ops, n);
	if (err)
		goto err_v6;
	return 0;

err_v6:
	nf_defrag_ipv6_disable(net);
err_v4:
	nf_defrag_ipv4_disable(net);
	return err;
}

void idm_nf_unregister_whole(struct net *net, const struct nf_hook_ops *ops,
			     unsigned int n)
{
	nf_unregister_net_hooks(net, ops, n);
	nf_defrag_ipv6_disable(net);
	nf_defrag_ipv4_disable(net);
}
